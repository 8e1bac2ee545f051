"""Tests of paramact.experiments.mnist on tiny synthetic data (no network, no real data).

The stored results in results/mnist are read back too (keys translated, tables re-rendered)."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from paramact import cli, data
from paramact.experiments import common, mnist
from paramact.nn import ParametricReLU, ParametricSigmoid
from paramact.stored import stored_result


def synthetic_arrays(n_train=60, n_test=30, seed=0) -> data.MnistArrays:
    """Learnable MNIST-shaped data: class k lights up rows 2k..2k+2 of the image, plus noise."""
    rng = np.random.default_rng(seed)

    def make(n):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 60, (n, 28, 28))
        for i, label in enumerate(labels):
            images[i, 2 * label : 2 * label + 3, :] = 250
        return images.astype(np.uint8), labels.astype(np.int64)

    x_train, y_train = make(n_train)
    x_test, y_test = make(n_test)
    return data.MnistArrays(x_train, y_train, x_test, y_test)


# ---------------------------------------------------------------------------------------------- building blocks


@pytest.mark.parametrize(
    "activation, module",
    [
        ("sigmoid", torch.nn.Sigmoid),
        ("parametric_sigmoid", ParametricSigmoid),
        ("relu", torch.nn.ReLU),
        ("parametric_relu", ParametricReLU),
    ],
)
def test_build_model_784_200_10(activation, module):
    model = mnist.build_model(activation)
    assert isinstance(model[1], module) and len(model) == 3
    assert model(torch.rand(4, 784)).shape == (4, 10)
    if activation.startswith("parametric"):
        assert (
            torch.all(model[1].a == 1) and torch.all(model[1].b == 0) and model[1].a.shape == (200,)
        )


def test_relu_output_is_non_negative():
    model = mnist.build_model("relu", output="relu")
    assert isinstance(model[-1], torch.nn.ReLU)
    assert (model(torch.randn(50, 784)) >= 0).all()


def test_build_model_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown activation 'tanh'"):
        mnist.build_model("tanh")
    with pytest.raises(ValueError, match="output must be"):
        mnist.build_model("relu", output="sigmoid")


def test_make_optimizer_covers_every_parameter_once():
    model = mnist.build_model("parametric_sigmoid", hidden=5)
    for doubled in (False, True):
        optimizer = mnist.make_optimizer(model, lr=0.1, lr_scale=0.01, doubled_bias=doubled)
        ids = [id(p) for group in optimizer.param_groups for p in group["params"]]
        assert sorted(ids) == sorted(id(p) for p in model.parameters())
        rates = {group["name"]: group["lr"] for group in optimizer.param_groups}
        assert rates["scale"] == 0.01 and rates["location"] == 0.1 and rates["weight"] == 0.1
        assert rates.get("hidden_bias") == (0.2 if doubled else None)
        assert all(
            group["momentum"] == 0 and group["weight_decay"] == 0
            for group in optimizer.param_groups
        )


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_doubled_bias_control_equals_learning_only_the_location(activation):
    """The docstring's claim: plain activation + hidden bias at 2 lr == parametric with a frozen at 1."""
    x = torch.rand(64, 784)
    y = torch.randint(0, 10, (64,))
    outputs = []
    for arm, kwargs in (
        (activation, {"doubled_bias": True}),
        (f"parametric_{activation}", {"lr_scale": 0.0}),
    ):
        torch.manual_seed(3)
        model = mnist.build_model(arm, hidden=20)
        optimizer = mnist.make_optimizer(model, lr=0.5, **kwargs)
        mnist.train_epoch(model, optimizer, x, y, 16, torch.Generator().manual_seed(1))
        outputs.append(model(x).detach())
    torch.testing.assert_close(outputs[0], outputs[1], rtol=1e-4, atol=1e-5)
    # and not trivially so: with the ordinary bias rate the outputs differ far more than rounding
    torch.manual_seed(3)
    plain = mnist.build_model(activation, hidden=20)
    mnist.train_epoch(
        plain, mnist.make_optimizer(plain, lr=0.5), x, y, 16, torch.Generator().manual_seed(1)
    )
    rounding = (outputs[0] - outputs[1]).abs().max()
    assert (plain(x).detach() - outputs[0]).abs().max() > max(100 * rounding, 1e-4)


