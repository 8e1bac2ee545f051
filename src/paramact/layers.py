r"""Layers as plain forward/backward functions.

CS231n style: every ``*_forward`` returns ``(out, cache)`` and the matching ``*_backward``
takes the upstream gradient ``dout`` (same shape as ``out``) and that ``cache``, and returns
the gradients with respect to the forward's inputs, each with its input's shape.

Names, the same everywhere in the package: ``W`` weights, ``c`` affine biases, ``a`` scales and
``b`` locations of the parametric activations (the paper's :math:`a` and :math:`b`, never a bias).

The network that chains these layers, :class:`paramact.mlp.MLP` (also ``paramact.MLP``), lives
in :mod:`paramact.mlp`.

Trials in the layer functions: weights ``(T, D, M)`` and biases ``(T, M)``; the batch axis stays
first, so inputs are ``(N, D)`` (shared by every trial) or ``(N, T, D)`` and outputs
``(N, T, M)``. A ``(T, M)`` parameter then broadcasts against ``(N, T, M)`` the way an ``(M,)``
one does against ``(N, M)``, so the activation layers need nothing special for trials.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from paramact import activations as act
from paramact.parametric import _parametric_relu_layer, _parametric_sigmoid_layer

__all__ = [
    "affine_forward",
    "affine_backward",
    "activation_forward",
    "activation_backward",
    "parametric_sigmoid_forward",
    "parametric_sigmoid_backward",
    "parametric_relu_forward",
    "parametric_relu_backward",
]

Cache = Any


def affine_forward(x: np.ndarray, w: np.ndarray, c: np.ndarray | None) -> tuple[np.ndarray, Cache]:
    r"""Affine (fully connected) layer.

    .. math::
        \text{out} = x W + c

    Args:
        x: inputs, shape ``(N, D)`` or ``(N, d_1, ..., d_k)`` (flattened to ``(N, D)``); with
            trials ``(N, D)`` (the same inputs for every trial) or ``(N, T, D)``.
        w: weights, shape ``(D, M)``; ``w[i, j]`` connects input ``i`` to output ``j``. With a
            leading trial axis ``(T, D, M)``: ``T`` independent layers.
        c: biases, shape ``(M,)`` (``(T, M)`` with trials), or ``None`` for a layer without bias.

    Returns:
        ``(out, cache)`` with ``out`` of shape ``(N, M)``, or ``(N, T, M)`` with trials.

    Examples:
        >>> out, _ = affine_forward(np.array([[1.0, 2.0]]), np.eye(2), np.array([0.5, 0.0]))
        >>> out
        array([[1.5, 2. ]])
        >>> out, _ = affine_forward(np.ones((5, 2)), np.ones((3, 2, 4)), np.zeros((3, 4)))  # 3 trials
        >>> out.shape
        (5, 3, 4)
    """
    if w.ndim == 2:
        out = x.reshape(x.shape[0], -1) @ w
    elif x.ndim == 2:  # trials sharing their inputs: one matrix product for all of them
        trials, inputs, outputs = w.shape
        out = (x @ w.transpose(1, 0, 2).reshape(inputs, trials * outputs)).reshape(
            -1, trials, outputs
        )
    else:
        out = _per_trial_product(x, w)
    if c is not None:
        out = out + c
    return out, (x, w, c)


# With per-trial inputs ``(N, T, D)`` the affine layer's products are ``T`` small matrix products.
# np.einsum computes them in a fixed order without fused multiply-adds, which keeps the stored XOR
# results reproducible bit for bit; but for layers as small as the XOR network's its set-up cost
# and NumPy's inner loops of length D or M dominate. There, each output column is computed from
# whole (N, T) columns instead: the same products added in the same order, so the same numbers as
# einsum's (tests/test_perf_layers.py checks it), in a few long loops.
_COLUMNS = 8  # at most D x M column products (and sums of at most 2 terms, longer ones reorder)
_COLUMN_LENGTH = 256  # N x T at least: for shorter columns einsum's set-up cost is the smaller


def _by_columns(x: np.ndarray, inputs: int, outputs: int) -> bool:
    return inputs * outputs <= _COLUMNS and x.shape[0] * x.shape[1] >= _COLUMN_LENGTH


def _per_trial_product(x, w):
    """``out[n, t, m] = sum_d x[n, t, d] w[t, d, m]``: ``(N, T, D), (T, D, M) -> (N, T, M)``."""
    _, inputs, outputs = w.shape
    if inputs > 2 or not _by_columns(x, inputs, outputs):
        return np.einsum("ntd,tdm->ntm", x, w)
    out = np.empty(x.shape[:2] + (outputs,), dtype=np.result_type(x, w))
    for m in range(outputs):
        np.multiply(x[:, :, 0], w[:, 0, m], out=out[:, :, m])
        if inputs == 2:
            out[:, :, m] += x[:, :, 1] * w[:, 1, m]
    return out


def _per_trial_weight_grad(x, dout, w):
    """``dw[t, d, m] = sum_n x[n, t, d] dout[n, t, m]``: ``(N, T, D), (N, T, M) -> (T, D, M)``,
    in the memory order of the weights ``w``.

    einsum, not matmul: its sums over the batch run in order without fused multiply-adds; so do
    NumPy's sums over the first axis.
    """
    inputs, outputs = x.shape[2], dout.shape[2]
    dw = np.empty_like(w, dtype=np.result_type(x, dout))  # w's order: a fast in-place update
    if not _by_columns(x, inputs, outputs):
        dw[...] = np.einsum("ntd,ntm->tdm", x, dout)
        return dw
    for d in range(inputs):
        for m in range(outputs):
            dw[:, d, m] = (x[:, :, d] * dout[:, :, m]).sum(axis=0)
    return dw


def _per_trial_input_grad(dout, w):
    """``dx[n, t, d] = sum_m dout[n, t, m] w[t, d, m]``: ``(N, T, M), (T, D, M) -> (N, T, D)``."""
    _, inputs, outputs = w.shape
    if outputs > 2 or not _by_columns(dout, inputs, outputs):
        return np.einsum("ntm,tdm->ntd", dout, w)
    dx = np.empty(dout.shape[:2] + (inputs,), dtype=np.result_type(dout, w))
    for d in range(inputs):
        np.multiply(dout[:, :, 0], w[:, d, 0], out=dx[:, :, d])
        if outputs == 2:
            dx[:, :, d] += dout[:, :, 1] * w[:, d, 1]
    return dx


def affine_backward(
    dout: np.ndarray, cache: Cache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    r"""Backward pass of :func:`affine_forward`.

    .. math::
        dx = dout\, W^\top, \qquad dW = x^\top dout, \qquad dc = \textstyle\sum_n dout_n

    With trials each trial has its own ``dW`` and ``dc``; inputs shared by every trial get the
    sum of the trials' ``dx``.

    Returns:
        ``(dx, dw, dc)`` with the shapes of ``x``, ``w`` and ``c``; ``dc`` is ``None`` when the
        layer has no bias.

    Examples:
        >>> _, cache = affine_forward(np.array([[1.0, 2.0]]), np.eye(2), np.zeros(2))
        >>> dx, dw, dc = affine_backward(np.array([[1.0, 0.0]]), cache)
        >>> dw
        array([[1., 0.],
               [2., 0.]])
    """
    dw, dc = _affine_parameter_grads(dout, cache)
    return _affine_input_grad(dout, cache), dw, dc


def _affine_parameter_grads(dout, cache):
    """``(dw, dc)`` of :func:`affine_backward` (all a network's first layer needs)."""
    x, w, c = cache
    dc = None if c is None else dout.sum(axis=0)
    if w.ndim == 2:
        dw = x.reshape(x.shape[0], -1).T @ dout
    elif x.ndim == 2:
        trials, inputs, outputs = w.shape
        dw = (x.T @ dout.reshape(x.shape[0], trials * outputs)).reshape(inputs, trials, outputs)
        # in (D, T, M) order, as paramact.mlp.trial_minor stores the weights; a copy in their order
        # otherwise: an in-place update against the other order runs 8 times slower
        dw = dw.transpose(1, 0, 2)
        if w.flags.c_contiguous:
            dw = np.ascontiguousarray(dw)
    else:
        dw = _per_trial_weight_grad(x, dout, w)
    return dw, dc


def _affine_input_grad(dout, cache):
    """``dx`` of :func:`affine_backward`."""
    x, w, _ = cache
    if w.ndim == 2:
        return (dout @ w.T).reshape(x.shape)
    if x.ndim == 2:  # inputs shared by every trial: the sum of the trials' gradients
        trials, inputs, outputs = w.shape
        return dout.reshape(x.shape[0], trials * outputs) @ w.transpose(0, 2, 1).reshape(-1, inputs)
    return _per_trial_input_grad(dout, w)


def activation_forward(x: np.ndarray, name: str, **kwargs: Any) -> tuple[np.ndarray, Cache]:
    r"""Apply the activation called ``name`` elementwise (or ``"softmax"`` along an axis).

    Args:
        x: any shape.
        name: a key of :data:`paramact.activations.ACTIVATIONS` (``"sigmoid"``, ``"relu"``,
            ``"leaky_relu"``, ...) or ``"softmax"``.
        **kwargs: passed to the activation, e.g. ``slope=0.1`` for ``"leaky_relu"`` or
            ``axis=1`` for ``"softmax"``.

    Returns:
        ``(out, cache)``, ``out`` of the shape of ``x``.

    Examples:
        >>> out, _ = activation_forward(np.array([-1.0, 2.0]), "relu")
        >>> out
        array([0., 2.])
    """
    grad = None  # the derivative, when it comes for free with the value
    if name == "softmax":
        out = act.softmax(x, **kwargs)
    elif name == "sigmoid":
        out, grad = act.sigmoid_and_grad(x)
    elif name in act.ACTIVATIONS:
        out = act.ACTIVATIONS[name][0](x, **kwargs)
    else:
        known = ", ".join([*act.ACTIVATIONS, "softmax"])
        raise ValueError(f"unknown activation {name!r}; choose one of {known}")
    return out, (x, out, name, kwargs, grad)


def activation_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    r"""Backward pass of :func:`activation_forward`.

    .. math::
        dx = dout \odot f'(x)

    For ``"softmax"`` the Jacobian is not diagonal; with :math:`s = \text{softmax}(x)`:

    .. math::
        dx = s \odot \Big(dout - \textstyle\sum_j dout_j\, s_j\Big)

    Examples:
        >>> _, cache = activation_forward(np.array([0.0]), "sigmoid")
        >>> activation_backward(np.array([1.0]), cache)
        array([0.25])
    """
    x, out, name, kwargs, grad = cache
    if name == "softmax":
        axis = kwargs.get("axis", -1)
        return out * (dout - np.sum(dout * out, axis=axis, keepdims=True))
    return dout * (act.ACTIVATIONS[name][1](x, **kwargs) if grad is None else grad)


def _sum_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach its shape."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)


def _sum_to_parameter(grad: np.ndarray, y: np.ndarray, param: Any) -> np.ndarray:
    """Sum an elementwise gradient to the shape of ``param``, by the shape rule of the activations.

    A ``(C,)`` parameter of an input with more than two dims belongs to axis 1: it was broadcast
    as ``(C, 1, ..., 1)``, so the gradient is summed to that shape and then flattened to ``(C,)``.
    """
    shape, ndim = np.shape(param), np.ndim(y)
    if len(shape) == 1 and ndim > 2:
        return _sum_to_shape(grad, shape + (1,) * (ndim - 2)).reshape(shape)
    return _sum_to_shape(grad, shape)


def _parametric_backward(dz, cache, grads_fn):
    """The three gradients from the cache ``(y, a, b)``, or ``(y, a, b, (dz/dy, dz/da))`` when the
    forward pass already computed those derivatives.

    Both parametric activations have ``dz/db = -dz/dy``, so ``dL/db`` is minus the sum of
    ``dz * dz/dy`` (the same numbers as summing ``dz * dz/db``: negation is exact).
    """
    y, a, b = cache[:3]
    dz_dy, dz_da = cache[3] if len(cache) > 3 else grads_fn(y, a, b)[:2]
    dy = dz * dz_dy
    return (
        _sum_to_shape(dy, np.shape(y)),
        _sum_to_parameter(dz * dz_da, y, a),
        -_sum_to_parameter(dy, y, b),
    )


def parametric_sigmoid_forward(
    y: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, Cache]:
    r"""Parametric sigmoid layer, eq. (10): :math:`z = a\,\sigma(y - b)`.

    Args:
        y: pre-activations, shape ``(N, C)``, ``(N, C, *)`` or ``(C,)``; with trials ``(N, T, C)``.
        a: scales, shape ``(C,)``, along axis 1 of ``y`` (the shape rule of
            :mod:`paramact.activations`, the same as :mod:`paramact.functional`'s); with trials
            ``(T, C)``.
        b: locations, shaped like ``a``.

    Returns:
        ``(z, cache)`` with ``z`` of the shape of ``y``. The cache holds ``(y, a, b)`` and the
        derivatives ``dz/dy`` and ``dz/da`` of :func:`paramact.activations.parametric_sigmoid_and_grads`
        (``dz/db = -dz/dy``), computed with ``z`` from one evaluation of the sigmoid.

    Examples:
        >>> z, _ = parametric_sigmoid_forward(np.zeros((1, 2)), np.array([1.0, 4.0]), np.zeros(2))
        >>> z
        array([[0.5, 2. ]])
    """
    z, dz_dy, dz_da = _parametric_sigmoid_layer(y, a, b)
    return z, (y, a, b, (dz_dy, dz_da))


def parametric_sigmoid_backward(
    dz: np.ndarray, cache: Cache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward pass of :func:`parametric_sigmoid_forward`, eqs. (15)-(16) (corrected).

    With :math:`s = \sigma(y - b)`, per element and then summed over every axis but the
    channel axis (the batch, and the spatial axes of an ``(N, C, *)`` input) for ``a``, ``b``:

    .. math::
        dy = dz\; a s(1 - s), \qquad
        da = \textstyle\sum_n dz\; s, \qquad
        db = -\textstyle\sum_n dz\; a s(1 - s)

    The cache is the forward's, or just ``(y, a, b)`` (the derivatives are then computed here).

    Returns:
        ``(dy, da, db)`` with the shapes of ``y``, ``a`` and ``b``: ``(N, C)``, ``(C,)``,
        ``(C,)`` for a batch of vectors.

    Examples:
        >>> _, cache = parametric_sigmoid_forward(np.zeros((3, 1)), np.array([2.0]), np.zeros(1))
        >>> dy, da, db = parametric_sigmoid_backward(np.ones((3, 1)), cache)
        >>> print(dy.ravel(), da, db)
        [0.5 0.5 0.5] [1.5] [-1.5]
    """
    return _parametric_backward(dz, cache, act.parametric_sigmoid_grads)


def parametric_relu_forward(
    y: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, Cache]:
    r"""Parametric ReLU layer, eq. (11): :math:`z = a\,(y - b)` for :math:`y \ge b`, else 0.

    Args:
        y, a, b: as in :func:`parametric_sigmoid_forward`.

    Returns:
        ``(z, cache)`` with ``z`` of the shape of ``y``. The cache holds ``(y, a, b)`` and the
        derivatives ``dz/dy`` and ``dz/da`` of :func:`paramact.activations.parametric_relu_grads`
        (without ``np.where``: as products with the mask ``y >= b``).

    Examples:
        >>> y = np.array([[-1.0, 3.0]])
        >>> z, _ = parametric_relu_forward(y, np.array([2.0, 2.0]), np.ones(2))
        >>> z
        array([[0., 4.]])
    """
    z, dz_dy, dz_da = _parametric_relu_layer(y, a, b)
    return z, (y, a, b, (dz_dy, dz_da))


def parametric_relu_backward(
    dz: np.ndarray, cache: Cache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward pass of :func:`parametric_relu_forward`.

    Over the active elements (:math:`y \ge b`; right-hand derivative at the kink :math:`y = b`):

    .. math::
        dy = dz\; a, \qquad
        da = \textstyle\sum_n dz\, (y - b), \qquad
        db = -\textstyle\sum_n dz\; a

    and zero contributions from inactive elements.

    Returns:
        ``(dy, da, db)`` with the shapes of ``y``, ``a`` and ``b``.

    Examples:
        >>> y = np.array([[-1.0], [3.0]])
        >>> _, cache = parametric_relu_forward(y, np.array([2.0]), np.ones(1))
        >>> dy, da, db = parametric_relu_backward(np.ones((2, 1)), cache)
        >>> print(dy.ravel(), da, db)
        [0. 2.] [2.] [-2.]
    """
    return _parametric_backward(dz, cache, act.parametric_relu_grads)
