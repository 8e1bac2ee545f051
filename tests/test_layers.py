"""Layer functions, the MLP and the optimisers, checked against finite differences."""

import numpy as np
import pytest

from paramact import layers
from paramact.activations import ACTIVATIONS
from paramact.gradcheck import check_gradients, numerical_gradient
from paramact.optim import SGD, Adam, parameter_kind

@pytest.fixture
def rng():
    """A fresh generator per test, so values do not depend on which tests ran before."""
    return np.random.default_rng(0)


def numeric_backward(forward, inputs, dout):
    """Finite-difference gradients of sum(forward(*inputs) * dout) w.r.t. each input."""
    return [numerical_gradient(lambda _: np.sum(forward(*inputs)[0] * dout), x) for x in inputs]


def test_affine_backward_matches_finite_differences(rng):
    x, w, b = rng.normal(size=(4, 2, 3)), rng.normal(size=(6, 5)), rng.normal(size=5)
    out, cache = layers.affine_forward(x, w, b)
    assert out.shape == (4, 5)
    dout = rng.normal(size=out.shape)
    for analytic, numeric in zip(layers.affine_backward(dout, cache),
                                 numeric_backward(layers.affine_forward, [x, w, b], dout)):
        assert analytic.shape == numeric.shape
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_affine_without_bias():
    out, cache = layers.affine_forward(np.ones((2, 3)), np.ones((3, 4)), None)
    np.testing.assert_array_equal(out, np.full((2, 4), 3.0))
    assert layers.affine_backward(np.ones((2, 4)), cache)[2] is None


@pytest.mark.parametrize("name, kwargs", [(n, {}) for n in sorted(ACTIVATIONS)]
                         + [("leaky_relu", {"slope": 0.2}), ("softmax", {}),
                            ("softmax", {"axis": 0})])
def test_activation_backward_matches_finite_differences(name, kwargs, rng):
    x = rng.uniform(-3, 3, size=(4, 5))
    x = np.where(np.abs(x) < 1e-2, 0.5, x)  # off the kinks
    out, cache = layers.activation_forward(x, name, **kwargs)
    dout = rng.normal(size=out.shape)
    dx = layers.activation_backward(dout, cache)
    numeric = numerical_gradient(
        lambda _: np.sum(layers.activation_forward(x, name, **kwargs)[0] * dout), x)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-9)


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'gelu'.*sigmoid.*softmax"):
        layers.activation_forward(np.zeros(2), "gelu")


@pytest.mark.parametrize("kind", ["sigmoid", "relu"])
def test_parametric_layer_backward_matches_finite_differences(kind, rng):
    forward = getattr(layers, f"parametric_{kind}_forward")
    backward = getattr(layers, f"parametric_{kind}_backward")
    y, a, b = rng.normal(size=(6, 3)) * 2, rng.uniform(-2, 2, 3), rng.normal(size=3)
    y = np.where(np.abs(y - b) < 1e-2, b + 0.3, y)
    z, cache = forward(y, a, b)
    dz = rng.normal(size=z.shape)
    dy, da, db = backward(dz, cache)
    assert (dy.shape, da.shape, db.shape) == ((6, 3), (3,), (3,))
    for analytic, numeric in zip((dy, da, db), numeric_backward(forward, [y, a, b], dz)):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


CONFIGS = [
    ("parametric_sigmoid", "identity", "half_sum_squared"),
    ("parametric_sigmoid", "sigmoid", "bce"),
    ("parametric_sigmoid", "softmax", "cross_entropy"),
    ("parametric_relu", "identity", "mse"),
    ("parametric_relu", "softmax", "cross_entropy"),
    ("parametric_relu", "sigmoid", "half_sum_squared"),
    ("tanh", "softmax", "mse"),
    ("elu", "sigmoid", "bce"),
]


@pytest.mark.parametrize("hidden, output, loss", CONFIGS)
def test_mlp_gradients(hidden, output, loss, rng):
    net = layers.MLP([3, 4, 5, 2], hidden=hidden, output=output, loss=loss, seed=1)
    for name in net.params:  # move a, c and b off their initial values
        net.params[name] += 0.3 * rng.normal(size=net.params[name].shape)
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=6) if loss == "cross_entropy" else rng.uniform(size=(6, 2))
    value, grads = net.loss(X, y)
    assert set(grads) == set(net.params)
    report = check_gradients(lambda _: net.loss(X, y)[0], net.params, grads, tol=1e-6)
    assert report.ok, str(report)
    assert net.forward(X).shape == (6, 2)


