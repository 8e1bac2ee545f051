r"""Parametric activations for PyTorch, with hand-derived backward passes.

:func:`parametric_sigmoid` and :func:`parametric_relu` are ``torch.autograd.Function`` s whose
``backward`` implements the paper's gradients (eqs. 12-16, with eq. (14) corrected) instead of
letting autograd differentiate the forward. The backward is written in differentiable torch
ops, so double backward (``gradgradcheck``, Hessian-vector products) works, and the Functions
set ``generate_vmap_rule = True``, so they work under ``torch.func.vmap`` / ``grad`` /
``jacrev``. Forward-mode AD (``jvp``, ``jacfwd``, ``torch.func.hessian``) is not implemented;
take Hessians as ``jacrev(jacrev(f))``.

What the backward needs is computed once, in the forward, and saved: for the sigmoid
:math:`s = \sigma(y - b)` and its slope :math:`s(1 - s)`, for the ReLU the active part
:math:`\max(y - b, 0)` and :math:`y - b` (for the kink). Only when a gradient is itself
differentiated (``create_graph=True``) does the backward recompute them from the saved inputs,
with differentiable ops. Under ``torch.func`` transforms a second Function with the same
backward formulas is used (the new-style one they need); it always recomputes.

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


def _per_channel(param: torch.Tensor, ndim: int) -> torch.Tensor:
    """View a ``(C,)`` parameter so that it broadcasts along the channel dim of an ``ndim`` input."""
    return param.reshape(param.shape + (1,) * (ndim - 2)) if ndim > 2 else param


def _sum_to_channels(grad: torch.Tensor, ndim: int) -> torch.Tensor:
    """Sum an input-shaped gradient over every dim except the channel dim: shape ``(C,)``."""
    if ndim <= 2:
        return grad.sum(0) if ndim == 2 else grad
    return grad.sum(dim=[d for d in range(ndim) if d != 1])


# Each activation has two autograd Functions with one backward formula. The old-style one
# (``forward(ctx, ...)``) computes what its backward needs once, in the forward, and saves it:
# for the sigmoid s = sigmoid(y - b) and s (1 - s), for the ReLU max(y - b, 0) and y - b. A saved
# intermediate is a constant to autograd, so when a gradient is itself differentiated (backward
# runs with grad mode on: ``create_graph=True``, gradgradcheck) the backward recomputes them from
# the saved inputs with differentiable ops, as the torch.func one always does. That new-style
# Function (``setup_context``, ``generate_vmap_rule``) is what vmap, grad and jacrev need; outside
# them it is not used because its ``apply`` binds the arguments with ``inspect.signature`` on
# every call: about 25 us, as long as five of its elementwise passes over a 200 x 200 batch.


def _sigmoid_parts(input: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(s, s (1 - s))`` with ``s = sigmoid(y - b)``, differentiable."""
    shifted = input - _per_channel(b, input.dim())
    s = torch.sigmoid(shifted)
    # s (1 - s) as sigmoid(u) sigmoid(-u): no cancellation when s is close to 1
    return s, s * torch.sigmoid(-shifted)


def _sigmoid_grads(ctx, grad_output, a, s, slope):
    """Eqs. (15), (16) (corrected) and their sums over the batch: ``(dL/dy, dL/da, dL/db)``."""
    ndim = s.dim()
    grad_input = grad_output * _per_channel(a, ndim) * slope
    grad_a = _sum_to_channels(grad_output * s, ndim) if ctx.needs_input_grad[1] else None
    grad_b = -_sum_to_channels(grad_input, ndim) if ctx.needs_input_grad[2] else None
    return grad_input, grad_a, grad_b


class _ParametricSigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, a, b):
        shifted = input - _per_channel(b, input.dim())
        s = torch.sigmoid(shifted)
        slope = s * torch.sigmoid(shifted.neg_())  # the same numbers as _sigmoid_parts
        ctx.save_for_backward(input, a, b, s, slope)
        return _per_channel(a, input.dim()) * s

    @staticmethod
    def backward(ctx, grad_output):
        input, a, b, s, slope = ctx.saved_tensors
        if torch.is_grad_enabled():  # double backward: s and slope as functions of y and b
            s, slope = _sigmoid_parts(input, b)
        return _sigmoid_grads(ctx, grad_output, a, s, slope)


