"""The fully worked 2-2-2 backpropagation example, reproduced to 8 digits.

Inputs 0.1, 0.2; sigmoid in both layers; no biases; loss 1/2 sum of squares; targets 0.4, 0.6;
learning rate 0.5. Weights: z1 = w1 x1 + w2 x2, z2 = w3 x1 + w4 x2 (hidden) and
z3 = w5 h1 + w6 h2, z4 = w7 h1 + w8 h2 (output), so with ``out = x @ W``:
W1 = [[w1, w3], [w2, w4]] and W2 = [[w5, w7], [w6, w8]].
The source misprints w1 (0.1 instead of 0.3), w6+ (0.38685305) and the error before the
update in one place (0.023978190); the values below are the correct ones.
"""

import numpy as np
import pytest

from paramact import layers
from paramact.losses import half_sum_squared_error
from paramact.mlp import MLP
from paramact.optim import SGD

X = np.array([[0.1, 0.2]])
TARGET = np.array([[0.4, 0.6]])
W1 = np.array([[0.30, 0.40], [0.25, 0.35]])  # [[w1, w3], [w2, w4]]
W2 = np.array([[0.45, 0.70], [0.40, 0.60]])  # [[w5, w7], [w6, w8]]
LOSS_BEFORE, LOSS_AFTER = 0.02397190, 0.02323634
W1_AFTER = np.array([[0.29959556, 0.39964496], [0.24919112, 0.34928991]])
W2_AFTER = np.array([[0.43703857, 0.69629578], [0.38685205, 0.59624247]])


def digits8(x):
    return np.round(x, 8)


def test_with_the_mlp_and_sgd():
    net = MLP([2, 2, 2], hidden="sigmoid", output="sigmoid", loss="half_sum_squared", bias=False)
    net.params["W1"][...] = W1
    net.params["W2"][...] = W2
    with np.errstate(all="raise"):
        loss, grads = net.loss(X, TARGET)
        assert digits8(loss) == LOSS_BEFORE
        assert digits8(grads["W2"][0, 0]) == 0.02592286  # dE/dw5
        assert digits8(grads["W1"][0, 0]) == 0.00080888  # dE/dw1
        SGD(lr=0.5).step(net.params, grads)
        np.testing.assert_array_equal(digits8(net.params["W1"]), W1_AFTER)
        np.testing.assert_array_equal(digits8(net.params["W2"]), W2_AFTER)
        assert digits8(net.loss(X, TARGET)[0]) == LOSS_AFTER


def forward(w1, w2):
    z12, affine1 = layers.affine_forward(X, w1, None)
    h, act1 = layers.activation_forward(z12, "sigmoid")
    z34, affine2 = layers.affine_forward(h, w2, None)
    out, act2 = layers.activation_forward(z34, "sigmoid")
    return (z12, h, z34, out), (affine1, act1, affine2, act2)


def test_with_the_layer_functions_step_by_step():
    (z12, h, z34, out), (affine1, act1, affine2, act2) = forward(W1, W2)
    np.testing.assert_array_equal(digits8(z12), [[0.08, 0.11]])
    np.testing.assert_array_equal(digits8(h), [[0.51998934, 0.52747230]])
    np.testing.assert_array_equal(digits8(z34), [[0.44498412, 0.68047592]])
    np.testing.assert_array_equal(digits8(out), [[0.60944600, 0.66384491]])
    loss, dout = half_sum_squared_error(out, TARGET)
    assert digits8(loss) == LOSS_BEFORE
    np.testing.assert_array_equal(digits8(0.5 * (out - TARGET) ** 2), [[0.02193381, 0.00203809]])

    dz34 = layers.activation_backward(dout, act2)
    dh, dw2, _ = layers.affine_backward(dz34, affine2)
    dz12 = layers.activation_backward(dh, act1)
    _, dw1, _ = layers.affine_backward(dz12, affine1)
    assert digits8(dout[0, 0]) == 0.20944600  # dE/d(sigma1)
    assert digits8(out[0, 0] * (1 - out[0, 0])) == 0.23802157  # d(sigma1)/dz3
    w1_new, w2_new = W1 - 0.5 * dw1, W2 - 0.5 * dw2
    np.testing.assert_array_equal(digits8(w1_new), W1_AFTER)
    np.testing.assert_array_equal(digits8(w2_new), W2_AFTER)

    (_, _, _, out_new), _ = forward(w1_new, w2_new)
    errors = 0.5 * (out_new - TARGET) ** 2
    np.testing.assert_array_equal(digits8(errors), [[0.02125445, 0.00198189]])
    assert digits8(errors.sum()) == LOSS_AFTER


def test_the_sources_misprints_are_misprints():
    """w6+ = 0.38685305 and w1 = 0.1 (as printed) do not reproduce the example."""
    net = MLP([2, 2, 2], hidden="sigmoid", output="sigmoid", bias=False)
    net.params.update(W1=W1.copy(), W2=W2.copy())
    _, grads = net.loss(X, TARGET)
    assert digits8(W2[1, 0] - 0.5 * grads["W2"][1, 0]) != pytest.approx(0.38685305, abs=1e-9)
    net.params["W1"][0, 0] = 0.1
    assert digits8(net.loss(X, TARGET)[0]) != LOSS_BEFORE
