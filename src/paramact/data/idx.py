"""The IDX format of the MNIST files (encode, decode, read) and the SHA-256 digests that identify them."""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from paramact.data.errors import CorruptFileError

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

    >>> import tempfile
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
