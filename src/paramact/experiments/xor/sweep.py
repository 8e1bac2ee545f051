"""The learning-rate sweep of Chapter 10: each arm at its best rate, on both outcomes.

The parametric sigmoid takes larger effective steps than the plain one (Chapter 10), so a fair
comparison gives each network its own best learning rate. Every arm runs on the same seeds at every
rate of the sweep; two outcomes are kept per seed: whether it converged within the cap, and how many
steps it took. Three arms by default:

* ``sigmoid``: the plain network;
* ``parametric_sigmoid``: the paper's;
* ``sigmoid, output x4``: the plain network with its output layer's rate multiplied, the control for
  the scale, whose first-order effect is a larger rate for the output weights (Section 10.5).

An arm's best rate is the one where it converges most often (ties: the smaller Kaplan-Meier median);
best against best, reliability is compared by an exact McNemar test and speed by a sign test, on
the same seeds.

>>> sweep = run_sweep([0.5, 2.0], [0, 1], XorProtocol(max_steps=3000))
>>> [arm["name"] for arm in sweep["arms"]]
['sigmoid', 'parametric_sigmoid', 'sigmoid, output x4']
>>> sweep["arms"][0]["rates"]["2"]["converged"], sweep["arms"][0]["best_rate"]
(1, '2')
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from paramact import stats
from paramact.experiments.common import environment, rounded
from paramact.experiments.xor import protocol as protocol_module
from paramact.experiments.xor import training as training_module
from paramact.experiments.xor.protocol import XorProtocol, check_seeds
from paramact.experiments.xor.training import run_xor

__all__ = ["DEFAULT_RATES", "OUTPUT_BOOST", "run_sweep", "sweep_stem", "sweep_table"]

DEFAULT_RATES = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
OUTPUT_BOOST = 4.0


def _arms(boost: float) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, hidden activation, protocol changes) of each arm."""
    return [
        ("sigmoid", "sigmoid", {}),
        ("parametric_sigmoid", "parametric_sigmoid", {}),
        (f"sigmoid, output x{boost:g}", "sigmoid", {"output_lr_multiplier": boost}),
    ]


def _outcomes(steps: np.ndarray, converged: np.ndarray, confidence: float) -> dict[str, Any]:
    n = len(steps)
    median, low, high = stats.kaplan_meier_median(steps, converged, confidence)
    return {
        "converged": int(converged.sum()),
        "convergence_rate": float(converged.mean()),
        "convergence_rate_ci": stats.wilson_interval(int(converged.sum()), n, confidence),
        "km_median": median,
        "km_median_ci": (low, high),
        "steps": [int(s) if c else None for s, c in zip(steps, converged)],
    }


def _best(rates: dict[str, dict]) -> str:
    """The rate (as its key) where an arm converges most often; ties: the smaller median."""
    return max(rates, key=lambda r: (rates[r]["converged"], -_finite(rates[r]["km_median"])))


def _finite(value: float | None) -> float:
    return math.inf if value is None or not math.isfinite(value) else value


def _compare(x: dict, y: dict) -> dict[str, Any]:
    """Arm x against arm y on the same seeds: McNemar on converging, sign test on steps."""
    x_steps = np.array([s if s is not None else 0 for s in x["steps"]], dtype=float)
    y_steps = np.array([s if s is not None else 0 for s in y["steps"]], dtype=float)
    x_done = np.array([s is not None for s in x["steps"]])
    y_done = np.array([s is not None for s in y["steps"]])
    reliability = stats.mcnemar_exact(x_done, y_done)
    speed = stats.sign_test(x_steps, y_steps, x_done, y_done)
    return {
        "only_first_converged": reliability.only_x,
        "only_second_converged": reliability.only_y,
        "mcnemar_p": reliability.pvalue,
        "first_faster": speed.n_x_smaller,
        "second_faster": speed.n_y_smaller,
        "sign_test_p": speed.pvalue,
    }


