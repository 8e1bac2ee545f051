"""Issue 17: the column-wise products of the affine layer with per-trial inputs are einsum's numbers.

paramact.layers computes the products of small layers with per-trial inputs ``(N, T, D)`` (the
XOR network's second layer) from whole ``(N, T)`` columns instead of with np.einsum. The stored
XOR results stay reproducible bit for bit only if both give exactly the same numbers.
"""

import numpy as np
import pytest

from paramact import layers

SHAPES = [  # (N, T, D, M): the XOR layer 2, other small layers, and too short for columns
    (4, 1000, 2, 1),
    (4, 300, 1, 2),
    (4, 300, 2, 2),
    (8, 100, 1, 1),
    (70, 10, 2, 4),
    (4, 10, 2, 1),
]


def arrays(shape, seed):
    n, t, d, m = shape
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-3, 4)
    return (
        rng.standard_normal((n, t, d)) * scale,
        rng.standard_normal((t, d, m)),
        rng.standard_normal((n, t, m)) * scale,
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(3))
def test_per_trial_products_are_einsums_bit_for_bit(shape, seed):
    x, w, dout = arrays(shape, seed)
    x[0, 0] = -0.0
    pairs = [
        (layers._per_trial_product(x, w), np.einsum("ntd,tdm->ntm", x, w)),
        (layers._per_trial_weight_grad(x, dout, w), np.einsum("ntd,ntm->tdm", x, dout)),
        (layers._per_trial_input_grad(dout, w), np.einsum("ntm,tdm->ntd", dout, w)),
    ]
    for got, want in pairs:
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_longer_sums_keep_einsum():
    x, w, _ = arrays((4, 300, 3, 1), 0)  # a sum of 3 terms: einsum may reorder it, so einsum
    np.testing.assert_array_equal(layers._per_trial_product(x, w), np.einsum("ntd,tdm->ntm", x, w))


def test_mixed_dtypes_promote_as_einsum_does():
    x, w, dout = arrays((4, 300, 2, 1), 1)
    x32 = x.astype(np.float32)
    assert layers._per_trial_product(x32, w).dtype == np.einsum("ntd,tdm->ntm", x32, w).dtype
    assert layers._per_trial_weight_grad(x32, dout, w).dtype == np.float64


def test_sigmoid_and_slope_are_the_sigmoid_pairs_numbers():
    """paramact.parametric._sigmoid_and_slope selects without np.where: the same bits, edges too."""
    from paramact._numeric import _sigmoid_pair
    from paramact.parametric import _sigmoid_and_slope

    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        u = (rng.standard_normal((50, 40)) * 30).astype(dtype)
        u.flat[:8] = [0.0, -0.0, np.inf, -np.inf, 1e4, -1e4, 100.0, -100.0]
        with np.errstate(all="raise", under="ignore"):
            s, slope = _sigmoid_and_slope(u)
            big, small = _sigmoid_pair(u)
        for got, want in ((s, big), (slope, big * small)):
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize(
    "shape, param_shape", [((6, 3), (3,)), ((4, 5, 3), (5, 3)), ((2, 3, 4), (3,))]
)
def test_relu_layer_cache_gives_the_where_based_gradients(shape, param_shape):
    """The ReLU layer's mask products: the numbers of parametric_relu_grads (kink included)."""
    from paramact import activations as act

    rng = np.random.default_rng(1)
    y, dz = rng.standard_normal(shape), rng.standard_normal(shape)
    a, b = rng.standard_normal(param_shape), rng.standard_normal(param_shape)
    y[0] = b if len(param_shape) == 2 or y.ndim == 2 else b[:, None]  # exact kinks y == b
    z, cache = layers.parametric_relu_forward(y, a, b)
    got = layers.parametric_relu_backward(dz, cache)
    want = layers.parametric_relu_backward(dz, (y, a, b))  # derivatives from parametric_relu_grads
    np.testing.assert_array_equal(z, act.parametric_relu(y, a, b))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_trial_minor_weights_and_keep_trials_keep_their_order():
    from paramact.mlp import MLP

    net = MLP([2, 3, 1], hidden="parametric_relu", trials=5, seed=0)
    assert net.params["W1"].transpose(1, 0, 2).flags.c_contiguous
    loss, grads = net.loss(np.ones((4, 2)), np.zeros((4, 1)))
    for name in ("W1", "W2"):  # the update reads weights and gradients in one order
        assert net.params[name].transpose(1, 0, 2).flags.c_contiguous
        assert grads[name].transpose(1, 0, 2).flags.c_contiguous
    before = net.params["W1"][[1, 3]].copy()
    net.keep_trials(np.array([False, True, False, True, False]))
    np.testing.assert_array_equal(net.params["W1"], before)
    assert net.params["W1"].transpose(1, 0, 2).flags.c_contiguous
