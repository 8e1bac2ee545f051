"""Issue 17's faster PyTorch paths against the references they replace.

- paramact.functional saves s, s (1 - s) (sigmoid) and the active part (ReLU) in the forward
  instead of recomputing them from the inputs in the backward: the same numbers as the
  recomputing backward (kept here as the reference), including saturation and a = 0, double
  backward included; the old-style Function used outside torch.func and the new-style one used
  under it agree.
- paramact.nn.PlainSGD: torch.optim.SGD's update, bit for bit.
- the input-major first layer of the MNIST model: the same training, to rounding.
"""

import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

from paramact import functional as F
from paramact.experiments import mnist
from paramact.nn import ParametricSigmoid, PlainSGD, param_groups


def per_channel(p, x):
    return p.reshape(-1, *([1] * (x.dim() - 2))) if x.dim() > 2 else p


def sum_to_channels(g, x):
    dims = [d for d in range(g.dim()) if d != (1 if x.dim() >= 2 else 0)]
    return g.sum(dim=dims) if dims else g


class RecomputingSigmoid(torch.autograd.Function):
    """The backward as paramact.functional had it before: recompute s from the saved inputs."""

    @staticmethod
    def forward(ctx, y, a, b):
        ctx.save_for_backward(y, a, b)
        return per_channel(a, y) * torch.sigmoid(y - per_channel(b, y))

    @staticmethod
    def backward(ctx, g):
        y, a, b = ctx.saved_tensors
        shifted = y - per_channel(b, y)
        s = torch.sigmoid(shifted)
        grad_y = g * per_channel(a, y) * (s * torch.sigmoid(-shifted))
        return grad_y, sum_to_channels(g * s, y), -sum_to_channels(grad_y, y)


class RecomputingReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, y, a, b):
        ctx.save_for_backward(y, a, b)
        shifted = y - per_channel(b, y)
        return torch.where(shifted >= 0, per_channel(a, y) * shifted, 0.0)

    @staticmethod
    def backward(ctx, g):
        y, a, b = ctx.saved_tensors
        shifted = y - per_channel(b, y)
        active = shifted >= 0
        grad_y = torch.where(active, g * per_channel(a, y), 0.0)
        grad_a = sum_to_channels(torch.where(active, g * shifted, 0.0), y)
        return grad_y, grad_a, -sum_to_channels(grad_y, y)


PAIRS = [
    (F.parametric_sigmoid, RecomputingSigmoid.apply),
    (F.parametric_relu, RecomputingReLU.apply),
]
IDS = ["sigmoid", "relu"]


def inputs(shape, dtype, seed=0, spread=3.0):
    g = torch.Generator().manual_seed(seed)
    channels = shape[1] if len(shape) >= 2 else shape[0]
    y = torch.randn(shape, dtype=dtype, generator=g) * spread
    a = torch.randn(channels, dtype=dtype, generator=g)
    a[0] = 0.0  # the a = 0 case
    b = torch.randn(channels, dtype=dtype, generator=g)
    return y, a, b


def values_and_grads(fn, y, a, b, weights):
    leaves = [t.clone().requires_grad_() for t in (y, a, b)]
    z = fn(*leaves)
    return [z.detach(), *torch.autograd.grad(z, leaves, weights)]


@pytest.mark.parametrize("fn, reference", PAIRS, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(64, 5), (3, 5, 4, 2), (5,)])
@pytest.mark.parametrize("spread", [3.0, 1e4])  # 1e4: deep in saturation, both ways
def test_saved_forward_matches_the_recomputing_backward(fn, reference, dtype, shape, spread):
    y, a, b = inputs(shape, dtype, spread=spread)
    if len(shape) == 1:
        y[0] = b[0]  # exact kinks y == b for the ReLU
    else:
        y[(0, slice(None)) + (0,) * (len(shape) - 2)] = b
    weights = torch.randn(shape, dtype=dtype, generator=torch.Generator().manual_seed(1))
    got = values_and_grads(fn, y, a, b, weights)
    want = values_and_grads(reference, y, a, b, weights)
    for g, w in zip(got, want):
        assert torch.isfinite(g).all()
        torch.testing.assert_close(g, w, rtol=0, atol=0)  # the same operations, in the same order