def test_train_epoch_visits_every_example_once_and_returns_step_losses():
    x = torch.arange(10, dtype=torch.float32).reshape(10, 1).repeat(1, 4)
    y = torch.zeros(10, dtype=torch.int64)
    model = mnist.build_model("relu", hidden=3, in_features=4, classes=2)
    seen = []
    model[0].register_forward_hook(
        lambda module, inputs, output: seen.append(inputs[0][:, 0].clone())
    )
    losses = mnist.train_epoch(
        model, mnist.make_optimizer(model, lr=0.01), x, y, 4, torch.Generator().manual_seed(0)
    )
    assert losses.shape == (3,) and torch.isfinite(losses).all()
    assert [len(batch) for batch in seen] == [4, 4, 2]  # the last batch is the remainder
    assert sorted(torch.cat(seen).tolist()) == list(range(10))
    assert torch.cat(seen).tolist() != list(range(10))  # shuffled


def test_train_epoch_matches_plain_sgd_by_hand():
    """Each step is one fresh gradient (no accumulation) and p -= lr * grad, on the permuted batches."""
    x, y = torch.rand(12, 6), torch.randint(0, 3, (12,))
    torch.manual_seed(0)
    model = mnist.build_model("parametric_sigmoid", hidden=4, in_features=6, classes=3)
    reference = [p.detach().clone() for p in model.parameters()]
    losses = mnist.train_epoch(
        model, mnist.make_optimizer(model, lr=0.3), x, y, 5, torch.Generator().manual_seed(7)
    )
    order = torch.randperm(12, generator=torch.Generator().manual_seed(7))
    expected_losses = []
    for batch in order.split(5):
        weight1, bias1, a, b, weight2, bias2 = (p.requires_grad_() for p in reference)
        hidden = a * torch.sigmoid(x[batch] @ weight1.T + bias1 - b)
        loss = torch.nn.functional.cross_entropy(hidden @ weight2.T + bias2, y[batch])
        gradients = torch.autograd.grad(loss, reference)
        reference = [(p - 0.3 * g).detach() for p, g in zip(reference, gradients)]
        expected_losses.append(loss.item())
    torch.testing.assert_close(losses, torch.tensor(expected_losses))
    for trained, by_hand in zip(model.parameters(), reference):
        torch.testing.assert_close(trained.detach(), by_hand)


def test_train_epoch_is_deterministic_and_learns():
    arrays = synthetic_arrays(200)
    x, y = mnist.to_tensors(arrays.x_train, arrays.y_train, torch.device("cpu"))
    histories = []
    for _ in range(2):
        torch.manual_seed(0)
        model = mnist.build_model("parametric_relu", hidden=32)
        optimizer = mnist.make_optimizer(model, lr=0.1)
        generator = torch.Generator().manual_seed(0)
        histories.append(
            torch.cat([mnist.train_epoch(model, optimizer, x, y, 20, generator) for _ in range(5)])
        )
    torch.testing.assert_close(histories[0], histories[1], rtol=0, atol=0)
    assert histories[0][-10:].mean() < 0.5 * histories[0][:10].mean()
    assert not torch.all(model[1].a == 1)  # the scales moved


def test_evaluate_counts_correct_and_dead_outputs():
    model = mnist.build_model("relu", hidden=2, in_features=2, classes=3, output="relu")
    with torch.no_grad():
        for layer in (model[0], model[2]):
            layer.weight.zero_()
            layer.bias.zero_()
        model[2].bias.copy_(torch.tensor([0.0, 1.0, 0.0]))  # always predicts class 1
    result = mnist.evaluate(model, torch.rand(4, 2), torch.tensor([1, 1, 0, 2]), batch_size=3)
    assert result["correct"] == 2 and result["accuracy"] == 0.5 and result["dead_outputs"] == 0
    expected_loss = float(
        torch.nn.functional.cross_entropy(
            torch.tensor([[0.0, 1.0, 0.0]] * 4), torch.tensor([1, 1, 0, 2])
        )
    )
    assert math.isclose(result["loss"], expected_loss, rel_tol=1e-6)
    with torch.no_grad():
        model[2].bias.fill_(-1.0)  # every output clipped to 0
    assert mnist.evaluate(model, torch.rand(4, 2), torch.tensor([1, 1, 0, 2]))["dead_outputs"] == 4


