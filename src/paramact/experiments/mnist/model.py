"""The 784-200-10 network and its optimiser: the paper's three learning rates, plus the control.

>>> model = build_model("parametric_relu", hidden=3)
>>> optimizer = make_optimizer(model, lr=0.1, lr_scale=0.01)
>>> [(group["name"], group["lr"]) for group in optimizer.param_groups]
[('weight', 0.1), ('scale', 0.01), ('location', 0.1)]
"""

from __future__ import annotations

from torch import nn

from paramact.experiments.common import ACTIVATIONS
from paramact.experiments.mnist.config import OUTPUTS
from paramact.nn import ParametricReLU, ParametricSigmoid, PlainSGD, param_groups

__all__ = ["build_model", "make_optimizer", "parametric_layer"]


def build_model(
    activation: str,
    hidden: int = 200,
    output: str = "softmax",
    in_features: int = 784,
    classes: int = 10,
    a_init: float = 1.0,
    b_init: float = 0.0,
) -> nn.Sequential:
    """The 784-``hidden``-10 network: ``Linear``, hidden activation, ``Linear`` (+ ``ReLU``).

    The final ``ReLU`` is there only with ``output="relu"``.

    It returns scores (logits) of shape ``(N, classes)`` for an input ``(N, in_features)``;
    the softmax is inside the cross-entropy loss. A parametric activation starts at
    ``a = a_init, b = b_init`` (default: the plain function).

    >>> build_model("parametric_relu", hidden=3)
    Sequential(
      (0): Linear(in_features=784, out_features=3, bias=True)
      (1): ParametricReLU(num_features=3, a_init=1.0, b_init=0.0)
      (2): Linear(in_features=3, out_features=10, bias=True)
    )
    """
    hidden_activation = {
        "sigmoid": lambda: nn.Sigmoid(),
        "parametric_sigmoid": lambda: ParametricSigmoid(hidden, a_init=a_init, b_init=b_init),
        "relu": lambda: nn.ReLU(),
        "parametric_relu": lambda: ParametricReLU(hidden, a_init=a_init, b_init=b_init),
    }
    if activation not in hidden_activation:
        raise ValueError(f"unknown activation {activation!r}; choose from {ACTIVATIONS}")
    if output not in OUTPUTS:
        raise ValueError(f"output must be 'softmax' or 'relu', got {output!r}")
    layers = [
        _input_major(nn.Linear(in_features, hidden)),
        hidden_activation[activation](),
        nn.Linear(hidden, classes),
    ]
    if output == "relu":
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _input_major(layer: nn.Linear) -> nn.Linear:
    """``layer`` with its weight ``(out, in)`` stored input-major: strides ``(1, out)``.

    The same values and shape; only the memory order differs. The weight's gradient of a batch
    ``x`` is then computed as ``x^T dy``, an ``(in, out)`` product that MKL's matmul runs about
    10% faster on a CPU than the ``dy^T x`` of the row-major layout, for the 784-200 layer that
    takes most of a training step (``make bench``). Moving, casting and saving keep the order.

    >>> _input_major(nn.Linear(784, 200)).weight.stride()
    (1, 200)
    """
    layer.weight = nn.Parameter(layer.weight.detach().t().contiguous().t())
    return layer


def make_optimizer(
    model: nn.Sequential,
    lr: float,
    lr_scale: float | None = None,
    lr_location: float | None = None,
    doubled_bias: bool = False,
    output_lr_multiplier: float = 1.0,
) -> PlainSGD:
    """Plain SGD with the paper's rates ``lr`` (rho), ``lr_scale`` (rho_S), ``lr_location`` (rho_L).

    :class:`paramact.nn.PlainSGD`: ``torch.optim.SGD``'s update without momentum, with less
    work per step.

    The groups are :func:`paramact.nn.param_groups`' ``"weight"``, ``"scale"`` and
    ``"location"``. ``doubled_bias=True`` moves the hidden layer's bias (``model[0].bias``) to
    its own group ``"hidden_bias"`` with the rate ``2 * lr``: the reparametrised control
    described in :mod:`paramact.experiments.mnist`. ``output_lr_multiplier`` moves the output
    layer's weight and bias (``model[2]``) to the group ``"output"`` with that many times ``lr``.

    >>> optimizer = make_optimizer(build_model("relu", hidden=3), lr=0.1, doubled_bias=True)
    >>> [(group["name"], group["lr"]) for group in optimizer.param_groups]
    [('weight', 0.1), ('hidden_bias', 0.2)]
    >>> optimizer = make_optimizer(build_model("relu", hidden=3), lr=0.1, output_lr_multiplier=2)
    >>> [(group["name"], group["lr"]) for group in optimizer.param_groups]
    [('weight', 0.1), ('output', 0.2)]
    """
    groups = param_groups(model, lr, lr_scale=lr_scale, lr_location=lr_location)
    if doubled_bias:
        _own_group(groups, [model[0].bias], 2 * lr, "hidden_bias")
    if output_lr_multiplier != 1.0:
        _own_group(groups, list(model[2].parameters()), output_lr_multiplier * lr, "output")
    return PlainSGD(groups, lr=lr)


def _own_group(groups: list[dict], params: list, lr: float, name: str) -> None:
    """Move ``params`` out of their groups in ``groups`` into a new group ``name`` with ``lr``."""
    moved = {id(p) for p in params}
    for group in groups:
        group["params"] = [p for p in group["params"] if id(p) not in moved]
    groups.append({"params": params, "lr": lr, "name": name})


def parametric_layer(model: nn.Sequential) -> ParametricSigmoid | ParametricReLU | None:
    """The hidden parametric activation of ``model``, or None for a plain one.

    >>> parametric_layer(build_model("relu", hidden=3)) is None
    True
    """
    layer = model[1]
    return layer if isinstance(layer, (ParametricSigmoid, ParametricReLU)) else None
