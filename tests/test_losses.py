"""Losses: values against torch, gradients against finite differences, stability, input checks."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from paramact import losses
from paramact.gradcheck import numerical_gradient, relative_error

rng = np.random.default_rng(0)
PRED, TARGET = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
LOGITS, LABELS = rng.normal(size=(5, 4)) * 3, np.array([0, 3, 1, 1, 2])


def torch_loss(name, pred, target):
    p, t = torch.tensor(pred), torch.tensor(target)
    F = torch.nn.functional
    return {
        "mean_squared_error": lambda: F.mse_loss(p, t),
        "half_sum_squared_error": lambda: 0.5 * F.mse_loss(p, t, reduction="sum"),
        "binary_cross_entropy_with_logits": lambda: F.binary_cross_entropy_with_logits(p, t),
        "softmax_cross_entropy": lambda: F.cross_entropy(p, t),
    }[name]().item()


CASES = [
    ("mean_squared_error", PRED, TARGET),
    ("half_sum_squared_error", PRED, TARGET),
    ("binary_cross_entropy_with_logits", PRED, TARGET),
    ("softmax_cross_entropy", LOGITS, LABELS),
]


@pytest.mark.parametrize("name, pred, target", CASES)
def test_value_matches_torch_and_gradient_matches_finite_differences(name, pred, target):
    loss_fn = getattr(losses, name)
    pred = pred.copy()
    loss, dpred = loss_fn(pred, target)
    assert isinstance(loss, float)
    assert loss == pytest.approx(torch_loss(name, pred, target), rel=1e-12)
    assert dpred.shape == pred.shape
    numeric = numerical_gradient(lambda p: loss_fn(p, target)[0], pred)
    assert relative_error(dpred, numeric) < 1e-6


def test_half_sum_squared_error_sums_over_the_batch():
    loss1, _ = losses.half_sum_squared_error(PRED[:1], TARGET[:1])
    loss2, grad2 = losses.half_sum_squared_error(
        np.repeat(PRED[:1], 2, axis=0), np.repeat(TARGET[:1], 2, axis=0)
    )
    assert loss2 == pytest.approx(2 * loss1)
    np.testing.assert_allclose(grad2, np.repeat(PRED[:1] - TARGET[:1], 2, axis=0))


def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    _, dlogits = losses.softmax_cross_entropy(LOGITS, LABELS)
    probs = torch.softmax(torch.tensor(LOGITS), dim=1).numpy()
    np.testing.assert_allclose(dlogits, (probs - np.eye(4)[LABELS]) / len(LABELS), atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-1e4, 1e4), t=st.floats(0, 1))
def test_logit_losses_are_stable_for_huge_logits(x, t):
    logits = np.array([[x, -x, 0.0]])
    with np.errstate(all="raise"):
        bce, dbce = losses.binary_cross_entropy_with_logits(logits, np.full((1, 3), t))
        ce, dce = losses.softmax_cross_entropy(logits, np.array([1]))
    assert np.isfinite([bce, ce]).all() and np.isfinite(dbce).all() and np.isfinite(dce).all()
    assert bce >= 0 and ce >= 0
    expected_ce = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor([1]))
    assert ce == pytest.approx(expected_ce.item(), rel=1e-12, abs=1e-12)


def test_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(ValueError, match=r"pred has shape \(4, 1\) but target has shape \(4,\)"):
        losses.mean_squared_error(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="logits has shape"):
        losses.binary_cross_entropy_with_logits(np.zeros((4, 1)), np.zeros(4))


@pytest.mark.parametrize(
    "logits, labels, error, message",
    [
        (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, "integer class indices"),
        (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, r"shape \(2,\)"),
        (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"\[0, 3\)"),
        (np.zeros((2, 3)), np.array([-1, 0]), ValueError, r"\[0, 3\)"),
        (np.zeros(3), np.array([0]), ValueError, r"shape \(N, C\)"),
    ],
)
def test_softmax_cross_entropy_rejects_bad_labels(logits, labels, error, message):
    with pytest.raises(error, match=message):
        losses.softmax_cross_entropy(logits, labels)


def test_float32_stays_float32():
    loss, grad = losses.mean_squared_error(np.ones(3, np.float32), np.zeros(3, np.float32))
    assert grad.dtype == np.float32 and loss == 1.0


@pytest.mark.parametrize(
    "name", ["mean_squared_error", "half_sum_squared_error", "binary_cross_entropy_with_logits"]
)
def test_axis_gives_one_loss_per_trial(name):
    """pred (N, T, K) with axis=(0, 2): trial t's loss and gradient are those of pred[:, t]."""
    loss_fn = getattr(losses, name)
    generator = np.random.default_rng(7)
    pred, target = generator.normal(size=(5, 3, 2)), generator.uniform(size=(5, 3, 2))
    per_trial, dpred = loss_fn(pred, target, axis=(0, 2))
    assert per_trial.shape == (3,) and dpred.shape == pred.shape
    for t in range(3):
        loss_t, dpred_t = loss_fn(pred[:, t], target[:, t])
        assert per_trial[t] == pytest.approx(loss_t, rel=1e-14)
        np.testing.assert_allclose(dpred[:, t], dpred_t, rtol=1e-14)
    assert loss_fn(pred, target, axis=None)[0] == pytest.approx(loss_fn(pred, target)[0])


def test_softmax_cross_entropy_per_trial():
    generator = np.random.default_rng(8)
    logits, labels = generator.normal(size=(6, 4, 3)) * 3, generator.integers(0, 3, size=(6, 4))
    per_trial, dlogits = losses.softmax_cross_entropy(logits, labels, axis=0)
    assert per_trial.shape == (4,) and dlogits.shape == logits.shape
    for t in range(4):
        loss_t, dlogits_t = losses.softmax_cross_entropy(logits[:, t], labels[:, t])
        assert per_trial[t] == pytest.approx(loss_t, rel=1e-14)
        np.testing.assert_allclose(dlogits[:, t], dlogits_t, rtol=1e-14, atol=1e-17)
    everything, _ = losses.softmax_cross_entropy(logits, labels)
    assert everything == pytest.approx(per_trial.mean(), rel=1e-14)
