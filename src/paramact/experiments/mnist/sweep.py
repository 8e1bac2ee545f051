"""The learning-rate sweep of a results file: every activation at every rate, best against best.

A run of ``paramact mnist --sweep-lr ...`` trains the four activations at further learning rates
on the first ``--sweep-seeds`` seeds, beside the arms at the protocol's rate ``lr``. An
activation's **best rate** is the one with the lowest mean final *training* loss over those seeds:
the test set plays no part in choosing it.

>>> results = {"protocol": {"lr": 0.1, "sweep_lr": [0.4], "sweep_seeds": [0]}, "runs": [
...     {"arm": "relu", "seed": 0, "test_accuracy": 0.97, "epochs": [{"train_loss": 0.05}]},
...     {"arm": "relu@lr=0.4", "seed": 0, "test_accuracy": 0.98, "epochs": [{"train_loss": 0.01}]}]}
>>> sweep_rates(results), best_rate(results, "relu"), arm_at(results, "relu", 0.4)
([0.1, 0.4], 0.4, 'relu@lr=0.4')
"""

from __future__ import annotations

import numpy as np

from paramact import stats
from paramact.experiments.common import ACTIVATIONS, rounded
from paramact.experiments.mnist.analysis import arm_label
from paramact.experiments.mnist.config import Arm

__all__ = ["sweep_rates", "arm_at", "best_rate", "resolve", "sweep_rows", "sweep_table"]


def sweep_rates(results: dict) -> list[float]:
    """The learning rates of the sweep, the protocol's ``lr`` included, in increasing order."""
    protocol = results["protocol"]
    return sorted({float(protocol["lr"]), *map(float, protocol.get("sweep_lr") or [])})


def arm_at(results: dict, activation: str, rate: float) -> str:
    """The name of the arm that trains ``activation`` at ``rate`` in ``results``."""
    return Arm(activation, lr=None if rate == results["protocol"]["lr"] else rate).name


def _sweep_runs(results: dict, arm: str) -> list[dict]:
    seeds = results["protocol"].get("sweep_seeds") or results["protocol"]["seeds"]
    return sorted(
        (run for run in results["runs"] if run["arm"] == arm and run["seed"] in seeds),
        key=lambda run: run["seed"],
    )


def _final_train_loss(runs: list[dict]) -> float:
    return float(np.mean([run["epochs"][-1]["train_loss"] for run in runs]))


def best_rate(results: dict, activation: str) -> float:
    """The rate with the lowest mean final training loss over the sweep's seeds.

    Raises ``ValueError`` when ``activation`` was not trained at any rate of the sweep.
    """
    losses = {
        rate: _final_train_loss(runs)
        for rate in sweep_rates(results)
        if (runs := _sweep_runs(results, arm_at(results, activation, rate)))
    }
    if not losses:
        raise ValueError(f"{activation!r} has no runs in this results file's sweep")
    return min(losses, key=losses.__getitem__)


def resolve(results: dict, arm: str) -> str:
    """``arm`` with ``@best`` replaced by the activation's :func:`best_rate` (else unchanged).

    >>> resolve({"protocol": {"lr": 0.1}}, "relu+doubled-bias")
    'relu+doubled-bias'
    """
    if not arm.endswith("@best"):
        return arm
    activation = arm.removesuffix("@best")
    return arm_at(results, activation, best_rate(results, activation))


def sweep_rows(results: dict) -> list[dict]:
    """Per activation and rate, over the sweep's seeds: test accuracy (mean, t-interval) and the
    final training loss; ``best`` marks each activation's :func:`best_rate`."""
    rows = []
    for activation in ACTIVATIONS:
        rates = [
            rate
            for rate in sweep_rates(results)
            if _sweep_runs(results, arm_at(results, activation, rate))
        ]
        if not rates:
            continue
        best = best_rate(results, activation)
        for rate in rates:
            runs = _sweep_runs(results, arm_at(results, activation, rate))
            accuracy = [run["test_accuracy"] for run in runs]
            rows.append(
                {
                    "activation": activation,
                    "lr": rate,
                    "seeds": [run["seed"] for run in runs],
                    "test_accuracy_mean": rounded(float(np.mean(accuracy))),
                    "test_accuracy_t95": rounded(list(stats.mean_ci(accuracy))),
                    "final_train_loss_mean": rounded(_final_train_loss(runs)),
                    "best": rate == best,
                }
            )
    return rows


def sweep_table(results: dict) -> str:
    """:func:`sweep_rows` as a Markdown table; the best rate of each activation in bold."""
    rows = sweep_rows(results)
    seeds = rows[0]["seeds"] if rows else []
    lines = [
        f"Learning-rate sweep ({results['protocol']['epochs']} epochs, seeds "
        f"{', '.join(map(str, seeds))}; best rate = lowest mean final training loss)",
        "",
        "| activation | lr | test accuracy (mean) | 95% t-interval | final training loss |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        low, high = row["test_accuracy_t95"]
        rate = f"**{row['lr']:g}**" if row["best"] else f"{row['lr']:g}"
        lines.append(
            f"| {arm_label(row['activation'])} | {rate} | {row['test_accuracy_mean']:.4f} "
            f"| [{low:.4f}, {high:.4f}] | {row['final_train_loss_mean']:.4f} |"
        )
    return "\n".join(lines) + "\n"
