"""Layer functions and the MLP (one network or a batch of trials), checked against finite differences."""

import numpy as np
import pytest

from paramact import layers
from paramact.activations import ACTIVATIONS
from paramact.gradcheck import check_gradients, numerical_gradient
from paramact.mlp import MLP
from paramact.optim import SGD


@pytest.fixture
def rng():
    """A fresh generator per test, so values do not depend on which tests ran before."""
    return np.random.default_rng(0)


def numeric_backward(forward, inputs, dout):
    """Finite-difference gradients of sum(forward(*inputs) * dout) w.r.t. each input."""
    return [numerical_gradient(lambda _: np.sum(forward(*inputs)[0] * dout), x) for x in inputs]


def test_affine_backward_matches_finite_differences(rng):
    x, w, c = rng.normal(size=(4, 2, 3)), rng.normal(size=(6, 5)), rng.normal(size=5)
    out, cache = layers.affine_forward(x, w, c)
    assert out.shape == (4, 5)
    dout = rng.normal(size=out.shape)
    for analytic, numeric in zip(
        layers.affine_backward(dout, cache),
        numeric_backward(layers.affine_forward, [x, w, c], dout),
    ):
        assert analytic.shape == numeric.shape
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shared", [True, False], ids=["shared-inputs", "per-trial-inputs"])
def test_affine_with_trials_is_one_layer_per_trial(shared, rng):
    trials, n = 3, 5
    x = rng.normal(size=(n, 4)) if shared else rng.normal(size=(n, trials, 4))
    w, c = rng.normal(size=(trials, 4, 2)), rng.normal(size=(trials, 2))
    out, cache = layers.affine_forward(x, w, c)
    assert out.shape == (n, trials, 2)
    dout = rng.normal(size=out.shape)
    dx, dw, dc = layers.affine_backward(dout, cache)
    assert (dx.shape, dw.shape, dc.shape) == (x.shape, w.shape, c.shape)
    dx_sum = np.zeros_like(x)
    for t in range(trials):
        x_t = x if shared else x[:, t]
        out_t, cache_t = layers.affine_forward(x_t, w[t], c[t])
        np.testing.assert_allclose(out[:, t], out_t, rtol=1e-13)
        dx_t, dw_t, dc_t = layers.affine_backward(dout[:, t], cache_t)
        np.testing.assert_allclose(dw[t], dw_t, rtol=1e-12)
        np.testing.assert_allclose(dc[t], dc_t, rtol=1e-12)
        if shared:
            dx_sum += dx_t
        else:
            np.testing.assert_allclose(dx[:, t], dx_t, rtol=1e-12)
    if shared:  # inputs shared by every trial get the sum of the trials' gradients
        np.testing.assert_allclose(dx, dx_sum, rtol=1e-12)


def test_affine_without_bias():
    out, cache = layers.affine_forward(np.ones((2, 3)), np.ones((3, 4)), None)
    np.testing.assert_array_equal(out, np.full((2, 4), 3.0))
    assert layers.affine_backward(np.ones((2, 4)), cache)[2] is None


@pytest.mark.parametrize(
    "name, kwargs",
    [(n, {}) for n in sorted(ACTIVATIONS)]
    + [("leaky_relu", {"slope": 0.2}), ("softmax", {}), ("softmax", {"axis": 0})],
)
def test_activation_backward_matches_finite_differences(name, kwargs, rng):
    x = rng.uniform(-3, 3, size=(4, 5))
    x = np.where(np.abs(x) < 1e-2, 0.5, x)  # off the kinks
    out, cache = layers.activation_forward(x, name, **kwargs)
    dout = rng.normal(size=out.shape)
    dx = layers.activation_backward(dout, cache)
    numeric = numerical_gradient(
        lambda _: np.sum(layers.activation_forward(x, name, **kwargs)[0] * dout), x
    )
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
    # A cache of just (y, a, b), as a forward pass written by hand makes (chapter 6), works too.
    for got, expected in zip(backward(dz, (y, a, b)), (dy, da, db)):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("kind", ["sigmoid", "relu"])
