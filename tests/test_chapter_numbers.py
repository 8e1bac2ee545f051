"""Every number in the prose of chapters 8-10 comes from the stored results.

The chapters' tables and figures are drawn from ``results/`` by library functions; their prose
quotes some of their numbers. This test collects every decimal number and percentage in the
markdown of a master notebook (formulas, code and section numbers left out) and requires each to
be one that the stored results give, in one of the formats the chapters use, or one of the fixed
numbers of the protocol and the paper listed below. Chapter 9 is checked against the MNIST results
arm by arm; chapters 8 and 10 against every summary number of the XOR results (their per-seed
arrays left out), a looser check. A number typed by hand, or left over from
older results, fails it. (The check is by value, not by place: among the many small differences
and locations the results give, a number off in its last digit can match another one.)
"""

from __future__ import annotations

import functools
import json
import numbers
import re
from pathlib import Path

import numpy as np
import pytest

from paramact import stats
from paramact.experiments import mnist

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "solutions" / "09_mnist" / "mnist.ipynb"
FOLDER = ROOT / "results" / "mnist"
XOR_CHAPTERS = {
    "08_xor": ROOT / "solutions" / "08_xor" / "xor.ipynb",
    "10_what_a_and_b_do": ROOT / "solutions" / "10_what_a_and_b_do" / "what_a_and_b_do.ipynb",
}
XOR_FILES = ("seeds10", "seeds1000", "lr_sweep_seeds1000", "robustness_seeds1000")
#: Fixed numbers of chapters 8 and 10 that are not results.
XOR_CONSTANTS = {
    "72",  # the lower Wilson bound of 10 converged runs out of 10, the chapter's worked example
    "1.5",  # 1 + 0.71^2: the largest initial learning-rate factor a^2 + w^2 (a = 1, |w| <= 1/sqrt 2)
}

#: Numbers of the paper and of the protocol, quoted as such (not results).
CONSTANTS = {
    # the paper's ranges of a and b (section IV.2)
    "1.07", "4.49", "0.45", "0.63", "1.00", "2.61", "2.4", "0.23",
    # learning rates (0.8 is also the rule of thumb for a large effect size), confidence level,
    # quantiles of the t and normal distributions
    "0.1", "0.2", "0.4", "0.8", "1.6", "0.95", "1.96", "4.30", "2.26", "95",
    # the significance level of the tests
    "5",
}  # fmt: skip


