r"""Gradient checking: compare hand-derived gradients with finite differences.

The workflow of the course: derive a gradient by hand, implement it, then check it here. A
relative error around ``1e-7`` or below means the derivation is right; ``1e-2`` or above means
it is wrong (as the paper's eq. (14) is for ``a != 1``).

Examples:
    >>> from paramact.mlp import MLP
    >>> net = MLP([2, 3, 1], hidden="parametric_sigmoid", seed=0)
    >>> X, y = np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([[1.0], [0.0]])
    >>> loss, grads = net.loss(X, y)
    >>> check_gradients(lambda params: net.loss(X, y)[0], net.params, grads).ok
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import SupportsFloat

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "numerical_gradient",
    "relative_error",
    "check_gradients",
    "ParameterCheck",
    "GradientCheckReport",
]

_TINY = np.finfo(np.float64).tiny


def numerical_gradient(
    f: Callable[[np.ndarray], SupportsFloat], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    r"""Gradient of the scalar function ``f`` at ``x`` by centred differences.

    .. math::
        \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    The error is :math:`O(h^2)` (one-sided differences would give :math:`O(h)`).

    Args:
        f: called as ``f(x)``; returns a scalar. It may ignore its argument and read ``x``
            through a closure (e.g. ``lambda _: net.loss(X, y)[0]`` with ``x = net.params["W1"]``),
            because ``x`` is perturbed *in place*.
        x: a float64 ndarray. Each entry is nudged in place and restored afterwards, even if
            ``f`` raises.
        h: step size.

    Returns:
        An array of the shape of ``x``.

    Examples:
        >>> x = np.array([1.0, -2.0])
        >>> numerical_gradient(lambda v: np.sum(v ** 3), x).round(6)
        array([ 3., 12.])
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            "numerical_gradient needs a float64 ndarray to perturb in place, got "
            f"{type(x).__name__} of dtype {getattr(x, 'dtype', None)}; "
            "convert it with np.asarray(x, dtype=np.float64)"
        )
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = float(f(x))
            x[index] = original - h
            f_minus = float(f(x))
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def _elementwise_relative_error(x: ArrayLike, y: ArrayLike, floor: float) -> np.ndarray:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.abs(x - y) / np.maximum(np.abs(x) + np.abs(y), floor)


def relative_error(x: ArrayLike, y: ArrayLike, floor: float = _TINY) -> float:
    r"""Largest elementwise relative error between ``x`` and ``y``.

    .. math::
        \max_i \frac{|x_i - y_i|}{\max(|x_i| + |y_i|,\ \text{floor})}

    The floor (default: the smallest normal float64) only stops ``0 / 0`` when both are 0;
    raise it (e.g. to ``1e-8``) to forgive tiny absolute differences between tiny gradients.

    Examples:
        >>> round(relative_error(np.array([1.0, 0.0]), np.array([1.1, 0.0])), 4)
        0.0476
    """
    if np.shape(x) != np.shape(y):
        raise ValueError(f"shapes differ: {np.shape(x)} vs {np.shape(y)}")
    return float(np.max(_elementwise_relative_error(x, y, floor), initial=0.0))


@dataclass(frozen=True)
class ParameterCheck:
    """The result for one parameter: its worst element and whether it passed.

    Attributes:
        name: the parameter's key.
        error: its largest elementwise relative error.
        index: where that largest error is.
        analytic, numerical: the two gradients at ``index``.
        ok: ``error <= tol``.

    Examples:
        >>> report = check_gradients(lambda p: np.sum(p["w"] ** 2), {"w": np.array([1.0, 2.0])},
        ...                          {"w": np.array([2.0, 5.0])})
        >>> check = report["w"]
        >>> check.name, check.index, round(check.error, 3), check.ok
        ('w', (1,), 0.111, False)
    """

    name: str
    error: float
    index: tuple[int, ...]
    analytic: float
    numerical: float
    ok: bool


