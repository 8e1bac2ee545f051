"""The errors of :mod:`paramact.data` and the arrays it returns."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


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
