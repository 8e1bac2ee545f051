"""The optimisers: the paper's three learning rates by parameter group, momentum, Adam."""

import numpy as np
import pytest

from paramact.mlp import MLP
from paramact.optim import SGD, Adam

GROUPS = {"weight": ["W1", "c1"], "scale": ["a1"], "location": ["b1"]}


def test_sgd_applies_the_three_learning_rates_by_group_not_by_name():
    params = {n: np.ones(2) for n in ("W1", "c1", "a1", "b1")}
    grads = {n: np.full(2, 2.0) for n in params}
    SGD(lr=0.1, lr_scale=0.01, lr_location=0.001).step(params, grads, GROUPS)
    assert {n: p[0] for n, p in params.items()} == pytest.approx(
        {"W1": 0.8, "c1": 0.8, "a1": 0.98, "b1": 0.998}
    )
    # The names mean nothing: the groups decide.
    params = {"a1": np.ones(1), "W1": np.ones(1)}
    SGD(lr=0.1, lr_scale=0.01).step(
        params, {"a1": np.ones(1), "W1": np.ones(1)}, {"weight": ["a1"], "scale": ["W1"]}
    )
    assert (params["a1"][0], params["W1"][0]) == pytest.approx((0.9, 0.99))


def test_default_rates_and_no_groups():
    default = SGD(lr=0.1)
    assert default.lrs == {"weight": 0.1, "scale": 0.1, "location": 0.1}
    assert (default.lr, default.lr_scale, default.lr_location) == (0.1, 0.1, 0.1)
    params = {"a1": np.ones(1), "p": np.ones(1)}
    SGD(lr=0.5, lr_scale=0.0).step(
        params, {"a1": np.ones(1), "p": np.ones(1)}
    )  # no groups: all at lr
    np.testing.assert_array_equal(params["a1"], 0.5)


def test_a_group_of_ones_own_and_a_zero_rate():
    params = {"W1": np.ones(1), "c1": np.ones(1), "a1": np.ones(1)}
    grads = {name: np.ones(1) for name in params}
    optimizer = SGD(lr=0.5, lr_scale=0.0)
    optimizer.lrs["hidden_bias"] = 1.0
    optimizer.step(params, grads, {"weight": ["W1"], "hidden_bias": ["c1"], "scale": ["a1"]})
    assert {n: p[0] for n, p in params.items()} == {"W1": 0.5, "c1": 0.0, "a1": 1.0}


def test_step_with_a_model_updates_every_parameter_of_its_group():
    net = MLP([2, 3, 1], hidden="parametric_sigmoid", seed=0)
    before = {name: value.copy() for name, value in net.params.items()}
    _, grads = net.loss(np.ones((4, 2)), np.zeros((4, 1)))
    SGD(lr=0.1, lr_scale=0.0, lr_location=0.2).step(net.params, grads, net.groups)
    for name in net.groups["weight"]:
        np.testing.assert_allclose(net.params[name], before[name] - 0.1 * grads[name])
    np.testing.assert_array_equal(net.params["a1"], before["a1"])
    np.testing.assert_allclose(net.params["b1"], before["b1"] - 0.2 * grads["b1"])


def test_step_checks_names_shapes_and_groups():
    params = {"W1": np.ones(2), "a1": np.ones(2)}
    SGD(lr=1.0).step(params, {"W1": np.ones(2)}, {"weight": ["W1"], "scale": ["a1"]})
    np.testing.assert_array_equal(params["a1"], 1.0)  # no gradient: left alone
    np.testing.assert_array_equal(params["W1"], 0.0)
    with pytest.raises(KeyError, match="'W9'"):
        SGD(lr=1.0).step(params, {"W9": np.ones(2)})
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        SGD(lr=1.0).step(params, {"W1": np.ones(3)})
    with pytest.raises(KeyError, match=r"gradients for \['a1'\] belong to no group"):
        SGD(lr=1.0).step(params, {"W1": np.ones(2), "a1": np.ones(2)}, {"weight": ["W1"]})
    with pytest.raises(KeyError, match="no learning rate for the group 'scales'"):
        SGD(lr=1.0).step(params, {"a1": np.ones(2)}, {"scales": ["a1"]})


