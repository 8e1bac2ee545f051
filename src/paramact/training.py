r"""The training loop: mini-batch gradient descent on a model with an optimiser, CS231n's Solver in brief.

A model owns its parameters and computes ``loss, grads = model.loss(X, y)``; an optimiser updates
``model.params`` in place from ``grads`` with the learning rate of each of ``model.groups``.
:func:`train` runs the epochs; everything it needs from a model is ``params``, ``groups`` and
``loss``, so :class:`paramact.mlp.MLP` (one network or a batch of trials) and any model of
one's own with those three work alike.

Examples:
    >>> from paramact.mlp import MLP
    >>> from paramact.optim import SGD
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([[0.0], [1.0], [1.0], [0.0]])
    >>> net = MLP([2, 4, 1], hidden="parametric_sigmoid", output="sigmoid", loss="mse", seed=3)
    >>> history = train(net, SGD(lr=2.0), X, y, epochs=2000, rng=np.random.default_rng(0))
    >>> len(history), history[-1] < history[0] / 10
    (2000, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["train"]


def train(
    model: Any,
    optimizer: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 1,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
) -> list[Any]:
    r"""Train ``model`` for ``epochs`` passes over ``(X, y)`` in shuffled mini-batches.

    Each epoch draws a new order with ``rng.permutation(len(X))`` and takes one step per batch of
    ``batch_size`` examples (the last batch may be smaller):

    .. math::
        \theta \leftarrow \theta - \rho_{g(\theta)}\,\frac{\partial L_{\text{batch}}}{\partial \theta}

    for plain SGD, with :math:`\rho_g` the learning rate of the parameter's group.

    Args:
        model: has ``params``, ``groups`` and ``loss(X, y) -> (loss, grads)``, e.g.
            :class:`paramact.mlp.MLP`.
        optimizer: has ``step(params, grads, groups)``, e.g. :class:`paramact.optim.SGD`.
        X, y: the training set, examples along axis 0 (for a model with trials: shared by
            every trial).
        epochs: passes over the training set.
        batch_size: examples per step; ``None`` for full-batch gradient descent.
        rng: the generator of the shuffles (default: a fresh ``np.random.default_rng()``).

    Returns:
        The loss of every step, in order (``epochs * ceil(N / batch_size)`` of them).

    Examples:
        >>> from paramact.mlp import MLP
        >>> from paramact.optim import SGD
        >>> net = MLP([3, 2], output="softmax", seed=0)
        >>> X, labels = np.eye(3)[[0, 1, 2, 0, 1]], np.array([0, 1, 1, 0, 1])
        >>> len(train(net, SGD(lr=0.1), X, labels, epochs=3, batch_size=2))
        9
    """
    n = len(X)
    batch_size = n if batch_size is None else int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    rng = np.random.default_rng() if rng is None else rng
    history = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            optimizer.step(model.params, grads, model.groups)
            history.append(loss)
    return history