def run_sweep(
    rates: Sequence[float],
    seeds: int | Iterable[int],
    protocol: XorProtocol | None = None,
    *,
    boost: float = OUTPUT_BOOST,
    confidence: float = 0.95,
    progress: bool = False,
) -> dict[str, Any]:
    """Every arm at every learning rate on the same seeds; a JSON-ready document.

    ``protocol`` fixes everything but the rate (``lr``, which sets ``lr_scale`` and
    ``lr_location`` too unless they are given). The document holds, per arm and rate, the
    convergence rate with its Wilson interval, the Kaplan-Meier median of the steps with its
    interval and every seed's steps (``None``: censored); per arm its best rate; and the paired
    comparisons of the parametric arm with each other arm, at equal rates and best against best.
    """
    base = protocol or XorProtocol()
    seeds = check_seeds(seeds)
    arms: list[dict[str, Any]] = []
    for name, activation, changes in _arms(boost):
        by_rate: dict[str, dict] = {}
        for rate in rates:
            arm_protocol = dataclasses.replace(base, lr=float(rate))
            arm_protocol = dataclasses.replace(arm_protocol, **changes)
            result = run_xor(seeds, (activation,), arm_protocol, progress=progress)
            row = result.row(activation)
            by_rate[f"{rate:g}"] = _outcomes(result.steps[row], result.converged[row], confidence)
        arms.append({"name": name, "activation": activation, "changes": changes, "rates": by_rate})
    for arm in arms:
        arm["best_rate"] = _best(arm["rates"])
    parametric = next(arm for arm in arms if arm["activation"] == "parametric_sigmoid")
    comparisons = []
    for other in (arm for arm in arms if arm is not parametric):
        for rate in parametric["rates"]:
            comparisons.append(
                {"first": parametric["name"], "second": other["name"], "rate": rate}
                | _compare(parametric["rates"][rate], other["rates"][rate])
            )
        best = (parametric["best_rate"], other["best_rate"])
        comparisons.append(
            {"first": parametric["name"], "second": other["name"], "rate": "best", "rates": best}
            | _compare(parametric["rates"][best[0]], other["rates"][best[1]])
        )
    return rounded(
        {
            "experiment": "xor_lr_sweep",
            "description": "2-2-1 XOR network: each arm at every learning rate on the same seeds;"
            " convergence within the cap and steps to the threshold (Chapter 10)",
            "protocol": dataclasses.asdict(base) | {"lr": "swept"},
            "rates": [float(rate) for rate in rates],
            "seeds": list(seeds),
            "arms": arms,
            "comparisons": comparisons,
            "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"
            ),
            "environment": environment(
                "cpu", (protocol_module, training_module, *stats.MODULES, sys.modules[__name__])
            ),
        }
    )


def sweep_stem(n_seeds: int) -> str:
    """File-name stem of a sweep: ``lr_sweep_seeds<N>``.

    >>> sweep_stem(1000)
    'lr_sweep_seeds1000'
    """
    return f"lr_sweep_seeds{n_seeds}"


def _percent(row: dict) -> str:
    low, high = row["convergence_rate_ci"]
    return f"{row['convergence_rate']:6.1%} [{low:.1%}, {high:.1%}]"


def _median(row: dict) -> str:
    median, (low, high) = row["km_median"], row["km_median_ci"]
    if median is None:
        return "not reached"
    return f"{median:.0f} [{low:.0f}, {'-' if high is None else f'{high:.0f}'}]"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def sweep_table(sweep: dict) -> str:
    """The sweep as text: per arm and rate, convergence and median steps; then the comparisons.

    >>> print(sweep_table(run_sweep([2.0], [0, 1], XorProtocol(max_steps=2000))).splitlines()[0])
    learning-rate sweep, 2 seeds per arm and rate, cap 2000 steps
    """
    cap = sweep["protocol"]["max_steps"]
    lines = [f"learning-rate sweep, {len(sweep['seeds'])} seeds per arm and rate, cap {cap} steps"]
    for arm in sweep["arms"]:
        lines.append(f"\n{arm['name']} (best rate {arm['best_rate']})")
        lines.append(f"{'rate':>6}  {'converged [95% CI]':<24} median steps [95% CI]")
        for rate, row in arm["rates"].items():
            lines.append(f"{rate:>6}  {_percent(row):<24} {_median(row)}")
    lines.append("\nparametric sigmoid against each other arm on the same seeds")
    lines.append(
        f"{'against':<22} {'rate':>9} {'converged only: param. / other':>31} {'McNemar p':>10}"
        f" {'faster: param. / other':>23} {'sign test p':>11}"
    )
    for c in sweep["comparisons"]:
        rate = f"{c['rates'][0]} / {c['rates'][1]}" if c["rate"] == "best" else c["rate"]
        lines.append(
            f"{c['second']:<22} {rate:>9} {c['only_first_converged']:>15} / "
            f"{c['only_second_converged']:<13} {_p(c['mcnemar_p']):>10}"
            f" {c['first_faster']:>11} / {c['second_faster']:<9} {_p(c['sign_test_p']):>11}"
        )
    return "\n".join(lines)