def test_to_tensors_scales_to_unit_interval():
    x, y = mnist.to_tensors(
        np.array([[[0, 255], [51, 102]]], dtype=np.uint8), np.array([7]), torch.device("cpu")
    )
    assert x.dtype == torch.float32 and x.shape == (1, 4)
    torch.testing.assert_close(x, torch.tensor([[0.0, 1.0, 0.2, 0.4]]))
    assert y.tolist() == [7] and y.dtype == torch.int64


# ---------------------------------------------------------------------------------------------- whole runs

REQUIRED_RUN_KEYS = {
    "arm",
    "activation",
    "doubled_bias",
    "seed",
    "epochs",
    "step_loss_block_means",
    "steps",
    "test_correct",
    "n_test",
    "test_accuracy",
    "test_predictions",
    "lr",
    "output_lr_multiplier",
    "scale_only",
    "median_epoch_wall_s",
}


def test_run_mnist_results_have_the_required_content(tmp_path):
    config = mnist.MnistConfig(
        seeds=[0, 1],
        epochs=1,
        batch_size=20,
        hidden=16,
        subset=50,
        control=["doubled-bias"],
        step_block=1,
    )
    results = mnist.run_mnist(config, data=synthetic_arrays(), progress=False, device="cpu")
    protocol = results["protocol"]
    assert protocol["lr"] == 0.1 and protocol["batch_size"] == 20 and protocol["n_train"] == 50
    assert protocol["arms"] == [
        "sigmoid",
        "parametric_sigmoid",
        "relu",
        "parametric_relu",
        "sigmoid+doubled-bias",
        "relu+doubled-bias",
    ]
    assert (
        protocol["hidden_bias_lr_in_control"] == 0.2
        and protocol["paper_ranges"] == mnist.PAPER_RANGES
    )
    environment = results["environment"]
    for key in (
        "python",
        "torch",
        "numpy",
        "paramact",
        "cpu_model",
        "cpu_count",
        "torch_threads",
        "device",
    ):
        assert environment[key] is not None
    assert set(environment) == set(common.environment())  # one set of keys for every experiment
    assert {
        "paramact.experiments.mnist.training",
        "paramact.experiments.mnist.runner",
    } <= set(environment["sources_sha256"])
    assert results["data"]["y_test_idx_sha256"] == data.idx_sha256(
        synthetic_arrays().y_test.astype(np.uint8)
    )
    assert len(results["runs"]) == 12
    for run in results["runs"]:
        assert REQUIRED_RUN_KEYS <= set(run)
        assert [e["epoch"] for e in run["epochs"]] == [0, 1] and run["epochs"][0][
            "train_wall_s"
        ] is None
        assert run["steps"] == 3 and len(run["step_loss_block_means"]) == 3
        assert run["n_test"] == 30 and 0 <= run["test_correct"] <= 30
        predictions = run["test_predictions"]
        assert len(predictions) == 30 and set(predictions) <= set("0123456789")
        labels = synthetic_arrays().y_test
        assert sum(int(p) == y for p, y in zip(predictions, labels)) == run["test_correct"]
        if run["activation"].startswith("parametric"):
            assert len(run["final_a"]) == 16 and len(run["epochs"][1]["a_quantiles"]) == 5
            assert (
                run["epochs"][0]["a_quantiles"] == [1.0] * 5
                and run["epochs"][0]["b_quantiles"] == [0.0] * 5
            )
    for arm, entry in results["summary"].items():
        for accuracy, (low, high) in zip(entry["test_accuracy"], entry["test_accuracy_wilson95"]):
            assert low <= accuracy <= high, arm
    # arms are paired by seed: the same initial weights (a = 1, b = 0 makes parametric == plain at
    # the start) and the same first batch, so the initial losses and the first step's loss agree
    for seed in (0, 1):
        for family in (
            ("sigmoid", "parametric_sigmoid", "sigmoid+doubled-bias"),
            ("relu", "parametric_relu", "relu+doubled-bias"),
        ):
            runs = [run for run in results["runs"] if run["seed"] == seed and run["arm"] in family]
            assert (
                len(
                    {
                        (run["epochs"][0]["test_loss"], run["epochs"][0]["train_loss"])
                        for run in runs
                    }
                )
                == 1
            )
            assert len({run["step_loss_block_means"][0] for run in runs}) == 1
    first_losses = {
        run["seed"]: run["step_loss_block_means"][0]
        for run in results["runs"]
        if run["arm"] == "relu"
    }
    assert first_losses[0] != first_losses[1]
    summary = results["summary"]
    assert summary["parametric_relu"]["paired_difference_vs"] == "relu"
    assert summary["relu+doubled-bias"]["paired_difference_vs"] == "relu"
    assert summary["parametric_sigmoid"]["paper_a_range"] == [1.07, 4.49]
    low, high = summary["parametric_sigmoid"]["a_range"]
    assert low <= summary["parametric_sigmoid"]["a_quantiles"][2] <= high

    written = mnist.write_outputs(results, tmp_path, "tiny")
    names = {path.name for path in written}
    assert {
        "tiny.json",
        "tiny_summary.md",
        "tiny_fig11.png",
        "tiny_fig11.svg",
        "tiny_ab_hist.png",
        "tiny_ab_hist.svg",
        "tiny_ab_epochs.svg",
        "tiny_test_accuracy.png",
    } <= names
    assert json.loads((tmp_path / "tiny.json").read_text())["schema"] == mnist.SCHEMA
    table = (tmp_path / "tiny_summary.md").read_text()
    assert "| parametric_relu | b |" in table and "[-2.40, 0.23]" in table


