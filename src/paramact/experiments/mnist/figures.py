"""The MNIST figures: what ``paramact mnist`` writes and what chapter 9 shows.

Every function takes a results dict and returns a :class:`matplotlib.figure.Figure` (object API:
no pyplot, no backend switch; a notebook shows it with ``display(figure)``). Each figure is at
most 6 inches wide, panels stacked vertically, so it stays legible on a phone. Colours and line
styles are those of :mod:`paramact.experiments.common`, the same in every experiment.

>>> arm_style("parametric_relu"), arm_style("relu+doubled-bias")
(('tab:red', '--'), ('tab:gray', ':'))
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from paramact.experiments.common import COLOURS, LINESTYLES, PAIRS, save_figure
from paramact.experiments.mnist.analysis import arm_label, by_arm, per_epoch
from paramact.experiments.mnist.config import PAPER_RANGES, Arm

__all__ = [
    "PANELS",
    "arm_style",
    "training_loss_figure",
    "test_accuracy_figure",
    "long_run_figure",
    "ab_histograms",
    "ab_epochs_figure",
    "dead_outputs_figure",
    "sweep_figure",
    "plot_results",
]

#: The arms drawn together: one panel per (plain, parametric) pair, with the pair's control.
PANELS = tuple((plain, parametric, f"{plain}+doubled-bias") for plain, parametric in PAIRS)
#: The style of a doubled-bias control arm.
CONTROL_STYLE = ("tab:gray", ":")
WIDTH = 6.0  # inches: every figure fits a phone's screen


def arm_style(arm: str) -> tuple[str, str]:
    """``(colour, linestyle)`` of an arm: its activation's, or :data:`CONTROL_STYLE` (a control)."""
    parsed = Arm.from_name(arm)
    return (
        CONTROL_STYLE
        if parsed.doubled_bias
        else (COLOURS[parsed.activation], LINESTYLES[parsed.activation])
    )


def _figure(height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height), layout="constrained")


def _draw(ax: Any, x: np.ndarray, curves: np.ndarray, arm: str, label: str | None = None) -> None:
    """The mean over seeds as a line, the range over seeds as a band."""
    colour, style = arm_style(arm)
    ax.plot(x, curves.mean(axis=0), color=colour, ls=style, lw=1.3, label=label or arm_label(arm))
    if len(curves) > 1:
        ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=colour, alpha=0.2, lw=0)


def _panels(grouped: dict) -> list[list[str]]:
    panels = [[arm for arm in panel if arm in grouped] for panel in PANELS]
    return [panel for panel in panels if panel]


def training_loss_figure(results: dict, points_per_epoch: int = 3) -> Any:
    """Fig. 11 of the paper with every seed: the running training loss, a panel per pair."""
    protocol, grouped = results["protocol"], by_arm(results)
    steps_per_epoch = math.ceil(
        (protocol["subset"] or protocol["n_train"]) / protocol["batch_size"]
    )
    block = protocol["step_loss_block"]
    merge = max(1, round(steps_per_epoch / points_per_epoch / block))
    panels = _panels(grouped)
    figure = _figure(1.0 + 3.25 * len(panels))
    for ax, panel in zip(figure.subplots(len(panels), 1, squeeze=False)[:, 0], panels):
        for arm in panel:
            curves = np.array([run["step_loss_block_means"] for run in grouped[arm]], dtype=float)
            width = min(merge, curves.shape[1])  # blocks averaged into one point
            usable = curves.shape[1] // width * width
            coarse = curves[:, :usable].reshape(len(curves), -1, width).mean(axis=2)
            _draw(
                ax,
                (np.arange(coarse.shape[1]) + 0.5) * width * block / steps_per_epoch,
                coarse,
                arm,
            )
        ax.set(yscale="log", xlabel="epoch", ylabel="training loss")
        ax.legend()
    figure.suptitle(
        f"{protocol['dataset']}: training loss, {len(protocol['seeds'])} seed(s)\n"
        "(line: mean, band: min to max)"
    )
    return figure


def test_accuracy_figure(results: dict) -> Any:
    """Test accuracy (%) after each epoch, one panel per pair."""
    grouped = by_arm(results)
    panels = _panels(grouped)
    figure = _figure(0.5 + 3.0 * len(panels))
    for ax, panel in zip(figure.subplots(len(panels), 1, squeeze=False)[:, 0], panels):
        for arm in panel:
            accuracy = per_epoch(grouped[arm], "test_accuracy")
            _draw(ax, np.arange(1, accuracy.shape[1] + 1), 100 * accuracy, arm)
        ax.set(xlabel="epoch", ylabel="test accuracy (%)")
        ax.set_ylim(bottom=np.floor(ax.get_ylim()[1]) - 4)
        ax.legend()
    return figure


# not a pytest test despite its name
test_accuracy_figure.__test__ = False  # type: ignore[attr-defined]


