"""NumPy activations: values, derivatives (finite differences, mpmath, torch), stability, dtypes."""

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from paramact import activations as act

ELEMENTWISE = sorted(act.ACTIVATIONS)
KWARGS = {"leaky_relu": {"slope": 0.1}, "elu": {"alpha": 1.5}, "swish": {"beta": 2.0}}
floats = st.floats(-1e4, 1e4, allow_nan=False)


def central_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def away_from_kink(n, seed=0):
    """Points in [-5, 5] at least 1e-2 away from 0, where every kink of the catalogue lies."""
    x = np.random.default_rng(seed).uniform(-5, 5, n)
    return np.where(np.abs(x) < 1e-2, 0.5, x)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_differences(name):
    f, f_grad = act.ACTIVATIONS[name]
    kwargs = KWARGS.get(name, {})
    x = away_from_kink(200)
    expected = central_difference(lambda v: f(v, **kwargs), x)
    np.testing.assert_allclose(f_grad(x, **kwargs), expected, rtol=1e-6, atol=1e-8)


TORCH_REFERENCE = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.1),
    "elu": lambda x: torch.nn.functional.elu(x, alpha=1.5),
    "softplus": torch.nn.functional.softplus,
    "swish": lambda x: x * torch.sigmoid(2.0 * x),
    "identity": lambda x: x,
}


@pytest.mark.parametrize("name", sorted(TORCH_REFERENCE))
def test_value_and_derivative_match_torch(name):
    f, f_grad = act.ACTIVATIONS[name]
    kwargs = KWARGS.get(name, {})
    x = away_from_kink(100, seed=1)
    xt = torch.tensor(x, requires_grad=True)
    yt = TORCH_REFERENCE[name](xt)
    (grad,) = torch.autograd.grad(yt.sum(), xt)
    np.testing.assert_allclose(f(x, **kwargs), yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f_grad(x, **kwargs), grad.numpy(), rtol=1e-12, atol=1e-14)


def test_known_values():
    np.testing.assert_array_equal(act.step(np.array([-1.0, 0.0, 1.0])), [0, 1, 1])
    assert act.sigmoid(np.array(0.0)) == 0.5
    assert act.softplus(np.array(0.0)) == pytest.approx(np.log(2))
    assert act.elu(np.array(-50.0), alpha=2.0) == pytest.approx(-2.0)
    assert act.step_grad(np.array(3.0)) == 0.0
    assert act.sigmoid_grad(np.array(0.0)) == 0.25


def test_kink_uses_right_hand_derivative():
    zero = np.array([0.0])
    assert act.relu_grad(zero)[0] == 1.0
    assert act.leaky_relu_grad(zero, slope=0.1)[0] == 1.0
    assert act.elu_grad(zero, alpha=3.0)[0] == 1.0
    assert act.step(zero)[0] == 1.0
    dz_dy, dz_da, dz_db = act.parametric_relu_grads(np.array([2.0]), a=3.0, b=2.0)
    assert (dz_dy[0], dz_da[0], dz_db[0]) == (3.0, 0.0, -3.0)


@settings(max_examples=60, deadline=None)
@given(x=floats)
def test_no_floating_point_errors_up_to_1e4(x):
    values = np.array([x, -x, 0.0])
    with np.errstate(all="raise"):
        for name in ELEMENTWISE:
            f, f_grad = act.ACTIVATIONS[name]
            assert np.all(np.isfinite(f(values))), name
            assert np.all(np.isfinite(f_grad(values))), name
        s = act.sigmoid(values)
        assert np.all((0 <= s) & (s <= 1))
        assert np.all(np.isfinite(act.softmax(values)))


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-800, 800))
def test_sigmoid_matches_high_precision(x):
    with np.errstate(all="raise"):
        value, slope = act.sigmoid(np.array(x)), act.sigmoid_grad(np.array(x))
    with mpmath.workdps(50):
        s, s_neg = 1 / (1 + mpmath.exp(-mpmath.mpf(x))), 1 / (1 + mpmath.exp(mpmath.mpf(x)))
        expected_value, expected_slope = float(s), float(s * s_neg)  # 1 - s would cancel
    # relative accuracy in the tails too, down to the smallest normal float64
    assert value == pytest.approx(expected_value, rel=1e-14, abs=1e-300)
    assert slope == pytest.approx(expected_slope, rel=1e-13, abs=1e-300)


