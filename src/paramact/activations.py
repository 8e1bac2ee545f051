r"""Activation functions and their derivatives, in NumPy.

Every function here is elementwise (except :func:`softmax`), keeps the input's shape and
floating dtype, and comes with a ``*_grad`` partner that returns the derivative at the input.

Conventions used throughout the library:

* **dtypes.** Floating inputs keep their dtype (float16/32/64). Integer and boolean inputs are
  cast to float64. Python scalars are "weak" (NEP 50), so ``parametric_sigmoid(y32, 1.0, 0.0)``
  stays float32, while a float64 *array* for ``a`` promotes the result to float64.
* **kinks.** Where a function has a kink (``step``, ``relu``, ``leaky_relu``, ``elu`` with
  ``alpha != 1``, ``parametric_relu``) the derivative returned *at* the kink is the right-hand
  one: ``x >= 0`` (or ``y >= b``) counts as the active side.
* **floating-point errors.** Nothing overflows or divides by zero for finite inputs with
  ``|x| <= 1e4`` (and ``|a|, |b| <= 1e4`` for the parametric functions), so the code runs
  under ``np.errstate(all="raise")``. Results that underflow are rounded to zero (or to a
  subnormal) on purpose: that *is* the correctly rounded answer, so every function here
  silences the underflow check (and only that one) while it runs.

* **the shape rule of the parametric functions** (the same in :mod:`paramact.functional`, as in
  ``torch.nn.PReLU``): a scale ``a`` or location ``b`` of shape ``(C,)`` belongs to the channel
  axis, axis 1 of an input with two or more dims (``(N, C)``, ``(N, C, H, W)``, ...) and axis 0
  of a 1-D input ``(C,)``. Scalars, and parameters with as many dims as the input (e.g. ``(T, C)``
  against ``(N, T, C)`` for a batch of ``T`` networks), broadcast as NumPy does.

The parametric functions are the paper's (Kong & Ko 2021) eqs. (10)-(14), with the correction
to eq. (14) (see :func:`parametric_sigmoid_grads`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "step",
    "step_grad",
    "sigmoid",
    "sigmoid_grad",
    "sigmoid_and_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "softplus",
    "softplus_grad",
    "swish",
    "swish_grad",
    "identity",
    "identity_grad",
    "softmax",
    "parametric_sigmoid",
    "parametric_sigmoid_grads",
    "parametric_sigmoid_and_grads",
    "parametric_relu",
    "parametric_relu_grads",
    "ACTIVATIONS",
]


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


# --- classic activations --------------------------------------------------------------------


@_underflow_to_zero
def step(x: ArrayLike) -> np.ndarray:
    r"""Heaviside step function, the perceptron's activation.

    .. math::
        \text{step}(x) = \begin{cases} 1, & x \ge 0 \\ 0, & x < 0 \end{cases}

    Shape:
        - Input: any shape. Output: same shape and floating dtype.

    Examples:
        >>> step(np.array([-2.0, 0.0, 3.0]))
        array([0., 1., 1.])
    """
    x = _as_float(x)
    return (x >= 0).astype(x.dtype)


@_underflow_to_zero
def step_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`step`: zero everywhere.

    .. math::
        \frac{d}{dx}\,\text{step}(x) = 0 \quad (x \ne 0)

    At ``x = 0`` the true derivative does not exist (it is a Dirac delta); 0 is returned there
    too. A zero gradient is exactly why the step function cannot be trained by gradient descent.

    Examples:
        >>> step_grad(np.array([-2.0, 0.0, 3.0]))
        array([0., 0., 0.])
    """
    return np.zeros_like(_as_float(x))


@_underflow_to_zero
def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""Logistic sigmoid, eq. (2) of the paper.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}}

    Evaluated so that ``exp`` never sees a positive argument: no overflow for any finite ``x``.

    Shape:
        - Input: any shape. Output: same shape and floating dtype, values in [0, 1].

    Examples:
        >>> sigmoid(np.array([-1e4, 0.0, 1e4]))
        array([0. , 0.5, 1. ])
    """
    x = _as_float(x)
    return _sigmoid_pair(x)[0]


@_underflow_to_zero
def sigmoid_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`sigmoid`.

    .. math::
        \sigma'(x) = \sigma(x)\,(1 - \sigma(x)) = \sigma(x)\,\sigma(-x)

    Its maximum is 0.25 (at ``x = 0``): the root of the vanishing gradient in deep sigmoid nets.

    Examples:
        >>> sigmoid_grad(np.array([0.0, 1e4]))
        array([0.25, 0.  ])
    """
    x = _as_float(x)
    s, s_neg = _sigmoid_pair(x)
    return s * s_neg