def test_parametric_layers_follow_the_shape_rule_of_pytorch(kind, rng):
    """A (C,) parameter belongs to axis 1 of an (N, C, H, W) input, in NumPy as in paramact.functional."""
    torch = pytest.importorskip("torch")
    from paramact import functional

    y = rng.normal(size=(2, 3, 4, 5))  # (N, C, H, W), with W != C and H != C
    a, b = rng.uniform(0.5, 2.0, 3), rng.normal(size=3) * 0.3
    y = np.where(np.abs(y - b[:, None, None]) < 1e-3, 0.5, y)  # off the ReLU kink
    z, cache = getattr(layers, f"parametric_{kind}_forward")(y, a, b)
    dz = rng.normal(size=z.shape)
    dy, da, db = getattr(layers, f"parametric_{kind}_backward")(dz, cache)

    yt, at, bt = (torch.tensor(v, requires_grad=True) for v in (y, a, b))
    zt = getattr(functional, f"parametric_{kind}")(yt, at, bt)
    zt.backward(torch.tensor(dz))
    np.testing.assert_allclose(z, zt.detach().numpy(), rtol=1e-12, atol=1e-15)
    for mine, theirs in ((dy, yt), (da, at), (db, bt)):
        assert mine.shape == tuple(theirs.shape)
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-13)
    # a channel's output depends on its own a and b only
    np.testing.assert_allclose(
        z[:, 1], getattr(layers, f"parametric_{kind}_forward")(y[:, 1], a[1], b[1])[0]
    )


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


def _targets(rng, loss, shape):
    return (
        rng.integers(0, 2, size=shape[:-1]) if loss == "cross_entropy" else rng.uniform(size=shape)
    )


@pytest.mark.parametrize("hidden, output, loss", CONFIGS)
def test_mlp_gradients(hidden, output, loss, rng):
    net = MLP([3, 4, 5, 2], hidden=hidden, output=output, loss=loss, seed=1)
    for name in net.params:  # move a, b and the biases c off their initial values
        net.params[name] += 0.3 * rng.normal(size=net.params[name].shape)
    X = rng.normal(size=(6, 3))
    y = _targets(rng, loss, (6, 2))
    value, grads = net.loss(X, y)
    assert isinstance(value, float)
    assert set(grads) == set(net.params)
    report = check_gradients(lambda _: net.loss(X, y)[0], net.params, grads, tol=1e-6)
    assert report.ok, str(report)
    assert net.forward(X).shape == (6, 2)


@pytest.mark.parametrize("hidden, output, loss", CONFIGS)
@pytest.mark.parametrize("shared", [True, False], ids=["shared-data", "per-trial-data"])
def test_mlp_trials_are_independent_networks(hidden, output, loss, shared, rng):
    """A batch of T trials gives every trial the loss and gradients of its own network."""
    trials = 3
    batch = MLP([3, 4, 5, 2], hidden=hidden, output=output, loss=loss, seed=1, trials=trials)
    for name in batch.params:
        batch.params[name] += 0.3 * rng.normal(size=batch.params[name].shape)
    X = rng.normal(size=(6, 3)) if shared else rng.normal(size=(trials, 6, 3))
    y = _targets(rng, loss, (6, 2) if shared else (trials, 6, 2))
    losses, grads = batch.loss(X, y)
    outputs = batch.forward(X)
    assert losses.shape == (trials,) and outputs.shape == (trials, 6, 2)
    assert {name: g.shape for name, g in grads.items()} == {
        name: p.shape for name, p in batch.params.items()
    }
    for t in range(trials):
        one = MLP([3, 4, 5, 2], hidden=hidden, output=output, loss=loss)
        one.params = {name: value[t].copy() for name, value in batch.params.items()}
        X_t, y_t = (X, y) if shared else (X[t], y[t])
        loss_t, grads_t = one.loss(X_t, y_t)
        assert losses[t] == pytest.approx(loss_t, rel=1e-12)
        np.testing.assert_allclose(outputs[t], one.forward(X_t), rtol=1e-12)
        for name in grads_t:
            np.testing.assert_allclose(
                grads[name][t], grads_t[name], rtol=1e-10, atol=1e-15, err_msg=name
            )


def test_mlp_parameter_names_shapes_and_groups():
    net = MLP([4, 3, 2, 1], hidden="parametric_relu", seed=0)
    shapes = {name: p.shape for name, p in net.params.items()}
    assert shapes == {
        "W1": (4, 3),
        "c1": (3,),
        "a1": (3,),
        "b1": (3,),
        "W2": (3, 2),
        "c2": (2,),
        "a2": (2,),
        "b2": (2,),
        "W3": (2, 1),
        "c3": (1,),
    }
    assert net.groups == {
        "weight": ["W1", "c1", "W2", "c2", "W3", "c3"],
        "scale": ["a1", "a2"],
        "location": ["b1", "b2"],
    }
    np.testing.assert_array_equal(net.params["a1"], 1.0)
    np.testing.assert_array_equal(net.params["b2"], 0.0)
    custom = MLP([2, 2, 1], hidden="parametric_sigmoid", a_init=2.0, b_init=-0.5)
    np.testing.assert_array_equal(custom.params["a1"], 2.0)
    np.testing.assert_array_equal(custom.params["b1"], -0.5)
    assert set(MLP([2, 2, 1], bias=False).params) == {"W1", "W2"}
    plain = MLP([2, 2, 1], hidden="relu")
    assert set(plain.params) == {"W1", "c1", "W2", "c2"}
    assert plain.groups == {"weight": ["W1", "c1", "W2", "c2"], "scale": [], "location": []}


