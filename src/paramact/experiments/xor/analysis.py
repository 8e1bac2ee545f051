"""Statistics of an XOR run and the printed Table 2: the paper's numbers beside ours.

>>> result = run_xor([2, 3], ("sigmoid",))
>>> summarize(result)["sigmoid"]["mean"]
2870.5
"""

from __future__ import annotations

import math

import numpy as np

from paramact import stats
from paramact.experiments.common import ACTIVATIONS, LABELS, PAIRS
from paramact.experiments.xor.protocol import PAPER_RUNS, PAPER_TABLE_2, XorProtocol
from paramact.experiments.xor.training import XorResult, run_xor  # noqa: F401  (run_xor: doctests)

__all__ = [
    "summarize",
    "paired_comparisons",
    "protocol_line",
    "format_table",
    "step_statistics",
    "outcomes",
    "table_2",
]


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
    return {
        activation: step_statistics(
            result.steps[result.row(activation)],
            result.converged[result.row(activation)],
            confidence,
        )
        for activation in result.activations
    }


def step_statistics(
    steps: np.ndarray, converged: np.ndarray, confidence: float = 0.95, bootstrap: bool = True
) -> dict:
    """The statistics of :func:`summarize` for one activation's runs: ``steps`` (the cap for a
    censored run) and ``converged`` flags; without ``bootstrap``, no ``median_bootstrap_ci``.

    Examples:
        >>> step_statistics(np.array([400, 371]), np.array([False, True]), bootstrap=False)["mean"]
        371.0
    """
    done = steps[converged].astype(float)
    runs, n_converged = len(steps), int(converged.sum())
    km_median, km_lo, km_hi = stats.kaplan_meier_median(steps, converged, confidence)
    result = {
        "runs": runs,
        "converged": n_converged,
        "convergence_rate": n_converged / runs,
        "convergence_rate_ci": stats.wilson_interval(n_converged, runs, confidence),
        "mean": float(done.mean()) if n_converged else math.nan,
        "sd": float(done.std(ddof=1)) if n_converged > 1 else math.nan,
        "max": int(done.max()) if n_converged else None,
        "min": int(done.min()) if n_converged else None,
        "mean_ci": stats.mean_ci(done, confidence),
        "median": float(np.median(done)) if n_converged else math.nan,
    }
    if bootstrap:
        result["median_bootstrap_ci"] = stats.bootstrap_ci(done, np.median, confidence=confidence)
    return result | {"km_median": km_median, "km_median_ci": (km_lo, km_hi)}


def paired_comparisons(result: XorResult) -> list[dict]:
    """Plain vs parametric activation on the same seeds (same initial weights).

    Two outcomes, each with its paired test. Speed: the sign test uses every pair whose order is
    known (a run censored at the cap is slower than any converged run, two censored runs are
    undecided), the Wilcoxon signed-rank test the pairs where both converged (see
    :mod:`paramact.stats` for why). Reliability: the exact McNemar test on converging within the
    cap, from the seeds where only one of the two converged.

    Examples:
        >>> (comparison,) = paired_comparisons(run_xor([2, 3], ("sigmoid", "parametric_sigmoid")))
        >>> comparison["parametric_faster"], comparison["plain_faster"], comparison["sign_test_p"]
        (2, 0, 0.5)
        >>> comparison["only_parametric_converged"], comparison["mcnemar_p"]
        (0, 1.0)
    """
    comparisons = []
    for plain, parametric in PAIRS:
        if plain not in result.activations or parametric not in result.activations:
            continue
        x, y = result.row(plain), result.row(parametric)
        args = (result.steps[x], result.steps[y], result.converged[x], result.converged[y])
        sign, wilcoxon = stats.sign_test(*args), stats.wilcoxon_paired(*args)
        reliability = stats.mcnemar_exact(result.converged[y], result.converged[x])
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
                "only_parametric_converged": reliability.only_x,
                "only_plain_converged": reliability.only_y,
                "mcnemar_p": reliability.pvalue,
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


def _fmt(value: float | None, spec: str, width: int) -> str:
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
        f"lr {protocol.lr:g} (a: {rates['scale']:g}, b: {rates['location']:g},"
        f" hidden bias x{protocol.hidden_bias_lr_multiplier:g}"
        + (
            f", output layer x{protocol.output_lr_multiplier:g})"
            if protocol.output_lr_multiplier != 1
            else ")"
        ),
        f"loss {protocol.loss}",
        f"output {protocol.output}",
        f"threshold {protocol.threshold:g}",
        f"cap {protocol.max_steps} steps",
    ]
    return ", ".join(parts)


