"""Tests of the XOR reproduction (paramact.experiments.xor): few seeds, short caps."""

import json

import numpy as np
import pytest

from paramact import activations as act
from paramact import losses
from paramact.cli import main
from paramact.experiments import xor
from paramact.experiments.xor import (
    ACTIVATIONS,
    PAPER_TABLE_2,
    PARAMETER_NAMES,
    XorProtocol,
    initial_parameters,
    loss_and_gradients,
    run_xor,
    run_xor_single,
)

# Seeds 2, 3, 4, 6 with a 3000-step cap give converged and censored runs for every activation.
SEEDS = (2, 3, 4, 6)
SHORT = XorProtocol(max_steps=3000)


@pytest.fixture(scope="module")
def short_run():
    return run_xor(SEEDS, protocol=SHORT, record_every=1)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_batched_matches_per_trial_loop(short_run, activation):
    row = short_run.row(activation)
    assert short_run.converged[row].any() and not short_run.converged[row].all()
    for column, seed in enumerate(SEEDS):
        trial = run_xor_single(seed, activation, SHORT)
        # Float rounding may shift a step count by a few for the parametric sigmoid (it has not here).
        tolerance = 3 if activation == "parametric_sigmoid" else 0
        assert abs(trial.steps - short_run.steps[row, column]) <= tolerance
        assert trial.converged == short_run.converged[row, column]
        np.testing.assert_allclose(trial.losses, short_run.curves[row, column, : trial.losses.size], rtol=1e-9)
        for name in PARAMETER_NAMES:
            np.testing.assert_allclose(trial.parameters[name], short_run.parameters[name][row, column], atol=1e-9)


def test_a_seed_does_not_depend_on_the_other_seeds(short_run):
    alone = run_xor([SEEDS[1]], protocol=SHORT, record_every=1)
    np.testing.assert_array_equal(alone.steps[:, 0], short_run.steps[:, 1])
    np.testing.assert_allclose(alone.curves[:, 0], short_run.curves[:, 1], rtol=1e-12)
    swapped = initial_parameters([6, 3], SHORT)
    straight = initial_parameters([3, 6], SHORT)
    for name in PARAMETER_NAMES:
        np.testing.assert_array_equal(swapped[name][..., 0], straight[name][..., 1])


def test_every_activation_starts_from_the_same_weights(short_run):
    # With a = 1, b = 0 the parametric units equal the plain ones, so the step-0 losses coincide.
    initial = short_run.curves[..., 0]
    np.testing.assert_array_equal(initial[short_run.row("sigmoid")], initial[short_run.row("parametric_sigmoid")])
    np.testing.assert_array_equal(initial[short_run.row("relu")], initial[short_run.row("parametric_relu")])
    assert not np.allclose(initial[short_run.row("sigmoid")], initial[short_run.row("relu")])


def test_initialisation_follows_the_protocol():
    pytorch = initial_parameters(range(200), XorProtocol())
    narrow = initial_parameters(range(200), XorProtocol(init="uniform0.2"))
    assert np.abs(pytorch["w_hidden"]).max() <= 2**-0.5 < 1.2 * np.abs(pytorch["w_hidden"]).max()
    assert np.abs(narrow["c_out"]).max() <= 0.2
    np.testing.assert_array_equal(pytorch["scale"], 1.0)
    np.testing.assert_array_equal(pytorch["location"], 0.0)


def test_converged_runs_stop_at_the_first_step_below_threshold(short_run):
    threshold = SHORT.threshold
    for row in range(len(ACTIVATIONS)):
        for column in np.flatnonzero(short_run.converged[row]):
            step = short_run.steps[row, column]
            curve = short_run.curves[row, column]
            assert curve[step] <= threshold < curve[:step].min()
            assert short_run.final_loss[row, column] == curve[step]
            # Frozen from then on: the curve stays at the final loss.
            np.testing.assert_array_equal(curve[step:], curve[step])


def test_censored_runs_hit_the_cap(short_run):
    censored = ~short_run.converged
    assert censored.any()
    assert (short_run.steps[censored] == SHORT.max_steps).all()
    assert (short_run.final_loss[censored] > SHORT.threshold).all()
    assert (short_run.curves[censored][:, -1] > SHORT.threshold).all()


