"""Figures of an XOR result: loss curves (Figs. 7 and 9), survival curves, learned (a, b) (Fig. 8).

Each draws a stored result (the document of :func:`~paramact.experiments.xor.result_to_json`, as
:func:`~paramact.experiments.xor.load_result` reads it back), so a chapter draws the stored runs with
the same functions as the command line. Each function returns a :class:`matplotlib.figure.Figure` (no pyplot, no global backend), at
most 6 inches wide with its panels stacked, in the activation styles of
:mod:`paramact.experiments.common`; :func:`save_figures` writes them as PNG and SVG.

>>> fig = plot_survival(result_to_json(run_xor(2, ("relu",), XorProtocol(max_steps=50))))
>>> float(fig.get_figwidth())
6.0
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from paramact import stats
from paramact.experiments.common import (
    COLOURS,
    LABELS,
    LINESTYLES,
    is_parametric,
    save_figure,
)
from paramact.experiments.xor.analysis import outcomes
from paramact.experiments.xor.protocol import XorProtocol  # noqa: F401  (doctests)
from paramact.experiments.xor.results import result_to_json  # noqa: F401  (doctests)
from paramact.experiments.xor.training import run_xor  # noqa: F401  (doctests)

__all__ = [
    "plot_loss_curves",
    "plot_survival",
    "plot_scale_location",
    "plot_sweep",
    "plot_robustness",
    "save_figures",
]

WIDTH = 6.0  # inches: legible on a phone (see tests/test_figures.py)


def plot_loss_curves(document: dict) -> Any:
    """Figs. 7/9 style: median loss per activation with its interquartile band over seeds, log y.

    ``document`` is a stored result (:func:`~paramact.experiments.xor.result_to_json`). Top: all
    runs. Bottom: only the runs that converged (the paper's Fig. 9 shows converged ReLU runs),
    where the result stores them.

    Examples:
        >>> document = result_to_json(run_xor(2, ("relu",), XorProtocol(max_steps=400)))
        >>> [ax.get_title() for ax in plot_loss_curves(document).axes]
        ['all runs', 'converged runs']
    """
    from matplotlib.figure import Figure

    curves = document["loss_curves"]
    panels = [(key, title) for key, title in _CURVE_PANELS if key in curves]
    fig = Figure(figsize=(WIDTH, 3.8 * len(panels)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True, sharey=True))
    grid = np.asarray(curves["steps"])
    rows = [curves["quantiles"].index(q) for q in (0.25, 0.5, 0.75)]
    for ax, (key, title) in zip(axes, panels):
        for activation in document["activations"]:
            if curves[key].get(activation) is None:
                continue
            q25, median, q75 = np.asarray(curves[key][activation], dtype=float)[rows]
            _, converged = outcomes(document, activation)
            runs = int(converged.sum()) if key == "converged_runs" else len(converged)
            colour = COLOURS[activation]
            ax.plot(
                grid,
                median,
                color=colour,
                ls=LINESTYLES[activation],
                lw=1.6,
                label=f"{LABELS[activation]} (n={runs})",
            )
            ax.fill_between(grid, q25, q75, color=colour, alpha=0.18, lw=0)
        ax.axhline(document["protocol"]["threshold"], color="black", lw=0.8, ls=":")
        ax.set_yscale("log")
        # Linear up to 100 steps, logarithmic beyond: ReLU runs converge in hundreds of steps,
        # sigmoid runs in thousands.
        ax.set_xscale("symlog", linthresh=100, linscale=0.5)
        ax.set_xlim(0, grid[-1])
        ax.set_title(title)
        ax.set_ylabel(f"loss ({document['protocol']['loss']})")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=9)
        else:
            ax.text(0.5, 0.5, "no run converged", transform=ax.transAxes, ha="center")
    axes[-1].set_xlabel("gradient step (linear to 100, then log)")
    fig.suptitle(
        f"XOR 2-2-1, {len(document['seeds'])} seeds: median loss and 25-75% band\n"
        f"(dotted: the threshold {document['protocol']['threshold']:g})"
    )
    return fig


_CURVE_PANELS = (("all_runs", "all runs"), ("converged_runs", "converged runs"))


def plot_survival(document: dict) -> Any:
    """Kaplan-Meier curves of steps-to-converge: the fraction of runs still above the threshold.

    A ``+`` at the cap marks the censored runs (never converged within ``max_steps``), whose number
    the legend gives; a median is read where a curve crosses the dotted line at 1/2.

    Examples:
        >>> document = result_to_json(run_xor(2, ("relu",), XorProtocol(max_steps=50)))
        >>> plot_survival(document).axes[0].get_ylabel()
        'fraction of runs not yet converged'
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 4.2), layout="constrained")
    ax = fig.subplots()
    cap = document["protocol"]["max_steps"]
    runs = {activation: outcomes(document, activation) for activation in document["activations"]}
    first_event = min((s[c].min(initial=cap) for s, c in runs.values()), default=cap)
    start = 10.0 ** math.floor(math.log10(max(first_event, 1)))  # the first convergence's decade
    for activation, (steps, converged) in runs.items():
        times, survival = stats.kaplan_meier(steps, converged)
        x = np.concatenate([[start], np.maximum(times, start), [cap]])
        y = np.concatenate([[1.0], survival, [survival[-1] if survival.size else 1.0]])
        colour, censored = COLOURS[activation], int((~converged).sum())
        ax.step(
            x,
            y,
            where="post",
            color=colour,
            ls=LINESTYLES[activation],
            label=f"{LABELS[activation]} ({censored} censored)",
        )
        if censored:
            ax.plot([cap], [y[-1]], marker="+", ms=12, mew=2, color=colour)
    ax.axhline(0.5, color="gray", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_xlim(start, cap * 1.3)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("gradient steps")
    ax.set_ylabel("fraction of runs not yet converged")
    ax.set_title(f"Kaplan-Meier, {len(document['seeds'])} seeds (+: censored at {cap})")
    ax.legend(fontsize=9)
    return fig


def _scatter_neurons(
    ax: Any, a: np.ndarray, b: np.ndarray, converged: np.ndarray, many: bool
) -> None:
    """One marker per run and hidden neuron; hollow for censored runs."""
    for neuron, (marker, colour) in enumerate((("o", "tab:purple"), ("^", "tab:cyan"))):
        for mask, filled in ((converged, True), (~converged, False)):
            if mask.any():
                ax.scatter(
                    a[mask, neuron],
                    b[mask, neuron],
                    marker=marker,
                    s=14 if many else 36,
                    facecolors=colour if filled else "none",
                    edgecolors=colour,
                    alpha=0.6 if many else 0.9,
                    linewidths=0.8,
                    rasterized=many,
                    label=f"neuron {neuron + 1}" + ("" if filled else " (censored)"),
                )


def plot_scale_location(document: dict) -> Any:
    """Fig. 8 style: the learned (a, b) of both hidden neurons, one point per run and neuron.

    The star is the start ``(a_init, b_init)``, (1, 0) by default: the ordinary activation.
    Hollow markers are censored runs. Returns ``None`` when the result has no parametric
    activation.

    Examples:
        >>> document = result_to_json(run_xor(2, ("relu", "parametric_relu"), XorProtocol(max_steps=50)))
        >>> plot_scale_location(document).axes[0].get_xlabel()
        'scale a'
    """
    from matplotlib.figure import Figure

    parametric = [a for a in document["activations"] if is_parametric(a)]
    if not parametric:
        return None
    fig = Figure(figsize=(WIDTH, 4.4 * len(parametric)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(parametric), 1))
    many = len(document["seeds"]) > 100  # rasterise big scatters so the SVG stays small
    start = (document["protocol"]["a_init"], document["protocol"]["b_init"])
    for ax, activation in zip(axes, parametric):
        learned = document["trials"][activation]
        a, b = (np.asarray(learned[name], dtype=float) for name in ("a", "b"))
        _scatter_neurons(ax, a, b, outcomes(document, activation)[1], many)
        ax.scatter(
            [start[0]],
            [start[1]],
            marker="*",
            s=180,
            color="black",
            zorder=5,
            label=f"start (a, b) = ({start[0]:g}, {start[1]:g})",
        )
        ax.set_xlabel("scale a")
        ax.set_ylabel("location b")
        ax.set_title(f"{LABELS[activation]}: learned (a, b)")
        ax.legend(fontsize=9)
    return fig


def save_figures(document: dict, out_dir: str | os.PathLike, stem: str) -> list[Path]:
    """Save the figures of a stored result as ``<stem>_<figure>.png`` (120 dpi) and ``.svg``;
    returns the paths written.

    Examples:
        >>> import tempfile
        >>> document = result_to_json(run_xor(2, ("relu",), XorProtocol(max_steps=50)))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     paths = save_figures(document, folder, "demo")
        >>> [path.name for path in paths]
        ['demo_loss_curves.png', 'demo_loss_curves.svg', 'demo_survival.png', 'demo_survival.svg']
    """
    figures = {
        "loss_curves": plot_loss_curves(document),
        "survival": plot_survival(document),
        "scale_location": plot_scale_location(document),
    }
    written: list[Path] = []
    for name, fig in figures.items():
        if fig is not None:
            written += save_figure(fig, out_dir, f"{stem}_{name}")
    return written


def plot_sweep(sweep: dict) -> Any:
    """Chapter 10's learning-rate sweep: how often each arm converges, and how fast, at each rate.

    Top: convergence rate within the cap with its Wilson interval. Bottom: Kaplan-Meier median of
    the steps with its interval (missing where fewer than half the runs converged). The best rate
    of each arm is ringed.

    Examples:
        >>> from paramact.experiments.xor.sweep import run_sweep
        >>> fig = plot_sweep(run_sweep([1.0, 2.0], [0, 1], XorProtocol(max_steps=2000)))
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['converged within the cap', 'median steps (Kaplan-Meier)']
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 6.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    styles = [
        ("sigmoid", COLOURS["sigmoid"], "-"),
        ("parametric_sigmoid", COLOURS["parametric_sigmoid"], "-"),
        (None, "0.45", "--"),  # the control arm
    ]
    for arm, (_, colour, style) in zip(sweep["arms"], styles):
        rates = [float(rate) for rate in arm["rates"]]
        rows = list(arm["rates"].values())
        rate = np.array([row["convergence_rate"] for row in rows])
        low, high = np.array([row["convergence_rate_ci"] for row in rows], dtype=float).T
        label = LABELS.get(arm["name"], arm["name"])
        top.errorbar(rates, rate, yerr=[rate - low, high - rate], color=colour, ls=style,
                     marker="o", capsize=3, label=label)  # fmt: skip
        median = np.array([_number(row["km_median"]) for row in rows])
        m_low, m_high = np.array([[_number(v) for v in row["km_median_ci"]] for row in rows]).T
        finite = np.isfinite(median)
        m_high = np.where(np.isfinite(m_high), m_high, median)
        bottom.errorbar(np.array(rates)[finite], median[finite],
                        yerr=[median[finite] - m_low[finite], m_high[finite] - median[finite]],
                        color=colour, ls=style, marker="o", capsize=3)  # fmt: skip
        best = float(arm["best_rate"])
        top.plot([best], [arm["rates"][arm["best_rate"]]["convergence_rate"]], "o", ms=13,
                 mfc="none", mec=colour, mew=1.5)  # fmt: skip
    top.set_xscale("log", base=2)
    top.set_ylabel("converged within the cap")
    top.set_title(f"{len(sweep['seeds'])} seeds per arm and rate (rings: each arm's best rate)")
    top.legend(fontsize=9)
    bottom.set_yscale("log")
    bottom.set_xlabel("learning rate")
    bottom.set_ylabel("median steps (Kaplan-Meier)")
    return fig


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


def plot_robustness(document: dict) -> Any:
    """Chapter 8's robustness study: each activation under each protocol variant.

    Top: convergence rate within the cap with its Wilson interval. Bottom: Kaplan-Meier median of
    the steps with its interval (missing where fewer than half the runs converged; an open upper
    end is drawn to the cap). Each variant is a group of four markers, plain (circles) beside
    parametric (squares), in the activation colours; the dotted line separates the base protocol.

    Examples:
        >>> from paramact.experiments.xor.robustness import run_robustness
        >>> doc = run_robustness([2], [("base", {})], XorProtocol(max_steps=2000))
        >>> [ax.get_ylabel() for ax in plot_robustness(doc).axes]
        ['converged within the cap', 'median steps (Kaplan-Meier)']
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 6.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    any_median = False
    variants = document["variants"]
    cap = document["base"]["max_steps"]
    x = np.arange(len(variants))
    activations = list(variants[0]["arms"]) if variants else []
    offsets = np.linspace(-0.27, 0.27, max(len(activations), 1))
    for offset, activation in zip(offsets, activations):
        arms = [variant["arms"][activation] for variant in variants]
        style = {"color": COLOURS[activation], "ls": "none", "capsize": 2, "ms": 5,
                 "marker": "s" if is_parametric(activation) else "o"}  # fmt: skip
        rate = np.array([arm["convergence_rate"] for arm in arms])
        low, high = np.array([arm["convergence_rate_ci"] for arm in arms], dtype=float).T
        top.errorbar(x + offset, rate, yerr=[rate - low, high - rate], label=LABELS[activation],
                     **style)  # fmt: skip
        median = np.array([_number(arm["km_median"]) for arm in arms])
        m_low, m_high = np.array([[_number(v) for v in arm["km_median_ci"]] for arm in arms]).T
        m_high = np.where(np.isfinite(m_high), m_high, cap)
        shown = np.isfinite(median)
        any_median = any_median or bool(shown.any())
        bottom.errorbar((x + offset)[shown], median[shown],
                        yerr=[median[shown] - m_low[shown], m_high[shown] - median[shown]],
                        **style)  # fmt: skip
    for ax in (top, bottom):
        ax.axvline(0.5, color="0.6", lw=0.8, ls=":")
    top.set_ylim(-0.02, 1.02)
    top.set_ylabel("converged within the cap")
    top.set_title(f"{len(document['seeds'])} seeds per variant and activation (95% intervals)")
    fig.legend(*top.get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize=8)
    if any_median:  # a log axis with no data cannot be drawn
        bottom.set_yscale("log")
    bottom.set_ylabel("median steps (Kaplan-Meier)")
    bottom.set_title("missing: fewer than half of the runs converged", fontsize=9)
    bottom.set_xticks(x, [_variant_label(variant["name"]) for variant in variants], fontsize=8)
    return fig


def _variant_label(name: str) -> str:
    r"""A short tick label: ``init=uniform0.5`` -> ``init\nU(±0.5)``.

    >>> _variant_label("loss=cross_entropy")
    'loss\ncross-\nentropy'
    """
    field, _, value = name.partition("=")
    value = value.replace("cross_entropy", "cross-\nentropy")
    if value.startswith("uniform"):
        value = f"U(±{value.removeprefix('uniform')})"
    return f"{field}\n{value}" if value else field
