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

The parametric functions, the paper's (Kong & Ko 2021) eqs. (10)-(14) with the correction to
eq. (14), live in :mod:`paramact.parametric` and are re-exported here
(``paramact.activations.parametric_sigmoid`` etc.).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from paramact._numeric import _as_float, _sigmoid_pair, _underflow_to_zero
from paramact.parametric import (
    _sigmoid_and_slope,
    parametric_relu,
    parametric_relu_grads,
    parametric_sigmoid,
    parametric_sigmoid_and_grads,
    parametric_sigmoid_grads,
)

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
    return _sigmoid_and_slope(_as_float(x))


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