def test_a_bad_grouping_is_refused_before_any_update():
    params = {"W1": np.ones(2), "a1": np.ones(2)}
    grads = {"W1": np.ones(2), "a1": np.ones(2)}
    with pytest.raises(ValueError, match="'W1' is in two groups, 'weight' and 'scale'"):
        SGD(lr=1.0).step(params, grads, {"weight": ["W1"], "scale": ["W1", "a1"]})
    with pytest.raises(KeyError, match=r"gradients for \['a1'\] belong to no group"):
        SGD(lr=1.0).step(params, grads, {"weight": ["W1"]})
    with pytest.raises(KeyError, match="no learning rate for the group 'scales'"):
        SGD(lr=1.0).step(params, grads, {"weight": ["W1"], "scales": ["a1"]})
    with pytest.raises(ValueError, match="'W1' is twice in the group 'weight'"):
        SGD(lr=1.0).step(params, grads, {"weight": ["W1", "W1"], "scale": ["a1"]})
    adam = Adam(lr=1.0)
    for bad in ({"W1": np.ones(2), "a1": np.ones(3)}, {"W1": np.ones(2), "a9": np.ones(2)}):
        with pytest.raises((ValueError, KeyError), match="'a"):
            adam.step(params, bad, {"weight": ["W1"], "scale": ["a1", "a9"]})
    np.testing.assert_array_equal(params["W1"], 1.0)  # nothing was updated
    np.testing.assert_array_equal(params["a1"], 1.0)
    adam.step(params, {"W1": np.ones(2)}, {"weight": ["W1"]})  # Adam's state did not advance:
    np.testing.assert_allclose(params["W1"], 0.0, atol=1e-6)  # its first step moves by lr


def test_sgd_momentum_accumulates_velocity():
    params, grads = {"W1": np.zeros(1)}, {"W1": np.ones(1)}
    optimizer = SGD(lr=1.0, momentum=0.5)
    for _ in range(3):
        optimizer.step(params, grads)
    assert params["W1"][0] == pytest.approx(-(1 + 1.5 + 1.75))


def test_adam_matches_the_textbook_update():
    params, grads = {"a1": np.array([1.0])}, [np.array([0.3]), np.array([-0.1])]
    optimizer = Adam(lr=1.0, lr_scale=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    m = v = 0.0
    expected = 1.0
    for t, g in enumerate(grads, start=1):
        optimizer.step(params, {"a1": g}, {"scale": ["a1"]})
        m, v = 0.9 * m + 0.1 * g[0], 0.999 * v + 0.001 * g[0] ** 2
        expected -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    assert params["a1"][0] == pytest.approx(expected, rel=1e-12)


def test_sgd_steps_a_batch_of_trials_like_one_network_each():
    batch = MLP([2, 3, 1], hidden="parametric_relu", seed=0, trials=2)
    X, y = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, -1.0]]), np.array([[1.0], [0.0], [0.5]])
    singles = []
    for t in range(2):
        one = MLP([2, 3, 1], hidden="parametric_relu")
        one.params = {name: value[t].copy() for name, value in batch.params.items()}
        singles.append(one)
    optimizer = SGD(lr=0.05, lr_scale=0.02, lr_location=0.01)
    for _ in range(20):
        _, grads = batch.loss(X, y)
        optimizer.step(batch.params, grads, batch.groups)
        for one in singles:
            _, grads = one.loss(X, y)
            optimizer.step(one.params, grads, one.groups)
    for t, one in enumerate(singles):
        for name, value in one.params.items():
            np.testing.assert_allclose(batch.params[name][t], value, rtol=1e-12, atol=1e-15)