def test_threshold_is_inclusive_and_step_zero_counts():
    first = run_xor([5], ("relu",), XorProtocol(max_steps=1))
    initial_loss = float(first.curves[0, 0, 0])
    at_threshold = run_xor([5], ("relu",), XorProtocol(max_steps=100, threshold=initial_loss))
    assert at_threshold.converged[0, 0] and at_threshold.steps[0, 0] == 0
    # Nothing trained: the final parameters are the initial ones.
    np.testing.assert_array_equal(at_threshold.parameters["w_hidden"][0, 0], initial_parameters([5], SHORT)["w_hidden"][..., 0])


def test_training_stops_when_every_run_has_converged():
    result = run_xor([2, 3], ("sigmoid",), XorProtocol(max_steps=20_000), record_every=100)
    assert result.converged.all()
    assert result.curve_steps[-1] <= result.steps.max() < result.curve_steps[-1] + 100


def test_all_censored_with_a_tiny_cap():
    result = run_xor(3, protocol=XorProtocol(max_steps=20))
    assert not result.converged.any()
    assert (result.steps == 20).all()
    document = xor.result_to_json(result)
    assert all(step is None for trial in document["trials"].values() for step in trial["steps"])
    assert document["summary"]["sigmoid"]["mean"] is None  # NaN is not valid JSON


def test_doubled_hidden_bias_lr_equals_location_only_parametric_sigmoid():
    """dL/db = -dL/dc, and z depends on c - b only: learning b (a fixed at 1) doubles the bias rate."""
    seeds = (2, 3, 4)
    location_only = run_xor(seeds, ("parametric_sigmoid",), XorProtocol(learn_scale=False), record_every=1)
    doubled = run_xor(seeds, ("sigmoid",), XorProtocol(hidden_bias_lr_multiplier=2.0), record_every=1)
    assert location_only.converged.all()
    np.testing.assert_array_equal(location_only.steps, doubled.steps)
    np.testing.assert_allclose(location_only.curves, doubled.curves, rtol=0, atol=1e-10)
    p, q = location_only.parameters, doubled.parameters
    np.testing.assert_array_equal(p["scale"], 1.0)
    for name in ("w_hidden", "w_out", "c_out"):
        np.testing.assert_allclose(p[name], q[name], rtol=0, atol=1e-10)
    np.testing.assert_allclose(p["c_hidden"] - p["location"], q["c_hidden"], rtol=0, atol=1e-10)
    # Control: without the doubled rate the trajectories differ.
    plain = run_xor(seeds, ("sigmoid",), XorProtocol(), record_every=1)
    assert np.abs(plain.curves[..., :1000] - location_only.curves[..., :1000]).max() > 1e-3


PROTOCOL_VARIANTS = [
    XorProtocol(),
    XorProtocol(output="identity"),
    XorProtocol(loss="cross_entropy"),
]