def test_mlp_trials_shapes_and_keep_trials():
    net = MLP([2, 3, 1], hidden="parametric_sigmoid", seed=0, trials=4)
    assert {name: p.shape for name, p in net.params.items()} == {
        "W1": (4, 2, 3),
        "c1": (4, 3),
        "a1": (4, 3),
        "b1": (4, 3),
        "W2": (4, 3, 1),
        "c2": (4, 1),
    }
    assert net.groups == MLP([2, 3, 1], hidden="parametric_sigmoid").groups
    assert not np.array_equal(net.params["W1"][0], net.params["W1"][1])  # independent draws
    kept = {name: value[[1, 3]] for name, value in net.params.items()}
    net.keep_trials(np.array([False, True, False, True]))
    assert net.trials == 2
    for name, value in kept.items():
        np.testing.assert_array_equal(net.params[name], value)
    assert net.loss(np.ones((5, 2)), np.zeros((5, 1)))[0].shape == (2,)
    assert "trials=2" in repr(net)
    with pytest.raises(ValueError, match="needs a network with trials"):
        MLP([2, 1]).keep_trials(np.array([True]))


def test_mlp_trials_reject_data_of_another_batch():
    net = MLP([2, 3, 1], trials=4, seed=0)
    with pytest.raises(ValueError, match=r"inputs must have shape \(N, 2\) or \(4, N, 2\)"):
        net.loss(np.ones((3, 5, 2)), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="fit neither one trial nor 4 trials"):
        net.loss(np.ones((5, 2)), np.zeros((3, 5, 1)))


def test_mlp_with_one_network_is_unchanged_by_the_trials_option():
    """trials=None draws the same weights as before the option existed (chapters rely on seeds)."""
    net = MLP([3, 5, 6, 4], hidden="tanh", output="softmax", seed=1)
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(net.params["W1"], np.sqrt(1 / 3) * rng.standard_normal((3, 5)))
    np.testing.assert_array_equal(net.params["W2"], np.sqrt(1 / 5) * rng.standard_normal((5, 6)))


def test_mlp_init_scales():
    wide = 4000
    xavier = MLP([wide, 50, 1], hidden="sigmoid", seed=0).params["W1"]
    he = MLP([wide, 50, 1], hidden="parametric_relu", seed=0).params["W1"]
    assert xavier.std() == pytest.approx(np.sqrt(1 / wide), rel=0.02)
    assert he.std() == pytest.approx(np.sqrt(2 / wide), rel=0.02)
    assert MLP([2, 3, 1], init=0.5, seed=0).params["W1"].std() > 0.1
    assert MLP([2, 3, 1], dtype=np.float32).params["W2"].dtype == np.float32


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hidden": "gelu"}, "unknown hidden activation 'gelu'"),
        ({"output": "relu"}, "unknown output 'relu'"),
        ({"loss": "hinge"}, "unknown loss 'hinge'"),
        ({"output": "identity", "loss": "cross_entropy"}, "needs output='softmax'"),
        ({"output": "softmax", "loss": "bce"}, "needs output='sigmoid'"),
        ({"init": "lecun"}, "init must be"),
        ({"trials": 0}, "trials must be None or an integer >= 1"),
        ({"trials": 2.5}, "trials must be None or an integer >= 1"),
    ],
)
def test_mlp_rejects_bad_configuration(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP([2, 3, 1], **kwargs)


def test_mlp_training_reduces_the_loss_on_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = MLP([2, 4, 1], hidden="parametric_sigmoid", output="sigmoid", seed=3)
    optimizer = SGD(lr=2.0, lr_scale=0.5, lr_location=0.5)
    first, _ = net.loss(X, y)
    for _ in range(1500):
        loss, grads = net.loss(X, y)
        optimizer.step(net.params, grads, net.groups)
    assert loss < first / 10
    assert not np.allclose(net.params["a1"], 1.0) and not np.allclose(net.params["b1"], 0.0)
