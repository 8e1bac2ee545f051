"""One trial at a time: the reference the batched :func:`~paramact.experiments.xor.run_xor` is
tested against, and the speed-up of the batched run over it.

:func:`run_xor_single` trains one seed with the ordinary ``MLP`` (no trial axis), with the same
network, initialisation, update rule and stopping rule as the batched run;
:func:`measure_speedup` times both.

>>> run_xor_single(2, "parametric_sigmoid").steps
1849
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from paramact.experiments.common import ACTIVATIONS
from paramact.experiments.xor.protocol import (
    XOR_INPUTS,
    XorProtocol,
    check_activations,
    check_seeds,
)
from paramact.experiments.xor.training import TARGETS, network, optimizer, run_xor
from paramact.mlp import MLP

__all__ = ["XorTrial", "run_xor_single", "measure_speedup"]


@dataclass
class XorTrial:
    """Outcome of :func:`run_xor_single` (one seed, one activation).

    ``losses[k]`` is the loss after ``k * record_every`` steps; ``parameters`` are the final
    ones, the network's (``W1`` (2, 2), ``c1`` (2,), ``a1``, ``b1`` (2,), ``W2`` (2, 1), ``c2`` (1,)).

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


def run_xor_single(
    seed: int, activation: str, protocol: XorProtocol | None = None, record_every: int = 1
) -> XorTrial:
    """Train one trial with a plain loop over steps: the reference :func:`run_xor` is tested against.

    Same network, initialisation, update rule and stopping rule as :func:`run_xor`, as an ordinary
    ``MLP`` (no trial axis) stepped one trial at a time; it is also the baseline of the batched
    speed-up.

    Examples:
        >>> trial = run_xor_single(2, "parametric_sigmoid")
        >>> trial.converged, trial.steps
        (True, 1849)
    """
    (seed,) = check_seeds([seed])
    protocol = protocol or XorProtocol()
    batched = network(activation, [seed], protocol)
    net = MLP(
        [2, 2, 1], hidden=batched.hidden, output=batched.output, loss=batched.loss_name, seed=0
    )
    net.params = {name: value[0].copy() for name, value in batched.params.items()}
    sgd, groups = optimizer(activation, protocol, net)
    losses_seen = []
    for step in range(protocol.max_steps + 1):
        loss, grads = net.loss(XOR_INPUTS, TARGETS)
        if step % record_every == 0:
            losses_seen.append(loss)
        if loss <= protocol.threshold or step == protocol.max_steps:
            break
        sgd.step(net.params, grads, groups)
    return XorTrial(
        seed=seed,
        activation=activation,
        steps=step,
        converged=bool(loss <= protocol.threshold),
        final_loss=float(loss),
        losses=np.array(losses_seen),
        parameters=net.params,
    )


def measure_speedup(
    seeds: int | Iterable[int],
    activations: str | Iterable[str] = ACTIVATIONS,
    protocol: XorProtocol | None = None,
    sample_size: int = 5,
    repeats: int = 3,
) -> dict:
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
    seeds, activations = check_seeds(seeds), check_activations(activations)
    if sample_size < 1 or repeats < 1:
        raise ValueError(
            f"sample_size and repeats must be at least 1, got {sample_size} and {repeats}"
        )
    protocol = protocol or XorProtocol()
    batched_seconds = []
    per_step_seconds: dict[str, list[float]] = {activation: [] for activation in activations}
    for _ in range(repeats):
        result = run_xor(seeds, activations, protocol)
        batched_seconds.append(result.wall_time_s)
        for activation in activations:
            start, sampled_steps = time.perf_counter(), 0
            for seed in seeds[:sample_size]:
                sampled_steps += run_xor_single(seed, activation, protocol).steps + 1
            per_step_seconds[activation].append((time.perf_counter() - start) / sampled_steps)
    trial_steps = {a: int(np.sum(result.steps[result.row(a)] + 1)) for a in activations}
    estimated_per_trial = sum(
        float(np.median(per_step_seconds[a])) * trial_steps[a] for a in activations
    )
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
