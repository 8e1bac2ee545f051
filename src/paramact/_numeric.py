"""Private numeric helpers shared by :mod:`paramact.activations`, :mod:`paramact.parametric` and
:mod:`paramact.losses`: dtype conversion, the channel shape rule, the underflow policy and a
stable sigmoid pair. Not part of the public API.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike


def _as_floats(*values: ArrayLike) -> list[np.ndarray]:
    """Convert values to ndarrays of one common floating dtype.

    Python ints and floats stay "weak" so they do not promote a float32 array to float64;
    integer and boolean arrays become float64.
    """
    first = values[0]
    if type(first) is np.ndarray and first.dtype.kind == "f":
        same = [v for v in values if type(v) is np.ndarray and v.dtype == first.dtype]
        if len(same) == len(values):
            return same  # the common case, already floats of one dtype: nothing to convert
    weak = [
        v if isinstance(v, (int, float)) and not isinstance(v, bool) else np.asarray(v)
        for v in values
    ]
    dtype = np.result_type(*weak, 0.0)  # the weak 0.0 forces a floating result
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"expected real numbers, got dtype {dtype}")
    return [np.asarray(v, dtype=dtype) for v in weak]


def _as_float(x: ArrayLike) -> np.ndarray:
    return _as_floats(x)[0]


def _along_channels(y: np.ndarray, *params: np.ndarray) -> tuple[np.ndarray, ...]:
    """View each ``(C,)`` parameter so that it broadcasts along axis 1 of ``y`` (the shape rule).

    Only 1-D parameters of an input with more than two dims change: ``(C,)`` becomes
    ``(C, 1, ..., 1)``. For ``(N, C)`` and ``(C,)`` inputs NumPy's broadcasting already is the rule.
    """
    if y.ndim <= 2:
        return params
    trailing = (1,) * (y.ndim - 2)
    return tuple(p.reshape(p.shape + trailing) if p.ndim == 1 else p for p in params)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _underflow_to_zero(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``function`` with NumPy's underflow check off.

    Results too small for the dtype become 0 (or subnormal), which is the correctly rounded
    answer; overflow, invalid operations and division by zero still raise under
    ``np.errstate(all="raise")``.
    """

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with np.errstate(under="ignore"):
            return function(*args, **kwargs)

    return wrapper


def _full(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``x``, or a copy broadcast to ``shape`` when a larger ``a`` gave the output a larger shape."""
    return x if x.shape == shape else np.broadcast_to(x, shape).copy()


def _sigmoid_pair(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sigmoid(u), sigmoid(-u))`` without overflow and without cancellation.

    ``exp`` only sees ``-|u| <= 0``. Computing ``sigmoid(-u)`` directly, instead of as
    ``1 - sigmoid(u)``, keeps full relative precision in the tails, which matters for
    ``s (1 - s)``.
    """
    e = np.exp(-np.abs(u))  # in (0, 1]
    denominator = 1 + e
    big = 1 / denominator  # sigmoid(|u|)
    small = e / denominator  # sigmoid(-|u|)
    positive = u >= 0
    return np.where(positive, big, small), np.where(positive, small, big)