def _seed_text(seeds: tuple[int, ...]) -> str:
    if len(seeds) == 1:
        return f"1 seed ({seeds[0]})"
    if seeds == tuple(range(seeds[0], seeds[-1] + 1)):
        return f"{len(seeds)} seeds ({seeds[0]}-{seeds[-1]})"
    return f"{len(seeds)} seeds (listed in the JSON)"


def _table_rows(result: XorResult, summary: dict) -> list[str]:
    """Two rows per activation: the paper's and this run's."""
    lines = []
    cap = result.protocol.max_steps
    for activation in result.activations:
        ours = summary[activation]
        paper = PAPER_TABLE_2[activation]
        paper_ci = stats.wilson_interval(round(paper["convergence_rate"] * PAPER_RUNS), PAPER_RUNS)
        for source, row, ci, runs in (
            ("paper", paper, paper_ci, PAPER_RUNS),
            ("ours", ours, ours["convergence_rate_ci"], ours["runs"]),
        ):
            converged = (
                f"{100 * row['convergence_rate']:5.1f}% [{100 * ci[0]:3.0f}, {100 * ci[1]:3.0f}]"
            )
            median = ""
            if source == "ours":
                lo, hi = ours["km_median_ci"]
                interval = f"[{_fmt_steps(lo, cap)}, {_fmt_steps(hi, cap)}]"
                median = f"{_fmt_steps(ours['km_median'], cap)} {interval}"
            lines.append(
                f"{activation if source == 'paper' else '':<19} {source:<6} {runs:>5}  {converged:<19}"
                f" {_fmt(row['mean'], '.1f', 8)} {_fmt(row['sd'], '.1f', 7)}"
                f" {_fmt(row['max'], 'd', 6)} {_fmt(row['min'], 'd', 6)}  {median}"
            )
    return lines


def _comparison_rows(comparisons: list[dict]) -> list[str]:
    lines = [
        "",
        "paired comparison on the same seeds (a run censored at the cap is slower than any converged run)",
        f"{'plain vs parametric':<40} {'param. faster':>13} {'plain faster':>12} {'ties':>5} {'undecided':>9}"
        f" {'sign test p':>11} {'Wilcoxon p (pairs)':>19} {'median ratio':>12}"
        f" {'converged only: param. / plain':>31} {'McNemar p':>10}",
    ]
    for c in comparisons:
        wilcoxon = f"{_fmt(c['wilcoxon_p'], '.3g', 9)} ({c['wilcoxon_pairs']})"
        lines.append(
            f"{c['plain'] + ' vs ' + c['parametric']:<40} {c['parametric_faster']:>13} {c['plain_faster']:>12}"
            f" {c['ties']:>5} {c['undecided']:>9} {_fmt(c['sign_test_p'], '.3g', 11)} {wilcoxon:>19}"
            f" {_fmt(c['median_step_ratio_both_converged'], '.3f', 12)}"
            f" {c['only_parametric_converged']:>15} / {c['only_plain_converged']:<13}"
            f" {_fmt(c['mcnemar_p'], '.3g', 10)}"
        )
    lines.append(
        "sign test: exact binomial on the decided pairs. Wilcoxon: signed-rank on the pairs where both"
        " converged. median ratio: parametric/plain steps, both converged. McNemar: exact, on the"
        " seeds where only one of the two converged within the cap."
    )
    return lines


def format_table(
    result: XorResult, summary: dict | None = None, comparisons: list | None = None
) -> str:
    """Table 2 of the paper beside this run, then the paired comparisons, as plain text.

    Examples:
        >>> table = format_table(run_xor(2, ("relu",), XorProtocol(max_steps=100)))
        >>> print(table.splitlines()[6])
        relu                paper     10   20.0% [  6,  51]      871.0  1033.8   1602    140
    """
    summary = summarize(result) if summary is None else summary
    comparisons = paired_comparisons(result) if comparisons is None else comparisons
    lines = [
        f"XOR 2-2-1: gradient steps until the loss first reaches {result.protocol.threshold:g}"
        " (Kong & Ko 2021, Table 2, beside this run)",
        f"protocol: {protocol_line(result.protocol)}",
        f"runs: {_seed_text(result.seeds)} per activation, the same initial weights for every activation;"
        f" training took {result.wall_time_s:.1f} s",
        "",
        f"{'activation':<19} {'source':<6} {'runs':>5}  {'converged [95% CI]':<19} {'mean':>8} {'sd':>7}"
        f" {'max':>6} {'min':>6}  median [95% CI]",
    ]
    lines.append("-" * (len(lines[-1]) + 8))
    lines += _table_rows(result, summary)
    lines += [
        "converged: Wilson interval. mean, sd (n-1), max, min: over the converged runs, as in the paper.",
        "median: Kaplan-Meier over all runs (censored runs kept; >cap: not reached within the cap),"
        " Brookmeyer-Crowley interval.",
    ]
    if comparisons:
        lines += _comparison_rows(comparisons)
    return "\n".join(line.rstrip() for line in lines)


