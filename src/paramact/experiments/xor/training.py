"""Training the XOR network: every trial at once.

The network is :class:`paramact.mlp.MLP` ``[2, 2, 1]``: parameters ``W1`` (2, 2) [input,
neuron], ``c1`` (2,) the hidden biases, ``a1``, ``b1`` (2,) the hidden scales and locations of a
parametric activation, ``W2`` (2, 1), ``c2`` (1,). :func:`run_xor` trains all seeds of an
activation as one ``MLP(..., trials=T)`` with :class:`paramact.optim.SGD`; a trial leaves the
batch at the step its loss first reaches the threshold. Backpropagation is
:meth:`paramact.mlp.MLP.loss`. :mod:`~paramact.experiments.xor.reference` trains one seed at a
time, the reference this batched run is tested against.

>>> result = run_xor([2, 3], ("sigmoid", "parametric_sigmoid"))
>>> result.steps.tolist()
[[3027, 2714], [1849, 1662]]
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from paramact.experiments.common import ACTIVATIONS, progress_bar
from paramact.experiments.xor.protocol import (
    XOR_INPUTS,
    XOR_TARGETS,
    XorProtocol,
    check_activations,
    check_seeds,
)
from paramact.mlp import MLP, trial_minor
from paramact.optim import SGD

__all__ = [
    "XorResult",
    "initial_weights",
    "network",
    "optimizer",
    "default_record_every",
    "run_xor",
]

_MLP_LOSS = {"mse": "mse", "cross_entropy": "bce"}  # the protocol's loss -> the MLP's
TARGETS = XOR_TARGETS[:, None]  # (4, 1): the network's output shape


def initial_weights(
    seeds: int | Iterable[int], protocol: XorProtocol | None = None
) -> dict[str, np.ndarray]:
    """Initial weights and biases of each seed, with a leading seed axis (the MLP's trial axis).

    Seed ``s`` draws 9 numbers from its own ``np.random.default_rng(s)``, U(-r, r), in the order
    ``W1`` (row-major over [input, neuron]), ``c1``, ``W2``, ``c2``: a trial's initial weights do
    not depend on which other seeds run, and are the same for every activation (a paired design).

    Examples:
        >>> weights = initial_weights([0, 1])
        >>> {name: value.shape for name, value in weights.items()}
        {'W1': (2, 2, 2), 'c1': (2, 2), 'W2': (2, 2, 1), 'c2': (2, 1)}
        >>> bool(np.all(np.abs(weights["W1"]) <= 2**-0.5))
        True
    """
    seeds = check_seeds(seeds)
    radius = (protocol or XorProtocol()).init_radius
    # One generator per seed: an O(seeds) set-up cost, outside the training loop.
    draws = np.array(
        [np.random.default_rng(seed).uniform(-radius, radius, size=9) for seed in seeds]
    )
    pieces = {
        "W1": draws[:, 0:4].reshape(-1, 2, 2),
        "c1": draws[:, 4:6],
        "W2": draws[:, 6:8].reshape(-1, 2, 1),
        "c2": draws[:, 8:9],
    }
    return {name: np.ascontiguousarray(value) for name, value in pieces.items()}


def network(
    activation: str, seeds: int | Iterable[int], protocol: XorProtocol | None = None
) -> MLP:
    """The 2-2-1 network of every seed at its initial weights: an ``MLP`` with one trial per seed.

    ``a1`` and ``b1`` (parametric activations only) start at ``protocol.a_init`` and ``b_init``.
    Its ``loss(XOR_INPUTS, XOR_TARGETS[:, None])`` is the loss of each trial and its gradients.

    Examples:
        >>> net = network("parametric_relu", [0, 1, 2])
        >>> loss, grads = net.loss(XOR_INPUTS, XOR_TARGETS[:, None])
        >>> loss.shape, grads["W1"].shape, grads["a1"].shape
        ((3,), (3, 2, 2), (3, 2))
    """
    (activation,) = check_activations([activation])
    protocol = protocol or XorProtocol()
    weights = initial_weights(seeds, protocol)
    net = MLP(
        [2, 2, 1],
        hidden=activation,
        output=protocol.output,
        loss=_MLP_LOSS[protocol.loss],
        a_init=protocol.a_init,
        b_init=protocol.b_init,
        seed=0,
        trials=len(weights["W1"]),
    )
    net.params.update({name: trial_minor(w) if w.ndim == 3 else w for name, w in weights.items()})
    return net


def optimizer(activation: str, protocol: XorProtocol, net: MLP) -> tuple[SGD, dict[str, list[str]]]:
    """Plain gradient descent with the protocol's rates, and the parameter groups it reads.

    The groups are the network's, with the hidden biases ``c1`` in a group of their own,
    ``"hidden_bias"``, and the output layer's ``W2``, ``c2`` in ``"output"`` (see
    :meth:`XorProtocol.learning_rates`).

    Examples:
        >>> sgd, groups = optimizer("sigmoid", XorProtocol(), network("sigmoid", 1))
        >>> groups["hidden_bias"], sgd.lrs["scale"]
        (['c1'], 0.0)
    """
    sgd = SGD(protocol.lr)
    sgd.lrs.update(protocol.learning_rates(activation))
    own = {"hidden_bias": ["c1"], "output": ["W2", "c2"]}  # groups with their own rates
    taken = {name for names in own.values() for name in names}
    groups = {
        label: [name for name in names if name not in taken] for label, names in net.groups.items()
    }
    return sgd, groups | own


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
        parameters: ``parameters[activation][name]``: the final parameters (those at
            convergence) of the network's ``name`` (``W1``, ``c1``, ``a1``, ``b1``, ``W2``,
            ``c2``), with a leading seed axis; ``a1`` and ``b1`` for parametric activations only.
        wall_time_s: training time in seconds.

    Examples:
        >>> result = run_xor(2, ("relu", "parametric_relu"), XorProtocol(max_steps=100))
        >>> result.steps.shape, result.parameters["parametric_relu"]["a1"].shape
        ((2, 2), (2, 2))
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
    parameters: dict[str, dict[str, np.ndarray]]
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


class _Batch:
    """The trials of one activation that are still training, with their optimiser."""

    def __init__(self, row: int, activation: str, seeds: tuple[int, ...], protocol: XorProtocol):
        self.row, self.activation = row, activation
        self.net = network(activation, seeds, protocol)
        self.sgd, self.groups = optimizer(activation, protocol, self.net)
        self.left = np.arange(len(seeds))  # the seed columns of the trials still training

    def retire(self, finished: np.ndarray, grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Drop the finished trials from the network; returns the gradients of the others."""
        keep = ~finished
        self.net.keep_trials(keep)
        self.left = self.left[keep]
        return {name: grad[keep] for name, grad in grads.items()}


