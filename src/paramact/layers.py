r"""Layers as plain forward/backward functions, and a fully connected network that owns its parameters.

CS231n style: every ``*_forward`` returns ``(out, cache)`` and the matching ``*_backward``
takes the upstream gradient ``dout`` (same shape as ``out``) and that ``cache``, and returns
the gradients with respect to the forward's inputs, each with its input's shape.

Names, the same everywhere in the package: ``W`` weights, ``c`` affine biases, ``a`` scales and
``b`` locations of the parametric activations (the paper's :math:`a` and :math:`b`, never a bias).

:class:`MLP` chains the layers into the network of the paper: affine layers with an (optionally
parametric) activation after each hidden layer. It owns its parameters (``params``), declares
their groups (``groups``: weights, scales, locations) for :mod:`paramact.optim`, and can hold a
batch of ``T`` independent networks, *trials*, trained at once: every parameter gets a leading
trial axis and the loss comes back per trial.

Trials in the layer functions: weights ``(T, D, M)`` and biases ``(T, M)``; the batch axis stays
first, so inputs are ``(N, D)`` (shared by every trial) or ``(N, T, D)`` and outputs
``(N, T, M)``. A ``(T, M)`` parameter then broadcasts against ``(N, T, M)`` the way an ``(M,)``
one does against ``(N, M)``, so the activation layers need nothing special for trials.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from paramact import activations as act
from paramact import losses

__all__ = [
    "affine_forward",
    "affine_backward",
    "activation_forward",
    "activation_backward",
    "parametric_sigmoid_forward",
    "parametric_sigmoid_backward",
    "parametric_relu_forward",
    "parametric_relu_backward",
    "MLP",
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
        out = np.einsum("ntd,tdm->ntm", x, w)
    if c is not None:
        out = out + c
    return out, (x, w, c)


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
        dw = dw.transpose(1, 0, 2)
    else:
        # einsum, not matmul: its sums over the batch run in order without fused multiply-adds,
        # which keeps the stored XOR results reproducible bit for bit.
        dw = np.einsum("ntd,ntm->tdm", x, dout)
    return dw, dc


def _affine_input_grad(dout, cache):
    """``dx`` of :func:`affine_backward`."""
    x, w, _ = cache
    if w.ndim == 2:
        return (dout @ w.T).reshape(x.shape)
    if x.ndim == 2:  # inputs shared by every trial: the sum of the trials' gradients
        trials, inputs, outputs = w.shape
        return dout.reshape(x.shape[0], trials * outputs) @ w.transpose(0, 2, 1).reshape(-1, inputs)
    return np.einsum("ntm,tdm->ntd", dout, w)


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
    """The three gradients from the cache ``(y, a, b)``, or ``(y, a, b, derivatives)`` when the
    forward pass already computed ``(dz/dy, dz/da, dz/db)``."""
    y, a, b = cache[:3]
    dz_dy, dz_da, dz_db = cache[3] if len(cache) > 3 else grads_fn(y, a, b)
    return (
        _sum_to_shape(dz * dz_dy, np.shape(y)),
        _sum_to_parameter(dz * dz_da, y, a),
        _sum_to_parameter(dz * dz_db, y, b),
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
        derivatives of :func:`paramact.activations.parametric_sigmoid_and_grads`, computed with
        ``z`` from one evaluation of the sigmoid.

    Examples:
        >>> z, _ = parametric_sigmoid_forward(np.zeros((1, 2)), np.array([1.0, 4.0]), np.zeros(2))
        >>> z
        array([[0.5, 2. ]])
    """
    z, derivatives = act.parametric_sigmoid_and_grads(y, a, b)
    return z, (y, a, b, derivatives)


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
        ``(z, cache)`` with ``z`` of the shape of ``y``.

    Examples:
        >>> y = np.array([[-1.0, 3.0]])
        >>> z, _ = parametric_relu_forward(y, np.array([2.0, 2.0]), np.ones(2))
        >>> z
        array([[0., 4.]])
    """
    return act.parametric_relu(y, a, b), (y, a, b)


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
#: The parameter-group labels of :attr:`MLP.groups`, read by :mod:`paramact.optim`.
GROUPS = ("weight", "scale", "location")


class MLP:
    r"""A fully connected network with (optionally parametric) hidden activations.

    ``layer_sizes = [n_0, n_1, ..., n_K]`` gives ``K`` affine layers; every layer but the last
    is followed by the ``hidden`` activation, the last by the ``output`` activation:

    .. math::
        h^{(0)} = X, \quad h^{(l)} = f^{(l)}\big(h^{(l-1)} W^{(l)} + c^{(l)}\big), \quad
        \text{out} = \text{output}\big(h^{(K-1)} W^{(K)} + c^{(K)}\big)

    with :math:`f^{(l)}(y) = a^{(l)} \sigma(y - b^{(l)})` (eq. 10) or
    :math:`a^{(l)} \max(y - b^{(l)}, 0)` (eq. 11) for a parametric hidden activation.

    Parameters, in the dict ``params`` (layer ``l`` counts from 1):

    * ``W{l}``: weights, shape ``(n_{l-1}, n_l)``.
    * ``c{l}``: affine biases, shape ``(n_l,)`` (absent when ``bias=False``).
    * ``a{l}``: scales of a parametric hidden activation, shape ``(n_l,)``: the paper's
      :math:`a_i^{(l)}`.
    * ``b{l}``: locations of a parametric hidden activation, shape ``(n_l,)``: the paper's
      :math:`b_i^{(l)}`.

    ``groups`` names the parameters of each kind, for the paper's three learning rates in
    :mod:`paramact.optim`: ``{"weight": [W and c names], "scale": [a names], "location": [b
    names]}`` (eqs. 4, 6, 7), e.g. ``SGD(lr, lr_scale, lr_location).step(net.params, grads,
    net.groups)``.

    With ``trials=T`` the network is a batch of ``T`` independent networks of the same shape:
    every parameter gets a leading axis of length ``T`` (``W1`` is ``(T, n_0, n_1)``), the
    inputs and targets are shared by every trial or carry a leading trial axis, and
    :meth:`loss` returns one loss per trial, shape ``(T,)``, with gradients shaped like the
    parameters (each trial's own gradient). The backward pass is the same code for both.

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
        a_init, b_init: initial scales and locations (``a = 1, b = 0`` is the ordinary
            activation, as the paper implies).
        seed: seed for the weight initialisation.
        dtype: floating dtype of the parameters.
        trials: ``None`` for one network, or the number ``T`` of independent networks.

    Examples:
        >>> net = MLP([2, 3, 1], hidden="parametric_sigmoid", output="sigmoid", seed=0)
        >>> list(net.params)
        ['W1', 'c1', 'a1', 'b1', 'W2', 'c2']
        >>> net.groups
        {'weight': ['W1', 'c1', 'W2', 'c2'], 'scale': ['a1'], 'location': ['b1']}
        >>> loss, grads = net.loss(np.array([[0.0, 1.0]]), np.array([[1.0]]))
        >>> grads["a1"].shape
        (3,)
        >>> batch = MLP([2, 3, 1], hidden="parametric_relu", trials=5, seed=0)
        >>> loss, grads = batch.loss(np.ones((4, 2)), np.zeros((4, 1)))
        >>> loss.shape, batch.params["W1"].shape, grads["b1"].shape
        ((5,), (5, 2, 3), (5, 3))
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        hidden: str = "sigmoid",
        output: str = "identity",
        loss: str | None = None,
        *,
        bias: bool = True,
        init: str | float = "auto",
        a_init: float = 1.0,
        b_init: float = 0.0,
        seed: int | None = None,
        dtype: Any = np.float64,
        trials: int | None = None,
    ) -> None:
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
        if init == "auto":
            init = "he" if hidden in _RELU_LIKE else "xavier"
        if init not in ("xavier", "he") and not isinstance(init, (int, float)):
            raise ValueError(f"init must be 'auto', 'xavier', 'he' or a number, got {init!r}")
        if trials is not None and (
            isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1
        ):
            raise ValueError(f"trials must be None or an integer >= 1, got {trials!r}")

        self.layer_sizes = list(layer_sizes)
        self.hidden, self.output, self.loss_name = hidden, output, loss
        self.bias = bias
        self.num_layers = len(layer_sizes) - 1
        self.trials = None if trials is None else int(trials)
        self.params: dict[str, np.ndarray] = {}
        self.groups: dict[str, list[str]] = {label: [] for label in GROUPS}
        lead: tuple[int, ...] = () if self.trials is None else (self.trials,)
        rng = np.random.default_rng(seed)
        for l, (fan_in, fan_out) in enumerate(itertools.pairwise(layer_sizes), start=1):
            if isinstance(init, str):  # "xavier" or "he" by now (checked above)
                std = {"xavier": np.sqrt(1 / fan_in), "he": np.sqrt(2 / fan_in)}[init]
            else:
                std = init
            self._add(f"W{l}", std * rng.standard_normal(lead + (fan_in, fan_out)), "weight", dtype)
            if bias:
                self._add(f"c{l}", np.zeros(lead + (fan_out,)), "weight", dtype)
            if l < self.num_layers and hidden in _PARAMETRIC_LAYERS:
                self._add(f"a{l}", np.full(lead + (fan_out,), a_init), "scale", dtype)
                self._add(f"b{l}", np.full(lead + (fan_out,), b_init), "location", dtype)

    def _add(self, name, value, group, dtype):
        self.params[name] = value.astype(dtype)
        self.groups[group].append(name)

    def _hidden_forward(self, h, l):
        if self.hidden in _PARAMETRIC_LAYERS:
            forward = _PARAMETRIC_LAYERS[self.hidden][0]
            return forward(h, self.params[f"a{l}"], self.params[f"b{l}"])
        return activation_forward(h, self.hidden)

    def _inputs(self, X):
        """Inputs in the layers' layout: ``(N, n_0)``, or ``(N, T, n_0)`` for per-trial inputs."""
        X = np.asarray(X)
        if self.trials is None or X.ndim == 2:
            return X
        if X.ndim != 3 or X.shape[0] != self.trials:
            raise ValueError(
                f"inputs must have shape (N, {self.layer_sizes[0]}) or ({self.trials}, N, "
                f"{self.layer_sizes[0]}) for {self.trials} trials, got shape {X.shape}"
            )
        return np.moveaxis(X, 0, 1)

    def _targets(self, y, shape):
        """Targets in the layout of the scores ``shape``: shared ones broadcast over the trials."""
        y = np.asarray(y)
        if self.trials is None:
            return y
        per_example = y.ndim == (1 if self.loss_name == "cross_entropy" else 2)
        wanted = shape[:2] if self.loss_name == "cross_entropy" else shape
        if per_example:  # a copy (cheaper than a broadcast view, for small batches)
            return np.repeat(y[:, None], self.trials, axis=1)
        if y.ndim == len(wanted) and y.shape[0] == self.trials:
            return np.moveaxis(y, 0, 1)
        raise ValueError(
            f"targets of shape {y.shape} fit neither one trial nor {self.trials} trials"
        )

    def _scores(self, X):
        """Forward pass up to the last affine layer; returns ``(scores, caches)``."""
        h, caches = self._inputs(X), []
        for l in range(1, self.num_layers + 1):
            c = self.params[f"c{l}"] if self.bias else None
            h, affine_cache = affine_forward(h, self.params[f"W{l}"], c)
            hidden_cache = None
            if l < self.num_layers:
                h, hidden_cache = self._hidden_forward(h, l)
            caches.append((affine_cache, hidden_cache))
        return h, caches

    def forward(self, X: np.ndarray) -> np.ndarray:
        r"""Network output for inputs ``X`` of shape ``(N, n_0)``: shape ``(N, n_K)``.

        With trials, ``X`` is ``(N, n_0)`` (the same for every trial) or ``(T, N, n_0)``, and the
        output ``(T, N, n_K)``. For ``output="softmax"`` these are class probabilities
        (``argmax(axis=-1)`` predicts).

        Examples:
            >>> MLP([2, 3, 1], output="sigmoid", seed=0).forward(np.zeros((4, 2))).shape
            (4, 1)
        """
        scores, _ = self._scores(X)
        out = activation_forward(scores, self.output)[0]
        return out if self.trials is None else np.moveaxis(out, 1, 0)

    def loss(self, X: np.ndarray, y: np.ndarray) -> tuple[Any, dict[str, np.ndarray]]:
        r"""Loss and gradients for one batch: the forward pass, then backpropagation.

        Args:
            X: inputs, shape ``(N, n_0)``; with trials also ``(T, N, n_0)``.
            y: targets of the output's shape ``(N, n_K)``, or integer labels of shape ``(N,)``
                for ``loss="cross_entropy"``; with trials the same (shared by every trial), or
                with a leading trial axis.

        Returns:
            ``(loss, grads)``: the loss (a float, or an array of shape ``(T,)`` with trials) and a
            dict with the same keys and shapes as ``params``.

        Examples:
            >>> net = MLP([2, 2, 1], seed=0)
            >>> loss, grads = net.loss(np.ones((3, 2)), np.zeros((3, 1)))
            >>> sorted(grads) == sorted(net.params)
            True
        """
        scores, caches = self._scores(X)
        y = self._targets(y, scores.shape)
        loss_fn, fused_output = _LOSSES[self.loss_name]
        axis = None
        if self.trials is not None:  # reduce over the batch (and outputs), keep the trial axis 1
            axis = 0 if self.loss_name == "cross_entropy" else (0, 2)
        if fused_output is not None:
            loss, dscores = loss_fn(scores, y, axis=axis)
        else:
            out, out_cache = activation_forward(scores, self.output)
            loss, dout = loss_fn(out, y, axis=axis)
            dscores = activation_backward(dout, out_cache)
        return loss, self._backward(dscores, caches)

    def _backward(self, dscores, caches):
        grads, dh = {}, dscores
        for l in range(self.num_layers, 0, -1):
            affine_cache, hidden_cache = caches[l - 1]
            if hidden_cache is not None:
                if self.hidden in _PARAMETRIC_LAYERS:
                    backward = _PARAMETRIC_LAYERS[self.hidden][1]
                    dh, grads[f"a{l}"], grads[f"b{l}"] = backward(dh, hidden_cache)
                else:
                    dh = activation_backward(dh, hidden_cache)
            if l > 1:
                dh, grads[f"W{l}"], dc = affine_backward(dh, affine_cache)
            else:  # the inputs need no gradient
                grads[f"W{l}"], dc = _affine_parameter_grads(dh, affine_cache)
            if dc is not None:
                grads[f"c{l}"] = dc
        return grads

    def keep_trials(self, keep: np.ndarray) -> None:
        """Keep only the trials selected by ``keep`` (a boolean mask or indices), in place.

        Examples:
            >>> net = MLP([2, 2, 1], trials=4, seed=0)
            >>> net.keep_trials(np.array([True, False, True, False]))
            >>> net.trials, net.params["W1"].shape
            (2, (2, 2, 2))
        """
        if self.trials is None:
            raise ValueError("keep_trials needs a network with trials")
        for name, value in self.params.items():
            self.params[name] = value[keep]
        self.trials = len(self.params["W1"])

    def __repr__(self) -> str:
        trials = "" if self.trials is None else f", trials={self.trials}"
        return (
            f"MLP({self.layer_sizes}, hidden={self.hidden!r}, output={self.output!r}, "
            f"loss={self.loss_name!r}{trials})"
        )