def long_run_figure(results: dict, bottoms: tuple[float, float] = (94.0, 96.5)) -> Any:
    """A long run: test accuracy per pair (y from ``bottoms``), then the ReLU pair's losses
    (training: mean and range over seeds; test: mean, dotted)."""
    grouped = by_arm(results)
    figure = _figure(10.0)
    axes = figure.subplots(3, 1)
    for ax, panel, bottom in zip(axes[:2], PANELS, bottoms):
        for arm in (arm for arm in panel if arm in grouped):
            accuracy = per_epoch(grouped[arm], "test_accuracy")
            _draw(ax, np.arange(1, accuracy.shape[1] + 1), 100 * accuracy, arm)
        ax.set(xlabel="epoch", ylabel="test accuracy (%)", ylim=(bottom, None))
        ax.legend()
    for arm in (arm for arm in PAIRS[1] if arm in grouped):
        epochs = np.arange(1, len(grouped[arm][0]["epochs"]))
        _draw(
            axes[2],
            epochs,
            per_epoch(grouped[arm], "train_loss"),
            arm,
            f"{arm_label(arm)}, training",
        )
        axes[2].plot(
            epochs,
            per_epoch(grouped[arm], "test_loss").mean(axis=0),
            color=arm_style(arm)[0],
            ls=":",
            label=f"{arm_label(arm)}, test",
        )
    axes[2].set(yscale="log", xlabel="epoch", ylabel="cross-entropy loss")
    axes[2].legend()
    protocol = results["protocol"]
    seeds = len(protocol["seeds"])
    figure.suptitle(
        f"{'one seed' if seeds == 1 else f'{seeds} seeds'}, {protocol['epochs']} epochs"
    )
    return figure


def _parametric_arms(grouped: dict) -> list[str]:
    return [arm for arm in PAPER_RANGES if arm in grouped]


def ab_histograms(results: dict, bins: int = 50) -> Any:
    """Histograms of the learned a and b (final epoch, seeds pooled); the paper's ranges grey."""
    grouped = by_arm(results)
    arms = _parametric_arms(grouped)
    figure = _figure(0.5 + 2.4 * 2 * max(1, len(arms)))
    axes = figure.subplots(2 * max(1, len(arms)), 1, squeeze=False)[:, 0]
    for row, arm in zip(axes.reshape(-1, 2), arms):
        for ax, name in zip(row, ("a", "b")):
            values = np.concatenate([run[f"final_{name}"] for run in grouped[arm]])
            low, high = PAPER_RANGES[arm][name]
            ax.axvspan(low, high, color="0.88", label=f"paper's range [{low}, {high}]")
            ax.hist(
                values,
                bins=bins,
                color=arm_style(arm)[0],
                alpha=0.8,
                label=f"ours [{values.min():.2f}, {values.max():.2f}]",
            )
            ax.set(xlabel=f"{name}, {arm_label(arm)}", ylabel="hidden neurons")
            ax.legend(fontsize=9)
    protocol = results["protocol"]
    figure.suptitle(
        f"learned a and b after {protocol['epochs']} epochs, {len(protocol['seeds'])} seed(s) "
        "pooled"
    )
    return figure


def ab_epochs_figure(results: dict) -> Any:
    """The quantiles of the learned a and b over the hidden units per epoch (mean over seeds)."""
    grouped = by_arm(results)
    arms = _parametric_arms(grouped)
    figure = _figure(0.5 + 2.4 * 2 * max(1, len(arms)))
    axes = figure.subplots(2 * max(1, len(arms)), 1, sharex=True, squeeze=False)[:, 0]
    for row, arm in zip(axes.reshape(-1, 2), arms):
        for ax, name in zip(row, ("a", "b")):
            # (seeds, epochs + 1, 5 quantiles), averaged over seeds
            quantiles = np.array(
                [[e[f"{name}_quantiles"] for e in run["epochs"]] for run in grouped[arm]]
            ).mean(axis=0)
            epochs = np.arange(len(quantiles))
            colour = arm_style(arm)[0]
            ax.fill_between(
                epochs,
                quantiles[:, 0],
                quantiles[:, 4],
                color=colour,
                alpha=0.2,
                lw=0,
                label="min to max",
            )
            ax.fill_between(
                epochs,
                quantiles[:, 1],
                quantiles[:, 3],
                color=colour,
                alpha=0.45,
                lw=0,
                label="quartiles",
            )
            ax.plot(epochs, quantiles[:, 2], color=colour, label="median")
            for bound in PAPER_RANGES[arm][name]:
                ax.axhline(bound, color="black", ls=":", lw=1)
            ax.set(ylabel=f"{name}, {arm_label(arm)}")
            ax.legend(fontsize=9, title="dotted: paper's range", title_fontsize=9)
    axes[-1].set_xlabel("epoch")
    return figure


