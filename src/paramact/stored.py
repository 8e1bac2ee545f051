"""The stored experiment results that chapters read, as verified local files wherever a notebook runs.

Chapters 8 and 9 read the results that the repository stores under ``results/`` (``results/xor/*.json``,
``results/mnist/*.json``). A clone (``make setup``, Binder) has them; Colab and any other install from a
wheel have only the package. :func:`stored_result` gives the same verified file in every case:

1. **The course repository**: the first folder holding ``_toc.yml`` and ``results/``, walking up from the
   current folder and then from this package's own folder. Its file is used when its SHA-256 is the one
   recorded in the package's manifest ``stored_results.json`` (CRLF line ends read as LF, as git stores
   the file, so a Windows checkout matches); a file that differs is an error
   (:class:`StaleManifest`), never used silently: results were changed without regenerating the manifest.
2. **A download** of ``<raw base>/results/<relative path>`` with pooch, into ``$PARAMACT_RESULTS_DIR`` or
   the user cache (``pooch.os_cache("paramact") / "results"``, e.g. ``~/.cache/paramact/results``), kept
   only if its SHA-256 matches the manifest's; a cached copy that matches is not downloaded again. The raw
   base is the repository's raw-file address, recorded in the manifest from ``_config.yml``
   (``repository.url`` and ``repository.branch``); ``$PARAMACT_RESULTS_URL`` overrides it.
3. Else :class:`StoredResultUnavailable`, naming the file, what was tried and what to do.

The manifest lists every ``results/**/*.json`` except ``results/bench/`` (timings that ``make bench``
rewrites on each machine; no chapter reads them). After changing results, regenerate it in the
repository with ``paramact results --write``; ``paramact results --check`` exits 1 and
lists the differences when it is out of date (a test runs the same check).

>>> path = stored_result("xor/seeds10.json")
>>> path.name
'seeds10.json'
>>> import json
>>> len(json.loads(path.read_text())["seeds"])
10
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST_PATH = Path(__file__).with_name("stored_results.json")
# Where the package's own files are; the repository is looked for above it too (an editable install).
PACKAGE_DIR = Path(__file__).resolve().parent
RESULTS_URL_ENV = "PARAMACT_RESULTS_URL"
RESULTS_DIR_ENV = "PARAMACT_RESULTS_DIR"
# Folders of results/ left out of the manifest: make bench rewrites its timings on every machine.
EXCLUDED_FOLDERS = ("bench",)
REGENERATE = "paramact results --write"


class StoredResultUnavailable(RuntimeError):
    """The stored result is neither in a course repository here nor downloadable and verified."""


class StaleManifest(RuntimeError):
    """A repository's results file does not match the manifest: the manifest must be regenerated."""