class _ParametricSigmoidForTransforms(torch.autograd.Function):
    generate_vmap_rule = True

    @staticmethod
    def forward(input, a, b):
        return _per_channel(a, input.dim()) * torch.sigmoid(input - _per_channel(b, input.dim()))

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad_output):
        input, a, b = ctx.saved_tensors
        return _sigmoid_grads(ctx, grad_output, a, *_sigmoid_parts(input, b))


# minus the smallest subnormal number of each dtype: x <= it exactly when x < 0
_BELOW_ZERO = {
    dtype: -torch.finfo(dtype).smallest_normal * torch.finfo(dtype).eps
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64)
}


def _active(grad: torch.Tensor, shifted: torch.Tensor) -> torch.Tensor:
    """``grad`` where ``shifted >= 0`` (the active side, the kink included), 0 elsewhere.

    ``threshold_backward(grad, x, t)`` is ReLU's backward kernel, ``where(x <= t, 0, grad)``, one
    vectorised pass (``torch.where`` with a boolean mask takes about twice as long on a CPU).
    With ``t`` minus the smallest subnormal number, ``x <= t`` is exactly ``x < 0``.
    """
    threshold = _BELOW_ZERO.get(shifted.dtype)
    if threshold is None:  # another floating dtype (float8, ...)
        info = torch.finfo(shifted.dtype)
        threshold = _BELOW_ZERO[shifted.dtype] = -info.smallest_normal * info.eps
    return torch.ops.aten.threshold_backward.default(grad, shifted, threshold)


def _relu_grads(ctx, grad_output, a, positive, shifted):
    """``(dL/dy, dL/da, dL/db)`` over the active elements ``y - b >= 0``, summed over the batch."""
    ndim = shifted.dim()
    grad_input = _active(grad_output * _per_channel(a, ndim), shifted)
    grad_a = _sum_to_channels(grad_output * positive, ndim) if ctx.needs_input_grad[1] else None
    grad_b = -_sum_to_channels(grad_input, ndim) if ctx.needs_input_grad[2] else None
    return grad_input, grad_a, grad_b


class _ParametricReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, a, b):
        shifted = input - _per_channel(b, input.dim())
        positive = torch.relu(shifted)  # = y - b on the active side, 0 elsewhere
        ctx.save_for_backward(input, a, b, positive, shifted)
        return _per_channel(a, input.dim()) * positive

    @staticmethod
    def backward(ctx, grad_output):
        input, a, b, positive, shifted = ctx.saved_tensors
        if torch.is_grad_enabled():  # double backward: max(y - b, 0) as a function of y and b
            shifted = input - _per_channel(b, input.dim())
            positive = torch.relu(shifted)
        return _relu_grads(ctx, grad_output, a, positive, shifted)


class _ParametricReLUForTransforms(torch.autograd.Function):
    generate_vmap_rule = True

    @staticmethod
    def forward(input, a, b):
        return _per_channel(a, input.dim()) * torch.relu(input - _per_channel(b, input.dim()))

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad_output):
        input, a, b = ctx.saved_tensors
        shifted = input - _per_channel(b, input.dim())
        return _relu_grads(ctx, grad_output, a, torch.relu(shifted), shifted)


# what Function.apply itself asks (missing in some other torch: then always the new style)
_transforms_active = getattr(torch._C, "_are_functorch_transforms_active", lambda: True)


def _apply(eager: Any, for_transforms: Any, input: Any, a: Any, b: Any) -> torch.Tensor:
    return (for_transforms if _transforms_active() else eager).apply(input, a, b)


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
    return _apply(_ParametricSigmoid, _ParametricSigmoidForTransforms, input, a, b)


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
    return _apply(_ParametricReLU, _ParametricReLUForTransforms, input, a, b)
