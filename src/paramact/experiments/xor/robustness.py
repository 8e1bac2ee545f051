"""Robustness of Chapter 8's findings: the same paired comparisons under other protocol choices.

The paper leaves the loss, the initialisation and the output unit open (Section 8.2), so a
finding of Chapter 8 is a finding about *our* choices until it has been seen under others. Each
variant changes ONE field of the base protocol (default: the chapter's ``XorProtocol()``) and trains
all four hidden activations on the same seeds (one :func:`run_xor` call, so seed ``s`` starts every
activation of a variant from the same weights). The default variants:

* ``base``: PyTorch's initialisation U(-r, r) with r = 1/sqrt(2) = 0.707, MSE, sigmoid output;
* ``loss=cross_entropy``: binary cross-entropy on the sigmoid output (the threshold 0.01 then
  applies to the cross-entropy);
* ``init=uniform<r>`` for r = 0.25, 0.5, 1, 2: every weight and bias from U(-r, r), radii around
  the default 0.707 (seed ``s`` draws the same numbers, scaled by r);
* ``output=identity``: a linear output unit with MSE. (Cross-entropy with an identity output is not
  a valid protocol, it needs probabilities; a variant the protocol rejects is listed under
  ``skipped`` with the reason, not run.)

Per variant and activation: the convergence rate k/n with its Wilson interval and the
Kaplan-Meier median of the steps with its interval. Per variant and pair (plain, parametric): the
comparisons of :func:`paired_comparisons` (McNemar on converging, sign and Wilcoxon tests on
steps), with the McNemar and sign-test p-values Holm-corrected across the variants within each
pair (``mcnemar_p_holm``, ``sign_test_p_holm``): the k-th smallest of m p-values times m - k + 1,
with running maxima, by :func:`paramact.stats.holm` (which rounds to 12 decimals, so an adjusted
p-value below 5e-13 is stored as 0 and shown as "< 1e-12").

>>> doc = run_robustness([2, 3], [("base", {}), ("init=uniform1", {"init": "uniform1"})],
...                      XorProtocol(max_steps=2000))
>>> [v["name"] for v in doc["variants"]], doc["variants"][1]["changes"]
(['base', 'init=uniform1'], {'init': 'uniform1'})
>>> doc["variants"][0]["arms"]["parametric_sigmoid"]["steps"]
[1849, 1662]
"""

from __future__ import annotations

import dataclasses
import datetime
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from paramact import _numeric, activations, layers, losses, mlp, optim, parametric, stats
from paramact.experiments.common import ACTIVATIONS, LABELS, PAIRS, environment, rounded
from paramact.experiments.xor import analysis as analysis_module
from paramact.experiments.xor import protocol as protocol_module
from paramact.experiments.xor import training as training_module
from paramact.experiments.xor.analysis import paired_comparisons, protocol_line
from paramact.experiments.xor.protocol import XorProtocol, check_seeds
from paramact.experiments.xor.training import XorResult, run_xor

__all__ = ["DEFAULT_VARIANTS", "run_robustness", "robustness_stem", "robustness_table"]

Variant = tuple[str, dict[str, Any]]

#: (name, changes to the base protocol): one field at a time.
DEFAULT_VARIANTS: tuple[Variant, ...] = (
    ("base", {}),
    ("loss=cross_entropy", {"loss": "cross_entropy"}),
    ("init=uniform0.25", {"init": "uniform0.25"}),
    ("init=uniform0.5", {"init": "uniform0.5"}),
    ("init=uniform1", {"init": "uniform1"}),
    ("init=uniform2", {"init": "uniform2"}),
    ("output=identity", {"output": "identity"}),
)
_SOURCES = (protocol_module, training_module, analysis_module, *stats.MODULES, mlp, layers, activations,
            parametric, _numeric, losses, optim)  # fmt: skip