@pytest.mark.parametrize("fn, reference", PAIRS, ids=IDS)
def test_double_backward_matches_the_composed_reference(fn, reference):
    y, a, b = (t.requires_grad_() for t in inputs((6, 3), torch.float64))
    assert gradgradcheck(fn, (y, a, b))

    def composed(y, a, b):
        shifted = y - b
        if fn is F.parametric_sigmoid:
            return a * torch.sigmoid(shifted)
        return torch.where(shifted >= 0, a * shifted, torch.zeros_like(shifted))

    weights = torch.randn(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    second = []
    for f in (fn, composed):
        grads = torch.autograd.grad(f(y, a, b), (y, a, b), weights, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        second.append(torch.autograd.grad(total, (y, a, b)))
    for g, w in zip(*second):
        torch.testing.assert_close(g, w)


@pytest.mark.parametrize("fn", [F.parametric_sigmoid, F.parametric_relu], ids=IDS)
def test_eager_and_transform_functions_agree(fn):
    y, a, b = inputs((5, 3), torch.float64)
    direct = torch.autograd.grad(fn(y, a.requires_grad_(), b.requires_grad_()).sum(), (a, b))
    via_func = torch.func.grad(lambda a, b: fn(y, a, b).sum(), argnums=(0, 1))(a, b)
    for g, w in zip(via_func, direct):
        torch.testing.assert_close(g, w, rtol=0, atol=0)
    assert gradcheck(fn, (y.requires_grad_(), a, b))


def test_plain_sgd_is_torch_sgd_bit_for_bit():
    torch.manual_seed(0)
    model = mnist.build_model("parametric_sigmoid", hidden=8, in_features=5, classes=3)
    twin = mnist.build_model("parametric_sigmoid", hidden=8, in_features=5, classes=3)
    twin.load_state_dict(model.state_dict())
    rates = {"lr": 0.3, "lr_scale": 0.05, "lr_location": 0.0}
    ours = PlainSGD(param_groups(model, **rates))
    theirs = torch.optim.SGD(param_groups(twin, **rates))
    x, y = torch.rand(16, 5), torch.randint(0, 3, (16,))
    for _ in range(5):
        for net, optimizer in ((model, ours), (twin, theirs)):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
    for p, q in zip(model.parameters(), twin.parameters()):
        assert torch.equal(p, q)
    assert torch.equal(model[1].b, torch.zeros(8))  # lr_location = 0 froze b


def test_plain_sgd_refuses_momentum_and_zeroes_in_place_on_request():
    layer = ParametricSigmoid(3)
    optimizer = PlainSGD(layer.parameters(), lr=0.1)
    layer(torch.ones(2, 3)).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    assert torch.equal(layer.a.grad, torch.zeros(3))
    optimizer.param_groups[0]["momentum"] = 0.9
    with pytest.raises(ValueError, match="momentum"):
        optimizer.step()
    with pytest.raises(ValueError, match="learning rate"):
        PlainSGD(layer.parameters(), lr=-1.0)


def test_input_major_first_layer_trains_as_the_row_major_one():
    torch.manual_seed(0)
    model = mnist.build_model("parametric_relu", hidden=16, in_features=12, classes=3)
    assert model[0].weight.shape == (16, 12) and model[0].weight.stride() == (1, 16)
    row_major = mnist.build_model("parametric_relu", hidden=16, in_features=12, classes=3)
    row_major[0].weight = torch.nn.Parameter(model[0].weight.detach().contiguous())
    row_major.load_state_dict(model.state_dict())
    assert row_major[0].weight.is_contiguous()
    x, y = torch.rand(40, 12), torch.randint(0, 3, (40,))
    losses = [
        mnist.train_epoch(
            net, mnist.make_optimizer(net, lr=0.2), x, y, 8, torch.Generator().manual_seed(0)
        )
        for net in (model, row_major)
    ]
    torch.testing.assert_close(losses[0], losses[1])
    for p, q in zip(model.parameters(), row_major.parameters()):
        torch.testing.assert_close(p, q)
    assert model[0].weight.stride() == (1, 16)  # the updates kept the layout
    assert model.double()[0].weight.stride() == (1, 16)


def test_plain_sgd_takes_sparse_gradients_as_torch_sgd_does():
    torch.manual_seed(0)
    ours, theirs = torch.nn.Embedding(10, 3, sparse=True), torch.nn.Embedding(10, 3, sparse=True)
    theirs.load_state_dict(ours.state_dict())
    for table, optimizer in (
        (ours, PlainSGD(ours.parameters(), lr=0.5)),
        (theirs, torch.optim.SGD(theirs.parameters(), lr=0.5)),
    ):
        table(torch.tensor([1, 2, 2])).sum().backward()
        optimizer.step()
    assert torch.equal(ours.weight, theirs.weight)
