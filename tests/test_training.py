"""The training loop: its mini-batch schedule, and that it trains one network or a batch of trials."""

import numpy as np
import pytest

from paramact.mlp import MLP
from paramact.optim import SGD
from paramact.training import train

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


class Spy:
    """A model that records the batches it is given, with no parameters."""

    def __init__(self):
        self.params, self.groups = {}, {"weight": []}
        self.batches = []

    def loss(self, X, y):
        self.batches.append(X[:, 0].astype(int))
        return float(len(X)), {}


def test_every_epoch_shuffles_and_uses_every_example_once():
    spy = Spy()
    history = train(
        spy,
        SGD(lr=0.1),
        np.arange(10.0)[:, None],
        np.arange(10),
        epochs=3,
        batch_size=4,
        rng=np.random.default_rng(0),
    )
    assert history == [4.0, 4.0, 2.0] * 3
    epochs = [np.concatenate(spy.batches[3 * e : 3 * e + 3]) for e in range(3)]
    assert all(sorted(order) == list(range(10)) for order in epochs)
    assert not np.array_equal(epochs[0], epochs[1])
    np.testing.assert_array_equal(epochs[0], np.random.default_rng(0).permutation(10))


def test_full_batch_by_default():
    spy = Spy()
    assert train(spy, SGD(lr=0.1), np.arange(5.0)[:, None], np.arange(5), epochs=2) == [5.0, 5.0]
    with pytest.raises(ValueError, match="batch_size"):
        train(spy, SGD(lr=0.1), np.arange(5.0)[:, None], np.arange(5), batch_size=0)


def test_train_learns_xor_with_the_papers_three_rates():
    net = MLP([2, 4, 1], hidden="parametric_sigmoid", output="sigmoid", loss="mse", seed=3)
    history = train(
        net,
        SGD(lr=2.0, lr_scale=0.5, lr_location=0.5),
        XOR_X,
        XOR_Y,
        epochs=3000,
        rng=np.random.default_rng(0),
    )
    assert history[-1] < 0.01 < history[0]
    assert np.array_equal(net.forward(XOR_X) > 0.5, XOR_Y > 0.5)


def test_train_a_batch_of_trials():
    net = MLP([2, 4, 1], hidden="parametric_relu", output="sigmoid", loss="mse", seed=0, trials=5)
    history = train(
        net, SGD(lr=1.0), XOR_X, XOR_Y, epochs=200, batch_size=2, rng=np.random.default_rng(1)
    )
    assert len(history) == 400 and history[0].shape == (5,)
    assert np.all(np.mean(history[-10:], axis=0) < np.mean(history[:10], axis=0))
