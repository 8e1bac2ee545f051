"""paramact.nn: the modules and param_groups with the paper's three learning rates."""

import pytest
import torch
from torch import nn

from paramact import functional as F
from paramact.nn import ParametricReLU, ParametricSigmoid, param_groups

MODULES = [(ParametricSigmoid, F.parametric_sigmoid), (ParametricReLU, F.parametric_relu)]


@pytest.mark.parametrize("module_cls, function", MODULES)
def test_parameters_shapes_and_forward(module_cls, function):
    m = module_cls(4, a_init=2.0, b_init=-0.5)
    assert dict(m.named_parameters()).keys() == {"a", "b"}
    assert isinstance(m.a, nn.Parameter) and m.a.shape == m.b.shape == (4,)
    assert m.a.tolist() == [2.0] * 4 and m.b.tolist() == [-0.5] * 4
    x = torch.randn(3, 4, 5)
    torch.testing.assert_close(m(x), function(x, m.a, m.b))
    assert set(m.state_dict()) == {"a", "b"}


@pytest.mark.parametrize(
    "module_cls, name",
    [(ParametricSigmoid, "ParametricSigmoid"), (ParametricReLU, "ParametricReLU")],
)
def test_extra_repr(module_cls, name):
    assert repr(module_cls(7, a_init=1.5)) == f"{name}(num_features=7, a_init=1.5, b_init=0.0)"


def test_dtype_device_and_reset():
    m = ParametricSigmoid(3, a_init=2.0, dtype=torch.float64, device="cpu")
    assert m.a.dtype == torch.float64
    with torch.no_grad():
        m.a.zero_()
    m.reset_parameters()
    assert m.a.tolist() == [2.0] * 3
    assert m.double()(torch.zeros(2, 3, dtype=torch.float64)).dtype == torch.float64


def test_default_is_the_plain_activation():
    x = torch.randn(10, 3)
    torch.testing.assert_close(ParametricSigmoid(3)(x), torch.sigmoid(x))
    torch.testing.assert_close(ParametricReLU(3)(x), torch.relu(x))


def make_model():
    torch.manual_seed(0)
    shared = nn.Linear(4, 4)
    return nn.Sequential(
        nn.Linear(3, 4), ParametricSigmoid(4), shared, ParametricReLU(4), shared, nn.Linear(4, 2)
    )


def test_param_groups_cover_every_parameter_exactly_once():
    model = make_model()
    groups = param_groups(model, lr=0.1, lr_scale=0.01, lr_location=0.001, momentum=0.9)
    assert [g["name"] for g in groups] == ["weight", "scale", "location"]
    assert [g["lr"] for g in groups] == [0.1, 0.01, 0.001]
    assert all(g["momentum"] == 0.9 for g in groups)
    ids = [id(p) for g in groups for p in g["params"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == {id(p) for p in model.parameters()}
    assert {id(p) for p in groups[1]["params"]} == {id(model[1].a), id(model[3].a)}
    assert {id(p) for p in groups[2]["params"]} == {id(model[1].b), id(model[3].b)}


def test_param_groups_defaults_and_empty_groups():
    groups = param_groups(nn.Linear(2, 2), lr=0.3)
    assert [(g["name"], g["lr"]) for g in groups] == [("weight", 0.3)]
    groups = param_groups(make_model(), lr=0.3)
    assert [g["lr"] for g in groups] == [0.3, 0.3, 0.3]


def test_sgd_really_applies_the_three_rates():
    model = make_model()
    rates = {"weight": 0.1, "scale": 0.01, "location": 0.001}
    optimizer = torch.optim.SGD(
        param_groups(
            model, lr=rates["weight"], lr_scale=rates["scale"], lr_location=rates["location"]
        )
    )
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    model(torch.randn(8, 3)).pow(2).sum().backward()
    grads = {name: p.grad.clone() for name, p in model.named_parameters()}
    optimizer.step()
    for name, p in model.named_parameters():
        # names: "0.weight", "0.bias", "1.a", "1.b", ...
        kind = {"a": "scale", "b": "location"}.get(name.split(".")[-1], "weight")
        torch.testing.assert_close(p.detach(), before[name] - rates[kind] * grads[name])
        assert not torch.equal(p.detach(), before[name])


def test_training_moves_scales_and_locations():
    torch.manual_seed(0)
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    model = nn.Sequential(nn.Linear(2, 4), ParametricSigmoid(4), nn.Linear(4, 1))
    optimizer = torch.optim.Adam(param_groups(model, lr=0.05))
    first = None
    for _ in range(300):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        first = loss.item() if first is None else first
        loss.backward()
        optimizer.step()
    assert loss.item() < first / 5
    assert not torch.allclose(model[1].a, torch.ones(4))


def test_groups_are_found_by_module_type_not_by_parameter_name():
    """A parameter named ``a`` or ``b`` outside a parametric activation is an ordinary weight."""

    class Named(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Parameter(torch.ones(2))
            self.b = nn.Parameter(torch.zeros(2))
            self.act = ParametricReLU(2)

    model = Named()
    groups = {g["name"]: g["params"] for g in param_groups(model, lr=0.1)}
    assert {id(p) for p in groups["weight"]} == {id(model.a), id(model.b)}
    assert [id(p) for p in groups["scale"]] == [id(model.act.a)]
    assert [id(p) for p in groups["location"]] == [id(model.act.b)]