@dataclass(frozen=True, repr=False)
class GradientCheckReport:
    """What :func:`check_gradients` found; ``print`` it for a table, test ``.ok`` for pass/fail.

    ``report[name]`` gives the :class:`ParameterCheck` of one parameter.

    Examples:
        >>> params = {"w": np.array([1.0, 2.0]), "v": np.array([0.0])}
        >>> loss = lambda p: np.sum(p["w"] ** 2) + np.sum(p["v"] ** 2)
        >>> print(check_gradients(loss, params, {"w": np.array([2.0, 5.0]), "v": np.array([0.0])}))
        gradient check (tol 1e-06): WRONG: w
          param    rel. error  worst at        analytic     numerical
          w          1.11e-01  (1,)        5.000000e+00  4.000000e+00  WRONG
          v          0.00e+00  (0,)        0.000000e+00  0.000000e+00  ok
    """

    checks: tuple[ParameterCheck, ...]
    tol: float

    @property
    def ok(self) -> bool:
        """True if every parameter's relative error is at most ``tol``."""
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[str]:
        """Names of the parameters whose gradient is off."""
        return [check.name for check in self.checks if not check.ok]

    def __getitem__(self, name: str) -> ParameterCheck:
        return next(check for check in self.checks if check.name == name)

    def __str__(self) -> str:
        verdict = "all OK" if self.ok else "WRONG: " + ", ".join(self.failed)
        lines = [
            f"gradient check (tol {self.tol:.0e}): {verdict}",
            f"  {'param':<8}{'rel. error':>11}  {'worst at':<10}{'analytic':>14}{'numerical':>14}",
        ]
        for c in self.checks:
            lines.append(
                f"  {c.name:<8}{c.error:>11.2e}  {str(c.index):<10}{c.analytic:>14.6e}"
                f"{c.numerical:>14.6e}  {'ok' if c.ok else 'WRONG'}"
            )
        return "\n".join(lines)

    __repr__ = __str__


def check_gradients(
    f: Callable[[dict[str, np.ndarray]], SupportsFloat],
    params: dict[str, np.ndarray],
    analytic: Mapping[str, ArrayLike],
    tol: float = 1e-6,
    h: float = 1e-5,
    floor: float = _TINY,
) -> GradientCheckReport:
    r"""Compare analytic gradients with :func:`numerical_gradient`, parameter by parameter.

    Args:
        f: called as ``f(params)``; returns the scalar loss (it may ignore its argument).
        params: dict ``name -> float64 ndarray``; perturbed in place and restored.
        analytic: dict ``name -> gradient`` for the parameters to check (a subset is fine).
        tol: largest acceptable relative error (see :func:`relative_error`).
        h: finite-difference step.
        floor: denominator floor of the relative error. Finite differences carry an absolute
            error of about ``1e-10`` (for a loss of order 1), so gradient entries below about
            ``1e-4`` can exceed ``tol = 1e-6`` by noise alone; ``floor=1e-3`` forgives them.

    Returns:
        A :class:`GradientCheckReport`: ``.ok``, ``.failed`` (names), ``report[name]``
        (a :class:`ParameterCheck` with the worst index and both values there), and a
        readable table when printed.

    Examples:
        >>> params = {"w": np.array([1.0, 2.0])}
        >>> loss = lambda p: np.sum(p["w"] ** 2)
        >>> report = check_gradients(loss, params, {"w": np.array([2.0, 5.0])})
        >>> report.ok, report.failed, report["w"].index
        (False, ['w'], (1,))
    """
    checks: list[ParameterCheck] = []
    for name, grad in analytic.items():
        if name not in params:
            raise KeyError(
                f"analytic has a gradient for {name!r}, but params has no such key "
                f"(params: {sorted(params)})"
            )
        grad = np.asarray(grad)
        if grad.shape != np.shape(params[name]):
            raise ValueError(
                f"gradient for {name!r} has shape {grad.shape}, but the parameter "
                f"has shape {np.shape(params[name])}"
            )
        if grad.size == 0:
            continue  # an empty parameter has nothing to compare
        numerical = numerical_gradient(lambda _: f(params), params[name], h)
        errors = _elementwise_relative_error(grad, numerical, floor)
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(errors), errors.shape))
        error = float(errors[worst])
        checks.append(
            ParameterCheck(
                name, error, worst, float(grad[worst]), float(numerical[worst]), error <= tol
            )
        )
    return GradientCheckReport(tuple(checks), tol)