def test_sigmoid_does_not_overflow_float32():
    x = np.array([-1e4, -100.0, 100.0, 1e4], dtype=np.float32)
    with np.errstate(all="raise"):
        s = act.sigmoid(x)
    assert s.dtype == np.float32
    np.testing.assert_array_equal(s[[0, 2, 3]], [0, 1, 1])
    assert s[1] == pytest.approx(np.exp(-100.0), rel=0.05)  # a float32 subnormal, not 0


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_and_dtype_preserved(name, dtype):
    f, f_grad = act.ACTIVATIONS[name]
    x = np.linspace(-3, 3, 24, dtype=dtype).reshape(2, 3, 4)
    for out in (f(x), f_grad(x)):
        assert out.shape == (2, 3, 4)
        assert out.dtype == dtype


def test_integers_are_cast_to_float64():
    assert act.relu(np.array([-1, 2])).dtype == np.float64
    assert act.sigmoid([0, 1]).dtype == np.float64
    y32 = np.zeros(3, dtype=np.float32)
    assert act.parametric_sigmoid(y32, 1.0, 0.0).dtype == np.float32  # Python scalars are weak
    with pytest.raises(TypeError, match="real numbers"):
        act.sigmoid(np.array([1j]))


def test_softmax_any_axis_and_huge_inputs():
    x = np.random.default_rng(0).normal(size=(3, 4, 5)) * 1e4
    with np.errstate(all="raise"):
        for axis in (0, 1, 2, -1):
            s = act.softmax(x, axis=axis)
            np.testing.assert_allclose(s.sum(axis=axis), 1.0)
            np.testing.assert_allclose(
                s, torch.softmax(torch.tensor(x), dim=axis).numpy(), atol=1e-15
            )
    np.testing.assert_allclose(
        act.softmax(np.array([1.0, 2.0]) + 1e4), act.softmax(np.array([1.0, 2.0]))
    )


# --- parametric activations ---------------------------------------------------------------


def random_yab(seed=0, n=6, c=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, c)) * 3, rng.uniform(-3, 3, c), rng.normal(size=c)


@pytest.mark.parametrize("name", ["parametric_sigmoid", "parametric_relu"])
def test_parametric_grads_match_finite_differences(name):
    f = getattr(act, name)
    grads = getattr(act, name + "_grads")
    y, a, b = random_yab()
    y = np.where(np.abs(y - b) < 1e-2, b + 0.5, y)  # stay off the ReLU kink
    A, B = np.broadcast_to(a, y.shape), np.broadcast_to(b, y.shape)
    dz_dy, dz_da, dz_db = grads(y, a, b)
    assert dz_dy.shape == dz_da.shape == dz_db.shape == y.shape
    np.testing.assert_allclose(dz_dy, central_difference(lambda v: f(v, A, B), y), atol=1e-8)
    np.testing.assert_allclose(dz_da, central_difference(lambda v: f(y, v, B), A), atol=1e-8)
    np.testing.assert_allclose(dz_db, central_difference(lambda v: f(y, A, v), B), atol=1e-8)


def test_parametric_sigmoid_reduces_to_sigmoid_and_relu_to_relu():
    y = np.linspace(-4, 4, 9)
    np.testing.assert_allclose(act.parametric_sigmoid(y, 1.0, 0.0), act.sigmoid(y))
    np.testing.assert_allclose(act.parametric_relu(y, 1.0, 0.0), act.relu(y))
    np.testing.assert_allclose(act.parametric_sigmoid_grads(y, 1.0, 0.0)[0], act.sigmoid_grad(y))


def test_corrected_eq14_and_the_papers_misprint():
    y, a, b = 0.3, 2.5, -0.4
    z = act.parametric_sigmoid(y, a, b)
    dz_db = act.parametric_sigmoid_grads(y, a, b)[2]
    numeric = central_difference(lambda v: act.parametric_sigmoid(y, a, v), b)
    assert dz_db == pytest.approx(numeric, rel=1e-8)
    assert dz_db == pytest.approx(z * (z - a) / a, rel=1e-12)  # the corrected closed form
    assert z * (z - 1) / a != pytest.approx(numeric, rel=1e-2)  # the paper's eq. (14)