def dead_outputs_figure(results: dict) -> Any:
    """With a ReLU output unit: test images whose 10 outputs are all 0, per epoch and seed."""
    grouped = by_arm(results)
    panels = [[arm for arm in panel[:2] if arm in grouped] for panel in PANELS]
    panels = [panel for panel in panels if panel]
    figure = _figure(0.5 + 4.25 * len(panels))
    for ax, panel in zip(figure.subplots(len(panels), 1, sharey=True, squeeze=False)[:, 0], panels):
        for arm in panel:
            for index, run in enumerate(grouped[arm]):
                dead = [epoch["test_dead_outputs"] for epoch in run["epochs"]]
                ax.plot(
                    dead,
                    color=arm_style(arm)[0],
                    ls=("-", "--", ":")[index % 3],
                    label=f"{arm_label(arm)}, seed {run['seed']}",
                )
        ax.set(xlabel="epoch", ylabel="dead test outputs")
        ax.legend(
            fontsize=9, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.2)
        )  # below: the curves fill the panel
    return figure


def sweep_figure(results: dict) -> Any:
    """The learning-rate sweep: test accuracy (mean and t-interval over the sweep's seeds) and the
    final training loss against the rate, one line per activation; each best rate circled."""
    from paramact.experiments.mnist.sweep import sweep_rows

    rows = sweep_rows(results)
    figure = _figure(6.5)
    accuracy_ax, loss_ax = figure.subplots(2, 1, sharex=True)
    for activation in dict.fromkeys(row["activation"] for row in rows):
        mine = [row for row in rows if row["activation"] == activation]
        rates = np.array([row["lr"] for row in mine])
        mean = 100 * np.array([row["test_accuracy_mean"] for row in mine])
        low, high = (100 * np.array([row["test_accuracy_t95"] for row in mine], dtype=float)).T
        colour, style = arm_style(activation)
        accuracy_ax.errorbar(
            rates,
            mean,
            yerr=[mean - low, high - mean],
            color=colour,
            ls=style,
            capsize=3,
            label=arm_label(activation),
        )
        loss = np.array([row["final_train_loss_mean"] for row in mine])
        loss_ax.plot(rates, loss, color=colour, ls=style, marker=".")
        best = np.array([row["best"] for row in mine])
        for ax, values in ((accuracy_ax, mean), (loss_ax, loss)):
            ax.plot(rates[best], values[best], "o", ms=10, mfc="none", color=colour)
    # the scale of the runs that trained; a diverged rate is drawn as a triangle on the bottom edge
    trained = [100 * row["test_accuracy_mean"] for row in rows if row["test_accuracy_mean"] > 0.5]
    bottom = np.floor(min(trained, default=0.0)) - 0.5
    accuracy_ax.set_ylim(bottom, min(100.0, np.ceil(max(trained, default=100.0)) + 0.5))
    for row in rows:
        if 100 * row["test_accuracy_mean"] < bottom:
            colour = arm_style(row["activation"])[0]
            accuracy_ax.plot(row["lr"], bottom, "v", ms=9, color=colour, clip_on=False)
    accuracy_ax.set(xscale="log", ylabel="test accuracy (%)")
    accuracy_ax.legend(fontsize=9, title="triangle: diverged (below the axis)", title_fontsize=8)
    loss_ax.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="final training loss")
    loss_ax.set_xticks([row["lr"] for row in rows], [f"{row['lr']:g}" for row in rows])
    seeds = len(rows[0]["seeds"]) if rows else 0
    figure.suptitle(
        f"learning-rate sweep, {results['protocol']['epochs']} epochs, {seeds} seeds\n"
        "bars: 95% t-interval; circle: best rate by training loss"
    )
    return figure


def plot_results(results: dict, out_dir: str | os.PathLike, stem: str) -> list[Path]:
    """Write the figures of a results dict as PNG and SVG; return the files written.

    ``<stem>_fig11`` (training loss), ``<stem>_test_accuracy`` and, with parametric arms,
    ``<stem>_ab_hist`` and ``<stem>_ab_epochs``; ``<stem>_dead_outputs`` with a ReLU output unit;
    ``<stem>_lr_sweep`` with a learning-rate sweep.
    """
    grouped = by_arm(results)
    figures = {
        "fig11": training_loss_figure(results),
        "test_accuracy": test_accuracy_figure(results),
    }
    if _parametric_arms(grouped):
        figures.update(ab_hist=ab_histograms(results), ab_epochs=ab_epochs_figure(results))
    if results["protocol"]["output"] == "relu":
        figures["dead_outputs"] = dead_outputs_figure(results)
    if results["protocol"].get("sweep_lr"):
        figures["lr_sweep"] = sweep_figure(results)
    written = []
    for name, figure in figures.items():
        written += save_figure(figure, out_dir, f"{stem}_{name}")
    return written