def _arm(result: XorResult, activation: str, confidence: float) -> dict[str, Any]:
    """Convergence rate (Wilson interval), Kaplan-Meier median (interval), steps of every seed."""
    row = result.row(activation)
    steps, converged = result.steps[row], result.converged[row]
    k, n = int(converged.sum()), len(steps)
    median, low, high = stats.kaplan_meier_median(steps, converged, confidence)
    return {
        "converged": k,
        "convergence_rate": k / n,
        "convergence_rate_ci": stats.wilson_interval(k, n, confidence),
        "km_median": median,
        "km_median_ci": (low, high),
        "steps": [int(s) if c else None for s, c in zip(steps, converged)],
    }


def _variant(
    variant: Variant,
    protocol: XorProtocol,
    seeds: tuple[int, ...],
    confidence: float,
    progress: bool,
) -> dict[str, Any]:
    """Train the four activations of one variant on the seeds; its arms and paired comparisons."""
    name, changes = variant
    result = run_xor(seeds, ACTIVATIONS, protocol, progress=progress)
    return {
        "name": name,
        "changes": changes,
        "protocol": dataclasses.asdict(protocol) | {"init_radius": protocol.init_radius},
        "wall_time_s": result.wall_time_s,
        "arms": {a: _arm(result, a, confidence) for a in ACTIVATIONS},
        "comparisons": paired_comparisons(result),
    }


def _holm_across_variants(variants: list[dict[str, Any]]) -> None:
    """Add ``<test>_p_holm`` to every comparison: Holm over the variants, one family per pair."""
    for plain, _ in PAIRS:
        rows = [c for v in variants for c in v["comparisons"] if c["plain"] == plain]
        for test in ("mcnemar_p", "sign_test_p"):
            # nan (no decided pair) cannot be significant: it enters the family as 1.
            raw = [1.0 if c[test] != c[test] else c[test] for c in rows]
            for comparison, adjusted in zip(rows, stats.holm(raw) if raw else []):
                comparison[f"{test}_holm"] = adjusted


def run_robustness(
    seeds: int | Iterable[int],
    variants: Sequence[Variant] = DEFAULT_VARIANTS,
    base: XorProtocol | None = None,
    *,
    confidence: float = 0.95,
    progress: bool = False,
) -> dict[str, Any]:
    """Every variant's four activations on the same seeds; a JSON-ready document.

    ``variants`` are ``(name, changes)`` pairs, each changing at most one field of ``base``
    (default ``XorProtocol()``); one that changes more raises ``ValueError``, one the protocol
    rejects (e.g. ``output="identity"`` when the base loss is cross-entropy) is listed under
    ``skipped`` with the protocol's reason. The document holds, per variant, its protocol, per
    activation the outcomes of :func:`_arm`, and the paired comparisons with Holm-corrected
    p-values (see the module docstring).
    """
    base = base or XorProtocol()
    seeds = check_seeds(seeds)
    done: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for name, changes in variants:
        if len(changes) > 1:
            raise ValueError(
                f"variant {name!r} changes {len(changes)} fields; change one at a time"
            )
        try:
            protocol = dataclasses.replace(base, **changes)
        except ValueError as error:
            skipped.append({"name": name, "changes": changes, "reason": str(error)})
            continue
        done.append(_variant((name, changes), protocol, seeds, confidence, progress))
    _holm_across_variants(done)
    return rounded(
        {
            "experiment": "xor_robustness",
            "description": "2-2-1 XOR network: plain vs parametric sigmoid and ReLU on the same"
            " seeds under protocol variants, one choice changed at a time (Chapter 8)",
            "base": dataclasses.asdict(base) | {"init_radius": base.init_radius},
            "seeds": list(seeds),
            "activations": list(ACTIVATIONS),
            "confidence": confidence,
            "multiple_testing": "Holm across the variants, separately for each pair (plain,"
            " parametric), on the McNemar and on the sign-test p-values (paramact.stats.holm,"
            " 12 decimals: 0 means below 5e-13)",
            "variants": done,
            "skipped": skipped,
            "wall_time_s": sum(variant["wall_time_s"] for variant in done),
            "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"
            ),
            "environment": environment("cpu", (*_SOURCES, sys.modules[__name__])),
        }
    )


