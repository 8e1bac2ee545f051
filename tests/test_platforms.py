"""What each platform installs: Binder's environment.yml, the `student` extra, the pins of constraints.txt
and the Makefile's choice of torch build. Nothing here reaches beyond this machine: pip resolves from the
indexes configured here (skipped when it cannot), and the PyTorch index is stood in for by a local server."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml
from conftest import LocalServer
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_and_pip(env: dict) -> tuple[list[str], list[str]]:
    conda = [dep for dep in env["dependencies"] if isinstance(dep, str)]
    pip = [
        line for dep in env["dependencies"] if isinstance(dep, dict) for line in dep.get("pip", [])
    ]
    return conda, pip


# ----------------------------------------------------------------------------------------------
# (a) environment.yml: Binder installs exactly the tested versions
# ----------------------------------------------------------------------------------------------


def test_environment_yml_installs_the_student_extra_with_the_constraints():
    env = environment()
    assert env["channels"] == ["conda-forge"]
    conda, pip = conda_and_pip(env)
    names = [re.split(r"[=<>! ]", dep, maxsplit=1)[0] for dep in conda]
    assert names == ["python", "pip"], (
        f"conda installs only Python and pip (pip installs the rest, pinned): {conda}"
    )
    assert "-c constraints.txt" in pip, "the pip section must install with constraints.txt"
    editable = [line for line in pip if line.startswith("-e ")]
    assert len(editable) == 1 and Requirement(
        "paramact" + editable[0][3:].strip().removeprefix(".")
    ).extras == {"student"}
    assert f"--extra-index-url {CPU_INDEX}" in pip, "Binder has no GPU: torch's CPU build"


def test_every_version_environment_yml_pins_is_the_constraints_one():
    pins = constraints()
    conda, pip = conda_and_pip(environment())
    checked = []
    for dep in conda:
        match = re.fullmatch(r"([\w.-]+)\s*==?\s*([\w.*]+)", dep)
        if match is None:
            continue
        name, version = match.groups()
        if name == "python":
            requires = project()["requires-python"]
            assert Version(version) in SpecifierSet(requires), (
                f"environment.yml's Python {version}, pyproject: {requires}"
            )
        else:
            assert pins.get(canonicalize_name(name)) == version, (
                f"environment.yml pins {dep}, constraints.txt says {pins.get(canonicalize_name(name))}"
            )
        checked.append(name)
    for line in pip:
        if line.startswith("-"):
            continue
        requirement = Requirement(line)
        for spec in requirement.specifier:
            if spec.operator in ("==", "==="):
                assert pins.get(canonicalize_name(requirement.name)) == spec.version, (
                    f"environment.yml: {line}"
                )
                checked.append(requirement.name)
    assert "python" in checked


def test_the_makefile_and_environment_yml_use_the_same_cpu_index():
    default = re.search(
        r"^TORCH_CPU_INDEX \?= (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE
    )
    assert default and default[1] == CPU_INDEX


def test_postbuild_is_gone():
    # environment.yml installs the package itself; a postBuild would install it a second time.
    assert not (ROOT / "postBuild").exists()


# ----------------------------------------------------------------------------------------------
# (b) the student extra
# ----------------------------------------------------------------------------------------------


def extras() -> dict[str, list[str]]:
    return project()["optional-dependencies"]


def test_the_student_extra_has_no_authoring_tools():
    student = {canonicalize_name(Requirement(r).name) for r in extras()["student"]}
    assert not student & {"nbgrader", "jupyter-book"}, student
    assert {"ipykernel", "ipywidgets", "scikit-learn"} <= student


def test_the_course_extra_is_the_student_one_and_the_authoring_tools():
    course = [Requirement(r) for r in extras()["course"]]
    assert any(r.name == "paramact" and r.extras == {"student"} for r in course), (
        "course must extend student"
    )
    assert {"nbgrader", "jupyter-book"} <= {canonicalize_name(r.name) for r in course}


# ----------------------------------------------------------------------------------------------
# (c) every distribution an install pulls is pinned (resolved by pip, without installing)
# ----------------------------------------------------------------------------------------------

OFFLINE = (
    "from versions: none",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Name or service not known",
)


def resolve(args: list[str], cwd: Path, tmp_path: Path) -> dict[str, str]:
    """``pip install --dry-run`` of ``args`` in ``cwd``: {distribution: version} of everything it would install."""
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--no-input",
        "--report",
        str(report),
        *args,
    ]
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env, check=False
    )
    if result.returncode != 0:
        if any(sign in result.stderr for sign in OFFLINE):
            pytest.skip(
                f"pip cannot resolve from the indexes reachable here: {result.stderr.strip()[-500:]}"
            )
        pytest.fail(f"pip could not resolve {args}:\n{result.stderr[-3000:]}")
    installs = json.loads(report.read_text())["install"]
    return {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in installs
    }


def unpinned(resolved: dict[str, str]) -> list[str]:
    pins = constraints()
    return [
        f"{name} {version} (constraints.txt: {pins.get(name, 'none')})"
        for name, version in sorted(resolved.items())
        if name != "paramact" and pins.get(name) != Version(version).public
    ]


def binder_copy(target: Path) -> Path:
    """What Binder's pip step sees: the project, and the pip lines written to a file next to environment.yml,
    as conda and mamba do. The PyTorch index line is left out: it cannot be reached from here."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "constraints.txt", "environment.yml"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(
        ROOT / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    _, pip = conda_and_pip(environment())
    lines = [line for line in pip if not line.startswith(("--extra-index-url", "--index-url"))]
    (target / "condaenv.test.requirements.txt").write_text("\n".join(lines) + "\n")
    return target


