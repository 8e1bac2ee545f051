r"""Parametric activations for PyTorch, with hand-derived backward passes.

:func:`parametric_sigmoid` and :func:`parametric_relu` are ``torch.autograd.Function`` s whose
``backward`` implements the paper's gradients (eqs. 12-16, with eq. (14) corrected) instead of
letting autograd differentiate the forward. The backward is written in differentiable torch
ops, so double backward (``gradgradcheck``, Hessian-vector products) works, and the Functions
set ``generate_vmap_rule = True``, so they work under ``torch.func.vmap`` / ``grad`` /
``jacrev``. Forward-mode AD (``jvp``, ``jacfwd``, ``torch.func.hessian``) is not implemented;
take Hessians as ``jacrev(jacrev(f))``.

Shapes follow ``torch.nn.PReLU``: ``a`` and ``b`` have shape ``(C,)`` and broadcast along the
channel dimension, dim 1 of an input ``(N, C)`` or ``(N, C, *)``. A 1-D input ``(C,)`` is one
example whose dim 0 holds the channels (what a function ``vmap``-ed over the batch sees).
This is the course's one shape rule for parametric activations, NumPy (:mod:`paramact.activations`)
and PyTorch alike: a parameter of shape ``(C,)`` applies along axis 1 of an input with two or more
dims, along axis 0 of a 1-D input.

Kink convention of the parametric ReLU: at ``input == b`` the right-hand derivative is used
(``input >= b`` is the active side), as in :mod:`paramact.activations`.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["parametric_sigmoid", "parametric_relu"]


def _channel_dim(input: torch.Tensor) -> int:
    return 1 if input.dim() >= 2 else 0


def _per_channel(param: torch.Tensor, input: torch.Tensor) -> torch.Tensor:
    """View a ``(C,)`` parameter so that it broadcasts along the channel dim of ``input``."""
    return param.reshape(param.shape + (1,) * (input.dim() - 2)) if input.dim() > 2 else param


def _sum_to_channels(grad: torch.Tensor, input: torch.Tensor) -> torch.Tensor:
    """Sum an input-shaped gradient over every dim except the channel dim: shape ``(C,)``."""
    dims = [d for d in range(grad.dim()) if d != _channel_dim(input)]
    return grad.sum(dim=dims) if dims else grad


class _ParametricSigmoid(torch.autograd.Function):
    generate_vmap_rule = True

    @staticmethod
    def forward(input, a, b):
        return _per_channel(a, input) * torch.sigmoid(input - _per_channel(b, input))

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)  # the inputs, not the output: backward stays differentiable

    @staticmethod
    def backward(ctx, grad_output):
        input, a, b = ctx.saved_tensors
        shifted = input - _per_channel(b, input)
        s = torch.sigmoid(shifted)
        # s (1 - s) as sigmoid(u) sigmoid(-u): no cancellation when s is close to 1
        grad_input = grad_output * _per_channel(a, input) * (s * torch.sigmoid(-shifted))
        grad_a = _sum_to_channels(grad_output * s, input) if ctx.needs_input_grad[1] else None
        grad_b = -_sum_to_channels(grad_input, input) if ctx.needs_input_grad[2] else None
        return grad_input, grad_a, grad_b


class _ParametricReLU(torch.autograd.Function):
    generate_vmap_rule = True

    @staticmethod
    def forward(input, a, b):
        shifted = input - _per_channel(b, input)
        return torch.where(shifted >= 0, _per_channel(a, input) * shifted, 0.0)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad_output):
        input, a, b = ctx.saved_tensors
        shifted = input - _per_channel(b, input)
        active = shifted >= 0  # right-hand derivative at the kink
        grad_input = torch.where(active, grad_output * _per_channel(a, input), 0.0)
        grad_a = None
        if ctx.needs_input_grad[1]:
            grad_a = _sum_to_channels(torch.where(active, grad_output * shifted, 0.0), input)
        grad_b = -_sum_to_channels(grad_input, input) if ctx.needs_input_grad[2] else None
        return grad_input, grad_a, grad_b


def _check_arguments(function: str, input: Any, a: Any, b: Any) -> None:
    for name, value in (("input", input), ("a", a), ("b", b)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{function}: {name} must be a torch.Tensor, got "
                f"{type(value).__name__}; wrap it with torch.as_tensor"
            )
    if not input.is_floating_point():
        raise TypeError(
            f"{function}: input must be a floating-point tensor, got dtype "
            f"{input.dtype}; convert it with input.float()"
        )
    if input.dim() == 0:
        raise ValueError(
            f"{function}: input must have shape (C,), (N, C) or (N, C, *), "
            "got a 0-d tensor; add dims with input.reshape(1, 1)"
        )
    channels = input.shape[_channel_dim(input)]
    for name, param in (("a", a), ("b", b)):
        if param.dtype != input.dtype:
            raise TypeError(
                f"{function}: {name} has dtype {param.dtype} but input has dtype "
                f"{input.dtype}; use {name}.to(input.dtype)"
            )
        if param.device != input.device:
            raise ValueError(
                f"{function}: {name} is on {param.device} but input is on "
                f"{input.device}; use {name}.to(input.device)"
            )
        if tuple(param.shape) != (channels,):
            raise ValueError(
                f"{function}: {name} must have shape ({channels},) to match the "
                f"{channels} channels on dim {_channel_dim(input)} of input "
                f"{tuple(input.shape)}, got shape {tuple(param.shape)}"
            )


def parametric_sigmoid(input: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r"""Parametric sigmoid, eq. (10) of the paper, with a hand-derived backward.

    .. math::
        z = \frac{a}{1 + e^{-(y - b)}} = a\,\sigma(y - b)

    Backward, eqs. (12)-(16) of the paper with eqs. (14) and (16) corrected, where
    :math:`s = \sigma(y - b)` and the sums run over every dim but the channel dim:

    .. math::
        \frac{\partial L}{\partial y} = g\,a s(1 - s), \quad
        \frac{\partial L}{\partial a} = \sum g\,s, \quad
        \frac{\partial L}{\partial b} = -\sum g\,a s(1 - s)

    where :math:`g = \partial L / \partial z`. Uses ``torch.sigmoid``, so float32 stays finite
    however large ``|y - b|`` is.

    Args:
        input: ``(N, C)``, ``(N, C, *)`` or ``(C,)``, floating point.
        a: scales, shape ``(C,)``, same dtype and device as ``input``.
        b: locations, shape ``(C,)``, same dtype and device as ``input``.

    Shape:
        - Output: same shape as ``input``.

    Examples:
        >>> y = torch.zeros(1, 2)
        >>> parametric_sigmoid(y, torch.tensor([1.0, 4.0]), torch.tensor([0.0, 0.0]))
        tensor([[0.5000, 2.0000]])
    """
    _check_arguments("parametric_sigmoid", input, a, b)
    return _ParametricSigmoid.apply(input, a, b)


def parametric_relu(input: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r"""Parametric ReLU, eq. (11) of the paper, with a hand-derived backward.

    .. math::
        z = \begin{cases} a\,(y - b), & y \ge b \\ 0, & y < b \end{cases}

    Backward over the active elements :math:`y \ge b` (right-hand derivative at the kink
    :math:`y = b`; inactive elements contribute 0), with :math:`g = \partial L / \partial z`:

    .. math::
        \frac{\partial L}{\partial y} = g\,a, \quad
        \frac{\partial L}{\partial a} = \sum g\,(y - b), \quad
        \frac{\partial L}{\partial b} = -\sum g\,a

    Not PyTorch's ``nn.PReLU`` (which learns the negative-side slope).

    Args:
        input: ``(N, C)``, ``(N, C, *)`` or ``(C,)``, floating point.
        a: scales, shape ``(C,)``, same dtype and device as ``input``.
        b: locations, shape ``(C,)``, same dtype and device as ``input``.

    Shape:
        - Output: same shape as ``input``.

    Examples:
        >>> y = torch.tensor([[-1.0, 3.0]])
        >>> parametric_relu(y, torch.tensor([2.0, 2.0]), torch.tensor([0.0, 1.0]))
        tensor([[0., 4.]])
    """
    _check_arguments("parametric_relu", input, a, b)
    return _ParametricReLU.apply(input, a, b)
