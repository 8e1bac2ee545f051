r"""The parametric activations of Kong & Ko (2021) and their derivatives, in NumPy.

:func:`parametric_sigmoid` (eq. 10) and :func:`parametric_relu` (eq. 11), each with a scale ``a``
and a location ``b``, and their partial derivatives (eqs. 12-14, with the correction to eq. (14):
see :func:`parametric_sigmoid_grads`). All of them are re-exported by
:mod:`paramact.activations` and follow its conventions (dtypes, kinks, floating-point errors).

**The shape rule** (the same in :mod:`paramact.functional`, as in ``torch.nn.PReLU``): a scale
``a`` or location ``b`` of shape ``(C,)`` belongs to the channel axis, axis 1 of an input with two
or more dims (``(N, C)``, ``(N, C, H, W)``, ...) and axis 0 of a 1-D input ``(C,)``. Scalars, and
parameters with as many dims as the input (e.g. ``(T, C)`` against ``(N, T, C)`` for a batch of
``T`` networks), broadcast as NumPy does.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from paramact._numeric import _along_channels, _as_floats, _full, _sigmoid_pair, _underflow_to_zero

__all__ = [
    "parametric_sigmoid",
    "parametric_sigmoid_grads",
    "parametric_sigmoid_and_grads",
    "parametric_relu",
    "parametric_relu_grads",
]


def _sigmoid_and_slope(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(sigmoid(u), sigmoid(u) sigmoid(-u))``: the numbers of ``_numeric._sigmoid_pair``, faster.

    With ``e = exp(-|u|)``, ``sigmoid(|u|) = 1 / (1 + e)`` and ``sigmoid(-|u|) = e / (1 + e)``:
    ``exp`` never sees a positive argument and neither value cancels. Their product is the slope
    whatever the sign of ``u``, and ``sigmoid(u)`` is ``max(e, [u >= 0]) / (1 + e)`` (the
    numerator is 1 for ``u >= 0``, where ``e <= 1``, and ``e`` otherwise): the same divisions as
    selecting with ``np.where``, without its branch per element, which mispredicts on mixed signs
    and took half the time of a 200 x 200 sigmoid.
    """
    e = np.exp(-np.abs(u))
    denominator = 1 + e
    slope = e / denominator
    slope *= 1 / denominator
    s = np.maximum(e, u >= 0)
    s /= denominator
    return s, slope


