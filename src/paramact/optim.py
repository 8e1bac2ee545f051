r"""Optimisers for NumPy parameter dicts, with the paper's three learning rates.

The paper updates the weights and biases with a learning rate :math:`\rho` (eq. 4), the scales
:math:`a` with :math:`\rho_S` (eq. 6) and the locations :math:`b` with :math:`\rho_L` (eq. 7).
A model says which parameter is which: :attr:`paramact.mlp.MLP.groups` maps each group label
(``"weight"``, ``"scale"``, ``"location"``) to the names of its parameters. An optimiser holds
one learning rate per label, ``lrs``, and updates in place, as in CS231n's Solver:

    optimizer.step(model.params, grads, model.groups)

Without ``groups`` every parameter learns at ``lr``: plain gradient descent on any dict of
arrays. A group of one's own gets its rate from a label added to ``lrs`` (the XOR experiment
does this for its hidden biases). A learning rate of 0 leaves a group's parameters alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["SGD", "Adam"]

Groups = Mapping[str, Sequence[str]]


class _Optimizer:
    def __init__(self, lr: float, lr_scale: float | None = None, lr_location: float | None = None):
        self.lrs: dict[str, float] = {
            "weight": lr,
            "scale": lr if lr_scale is None else lr_scale,
            "location": lr if lr_location is None else lr_location,
        }

    @property
    def lr(self) -> float:
        r""":math:`\rho`, the learning rate of the ``"weight"`` group (weights and biases)."""
        return self.lrs["weight"]

    @property
    def lr_scale(self) -> float:
        r""":math:`\rho_S`, the learning rate of the ``"scale"`` group."""
        return self.lrs["scale"]

    @property
    def lr_location(self) -> float:
        r""":math:`\rho_L`, the learning rate of the ``"location"`` group."""
        return self.lrs["location"]

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: Mapping[str, np.ndarray],
        groups: Groups | None = None,
    ) -> None:
        """Update ``params[name]`` in place for every ``name`` in ``grads``.

        ``groups`` maps a label of ``lrs`` to parameter names (a model's ``groups``); every
        gradient must belong to a group. Without it every parameter learns at ``lr``.
        """
        if groups is None:
            groups = {"weight": list(grads)}
        self._check(params, grads, groups)  # the whole call first: a bad one changes nothing
        self._start_step()
        for label, names in groups.items():
            lr = self.lrs[label]
            for name in names:
                grad = grads.get(name)
                if grad is not None and lr:
                    params[name] -= self._update(name, np.asarray(grad), lr)

    def _check(
        self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray], groups: Groups
    ) -> None:
        """Every label has a learning rate, each parameter is in one group at most, and every
        gradient is in a group and has a parameter of its shape.

        >>> SGD(lr=1.0)._check({"W1": 0.0}, {"W1": 1.0}, {"weight": ["W1"], "scale": ["W1"]})
        Traceback (most recent call last):
        ...
        ValueError: parameter 'W1' is in two groups, 'weight' and 'scale': it would be updated twice
        """
        unknown = [label for label in groups if label not in self.lrs]
        if unknown:
            raise KeyError(
                f"no learning rate for the group {unknown[0]!r}; this optimiser has "
                f"{sorted(self.lrs)} (add one to its lrs)"
            )
        group_of: dict[str, str] = {}
        for label, names in groups.items():
            for name in names:
                if name in group_of:
                    where = (
                        f"twice in the group {label!r}"
                        if group_of[name] == label
                        else f"in two groups, {group_of[name]!r} and {label!r}"
                    )
                    raise ValueError(f"parameter {name!r} is {where}: it would be updated twice")
                group_of[name] = label
        given = [name for name, grad in grads.items() if grad is not None]
        missing = sorted(name for name in given if name not in group_of)
        if missing:
            raise KeyError(f"gradients for {missing} belong to no group of {dict(groups)}")
        for name in given:
            if name not in params:
                raise KeyError(
                    f"gradient for {name!r} has no parameter; params has {sorted(params)}"
                )
            if np.shape(grads[name]) != np.shape(params[name]):
                raise ValueError(
                    f"gradient for {name!r} has shape {np.shape(grads[name])} but the "
                    f"parameter has shape {np.shape(params[name])}"
                )

    def _start_step(self) -> None:
        """Called once per checked call of :meth:`step`, before any update (Adam counts steps)."""

    def _update(self, name, grad, lr):
        raise NotImplementedError


class SGD(_Optimizer):
    r"""Stochastic gradient descent with the paper's separate learning rates, eqs. (4), (6), (7).

    .. math::
        w \leftarrow w - \rho\,\frac{\partial L}{\partial w}, \qquad
        a \leftarrow a - \rho_S\,\frac{\partial L}{\partial a}, \qquad
        b \leftarrow b - \rho_L\,\frac{\partial L}{\partial b}

    With ``momentum`` :math:`\mu > 0`, each parameter keeps a velocity
    :math:`v \leftarrow \mu v + \rho\,\partial L/\partial w` and moves by :math:`-v`.

    Args:
        lr: :math:`\rho`, for the ``"weight"`` group (weights and biases).
        lr_scale: :math:`\rho_S`, for the ``"scale"`` group, the ``a`` (default: ``lr``).
        lr_location: :math:`\rho_L`, for the ``"location"`` group, the ``b`` (default: ``lr``).
        momentum: :math:`\mu`, 0 for plain SGD.

    Examples:
        >>> params = {"W1": np.array([1.0]), "a1": np.array([1.0]), "b1": np.array([1.0])}
        >>> grads = {"W1": np.array([1.0]), "a1": np.array([1.0]), "b1": np.array([1.0])}
        >>> groups = {"weight": ["W1"], "scale": ["a1"], "location": ["b1"]}
        >>> SGD(lr=0.5, lr_scale=0.1, lr_location=0.0).step(params, grads, groups)
        >>> {name: p.tolist() for name, p in params.items()}
        {'W1': [0.5], 'a1': [0.9], 'b1': [1.0]}
    """

    def __init__(
        self,
        lr: float,
        lr_scale: float | None = None,
        lr_location: float | None = None,
        momentum: float = 0.0,
    ) -> None:
        super().__init__(lr, lr_scale, lr_location)
        self.momentum = momentum
        self.velocity: dict[str, np.ndarray] = {}

    def _update(self, name, grad, lr):
        update = lr * grad
        if self.momentum:
            update = self.velocity[name] = self.momentum * self.velocity.get(name, 0) + update
        return update

    def __repr__(self) -> str:
        return f"SGD(lrs={self.lrs}, momentum={self.momentum})"


class Adam(_Optimizer):
    r"""Adam (Kingma & Ba 2015) with bias correction and the paper's separate learning rates.

    For each parameter, at step :math:`t = 1, 2, \dots` with gradient :math:`g`:

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2

    .. math::
        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}

    where :math:`\eta` is the learning rate of the parameter's group (``lr``, ``lr_scale`` or
    ``lr_location``). ``m`` and ``v`` start at zero, so both are biased towards zero early on;
    without the correction the step is :math:`(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}` times the
    corrected one, 3.2 times too large at :math:`t = 1` and 6.5 times near :math:`t = 10` with
    the default betas.

    Examples:
        >>> params, grads = {"W1": np.array([1.0])}, {"W1": np.array([123.0])}
        >>> Adam(lr=0.1).step(params, grads)  # first step moves by lr, whatever the gradient scale
        >>> params["W1"].round(6)
        array([0.9])
        >>> params = {"a1": np.array([1.0])}
        >>> Adam(lr=1.0, lr_scale=0.01).step(params, {"a1": np.array([5.0])}, {"scale": ["a1"]})
        >>> params["a1"].round(6)
        array([0.99])
    """

    def __init__(
        self,
        lr: float = 1e-3,
        lr_scale: float | None = None,
        lr_location: float | None = None,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(lr, lr_scale, lr_location)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def _start_step(self) -> None:
        """A step begins (the call was checked): ``t += 1``."""
        self.t += 1

    def _update(self, name, grad, lr):
        self.m[name] = self.beta1 * self.m.get(name, 0) + (1 - self.beta1) * grad
        self.v[name] = self.beta2 * self.v.get(name, 0) + (1 - self.beta2) * grad * grad
        m_hat = self.m[name] / (1 - self.beta1**self.t)
        v_hat = self.v[name] / (1 - self.beta2**self.t)
        return lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def __repr__(self) -> str:
        return f"Adam(lrs={self.lrs}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"
