r"""PyTorch modules for the parametric activations, and optimiser groups for the paper's rates.

Each module owns one scale ``a`` and one location ``b`` per feature (channel), both
``nn.Parameter`` s of shape ``(num_features,)``, and calls :mod:`paramact.functional`.
:func:`param_groups` sorts a model's parameters into the paper's three groups, for any
``torch.optim`` optimiser or for :class:`PlainSGD`, plain gradient descent with less work per step.

Examples:
    >>> model = torch.nn.Sequential(torch.nn.Linear(784, 200), ParametricSigmoid(200),
    ...                             torch.nn.Linear(200, 10))
    >>> optimizer = torch.optim.SGD(param_groups(model, lr=0.1, lr_scale=0.01, lr_location=0.01))
    >>> [(group["name"], group["lr"]) for group in optimizer.param_groups]
    [('weight', 0.1), ('scale', 0.01), ('location', 0.01)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from paramact import functional

__all__ = ["ParametricSigmoid", "ParametricReLU", "param_groups", "PlainSGD"]


class _ParametricActivation(nn.Module):
    # set by subclasses: paramact.functional.parametric_sigmoid or parametric_relu
    _function: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]

    def __init__(
        self,
        num_features: int,
        a_init: float = 1.0,
        b_init: float = 0.0,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.a_init, self.b_init = a_init, b_init
        self.a = nn.Parameter(torch.empty(num_features, device=device, dtype=dtype))
        self.b = nn.Parameter(torch.empty(num_features, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every scale to ``a_init`` and every location to ``b_init``."""
        with torch.no_grad():
            self.a.fill_(self.a_init)
            self.b.fill_(self.b_init)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return self._function(input, self.a, self.b)

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, a_init={self.a_init}, b_init={self.b_init}"


class ParametricSigmoid(_ParametricActivation):
    r"""Parametric sigmoid with a learnable scale and location per feature, eq. (10).

    .. math::
        z = \frac{a}{1 + e^{-(y - b)}}

    Args:
        num_features: ``C``, the size of dim 1 of the input.
        a_init: initial scale (1 gives the ordinary sigmoid).
        b_init: initial location.

    Shape:
        - Input: ``(N, C)``, ``(N, C, *)`` or ``(C,)``.
        - Output: same shape as the input.

    Attributes:
        a: the learnable scales, shape ``(C,)``.
        b: the learnable locations, shape ``(C,)``.

    Examples:
        >>> m = ParametricSigmoid(3, a_init=2.0)
        >>> m
        ParametricSigmoid(num_features=3, a_init=2.0, b_init=0.0)
        >>> m(torch.zeros(4, 3)).shape
        torch.Size([4, 3])
    """

    _function = staticmethod(functional.parametric_sigmoid)


class ParametricReLU(_ParametricActivation):
    r"""Parametric ReLU with a learnable scale and location per feature, eq. (11).

    .. math::
        z = \begin{cases} a\,(y - b), & y \ge b \\ 0, & y < b \end{cases}

    (Right-hand derivative at the kink ``y = b``.) Not PyTorch's ``nn.PReLU``, which learns the
    negative-side slope.

    Args:
        num_features: ``C``, the size of dim 1 of the input.
        a_init: initial scale (1 gives the ordinary ReLU).
        b_init: initial location.

    Shape:
        - Input: ``(N, C)``, ``(N, C, *)`` or ``(C,)``.
        - Output: same shape as the input.

    Attributes:
        a: the learnable scales, shape ``(C,)``.
        b: the learnable locations, shape ``(C,)``.

    Examples:
        >>> m = ParametricReLU(2, b_init=1.0)
        >>> m(torch.tensor([[0.0, 3.0]])).tolist()
        [[0.0, 2.0]]
    """

    _function = staticmethod(functional.parametric_relu)