@_underflow_to_zero
def sigmoid_and_grad(x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r""":func:`sigmoid` and :func:`sigmoid_grad` at once, from one evaluation of the sigmoid.

    .. math::
        \big(\sigma(x),\ \sigma(x)\,\sigma(-x)\big)

    What a layer's forward pass keeps for its backward pass; the same numbers as the two
    functions give separately.

    Examples:
        >>> sigmoid_and_grad(np.array([0.0, 1e4]))
        (array([0.5, 1. ]), array([0.25, 0.  ]))
    """
    x = _as_float(x)
    s, s_neg = _sigmoid_pair(x)
    return s, s * s_neg


@_underflow_to_zero
def tanh(x: ArrayLike) -> np.ndarray:
    r"""Hyperbolic tangent, eq. (3) of the paper.

    .. math::
        \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}

    Zero-centred, values in [-1, 1].

    Examples:
        >>> tanh(np.array([-1e4, 0.0, 1e4]))
        array([-1.,  0.,  1.])
    """
    return np.tanh(_as_float(x))


@_underflow_to_zero
def tanh_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`tanh`.

    .. math::
        \tanh'(x) = 1 - \tanh^2(x)

    Examples:
        >>> tanh_grad(np.array([0.0, 1e4]))
        array([1., 0.])
    """
    t = np.tanh(_as_float(x))
    return 1 - t * t


@_underflow_to_zero
def relu(x: ArrayLike) -> np.ndarray:
    r"""Rectified linear unit, eq. (1) of the paper.

    .. math::
        \text{ReLU}(x) = \max(x, 0)

    Examples:
        >>> relu(np.array([-2.0, 0.0, 3.0]))
        array([0., 0., 3.])
    """
    x = _as_float(x)
    return np.maximum(x, 0)


@_underflow_to_zero
def relu_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`relu`, right-hand derivative (1) at the kink ``x = 0``.

    .. math::
        \text{ReLU}'(x) = \begin{cases} 1, & x \ge 0 \\ 0, & x < 0 \end{cases}

    Examples:
        >>> relu_grad(np.array([-2.0, 0.0, 3.0]))
        array([0., 1., 1.])
    """
    x = _as_float(x)
    return (x >= 0).astype(x.dtype)


@_underflow_to_zero
def leaky_relu(x: ArrayLike, slope: float = 0.01) -> np.ndarray:
    r"""Leaky ReLU: a small slope instead of zero on the negative side (fights dying ReLUs).

    .. math::
        \text{LeakyReLU}(x) =
        \begin{cases} x, & x \ge 0 \\ \text{slope} \cdot x, & x < 0 \end{cases}

    Examples:
        >>> leaky_relu(np.array([-2.0, 3.0]), slope=0.1)
        array([-0.2,  3. ])
    """
    x = _as_float(x)
    return np.where(x >= 0, x, slope * x)


@_underflow_to_zero
def leaky_relu_grad(x: ArrayLike, slope: float = 0.01) -> np.ndarray:
    r"""Derivative of :func:`leaky_relu`, right-hand derivative (1) at ``x = 0``.

    .. math::
        \text{LeakyReLU}'(x) = \begin{cases} 1, & x \ge 0 \\ \text{slope}, & x < 0 \end{cases}

    Examples:
        >>> leaky_relu_grad(np.array([-2.0, 0.0]), slope=0.1)
        array([0.1, 1. ])
    """
    x = _as_float(x)
    return np.where(x >= 0, 1, slope).astype(x.dtype)


@_underflow_to_zero
def elu(x: ArrayLike, alpha: float = 1.0) -> np.ndarray:
    r"""Exponential linear unit.

    .. math::
        \text{ELU}(x) = \begin{cases} x, & x \ge 0 \\ \alpha\,(e^{x} - 1), & x < 0 \end{cases}

    Examples:
        >>> elu(np.array([-1e4, 0.0, 2.0]))
        array([-1.,  0.,  2.])
    """
    x = _as_float(x)
    # expm1 only sees x <= 0: exact near 0, no overflow for large positive x
    return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))


