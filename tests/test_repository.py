"""Repository-wide consistency: one repository URL, Binder's environment, ignored generated state."""

import re
import subprocess
from pathlib import Path

import tomllib
import yaml

from paramact.course.pipeline import master_notebooks

ROOT = Path(__file__).resolve().parents[1]


def config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower()


def test_colab_cells_and_readme_use_the_repository_url_of_config():
    url = config()["repository"]["url"]
    for master in master_notebooks(ROOT):
        urls = set(re.findall(r"git\+(https://[\w./-]+)", master.read_text()))
        assert urls == {url}, (
            f"{master.name}: the Colab install cell must install from {url}, found {urls}"
        )
    readme = (ROOT / "README.md").read_text()
    linked = set(re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", readme))
    assert linked == {url}, f"README links {linked}, _config.yml says {url}"


def test_torch_is_pinned_only_in_the_constraints():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    torch = [dep for dep in project["dependencies"] if requirement_name(dep) == "torch"]
    assert torch and "==" not in torch[0], (
        "pyproject.toml must not pin torch (Colab keeps its CUDA build)"
    )
    pins = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.startswith("torch==")
    ]
    assert pins == ["torch==2.13.0"]


def test_generated_state_is_ignored():
    for path in (
        "gradebook.db",
        "submitted/x",
        "autograded/x",
        "feedback/x",
        "_build/x",
        ".venv/x",
    ):
        result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert result.returncode == 0, f"{path} is not git-ignored"


def test_toc_lists_every_chapter():
    toc = (ROOT / "_toc.yml").read_text()
    for master in master_notebooks(ROOT):
        assert f"chapters/{master.parent.name}/{master.stem}" in toc, (
            f"{master.parent.name} is not in _toc.yml"
        )