def test_render_from_json_rebuilds_summary_and_figures(synthetic_data_dir, tmp_path, capsys):
    out = tmp_path / "results"
    assert (
        cli.main(
            [
                "mnist",
                "--epochs",
                "1",
                "--seeds",
                "2",
                "--hidden",
                "8",
                "--activations",
                "sigmoid",
                "parametric_sigmoid",
                "--control",
                "doubled-bias",
                "--out",
                str(out),
                "--no-progress",
                "--no-figures",
            ]
        )
        == 0
    )
    path = out / "mnist_softmax.json"
    stored = json.loads(path.read_text())
    expected = stored.pop("summary")
    path.write_text(json.dumps(stored))
    assert cli.main(["mnist", "--from-json", str(path)]) == 0
    assert json.loads(path.read_text())["summary"] == expected
    assert (out / "mnist_softmax_fig11.svg").is_file() and (
        out / "mnist_softmax_ab_epochs.png"
    ).is_file()
    assert "sigmoid+doubled-bias" in capsys.readouterr().out


def test_single_seed_has_no_t_interval_but_valid_json(tmp_path):
    config = mnist.MnistConfig(activations=["relu"], seeds=[0], epochs=1, hidden=8)
    results = mnist.run_mnist(config, data=synthetic_arrays(), progress=False)
    assert results["summary"]["relu"]["test_accuracy_t95"] == [None, None]
    mnist.write_outputs(results, tmp_path, "one", figures=False)
    json.loads((tmp_path / "one.json").read_text())
    assert "n/a" in (tmp_path / "one_summary.md").read_text()


def test_run_mnist_rejects_bad_options():
    with pytest.raises(ValueError, match="unknown activation"):
        mnist.MnistConfig(activations=["swish"])
    with pytest.raises(ValueError, match="control"):
        mnist.MnistConfig(control=["tripled-bias"])
    with pytest.raises(ValueError, match="jobs"):
        mnist.run_mnist(mnist.MnistConfig(), data=synthetic_arrays(), jobs=0)


# ---------------------------------------------------------------------------------------------- command line


@pytest.fixture
def synthetic_data_dir(tmp_path, monkeypatch):
    """PARAMACT_DATA_DIR with synthetic IDX files, registered as 'mnist' with their digests."""
    arrays = synthetic_arrays()
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    files = []
    for role, name in (
        ("x_train", "train-images-idx3-ubyte"),
        ("y_train", "train-labels-idx1-ubyte"),
        ("x_test", "t10k-images-idx3-ubyte"),
        ("y_test", "t10k-labels-idx1-ubyte"),
    ):
        array = getattr(arrays, role).astype(np.uint8)
        (folder / (name + ".gz")).write_bytes(gzip.compress(data.encode_idx(array)))
        files.append(data.IdxFile(role, name, array.shape, data.idx_sha256(array), "0" * 64))
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setitem(
        data.DATASETS, "mnist", data.DatasetSpec("mnist", "Synthetic", tuple(files), ())
    )
    return arrays