def param_groups(
    model: nn.Module,
    lr: float,
    lr_scale: float | None = None,
    lr_location: float | None = None,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    r"""Parameter groups for ``torch.optim`` with the paper's three learning rates, eqs. (4)-(7).

    * ``"weight"``: every parameter that is not a scale or location (the weights and the affine
      biases), learning rate :math:`\rho` = ``lr``;
    * ``"scale"``: the ``a`` of every :class:`ParametricSigmoid` / :class:`ParametricReLU`,
      :math:`\rho_S` = ``lr_scale`` (default ``lr``);
    * ``"location"``: their ``b``, :math:`\rho_L` = ``lr_location`` (default ``lr``).

    The groups are found by module type, not by parameter name.

    Every parameter of ``model`` appears in exactly one group (shared parameters once); empty
    groups are left out.

    Args:
        model: an ``nn.Module``.
        lr, lr_scale, lr_location: the three learning rates.
        **kwargs: added to every group (e.g. ``momentum=0.9``).

    Returns:
        A list of dicts for ``torch.optim.SGD(...)`` (or any optimiser); each has a ``"name"``.

    Examples:
        >>> groups = param_groups(ParametricReLU(5), lr=0.1, lr_location=0.0)
        >>> [(g["name"], len(g["params"]), g["lr"]) for g in groups]
        [('scale', 1, 0.1), ('location', 1, 0.0)]
    """
    kinds: dict[int, str] = {}
    for module in model.modules():
        if isinstance(module, _ParametricActivation):
            kinds[id(module.a)] = "scale"
            kinds[id(module.b)] = "location"
    rates = {
        "weight": lr,
        "scale": lr if lr_scale is None else lr_scale,
        "location": lr if lr_location is None else lr_location,
    }
    members: dict[str, list[nn.Parameter]] = {name: [] for name in rates}
    for parameter in model.parameters():
        members[kinds.get(id(parameter), "weight")].append(parameter)
    return [
        {"params": params, "lr": rates[name], "name": name, **kwargs}
        for name, params in members.items()
        if params
    ]


class PlainSGD(torch.optim.Optimizer):
    r"""Plain stochastic gradient descent with a learning rate per group, eqs. (4), (6), (7).

    .. math::
        p \leftarrow p - \rho_g\,\frac{\partial L}{\partial p}

    for every parameter :math:`p` of a group :math:`g` with the rate :math:`\rho_g` =
    ``group["lr"]`` (the groups of :func:`param_groups`: :math:`\rho`, :math:`\rho_S`,
    :math:`\rho_L`). The update of ``torch.optim.SGD`` without momentum or weight decay, number
    for number, with less Python per step: one ``torch._foreach_add_`` per learning rate, and a
    ``zero_grad`` that only drops the gradients. On a CPU, ``torch.optim.SGD``'s ``step`` and
    ``zero_grad`` cost about 70 us per step, a fifth of a 784-200-10 network's non-matmul time.

    Every group has ``momentum`` and ``weight_decay`` 0 (for code that reads them); ``step``
    refuses other values (use ``torch.optim.SGD`` for those).

    Args:
        params: parameters or parameter groups, e.g. ``param_groups(model, ...)``.
        lr: the default learning rate of a group without ``"lr"``.

    Examples:
        >>> model = torch.nn.Sequential(torch.nn.Linear(3, 2), ParametricSigmoid(2))
        >>> optimizer = PlainSGD(param_groups(model, lr=0.5, lr_scale=0.1, lr_location=0.0))
        >>> model(torch.ones(4, 3)).sum().backward()
        >>> before = model[1].b.detach().clone()
        >>> optimizer.step()
        >>> bool(torch.equal(model[1].b, before)), model[1].a.grad is not None
        (True, True)
        >>> optimizer.zero_grad()
        >>> model[1].a.grad is None
        True
    """

    def __init__(self, params: Any, lr: float = 1e-3) -> None:
        if lr < 0:
            raise ValueError(f"learning rate must be >= 0, got {lr}")
        super().__init__(params, {"lr": lr, "momentum": 0.0, "weight_decay": 0.0})

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        by_rate: dict[float, tuple[list[torch.Tensor], list[torch.Tensor]]] = {}
        for group in self.param_groups:  # one update per distinct rate
            if group["momentum"] or group["weight_decay"]:
                raise ValueError(
                    "PlainSGD has no momentum or weight decay; use torch.optim.SGD for those"
                )
            params, grads = by_rate.setdefault(group["lr"], ([], []))
            for p in group["params"]:
                if p.grad is not None:
                    params.append(p)
                    grads.append(p.grad)
        for lr, (params, grads) in by_rate.items():
            # p.add_(p.grad, alpha=-lr) for each, as torch.optim.SGD computes it
            if any(grad.is_sparse for grad in grads):
                for param, grad in zip(params, grads):
                    param.add_(grad, alpha=-lr)
            elif params:
                torch._foreach_add_(params, grads, alpha=-lr)
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop every gradient (``set_to_none=False``: zero them in place, as torch.optim does)."""
        if not set_to_none:
            super().zero_grad(set_to_none=False)
            return
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None