def test_parametric_broadcasting_shapes():
    y, a, b = np.zeros((5, 3)), np.ones(3), np.zeros(3)
    assert act.parametric_relu(y, a, b).shape == (5, 3)
    assert all(g.shape == (5, 3) for g in act.parametric_sigmoid_grads(y, a, b))
    # a and b may carry the larger shape too
    assert all(g.shape == (2, 3) for g in act.parametric_relu_grads(0.5, np.ones((2, 3)), 0.0))


wide = st.floats(-1e4, 1e4, allow_nan=False)
scale = st.one_of(st.floats(-1e4, 1e4), st.sampled_from([1e-8, -1e-8, 0.0]))


@settings(max_examples=120, deadline=None)
@given(y=wide, a=scale, b=wide)
def test_parametric_sigmoid_matches_high_precision(y, a, b):
    with np.errstate(all="raise"):
        z = act.parametric_sigmoid(y, a, b)
        dz_dy, dz_da, dz_db = act.parametric_sigmoid_grads(y, a, b)
    with mpmath.workdps(60):
        u = mpmath.mpf(y) - mpmath.mpf(b)
        s, s_neg = 1 / (1 + mpmath.exp(-u)), 1 / (1 + mpmath.exp(u))
        expected = [a * s, a * s * s_neg, s, -a * s * s_neg]
    for got, want in zip([z, dz_dy, dz_da, dz_db], expected):
        assert np.isfinite(got)
        assert float(got) == pytest.approx(float(want), rel=1e-9, abs=1e-300)


@settings(max_examples=120, deadline=None)
@given(y=wide, a=scale, b=wide)
def test_parametric_relu_properties(y, a, b):
    with np.errstate(all="raise"):
        z = act.parametric_relu(y, a, b)
        dz_dy, dz_da, dz_db = act.parametric_relu_grads(y, a, b)
    active = y >= b
    assert z == (a * (y - b) if active else 0.0)
    assert (dz_dy, dz_da, dz_db) == ((a, y - b, -a) if active else (0.0, 0.0, 0.0))


def test_value_and_derivatives_at_once_are_the_separate_numbers():
    x = np.random.default_rng(3).normal(size=(5, 4)) * 20
    s, ds = act.sigmoid_and_grad(x)
    np.testing.assert_array_equal(s, act.sigmoid(x))
    np.testing.assert_array_equal(ds, act.sigmoid_grad(x))
    y, a, b = random_yab(seed=4)
    z, grads = act.parametric_sigmoid_and_grads(y, a, b)
    np.testing.assert_array_equal(z, act.parametric_sigmoid(y, a, b))
    for got, expected in zip(grads, act.parametric_sigmoid_grads(y, a, b)):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", ["parametric_sigmoid", "parametric_relu"])
def test_one_shape_rule_with_pytorch(name):
    """A (C,) scale and location belong to axis 1 of (N, C, H, W), not to the last axis."""
    from paramact import functional

    rng = np.random.default_rng(5)
    y, a, b = rng.normal(size=(2, 3, 4, 3)), rng.uniform(0.5, 2, 3), rng.normal(size=3)
    z = getattr(act, name)(y, a, b)
    expected = getattr(functional, name)(torch.tensor(y), torch.tensor(a), torch.tensor(b)).numpy()
    np.testing.assert_allclose(z, expected, rtol=1e-12, atol=1e-15)
    a4, b4 = a[None, :, None, None], b[None, :, None, None]  # axis 1, spelled out
    np.testing.assert_allclose(z, getattr(act, name)(y, a4, b4), rtol=0, atol=0)
    for got in getattr(act, name + "_grads")(y, a, b):
        assert got.shape == y.shape
    # (N, C) and (C,) inputs: NumPy's own broadcasting is the rule
    assert getattr(act, name)(y[:, :, 0, 0], a, b).shape == (2, 3)
    np.testing.assert_allclose(getattr(act, name)(y[0, :, 0, 0], a, b), z[0, :, 0, 0])