def test_cli_end_to_end_on_synthetic_idx_files(synthetic_data_dir, tmp_path, capsys):
    out = tmp_path / "results"
    code = cli.main(
        [
            "mnist",
            "--epochs",
            "2",
            "--seeds",
            "2",
            "--hidden",
            "8",
            "--batch-size",
            "16",
            "--output",
            "relu",
            "--control",
            "doubled-bias",
            "--activations",
            "relu",
            "parametric_relu",
            "--out",
            str(out),
            "--no-progress",
            "--no-figures",
            "--device",
            "cpu",
        ]
    )
    assert code == 0
    results = json.loads((out / "mnist_relu.json").read_text())
    assert results["protocol"]["output"] == "relu"
    assert results["protocol"]["loss"] == "softmax cross-entropy on ReLU outputs"
    assert results["protocol"]["arms"] == ["relu", "parametric_relu", "relu+doubled-bias"]
    assert results["protocol"]["n_train"] == 60 and results["protocol"]["seeds"] == [0, 1]
    assert len(results["runs"]) == 6 and all(len(run["epochs"]) == 3 for run in results["runs"])
    printed = capsys.readouterr()
    assert "| parametric_relu | a |" in printed.out and "mnist_relu_summary.md" in printed.out
    assert "relu+doubled-bias" in printed.err  # one line per finished run when not on a terminal


def test_cli_without_data_exits_3(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "empty"))
    spec = data.DATASETS["mnist"]
    monkeypatch.setitem(data.DATASETS, "mnist", data.DatasetSpec("mnist", "MNIST", spec.files, ()))
    assert cli.main(["mnist", "--epochs", "1", "--out", str(tmp_path / "r"), "--no-progress"]) == 3
    assert capsys.readouterr().err.startswith("paramact mnist: error: Could not obtain MNIST")
    assert not (tmp_path / "r").exists()


def test_cli_rejects_invalid_options_before_training(tmp_path, capsys):
    assert cli.main(["mnist", "--lr", "-1", "--out", str(tmp_path / "r")]) == 2
    assert (
        capsys.readouterr().err
        == "paramact mnist: error: lr must be a finite number >= 0, got -1.0\n"
    )
    assert cli.main(["mnist", "--from-json", str(tmp_path / "missing.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


# ---------------------------------------------------------------------------------------------- the config


def test_config_defaults_are_the_papers_protocol():
    config = mnist.MnistConfig()
    assert (config.lr, config.batch_size, config.hidden, config.epochs) == (0.1, 200, 200, 30)
    assert (config.rate_scale, config.rate_location, config.a_init, config.b_init) == (
        0.1,
        0.1,
        1.0,
        0.0,
    )
    assert [arm.name for arm in config.arms] == list(common.ACTIVATIONS)
    assert mnist.MnistConfig(seeds=range(2), activations=["relu"]).seeds == (0, 1)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"activations": ["swish"]}, "unknown activation"),
        ({"activations": []}, "at least one"),
        ({"seeds": []}, "seeds"),
        ({"seeds": [-1]}, "seeds"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"subset": 0}, "subset"),
        ({"lr": float("nan")}, "lr must be"),
        ({"lr_scale": -0.1}, "lr_scale"),
        ({"output": "sigmoid"}, "output must be"),
        ({"control": "tripled-bias"}, "control"),
        ({"a_init": float("inf")}, "a_init"),
    ],
)
def test_config_rejects_bad_values_with_clear_errors(options, message):
    with pytest.raises(ValueError, match=message):
        mnist.MnistConfig(**options)


def test_run_mnist_starts_from_the_config_initial_a_and_b():
    config = mnist.MnistConfig(
        activations=["parametric_relu"], seeds=[0], epochs=1, hidden=8, a_init=2.0, b_init=0.5
    )
    results = mnist.run_mnist(config, data=synthetic_arrays(), progress=False)
    assert results["runs"][0]["epochs"][0]["a_quantiles"] == [2.0] * 5
    assert results["runs"][0]["epochs"][0]["b_quantiles"] == [0.5] * 5
    assert results["protocol"]["a_init"] == 2.0 and results["protocol"]["b_init"] == 0.5
    with pytest.raises(TypeError):
        mnist.run_mnist(config, data=synthetic_arrays(), epochs=2)  # the protocol is the config


def test_run_mnist_reports_each_finished_run():
    finished = []
    config = mnist.MnistConfig(activations=["relu"], seeds=[0, 1], epochs=1, hidden=4)
    mnist.run_mnist(config, data=synthetic_arrays(), progress=False, on_run=finished.append)
    assert [(run["arm"], run["seed"]) for run in finished] == [("relu", 0), ("relu", 1)]


