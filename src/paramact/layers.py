r"""Layers as plain forward/backward functions, and a small fully connected network.

CS231n style: every ``*_forward`` returns ``(out, cache)`` and the matching ``*_backward``
takes the upstream gradient ``dout`` (same shape as ``out``) and that ``cache``, and returns
the gradients with respect to the forward's inputs, each with its input's shape.

:class:`MLP` chains them into the network of the paper: affine layers with an (optionally
parametric) activation after each hidden layer, trained with :class:`paramact.optim.SGD`.
"""

from __future__ import annotations

import numpy as np

from paramact import activations as act
from paramact import losses

__all__ = [
    "affine_forward", "affine_backward",
    "activation_forward", "activation_backward",
    "parametric_sigmoid_forward", "parametric_sigmoid_backward",
    "parametric_relu_forward", "parametric_relu_backward",
    "MLP",
]


def affine_forward(x, w, b):
    r"""Affine (fully connected) layer.

    .. math::
        \text{out} = x W + b

    Args:
        x: inputs, shape ``(N, D)`` or ``(N, d_1, ..., d_k)`` (flattened to ``(N, D)``).
        w: weights, shape ``(D, M)``; ``w[i, j]`` connects input ``i`` to output ``j``.
        b: biases, shape ``(M,)``, or ``None`` for a layer without bias.

    Returns:
        ``(out, cache)`` with ``out`` of shape ``(N, M)``.

    Examples:
        >>> out, _ = affine_forward(np.array([[1.0, 2.0]]), np.eye(2), np.array([0.5, 0.0]))
        >>> out
        array([[1.5, 2. ]])
    """
    out = x.reshape(x.shape[0], -1) @ w
    if b is not None:
        out = out + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    r"""Backward pass of :func:`affine_forward`.

    .. math::
        dx = dout\, W^\top, \qquad dW = x^\top dout, \qquad db = \textstyle\sum_n dout_n

    Returns:
        ``(dx, dw, db)`` with the shapes of ``x``, ``w`` and ``b``; ``db`` is ``None`` when the
        layer has no bias.

    Examples:
        >>> _, cache = affine_forward(np.array([[1.0, 2.0]]), np.eye(2), np.zeros(2))
        >>> dx, dw, db = affine_backward(np.array([[1.0, 0.0]]), cache)
        >>> dw
        array([[1., 0.],
               [2., 0.]])
    """
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = None if b is None else dout.sum(axis=0)
    return dx, dw, db


def activation_forward(x, name, **kwargs):
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
    if name == "softmax":
        out = act.softmax(x, **kwargs)
    elif name in act.ACTIVATIONS:
        out = act.ACTIVATIONS[name][0](x, **kwargs)
    else:
        known = ", ".join([*act.ACTIVATIONS, "softmax"])
        raise ValueError(f"unknown activation {name!r}; choose one of {known}")
    return out, (x, out, name, kwargs)


def activation_backward(dout, cache):
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
    x, out, name, kwargs = cache
    if name == "softmax":
        axis = kwargs.get("axis", -1)
        return out * (dout - np.sum(dout * out, axis=axis, keepdims=True))
    return dout * act.ACTIVATIONS[name][1](x, **kwargs)


