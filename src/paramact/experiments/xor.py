"""XOR with a 2-2-1 network: plain vs parametric sigmoid and ReLU (Kong & Ko 2021, section IV.1).

The paper trains a network with two inputs, one hidden layer of two neurons and one output on
the four XOR points, and counts the gradient-descent steps until the loss first reaches 0.01,
10 runs per hidden activation (Table 2). The hidden activations are

    sigmoid              z = 1 / (1 + exp(-y))
    parametric sigmoid   z = a / (1 + exp(-(y - b)))                  eq. (10)
    ReLU                 z = max(y, 0)
    parametric ReLU      z = a (y - b) if y >= b else 0               eq. (11)

with one scale ``a`` and one location ``b`` per hidden neuron, initialised at ``a = 1, b = 0``
and learned by gradient descent like the weights. The formulas and their derivatives come from
:mod:`paramact.activations` (with the correction ``dz/db = z (z - a) / a`` of eq. (14), and the
right-hand derivative at the ReLU kink).

The paper leaves out what a reproduction needs (initialisation, learning rate, loss, output
unit, iteration cap), so :class:`XorProtocol` states those choices; it is written into every
result. :func:`run_xor` trains all seeds of all activations at once, one batch of arrays per
activation with no loop over trials; :func:`run_xor_single` is the plain per-trial loop it is
checked against. ``paramact xor --seeds 10`` prints Table 2 beside the paper's numbers and
writes JSON and figures under ``results/xor/``.

Example: seeds 2 and 3, steps until the loss reaches 0.01 (rows: activations, columns: seeds):

>>> result = run_xor([2, 3], ("sigmoid", "parametric_sigmoid"))
>>> result.steps.tolist()
[[3027, 2714], [1849, 1662]]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib.metadata
import json
import math
import os
import platform
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paramact import activations as act
from paramact import losses, stats

__all__ = [
    "ACTIVATIONS", "PAPER_TABLE_2", "PARAMETER_NAMES", "XorProtocol", "XorResult", "XorTrial",
    "initial_parameters", "loss_and_gradients", "run_xor", "run_xor_single", "measure_speedup",
    "summarize", "paired_comparisons", "format_table", "plot_loss_curves", "plot_survival",
    "plot_scale_location", "save_figures", "result_to_json", "add_parser", "run_cli",
]

ACTIVATIONS = ("sigmoid", "parametric_sigmoid", "relu", "parametric_relu")
PARAMETRIC = frozenset({"parametric_sigmoid", "parametric_relu"})
#: (plain, parametric) pairs compared on the same seeds.
PAIRS = (("sigmoid", "parametric_sigmoid"), ("relu", "parametric_relu"))

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])

# Kong & Ko (2021), Table 2: 10 runs per activation, steps until the loss first reaches 0.01.
# Mean, sd, max and min are over the converged runs (for ReLU: 2 runs, so mean = (max + min)/2).
PAPER_TABLE_2 = {
    "sigmoid": {"convergence_rate": 1.00, "mean": 4678.2, "sd": 1903.0, "max": 8592, "min": 2130},
    "parametric_sigmoid": {"convergence_rate": 1.00, "mean": 3670.4, "sd": 1588.8, "max": 6471, "min": 1368},
    "relu": {"convergence_rate": 0.20, "mean": 871.0, "sd": 1033.8, "max": 1602, "min": 140},
    "parametric_relu": {"convergence_rate": 0.20, "mean": 810.0, "sd": 980.1, "max": 1503, "min": 117},
}
PAPER_RUNS = 10

_LOSSES = ("mse", "cross_entropy")
_OUTPUTS = ("sigmoid", "identity")
_INIT_PATTERN = re.compile(r"pytorch|uniform(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class XorProtocol:
    """Everything the paper leaves unspecified, fixed in one place (and stored with each result).

    Defaults: PyTorch's default ``nn.Linear`` initialisation (weights and biases of a layer with
    ``fan_in`` inputs drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), here U(-0.707, 0.707)),
    mean squared error over the four points, a sigmoid output unit, full-batch gradient descent
    with learning rate 0.5 for every parameter (the paper's algorithm box uses one rate for W, a
    and b), threshold 0.01 and a cap of 20000 steps (runs still above the threshold then are
    right-censored).

    Attributes:
        init: ``"pytorch"`` or ``"uniform<r>"`` (every weight and bias from U(-r, r)).
        lr: learning rate of the weights and biases.
        scale_lr, location_lr: learning rates of ``a`` (rho_S of eq. (6)) and ``b`` (rho_L of
            eq. (7)); ``None`` means the same as ``lr``.
        loss: ``"mse"`` (mean of squared errors over the 4 points) or ``"cross_entropy"``
            (binary cross-entropy on the sigmoid output, computed from its logit).
        output: output unit, ``"sigmoid"`` or ``"identity"``.
        threshold: a run has converged at the first step whose loss is <= threshold.
        max_steps: iteration cap.
        learn_scale, learn_location: whether ``a`` and ``b`` are trained (else fixed at their
            initial values).
        hidden_bias_lr_multiplier: the hidden biases learn with ``lr`` times this.
        initial_scale, initial_location: initial ``a`` and ``b`` (the paper's 1 and 0).

    Doubled-bias equivalence: a parametric sigmoid with ``a`` fixed at 1 computes
    ``sigmoid(x w + c - b)``, so ``dL/db = -dL/dc`` and one step moves the effective bias
    ``c - b`` by ``-2 lr dL/dc``. Training ``parametric_sigmoid`` with ``learn_scale=False`` is
    therefore the same trajectory as ``sigmoid`` with ``hidden_bias_lr_multiplier=2.0``
    (``tests/test_xor.py`` checks it step by step to 1e-10).

    Examples:
        >>> XorProtocol(init="uniform0.2", lr=2.0).init_radius
        0.2
        >>> XorProtocol(lr=-1.0)
        Traceback (most recent call last):
        ...
        ValueError: lr must be a positive number, got -1.0
    """

    init: str = "pytorch"
    lr: float = 0.5
    scale_lr: float | None = None
    location_lr: float | None = None
    loss: str = "mse"
    output: str = "sigmoid"
    threshold: float = 0.01
    max_steps: int = 20_000
    learn_scale: bool = True
    learn_location: bool = True
    hidden_bias_lr_multiplier: float = 1.0
    initial_scale: float = 1.0
    initial_location: float = 0.0

    def __post_init__(self):
        if not _INIT_PATTERN.fullmatch(self.init):
            raise ValueError(f"init must be 'pytorch' or 'uniform<r>' (e.g. 'uniform0.2'), got {self.init!r}")
        if self.init != "pytorch" and not self.init_radius > 0:
            raise ValueError(f"the radius of init {self.init!r} must be positive")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr}")
        for name in ("scale_lr", "location_lr"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a non-negative number or None, got {value}")
        if not (math.isfinite(self.hidden_bias_lr_multiplier) and self.hidden_bias_lr_multiplier >= 0):
            raise ValueError(f"hidden_bias_lr_multiplier must be non-negative, got {self.hidden_bias_lr_multiplier}")
        if self.loss not in _LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(_LOSSES)}")
        if self.output not in _OUTPUTS:
            raise ValueError(f"unknown output {self.output!r}; choose one of {', '.join(_OUTPUTS)}")
        if self.loss == "cross_entropy" and self.output != "sigmoid":
            raise ValueError("loss 'cross_entropy' needs output 'sigmoid' (it is a loss on probabilities)")
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            raise ValueError(f"threshold must be positive, got {self.threshold}")
        if isinstance(self.max_steps, bool) or not isinstance(self.max_steps, (int, np.integer)) or self.max_steps < 1:
            raise ValueError(f"max_steps must be an integer >= 1, got {self.max_steps}")

    @property
    def init_radius(self) -> float:
        """Half-width r of U(-r, r) for the weights of a layer with fan_in = 2 (both layers here)."""
        return 1 / math.sqrt(2) if self.init == "pytorch" else float(self.init.removeprefix("uniform"))

    def learning_rates(self, activation: str) -> dict[str, float]:
        """Learning rate of every parameter for one hidden activation (0 = not trained).

        Examples:
            >>> rates = XorProtocol(scale_lr=0.1).learning_rates("parametric_sigmoid")
            >>> rates["w_hidden"], rates["scale"], rates["location"]
            (0.5, 0.1, 0.5)
            >>> XorProtocol().learning_rates("sigmoid")["scale"]  # a plain unit has no a to learn
            0.0
        """
        parametric = activation in PARAMETRIC
        scale_lr = self.lr if self.scale_lr is None else self.scale_lr
        location_lr = self.lr if self.location_lr is None else self.location_lr
        return {
            "w_hidden": self.lr,
            "c_hidden": self.lr * self.hidden_bias_lr_multiplier,
            "scale": scale_lr if parametric and self.learn_scale else 0.0,
            "location": location_lr if parametric and self.learn_location else 0.0,
            "w_out": self.lr,
            "c_out": self.lr,
        }

    def differences(self) -> dict[str, object]:
        """The fields that differ from the default protocol.

        Examples:
            >>> XorProtocol(lr=2.0, max_steps=500).differences()
            {'lr': 2.0, 'max_steps': 500}
        """
        default = XorProtocol()
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name) != getattr(default, f.name)}


# --- the network ----------------------------------------------------------------------------
#
# A batch of n trials keeps the trial axis LAST, so every array is a few contiguous rows of
# length n and the sums over the 4 points are sums of rows (fast in NumPy):
#   w_hidden (2, 2, n) [input, neuron, trial], c_hidden (2, n), scale a (2, n),
#   location b (2, n), w_out (2, n), c_out (n,).
# Forward, per trial:  y = X w_hidden + c_hidden;  z = f(y | a, b);  o = z w_out + c_out;
# p = g(o) with X the 4x2 inputs, y and z of shape 4x2, o and p of length 4.

PARAMETER_NAMES = ("w_hidden", "c_hidden", "scale", "location", "w_out", "c_out")


def _plain(forward, derivative):
    """Give a plain activation the parametric signature; it has no a, b to differentiate."""
    return (lambda y, a, b: forward(y)), (lambda y, a, b: (derivative(y), None, None))


# name -> (z = f(y, a, b), (dz/dy, dz/da, dz/db) = grads(y, a, b))
_HIDDEN = {
    "sigmoid": _plain(act.sigmoid, act.sigmoid_grad),
    "parametric_sigmoid": (act.parametric_sigmoid, act.parametric_sigmoid_grads),
    "relu": _plain(act.relu, act.relu_grad),
    "parametric_relu": (act.parametric_relu, act.parametric_relu_grads),
}


def check_activations(activations) -> tuple[str, ...]:
    """Validate activation names (unknown or repeated names raise ``ValueError``).

    Examples:
        >>> check_activations("relu")
        ('relu',)
        >>> check_activations(["relu", "swish"])
        Traceback (most recent call last):
        ...
        ValueError: unknown activation 'swish'; choose from sigmoid, parametric_sigmoid, relu, parametric_relu
    """
    activations = (activations,) if isinstance(activations, str) else tuple(activations)
    if not activations:
        raise ValueError("give at least one activation")
    for name in activations:
        if name not in _HIDDEN:
            raise ValueError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    if len(set(activations)) != len(activations):
        raise ValueError(f"repeated activation in {', '.join(activations)}")
    return activations


def check_seeds(seeds) -> tuple[int, ...]:
    """``N`` means seeds 0..N-1; otherwise a sequence of distinct non-negative integers.

    Examples:
        >>> check_seeds(3), check_seeds([7, 2])
        ((0, 1, 2), (7, 2))
    """
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"the number of seeds must be at least 1, got {seeds}")
        return tuple(range(int(seeds)))
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    if min(seeds) < 0:
        raise ValueError(f"seeds must be non-negative, got {min(seeds)}")
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct")
    return seeds


def initial_parameters(seeds, protocol: XorProtocol) -> dict[str, np.ndarray]:
    """Initial parameters of each seed, with the trial axis last (see the layout above).

    Seed ``s`` draws from its own ``np.random.default_rng(s)``, in the order w_hidden (row-major
    over [input, neuron]), c_hidden, w_out, c_out, each from U(-r, r): a trial's initial weights
    do not depend on which other seeds run, and are the same for every activation (a paired
    design). ``a`` and ``b`` start at ``protocol.initial_scale`` and ``initial_location``.

    Examples:
        >>> params = initial_parameters([0, 1], XorProtocol())
        >>> params["w_hidden"].shape, params["c_out"].shape
        ((2, 2, 2), (2,))
        >>> bool(np.all(np.abs(params["w_hidden"]) <= 2**-0.5))
        True
    """
    seeds = check_seeds(seeds)
    radius = protocol.init_radius
    # One generator per seed: an O(seeds) set-up cost, outside the training loop.
    draws = np.array([np.random.default_rng(seed).uniform(-radius, radius, size=9) for seed in seeds]).T
    n = len(seeds)
    return {
        "w_hidden": draws[0:4].reshape(2, 2, n),
        "c_hidden": draws[4:6].copy(),
        "scale": np.full((2, n), float(protocol.initial_scale)),
        "location": np.full((2, n), float(protocol.initial_location)),
        "w_out": draws[6:8].copy(),
        "c_out": draws[8].copy(),
    }


def _output_loss(output_pre, protocol: XorProtocol):
    """Loss of each trial (mean over the 4 points) and its gradient w.r.t. the output pre-activation.

    ``output_pre`` has shape (4, n). :mod:`paramact.losses` averages over every element of its
    input; a batch needs one loss per trial, so the same formulas are reduced over the points
    axis here (``tests/test_xor.py`` checks each trial against :mod:`paramact.losses`):

        mse, output g:   L = mean_p (g(o_p) - t_p)^2,            dL/do = 2 (g(o) - t) g'(o) / 4
        cross_entropy:   L = mean_p softplus(o_p) - t_p o_p,      dL/do = (sigmoid(o) - t) / 4
    """
    targets = XOR_TARGETS[:, None]
    n_points = output_pre.shape[0]
    if protocol.loss == "cross_entropy":  # binary cross-entropy of sigmoid(o), from the logit o
        loss = np.mean(act.softplus(output_pre) - targets * output_pre, axis=0)
        return loss, (act.sigmoid(output_pre) - targets) / n_points
    if protocol.output == "sigmoid":
        error = act.sigmoid(output_pre) - targets
        return np.mean(error * error, axis=0), 2 * error * act.sigmoid_grad(output_pre) / n_points
    error = output_pre - targets
    return np.mean(error * error, axis=0), 2 * error / n_points


def loss_and_gradients(params: dict[str, np.ndarray], activation: str, protocol: XorProtocol):
    """Forward and backward pass for a batch of n trials sharing one hidden activation.

    ``params`` uses the trial-last layout above. Backpropagation (per trial; sums over the 4
    points; ``*`` elementwise):

        dL/do = from the loss;             dL/dw_out = z^T dL/do;      dL/dc_out = sum dL/do
        dL/dz = dL/do w_out^T;             dL/dy = dL/dz * dz/dy
        dL/da = sum dL/dz * dz/da;         dL/db = sum dL/dz * dz/db
        dL/dw_hidden = X^T dL/dy;          dL/dc_hidden = sum dL/dy

    with dz/dy, dz/da, dz/db from :mod:`paramact.activations`. Returns ``(loss, grads)``: the loss
    of each trial, shape (n,), and the gradients shaped like ``params`` (``None`` for ``a`` and
    ``b`` of a plain activation).

    Examples:
        >>> params = initial_parameters([0, 1, 2], XorProtocol())
        >>> loss, grads = loss_and_gradients(params, "parametric_relu", XorProtocol())
        >>> loss.shape, grads["w_hidden"].shape, grads["scale"].shape
        ((3,), (2, 2, 3), (2, 3))
    """
    forward, derivatives = _HIDDEN[activation]
    n = params["c_out"].shape[-1]
    scale, location = params["scale"], params["location"]
    # (4, 2) @ (2, 2n): all trials' X w_hidden in one matrix product.
    hidden_pre = (XOR_INPUTS @ params["w_hidden"].reshape(2, -1)).reshape(4, 2, n) + params["c_hidden"]
    hidden = forward(hidden_pre, scale, location)
    output_pre = np.einsum("pjn,jn->pn", hidden, params["w_out"]) + params["c_out"]
    loss, d_output_pre = _output_loss(output_pre, protocol)

    d_hidden = d_output_pre[:, None, :] * params["w_out"]
    dz_dy, dz_da, dz_db = derivatives(hidden_pre, scale, location)
    d_hidden_pre = d_hidden * dz_dy
    grads = {
        "w_hidden": (XOR_INPUTS.T @ d_hidden_pre.reshape(4, -1)).reshape(2, 2, n),
        "c_hidden": d_hidden_pre.sum(axis=0),
        "scale": None if dz_da is None else np.sum(d_hidden * dz_da, axis=0),
        "location": None if dz_db is None else np.sum(d_hidden * dz_db, axis=0),
        "w_out": np.einsum("pjn,pn->jn", hidden, d_output_pre),
        "c_out": d_output_pre.sum(axis=0),
    }
    return loss, grads


# --- training -------------------------------------------------------------------------------


@dataclass
class XorResult:
    """Outcome of :func:`run_xor`; arrays have leading axes (activation, seed).

    Attributes:
        steps: gradient steps until the loss was first <= threshold (0 = the initial weights
            already were); ``protocol.max_steps`` for censored runs (see ``converged``).
        converged: whether the run reached the threshold within the cap.
        final_loss: loss at the convergence step (or at the cap).
        curve_steps, curves: ``curves[..., k]`` is the loss after ``curve_steps[k]`` steps. A
            run stops at convergence, so its curve stays at its final loss from then on.
        parameters: final parameters (those at convergence), shapes (activation, seed, ...):
            w_hidden (.., 2, 2) [input, neuron], c_hidden, scale (learned a), location
            (learned b), w_out (.., 2), c_out (..).
        wall_time_s: training time in seconds.

    Examples:
        >>> result = run_xor(2, ("relu", "parametric_relu"), XorProtocol(max_steps=100))
        >>> result.steps.shape, result.parameters["scale"].shape
        ((2, 2), (2, 2, 2))
        >>> result.row("parametric_relu")
        1
    """

    protocol: XorProtocol
    seeds: tuple[int, ...]
    activations: tuple[str, ...]
    steps: np.ndarray
    converged: np.ndarray
    final_loss: np.ndarray
    curve_steps: np.ndarray
    curves: np.ndarray
    parameters: dict[str, np.ndarray]
    wall_time_s: float

    def row(self, activation: str) -> int:
        """Index of ``activation`` along the first axis."""
        return self.activations.index(activation)


def default_record_every(max_steps: int) -> int:
    """Loss-curve resolution that keeps about 500 points per curve.

    Examples:
        >>> default_record_every(20_000), default_record_every(300)
        (40, 1)
    """
    return max(1, math.ceil(max_steps / 500))


@dataclass
class _ActiveTrials:
    """The trials of one activation that are still training (trial-last parameters)."""

    row: int
    activation: str
    learning_rates: dict[str, float]
    seed_index: np.ndarray
    params: dict[str, np.ndarray]

    def drop(self, finished: np.ndarray):
        keep = ~finished
        self.seed_index = self.seed_index[keep]
        self.params = {name: value[..., keep] for name, value in self.params.items()}


def run_xor(
    seeds,
    activations=ACTIVATIONS,
    protocol: XorProtocol = XorProtocol(),
    *,
    record_every: int | None = None,
    progress: bool = False,
) -> XorResult:
    """Train the 2-2-1 XOR network for every seed and hidden activation, all trials at once.

    Full-batch gradient descent, ``p <- p - lr_p dL/dp`` for every parameter p, on arrays that
    hold all trials of an activation (no loop over trials). At step k (after k updates) the loss
    of the current weights is computed; the first k with loss <= ``protocol.threshold`` is the
    run's step count, and the run leaves the batch there, so its final parameters are those at
    convergence (the paper's Fig. 8). Training ends when every run has converged or after
    ``protocol.max_steps`` updates; runs still above the threshold then are censored. The same
    seed starts from the same weights for every activation.

    Args:
        seeds: a count N (seeds 0..N-1) or a sequence of distinct non-negative integers.
        activations: hidden activations, from :data:`ACTIVATIONS`.
        protocol: see :class:`XorProtocol`.
        record_every: loss-curve resolution in steps (default: about 500 points).
        progress: show a tqdm progress bar on stderr.

    Examples:
        >>> result = run_xor([3], ("relu",), XorProtocol(max_steps=50), record_every=10)
        >>> result.curve_steps.tolist(), result.curves.shape
        ([0, 10, 20, 30, 40, 50], (1, 1, 6))
    """
    seeds = check_seeds(seeds)
    activations = check_activations(activations)
    record_every = default_record_every(protocol.max_steps) if record_every is None else int(record_every)
    if record_every < 1:
        raise ValueError(f"record_every must be at least 1, got {record_every}")
    start = time.perf_counter()

    init = initial_parameters(seeds, protocol)
    shape = (len(activations), len(seeds))
    groups = [
        _ActiveTrials(row, name, protocol.learning_rates(name), np.arange(len(seeds)), {k: v.copy() for k, v in init.items()})
        for row, name in enumerate(activations)
    ]
    steps = np.full(shape, protocol.max_steps, dtype=np.int64)
    converged = np.zeros(shape, dtype=bool)
    final_loss = np.full(shape, np.nan)
    final_params = {name: np.empty(shape + value.shape[:-1]) for name, value in init.items()}
    curve_steps = np.arange(0, protocol.max_steps + 1, record_every)
    curves = np.full(shape + curve_steps.shape, np.nan)

    bar = _progress_bar(protocol.max_steps, enabled=progress)
    for step in range(protocol.max_steps + 1):
        for group in groups:
            if group.seed_index.size == 0:
                continue
            loss, grads = loss_and_gradients(group.params, group.activation, protocol)
            if step % record_every == 0:
                curves[group.row, group.seed_index, step // record_every] = loss
            reached = loss <= protocol.threshold
            # At the cap every run still training finishes; those above the threshold are censored.
            finished = np.ones_like(reached) if step == protocol.max_steps else reached
            if finished.any():
                index = group.row, group.seed_index[finished]
                steps[index] = step
                converged[index] = reached[finished]
                final_loss[index] = loss[finished]
                for name, value in group.params.items():
                    final_params[name][index] = np.moveaxis(value[..., finished], -1, 0)
                group.drop(finished)
                grads = {name: None if g is None else g[..., ~finished] for name, g in grads.items()}
            for name, rate in group.learning_rates.items():
                if rate and grads[name] is not None:
                    group.params[name] -= rate * grads[name]
        if bar is not None and step % 100 == 0:  # a cheap update every 100 steps, not every step
            bar.set_postfix(converged=int(converged.sum()), refresh=False)
            bar.update(step - bar.n)
        if all(group.seed_index.size == 0 for group in groups):
            break
    if bar is not None:
        bar.update(step - bar.n)
        bar.close()

    n_recorded = step // record_every + 1
    curve_steps, curves = curve_steps[:n_recorded], curves[..., :n_recorded]
    # A converged run stopped training: its loss stays at the value it reached.
    curves = np.where(curve_steps > steps[..., None], final_loss[..., None], curves)
    return XorResult(
        protocol=protocol,
        seeds=seeds,
        activations=activations,
        steps=steps,
        converged=converged,
        final_loss=final_loss,
        curve_steps=curve_steps,
        curves=curves,
        parameters=final_params,
        wall_time_s=time.perf_counter() - start,
    )


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="step", desc="xor", file=sys.stderr, mininterval=0.5)


# --- the per-trial reference ----------------------------------------------------------------


@dataclass
class XorTrial:
    """Outcome of :func:`run_xor_single` (one seed, one activation).

    ``losses[k]`` is the loss after ``k * record_every`` steps; ``parameters`` are the final
    ones in the per-trial shapes (w_hidden (2, 2), c_hidden (2,), scale (2,), location (2,),
    w_out (2,), c_out ()).

    Examples:
        >>> trial = run_xor_single(0, "relu", XorProtocol(max_steps=30), record_every=10)
        >>> trial.converged, trial.steps, trial.losses.shape
        (False, 30, (4,))
    """

    seed: int
    activation: str
    steps: int
    converged: bool
    final_loss: float
    losses: np.ndarray
    parameters: dict[str, np.ndarray]


def run_xor_single(seed: int, activation: str, protocol: XorProtocol = XorProtocol(), record_every: int = 1) -> XorTrial:
    """Train one trial with a plain loop over steps: the reference :func:`run_xor` is tested against.

    Same network, initialisation, update rule and stopping rule as :func:`run_xor`, written for a
    single trial with the textbook shapes (X is 4x2, y and z are 4x2) and the library's loss
    functions from :mod:`paramact.losses`; it is also the baseline of the batched speed-up.

    Examples:
        >>> trial = run_xor_single(2, "parametric_sigmoid")
        >>> trial.converged, trial.steps
        (True, 1849)
    """
    (seed,) = check_seeds([seed])
    (activation,) = check_activations([activation])
    forward, derivatives = _HIDDEN[activation]
    init = initial_parameters([seed], protocol)
    params = {name: value[..., 0] for name, value in init.items()}
    rates = protocol.learning_rates(activation)
    losses_seen = []
    for step in range(protocol.max_steps + 1):
        hidden_pre = XOR_INPUTS @ params["w_hidden"] + params["c_hidden"]
        hidden = forward(hidden_pre, params["scale"], params["location"])
        output_pre = hidden @ params["w_out"] + params["c_out"]
        if protocol.loss == "cross_entropy":
            loss, d_output_pre = losses.binary_cross_entropy_with_logits(output_pre, XOR_TARGETS)
        elif protocol.output == "sigmoid":
            loss, d_prediction = losses.mean_squared_error(act.sigmoid(output_pre), XOR_TARGETS)
            d_output_pre = d_prediction * act.sigmoid_grad(output_pre)
        else:
            loss, d_output_pre = losses.mean_squared_error(output_pre, XOR_TARGETS)
        if step % record_every == 0:
            losses_seen.append(loss)
        if loss <= protocol.threshold or step == protocol.max_steps:
            break
        d_hidden = np.outer(d_output_pre, params["w_out"])
        dz_dy, dz_da, dz_db = derivatives(hidden_pre, params["scale"], params["location"])
        d_hidden_pre = d_hidden * dz_dy
        grads = {
            "w_hidden": XOR_INPUTS.T @ d_hidden_pre,
            "c_hidden": d_hidden_pre.sum(axis=0),
            "scale": None if dz_da is None else (d_hidden * dz_da).sum(axis=0),
            "location": None if dz_db is None else (d_hidden * dz_db).sum(axis=0),
            "w_out": hidden.T @ d_output_pre,
            "c_out": d_output_pre.sum(),
        }
        for name, rate in rates.items():
            if rate and grads[name] is not None:
                params[name] = params[name] - rate * grads[name]
    return XorTrial(
        seed=seed,
        activation=activation,
        steps=step,
        converged=bool(loss <= protocol.threshold),
        final_loss=float(loss),
        losses=np.array(losses_seen),
        parameters=params,
    )


def measure_speedup(seeds, activations=ACTIVATIONS, protocol: XorProtocol = XorProtocol(), sample_size: int = 5, repeats: int = 3) -> dict:
    """Wall time of :func:`run_xor` against the per-trial loop :func:`run_xor_single`.

    Running every trial with the per-trial loop would take about an hour for 1000 seeds, so its
    cost is estimated. For each activation the per-trial loop's seconds per step is timed on
    ``sample_size`` seeds and multiplied by the steps all trials of that activation took in the
    batched run (``sum(steps + 1)``: one forward pass per step, plus a backward pass before
    convergence):

        speed-up = sum over activations (per-trial seconds per step * trial-steps) / batched seconds

    Both timings are repeated ``repeats`` times (interleaved, so both see the same machine load);
    the medians are used.

    Examples:
        >>> report = measure_speedup(2, ("relu",), XorProtocol(max_steps=20), sample_size=1, repeats=1)
        >>> report["trial_steps"], report["speedup"] > 0
        ({'relu': 42}, True)
    """
    seeds = check_seeds(seeds)
    activations = check_activations(activations)
    batched_seconds = []
    per_step_seconds = {activation: [] for activation in activations}
    for _ in range(repeats):
        result = run_xor(seeds, activations, protocol)
        batched_seconds.append(result.wall_time_s)
        for activation in activations:
            start, trial_steps = time.perf_counter(), 0
            for seed in seeds[:sample_size]:
                trial_steps += run_xor_single(seed, activation, protocol).steps + 1
            per_step_seconds[activation].append((time.perf_counter() - start) / trial_steps)
    trial_steps = {a: int(np.sum(result.steps[result.row(a)] + 1)) for a in activations}
    estimated_per_trial = sum(float(np.median(per_step_seconds[a])) * trial_steps[a] for a in activations)
    batched = float(np.median(batched_seconds))
    return {
        "seeds": len(seeds),
        "sample_seeds": list(seeds[:sample_size]),
        "repeats": repeats,
        "batched_seconds": batched_seconds,
        "per_trial_seconds_per_step": per_step_seconds,
        "trial_steps": trial_steps,
        "estimated_per_trial_seconds": estimated_per_trial,
        "speedup": estimated_per_trial / batched,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


# --- statistics -----------------------------------------------------------------------------


def summarize(result: XorResult, confidence: float = 0.95) -> dict[str, dict]:
    """Table 2's statistics for each activation, with confidence intervals.

    ``convergence_rate`` with a Wilson interval; ``mean``, ``sd`` (n - 1 in the denominator,
    which reproduces the paper's ReLU columns), ``max``, ``min``, the t-interval of the mean and
    a percentile-bootstrap interval of the median, all over the converged runs (as in the
    paper); ``km_median`` is the Kaplan-Meier median over all runs with its Brookmeyer-Crowley
    interval, which keeps the censored runs (``inf``: fewer than half converged).

    Examples:
        >>> summary = summarize(run_xor([2, 3], ("sigmoid",)))
        >>> summary["sigmoid"]["converged"], summary["sigmoid"]["mean"], summary["sigmoid"]["max"]
        (2, 2870.5, 3027)
    """
    summary = {}
    for activation in result.activations:
        row = result.row(activation)
        observed = result.converged[row]
        steps = result.steps[row][observed].astype(float)
        n_converged = int(observed.sum())
        km_median, km_lo, km_hi = stats.kaplan_meier_median(result.steps[row], observed, confidence)
        summary[activation] = {
            "runs": len(result.seeds),
            "converged": n_converged,
            "convergence_rate": n_converged / len(result.seeds),
            "convergence_rate_ci": stats.wilson_interval(n_converged, len(result.seeds), confidence),
            "mean": float(steps.mean()) if n_converged else math.nan,
            "sd": float(steps.std(ddof=1)) if n_converged > 1 else math.nan,
            "max": int(steps.max()) if n_converged else None,
            "min": int(steps.min()) if n_converged else None,
            "mean_ci": stats.mean_ci(steps, confidence),
            "median": float(np.median(steps)) if n_converged else math.nan,
            "median_bootstrap_ci": stats.bootstrap_ci(steps, np.median, confidence=confidence),
            "km_median": km_median,
            "km_median_ci": (km_lo, km_hi),
        }
    return summary


def paired_comparisons(result: XorResult) -> list[dict]:
    """Plain vs parametric activation on the same seeds (same initial weights).

    The sign test uses every pair whose order is known: a run censored at the cap is slower
    than any converged run, two censored runs are undecided. The Wilcoxon signed-rank test uses
    the pairs where both converged (see :mod:`paramact.stats` for why).

    Examples:
        >>> (comparison,) = paired_comparisons(run_xor([2, 3], ("sigmoid", "parametric_sigmoid")))
        >>> comparison["parametric_faster"], comparison["plain_faster"], comparison["sign_test_p"]
        (2, 0, 0.5)
    """
    comparisons = []
    for plain, parametric in PAIRS:
        if plain not in result.activations or parametric not in result.activations:
            continue
        x, y = result.row(plain), result.row(parametric)
        args = (result.steps[x], result.steps[y], result.converged[x], result.converged[y])
        sign, wilcoxon = stats.sign_test(*args), stats.wilcoxon_paired(*args)
        comparisons.append(
            {
                "plain": plain,
                "parametric": parametric,
                "parametric_faster": sign.n_y_smaller,
                "plain_faster": sign.n_x_smaller,
                "ties": sign.n_ties,
                "undecided": sign.n_censored_left_out,
                "sign_test_p": sign.pvalue,
                "wilcoxon_p": wilcoxon.pvalue,
                "wilcoxon_pairs": wilcoxon.n_used,
                "median_step_ratio_both_converged": _median_ratio(result, x, y),
            }
        )
    return comparisons


def _median_ratio(result: XorResult, x: int, y: int) -> float:
    """Median of parametric/plain steps over the seeds where both converged (nan if none)."""
    both = result.converged[x] & result.converged[y]
    if not both.any():
        return math.nan
    # max(., 1): a run that starts below the threshold has 0 steps.
    return float(np.median(result.steps[y][both] / np.maximum(result.steps[x][both], 1)))


# --- the printed table ----------------------------------------------------------------------


def _fmt(value, spec: str, width: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-".rjust(width)
    return format(value, spec).rjust(width)


def _fmt_steps(value: float, cap: int) -> str:
    return f">{cap}" if math.isinf(value) else f"{value:.0f}"


def protocol_line(protocol: XorProtocol) -> str:
    """One line that states the protocol.

    Examples:
        >>> print(protocol_line(XorProtocol(init="uniform0.2", lr=2.0)))
        init uniform0.2 (U(-0.2, 0.2)), lr 2 (a: 2, b: 2, hidden bias x1), loss mse, output sigmoid, threshold 0.01, cap 20000 steps
    """
    rates = protocol.learning_rates("parametric_sigmoid")
    init = "PyTorch nn.Linear default" if protocol.init == "pytorch" else protocol.init
    parts = [
        f"init {init} (U(-{protocol.init_radius:.3g}, {protocol.init_radius:.3g}))",
        f"lr {protocol.lr:g} (a: {rates['scale']:g}, b: {rates['location']:g}, hidden bias x{protocol.hidden_bias_lr_multiplier:g})",
        f"loss {protocol.loss}",
        f"output {protocol.output}",
        f"threshold {protocol.threshold:g}",
        f"cap {protocol.max_steps} steps",
    ]
    return ", ".join(parts)


def format_table(result: XorResult, summary: dict | None = None, comparisons: list | None = None) -> str:
    """Table 2 of the paper beside this run, then the paired comparisons, as plain text.

    Examples:
        >>> table = format_table(run_xor(2, ("relu",), XorProtocol(max_steps=100)))
        >>> print(table.splitlines()[6])
        relu                paper     10   20.0% [  6,  51]      871.0  1033.8   1602    140
    """
    summary = summarize(result) if summary is None else summary
    comparisons = paired_comparisons(result) if comparisons is None else comparisons
    seeds = result.seeds
    if len(seeds) == 1:
        seed_text = f"1 seed ({seeds[0]})"
    elif seeds == tuple(range(seeds[0], seeds[-1] + 1)):
        seed_text = f"{len(seeds)} seeds ({seeds[0]}-{seeds[-1]})"
    else:
        seed_text = f"{len(seeds)} seeds (listed in the JSON)"
    lines = [
        f"XOR 2-2-1: gradient steps until the loss first reaches {result.protocol.threshold:g}"
        " (Kong & Ko 2021, Table 2, beside this run)",
        f"protocol: {protocol_line(result.protocol)}",
        f"runs: {seed_text} per activation, the same initial weights for every activation;"
        f" training took {result.wall_time_s:.1f} s",
        "",
        f"{'activation':<19} {'source':<6} {'runs':>5}  {'converged [95% CI]':<19} {'mean':>8} {'sd':>7}"
        f" {'max':>6} {'min':>6}  median [95% CI]",
    ]
    lines.append("-" * (len(lines[-1]) + 8))
    for activation in result.activations:
        ours = summary[activation]
        paper = PAPER_TABLE_2[activation]
        paper_ci = stats.wilson_interval(round(paper["convergence_rate"] * PAPER_RUNS), PAPER_RUNS)
        for source, row, ci, runs in (
            ("paper", paper, paper_ci, PAPER_RUNS),
            ("ours", ours, ours["convergence_rate_ci"], ours["runs"]),
        ):
            converged = f"{100 * row['convergence_rate']:5.1f}% [{100 * ci[0]:3.0f}, {100 * ci[1]:3.0f}]"
            median = ""
            if source == "ours":
                lo, hi = ours["km_median_ci"]
                cap = result.protocol.max_steps
                median = f"{_fmt_steps(ours['km_median'], cap)} [{_fmt_steps(lo, cap)}, {_fmt_steps(hi, cap)}]"
            lines.append(
                f"{activation if source == 'paper' else '':<19} {source:<6} {runs:>5}  {converged:<19}"
                f" {_fmt(row['mean'], '.1f', 8)} {_fmt(row['sd'], '.1f', 7)}"
                f" {_fmt(row['max'], 'd', 6)} {_fmt(row['min'], 'd', 6)}  {median}"
            )
    lines += [
        "converged: Wilson interval. mean, sd (n-1), max, min: over the converged runs, as in the paper.",
        "median: Kaplan-Meier over all runs (censored runs kept; >cap: not reached within the cap),"
        " Brookmeyer-Crowley interval.",
    ]
    if comparisons:
        lines += [
            "",
            "paired comparison on the same seeds (a run censored at the cap is slower than any converged run)",
            f"{'plain vs parametric':<40} {'param. faster':>13} {'plain faster':>12} {'ties':>5} {'undecided':>9}"
            f" {'sign test p':>11} {'Wilcoxon p (pairs)':>19} {'median ratio':>12}",
        ]
        for c in comparisons:
            wilcoxon = f"{_fmt(c['wilcoxon_p'], '.3g', 9)} ({c['wilcoxon_pairs']})"
            lines.append(
                f"{c['plain'] + ' vs ' + c['parametric']:<40} {c['parametric_faster']:>13} {c['plain_faster']:>12}"
                f" {c['ties']:>5} {c['undecided']:>9} {_fmt(c['sign_test_p'], '.3g', 11)} {wilcoxon:>19}"
                f" {_fmt(c['median_step_ratio_both_converged'], '.3f', 12)}"
            )
        lines.append(
            "sign test: exact binomial on the decided pairs. Wilcoxon: signed-rank on the pairs where both"
            " converged. median ratio: parametric/plain steps, both converged."
        )
    return "\n".join(line.rstrip() for line in lines)


# --- figures --------------------------------------------------------------------------------

_COLOURS = {"sigmoid": "tab:blue", "parametric_sigmoid": "tab:orange", "relu": "tab:green", "parametric_relu": "tab:red"}
_LINESTYLES = {"sigmoid": "-", "parametric_sigmoid": "--", "relu": "-", "parametric_relu": "--"}
CURVE_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _label(activation: str) -> str:
    return activation.replace("_", " ").replace("relu", "ReLU")


def plot_loss_curves(result: XorResult):
    """Figs. 7/9 style: median loss per activation with its interquartile band over seeds, log y.

    Left: all runs. Right: only the runs that converged (the paper's Fig. 9 shows converged
    ReLU runs). Returns a :class:`matplotlib.figure.Figure` (no pyplot, no global backend).

    Examples:
        >>> fig = plot_loss_curves(run_xor(2, ("relu",), XorProtocol(max_steps=50)))
        >>> [ax.get_title() for ax in fig.axes]
        ['all runs', 'converged runs']
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, only_converged in zip(axes, (False, True)):
        for activation in result.activations:
            row = result.row(activation)
            runs = result.converged[row] if only_converged else np.ones(len(result.seeds), bool)
            if not runs.any():
                continue
            curves = result.curves[row][runs]
            q25, median, q75 = np.quantile(curves, [0.25, 0.5, 0.75], axis=0)
            colour = _COLOURS[activation]
            ax.plot(result.curve_steps, median, color=colour, ls=_LINESTYLES[activation], lw=1.6,
                    label=f"{_label(activation)} (n={int(runs.sum())})")
            ax.fill_between(result.curve_steps, q25, q75, color=colour, alpha=0.18, lw=0)
        ax.axhline(result.protocol.threshold, color="black", lw=0.8, ls=":")
        ax.set_yscale("log")
        # Linear up to 100 steps, logarithmic beyond: ReLU runs converge in hundreds of steps,
        # sigmoid runs in thousands.
        ax.set_xscale("symlog", linthresh=100, linscale=0.5)
        ax.set_xlim(0, result.curve_steps[-1])
        ax.set_xlabel("gradient step (linear to 100, then log)")
        ax.set_title("converged runs" if only_converged else "all runs")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
        else:
            ax.text(0.5, 0.5, "no run converged", transform=ax.transAxes, ha="center")
    axes[0].set_ylabel(f"loss ({result.protocol.loss}); median and 25-75% band")
    fig.suptitle(f"XOR 2-2-1: loss curves over {len(result.seeds)} seeds (dotted: threshold)")
    return fig


def plot_survival(result: XorResult):
    """Kaplan-Meier curves of steps-to-converge: the fraction of runs still above the threshold.

    A ``+`` at the cap marks the censored runs (never converged within ``max_steps``).

    Examples:
        >>> fig = plot_survival(run_xor(2, ("relu",), XorProtocol(max_steps=50)))
        >>> fig.axes[0].get_ylabel()
        'fraction of runs not yet converged'
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    cap = result.protocol.max_steps
    first_event = result.steps[result.converged].min(initial=cap)
    start = 10.0 ** math.floor(math.log10(max(first_event, 1)))  # the decade of the first convergence
    for activation in result.activations:
        row = result.row(activation)
        times, survival = stats.kaplan_meier(result.steps[row], result.converged[row])
        x = np.concatenate([[start], np.maximum(times, start), [cap]])
        y = np.concatenate([[1.0], survival, [survival[-1] if survival.size else 1.0]])
        colour = _COLOURS[activation]
        ax.step(x, y, where="post", color=colour, ls=_LINESTYLES[activation], label=_label(activation))
        n_censored = int((~result.converged[row]).sum())
        if n_censored:
            ax.plot([cap], [y[-1]], marker="+", ms=12, mew=2, color=colour)
    ax.set_xscale("log")
    ax.set_xlim(start, cap * 1.3)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("gradient steps")
    ax.set_ylabel("fraction of runs not yet converged")
    ax.set_title(f"Kaplan-Meier, {len(result.seeds)} seeds (+: censored at {cap})")
    ax.legend(fontsize=8)
    return fig


def plot_scale_location(result: XorResult):
    """Fig. 8 style: the learned (a, b) of both hidden neurons, one point per run and neuron.

    (1, 0) is the ordinary activation the runs start from; hollow markers are censored runs.
    Returns ``None`` when the run has no parametric activation.

    Examples:
        >>> result = run_xor(2, ("relu", "parametric_relu"), XorProtocol(max_steps=50))
        >>> plot_scale_location(result).axes[0].get_xlabel()
        'scale a'
    """
    from matplotlib.figure import Figure

    parametric = [a for a in result.activations if a in PARAMETRIC]
    if not parametric:
        return None
    fig = Figure(figsize=(5.2 * len(parametric), 4.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(parametric)))
    many = len(result.seeds) > 100  # rasterise big scatters so the SVG stays small
    for ax, activation in zip(axes, parametric):
        row = result.row(activation)
        scale, location = result.parameters["scale"][row], result.parameters["location"][row]
        converged = result.converged[row]
        for neuron, (marker, colour) in enumerate((("o", "tab:purple"), ("^", "tab:cyan"))):
            for mask, filled in ((converged, True), (~converged, False)):
                if mask.any():
                    ax.scatter(scale[mask, neuron], location[mask, neuron], marker=marker, s=14 if many else 36,
                               facecolors=colour if filled else "none", edgecolors=colour, alpha=0.6 if many else 0.9,
                               linewidths=0.8, rasterized=many,
                               label=f"neuron {neuron + 1}" + ("" if filled else " (censored)"))
        ax.scatter([result.protocol.initial_scale], [result.protocol.initial_location], marker="*", s=180,
                   color="black", zorder=5, label=f"start (a, b) = ({result.protocol.initial_scale:g}, "
                   f"{result.protocol.initial_location:g})")
        ax.set_xlabel("scale a")
        ax.set_ylabel("location b")
        ax.set_title(f"{_label(activation)}: learned (a, b)")
        ax.legend(fontsize=8)
    return fig


def save_figures(result: XorResult, out_dir, stem: str) -> list[Path]:
    """Save the three figures as PNG (100 dpi) and SVG; returns the paths written.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     paths = save_figures(run_xor(2, ("relu",), XorProtocol(max_steps=50)), folder, "demo")
        >>> [path.name for path in paths]
        ['demo_loss_curves.png', 'demo_loss_curves.svg', 'demo_survival.png', 'demo_survival.svg']
    """
    from matplotlib import rc_context

    out_dir = Path(out_dir)
    written = []
    figures = {"loss_curves": plot_loss_curves(result), "survival": plot_survival(result),
               "scale_location": plot_scale_location(result)}
    # A fixed hash salt and no date make regenerated SVGs identical for identical results.
    with rc_context({"svg.hashsalt": "paramact-xor"}):
        for name, fig in figures.items():
            if fig is None:
                continue
            for suffix, metadata in ((".png", {}), (".svg", {"Date": None})):
                path = out_dir / f"{stem}_{name}{suffix}"
                fig.savefig(path, dpi=100, metadata=metadata)
                written.append(path)
    return written


# --- JSON -----------------------------------------------------------------------------------


def _json_safe(value, digits: int = 6):
    """Convert NumPy types to Python ones, non-finite floats to None, floats to ``digits`` significant digits."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_safe(v, digits) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(f"{value:.{digits}g}") if math.isfinite(value) else None
    return value


def dump_json(document: dict) -> str:
    """Indented JSON with every innermost list of numbers on one line (keeps the files small).

    Examples:
        >>> print(dump_json({"steps": [1, None, 3], "protocol": {"lr": 0.5}}))
        {
         "steps": [1, null, 3],
         "protocol": {
          "lr": 0.5
         }
        }
    """
    text = json.dumps(document, indent=1, allow_nan=False)
    return re.sub(r"\[[-0-9.eE+,\snul]*\]", lambda match: " ".join(match.group().split()).replace("[ ", "[").replace(" ]", "]"), text)


def environment() -> dict:
    """Versions and hardware, stored with every result.

    Examples:
        >>> sorted(environment()["versions"])
        ['matplotlib', 'numpy', 'paramact', 'python', 'scipy']
    """
    def version(package):
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": version("scipy"),
            "matplotlib": version("matplotlib"),
            "paramact": version("paramact"),
        },
        "hardware": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "processor": platform.processor() or None,
            "cpu_count": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        },
    }