def chapter_imports() -> set[str]:
    """The top-level modules that the chapters' code cells import, less the standard library."""
    modules = set()
    for notebook in (ROOT / "chapters").rglob("*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                modules |= set(
                    re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", source, re.MULTILINE)
                )
    return modules - set(sys.stdlib_module_names)


def test_binder_install_is_pinned_and_has_what_chapters_import(tmp_path):
    copy = binder_copy(tmp_path / "repo")
    resolved = resolve(["-r", "condaenv.test.requirements.txt"], copy, tmp_path)
    assert not unpinned(resolved), f"add these to constraints.txt: {unpinned(resolved)}"
    assert not {"nbgrader", "jupyter-book"} & set(resolved), (
        "a student install must not pull the authoring tools"
    )
    assert "paramact" in resolved
    providers = importlib.metadata.packages_distributions()
    imports = chapter_imports()
    assert {"numpy", "torch", "sklearn"} <= imports
    missing = {
        module: providers.get(module)
        for module in imports
        if not {canonicalize_name(d) for d in providers.get(module, [])} & set(resolved)
    }
    assert not missing, f"chapters import modules that a student install lacks: {missing}"


def test_make_setup_install_is_pinned(tmp_path):
    resolved = resolve(["-c", "constraints.txt", ".[course,test]"], ROOT, tmp_path)
    assert {"nbgrader", "jupyter-book", "pytest"} <= set(resolved)
    assert not unpinned(resolved), f"add these to constraints.txt: {unpinned(resolved)}"


# ----------------------------------------------------------------------------------------------
# (d) make setup takes torch from PyTorch's CPU index only when that answers (Linux only)
# ----------------------------------------------------------------------------------------------


CPU_PATH = "/whl/cpu"  # the index's path on the local server that stands in for it


@pytest.fixture
def index(tmp_path):
    """A local stand-in for PyTorch's CPU index, recording the paths asked for."""
    (tmp_path / "index" / "whl" / "cpu" / "torch").mkdir(parents=True)
    server = LocalServer(tmp_path / "index")
    yield server
    server.close()


@pytest.fixture
def checkout(tmp_path):
    """A copy of the files that `make setup` depends on, with no .venv: the install is due."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    folder = tmp_path / "checkout"
    folder.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, folder / name)
    return folder


def dry_setup(folder: Path, index_url: str, env: dict | None = None) -> list[str]:
    """The commands `make -n setup` would run (the probe itself runs: make expands the recipe)."""
    result = subprocess.run(
        ["make", "-n", "setup", f"PYTHON={sys.executable}", f"TORCH_CPU_INDEX={index_url}"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def pip_line(commands: list[str]) -> str:
    [line] = [c for c in commands if " -m pip install " in c]
    return line


linux_only = pytest.mark.skipif(platform.system() != "Linux", reason="the probe runs on Linux only")


@linux_only
def test_setup_uses_the_cpu_index_when_it_answers(checkout, index):
    url = index.url + CPU_PATH
    commands = dry_setup(checkout, url)
    assert f"--extra-index-url {url} -c constraints.txt" in pip_line(commands)
    assert index.requests == ["/whl/cpu/torch/"]
    [note] = [c for c in commands if c.startswith("echo ")]
    assert "torch 2.13.0: the CPU-only build from " + url in note


@linux_only
@pytest.mark.parametrize("answer", ["no torch there", "nothing listening"])
def test_setup_installs_as_before_when_the_index_does_not_answer(answer, checkout, tmp_path):
    if answer == "no torch there":
        (tmp_path / "empty").mkdir()
        server = LocalServer(tmp_path / "empty")
        url = server.url + CPU_PATH
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{probe.getsockname()[1]}/whl/cpu"
    try:
        commands = dry_setup(checkout, url)
    finally:
        if answer == "no torch there":
            server.close()
            assert server.requests == ["/whl/cpu/torch/"]
    assert "--extra-index-url" not in pip_line(commands)
    assert '-c constraints.txt -e ".[course,test]"' in pip_line(commands)
    [note] = [c for c in commands if c.startswith("echo ")]
    assert "CUDA build" in note and f"{url} did not serve torch" in note


@linux_only
def test_no_probe_when_setup_is_done(checkout, index):
    stamp = checkout / ".venv" / ".installed-stamp"
    stamp.parent.mkdir()
    stamp.touch()
    commands = dry_setup(checkout, index.url + CPU_PATH)
    assert not any("pip install" in c for c in commands), commands
    assert index.requests == [], "the probe ran although nothing is installed"


def test_macos_and_windows_keep_pypi(checkout, index, tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "uname").write_text("#!/bin/sh\necho Darwin\n")
    (fake / "uname").chmod(0o755)
    commands = dry_setup(
        checkout,
        index.url + CPU_PATH,
        env={**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"},
    )
    assert "--extra-index-url" not in pip_line(commands)
    assert not any(c.startswith("echo ") for c in commands)
    assert index.requests == []
