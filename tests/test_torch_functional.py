"""paramact.functional: hand-derived backward against autograd of the plain-torch forward."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.autograd import gradcheck, gradgradcheck

from paramact import activations
from paramact import functional as F


def per_channel(p, x):
    return p.reshape(-1, *([1] * (x.dim() - 2))) if x.dim() > 2 else p


def reference_sigmoid(x, a, b):
    return per_channel(a, x) * torch.sigmoid(x - per_channel(b, x))


def reference_relu(x, a, b):
    shifted = x - per_channel(b, x)
    # autograd of where() takes the branch's gradient: the right-hand derivative at y == b
    return torch.where(shifted >= 0, per_channel(a, x) * shifted, torch.zeros_like(shifted))


PAIRS = [(F.parametric_sigmoid, reference_sigmoid), (F.parametric_relu, reference_relu)]
IDS = ["sigmoid", "relu"]
SHAPES = [(5, 3), (2, 3, 4, 5), (3,)]


def make_inputs(shape, dtype=torch.float64, seed=0, off_kink=True):
    g = torch.Generator().manual_seed(seed)
    channels = shape[1] if len(shape) >= 2 else shape[0]
    a = torch.empty(channels, dtype=dtype).uniform_(-2, 2, generator=g)
    b = torch.randn(channels, dtype=dtype, generator=g)
    offset = torch.randn(shape, dtype=dtype, generator=g) * 2
    if off_kink:  # keep |y - b| >= 0.1 so finite differences never straddle the ReLU kink
        offset = torch.where(offset.abs() < 0.1, torch.full_like(offset, 0.5), offset)
    y = offset + per_channel(b, offset)
    return [t.requires_grad_() for t in (y, a, b)]


def random_like(shape, seed=1):
    return torch.randn(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def value_and_grads(fn, inputs, grad_out):
    out = fn(*inputs)
    return (out, *torch.autograd.grad(out, inputs, grad_out))


@pytest.mark.parametrize("fn, reference", PAIRS, ids=IDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_matches_autograd_of_the_reference(fn, reference, shape):
    inputs = make_inputs(shape, off_kink=False)
    grad_out = random_like(shape)
    for got, want in zip(
        value_and_grads(fn, inputs, grad_out), value_and_grads(reference, inputs, grad_out)
    ):
        assert got.shape == want.shape
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fn", [F.parametric_sigmoid, F.parametric_relu], ids=IDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck_and_gradgradcheck(fn, shape):
    inputs = make_inputs(shape)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("fn", [F.parametric_sigmoid, F.parametric_relu], ids=IDS)
def test_backward_is_the_hand_derived_function(fn):
    y, a, b = make_inputs((2, 3))
    node = type(fn(y, a, b).grad_fn).__name__
    assert node.startswith("_Parametric") and node.endswith("Backward")


def test_relu_kink_uses_the_right_hand_derivative():
    y = torch.tensor([[1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([3.0, 3.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([1.0, 5.0], dtype=torch.float64, requires_grad=True)
    dy, da, db = torch.autograd.grad(F.parametric_relu(y, a, b).sum(), (y, a, b))
    assert dy.tolist() == [[3.0, 0.0]] and da.tolist() == [0.0, 0.0] and db.tolist() == [-3.0, 0.0]


def test_only_requested_gradients_are_computed():
    y, a, b = make_inputs((4, 3))
    for fn in (F.parametric_sigmoid, F.parametric_relu):
        (da,) = torch.autograd.grad(fn(y.detach(), a, b.detach()).sum(), (a,))
        assert da.shape == (3,)


@pytest.mark.parametrize("fn, reference", PAIRS, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 4, 4)])
def test_dtype_and_shape_preserved(fn, reference, dtype, shape):
    y, a, b = make_inputs(shape, dtype=dtype)
    out = fn(y, a, b)
    assert out.dtype == dtype and out.shape == shape
    dy, da, db = torch.autograd.grad(out.sum(), (y, a, b))
    assert (dy.dtype, da.dtype, db.dtype) == (dtype,) * 3
    assert dy.shape == shape and da.shape == db.shape == (3,)


@pytest.mark.parametrize("fn", [F.parametric_sigmoid, F.parametric_relu], ids=IDS)
def test_float32_is_finite_for_extreme_inputs(fn):
    y = torch.tensor([-1e30, -1e4, -100.0, 0.0, 100.0, 1e4, 1e30]).reshape(7, 1).requires_grad_()
    a = torch.tensor([1e-8], requires_grad=True)
    b = torch.tensor([1e3], requires_grad=True)
    out = fn(y, a, b)
    grads = torch.autograd.grad(out.sum(), (y, a, b))
    for t in (out, *grads):
        assert torch.isfinite(t).all()


wide = st.floats(-1e4, 1e4, allow_nan=False, width=32)
scale = st.one_of(st.floats(-1e4, 1e4, width=32), st.sampled_from([1e-8, -1e-8, 0.0]))


@settings(max_examples=60, deadline=None)
@given(y=st.lists(wide, min_size=2, max_size=2), a=scale, b=wide)
def test_hypothesis_matches_reference_and_numpy(y, a, b):
    yt = torch.tensor([y], dtype=torch.float64).T.requires_grad_()  # shape (2, 1)
    at = torch.tensor([a], dtype=torch.float64, requires_grad=True)
    bt = torch.tensor([b], dtype=torch.float64, requires_grad=True)
    grad_out = torch.tensor([[1.0], [-0.5]], dtype=torch.float64)
    for (fn, reference), numpy_grads in zip(
        PAIRS, [activations.parametric_sigmoid_grads, activations.parametric_relu_grads]
    ):
        got = value_and_grads(fn, (yt, at, bt), grad_out)
        want = value_and_grads(reference, (yt, at, bt), grad_out)
        for g, w in zip(got, want):
            assert torch.isfinite(g).all()
            # autograd of the composed forward computes s (1 - s), which cancels where s is near 1:
            # its error is ~1e-16 * |a| absolute, not relative. The exact check is against NumPy below.
            torch.testing.assert_close(g, w, rtol=1e-9, atol=1e-11 * max(1.0, abs(a)))
        dz_dy, _, _ = numpy_grads(np.array(y)[:, None], a, b)
        np.testing.assert_allclose(
            got[1].numpy(), grad_out.numpy() * dz_dy, rtol=1e-9, atol=1e-300
        )  # subnormals keep fewer digits


@pytest.mark.parametrize("fn", [F.parametric_sigmoid, F.parametric_relu], ids=IDS)
def test_vmap_over_the_batch_and_over_groups(fn):
    y, a, b = (t.detach() for t in make_inputs((6, 3)))
    batched = torch.func.vmap(lambda row: fn(row, a, b))(y)  # each call sees (3,)
    torch.testing.assert_close(batched, fn(y, a, b))
    groups = y.reshape(2, 3, 3)
    torch.testing.assert_close(
        torch.func.vmap(lambda g: fn(g, a, b))(groups), fn(y, a, b).reshape(2, 3, 3)
    )
    # per-example parameters vmapped too
    a_per, b_per = a.expand(6, 3), b.expand(6, 3)
    torch.testing.assert_close(torch.func.vmap(fn)(y, a_per, b_per), fn(y, a, b))


@pytest.mark.parametrize("fn", [F.parametric_sigmoid, F.parametric_relu], ids=IDS)
def test_per_example_gradients_with_vmap_of_grad(fn):
    y, a, b = (t.detach() for t in make_inputs((5, 3)))

    def loss(a, b, row):
        return (fn(row, a, b) ** 2).sum()

    per_example = torch.func.vmap(torch.func.grad(loss, argnums=(0, 1)), in_dims=(None, None, 0))
    da, db = per_example(a, b, y)
    for i in range(5):
        a_i, b_i = a.clone().requires_grad_(), b.clone().requires_grad_()
        expected = torch.autograd.grad(loss(a_i, b_i, y[i]), (a_i, b_i))
        torch.testing.assert_close((da[i], db[i]), expected)


@pytest.mark.parametrize("fn, reference", PAIRS, ids=IDS)
def test_hessian_by_reverse_over_reverse(fn, reference):
    y, a, b = (t.detach() for t in make_inputs((4, 3)))

    def hessian(f):
        return torch.func.jacrev(
            torch.func.jacrev(lambda a, b: (f(y, a, b) ** 2).sum(), argnums=(0, 1)), argnums=(0, 1)
        )(a, b)

    torch.testing.assert_close(hessian(fn), hessian(reference))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("fn, reference", PAIRS, ids=IDS)
def test_cuda_matches_cpu(fn, reference):
    inputs = make_inputs((8, 3, 4))
    cuda_inputs = [t.detach().cuda().requires_grad_() for t in inputs]
    grad_out = random_like((8, 3, 4))
    for got, want in zip(
        value_and_grads(fn, cuda_inputs, grad_out.cuda()),
        value_and_grads(reference, inputs, grad_out),
    ):
        assert got.is_cuda
        torch.testing.assert_close(got.cpu(), want)
    assert gradcheck(fn, cuda_inputs)


@pytest.mark.parametrize("fn", [F.parametric_sigmoid, F.parametric_relu], ids=IDS)
@pytest.mark.parametrize(
    "args, error, message",
    [
        ((torch.zeros(()), torch.ones(1), torch.zeros(1)), ValueError, "0-d tensor"),
        (
            (torch.zeros(2, 3), torch.ones(4), torch.zeros(3)),
            ValueError,
            r"a must have shape \(3,\) to match the 3 channels on dim 1 of input \(2, 3\), "
            r"got shape \(4,\)",
        ),
        (
            (torch.zeros(2, 3, 5), torch.ones(3), torch.zeros(5)),
            ValueError,
            r"b must have shape \(3,\)",
        ),
        ((torch.zeros(2, 3), torch.ones(1, 3), torch.zeros(3)), ValueError, r"got shape \(1, 3\)"),
        (
            (torch.zeros(2, 3, dtype=torch.long), torch.ones(3), torch.zeros(3)),
            TypeError,
            r"floating-point.*torch.int64.*input.float\(\)",
        ),
        (
            (torch.zeros(2, 3), torch.ones(3, dtype=torch.float64), torch.zeros(3)),
            TypeError,
            r"a has dtype torch.float64 but input has dtype torch.float32; use a.to\(input.dtype\)",
        ),
        (
            (torch.zeros(2, 3), torch.ones(3), torch.zeros(3, device="meta")),
            ValueError,
            r"b is on meta but input is on cpu; use b.to\(input.device\)",
        ),
        (
            (np.zeros((2, 3)), torch.ones(3), torch.zeros(3)),
            TypeError,
            "input must be a torch.Tensor",
        ),
        (
            (torch.zeros(2, 3), 1.0, torch.zeros(3)),
            TypeError,
            "a must be a torch.Tensor, got float",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(fn, args, error, message):
    with pytest.raises(error, match=message):
        fn(*args)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (4, 3, 5), (2, 3, 4, 5)])
def test_the_one_shape_rule_parameters_apply_along_the_channel_axis(shape):
    """A ``(C,)`` parameter applies along axis 1 of an input with >= 2 dims, along axis 0 of a 1-D one.

    The course's NumPy functions (paramact.activations) follow the same rule.
    """
    x = torch.randn(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    a = torch.tensor([0.5, 2.0, -1.0], dtype=torch.float64)
    b = torch.tensor([-1.0, 0.0, 0.5], dtype=torch.float64)
    axis = 1 if x.dim() >= 2 else 0
    sigmoid, relu = F.parametric_sigmoid(x, a, b), F.parametric_relu(x, a, b)
    for c in range(3):
        channel = x.select(axis, c)
        torch.testing.assert_close(sigmoid.select(axis, c), a[c] * torch.sigmoid(channel - b[c]))
        torch.testing.assert_close(
            relu.select(axis, c), torch.where(channel >= b[c], a[c] * (channel - b[c]), 0.0)
        )