def prose_numbers(notebook: Path) -> list[str]:
    """The numbers in the markdown cells, without formulas, code, links and section numbers."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for pattern in (
        r"```.*?```",
        r"\$\$.*?\$\$",
        r"\$[^$]*\$",
        r"`[^`]*`",
        r"\]\([^)]*\)",
        r"(?:Sections?|Chapters?|Fig\.|Figs\.|Table|eqs?\.)\s*[\d.]+(?:\s*and\s*[\d.]+)?",
        r"^#+ [\d.]+",
    ):
        text = re.sub(pattern, " ", text, flags=re.S | re.M)
    return re.findall(r"\d+\.\d+|\d+(?=\s?%)", text)


def _formats(values, scale: float, digits: tuple[int, ...]) -> set[str]:
    return {
        f"{abs(scale * float(v)):.{d}f}" for v in np.ravel(values) if v is not None for d in digits
    }


def stored_numbers() -> set[str]:
    """Every number the chapter may quote, in the formats it uses."""
    found: set[str] = set()
    stored = mnist.load_stored(folder=FOLDER)
    for results in stored.values():
        grouped = mnist.by_arm(results)
        accuracy = {
            arm: np.array([r["test_accuracy"] for r in runs]) for arm, runs in grouped.items()
        }
        for arm, values in accuracy.items():
            found |= _formats(values, 100, (1, 2))  # per seed, %
            found |= _formats([values.mean(), values.min(), values.max()], 100, (0, 1, 2))
            found |= _formats(stats.mean_ci(values), 100, (2,))
            runs = grouped[arm]
            losses = [[e["train_loss"], e["test_loss"]] for r in runs for e in r["epochs"][-1:]]
            found |= _formats(np.mean(losses, axis=0), 1, (3, 4))
            found |= _formats(losses, 1, (3, 4))
            found |= _formats(np.ptp(values), 100, (2,))  # spread over seeds, pp
            dead = [r["epochs"][-1]["test_dead_outputs"] / r["n_test"] for r in runs]
            found |= _formats(dead, 100, (0,))
            for name in ("final_a", "final_b"):
                if name in runs[0]:
                    pooled = np.concatenate([r[name] for r in runs])
                    found |= _formats([pooled.min(), pooled.max()], 1, (2,))
                    found |= _formats(np.quantile(pooled, [0.25, 0.5, 0.75]), 1, (1, 2))
                    found |= _formats([[min(r[name]), max(r[name])] for r in runs], 1, (2,))
        pairs = [(mnist.baseline_of(arm), arm) for arm in accuracy] + [("sigmoid", "relu")]
        for first, second in pairs:
            if first in accuracy and second in accuracy:
                d = accuracy[second] - accuracy[first]
                found |= _formats([d.mean(), *stats.mean_ci(d)], 100, (1, 2))
                found |= _formats(d, 100, (2,))
        if results["protocol"].get("sweep_lr"):
            for row in mnist.sweep_rows(results):
                found |= _formats(
                    [row["test_accuracy_mean"], *row["test_accuracy_t95"]], 100, (1, 2)
                )
                found |= _formats([row["final_train_loss_mean"]], 1, (3, 4))
    document = mnist.load_endpoints(FOLDER)
    if document is not None:
        for row in [document["primary"], *document["secondary"]]:
            found |= _formats([row["difference_mean"], *row["difference_ci95"]], 100, (2,))
            pvalues = [p for p in (row["pvalue"], row.get("pvalue_holm")) if p is not None]
            found |= {f"{p:.2g}" for p in pvalues} | _formats(pvalues, 1, (2,))
    return found


@pytest.mark.skipif(not (FOLDER / "endpoints.json").is_file(), reason="no stored results here")
def test_every_number_in_chapter_9_comes_from_the_stored_results():
    allowed = stored_numbers() | CONSTANTS
    unexplained = sorted({n for n in prose_numbers(CHAPTER) if n not in allowed})
    assert not unexplained, (
        f"chapter 9 quotes numbers that no stored result gives: {unexplained}; take them from "
        "the tables the chapter prints (or add a protocol constant to CONSTANTS, with its reason)"
    )


def test_prose_numbers_leave_out_formulas_code_and_section_numbers(tmp_path):
    notebook = tmp_path / "n.ipynb"
    cell = {
        "cell_type": "markdown",
        "source": [
            "## 9.8 Title\n",
            "In Section 9.12, $x = 0.5$ and `lr=0.3` give 94.02 % and +0.76 pp [0.52, 1.00].\n",
        ],
    }
    notebook.write_text(json.dumps({"cells": [cell]}))
    assert prose_numbers(notebook) == ["94.02", "0.76", "0.52", "1.00"]


def _summary_values(block: object, found: list[float]) -> None:
    """Every number of a results block, leaving out per-seed arrays, curves and the environment."""
    if isinstance(block, dict):
        for key, value in block.items():
            if key not in ("trials", "loss_curves", "environment", "figures", "seeds", "benchmark"):
                _summary_values(value, found)
    elif isinstance(block, list) and len(block) <= 50:
        for value in block:
            _summary_values(value, found)
    elif isinstance(block, numbers.Real) and not isinstance(block, bool):
        found.append(float(block))


@functools.cache
def xor_numbers() -> set[str]:
    """The summary numbers of the stored XOR results and the paper's Table 2, as chapters 8 and 10
    quote them: 1-2 decimals, whole numbers from 10 on, and fractions as percentages."""
    from paramact.experiments.xor import PAPER_TABLE_2

    values: list[float] = []
    for name in XOR_FILES:
        _summary_values(json.loads((ROOT / "results" / "xor" / f"{name}.json").read_text()), values)
    _summary_values(PAPER_TABLE_2, values)
    found: set[str] = set()
    for v in values:
        found |= {f"{abs(v):.{d}f}" for d in (1, 2)}
        found |= {f"{abs(v):.0f}"} if abs(v) >= 10 else set()
        found |= {f"{abs(100 * v):.{d}f}" for d in (0, 1)} if abs(v) <= 1 else set()
    return found


@pytest.mark.parametrize("chapter", sorted(XOR_CHAPTERS))
def test_every_number_in_the_xor_chapters_comes_from_the_stored_results(chapter):
    allowed = xor_numbers() | CONSTANTS | XOR_CONSTANTS
    unexplained = sorted({n for n in prose_numbers(XOR_CHAPTERS[chapter]) if n not in allowed})
    assert not unexplained, (
        f"chapter {chapter} quotes numbers that no stored XOR result gives: {unexplained}"
    )