def result_to_json(result: XorResult, summary: dict | None = None, comparisons: list | None = None,
                   per_trial_curves_up_to: int = 20) -> dict:
    """Everything needed to redraw the table and figures, as JSON-ready Python objects.

    Per-trial steps are ``null`` for censored runs. Loss curves are stored as quantiles over
    seeds (:data:`CURVE_QUANTILES`) and, for at most ``per_trial_curves_up_to`` seeds, per trial.
    Floats are kept to 6 significant digits.

    Examples:
        >>> document = result_to_json(run_xor(2, ("relu",), XorProtocol(max_steps=50)))
        >>> document["trials"]["relu"]["steps"], document["protocol"]["max_steps"]
        ([None, None], 50)
    """
    summary = summarize(result) if summary is None else summary
    comparisons = paired_comparisons(result) if comparisons is None else comparisons
    trials = {}
    for activation in result.activations:
        row = result.row(activation)
        entry = {
            "steps": [int(s) if c else None for s, c in zip(result.steps[row], result.converged[row])],
            "final_loss": result.final_loss[row],
        }
        if activation in PARAMETRIC:
            entry["scale"] = result.parameters["scale"][row]
            entry["location"] = result.parameters["location"][row]
        trials[activation] = entry
    curves = {
        "steps": result.curve_steps,
        "quantiles": CURVE_QUANTILES,
        "all_runs": {a: np.quantile(result.curves[result.row(a)], CURVE_QUANTILES, axis=0) for a in result.activations},
    }
    if len(result.seeds) <= per_trial_curves_up_to:
        curves["per_trial"] = {a: result.curves[result.row(a)] for a in result.activations}
    document = {
        "experiment": "xor",
        "description": "2-2-1 network on XOR: gradient steps until the loss first reaches the threshold,"
        " plain vs parametric hidden activations (Kong & Ko 2021, section IV.1)",
        "paper": {
            "reference": "Kong & Ko (2021), Performance Improvement Method of Deep Neural Network Using"
            " Parametric Activation Functions, Journal of the Korea Contents Association, Table 2",
            "runs": PAPER_RUNS,
            "table2": PAPER_TABLE_2,
        },
        "notes": {
            "steps": "gradient steps until the loss was first <= threshold; null: censored (not converged"
            " within protocol.max_steps)",
            "summary": "mean, sd (n-1), max, min, mean_ci, median, median_bootstrap_ci: over converged runs;"
            " km_median and km_median_ci: Kaplan-Meier over all runs, null = not reached within the cap;"
            " other nulls: undefined (too few converged runs)",
            "scale, location": "learned a and b of hidden neurons 1 and 2, at convergence (or at the cap)",
        },
        "protocol": {**dataclasses.asdict(result.protocol), "init_radius": result.protocol.init_radius},
        "seeds": result.seeds,
        "activations": result.activations,
        "trials": trials,
        "summary": summary,
        "paired_comparisons": comparisons,
        "loss_curves": curves,
        "wall_time_s": result.wall_time_s,
        "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **environment(),
    }
    return _json_safe(document)