def robustness_stem(n_seeds: int) -> str:
    """File-name stem of a robustness study: ``robustness_seeds<N>``.

    >>> robustness_stem(1000)
    'robustness_seeds1000'
    """
    return f"robustness_seeds{n_seeds}"


def _rate(arm: dict) -> str:
    low, high = arm["convergence_rate_ci"]
    return f"{100 * arm['convergence_rate']:.1f} % [{100 * low:.0f}, {100 * high:.0f}]"


def _median(arm: dict, cap: int) -> str:
    median, (low, high) = arm["km_median"], arm["km_median_ci"]
    if median is None:
        return f"> {cap}"
    return f"{median:.0f} [{low:.0f}, {'> ' + str(cap) if high is None else f'{high:.0f}'}]"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.2g}"


def _p_holm(value: float | None) -> str:
    """A Holm-adjusted p-value; 0 means below the 12 decimals :func:`stats.holm` keeps."""
    return "< 1e-12" if value == 0 else _p(value)


def robustness_table(document: dict) -> str:
    """The study as Markdown: outcomes per variant and activation, then the paired comparisons.

    >>> doc = run_robustness([2, 3], [("base", {})], XorProtocol(max_steps=2000))
    >>> print(robustness_table(doc).splitlines()[6])
    | base | sigmoid | 0.0 % [0, 66] | > 2000 |
    """
    seeds, cap = len(document["seeds"]), document["base"]["max_steps"]
    fields = {f.name for f in dataclasses.fields(XorProtocol)}
    base = XorProtocol(**{k: v for k, v in document["base"].items() if k in fields})
    lines = [
        f"Protocol variants, {seeds} seeds each (the same seeds for every variant and activation);"
        " each variant changes one choice of the base protocol.",
        "",
        f"Base protocol: {protocol_line(base)}.",
        "",
        "| variant | activation | converged [95% CI] | Kaplan-Meier median steps [95% CI] |",
        "|---|---|---|---|",
    ]
    for variant in document["variants"]:
        for activation, arm in variant["arms"].items():
            lines.append(f"| {variant['name']} | {LABELS[activation]} | {_rate(arm)} |"
                         f" {_median(arm, cap)} |")  # fmt: skip
    lines += [
        "",
        "| variant | plain vs parametric | converged only: param. / plain | McNemar p (Holm) |"
        " faster: param. / plain | sign test p (Holm) | median step ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for variant in document["variants"]:
        for c in variant["comparisons"]:
            ratio = c["median_step_ratio_both_converged"]
            lines.append(
                f"| {variant['name']} | {LABELS[c['plain']]} vs {LABELS[c['parametric']]}"
                f" | {c['only_parametric_converged']} / {c['only_plain_converged']}"
                f" | {_p(c['mcnemar_p'])} ({_p_holm(c['mcnemar_p_holm'])})"
                f" | {c['parametric_faster']} / {c['plain_faster']}"
                f" | {_p(c['sign_test_p'])} ({_p_holm(c['sign_test_p_holm'])})"
                f" | {'-' if ratio is None else f'{ratio:.2f}'} |"
            )
    lines += [
        "",
        "Converged: Wilson interval. Median: Kaplan-Meier over all runs (> cap: fewer than half"
        " converged), Brookmeyer-Crowley interval. McNemar: exact, on the seeds where only one of"
        " the pair converged. Sign test: exact, on the seeds with a known order (censored runs"
        " kept). In brackets: Holm-corrected across the variants, separately for each pair."
        " Median step ratio: parametric / plain, over the seeds where both converged.",
    ]
    lines += [f"Not run: {s['name']} ({s['reason']})." for s in document["skipped"]]
    return "\n".join(lines)
