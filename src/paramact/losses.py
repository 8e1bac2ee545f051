r"""Loss functions in NumPy, CS231n style.

Each loss returns ``(loss, dpred)``: the loss as a Python float and its gradient with respect to
the *first* argument, with the first argument's shape. The two losses that take logits
(:func:`binary_cross_entropy_with_logits`, :func:`softmax_cross_entropy`) fuse the output
activation into the loss, which is both stabler and simpler to differentiate:
their gradient is just ``(probabilities - targets) / N``.

Like :mod:`paramact.activations`, the losses run cleanly under ``np.errstate(all="raise")``:
they never overflow, and results that underflow are rounded to zero.
"""

from __future__ import annotations

import numpy as np

from paramact.activations import _as_floats, _underflow_to_zero, sigmoid, softmax

__all__ = [
    "mean_squared_error",
    "half_sum_squared_error",
    "binary_cross_entropy_with_logits",
    "softmax_cross_entropy",
]


def _same_shape(pred, target, pred_name="pred"):
    pred, target = _as_floats(pred, target)
    if pred.shape != target.shape:
        # broadcasting (N, 1) against (N,) would silently give an (N, N) loss
        raise ValueError(f"{pred_name} has shape {pred.shape} but target has shape "
                         f"{target.shape}; they must match (reshape the target)")
    return pred, target


@_underflow_to_zero
def mean_squared_error(pred, target):
    r"""Mean squared error, averaged over *all* elements.

    .. math::
        L = \frac{1}{M} \sum_{i} (\text{pred}_i - \text{target}_i)^2, \qquad
        \frac{\partial L}{\partial \text{pred}} = \frac{2}{M} (\text{pred} - \text{target})

    where ``M = pred.size``.

    Shape:
        - pred, target: any shape, the same for both.

    Examples:
        >>> loss, dpred = mean_squared_error(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
        >>> loss, dpred.tolist()
        (5.0, [1.0, 3.0])
    """
    pred, target = _same_shape(pred, target)
    diff = pred - target
    return float(np.mean(diff * diff)), 2 * diff / diff.size


@_underflow_to_zero
def half_sum_squared_error(pred, target):
    r"""Half the sum of squared errors, the loss of the paper and of the worked 2-2-2 example.

    .. math::
        L = \frac{1}{2} \sum_{i} (\text{pred}_i - \text{target}_i)^2, \qquad
        \frac{\partial L}{\partial \text{pred}} = \text{pred} - \text{target}

    The sum runs over *everything*, batch included: nothing is averaged. With a batch of ``N``
    the loss (and the gradient) is ``N`` times larger than for one example, so scale the
    learning rate accordingly or use :func:`mean_squared_error`.

    Shape:
        - pred, target: any shape, the same for both.

    Examples:
        >>> loss, dpred = half_sum_squared_error(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
        >>> loss, dpred.tolist()
        (5.0, [1.0, 3.0])
    """
    pred, target = _same_shape(pred, target)
    diff = pred - target
    return float(0.5 * np.sum(diff * diff)), diff


@_underflow_to_zero
def binary_cross_entropy_with_logits(logits, target):
    r"""Binary cross-entropy of ``sigmoid(logits)`` against targets in [0, 1], averaged.

    .. math::
        L = \frac{1}{M} \sum_i \Big[\log(1 + e^{x_i}) - t_i x_i\Big]
          = \frac{1}{M} \sum_i \Big[-t_i \log \sigma(x_i) - (1 - t_i) \log(1 - \sigma(x_i))\Big]

    .. math::
        \frac{\partial L}{\partial x} = \frac{\sigma(x) - t}{M}

    where ``x`` are the logits and ``M = logits.size``. The softplus form
    ``max(x, 0) + log(1 + e^{-|x|})`` never takes the log of 0, so logits of any size are fine.

    Shape:
        - logits, target: any shape, the same for both.

    Examples:
        >>> logits, target = np.array([0.0, 1e4]), np.array([1.0, 1.0])
        >>> loss, dlogits = binary_cross_entropy_with_logits(logits, target)
        >>> round(loss, 4), dlogits.tolist()
        (0.3466, [-0.25, 0.0])
    """
    logits, target = _same_shape(logits, target, "logits")
    softplus = np.maximum(logits, 0) + np.log1p(np.exp(-np.abs(logits)))
    loss = np.mean(softplus - target * logits)
    return float(loss), (sigmoid(logits) - target) / logits.size


@_underflow_to_zero
def softmax_cross_entropy(logits, labels):
    r"""Cross-entropy of ``softmax(logits)`` against integer class labels, averaged over the batch.

    .. math::
        L = -\frac{1}{N} \sum_{n} \log \text{softmax}(x_n)_{y_n}, \qquad
        \frac{\partial L}{\partial x} = \frac{\text{softmax}(x) - \text{onehot}(y)}{N}

    The log-probabilities are computed as ``x - m - log(sum(exp(x - m)))`` with ``m`` the row
    maximum (log-sum-exp), so huge logits neither overflow nor produce ``log(0)``.

    Args:
        logits: shape ``(N, C)``, unnormalised class scores.
        labels: shape ``(N,)``, integer class indices in ``[0, C)``.

    Examples:
        >>> logits, labels = np.array([[0.0, 0.0], [1e4, 0.0]]), np.array([0, 0])
        >>> loss, dlogits = softmax_cross_entropy(logits, labels)
        >>> round(loss, 4), dlogits.tolist()
        (0.3466, [[-0.25, 0.25], [0.0, 0.0]])
    """
    (logits,) = _as_floats(logits)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, C), got shape {logits.shape}")
    num_examples, num_classes = logits.shape
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype} "
                        "(use labels.astype(int); for one-hot targets use labels.argmax(axis=1))")
    if labels.shape != (num_examples,):
        raise ValueError(f"labels must have shape ({num_examples},) to match logits of shape "
                         f"{logits.shape}, got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got values from "
                         f"{labels.min()} to {labels.max()}")
    rows = np.arange(num_examples)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[rows, labels])
    dlogits = softmax(logits, axis=1)
    dlogits[rows, labels] -= 1
    return float(loss), dlogits / num_examples
