"""The tables and counts chapter 9 shows, computed from results dicts (Markdown strings or text).

>>> runs = [{"arm": arm, "seed": 0, "test_accuracy": acc, "epochs": [{"train_loss": 0.1}]}
...         for arm, acc in (("relu", 0.97), ("parametric_relu", 0.98))]
>>> print(accuracy_table({"protocol": {"dataset": "mnist", "output": "softmax", "epochs": 1,
...                                    "seeds": [0]}, "runs": runs}).splitlines()[-1])
| parametric ReLU | 98.00 | 98.00 | +1.00 | +100 | 0.1000 |
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from paramact import stats
from paramact.experiments.common import PAIRS
from paramact.experiments.mnist.analysis import (
    arm_label,
    baseline_of,
    by_arm,
    paired_differences,
    per_epoch,
)
from paramact.experiments.mnist.config import PAPER_RANGES
from paramact.experiments.mnist.sweep import sweep_table

__all__ = [
    "format_tables",
    "accuracy_table",
    "standardised_effects",
    "long_run_summary",
    "lower_training_loss",
    "epochs_to_match",
    "ranges_table",
    "relu_output_table",
]


def accuracy_table(results: dict) -> str:
    """Test accuracy (%) per arm with intervals over seeds, and the paired difference from plain.

    The arms at the protocol's learning rate (those of a sweep are in
    :func:`~paramact.experiments.mnist.sweep_table`).
    """
    grouped = {arm: runs for arm, runs in by_arm(results).items() if "@lr=" not in arm}
    final = {arm: np.array([run["test_accuracy"] for run in runs]) for arm, runs in grouped.items()}
    protocol = results["protocol"]
    lines = [
        f"**{protocol['dataset']}, {protocol['output']} output, after {protocol['epochs']} epochs, "
        f"{len(protocol['seeds'])} seed(s)**",
        "",
        "| hidden activation | test accuracy (%) [95% CI] | per seed (%) | vs plain (pp) [95% CI] "
        "| test images | final training loss |",
        "|---|---|---|---|---|---|",
    ]
    for arm, accuracy in final.items():
        low, high = stats.mean_ci(accuracy)
        interval = f" [{100 * low:.2f}, {100 * high:.2f}]" if len(accuracy) > 1 else ""
        seeds = ", ".join(f"{100 * a:.2f}" for a in accuracy)
        difference = images = ""
        baseline = baseline_of(arm)
        if baseline in final:
            d = accuracy - final[baseline]
            d_low, d_high = stats.mean_ci(d)
            difference = f"{100 * d.mean():+.2f}" + (
                f" [{100 * d_low:+.2f}, {100 * d_high:+.2f}]" if len(d) > 1 else ""
            )
            images = f"{10000 * d.mean():+.0f}"
        loss = np.mean([run["epochs"][-1]["train_loss"] for run in grouped[arm]])
        lines.append(
            f"| {arm_label(arm)} | {100 * accuracy.mean():.2f}{interval} | {seeds} | {difference} "
            "| "
            f"{images} | {loss:.4f} |"
        )
    return "\n".join(lines)


def standardised_effects(results: dict) -> str:
    """One line per (plain, parametric) pair: differences by seed (pp), mean, t-interval, d_z."""
    lines = []
    for pair in paired_differences(results):
        low, high = pair["t95"]
        lines.append(
            f"{arm_label(pair['other']):<20} differences (pp) "
            f"{np.round(100 * pair['differences'], 2)}: "
            f"mean {100 * pair['mean']:+.2f}, 95% CI [{100 * low:+.2f}, {100 * high:+.2f}], "
            f"d_z = {pair['d_z']:.1f}"
        )
    return "\n".join(lines)


def long_run_summary(results: dict) -> str:
    """One line per pair: mean final test accuracy of both arms over the seeds, and the paired
    difference with its t-interval (a single seed: the difference alone)."""
    epochs, grouped = results["protocol"]["epochs"], by_arm(results)
    lines = []
    for pair in paired_differences(results):
        plain, other = (
            np.mean([run["test_accuracy"] for run in grouped[arm]])
            for arm in (pair["plain"], pair["other"])
        )
        low, high = pair["t95"]
        interval = "" if np.isnan(low) else f" [{100 * low:+.2f}, {100 * high:+.2f}]"
        lines.append(
            f"after {epochs} epochs, {len(pair['seeds'])} seed(s): {arm_label(pair['plain'])} "
            f"{100 * plain:.2f} %, {arm_label(pair['other'])} {100 * other:.2f} %, difference "
            f"{100 * pair['mean']:+.2f} pp{interval}"
        )
    for arm, runs in grouped.items():
        test_loss = per_epoch(runs, "test_loss").mean(axis=0)  # epochs 1..N, mean over seeds
        train_loss = per_epoch(runs, "train_loss").mean(axis=0)
        lines.append(
            f"{arm_label(arm)}: mean test loss lowest after epoch {int(np.argmin(test_loss)) + 1}; "
            f"final training loss {train_loss[-1]:.4f}, test loss {test_loss[-1]:.4f}"
        )
    return "\n".join(lines)


def lower_training_loss(results: dict) -> str:
    """One line per (plain, parametric) pair: after how many of the (epoch, seed) pairs the
    parametric network's training loss (full pass after the epoch) is below the plain one's.

    >>> run = lambda arm, losses: {"arm": arm, "seed": 0,
    ...     "epochs": [{"train_loss": None}] + [{"train_loss": x} for x in losses]}
    >>> lower_training_loss({"runs": [run("relu", [0.5, 0.4]), run("parametric_relu", [0.4, 0.41])]})
    'parametric ReLU below ReLU after 1 of 2 epochs (all seeds)'
    """
    grouped = by_arm(results)
    lines = []
    for plain, parametric in PAIRS:
        if plain in grouped and parametric in grouped:
            lower = per_epoch(grouped[parametric], "train_loss") < per_epoch(
                grouped[plain], "train_loss"
            )
            lines.append(
                f"{arm_label(parametric)} below {arm_label(plain)} after {int(lower.sum())} of "
                f"{lower.size} epochs (all seeds)"
            )
    return "\n".join(lines)


def epochs_to_match(results: dict, arm: str, reference: str) -> list[int | None]:
    """Per seed: the first epoch after which ``arm``'s test accuracy is at least the accuracy
    ``reference`` reached after the last epoch (None: never), in the seed order of ``arm``.

    >>> runs = [{"arm": "relu", "seed": 0, "epochs": [{"test_accuracy": a} for a in (0.1, 0.8, 0.9)]},
    ...         {"arm": "parametric_relu", "seed": 0,
    ...          "epochs": [{"test_accuracy": a} for a in (0.1, 0.9, 0.95)]}]
    >>> epochs_to_match({"runs": runs}, "parametric_relu", "relu")
    [1]
    """
    grouped = by_arm(results)
    target = {run["seed"]: run["epochs"][-1]["test_accuracy"] for run in grouped[reference]}
    found: list[int | None] = []
    for run in grouped[arm]:
        epochs = [e["epoch"] if "epoch" in e else i for i, e in enumerate(run["epochs"])]
        reached = [
            epoch
            for epoch, record in zip(epochs, run["epochs"])
            if record["test_accuracy"] >= target[run["seed"]]
        ]
        found.append(reached[0] if reached else None)
    return found


def _ranges_header(results: dict | None, stem: str) -> str:
    if results is None:
        return f"ours, {stem}"
    protocol = results["protocol"]
    seeds = len(protocol["seeds"])
    return f"ours, {protocol['epochs']} epochs (" + (
        "1 seed)" if seeds == 1 else f"{seeds} seeds pooled)"
    )


def ranges_table(
    stored: Mapping[str, dict],
    stems: tuple[str, ...] = ("mnist_softmax", "mnist_softmax_150epochs"),
) -> str:
    """The learned a and b of the parametric arms (range, quartiles; seeds pooled), the paper's.

    One column per stem of ``stored`` (stem -> results); a stem that is not there shows "not here".
    """
    lines = [
        "| activation | parameter | paper | "
        + " | ".join(_ranges_header(stored.get(s), s) for s in stems)
        + " |",
        "|---|---|---|" + "---|" * len(stems),
    ]
    grouped = {stem: by_arm(stored[stem]) for stem in stems if stem in stored}
    for arm in PAPER_RANGES:
        for name in ("a", "b"):
            cells = []
            for stem in stems:
                if arm in grouped.get(stem, {}):
                    values = np.concatenate([run[f"final_{name}"] for run in grouped[stem][arm]])
                    cells.append(
                        f"[{values.min():.2f}, {values.max():.2f}], quartiles "
                        + ", ".join(f"{q:.2f}" for q in np.quantile(values, [0.25, 0.5, 0.75]))
                    )
                else:
                    cells.append("not here")
            low, high = PAPER_RANGES[arm][name]
            lines.append(
                f"| {arm_label(arm)} | {name} | [{low:.2f}, {high:.2f}] | "
                + " | ".join(cells)
                + " |"
            )
    return "\n".join(lines)


def relu_output_table(results: dict) -> str:
    """With a ReLU output unit: test accuracy and dead test outputs per seed, paired differences."""
    grouped = by_arm(results)
    lines = [
        "| hidden activation | test accuracy (%) per seed | dead test outputs per seed (of 10 000) "
        "| vs plain (pp) [95% CI] |",
        "|---|---|---|---|",
    ]
    for arm, runs in grouped.items():
        accuracy = np.array([run["test_accuracy"] for run in runs])
        dead = [run["epochs"][-1]["test_dead_outputs"] for run in runs]
        difference = ""
        baseline = baseline_of(arm)
        if baseline in grouped:
            d = accuracy - np.array([run["test_accuracy"] for run in grouped[baseline]])
            low, high = stats.mean_ci(d)
            difference = f"{100 * d.mean():+.2f} [{100 * low:+.2f}, {100 * high:+.2f}]"
        lines.append(
            f"| {arm_label(arm)} | {', '.join(f'{100 * a:.2f}' for a in accuracy)} | "
            f"{', '.join(map(str, dead))} | {difference} |"
        )
    return "\n".join(lines)


def _interval(pair: list | None) -> str:
    return "n/a" if pair is None or None in pair else f"[{pair[0]:.4f}, {pair[1]:.4f}]"


def format_tables(results: dict) -> str:
    """Markdown tables of the ``summary``: test accuracy per arm; learned a, b vs the paper's.

    This is what ``paramact mnist`` prints and writes as ``<stem>_summary.md``.
    """
    summary, protocol = results["summary"], results["protocol"]
    lines = [
        f"Test accuracy after {protocol['epochs']} epochs ({protocol['dataset']}, "
        f"{protocol['output']} output, "
        f"{len(protocol['seeds'])} seeds; t-interval over seeds, Wilson interval per run, paired "
        "differences by seed)",
        "",
        "| arm | mean | 95% t-interval | per seed (Wilson 95%) | paired diff. vs | mean diff. "
        "[95% t] | final train loss |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, entry in summary.items():
        per_seed = "; ".join(
            f"{acc:.4f} {_interval(w)}"
            for acc, w in zip(entry["test_accuracy"], entry["test_accuracy_wilson95"])
        )
        versus, diff = "", ""
        if "paired_difference_vs" in entry:
            versus = entry["paired_difference_vs"]
            interval = _interval(entry["paired_difference_t95"])
            diff = f"{entry['paired_difference_mean']:+.4f} {interval}"
        lines.append(
            f"| {name} | {entry['test_accuracy_mean']:.4f} | "
            f"{_interval(entry['test_accuracy_t95'])} | "
            f"{per_seed} | {versus} | {diff} | {entry['final_train_loss_mean']:.4f} |"
        )
    if protocol["output"] == "relu":
        lines += [
            "",
            "Test images whose 10 ReLU outputs are all 0 (dead outputs), per seed: "
            + "; ".join(
                f"{name} {entry['final_test_dead_outputs']}" for name, entry in summary.items()
            ),
        ]
    lines += _ranges_lines(summary)
    if protocol.get("sweep_lr"):
        lines += ["", sweep_table(results).rstrip("\n")]
    wall = [entry["median_epoch_wall_s"] for entry in summary.values()]
    env = results["environment"]
    lines += [
        "",
        "Median training time per epoch: "
        f"{', '.join(f'{n} {w:.2f} s' for n, w in zip(summary, wall))} "
        f"({env['device']}, {env['cpu_model']}, {env['torch_threads']} threads)",
    ]
    return "\n".join(lines) + "\n"


def _ranges_lines(summary: dict) -> list[str]:
    parametric = [(name, entry) for name, entry in summary.items() if "a_range" in entry]
    if not parametric:
        return []
    lines = [
        "",
        "Learned scale a and location b over the hidden units (final epoch; ours pooled over "
        "seeds)",
        "",
        "| activation | parameter | ours: range | ours: per-seed ranges | ours: quartiles | "
        "paper: range |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in parametric:
        for parameter in ("a", "b"):
            low, high = entry[f"{parameter}_range"]
            seeds = "; ".join(
                f"[{lo:.2f}, {hi:.2f}]" for lo, hi in entry[f"{parameter}_range_per_seed"]
            )
            quartiles = ", ".join(f"{v:.2f}" for v in entry[f"{parameter}_quantiles"][1:4])
            paper = entry[f"paper_{parameter}_range"]
            lines.append(
                f"| {name} | {parameter} | [{low:.2f}, {high:.2f}] | {seeds} | {quartiles} | "
                f"[{paper[0]:.2f}, {paper[1]:.2f}] |"
            )
    return lines
