"""Tests of Chapter 8's robustness study (paramact.experiments.xor.robustness): few seeds, short caps."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from paramact import stats
from paramact.cli import main
from paramact.experiments.common import ACTIVATIONS, PAIRS
from paramact.experiments.xor import XorProtocol, run_xor
from paramact.experiments.xor.figures import plot_robustness
from paramact.experiments.xor.robustness import (
    DEFAULT_VARIANTS,
    robustness_stem,
    robustness_table,
    run_robustness,
)

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "results" / "xor" / f"{robustness_stem(1000)}.json"
SEEDS = (0, 1, 2, 3, 4, 5, 6, 7)
BASE = XorProtocol(max_steps=2500)


@pytest.fixture(scope="module")
def study():
    return run_robustness(SEEDS, DEFAULT_VARIANTS, BASE)


def _protocol(stored: dict) -> XorProtocol:
    fields = {f.name for f in dataclasses.fields(XorProtocol)}
    return XorProtocol(**{key: value for key, value in stored.items() if key in fields})


def _converged(arm: dict) -> np.ndarray:
    return np.array([steps is not None for steps in arm["steps"]])


def test_each_variant_changes_exactly_one_field_of_the_base(study):
    assert [v["name"] for v in study["variants"]] == [name for name, _ in DEFAULT_VARIANTS]
    assert _protocol(study["base"]) == BASE
    for variant in study["variants"]:
        protocol = _protocol(variant["protocol"])
        changed = {
            f.name: getattr(protocol, f.name)
            for f in dataclasses.fields(XorProtocol)
            if getattr(protocol, f.name) != getattr(BASE, f.name)
        }
        assert changed == variant["changes"]
        assert len(changed) == (0 if variant["name"] == "base" else 1)
        assert variant["protocol"]["init_radius"] == pytest.approx(protocol.init_radius, rel=1e-5)
    assert study["skipped"] == []


def test_every_arm_runs_on_the_same_seeds_as_a_plain_run_xor(study):
    assert study["seeds"] == list(SEEDS) and study["activations"] == list(ACTIVATIONS)
    for variant in study["variants"]:
        assert list(variant["arms"]) == list(ACTIVATIONS)
        assert all(len(arm["steps"]) == len(SEEDS) for arm in variant["arms"].values())
    # One arm trained alone on the same seeds and protocol gives the same steps, seed by seed.
    variant = study["variants"][[n for n, _ in DEFAULT_VARIANTS].index("init=uniform1")]
    alone = run_xor(SEEDS, ("parametric_sigmoid",), _protocol(variant["protocol"]))
    expected = [int(s) if c else None for s, c in zip(alone.steps[0], alone.converged[0])]
    assert variant["arms"]["parametric_sigmoid"]["steps"] == expected


def test_arms_state_their_rates_and_medians(study):
    for variant in study["variants"]:
        for arm in variant["arms"].values():
            converged = _converged(arm)
            assert arm["converged"] == converged.sum()
            assert arm["convergence_rate"] == pytest.approx(converged.mean())
            low, high = arm["convergence_rate_ci"]
            assert low <= arm["convergence_rate"] <= high
            steps = np.array([BASE.max_steps if s is None else s for s in arm["steps"]])
            median = stats.kaplan_meier_median(steps, converged)[0]
            assert arm["km_median"] == (None if np.isinf(median) else median)


def test_mcnemar_counts_come_from_the_arms_and_add_up_to_the_seeds(study):
    for variant in study["variants"]:
        assert [(c["plain"], c["parametric"]) for c in variant["comparisons"]] == list(PAIRS)
        for c in variant["comparisons"]:
            plain = _converged(variant["arms"][c["plain"]])
            param = _converged(variant["arms"][c["parametric"]])
            assert c["only_parametric_converged"] == np.sum(param & ~plain)
            assert c["only_plain_converged"] == np.sum(plain & ~param)
            both, neither = np.sum(plain & param), np.sum(~plain & ~param)
            discordant = c["only_parametric_converged"] + c["only_plain_converged"]
            assert discordant + both + neither == len(SEEDS)
            assert c["mcnemar_p"] == pytest.approx(stats.mcnemar_exact(param, plain).pvalue)


def test_holm_is_applied_across_the_variants_within_each_pair(study):
    for plain, _ in PAIRS:
        rows = [c for v in study["variants"] for c in v["comparisons"] if c["plain"] == plain]
        assert len(rows) == len(DEFAULT_VARIANTS)
        for test in ("mcnemar_p", "sign_test_p"):
            raw = [1.0 if c[test] is None else c[test] for c in rows]
            assert [c[f"{test}_holm"] for c in rows] == pytest.approx(stats.holm(raw), rel=1e-5)
            assert all(c[f"{test}_holm"] >= r - 1e-12 for c, r in zip(rows, raw))
    assert "Holm" in study["multiple_testing"]


def test_the_table_has_a_row_per_variant_and_activation_and_per_pair(study):
    table = robustness_table(study)
    for variant in study["variants"]:
        rows = [line for line in table.splitlines() if line.startswith(f"| {variant['name']} |")]
        assert len(rows) == len(ACTIVATIONS) + len(PAIRS)
    assert "Holm" in table and "McNemar p (Holm)" in table


def test_the_figure_has_both_panels(study):
    fig = plot_robustness(study)
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "converged within the cap",
        "median steps (Kaplan-Meier)",
    ]
    assert len(fig.axes[1].get_xticklabels()) == len(DEFAULT_VARIANTS)


def test_an_invalid_variant_is_skipped_with_its_reason_and_two_changes_are_refused():
    study = run_robustness(
        [0], [("output=identity", {"output": "identity"})], XorProtocol(loss="cross_entropy")
    )
    assert study["variants"] == []
    (skipped,) = study["skipped"]
    assert skipped["name"] == "output=identity" and "needs output 'sigmoid'" in skipped["reason"]
    assert "Not run: output=identity" in robustness_table(study)
    with pytest.raises(ValueError, match="one at a time"):
        run_robustness([0], [("two", {"loss": "cross_entropy", "init": "uniform1"})])


def test_cli_writes_the_study_into_out(tmp_path, capsys):
    argv = ["xor", "--seeds", "3", "--max-steps", "300", "--robustness", "--out", str(tmp_path)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    stem = robustness_stem(3)
    assert "| base | sigmoid |" in printed and f"wrote {tmp_path}" in printed
    names = {path.name for path in tmp_path.iterdir()}
    assert names == {f"{stem}.{suffix}" for suffix in ("json", "md", "png", "svg")}
    document = json.loads((tmp_path / f"{stem}.json").read_text())
    assert document["experiment"] == "xor_robustness" and document["seeds"] == [0, 1, 2]
    assert document["base"]["max_steps"] == 300
    assert document["figures"] == [f"{stem}.png", f"{stem}.svg"]
    assert "paramact.experiments.xor.robustness" in document["environment"]["sources_sha256"]
    assert (tmp_path / f"{stem}.md").read_text() == robustness_table(document) + "\n"


@pytest.mark.parametrize(
    "argv", [["--sweep-lr", "1"], ["--activations", "relu"]], ids=["with-sweep", "activations"]
)
def test_cli_refuses_robustness_with_options_it_cannot_honour(tmp_path, capsys, argv):
    assert main(["xor", "--seeds", "2", "--robustness", "--out", str(tmp_path), *argv]) == 2
    assert "--robustness" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_stored_study_matches_its_summary_and_the_stored_base_run():
    document = json.loads(STORED.read_text())
    assert document["experiment"] == "xor_robustness" and len(document["seeds"]) == 1000
    assert _protocol(document["base"]) == XorProtocol()
    summary = STORED.with_suffix(".md").read_text()
    assert summary == robustness_table(document) + "\n"
    # The base variant is the chapter's big run: the same steps, seed by seed.
    big = json.loads((ROOT / "results" / "xor" / "seeds1000.json").read_text())
    base = document["variants"][0]
    assert base["name"] == "base" and base["changes"] == {}
    for activation in ACTIVATIONS:
        assert base["arms"][activation]["steps"] == big["trials"][activation]["steps"]
