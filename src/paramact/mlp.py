r"""The fully connected network of the paper, built from the layers of :mod:`paramact.layers`.

:class:`MLP` chains the layers into the network of the paper: affine layers with an (optionally
parametric) activation after each hidden layer. It owns its parameters (``params``), declares
their groups (``groups``: weights, scales, locations) for :mod:`paramact.optim`, and can hold a
batch of ``T`` independent networks, *trials*, trained at once: every parameter gets a leading
trial axis and the loss comes back per trial. Names as in :mod:`paramact.layers`: ``W`` weights,
``c`` affine biases, ``a`` scales and ``b`` locations of the parametric activations.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from paramact import activations as act
from paramact import losses
from paramact.layers import (
    _affine_parameter_grads,
    activation_backward,
    activation_forward,
    affine_backward,
    affine_forward,
    parametric_relu_backward,
    parametric_relu_forward,
    parametric_sigmoid_backward,
    parametric_sigmoid_forward,
)

__all__ = ["MLP", "trial_minor"]


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


def trial_minor(weights: np.ndarray) -> np.ndarray:
    """Weights of ``T`` trials, shape ``(T, D, M)``, stored in ``(D, T, M)`` order: the same values.

    :class:`MLP` keeps its trials' weights so. For inputs shared by every trial the affine layer
    multiplies them as one ``(D, T M)`` matrix (:func:`paramact.layers.affine_forward`), a view of
    this order and a copy of any other, and its weight gradient comes back in this order, which
    the optimiser's in-place update reads fastest when the weights have it too.

    Examples:
        >>> w = trial_minor(np.arange(8.0).reshape(2, 2, 2))
        >>> w.shape, w.strides, bool(np.all(w == np.arange(8.0).reshape(2, 2, 2)))
        ((2, 2, 2), (16, 32, 8), True)
    """
    return np.ascontiguousarray(weights.transpose(1, 0, 2)).transpose(1, 0, 2)


def _is_trial_minor(value: np.ndarray) -> bool:
    return value.ndim == 3 and value.transpose(1, 0, 2).flags.c_contiguous and value.shape[0] > 1


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
    parameters (each trial's own gradient). The backward pass is the same code for both. The
    weights of trials are stored in ``(n_{l-1}, T, n_l)`` memory order (:func:`trial_minor`; any
    order works, this one is the fastest).

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
        value = value.astype(dtype)
        self.params[name] = trial_minor(value) if name[0] == "W" and value.ndim == 3 else value
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
            kept = value[keep]
            self.params[name] = trial_minor(kept) if _is_trial_minor(value) else kept
        self.trials = len(self.params["W1"])

    def __repr__(self) -> str:
        trials = "" if self.trials is None else f", trials={self.trials}"
        return (
            f"MLP({self.layer_sizes}, hidden={self.hidden!r}, output={self.output!r}, "
            f"loss={self.loss_name!r}{trials})"
        )