@_underflow_to_zero
def elu_grad(x: ArrayLike, alpha: float = 1.0) -> np.ndarray:
    r"""Derivative of :func:`elu`, right-hand derivative (1) at ``x = 0``.

    .. math::
        \text{ELU}'(x) = \begin{cases} 1, & x \ge 0 \\ \alpha\,e^{x}, & x < 0 \end{cases}

    Examples:
        >>> elu_grad(np.array([-1e4, 0.0, 2.0]))
        array([0., 1., 1.])
    """
    x = _as_float(x)
    return np.where(x >= 0, 1, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


@_underflow_to_zero
def softplus(x: ArrayLike) -> np.ndarray:
    r"""Softplus, a smooth ReLU.

    .. math::
        \text{softplus}(x) = \log(1 + e^{x}) = \max(x, 0) + \log(1 + e^{-|x|})

    The right-hand form never overflows.

    Examples:
        >>> softplus(np.array([-1e4, 0.0, 1e4])).round(4).tolist()
        [0.0, 0.6931, 10000.0]
    """
    x = _as_float(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


@_underflow_to_zero
def softplus_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`softplus`: the sigmoid.

    .. math::
        \text{softplus}'(x) = \sigma(x)

    Examples:
        >>> softplus_grad(np.array([0.0]))
        array([0.5])
    """
    return sigmoid(x)


@_underflow_to_zero
def swish(x: ArrayLike, beta: float = 1.0) -> np.ndarray:
    r"""Swish (SiLU for ``beta = 1``).

    .. math::
        \text{swish}(x) = x\,\sigma(\beta x)

    Examples:
        >>> swish(np.array([-1.0, 0.0, 2.0])).round(4)
        array([-0.2689,  0.    ,  1.7616])
    """
    x = _as_float(x)
    return x * sigmoid(beta * x)


@_underflow_to_zero
def swish_grad(x: ArrayLike, beta: float = 1.0) -> np.ndarray:
    r"""Derivative of :func:`swish`.

    .. math::
        \text{swish}'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)

    Examples:
        >>> swish_grad(np.array([0.0, 1e4]))
        array([0.5, 1. ])
    """
    x = _as_float(x)
    s, s_neg = _sigmoid_pair(beta * x)
    return s + beta * x * (s * s_neg)


@_underflow_to_zero
def identity(x: ArrayLike) -> np.ndarray:
    r"""Identity, the usual output activation for regression.

    .. math::
        \text{identity}(x) = x

    Examples:
        >>> identity(np.array([1, 2]))
        array([1., 2.])
    """
    return _as_float(x).copy()


@_underflow_to_zero
def identity_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`identity`: ones.

    Examples:
        >>> identity_grad(np.array([-3.0, 5.0]))
        array([1., 1.])
    """
    return np.ones_like(_as_float(x))


@_underflow_to_zero
def softmax(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Softmax along ``axis``, the output activation for multi-class classification.

    .. math::
        \text{softmax}(x)_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}}, \qquad m = \max_j x_j

    Subtracting the maximum ``m`` changes nothing mathematically but keeps every exponent
    ``<= 0``, so nothing overflows (the classic "max-subtraction trick").

    Shape:
        - Input: any shape. Output: same shape; sums to 1 along ``axis``.

    Examples:
        >>> softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]])).round(4)
        array([[0.5 , 0.5 ],
               [0.25, 0.75]])
    """
    x = _as_float(x)
    exps = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return exps / np.sum(exps, axis=axis, keepdims=True)


# --- parametric activations (Kong & Ko 2021) -----------------------------------------------


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
    s, s_neg = _sigmoid_pair(y - b)
    dz_dy = a * (s * s_neg)
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


#: Elementwise activations by name: ``name -> (function, derivative)``. Both accept the same
#: keyword arguments (``slope`` for leaky_relu, ``alpha`` for elu, ``beta`` for swish).
ACTIVATIONS: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]] = {
    "step": (step, step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "softplus": (softplus, softplus_grad),
    "swish": (swish, swish_grad),
    "identity": (identity, identity_grad),
}