class _Record:
    """The arrays of an :class:`XorResult`, filled in as trials finish."""

    def __init__(
        self, batches: list[_Batch], n_seeds: int, protocol: XorProtocol, record_every: int
    ):
        shape = (len(batches), n_seeds)
        self.record_every = record_every
        self.steps = np.full(shape, protocol.max_steps, dtype=np.int64)
        self.converged = np.zeros(shape, dtype=bool)
        self.final_loss = np.full(shape, np.nan)
        self.curve_steps = np.arange(0, protocol.max_steps + 1, record_every)
        self.curves = np.full(shape + self.curve_steps.shape, np.nan)
        self.parameters = {
            batch.activation: {
                name: np.empty((n_seeds, *value.shape[1:]))
                for name, value in batch.net.params.items()
            }
            for batch in batches
        }

    def loss(self, batch: _Batch, step: int, loss: np.ndarray) -> None:
        if step % self.record_every == 0:
            self.curves[batch.row, batch.left, step // self.record_every] = loss

    def finish(
        self, batch: _Batch, finished: np.ndarray, reached: np.ndarray, step: int, loss: np.ndarray
    ) -> None:
        index = batch.row, batch.left[finished]
        self.steps[index] = step
        self.converged[index] = reached[finished]
        self.final_loss[index] = loss[finished]
        for name, value in batch.net.params.items():
            self.parameters[batch.activation][name][batch.left[finished]] = value[finished]

    def curves_until(self, last_step: int) -> tuple[np.ndarray, np.ndarray]:
        """The recorded curves up to ``last_step``; a converged run stays at its final loss."""
        n_recorded = last_step // self.record_every + 1
        curve_steps, curves = self.curve_steps[:n_recorded], self.curves[..., :n_recorded]
        return curve_steps, np.where(
            curve_steps > self.steps[..., None], self.final_loss[..., None], curves
        )


def run_xor(
    seeds: int | Iterable[int],
    activations: str | Iterable[str] = ACTIVATIONS,
    protocol: XorProtocol | None = None,
    *,
    record_every: int | None = None,
    progress: bool = False,
) -> XorResult:
    """Train the 2-2-1 XOR network for every seed and hidden activation, all trials at once.

    Full-batch gradient descent, ``p <- p - lr_p dL/dp`` for every parameter p, on one
    ``MLP(..., trials=T)`` per activation (no loop over trials). At step k (after k updates) the
    loss of the current weights is computed; the first k with loss <= ``protocol.threshold`` is
    the run's step count, and the run leaves the batch there, so its final parameters are those at
    convergence (the paper's Fig. 8). Training ends when every run has converged or after
    ``protocol.max_steps`` updates; runs still above the threshold then are censored. The same
    seed starts from the same weights for every activation.

    Args:
        seeds: a count N (seeds 0..N-1) or a sequence of distinct non-negative integers.
        activations: hidden activations, from :data:`paramact.experiments.common.ACTIVATIONS`.
        protocol: see :class:`XorProtocol` (default: ``XorProtocol()``).
        record_every: loss-curve resolution in steps (default: about 500 points).
        progress: show a tqdm progress bar on stderr.

    Examples:
        >>> result = run_xor([3], ("relu",), XorProtocol(max_steps=50), record_every=10)
        >>> result.curve_steps.tolist(), result.curves.shape
        ([0, 10, 20, 30, 40, 50], (1, 1, 6))
    """
    seeds, activations = check_seeds(seeds), check_activations(activations)
    protocol = protocol or XorProtocol()
    record_every = (
        default_record_every(protocol.max_steps) if record_every is None else int(record_every)
    )
    if record_every < 1:
        raise ValueError(f"record_every must be at least 1, got {record_every}")
    start = time.perf_counter()
    batches = [
        _Batch(row, activation, seeds, protocol) for row, activation in enumerate(activations)
    ]
    record = _Record(batches, len(seeds), protocol, record_every)
    bar = progress_bar(protocol.max_steps, "xor", enabled=progress)
    for step in range(protocol.max_steps + 1):
        for batch in batches:
            if batch.left.size == 0:
                continue
            loss, grads = batch.net.loss(XOR_INPUTS, TARGETS)
            record.loss(batch, step, loss)
            reached = loss <= protocol.threshold
            # At the cap every run still training finishes; those above the threshold are censored.
            finished = np.ones_like(reached) if step == protocol.max_steps else reached
            if finished.any():
                record.finish(batch, finished, reached, step, loss)
                grads = batch.retire(finished, grads)
            batch.sgd.step(batch.net.params, grads, batch.groups)
        if bar is not None and step % 100 == 0:  # a cheap update every 100 steps, not every step
            bar.set_postfix(converged=int(record.converged.sum()), refresh=False)
            bar.update(step - bar.n)
        if all(batch.left.size == 0 for batch in batches):
            break
    if bar is not None:
        bar.update(step - bar.n)
        bar.close()
    curve_steps, curves = record.curves_until(step)
    return XorResult(
        protocol=protocol,
        seeds=seeds,
        activations=activations,
        steps=record.steps,
        converged=record.converged,
        final_loss=record.final_loss,
        curve_steps=curve_steps,
        curves=curves,
        parameters=record.parameters,
        wall_time_s=time.perf_counter() - start,
    )