def _sum_to_shape(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach its shape."""
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)


def _parametric_backward(dz, cache, grads_fn):
    y, a, b = cache
    dz_dy, dz_da, dz_db = grads_fn(y, a, b)
    return (_sum_to_shape(dz * dz_dy, np.shape(y)),
            _sum_to_shape(dz * dz_da, np.shape(a)),
            _sum_to_shape(dz * dz_db, np.shape(b)))


def parametric_sigmoid_forward(y, a, b):
    r"""Parametric sigmoid layer, eq. (10): :math:`z = a\,\sigma(y - b)`.

    Args:
        y: pre-activations, shape ``(N, C)``.
        a: scales, shape ``(C,)``.
        b: locations, shape ``(C,)``.

    Returns:
        ``(z, cache)`` with ``z`` of shape ``(N, C)``.

    Examples:
        >>> z, _ = parametric_sigmoid_forward(np.zeros((1, 2)), np.array([1.0, 4.0]), np.zeros(2))
        >>> z
        array([[0.5, 2. ]])
    """
    return act.parametric_sigmoid(y, a, b), (y, a, b)


def parametric_sigmoid_backward(dz, cache):
    r"""Backward pass of :func:`parametric_sigmoid_forward`, eqs. (15)-(16) (corrected).

    With :math:`s = \sigma(y - b)`, per element and then summed over the batch for ``a``, ``b``:

    .. math::
        dy = dz\; a s(1 - s), \qquad
        da = \textstyle\sum_n dz\; s, \qquad
        db = -\textstyle\sum_n dz\; a s(1 - s)

    Returns:
        ``(dy, da, db)`` with shapes ``(N, C)``, ``(C,)``, ``(C,)`` (in general: the shapes of
        ``y``, ``a`` and ``b``, summing over every axis broadcasting added).

    Examples:
        >>> _, cache = parametric_sigmoid_forward(np.zeros((3, 1)), np.array([2.0]), np.zeros(1))
        >>> dy, da, db = parametric_sigmoid_backward(np.ones((3, 1)), cache)
        >>> print(dy.ravel(), da, db)
        [0.5 0.5 0.5] [1.5] [-1.5]
    """
    return _parametric_backward(dz, cache, act.parametric_sigmoid_grads)


def parametric_relu_forward(y, a, b):
    r"""Parametric ReLU layer, eq. (11): :math:`z = a\,(y - b)` for :math:`y \ge b`, else 0.

    Args:
        y: pre-activations, shape ``(N, C)``.
        a: scales, shape ``(C,)``.
        b: locations, shape ``(C,)``.

    Returns:
        ``(z, cache)`` with ``z`` of shape ``(N, C)``.

    Examples:
        >>> y = np.array([[-1.0, 3.0]])
        >>> z, _ = parametric_relu_forward(y, np.array([2.0, 2.0]), np.ones(2))
        >>> z
        array([[0., 4.]])
    """
    return act.parametric_relu(y, a, b), (y, a, b)


def parametric_relu_backward(dz, cache):
    r"""Backward pass of :func:`parametric_relu_forward`.

    Over the active elements (:math:`y \ge b`; right-hand derivative at the kink :math:`y = b`):

    .. math::
        dy = dz\; a, \qquad
        da = \textstyle\sum_n dz\, (y - b), \qquad
        db = -\textstyle\sum_n dz\; a

    and zero contributions from inactive elements.

    Returns:
        ``(dy, da, db)`` with shapes ``(N, C)``, ``(C,)``, ``(C,)``.

    Examples:
        >>> y = np.array([[-1.0], [3.0]])
        >>> _, cache = parametric_relu_forward(y, np.array([2.0]), np.ones(1))
        >>> dy, da, db = parametric_relu_backward(np.ones((2, 1)), cache)
        >>> print(dy.ravel(), da, db)
        [0. 2.] [2.] [-2.]
    """
    return _parametric_backward(dz, cache, act.parametric_relu_grads)


_PARAMETRIC_LAYERS = {
    "parametric_sigmoid": (parametric_sigmoid_forward, parametric_sigmoid_backward),
    "parametric_relu": (parametric_relu_forward, parametric_relu_backward),
}
_RELU_LIKE = {"relu", "leaky_relu", "elu", "swish", "parametric_relu"}
_OUTPUTS = ("identity", "sigmoid", "softmax")
# loss name -> (function, output activation it is fused with, or None if applied after it)
_LOSSES = {
    "half_sum_squared": (losses.half_sum_squared_error, None),
    "mse": (losses.mean_squared_error, None),
    "bce": (losses.binary_cross_entropy_with_logits, "sigmoid"),
    "cross_entropy": (losses.softmax_cross_entropy, "softmax"),
}


class MLP:
    r"""A fully connected network with (optionally parametric) hidden activations.

    ``layer_sizes = [n_0, n_1, ..., n_K]`` gives ``K`` affine layers; every layer but the last
    is followed by the ``hidden`` activation, the last by the ``output`` activation:

    .. math::
        h^{(0)} = X, \quad h^{(l)} = \sigma^{(l)}\big(h^{(l-1)} W^{(l)} + b^{(l)}\big), \quad
        \text{out} = \text{output}\big(h^{(K-1)} W^{(K)} + b^{(K)}\big)

    Parameters, in the dict ``self.params`` (layer ``l`` counts from 1):

    * ``W{l}``: weights, shape ``(n_{l-1}, n_l)``.
    * ``b{l}``: affine biases, shape ``(n_l,)`` (absent when ``bias=False``).
    * ``a{l}``: scales of a parametric hidden activation, shape ``(n_l,)``: the paper's
      :math:`a_i^{(l)}`.
    * ``c{l}``: locations of a parametric hidden activation, shape ``(n_l,)``: the paper's
      :math:`b_i^{(l)}`, renamed ``c`` because ``b{l}`` is the affine bias.

    :class:`paramact.optim.SGD` recognises ``a*`` and ``c*`` by name to apply the paper's
    separate learning rates.

    Args:
        layer_sizes: ``[inputs, hidden..., outputs]``, at least two numbers.
        hidden: hidden activation: any name of :data:`paramact.activations.ACTIVATIONS`,
            ``"parametric_sigmoid"`` or ``"parametric_relu"``.
        output: ``"identity"``, ``"sigmoid"`` or ``"softmax"``.
        loss: ``"half_sum_squared"`` (the paper's; no batch averaging), ``"mse"``, ``"bce"``
            (needs ``output="sigmoid"``; targets in [0, 1]) or ``"cross_entropy"`` (needs
            ``output="softmax"``; integer labels). Default: ``"cross_entropy"`` for softmax,
            ``"half_sum_squared"`` otherwise. ``bce`` and ``cross_entropy`` are computed from
            the logits (fused with the output activation) for stability.
        bias: whether the affine layers have biases.
        init: weight initialisation: ``"xavier"`` (normal with std :math:`1/\sqrt{n_{in}}`),
            ``"he"`` (std :math:`\sqrt{2/n_{in}}`), ``"auto"`` (He for ReLU-like hidden
            activations, Xavier otherwise) or a number used as the std. Biases start at 0.
        a_init, location_init: initial scales and locations (``a = 1, b = 0`` is the
            ordinary activation, as the paper implies).
        seed: seed for the weight initialisation.
        dtype: floating dtype of the parameters.

    Examples:
        >>> net = MLP([2, 3, 1], hidden="parametric_sigmoid", output="sigmoid", seed=0)
        >>> sorted(net.params)
        ['W1', 'W2', 'a1', 'b1', 'b2', 'c1']
        >>> loss, grads = net.loss(np.array([[0.0, 1.0]]), np.array([[1.0]]))
        >>> grads["a1"].shape
        (3,)
    """

    def __init__(self, layer_sizes, hidden="sigmoid", output="identity", loss=None, *,
                 bias=True, init="auto", a_init=1.0, location_init=0.0, seed=None,
                 dtype=np.float64):
        if len(layer_sizes) < 2:
            raise ValueError(f"layer_sizes needs at least [inputs, outputs], got {layer_sizes}")
        if hidden not in act.ACTIVATIONS and hidden not in _PARAMETRIC_LAYERS:
            known = ", ".join([*act.ACTIVATIONS, *_PARAMETRIC_LAYERS])
            raise ValueError(f"unknown hidden activation {hidden!r}; choose one of {known}")
        if output not in _OUTPUTS:
            raise ValueError(f"unknown output {output!r}; choose one of {', '.join(_OUTPUTS)}")
        loss = loss or ("cross_entropy" if output == "softmax" else "half_sum_squared")
        if loss not in _LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(_LOSSES)}")
        fused_output = _LOSSES[loss][1]
        if fused_output not in (None, output):
            raise ValueError(f"loss={loss!r} needs output={fused_output!r}, got output={output!r}")

        self.layer_sizes = list(layer_sizes)
        self.hidden, self.output, self.loss_name = hidden, output, loss
        self.num_layers = len(layer_sizes) - 1
        if init == "auto":
            init = "he" if hidden in _RELU_LIKE else "xavier"
        if init not in ("xavier", "he") and not isinstance(init, (int, float)):
            raise ValueError(f"init must be 'auto', 'xavier', 'he' or a number, got {init!r}")
        rng = np.random.default_rng(seed)
        self.params = {}
        for l, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
            std = {"xavier": np.sqrt(1 / fan_in), "he": np.sqrt(2 / fan_in)}.get(init, init)
            self.params[f"W{l}"] = (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            if bias:
                self.params[f"b{l}"] = np.zeros(fan_out, dtype=dtype)
            if l < self.num_layers and hidden in _PARAMETRIC_LAYERS:
                self.params[f"a{l}"] = np.full(fan_out, a_init, dtype=dtype)
                self.params[f"c{l}"] = np.full(fan_out, location_init, dtype=dtype)

    def _hidden_forward(self, h, l):
        if self.hidden in _PARAMETRIC_LAYERS:
            forward = _PARAMETRIC_LAYERS[self.hidden][0]
            return forward(h, self.params[f"a{l}"], self.params[f"c{l}"])
        return activation_forward(h, self.hidden)

    def _scores(self, X):
        """Forward pass up to the last affine layer; returns ``(scores, caches)``."""
        h, caches = X, []
        for l in range(1, self.num_layers + 1):
            h, affine_cache = affine_forward(h, self.params[f"W{l}"], self.params.get(f"b{l}"))
            hidden_cache = None
            if l < self.num_layers:
                h, hidden_cache = self._hidden_forward(h, l)
            caches.append((affine_cache, hidden_cache))
        return h, caches

    def forward(self, X):
        r"""Network output for inputs ``X`` of shape ``(N, n_0)``: shape ``(N, n_K)``.

        For ``output="softmax"`` these are class probabilities (``argmax(axis=1)`` predicts).
        """
        scores, _ = self._scores(X)
        return activation_forward(scores, self.output)[0]

    def loss(self, X, y):
        r"""Loss and gradients for one batch.

        Args:
            X: inputs, shape ``(N, n_0)``.
            y: targets of the output's shape ``(N, n_K)``, or integer labels of shape ``(N,)``
                for ``loss="cross_entropy"``.

        Returns:
            ``(loss, grads)``: the loss as a float and a dict with the same keys and shapes
            as ``self.params``.
        """
        scores, caches = self._scores(X)
        loss_fn, fused_output = _LOSSES[self.loss_name]
        if fused_output is not None:
            loss, dscores = loss_fn(scores, y)
        else:
            out, out_cache = activation_forward(scores, self.output)
            loss, dout = loss_fn(out, y)
            dscores = activation_backward(dout, out_cache)

        grads, dh = {}, dscores
        for l in range(self.num_layers, 0, -1):
            affine_cache, hidden_cache = caches[l - 1]
            if hidden_cache is not None:
                if self.hidden in _PARAMETRIC_LAYERS:
                    backward = _PARAMETRIC_LAYERS[self.hidden][1]
                    dh, grads[f"a{l}"], grads[f"c{l}"] = backward(dh, hidden_cache)
                else:
                    dh = activation_backward(dh, hidden_cache)
            dh, grads[f"W{l}"], db = affine_backward(dh, affine_cache)
            if db is not None:
                grads[f"b{l}"] = db
        return loss, grads

    def __repr__(self):
        return (f"MLP({self.layer_sizes}, hidden={self.hidden!r}, output={self.output!r}, "
                f"loss={self.loss_name!r})")