# ------------------------------------------------------------------ stored results (the JSON document)


def outcomes(
    document: dict, activation: str, first: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Steps and converged flags of one activation's runs in a stored result (or the first ``first``
    seeds'); a censored run (``null``) gets the cap as its steps.

    Examples:
        >>> from paramact.experiments.xor.results import result_to_json
        >>> document = result_to_json(run_xor(3, ("relu",), XorProtocol(max_steps=400)))
        >>> outcomes(document, "relu")
        (array([400, 400, 371]), array([False, False,  True]))
    """
    raw = document["trials"][activation]["steps"][:first]
    converged = np.array([steps is not None for steps in raw], dtype=bool)
    cap = document["protocol"]["max_steps"]
    return np.array([cap if steps is None else steps for steps in raw], dtype=int), converged


def table_2(document: dict, first: int = 10, confidence: float = 0.95) -> str:
    """Table 2 as Markdown: per activation the paper's row, then this result's first ``first`` seeds
    and all of its seeds, each with intervals (Wilson for the rate, t for the mean, Brookmeyer-Crowley
    for the Kaplan-Meier median).

    Examples:
        >>> from paramact.experiments.xor.results import result_to_json
        >>> document = result_to_json(run_xor(3, ("relu",), XorProtocol(max_steps=400)))
        >>> print(table_2(document, first=2).splitlines()[3])
        | | seeds 0-1 | 2 | 0.0 % [0, 66] | - | [-, -] | - | > 400 [> 400, > 400] |
    """
    if first < 1:
        raise ValueError(f"first must be at least 1, got {first}")
    cap, seeds = document["protocol"]["max_steps"], document["seeds"]
    lines = [
        f"| activation | source | runs | converged [{confidence:.0%} CI] | mean ± sd "
        f"| {confidence:.0%} CI of the mean | min-max | Kaplan-Meier median [{confidence:.0%} CI] |",
        "|---|---|---:|---|---|---|---|---|",
    ]
    for activation in (a for a in ACTIVATIONS if a in document["trials"]):
        paper = PAPER_TABLE_2[activation]
        k = round(paper["convergence_rate"] * PAPER_RUNS)
        lo, hi = stats.wilson_interval(k, PAPER_RUNS, confidence)
        lines.append(
            f"| **{LABELS[activation]}** | paper | {PAPER_RUNS} | {100 * k / PAPER_RUNS:.0f} % "
            f"[{100 * lo:.0f}, {100 * hi:.0f}] | {paper['mean']:.0f} ± {paper['sd']:.0f} | - "
            f"| {paper['min']}-{paper['max']} | - |"
        )
        for subset in (first, None):
            steps, converged = outcomes(document, activation, subset)
            lines.append(_table_2_row(steps, converged, seeds, cap, confidence))
    return "\n".join(lines)


def _table_2_row(
    steps: np.ndarray, converged: np.ndarray, seeds: list[int], cap: int, confidence: float
) -> str:
    """One row of :func:`table_2`: the runs of the first ``len(steps)`` of ``seeds``."""

    def text(value: float | None) -> str:
        if value is None or math.isnan(value):
            return "-"
        return f"> {cap}" if math.isinf(value) else f"{value:.0f}"

    summary = step_statistics(steps, converged, confidence, bootstrap=False)
    runs, converged_runs = summary["runs"], summary["converged"]
    lo, hi = summary["convergence_rate_ci"]
    mean = f"{summary['mean']:.0f} ± {summary['sd']:.0f}" if converged_runs > 1 else "-"
    mean_lo, mean_hi = summary["mean_ci"]
    median, (median_lo, median_hi) = summary["km_median"], summary["km_median_ci"]
    extremes = f"{summary['min']:.0f}-{summary['max']:.0f}" if converged_runs else "-"
    return (
        f"| | {_seed_range(seeds[:runs])} | {runs} | {100 * converged_runs / runs:.1f} % "
        f"[{100 * lo:.0f}, {100 * hi:.0f}] | {mean} | [{text(mean_lo)}, {text(mean_hi)}] "
        f"| {extremes} | {text(median)} [{text(median_lo)}, {text(median_hi)}] |"
    )


def _seed_range(seeds: list[int]) -> str:
    """``seeds 0-9`` for consecutive seeds, ``seed 4`` for one, else how many."""
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    if list(seeds) == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return f"{len(seeds)} seeds"