def test_a_missing_gpu_is_a_typed_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(mnist.DeviceUnavailableError):
        mnist.resolve_device("cuda")
    assert mnist.resolve_device("auto").type == "cpu"


# ---------------------------------------------------------------------------------------------- analysis, figures


@pytest.fixture(scope="module")
def tiny_results():
    config = mnist.MnistConfig(
        seeds=[0, 1],
        epochs=2,
        batch_size=20,
        hidden=8,
        control=["doubled-bias"],
        output="relu",
        step_block=1,
    )
    return mnist.run_mnist(config, data=synthetic_arrays(), progress=False, device="cpu")


def test_chapter_9_tables_come_from_the_library(tiny_results):
    table = mnist.accuracy_table(tiny_results)
    assert "| parametric ReLU |" in table and "| ReLU, hidden-bias lr x 2 |" in table
    assert table.count("\n") == 3 + 6  # title, blank, header, rule and one row per arm
    pairs = mnist.paired_differences(tiny_results)
    assert [(p["plain"], p["other"]) for p in pairs] == [
        ("sigmoid", "parametric_sigmoid"),
        ("relu", "parametric_relu"),
    ]
    relu = next(p for p in pairs if p["plain"] == "relu")
    expected = [run["test_accuracy"] for run in mnist.by_arm(tiny_results)["parametric_relu"]]
    expected = np.subtract(
        expected, [run["test_accuracy"] for run in mnist.by_arm(tiny_results)["relu"]]
    )
    np.testing.assert_allclose(relu["differences"], expected)
    assert "parametric ReLU" in mnist.standardised_effects(tiny_results)
    summary = mnist.long_run_summary(tiny_results)
    assert "after 2 epochs, 2 seed(s): ReLU" in summary
    assert f"difference {100 * relu['mean']:+.2f} pp" in summary
    assert "dead test outputs per seed" in mnist.relu_output_table(tiny_results)
    ranges = mnist.ranges_table({"tiny": tiny_results}, stems=("tiny", "absent"))
    assert "ours, 2 epochs (2 seeds pooled)" in ranges and "not here" in ranges
    assert mnist.per_epoch(mnist.by_arm(tiny_results)["relu"], "test_accuracy").shape == (2, 2)


def test_every_figure_is_at_most_six_inches_wide(tiny_results, tmp_path):
    figures = [
        mnist.training_loss_figure(tiny_results),
        mnist.test_accuracy_figure(tiny_results),
        mnist.long_run_figure(tiny_results),
        mnist.ab_histograms(tiny_results),
        mnist.ab_epochs_figure(tiny_results),
        mnist.dead_outputs_figure(tiny_results),
    ]
    for figure in figures:
        assert figure.get_size_inches()[0] <= 6.0
    written = mnist.plot_results(tiny_results, tmp_path, "tiny")
    assert {path.name for path in written} >= {
        "tiny_fig11.png",
        "tiny_dead_outputs.svg",
        "tiny_ab_epochs.png",
    }
    assert mnist.arm_style("parametric_relu") == (
        common.COLOURS["parametric_relu"],
        common.LINESTYLES["parametric_relu"],
    )


# ---------------------------------------------------------------------------------------------- stored results

ROOT = Path(__file__).resolve().parents[1]
STORED = mnist.load_stored()


@pytest.mark.skipif(not STORED, reason="the stored results are not available here")
@pytest.mark.parametrize("stem", sorted(STORED))
def test_stored_results_load_in_todays_vocabulary_and_render_identically(stem, tmp_path):
    results = STORED[stem]
    assert (
        "sources_sha256" in results["environment"]
        and "paramact_sources_sha256" not in results["environment"]
    )
    assert results["protocol"]["lr_scale"] == 0.1 and results["protocol"]["a_init"] == 1.0
    path = stored_result(f"mnist/{stem}.json")
    rendered, _ = mnist.render_from_json(path, figures=False, out_dir=tmp_path)
    assert rendered["summary"] == json.loads(path.read_text())["summary"]
    stored_summary = ROOT / "results" / "mnist" / f"{stem}_summary.md"
    if stored_summary.is_file():  # in the repository (a download has the JSON only)
        assert (tmp_path / f"{stem}_summary.md").read_text() == stored_summary.read_text()


def test_load_results_rejects_other_files(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"schema": "something else"}))
    with pytest.raises(ValueError, match="not a results file"):
        mnist.load_results(path)