def result_stem(n_seeds: int, activations, protocol: XorProtocol) -> str:
    """File-name stem: ``seeds<N>`` for the default protocol, plus the fields that differ.

    Examples:
        >>> result_stem(10, ACTIVATIONS, XorProtocol(init="uniform0.2", lr=2.0))
        'seeds10_init-uniform0.2_lr-2.0'
    """
    parts = [f"seeds{n_seeds}"]
    if tuple(activations) != ACTIVATIONS:
        parts.append("+".join(activations))
    parts += [f"{name}-{value}" for name, value in protocol.differences().items()]
    return re.sub(r"[^A-Za-z0-9._+-]", "-", "_".join(parts))


# --- command line ---------------------------------------------------------------------------


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``paramact xor`` subcommand on ``subparsers``; it calls :func:`run_cli`.

    Examples:
        >>> parser = argparse.ArgumentParser(prog="paramact")
        >>> _ = add_parser(parser.add_subparsers())
        >>> args = parser.parse_args(["xor", "--seeds", "1000", "--init", "uniform0.2", "--lr", "2"])
        >>> args.seeds, args.init, args.lr, args.func is run_cli
        (1000, 'uniform0.2', 2.0, True)
    """
    default = XorProtocol()
    parser = subparsers.add_parser(
        "xor",
        help="reproduce the XOR experiment (Table 2, Figs. 7-9) of Kong & Ko (2021)",
        description="Train a 2-2-1 network on XOR for N seeds with plain and parametric sigmoid/ReLU"
        " hidden units, count the gradient steps until the loss reaches the threshold, and print"
        " Table 2 beside the paper's numbers. Writes <out>/<stem>.json and figures.",
    )
    parser.add_argument("--seeds", type=int, default=10, help="number of seeds N: runs seeds 0..N-1 (default 10)")
    parser.add_argument("--activations", nargs="+", default=list(ACTIVATIONS), metavar="NAME",
                        help=f"hidden activations (default: {' '.join(ACTIVATIONS)})")
    parser.add_argument("--out", default="results/xor", help="output folder (default results/xor)")
    parser.add_argument("--name", help="file-name stem (default: seeds<N> plus the non-default options)")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG/SVG figures")
    protocol = parser.add_argument_group("protocol (defaults: PyTorch init, MSE, sigmoid output, lr 0.5)")
    protocol.add_argument("--max-steps", type=int, default=default.max_steps,
                          help=f"iteration cap; runs not converged by then are censored (default {default.max_steps})")
    protocol.add_argument("--init", default=default.init, help="'pytorch' (U(-1/sqrt(fan_in), 1/sqrt(fan_in)))"
                          " or 'uniform<r>', e.g. uniform0.2 (default pytorch)")
    protocol.add_argument("--lr", type=float, default=default.lr, help=f"learning rate (default {default.lr})")
    protocol.add_argument("--scale-lr", type=float, help="learning rate of a (default: --lr)")
    protocol.add_argument("--location-lr", type=float, help="learning rate of b (default: --lr)")
    protocol.add_argument("--loss", default=default.loss, help="mse or cross_entropy (default mse)")
    protocol.add_argument("--output", default=default.output, help="output unit: sigmoid or identity (default sigmoid)")
    protocol.add_argument("--threshold", type=float, default=default.threshold, help="loss threshold (default 0.01)")
    protocol.add_argument("--fixed-scale", action="store_true", help="keep a at 1 (do not learn it)")
    protocol.add_argument("--fixed-location", action="store_true", help="keep b at 0 (do not learn it)")
    protocol.add_argument("--hidden-bias-lr-multiplier", type=float, default=default.hidden_bias_lr_multiplier,
                          help="multiply the hidden biases' learning rate (default 1)")
    parser.add_argument("--benchmark", type=int, default=0, metavar="K",
                        help="also time the per-trial loop on K seeds per activation and report the batched speed-up")
    parser.add_argument("--benchmark-repeats", type=int, default=3, help="repetitions of the benchmark (default 3)")
    parser.set_defaults(func=run_cli)
    return parser


def _protocol_from_args(args) -> XorProtocol:
    return XorProtocol(
        init=args.init,
        lr=args.lr,
        scale_lr=args.scale_lr,
        location_lr=args.location_lr,
        loss=args.loss,
        output=args.output,
        threshold=args.threshold,
        max_steps=args.max_steps,
        learn_scale=not args.fixed_scale,
        learn_location=not args.fixed_location,
        hidden_bias_lr_multiplier=args.hidden_bias_lr_multiplier,
    )


def run_cli(args) -> int:
    """``paramact xor``: run, print the table, write JSON and figures. Returns the exit code.

    Bad input (unknown activation, seeds < 1, a negative learning rate, ...) prints one line
    ``paramact xor: error: ...`` on stderr and returns 2, before any training.

    Examples:
        >>> parser = argparse.ArgumentParser(prog="paramact")
        >>> _ = add_parser(parser.add_subparsers())
        >>> import contextlib, io
        >>> with contextlib.redirect_stderr(io.StringIO()) as err:
        ...     code = run_cli(parser.parse_args(["xor", "--seeds", "0"]))
        >>> code, err.getvalue().strip()
        (2, 'paramact xor: error: the number of seeds must be at least 1, got 0')
    """
    try:
        protocol = _protocol_from_args(args)
        seeds = check_seeds(args.seeds)
        activations = check_activations(args.activations)
        if args.benchmark < 0 or args.benchmark_repeats < 1:
            raise ValueError("--benchmark must be >= 0 and --benchmark-repeats >= 1")
    except ValueError as error:
        print(f"paramact xor: error: {error}", file=sys.stderr)
        return 2

    result = run_xor(seeds, activations, protocol, progress=sys.stderr.isatty())
    summary, comparisons = summarize(result), paired_comparisons(result)
    print(format_table(result, summary, comparisons))
    document = result_to_json(result, summary, comparisons)
    if args.benchmark:
        benchmark = measure_speedup(seeds, activations, protocol, args.benchmark, args.benchmark_repeats)
        print(f"\nbatched vs per-trial: {benchmark['speedup']:.0f}x faster (median batched"
              f" {np.median(benchmark['batched_seconds']):.2f} s, per-trial loop estimated"
              f" {benchmark['estimated_per_trial_seconds']:.0f} s from {args.benchmark} seeds per activation,"
              f" {args.benchmark_repeats} repeats; load average {benchmark['load_average'][0]:.1f})")
        document["benchmark"] = _json_safe(benchmark)

    out_dir = Path(args.out)
    stem = args.name or result_stem(len(seeds), activations, protocol)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = [] if args.no_figures else save_figures(result, out_dir, stem)
        document["figures"] = [path.name for path in written]
        json_path = out_dir / f"{stem}.json"
        json_path.write_text(dump_json(document) + "\n")
    except OSError as error:
        print(f"paramact xor: error: cannot write to {out_dir}: {error}", file=sys.stderr)
        return 1
    print(f"\nwrote {json_path}" + "".join(f"\nwrote {path}" for path in written))
    return 0
