"""What is computed from a results dict: the summary per arm, paired differences, the summary tables.

The tables chapter 9 shows are in :mod:`~paramact.experiments.mnist.tables`.

The functions take the dict that :func:`~paramact.experiments.mnist.run_mnist` returns (or
:func:`~paramact.experiments.mnist.load_results` reads); the tables are Markdown strings, e.g. for
``IPython.display.Markdown``.

>>> arm_label("relu+doubled-bias"), baseline_of("parametric_sigmoid")
('ReLU, hidden-bias lr x 2', 'sigmoid')
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from paramact import stats
from paramact.experiments.common import LABELS, PAIRS, PARTNER, rounded
from paramact.experiments.mnist.config import PAPER_RANGES, QUANTILES, Arm

__all__ = [
    "arm_label",
    "baseline_of",
    "by_arm",
    "per_epoch",
    "summarise",
    "paired_differences",
]


def arm_label(arm: str) -> str:
    """The name of an arm in tables and figures, e.g. ``"parametric ReLU"``.

    >>> arm_label("parametric_relu"), arm_label("sigmoid+doubled-bias")
    ('parametric ReLU', 'sigmoid, hidden-bias lr x 2')
    >>> arm_label("sigmoid+output-lr-x2"), arm_label("parametric_relu+scale-only@lr=0.4")
    ('sigmoid, output-layer lr x 2', 'parametric ReLU, b frozen, lr 0.4')
    """
    parsed = Arm.from_name(arm)
    label = LABELS.get(parsed.activation, parsed.activation)
    if parsed.doubled_bias:
        label += ", hidden-bias lr x 2"
    if parsed.output_lr_multiplier != 1.0:
        label += f", output-layer lr x {parsed.output_lr_multiplier:g}"
    if parsed.scale_only:
        label += ", b frozen"
    return label + ("" if parsed.lr is None else f", lr {parsed.lr:g}")


def baseline_of(arm: str) -> str | None:
    """The arm that ``arm`` is compared with by seed: the plain activation of a parametric or a
    control arm, at the same learning rate.

    >>> baseline_of("relu+doubled-bias"), baseline_of("relu"), baseline_of("parametric_relu@lr=0.4")
    ('relu', None, 'relu@lr=0.4')
    """
    parsed = Arm.from_name(arm)
    plain = parsed.activation if not parsed.parametric else PARTNER.get(parsed.activation)
    if plain is None or (not parsed.parametric and not parsed.is_control):
        return None
    return Arm(plain, lr=parsed.lr).name


def by_arm(results: dict) -> dict[str, list[dict]]:
    """The runs of each arm, in seed order (arms in the order of the results).

    >>> by_arm({"runs": [{"arm": "relu", "seed": 1}, {"arm": "relu", "seed": 0}]})
    {'relu': [{'arm': 'relu', 'seed': 0}, {'arm': 'relu', 'seed': 1}]}
    """
    grouped: dict[str, list[dict]] = {}
    for run in sorted(results["runs"], key=lambda run: run["seed"]):
        grouped.setdefault(run["arm"], []).append(run)
    return {arm: grouped[arm] for arm in dict.fromkeys(run["arm"] for run in results["runs"])}


def per_epoch(runs: list[dict], key: str) -> np.ndarray:
    """A ``(seeds, epochs)`` array of one per-epoch value, epochs 1, 2, ... (0 is the start).

    >>> per_epoch([{"epochs": [{"test_accuracy": 0.1}, {"test_accuracy": 0.9}]}], "test_accuracy")
    array([[0.9]])
    """
    return np.array([[epoch[key] for epoch in run["epochs"][1:]] for run in runs], dtype=float)


def summarise(runs: list[dict], arms: list[Arm]) -> dict:
    """Per arm: test accuracy over seeds (mean, t-interval), paired differences, learned ranges.

    This is the ``summary`` of the results; :func:`~paramact.experiments.mnist.tables.format_tables` prints it.

    >>> epochs = [{"train_wall_s": None},
    ...           {"train_loss": 0.3, "test_dead_outputs": 0, "train_wall_s": 1.0}]
    >>> runs = [{"arm": "relu", "seed": 0, "test_accuracy": 0.9, "test_correct": 9, "n_test": 10,
    ...          "epochs": epochs}]
    >>> summarise(runs, [Arm("relu")])["relu"]["test_accuracy_t95"]
    [None, None]
    """
    grouped = {arm.name: [run for run in runs if run["arm"] == arm.name] for arm in arms}
    accuracy = {
        name: {run["seed"]: run["test_accuracy"] for run in arm_runs}
        for name, arm_runs in grouped.items()
    }
    summary = {}
    for arm in arms:
        arm_runs = grouped[arm.name]
        values = [run["test_accuracy"] for run in arm_runs]
        entry = {
            "seeds": [run["seed"] for run in arm_runs],
            "test_accuracy": values,
            "test_accuracy_mean": rounded(np.mean(values)),
            "test_accuracy_t95": rounded(list(stats.mean_ci(values))),
            "test_accuracy_wilson95": [
                rounded(list(stats.wilson_interval(run["test_correct"], run["n_test"])))
                for run in arm_runs
            ],
            "final_train_loss_mean": rounded(
                np.mean([run["epochs"][-1]["train_loss"] for run in arm_runs])
            ),
            "final_test_dead_outputs": [run["epochs"][-1]["test_dead_outputs"] for run in arm_runs],
            "median_epoch_wall_s": rounded(
                np.median([e["train_wall_s"] for run in arm_runs for e in run["epochs"][1:]])
            ),
        }
        # parametric arms are compared with their plain counterpart, controls with the plain arm
        baseline = baseline_of(arm.name)
        if baseline in accuracy:
            shared = sorted(set(accuracy[arm.name]) & set(accuracy[baseline]))
            differences = [accuracy[arm.name][seed] - accuracy[baseline][seed] for seed in shared]
            entry["paired_difference_vs"] = baseline
            entry["paired_difference_mean"] = rounded(np.mean(differences)) if differences else None
            entry["paired_difference_t95"] = rounded(list(stats.mean_ci(differences)))
        if arm.parametric:
            entry.update(_learned_ranges(arm, arm_runs))
        summary[arm.name] = entry
    return summary


def _learned_ranges(arm: Arm, runs: list[dict]) -> dict:
    entry = {}
    for name in ("a", "b"):
        pooled = np.concatenate([run[f"final_{name}"] for run in runs])
        entry[f"{name}_range"] = rounded([pooled.min(), pooled.max()])
        entry[f"{name}_range_per_seed"] = [
            rounded([min(run[f"final_{name}"]), max(run[f"final_{name}"])]) for run in runs
        ]
        entry[f"{name}_quantiles"] = rounded(list(np.quantile(pooled, QUANTILES)))
        entry[f"paper_{name}_range"] = list(PAPER_RANGES[arm.activation][name])
    return entry


def paired_differences(results: dict, pairs: Iterable[tuple[str, str]] = PAIRS) -> list[dict]:
    """For each (plain, other) pair present: the differences of test accuracy by seed, and more.

    Each entry has ``plain``, ``other``, ``seeds``, ``differences`` (other - plain), ``mean``,
    ``t95`` (``(nan, nan)`` for one seed) and ``d_z`` (mean / sd of the differences).

    >>> accuracies = {"relu": (0.90, 0.91), "parametric_relu": (0.92, 0.92)}
    >>> runs = [{"arm": arm, "seed": seed, "test_accuracy": acc}
    ...         for arm, accs in accuracies.items() for seed, acc in enumerate(accs)]
    >>> paired_differences({"runs": runs})[0]["differences"].round(4).tolist()
    [0.02, 0.01]
    """
    grouped = by_arm(results)
    found = []
    for plain, other in pairs:
        if plain not in grouped or other not in grouped:
            continue
        plain_by_seed = {run["seed"]: run["test_accuracy"] for run in grouped[plain]}
        other_by_seed = {run["seed"]: run["test_accuracy"] for run in grouped[other]}
        seeds = sorted(set(plain_by_seed) & set(other_by_seed))
        d = np.array([other_by_seed[s] - plain_by_seed[s] for s in seeds])
        sd = d.std(ddof=1) if len(d) > 1 else float("nan")
        found.append(
            {
                "plain": plain,
                "other": other,
                "seeds": seeds,
                "differences": d,
                "mean": float(d.mean()),
                "t95": stats.mean_ci(d),
                "d_z": float(d.mean() / sd) if sd else float("nan"),
            }
        )
    return found
