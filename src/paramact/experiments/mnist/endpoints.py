"""The MNIST comparisons declared before their results were read: one primary, the rest secondary.

Declared on 2026-12-06 (commit "mnist: declare the endpoints"), after the runs of
``results/mnist/README.md`` were started and before any comparison was computed from them.

Every comparison is a difference in test accuracy after training, ``treated - reference``,
paired by seed (the same initial weights and batch order):

* **estimate**: the mean of the per-seed differences;
* **interval**: 95 %, a two-level bootstrap that resamples the seeds and, within them, the
  10 000 test images (the same images for both arms), so that both the training seed and the
  finite test set enter it;
* **test**: the paired t-test over seeds, two-sided. The primary one is judged at 0.05 on its
  own; the secondary ones at 0.05 after Holm's correction across all of them.

The best learning rate of an activation is the one with the lowest mean final *training* loss over
the sweep's seeds (rates 0.1, 0.2, 0.4, 0.8, 1.6; 30 epochs), so the test set plays no part in
choosing it; best against best is compared on those seeds. (The rate 1.6 was added, and the runs
restarted, when the first seed's runs at 0.8 came out ahead of those at lower rates: a sweep whose
best rate sits at its edge has not found the best rate.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

from paramact import stats
from paramact.experiments.common import rounded
from paramact.experiments.mnist.errors import ResultsFileError
from paramact.experiments.mnist.sweep import resolve

__all__ = [
    "Comparison",
    "PRIMARY",
    "SECONDARY",
    "BOOTSTRAP_RESAMPLES",
    "test_labels",
    "correct",
    "compare",
    "evaluate_endpoints",
    "endpoints_table",
]

#: Resamples of the crossed bootstrap (:func:`paramact.stats.crossed_bootstrap_ci`).
BOOTSTRAP_RESAMPLES = 4000


@dataclass(frozen=True)
class Comparison:
    """``treated - reference`` in the results file ``stem``; ``"best"`` rates are chosen by
    training loss on the sweep (see the module)."""

    key: str
    treated: str
    reference: str
    stem: str = "mnist_softmax"
    question: str = ""


#: The paper's claim at the paper's protocol (rate 0.1 for everything, 30 epochs, 10 seeds).
PRIMARY = Comparison(
    "parametric_sigmoid",
    "parametric_sigmoid",
    "sigmoid",
    question="Does the parametric sigmoid reach a higher test accuracy than the sigmoid?",
)

#: Judged after Holm's correction across all of them.
SECONDARY = (
    Comparison(
        "parametric_relu",
        "parametric_relu",
        "relu",
        question="Does the parametric ReLU reach a higher test accuracy than the ReLU?",
    ),
    Comparison(
        "best_sigmoid",
        "parametric_sigmoid@best",
        "sigmoid@best",
        question="Does the sigmoid gain survive tuning each arm's learning rate?",
    ),
    Comparison(
        "best_relu",
        "parametric_relu@best",
        "relu@best",
        question="Does the ReLU gain survive tuning each arm's learning rate?",
    ),
    Comparison(
        "sigmoid_output_lr",
        "parametric_sigmoid",
        "sigmoid+output-lr-x2",
        question="Is the sigmoid gain more than a doubled output-layer rate gives?",
    ),
    Comparison(
        "relu_output_lr",
        "parametric_relu",
        "relu+output-lr-x2",
        question="Is the ReLU gain more than a doubled output-layer rate gives?",
    ),
    Comparison(
        "sigmoid_scale_only",
        "parametric_sigmoid+scale-only",
        "sigmoid",
        question="Does learning the scale a alone (b frozen) give a sigmoid gain?",
    ),
    Comparison(
        "relu_scale_only",
        "parametric_relu+scale-only",
        "relu",
        question="Does learning the scale a alone (b frozen) give a ReLU gain?",
    ),
    Comparison(
        "sigmoid_doubled_bias",
        "sigmoid+doubled-bias",
        "sigmoid",
        question="Does doubling the hidden-bias rate (= learning b alone) change the sigmoid?",
    ),
    Comparison(
        "relu_doubled_bias",
        "relu+doubled-bias",
        "relu",
        question="Does doubling the hidden-bias rate (= learning b alone) change the ReLU?",
    ),
    Comparison(
        "sigmoid_150_epochs",
        "parametric_sigmoid",
        "sigmoid",
        stem="mnist_softmax_150epochs",
        question="Does the sigmoid gain remain after 150 epochs (3 seeds)?",
    ),
    Comparison(
        "relu_150_epochs",
        "parametric_relu",
        "relu",
        stem="mnist_softmax_150epochs",
        question="Does the ReLU gain remain after 150 epochs (3 seeds)?",
    ),
)


def test_labels(results: dict) -> np.ndarray:
    """The test labels stored in ``results["data"]["y_test_labels"]`` (a string of digits).

    :func:`~paramact.experiments.mnist.render_from_json` adds them from the data set, checked
    against the file's ``y_test_idx_sha256``.
    """
    labels = results["data"].get("y_test_labels")
    if labels is None:
        raise ResultsFileError(
            "this results file has no test labels; add them with "
            "`paramact mnist --from-json FILE` (it needs the data set)"
        )
    return np.frombuffer(labels.encode("ascii"), np.uint8) - ord("0")


def correct(
    results: dict, arm: str, seeds: list[int] | None = None
) -> tuple[list[int], np.ndarray]:
    """The seeds of ``arm`` (or those of ``seeds`` it has) and whether each run got each test
    image right: a boolean array ``(seeds, images)`` from the stored predictions."""
    labels = test_labels(results)
    runs = sorted(
        (r for r in results["runs"] if r["arm"] == arm and (seeds is None or r["seed"] in seeds)),
        key=lambda run: run["seed"],
    )
    if not runs:
        raise ResultsFileError(f"no runs of arm {arm!r} in this results file")
    predicted = np.array(
        [
            np.frombuffer(run["test_predictions"].encode("ascii"), np.uint8) - ord("0")
            for run in runs
        ]
    )
    return [run["seed"] for run in runs], predicted == labels


def compare(results: dict, comparison: Comparison) -> dict:
    """One declared comparison, on the seeds both arms share (the sweep's for ``@best``)."""
    treated, reference = (
        resolve(results, comparison.treated),
        resolve(results, comparison.reference),
    )
    best = comparison.treated.endswith("@best")
    sweep = results["protocol"].get("sweep_seeds") if best else None
    treated_seeds, treated_correct = correct(results, treated, sweep)
    reference_seeds, reference_correct = correct(results, reference, sweep)
    shared = sorted(set(treated_seeds) & set(reference_seeds))
    x = treated_correct[[treated_seeds.index(seed) for seed in shared]]
    y = reference_correct[[reference_seeds.index(seed) for seed in shared]]
    differences = x.mean(axis=1) - y.mean(axis=1)
    return {
        **asdict(comparison),
        "treated_arm": treated,
        "reference_arm": reference,
        "seeds": shared,
        "treated_accuracy": rounded(x.mean(axis=1).tolist()),
        "reference_accuracy": rounded(y.mean(axis=1).tolist()),
        "difference_mean": rounded(float(differences.mean())),
        "difference_ci95": rounded(
            list(stats.crossed_bootstrap_ci(x, y, n_resamples=BOOTSTRAP_RESAMPLES))
        ),
        "seeds_treated_better": int(np.sum(differences > 0)),
        "seeds_treated_worse": int(np.sum(differences < 0)),
        "images_only_treated_right": int(np.sum(x & ~y)),
        "images_only_reference_right": int(np.sum(~x & y)),
        "pvalue": _pvalue(stats.paired_t_test(x.mean(axis=1), y.mean(axis=1))),
    }


def _pvalue(value: float) -> float | None:
    """A p-value for JSON: None where the test has nothing to judge (one seed, no spread)."""
    return None if np.isnan(value) else rounded(value)


def evaluate_endpoints(results_by_stem: Mapping[str, dict]) -> dict:
    """The primary comparison and the secondary ones with Holm-adjusted p-values.

    ``results_by_stem`` maps a stem (``"mnist_softmax"``, ``"mnist_softmax_150epochs"``) to its
    results; comparisons whose file is missing are left out (and listed in ``"missing"``).
    """
    secondary = [
        compare(results_by_stem[c.stem], c) for c in SECONDARY if c.stem in results_by_stem
    ]
    tested = [row for row in secondary if row["pvalue"] is not None]
    adjusted = stats.holm([row["pvalue"] for row in tested]) if tested else []
    for row in secondary:
        row["pvalue_holm"] = None
    for row, pvalue in zip(tested, adjusted):
        row["pvalue_holm"] = rounded(pvalue)
    return {
        "schema": "paramact.mnist-endpoints/1",
        "declared": "paramact.experiments.mnist.endpoints (see its docstring)",
        "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
        "primary": compare(results_by_stem[PRIMARY.stem], PRIMARY),
        "secondary": secondary,
        "missing": sorted({c.stem for c in SECONDARY} - set(results_by_stem)),
    }


def _row(row: dict, adjusted: bool) -> str:
    low, high = row["difference_ci95"]
    p = row["pvalue_holm"] if adjusted else row["pvalue"]
    shown = "n/a" if p is None else f"{p:.2g}"
    return (
        f"| {row['question']} | {row['treated_arm']} - {row['reference_arm']} "
        f"| {len(row['seeds'])} | {100 * row['difference_mean']:+.2f} "
        f"[{100 * low:+.2f}, {100 * high:+.2f}] "
        f"| {row['seeds_treated_better']}/{row['seeds_treated_worse']} | {shown} |"
    )


def endpoints_table(document: dict) -> str:
    """The primary and secondary comparisons of :func:`evaluate_endpoints` as Markdown tables."""
    header = [
        "| question | treated - reference | seeds | difference (pp) [95% CI] "
        "| seeds better/worse | p |",
        "|---|---|---|---|---|---|",
    ]
    return (
        "\n".join(
            [
                "Primary comparison (paired t-test over seeds; interval: bootstrap over seeds and "
                "test images)",
                "",
                *header,
                _row(document["primary"], adjusted=False),
                "",
                "Secondary comparisons (p adjusted by Holm's method across them)",
                "",
                *header,
                *(_row(row, adjusted=True) for row in document["secondary"]),
            ]
        )
        + "\n"
    )