@pytest.mark.parametrize("protocol", PROTOCOL_VARIANTS, ids=["mse-sigmoid", "mse-identity", "cross-entropy"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_torch_autograd(activation, protocol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    n = 5
    params = initial_parameters(range(n), protocol)
    params["scale"] = rng.uniform(0.5, 2.0, (2, n))  # away from a = 1, b = 0 to exercise a and b
    params["location"] = rng.uniform(-0.3, 0.3, (2, n))
    loss, grads = loss_and_gradients(params, activation, protocol)

    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    inputs, targets = torch.tensor(xor.XOR_INPUTS), torch.tensor(xor.XOR_TARGETS)
    y = torch.einsum("pi,ijn->pjn", inputs, tensors["w_hidden"]) + tensors["c_hidden"]
    a, b = tensors["scale"], tensors["location"]
    z = {
        "sigmoid": lambda: torch.sigmoid(y),
        "parametric_sigmoid": lambda: a * torch.sigmoid(y - b),
        "relu": lambda: torch.relu(y),
        "parametric_relu": lambda: torch.where(y >= b, a * (y - b), torch.zeros_like(y)),
    }[activation]()
    o = torch.einsum("pjn,jn->pn", z, tensors["w_out"]) + tensors["c_out"]
    t = targets[:, None]
    if protocol.loss == "cross_entropy":
        per_trial = torch.nn.functional.binary_cross_entropy_with_logits(o, t.expand_as(o), reduction="none").mean(0)
    else:
        prediction = torch.sigmoid(o) if protocol.output == "sigmoid" else o
        per_trial = ((prediction - t) ** 2).mean(0)
    per_trial.sum().backward()

    np.testing.assert_allclose(loss, per_trial.detach().numpy(), rtol=1e-12)
    for name in PARAMETER_NAMES:
        if grads[name] is None:
            assert activation not in xor.PARAMETRIC
            continue
        np.testing.assert_allclose(grads[name], tensors[name].grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)


@pytest.mark.parametrize("protocol", PROTOCOL_VARIANTS, ids=["mse-sigmoid", "mse-identity", "cross-entropy"])
def test_per_trial_loss_matches_paramact_losses(protocol):
    output_pre = np.random.default_rng(4).normal(0, 3, size=(4, 6))
    loss, d_output_pre = xor._output_loss(output_pre, protocol)
    for trial in range(6):
        o = output_pre[:, trial]
        if protocol.loss == "cross_entropy":
            expected, expected_grad = losses.binary_cross_entropy_with_logits(o, xor.XOR_TARGETS)
        elif protocol.output == "sigmoid":
            expected, d_prediction = losses.mean_squared_error(act.sigmoid(o), xor.XOR_TARGETS)
            expected_grad = d_prediction * act.sigmoid_grad(o)
        else:
            expected, expected_grad = losses.mean_squared_error(o, xor.XOR_TARGETS)
        assert loss[trial] == pytest.approx(expected, rel=1e-13)
        np.testing.assert_allclose(d_output_pre[:, trial], expected_grad, rtol=1e-13)


def test_other_protocols_run():
    for protocol in (
        XorProtocol(init="uniform0.2", lr=2.0, max_steps=300),
        XorProtocol(loss="cross_entropy", max_steps=300),
        XorProtocol(output="identity", lr=0.1, max_steps=300),
        XorProtocol(scale_lr=0.0, location_lr=0.1, max_steps=300),
    ):
        result = run_xor(2, protocol=protocol)
        assert np.isfinite(result.final_loss).all()
    frozen = run_xor(2, ("parametric_relu",), XorProtocol(scale_lr=0.0, max_steps=300))
    np.testing.assert_array_equal(frozen.parameters["scale"], 1.0)
    assert not np.all(frozen.parameters["location"] == 0.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": -0.5}, "lr must be a positive"),
        ({"lr": 0.0}, "lr must be a positive"),
        ({"scale_lr": -1.0}, "scale_lr"),
        ({"init": "xavier"}, "init must be"),
        ({"init": "uniform0"}, "must be positive"),
        ({"loss": "hinge"}, "unknown loss"),
        ({"output": "tanh"}, "unknown output"),
        ({"loss": "cross_entropy", "output": "identity"}, "needs output 'sigmoid'"),
        ({"threshold": 0.0}, "threshold"),
        ({"max_steps": 0}, "max_steps"),
        ({"hidden_bias_lr_multiplier": -2.0}, "hidden_bias_lr_multiplier"),
    ],
)
def test_bad_protocol_is_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        XorProtocol(**kwargs)


@pytest.mark.parametrize(
    "seeds, activations, message",
    [
        (0, ACTIVATIONS, "at least 1"),
        ([-1, 2], ACTIVATIONS, "non-negative"),
        ([1, 1], ACTIVATIONS, "distinct"),
        (2, ("sigmoid", "swish"), "unknown activation 'swish'"),
        (2, ("relu", "relu"), "repeated"),
    ],
)
def test_bad_run_arguments_are_rejected(seeds, activations, message):
    with pytest.raises(ValueError, match=message):
        run_xor(seeds, activations, XorProtocol(max_steps=5))


def test_summary_statistics(short_run):
    summary = xor.summarize(short_run)
    for activation in ACTIVATIONS:
        row = short_run.row(activation)
        steps = short_run.steps[row][short_run.converged[row]]
        entry = summary[activation]
        assert entry["converged"] == steps.size
        assert entry["mean"] == pytest.approx(steps.mean())
        if steps.size > 1:
            assert entry["sd"] == pytest.approx(steps.std(ddof=1))
        assert (entry["max"], entry["min"]) == (steps.max(), steps.min())
        lo, hi = entry["convergence_rate_ci"]
        assert lo <= entry["convergence_rate"] <= hi


def test_paper_table_uses_the_sample_sd():
    # Two converged ReLU runs (1602 and 140 steps) give the paper's mean and sd with n - 1.
    for activation in ("relu", "parametric_relu"):
        paper = PAPER_TABLE_2[activation]
        pair = np.array([paper["max"], paper["min"]], float)
        assert paper["mean"] == pytest.approx(pair.mean())
        assert paper["sd"] == pytest.approx(pair.std(ddof=1), abs=0.1)


def test_paired_comparison_counts(short_run):
    comparisons = {c["plain"]: c for c in xor.paired_comparisons(short_run)}
    assert set(comparisons) == {"sigmoid", "relu"}
    sig = comparisons["sigmoid"]
    assert sig["parametric_faster"] + sig["plain_faster"] + sig["ties"] + sig["undecided"] == len(SEEDS)
    plain, parametric = short_run.row("sigmoid"), short_run.row("parametric_sigmoid")
    assert sig["parametric_faster"] == int(np.sum(short_run.steps[parametric] < short_run.steps[plain]))


def test_table_shows_paper_and_ours(short_run):
    table = xor.format_table(short_run)
    for value in ("4678.2", "3670.4", "1033.8", "980.1"):
        assert value in table
    assert table.count("paper") >= 4 and table.count("ours") == 4
    assert "sign test" in table


def test_result_stem():
    assert xor.result_stem(10, ACTIVATIONS, XorProtocol()) == "seeds10"
    assert xor.result_stem(3, ("relu",), XorProtocol(max_steps=50)) == "seeds3_relu_max_steps-50"


def test_speedup_measurement_reports_its_inputs():
    report = xor.measure_speedup(2, ("relu",), XorProtocol(max_steps=50), sample_size=1, repeats=1)
    assert report["trial_steps"] == {"relu": 2 * 51}  # both ReLU runs censored at step 50
    assert report["speedup"] > 0 and len(report["batched_seconds"]) == 1


REQUIRED_JSON_KEYS = {
    "protocol", "seeds", "activations", "trials", "summary", "paired_comparisons", "loss_curves",
    "versions", "hardware", "wall_time_s", "timestamp_utc", "paper", "figures",
}


def _strict_json(path):
    def reject(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(path.read_text(), parse_constant=reject)


def test_cli_end_to_end(tmp_path, capsys):
    assert main(["xor", "--seeds", "3", "--max-steps", "200", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "4678.2" in printed and f"wrote {tmp_path}" in printed
    document = _strict_json(tmp_path / "seeds3_max_steps-200.json")
    assert REQUIRED_JSON_KEYS <= set(document)
    assert document["seeds"] == [0, 1, 2]
    assert document["protocol"]["max_steps"] == 200 and document["protocol"]["lr"] == 0.5
    assert set(document["trials"]) == set(ACTIVATIONS)
    for trial in document["trials"].values():
        assert len(trial["steps"]) == 3
        assert all(step is None or (isinstance(step, int) and 0 <= step <= 200) for step in trial["steps"])
    assert {"python", "numpy", "paramact"} <= set(document["versions"])
    assert document["hardware"]["cpu_count"] >= 1
    assert len(document["figures"]) == 6
    for name in document["figures"]:
        assert (tmp_path / name).stat().st_size > 1000


def test_cli_no_figures_and_protocol_options(tmp_path):
    argv = ["xor", "--seeds", "2", "--max-steps", "50", "--out", str(tmp_path), "--no-figures",
            "--init", "uniform0.2", "--lr", "2.0", "--activations", "sigmoid", "parametric_sigmoid"]
    assert main(argv) == 0
    (written,) = tmp_path.iterdir()
    document = _strict_json(written)
    assert document["protocol"]["init"] == "uniform0.2" and document["protocol"]["lr"] == 2.0
    assert document["figures"] == [] and document["activations"] == ["sigmoid", "parametric_sigmoid"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--seeds", "0"], "number of seeds"),
        (["--activations", "sigmoid", "tanh"], "unknown activation 'tanh'"),
        (["--lr", "-0.1"], "lr must be a positive"),
        (["--max-steps", "-5"], "max_steps"),
        (["--loss", "cross_entropy", "--output", "identity"], "needs output 'sigmoid'"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path, capsys, argv, message):
    assert main(["xor", "--out", str(tmp_path), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("paramact xor: error:") and "Traceback" not in captured.err
    assert not any(tmp_path.iterdir())