def test_mlp_parameter_names_and_shapes():
    net = layers.MLP([4, 3, 2, 1], hidden="parametric_relu", seed=0)
    shapes = {name: p.shape for name, p in net.params.items()}
    assert shapes == {"W1": (4, 3), "b1": (3,), "a1": (3,), "c1": (3,),
                      "W2": (3, 2), "b2": (2,), "a2": (2,), "c2": (2,),
                      "W3": (2, 1), "b3": (1,)}
    np.testing.assert_array_equal(net.params["a1"], 1.0)
    np.testing.assert_array_equal(net.params["c2"], 0.0)
    assert set(layers.MLP([2, 2, 1], bias=False).params) == {"W1", "W2"}
    assert set(layers.MLP([2, 2, 1], hidden="relu").params) == {"W1", "b1", "W2", "b2"}


def test_mlp_init_scales():
    wide = 4000
    xavier = layers.MLP([wide, 50, 1], hidden="sigmoid", seed=0).params["W1"]
    he = layers.MLP([wide, 50, 1], hidden="parametric_relu", seed=0).params["W1"]
    assert xavier.std() == pytest.approx(np.sqrt(1 / wide), rel=0.02)
    assert he.std() == pytest.approx(np.sqrt(2 / wide), rel=0.02)
    assert layers.MLP([2, 3, 1], init=0.5, seed=0).params["W1"].std() > 0.1
    assert layers.MLP([2, 3, 1], dtype=np.float32).params["W2"].dtype == np.float32


@pytest.mark.parametrize("kwargs, message", [
    ({"hidden": "gelu"}, "unknown hidden activation 'gelu'"),
    ({"output": "relu"}, "unknown output 'relu'"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"output": "identity", "loss": "cross_entropy"}, "needs output='softmax'"),
    ({"output": "softmax", "loss": "bce"}, "needs output='sigmoid'"),
    ({"init": "lecun"}, "init must be"),
])
def test_mlp_rejects_bad_configuration(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.MLP([2, 3, 1], **kwargs)


def test_mlp_training_reduces_the_loss_on_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = layers.MLP([2, 4, 1], hidden="parametric_sigmoid", output="sigmoid", seed=3)
    optimizer = SGD(lr=2.0, lr_scale=0.5, lr_location=0.5)
    first, _ = net.loss(X, y)
    for _ in range(1500):
        loss, grads = net.loss(X, y)
        optimizer.step(net.params, grads)
    assert loss < first / 10
    assert not np.allclose(net.params["a1"], 1.0) and not np.allclose(net.params["c1"], 0.0)


# --- optimisers -----------------------------------------------------------------------------

def test_parameter_kinds():
    kinds = {n: parameter_kind(n) for n in ("W1", "b12", "a1", "a12", "c3", "alpha", "cx")}
    assert kinds == {"W1": "weight", "b12": "weight", "a1": "scale", "a12": "scale",
                     "c3": "location", "alpha": "weight", "cx": "weight"}


def test_sgd_applies_the_three_learning_rates():
    params = {n: np.ones(2) for n in ("W1", "b1", "a1", "c1")}
    grads = {n: np.full(2, 2.0) for n in params}
    SGD(lr=0.1, lr_scale=0.01, lr_location=0.001).step(params, grads)
    assert {n: p[0] for n, p in params.items()} == pytest.approx(
        {"W1": 0.8, "b1": 0.8, "a1": 0.98, "c1": 0.998})
    default = SGD(lr=0.1)
    assert default.lr_for("a1") == default.lr_for("c1") == 0.1


def test_sgd_leaves_parameters_without_gradient_alone_and_checks_names():
    params = {"W1": np.ones(2), "a1": np.ones(2)}
    SGD(lr=1.0).step(params, {"W1": np.ones(2)})
    np.testing.assert_array_equal(params["a1"], 1.0)
    np.testing.assert_array_equal(params["W1"], 0.0)
    with pytest.raises(KeyError, match="'W9'"):
        SGD(lr=1.0).step(params, {"W9": np.ones(2)})
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        SGD(lr=1.0).step(params, {"W1": np.ones(3)})


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
        optimizer.step(params, {"a1": g})
        m, v = 0.9 * m + 0.1 * g[0], 0.999 * v + 0.001 * g[0] ** 2
        expected -= 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    assert params["a1"][0] == pytest.approx(expected, rel=1e-12)