class UnknownStoredResult(KeyError):
    """The manifest has no such stored result."""

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0]) if self.args else ""


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    """The manifest: ``{"raw_base": URL, "files": {relative path: {"sha256": hex, "size": bytes}}}``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def find_repository() -> Path | None:
    """The course repository (a folder holding ``_toc.yml`` and ``results/``) above the current folder or
    above this package, or None."""
    for start in (Path.cwd(), PACKAGE_DIR):
        for folder in (start, *start.parents):
            if (folder / "_toc.yml").is_file() and (folder / "results").is_dir():
                return folder
    return None


def results_cache() -> Path:
    """Where downloaded results are kept: ``$PARAMACT_RESULTS_DIR`` or ``<user cache>/paramact/results``."""
    override = os.environ.get(RESULTS_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import pooch

    return Path(pooch.os_cache("paramact")) / "results"


def _as_git_stores(path: Path) -> bytes:
    """A results file's bytes as git stores them: CRLF line ends (a Windows checkout with ``core.autocrlf``)
    read as LF, so such a checkout matches the manifest and the file that GitHub serves."""
    return Path(path).read_bytes().replace(b"\r\n", b"\n")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(_as_git_stores(path)).hexdigest()


def stored_result(relative_path: str) -> Path:
    """A verified local copy of ``results/<relative_path>``, e.g. ``stored_result("mnist/mnist_softmax.json")``.

    Raises :class:`UnknownStoredResult` (a KeyError) for a path the manifest does not list,
    :class:`StaleManifest` when the repository's file differs from the manifest, and
    :class:`StoredResultUnavailable` when there is no repository and the download fails or does not
    verify.
    """
    manifest = load_manifest()
    key = PurePosixPath(relative_path.replace("\\", "/")).as_posix()
    entry = manifest["files"].get(key)
    if entry is None:
        known = ", ".join(sorted(manifest["files"]))
        raise UnknownStoredResult(
            f"no stored result {relative_path!r}; the known ones are: {known}"
        )
    root = find_repository()
    if root is not None:
        return _from_repository(root, key, entry)
    return _download(key, entry, manifest["raw_base"])


def _from_repository(root: Path, key: str, entry: dict[str, Any]) -> Path:
    path = root / "results" / Path(*PurePosixPath(key).parts)
    found = sha256_of(path) if path.is_file() else None
    if found == entry["sha256"]:
        return path
    state = "is missing" if found is None else f"has SHA-256 {found}"
    raise StaleManifest(
        f"{path} {state}, but the package's manifest ({MANIFEST_PATH}) records {entry['sha256']}: the "
        f"results were changed without regenerating the manifest. In the repository ({root}), run "
        f"`{REGENERATE}` and commit {MANIFEST_PATH.name} with the results. (If this checkout and the "
        f"installed paramact come from different versions of the course, reinstall it from the checkout: "
        f"`pip install -e .`.)"
    )


def _download(key: str, entry: dict[str, Any], raw_base: str) -> Path:
    import pooch  # imported here: only a download needs pooch (and requests)

    base = os.environ.get(RESULTS_URL_ENV, "").strip() or raw_base
    url = f"{base.rstrip('/')}/results/{key}"
    target = results_cache() / Path(*PurePosixPath(key).parts)
    match = re.fullmatch(r"https://raw\.githubusercontent\.com/([\w.-]+/[\w.-]+)/.*", raw_base)
    repository = f"https://github.com/{match[1]}" if match else "the course repository"
    elsewhere = (
        f"clone {repository} and open the notebook from the clone, or serve a copy of its results/ folder "
        f"and set ${RESULTS_URL_ENV} to the address that holds it (the file is fetched from "
        f"<that address>/results/{key})."
    )
    try:
        fetched = pooch.retrieve(
            url,
            known_hash=f"sha256:{entry['sha256']}",
            fname=target.name,
            path=target.parent,
            downloader=pooch.HTTPDownloader(progressbar=False, timeout=60),
        )
    except ValueError as error:  # pooch: the SHA-256 differs (the download was discarded)
        raise StoredResultUnavailable(
            f"stored result {key!r}: the file downloaded from {url} does not have the SHA-256 that this "
            f"package records ({entry['sha256']}), so it was discarded. The published results have changed "
            f"since this package was built, or the download was altered: reinstall the course package "
            f'(`pip install --upgrade --force-reinstall "paramact @ git+{repository}"`). No course '
            f"repository was found here (a folder holding _toc.yml and results/ above {Path.cwd()} or "
            f"above {PACKAGE_DIR}). Or " + elsewhere
        ) from error
    except OSError as error:  # requests' errors are OSErrors, and so are the file system's
        reason = str(error).strip().partition("\n")[0]
        raise StoredResultUnavailable(
            f"stored result {key!r}: no course repository here (a folder holding _toc.yml and results/ "
            f"above {Path.cwd()} or above {PACKAGE_DIR}), and downloading {url} failed "
            f"({type(error).__name__}: {reason}). To read it: connect to the internet and run "
            f"again, or " + elsewhere
        ) from error
    return Path(fetched)


# ----------------------------------------------------------------------------------------------
# The manifest: generated from results/ and _config.yml in the repository
# ----------------------------------------------------------------------------------------------


def raw_base_of(root: Path) -> str:
    """The raw-file address of the repository named in ``root/_config.yml``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "_config.yml").write_text("repository:\\n  url: https://github.com/o/r\\n")
    ...     raw_base_of(Path(folder))
    'https://raw.githubusercontent.com/o/r/main'
    """
    import yaml  # the authors' tools have it (jupyter-book needs it); reading results does not

    repository = (yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}).get(
        "repository", {}
    )
    match = re.fullmatch(
        r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", str(repository.get("url", ""))
    )
    if match is None:
        raise ValueError(
            f"{root / '_config.yml'}: repository.url {repository.get('url')!r} is not a GitHub repository"
        )
    return f"https://raw.githubusercontent.com/{match[1]}/{match[2]}/{repository.get('branch') or 'main'}"


def build_manifest(root: Path) -> dict[str, Any]:
    """The manifest of the repository at ``root``: every results/**/*.json but results/bench/."""
    results = root / "results"
    files = {}
    for path in sorted(results.rglob("*.json")):
        key = path.relative_to(results).as_posix()
        if key.split("/", 1)[0] in EXCLUDED_FOLDERS or not path.is_file():
            continue
        content = _as_git_stores(path)  # read once for both the digest and the size
        files[key] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    return {
        "about": f"SHA-256 of the stored results that chapters read (paramact.stored); made by `{REGENERATE}`",
        "raw_base": raw_base_of(root),
        "files": files,
    }


def manifest_differences(root: Path, manifest: dict[str, Any]) -> list[str]:
    """What differs between ``manifest`` and the repository at ``root``, one line each; empty when in sync."""
    actual = build_manifest(root)
    lines = []
    if manifest.get("raw_base") != actual["raw_base"]:
        lines.append(
            f"raw_base: the manifest has {manifest.get('raw_base')!r}, _config.yml gives {actual['raw_base']!r}"
        )
    recorded = manifest.get("files", {})
    for key in sorted(set(recorded) | set(actual["files"])):
        if key not in actual["files"]:
            lines.append(f"results/{key}: in the manifest, not in results/")
        elif key not in recorded:
            lines.append(f"results/{key}: in results/, not in the manifest")
        elif recorded[key] != actual["files"][key]:
            lines.append(
                f"results/{key}: changed (manifest {recorded[key]}, file {actual['files'][key]})"
            )
    return lines


def write_manifest(root: Path, path: Path = MANIFEST_PATH) -> dict[str, Any]:
    manifest = build_manifest(root)
    Path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
