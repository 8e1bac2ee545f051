"""paramact.stored: the manifest is in sync with results/, the repository's files are used (and refused when
they differ), downloads are verified, and the errors say what to do. No test reaches beyond this machine:
downloads come from a local http.server, and any other connection fails the test."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
import tomllib
import yaml
from conftest import LocalServer

from paramact import cli, stored

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch):
    """Any connection or name lookup beyond the loopback fails the test."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self, address):
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            raise AssertionError(f"a test tried to reach {address}")
        return connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK:
            raise AssertionError(f"a test tried to look up {host}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.delenv(stored.RESULTS_URL_ENV, raising=False)


def copy_course(target: Path) -> Path:
    """A copy of what paramact.stored reads in a repository: _toc.yml, _config.yml and results/**/*.json."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy(ROOT / name, target / name)
    for path in (ROOT / "results").rglob("*.json"):
        destination = target / path.relative_to(ROOT)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, destination)
    return target


@pytest.fixture
def away_from_repository(tmp_path, monkeypatch):
    """As on Colab: no repository above the current folder nor above the package; an empty cache."""
    elsewhere = tmp_path / "content"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(stored, "PACKAGE_DIR", tmp_path / "site-packages" / "paramact")
    monkeypatch.setenv(stored.RESULTS_DIR_ENV, str(tmp_path / "cache"))
    assert stored.find_repository() is None
    return tmp_path / "cache"


@pytest.fixture
def published(tmp_path):
    """A local stand-in for the repository's raw files: a copy of results/ served over HTTP."""
    server = LocalServer(copy_course(tmp_path / "published"))
    yield server
    server.close()


# ----------------------------------------------------------------------------------------------
# The manifest
# ----------------------------------------------------------------------------------------------


def test_manifest_matches_results_and_config():
    differences = stored.manifest_differences(ROOT, stored.load_manifest())
    assert not differences, f"run `{stored.REGENERATE}`:\n" + "\n".join(differences)
    manifest = stored.load_manifest()
    assert {"mnist/mnist_softmax.json", "xor/seeds1000.json"} <= set(manifest["files"])
    assert not any(key.startswith("bench/") for key in manifest["files"])
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    owner_name = repository["url"].removeprefix("https://github.com/")
    assert (
        manifest["raw_base"]
        == f"https://raw.githubusercontent.com/{owner_name}/{repository['branch']}"
    )


def test_check_fails_when_a_results_file_changes(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    assert cli.main(["results", "--check", "--root", str(course)]) == 0
    (course / "results" / "bench" / "new.json").write_text("{}")  # timings: not in the manifest
    assert cli.main(["results", "--check", "--root", str(course)]) == 0
    capsys.readouterr()

    changed = course / "results" / "xor" / "seeds10.json"
    changed.write_bytes(changed.read_bytes() + b" ")
    (course / "results" / "xor" / "seeds5.json").write_text("{}")
    (course / "results" / "mnist" / "mnist_relu.json").unlink()
    assert cli.main(["results", "--check", "--root", str(course)]) == 1
    report = capsys.readouterr().err
    assert stored.REGENERATE in report
    assert "results/xor/seeds10.json: changed" in report
    assert "results/xor/seeds5.json: in results/, not in the manifest" in report
    assert "results/mnist/mnist_relu.json: in the manifest, not in results/" in report

    regenerated = tmp_path / "manifest.json"
    assert (
        cli.main(["results", "--write", "--root", str(course), "--manifest", str(regenerated)]) == 0
    )
    assert (
        cli.main(["results", "--check", "--root", str(course), "--manifest", str(regenerated)]) == 0
    )
    assert "xor/seeds5.json" in stored.load_manifest(regenerated)["files"]


def test_check_fails_when_the_repository_moves(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    config = course / "_config.yml"
    config.write_text(
        config.read_text().replace("github.com/paramact-course/", "github.com/someone-else/")
    )
    assert cli.main(["results", "--check", "--root", str(course)]) == 1
    assert "raw.githubusercontent.com/someone-else/" in capsys.readouterr().err


def test_manifest_ships_with_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert stored.MANIFEST_PATH.name in pyproject["tool"]["setuptools"]["package-data"]["paramact"]
    assert stored.MANIFEST_PATH.parent == ROOT / "src" / "paramact"


# ----------------------------------------------------------------------------------------------
# From the repository
# ----------------------------------------------------------------------------------------------


def no_download(*args, **kwargs):
    raise AssertionError("downloaded although the repository is here")


@pytest.mark.parametrize("where", ["chapter folder", "elsewhere, found from the package"])
def test_the_repository_file_is_used(where, tmp_path, monkeypatch):
    import pooch

    monkeypatch.setattr(pooch, "retrieve", no_download)
    monkeypatch.chdir(ROOT / "chapters" / "09_mnist" if where == "chapter folder" else tmp_path)
    assert (
        stored.stored_result("mnist/mnist_softmax.json")
        == ROOT / "results" / "mnist" / "mnist_softmax.json"
    )


def test_a_changed_repository_file_is_refused(tmp_path, monkeypatch):
    course = copy_course(tmp_path / "course")
    monkeypatch.chdir(course / "results")
    monkeypatch.setattr(stored, "PACKAGE_DIR", tmp_path / "site-packages" / "paramact")
    assert stored.stored_result("xor/seeds10.json") == course / "results" / "xor" / "seeds10.json"

    path = course / "results" / "xor" / "seeds10.json"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # a Windows checkout: the same file
    assert stored.stored_result("xor/seeds10.json") == path

    path.write_text(path.read_text().replace('"seeds"', '"Seeds"', 1))
    with pytest.raises(stored.StaleManifest) as caught:
        stored.stored_result("xor/seeds10.json")
    message = str(caught.value)
    assert (
        str(path) in message
        and "regenerating the manifest" in message
        and stored.REGENERATE in message
    )

    path.unlink()
    with pytest.raises(stored.StaleManifest, match="is missing"):
        stored.stored_result("xor/seeds10.json")


def test_an_unknown_result_lists_the_known_ones():
    with pytest.raises(KeyError) as caught:
        stored.stored_result("xor/seeds7.json")
    assert isinstance(caught.value, stored.UnknownStoredResult)
    assert "'xor/seeds7.json'" in str(caught.value) and "xor/seeds1000.json" in str(caught.value)


# ----------------------------------------------------------------------------------------------
# Downloaded
# ----------------------------------------------------------------------------------------------


def test_download_when_there_is_no_repository(away_from_repository, published, monkeypatch):
    monkeypatch.setenv(stored.RESULTS_URL_ENV, published.url)
    path = stored.stored_result("mnist/mnist_softmax.json")
    assert path == away_from_repository / "mnist" / "mnist_softmax.json"
    assert path.read_bytes() == (ROOT / "results" / "mnist" / "mnist_softmax.json").read_bytes()
    assert published.requests == ["/results/mnist/mnist_softmax.json"]

    assert (
        stored.stored_result("mnist/mnist_softmax.json") == path
    )  # verified in the cache: no second download
    assert published.requests == ["/results/mnist/mnist_softmax.json"]


def test_the_default_address_is_the_repositorys_raw_files(away_from_repository, monkeypatch):
    import pooch

    asked = []
    monkeypatch.setattr(
        pooch, "retrieve", lambda url, **kwargs: asked.append((url, kwargs)) or "fetched"
    )
    stored.stored_result("xor/seeds1000.json")
    [(url, kwargs)] = asked
    assert url == stored.raw_base_of(ROOT) + "/results/xor/seeds1000.json"
    assert url.startswith("https://raw.githubusercontent.com/")
    assert kwargs["known_hash"] == "sha256:" + stored.sha256_of(
        ROOT / "results" / "xor" / "seeds1000.json"
    )


def test_a_tampered_download_is_refused(away_from_repository, tmp_path, monkeypatch):
    altered = copy_course(tmp_path / "altered")
    target = altered / "results" / "xor" / "seeds1000.json"
    target.write_text(target.read_text().replace('"seeds"', '"Seeds"', 1))
    server = LocalServer(altered)
    try:
        monkeypatch.setenv(stored.RESULTS_URL_ENV, server.url)
        with pytest.raises(stored.StoredResultUnavailable) as caught:
            stored.stored_result("xor/seeds1000.json")
    finally:
        server.close()
    assert server.requests == ["/results/xor/seeds1000.json"]
    assert isinstance(caught.value.__cause__, ValueError)  # pooch's digest check
    message = str(caught.value)
    assert (
        f"{server.url}/results/xor/seeds1000.json" in message
        and "SHA-256" in message
        and "discarded" in message
    )
    assert not (away_from_repository / "xor" / "seeds1000.json").exists()


def test_no_repository_and_no_download_says_what_to_do(away_from_repository, monkeypatch):
    with socket.socket() as probe:  # a port on which nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(stored.RESULTS_URL_ENV, f"http://127.0.0.1:{port}")
    with pytest.raises(stored.StoredResultUnavailable) as caught:
        stored.stored_result("xor/seeds10.json")
    message = str(caught.value)
    assert "'xor/seeds10.json'" in message and "no course repository" in message
    assert f"http://127.0.0.1:{port}/results/xor/seeds10.json" in message
    assert "clone https://github.com/" in message and stored.RESULTS_URL_ENV in message


def test_missing_on_the_server(away_from_repository, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    server = LocalServer(empty)
    try:
        monkeypatch.setenv(stored.RESULTS_URL_ENV, server.url)
        with pytest.raises(stored.StoredResultUnavailable, match="HTTPError"):
            stored.stored_result("xor/seeds10.json")
    finally:
        server.close()


# ----------------------------------------------------------------------------------------------
# The chapters, as on Colab
# ----------------------------------------------------------------------------------------------


def _cell(chapter: str, cell_id: str) -> str:
    notebook = json.loads(next((ROOT / "solutions").glob(f"{chapter}/*.ipynb")).read_text())
    return "".join(next(c["source"] for c in notebook["cells"] if c.get("id") == cell_id))


def test_chapter_9_loads_every_stored_result_away_from_the_repository(
    away_from_repository, published, monkeypatch, capsys
):
    monkeypatch.setenv(stored.RESULTS_URL_ENV, published.url)
    from paramact.experiments import mnist as mnistexp

    namespace = {
        "json": json,
        "Path": Path,
        "np": __import__("numpy"),
        "LIVE": None,
        "mnistexp": mnistexp,
        "stored_result": stored.stored_result,
        "StoredResultUnavailable": stored.StoredResultUnavailable,
    }
    exec(_cell("09_mnist", "cell-19"), namespace)
    assert set(namespace["STORED"]) == set(namespace["STEMS"]), capsys.readouterr().out
    assert len(published.requests) == len(namespace["STEMS"])


def test_chapter_8_loads_its_stored_result_away_from_the_repository(
    away_from_repository, published, monkeypatch
):
    monkeypatch.setenv(stored.RESULTS_URL_ENV, published.url)
    source = _cell("08_xor", "cell-09")
    assert 'stored_result("xor/seeds1000.json")' in source
    assert json.loads(stored.stored_result("xor/seeds1000.json").read_text())["seeds"]
