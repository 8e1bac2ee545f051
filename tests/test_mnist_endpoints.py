"""The MNIST learning-rate sweep and the declared comparisons, on small synthetic runs."""

import json
from pathlib import Path

import numpy as np
import pytest
from test_mnist import synthetic_arrays

from paramact import stats
from paramact.experiments import mnist
from paramact.experiments.mnist import endpoints, sweep

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def arrays():
    return synthetic_arrays(n_train=80, n_test=60)


@pytest.fixture(scope="module")
def results(arrays):
    config = mnist.MnistConfig(
        seeds=range(3),
        epochs=2,
        batch_size=20,
        hidden=12,
        control=["doubled-bias", "output-lr", "scale-only"],
        sweep_lr=[0.05, 0.4],
        sweep_seeds=2,
    )
    results = mnist.run_mnist(config, data=arrays, device="cpu", progress=False)
    return mnist.add_test_labels(results, arrays)


def test_runs_cover_the_controls_and_the_sweep_on_its_seeds(results):
    arms = {(run["arm"], run["seed"]) for run in results["runs"]}
    assert ("sigmoid+output-lr-x2", 2) in arms and ("parametric_relu+scale-only", 2) in arms
    assert ("relu@lr=0.4", 1) in arms and ("relu@lr=0.4", 2) not in arms
    assert results["protocol"]["sweep_seeds"] == [0, 1]
    for run in results["runs"]:
        if run["arm"].endswith("+scale-only"):
            assert run["final_b"] == [0.0] * 12  # b frozen at b_init
        assert run["lr"] == (
            0.4 if "@lr=0.4" in run["arm"] else 0.05 if "@lr=0.05" in run["arm"] else 0.1
        )


def test_the_output_lr_control_trains_differently_from_the_plain_arm(results):
    by_key = {(run["arm"], run["seed"]): run for run in results["runs"]}
    assert (
        by_key[("sigmoid+output-lr-x2", 0)]["step_loss_block_means"]
        != by_key[("sigmoid", 0)]["step_loss_block_means"]
    )


def test_predictions_agree_with_the_counts(results):
    for run in results["runs"]:
        seeds, right = endpoints.correct(results, run["arm"], [run["seed"]])
        assert seeds == [run["seed"]] and right.sum() == run["test_correct"]


def test_best_rate_is_the_lowest_training_loss_on_the_sweep_seeds(results):
    for activation in mnist.ACTIVATIONS:
        losses = {}
        for rate in (0.05, 0.1, 0.4):
            arm = sweep.arm_at(results, activation, rate)
            runs = [r for r in results["runs"] if r["arm"] == arm and r["seed"] in (0, 1)]
            losses[rate] = np.mean([r["epochs"][-1]["train_loss"] for r in runs])
        assert sweep.best_rate(results, activation) == min(losses, key=losses.get)
    rows = sweep.sweep_rows(results)
    assert len(rows) == 12 and sum(row["best"] for row in rows) == 4
    assert "**" in sweep.sweep_table(results)
    with pytest.raises(ValueError, match="no runs"):
        sweep.best_rate({"protocol": {"lr": 0.1, "seeds": [0]}, "runs": []}, "relu")


def test_endpoints_estimate_the_paired_difference_and_adjust_the_secondary_ones(results):
    document = endpoints.evaluate_endpoints({"mnist_softmax": results})
    primary = document["primary"]
    accuracy = {(r["arm"], r["seed"]): r["test_accuracy"] for r in results["runs"]}
    expected = np.mean(
        [accuracy["parametric_sigmoid", s] - accuracy["sigmoid", s] for s in range(3)]
    )
    assert primary["seeds"] == [0, 1, 2]
    assert primary["difference_mean"] == pytest.approx(expected, abs=1e-6)
    low, high = primary["difference_ci95"]
    assert low <= primary["difference_mean"] <= high
    assert document["missing"] == ["mnist_softmax_150epochs"]
    secondary = document["secondary"]
    assert len(secondary) == len(endpoints.SECONDARY) - 2
    tested = [row for row in secondary if row["pvalue"] is not None]
    adjusted = stats.holm([row["pvalue"] for row in tested])
    assert [row["pvalue_holm"] for row in tested] == pytest.approx(adjusted)
    assert all(row["pvalue_holm"] >= row["pvalue"] for row in tested)
    best = next(row for row in secondary if row["key"] == "best_relu")
    assert best["seeds"] == [0, 1]  # best against best: the sweep's seeds only
    assert best["treated_arm"] == sweep.arm_at(
        results, "parametric_relu", sweep.best_rate(results, "parametric_relu")
    )
    table = endpoints.endpoints_table(document)
    assert table.count("\n| ") == 2 + 1 + len(secondary)  # two headers, the primary, the rest


def test_labels_must_match_the_recorded_digest(results, arrays):
    stripped = {
        **results,
        "data": {k: v for k, v in results["data"].items() if k != "y_test_labels"},
    }
    with pytest.raises(ValueError, match="test labels"):
        endpoints.test_labels(stripped)
    other = synthetic_arrays(n_train=80, n_test=60, seed=5)
    with pytest.raises(ValueError, match="y_test_idx_sha256"):
        mnist.add_test_labels(stripped, other)


def test_the_figures_include_the_sweep(results, tmp_path):
    written = mnist.plot_results(results, tmp_path, "small")
    names = {path.name for path in written}
    assert {"small_lr_sweep.png", "small_lr_sweep.svg", "small_fig11.png"} <= names
    figure = mnist.sweep_figure(results)
    accuracy_ax = figure.axes[0]
    assert len(accuracy_ax.get_legend().get_texts()) == 4  # one line per activation


def test_endpoints_are_written_and_read_back(results, tmp_path):
    mnist.write_outputs(results, tmp_path, "mnist_softmax", figures=False)
    document, written = mnist.write_endpoints(tmp_path)
    assert [path.name for path in written] == ["endpoints.json", "endpoints.md"]
    assert mnist.load_endpoints(tmp_path) == json.loads(json.dumps(document))
    assert "Primary comparison" in (tmp_path / "endpoints.md").read_text()
    assert mnist.load_endpoints(tmp_path / "nowhere") is None
    with pytest.raises(mnist.ResultsFileError, match="mnist_softmax.json"):
        mnist.write_endpoints(tmp_path / "nowhere")


STORED_ENDPOINTS = ROOT / "results" / "mnist" / "endpoints.json"


@pytest.mark.skipif(not STORED_ENDPOINTS.is_file(), reason="no stored comparisons here")
def test_stored_endpoints_are_what_todays_code_computes_from_the_stored_runs(tmp_path):
    document, _ = mnist.write_endpoints(STORED_ENDPOINTS.parent, out_dir=tmp_path)
    assert json.loads(json.dumps(document)) == json.loads(STORED_ENDPOINTS.read_text())
    assert (tmp_path / "endpoints.md").read_text() == (
        STORED_ENDPOINTS.parent / "endpoints.md"
    ).read_text()


def test_the_command_line_writes_the_comparisons(results, tmp_path, capsys):
    from paramact import cli

    mnist.write_outputs(results, tmp_path, "mnist_softmax", figures=False)
    assert cli.main(["mnist", "--endpoints", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "Primary comparison" in printed and "endpoints.json" in printed
    assert (tmp_path / "endpoints.md").read_text() in printed
    assert cli.main(["mnist", "--endpoints", "--out", str(tmp_path / "empty")]) != 0
    assert "mnist_softmax.json is missing" in capsys.readouterr().err