@_underflow_to_zero
def parametric_sigmoid(y: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    r"""Parametric sigmoid with scale ``a`` and location ``b``, eq. (10) of the paper.

    .. math::
        z = \frac{a}{1 + e^{-(y - b)}} = a\,\sigma(y - b)

    ``a = 1, b = 0`` gives the ordinary sigmoid. ``a`` stretches the range to ``(0, a)`` (and
    the maximum slope to ``a / 4``); ``b`` moves the midpoint to ``y = b``.

    Args:
        y: pre-activations, shape ``(N, C)``, ``(N, C, *)`` or ``(C,)``.
        a: scales, shape ``(C,)`` (one per channel, along axis 1 of ``y``; see the shape rule in
            the module docstring), a scalar, or an array of ``y``'s dims that broadcasts against it.
        b: locations, shaped like ``a``.

    Shape:
        - Output: the shape of ``y`` (the broadcast shape, when ``a`` or ``b`` is larger).

    Examples:
        >>> y = np.array([[0.0, 2.0]])
        >>> parametric_sigmoid(y, a=np.array([4.0, 1.0]), b=np.array([0.0, 2.0]))
        array([[2. , 0.5]])
        >>> parametric_sigmoid(np.zeros((1, 2, 3, 3)), np.array([1.0, 4.0]), np.zeros(2))[0, :, 0, 0]
        array([0.5, 2. ])
    """
    y, a, b = _as_floats(y, a, b)
    a, b = _along_channels(y, a, b)
    return a * _sigmoid_pair(y - b)[0]


@_underflow_to_zero
def parametric_sigmoid_grads(
    y: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Partial derivatives of :func:`parametric_sigmoid`, eqs. (12)-(14) of the paper, corrected.

    With :math:`s = \sigma(y - b)` and :math:`z = a s`:

    .. math::
        \frac{\partial z}{\partial y} = a\,s(1 - s) = z\left(1 - \frac{z}{a}\right) \quad (12)

        \frac{\partial z}{\partial a} = s \quad (13)

        \frac{\partial z}{\partial b} = -a\,s(1 - s) = \frac{z(z - a)}{a} \quad (14)

    The paper prints :math:`\partial z / \partial b = z(z - 1)/a` in eq. (14) (and repeats it
    in eqs. (16), (18) and the algorithm); that is only right for ``a = 1``.

    The forms with ``s`` are used here: they need no division by ``a`` (so ``a`` may be 0 or
    negative), and ``s(1 - s)`` is computed as ``sigma(u) sigma(-u)`` to keep precision for
    large ``|y - b|``.

    Args:
        y, a, b: as in :func:`parametric_sigmoid`.

    Returns:
        ``(dz_dy, dz_da, dz_db)``: elementwise derivatives (nothing is summed), each of the
        shape of the output (``y``'s shape, or the broadcast shape when ``a`` or ``b`` is larger).

    Examples:
        >>> dz_dy, dz_da, dz_db = parametric_sigmoid_grads(np.array([0.0]), a=2.0, b=0.0)
        >>> print(dz_dy, dz_da, dz_db)
        [0.5] [0.5] [-0.5]
    """
    _, s, dz_dy = _parametric_sigmoid_parts(y, a, b)
    return dz_dy, s, -dz_dy


def _parametric_sigmoid_parts(
    y: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(a, s, dz/dy)``, broadcast to the output's shape, with ``s = sigmoid(y - b)``."""
    y, a, b = _as_floats(y, a, b)
    a, b = _along_channels(y, a, b)
    s, slope = _sigmoid_and_slope(y - b)
    dz_dy = a * slope
    return a, _full(s, dz_dy.shape), dz_dy


@_underflow_to_zero
def parametric_sigmoid_and_grads(
    y: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    r""":func:`parametric_sigmoid` and :func:`parametric_sigmoid_grads` at once, eqs. (10), (12)-(14).

    One evaluation of :math:`s = \sigma(y - b)` gives both :math:`z = a s` and the three
    derivatives: what a layer's forward pass keeps for its backward pass. The numbers are those
    of the two functions called separately.

    Returns:
        ``(z, (dz_dy, dz_da, dz_db))``, each of the shape of the output.

    Examples:
        >>> z, (dz_dy, dz_da, dz_db) = parametric_sigmoid_and_grads(np.array([0.0]), a=2.0, b=0.0)
        >>> print(z, dz_dy, dz_da, dz_db)
        [1.] [0.5] [0.5] [-0.5]
    """
    a, s, dz_dy = _parametric_sigmoid_parts(y, a, b)
    return a * s, (dz_dy, s, -dz_dy)


@_underflow_to_zero
def _parametric_sigmoid_layer(
    y: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(z, dz/dy, dz/da)`` of :func:`parametric_sigmoid_and_grads`, for a layer's forward pass."""
    a, s, dz_dy = _parametric_sigmoid_parts(y, a, b)
    return a * s, dz_dy, s


@_underflow_to_zero
def _parametric_relu_layer(
    y: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(z, dz/dy, dz/da)`` of :func:`parametric_relu` and :func:`parametric_relu_grads`.

    Products with the mask ``[y - b >= 0]`` (1 or 0) instead of ``np.where``, whose branch per
    element mispredicts on mixed signs: the same numbers, up to the sign of a zero (``z`` gets
    no ``-0``: adding 0.0 turns it into ``0``).
    """
    y, a, b = _as_floats(y, a, b)
    a, b = _along_channels(y, a, b)
    shifted = y - b
    active = (shifted >= 0).astype(shifted.dtype)  # right-hand derivative at the kink
    dz_da = shifted * active
    dz_dy = a * active
    z = a * dz_da
    z += 0.0
    return z, dz_dy, _full(dz_da, dz_dy.shape)


@_underflow_to_zero
def parametric_relu(y: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    r"""Parametric ReLU with scale ``a`` and location ``b``, eq. (11) of the paper.

    .. math::
        z = \begin{cases} a\,(y - b), & y \ge b \\ 0, & y < b \end{cases}

    ``a = 1, b = 0`` gives the ordinary ReLU. (Not to be confused with He et al.'s PReLU,
    which learns the negative-side slope.)

    Args:
        y, a, b: as in :func:`parametric_sigmoid`: ``a`` and ``b`` of shape ``(C,)`` belong to
            axis 1 of ``y`` (axis 0 of a 1-D ``y``).

    Shape:
        - Output: the shape of ``y`` (the broadcast shape, when ``a`` or ``b`` is larger).

    Examples:
        >>> parametric_relu(np.array([[-1.0, 3.0]]), a=np.array([2.0, 2.0]), b=np.array([0.0, 1.0]))
        array([[0., 4.]])
    """
    y, a, b = _as_floats(y, a, b)
    a, b = _along_channels(y, a, b)
    shifted = y - b
    return np.where(shifted >= 0, a * shifted, 0)


@_underflow_to_zero
def parametric_relu_grads(
    y: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Partial derivatives of :func:`parametric_relu`.

    .. math::
        \left(\frac{\partial z}{\partial y}, \frac{\partial z}{\partial a},
        \frac{\partial z}{\partial b}\right) =
        \begin{cases} (a,\; y - b,\; -a), & y \ge b \\ (0,\; 0,\; 0), & y < b \end{cases}

    ``z`` has a kink at ``y = b``; there the right-hand derivative is returned
    (``y >= b`` is the active side): ``(a, 0, -a)``.

    Returns:
        ``(dz_dy, dz_da, dz_db)``: elementwise, each of the shape of the output.

    Examples:
        >>> dz_dy, dz_da, dz_db = parametric_relu_grads(np.array([-1.0, 1.0, 3.0]), a=2.0, b=1.0)
        >>> print(dz_dy, dz_da, dz_db)
        [0. 2. 2.] [0. 0. 2.] [ 0. -2. -2.]
    """
    y, a, b = _as_floats(y, a, b)
    a, b = _along_channels(y, a, b)
    shifted = y - b
    active = shifted >= 0
    dz_dy = np.where(active, a, 0)
    return dz_dy, _full(np.where(active, shifted, 0), dz_dy.shape), np.where(active, -a, 0)
