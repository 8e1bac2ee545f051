r"""Loss functions in NumPy, CS231n style.

Each loss returns ``(loss, dpred)``: the loss as a Python float and its gradient with respect to
the *first* argument, with the first argument's shape.

Every loss also takes ``axis``, the axes it averages (or sums) over, as in ``np.mean``. With an
``axis`` the loss keeps the other axes and comes back as an array, and ``dpred`` is the gradient of
the *sum* of its entries: each entry's own gradient, since each depends only on its own slice.
This is how a batch of ``T`` independent networks (:class:`paramact.mlp.MLP` with ``trials``)
gets one loss per trial: predictions ``(N, T, K)``, ``axis=(0, 2)``, losses ``(T,)``. The two losses that take logits
(:func:`binary_cross_entropy_with_logits`, :func:`softmax_cross_entropy`) fuse the output
activation into the loss, which is both stabler and simpler to differentiate:
their gradient is just ``(probabilities - targets) / N``.

Like :mod:`paramact.activations`, the losses run cleanly under ``np.errstate(all="raise")``:
they never overflow, and results that underflow are rounded to zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from paramact._numeric import _as_floats, _underflow_to_zero
from paramact.activations import sigmoid, softmax

#: The axes a loss reduces over, as in ``np.mean``: ``None`` for all of them.
Axis = int | tuple[int, ...] | None

__all__ = [
    "mean_squared_error",
    "half_sum_squared_error",
    "binary_cross_entropy_with_logits",
    "softmax_cross_entropy",
]


def _count(shape: Sequence[int], axis: Axis) -> int:
    """Number of elements that ``axis`` reduces over (all of them for ``axis=None``)."""
    if axis is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in ((axis,) if isinstance(axis, int) else axis))


def _reduced(value: np.ndarray | np.floating) -> float | np.ndarray:
    """A Python float for a full reduction (a NumPy scalar or 0-d array), the array otherwise."""
    return value if isinstance(value, np.ndarray) and value.ndim > 0 else float(value)


def _same_shape(
    pred: ArrayLike, target: ArrayLike, pred_name: str = "pred"
) -> tuple[np.ndarray, np.ndarray]:
    pred, target = _as_floats(pred, target)
    if pred.shape != target.shape:
        # broadcasting (N, 1) against (N,) would silently give an (N, N) loss
        raise ValueError(
            f"{pred_name} has shape {pred.shape} but target has shape "
            f"{target.shape}; they must match (reshape the target)"
        )
    return pred, target


@_underflow_to_zero
def mean_squared_error(
    pred: ArrayLike, target: ArrayLike, axis: Axis = None
) -> tuple[float | np.ndarray, np.ndarray]:
    r"""Mean squared error, averaged over *all* elements (or over ``axis``).

    .. math::
        L = \frac{1}{M} \sum_{i} (\text{pred}_i - \text{target}_i)^2, \qquad
        \frac{\partial L}{\partial \text{pred}} = \frac{2}{M} (\text{pred} - \text{target})

    where ``M = pred.size``, or the number of elements ``axis`` averages over.

    Args:
        pred, target: any shape, the same for both.
        axis: ``None`` (a float), or the axes to average over (an array of the other axes).

    Examples:
        >>> loss, dpred = mean_squared_error(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
        >>> loss, dpred.tolist()
        (5.0, [1.0, 3.0])
        >>> mean_squared_error(np.array([[1.0, 3.0], [2.0, 2.0]]), np.zeros((2, 2)), axis=1)[0]
        array([5., 4.])
    """
    pred, target = _same_shape(pred, target)
    diff = pred - target
    count = _count(diff.shape, axis)
    return _reduced(np.sum(diff * diff, axis=axis) / count), 2 * diff / count


@_underflow_to_zero
def half_sum_squared_error(
    pred: ArrayLike, target: ArrayLike, axis: Axis = None
) -> tuple[float | np.ndarray, np.ndarray]:
    r"""Half the sum of squared errors, the loss of the paper and of the worked 2-2-2 example.

    .. math::
        L = \frac{1}{2} \sum_{i} (\text{pred}_i - \text{target}_i)^2, \qquad
        \frac{\partial L}{\partial \text{pred}} = \text{pred} - \text{target}

    The sum runs over *everything*, batch included: nothing is averaged. With a batch of ``N``
    the loss (and the gradient) is ``N`` times larger than for one example, so scale the
    learning rate accordingly or use :func:`mean_squared_error`.

    Args:
        pred, target: any shape, the same for both.
        axis: ``None`` (a float), or the axes to sum over (an array of the other axes).

    Examples:
        >>> loss, dpred = half_sum_squared_error(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
        >>> loss, dpred.tolist()
        (5.0, [1.0, 3.0])
    """
    pred, target = _same_shape(pred, target)
    diff = pred - target
    return _reduced(0.5 * np.sum(diff * diff, axis=axis)), diff


@_underflow_to_zero
def binary_cross_entropy_with_logits(
    logits: ArrayLike, target: ArrayLike, axis: Axis = None
) -> tuple[float | np.ndarray, np.ndarray]:
    r"""Binary cross-entropy of ``sigmoid(logits)`` against targets in [0, 1], averaged.

    .. math::
        L = \frac{1}{M} \sum_i \Big[\log(1 + e^{x_i}) - t_i x_i\Big]
          = \frac{1}{M} \sum_i \Big[-t_i \log \sigma(x_i) - (1 - t_i) \log(1 - \sigma(x_i))\Big]

    .. math::
        \frac{\partial L}{\partial x} = \frac{\sigma(x) - t}{M}

    where ``x`` are the logits and ``M = logits.size`` (or the number of elements ``axis``
    averages over). The softplus form ``max(x, 0) + log(1 + e^{-|x|})`` never takes the log of 0,
    so logits of any size are fine.

    Args:
        logits, target: any shape, the same for both.
        axis: ``None`` (a float), or the axes to average over (an array of the other axes).

    Examples:
        >>> logits, target = np.array([0.0, 1e4]), np.array([1.0, 1.0])
        >>> loss, dlogits = binary_cross_entropy_with_logits(logits, target)
        >>> round(loss, 4), dlogits.tolist()
        (0.3466, [-0.25, 0.0])
    """
    logits, target = _same_shape(logits, target, "logits")
    softplus = np.maximum(logits, 0) + np.log1p(np.exp(-np.abs(logits)))
    loss = np.mean(softplus - target * logits, axis=axis)
    return _reduced(loss), (sigmoid(logits) - target) / _count(logits.shape, axis)


@_underflow_to_zero
def softmax_cross_entropy(
    logits: ArrayLike, labels: ArrayLike, axis: Axis = None
) -> tuple[float | np.ndarray, np.ndarray]:
    r"""Cross-entropy of ``softmax(logits)`` against integer class labels, averaged over the batch.

    .. math::
        L = -\frac{1}{N} \sum_{n} \log \text{softmax}(x_n)_{y_n}, \qquad
        \frac{\partial L}{\partial x} = \frac{\text{softmax}(x) - \text{onehot}(y)}{N}

    The log-probabilities are computed as ``x - m - log(sum(exp(x - m)))`` with ``m`` the row
    maximum (log-sum-exp), so huge logits neither overflow nor produce ``log(0)``.

    Args:
        logits: shape ``(N, C)``, unnormalised class scores; more generally ``(..., C)``, the
            classes along the last axis.
        labels: shape ``(N,)`` (generally ``logits.shape[:-1]``), integer class indices in ``[0, C)``.
        axis: ``None`` averages over every example (a float); otherwise the axes of ``labels`` to
            average over, e.g. ``axis=0`` for logits ``(N, T, C)``: one loss per trial, shape ``(T,)``.

    Examples:
        >>> logits, labels = np.array([[0.0, 0.0], [1e4, 0.0]]), np.array([0, 0])
        >>> loss, dlogits = softmax_cross_entropy(logits, labels)
        >>> round(loss, 4), dlogits.tolist()
        (0.3466, [[-0.25, 0.25], [0.0, 0.0]])
    """
    (logits,) = _as_floats(logits)
    labels = np.asarray(labels)
    if logits.ndim < 2:
        raise ValueError(f"logits must have shape (N, C) (or (..., C)), got shape {logits.shape}")
    num_classes = logits.shape[-1]
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(
            f"labels must be integer class indices, got dtype {labels.dtype} "
            "(use labels.astype(int); for one-hot targets use labels.argmax(axis=1))"
        )
    if labels.shape != logits.shape[:-1]:
        raise ValueError(
            f"labels must have shape {logits.shape[:-1]} to match logits of shape "
            f"{logits.shape}, got shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in [0, {num_classes}), got values from "
            f"{labels.min()} to {labels.max()}"
        )
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, labels[..., None], axis=-1)[..., 0]
    loss = -np.mean(picked, axis=axis)
    dlogits = softmax(logits, axis=-1)
    np.put_along_axis(
        dlogits,
        labels[..., None],
        np.take_along_axis(dlogits, labels[..., None], axis=-1) - 1,
        axis=-1,
    )
    return _reduced(loss), dlogits / _count(labels.shape, axis)
