r"""Optimisers for NumPy parameter dicts, with the paper's three learning rates.

The paper updates the weights and biases with a learning rate :math:`\rho` (eq. 4), the scales
:math:`a` with :math:`\rho_S` (eq. 6) and the locations :math:`b` with :math:`\rho_L` (eq. 7).
Here a parameter's kind is read from its name (see :func:`parameter_kind`), following the naming
of :class:`paramact.layers.MLP`: ``a1, a2, ...`` are scales, ``c1, c2, ...`` locations and
everything else (``W1``, ``b1``, ...) weights and biases.

Every optimiser has ``step(params, grads)``, which updates ``params[name]`` *in place* for every
``name`` in ``grads``; parameters without a gradient are left alone.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["parameter_kind", "SGD", "Adam"]


def parameter_kind(name):
    """Kind of the parameter called ``name``: ``"scale"``, ``"location"`` or ``"weight"``.

    ``a`` followed by digits is a scale (the paper's :math:`a^{(l)}`), ``c`` followed by digits a
    location (the paper's :math:`b^{(l)}`), anything else a weight or bias.

    Examples:
        >>> [parameter_kind(n) for n in ("W1", "b1", "a1", "c1")]
        ['weight', 'weight', 'scale', 'location']
    """
    if re.fullmatch(r"a\d*", name):
        return "scale"
    if re.fullmatch(r"c\d*", name):
        return "location"
    return "weight"


class _Optimizer:
    def __init__(self, lr, lr_scale=None, lr_location=None):
        self.lr = lr
        self.lr_scale = lr if lr_scale is None else lr_scale
        self.lr_location = lr if lr_location is None else lr_location

    def lr_for(self, name):
        """Learning rate used for the parameter called ``name``: rho, rho_S or rho_L."""
        return {"weight": self.lr, "scale": self.lr_scale,
                "location": self.lr_location}[parameter_kind(name)]

    def step(self, params, grads):
        """Update ``params[name]`` in place for every ``name`` in ``grads``."""
        for name, grad in grads.items():
            if name not in params:
                raise KeyError(f"gradient for {name!r} has no parameter; params has "
                               f"{sorted(params)}")
            if np.shape(grad) != np.shape(params[name]):
                raise ValueError(f"gradient for {name!r} has shape {np.shape(grad)} but the "
                                 f"parameter has shape {np.shape(params[name])}")
            params[name] -= self._update(name, grad)

    def _update(self, name, grad):
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
        lr: :math:`\rho`, for weights and biases.
        lr_scale: :math:`\rho_S`, for the scales ``a*`` (default: ``lr``).
        lr_location: :math:`\rho_L`, for the locations ``c*`` (default: ``lr``).
        momentum: :math:`\mu`, 0 for plain SGD.

    Examples:
        >>> params = {"W1": np.array([1.0]), "a1": np.array([1.0]), "c1": np.array([1.0])}
        >>> grads = {"W1": np.array([1.0]), "a1": np.array([1.0]), "c1": np.array([1.0])}
        >>> SGD(lr=0.5, lr_scale=0.1, lr_location=0.0).step(params, grads)
        >>> {name: p.tolist() for name, p in params.items()}
        {'W1': [0.5], 'a1': [0.9], 'c1': [1.0]}
    """

    def __init__(self, lr, lr_scale=None, lr_location=None, momentum=0.0):
        super().__init__(lr, lr_scale, lr_location)
        self.momentum = momentum
        self.velocity = {}

    def _update(self, name, grad):
        update = self.lr_for(name) * grad
        if self.momentum:
            update = self.velocity[name] = self.momentum * self.velocity.get(name, 0) + update
        return update

    def __repr__(self):
        return (f"SGD(lr={self.lr}, lr_scale={self.lr_scale}, lr_location={self.lr_location}, "
                f"momentum={self.momentum})")


class Adam(_Optimizer):
    r"""Adam (Kingma & Ba 2015) with bias correction and the paper's separate learning rates.

    For each parameter, at step :math:`t = 1, 2, \dots` with gradient :math:`g`:

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2

    .. math::
        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}

    where :math:`\eta` is ``lr``, ``lr_scale`` or ``lr_location`` by the parameter's kind.
    ``m`` and ``v`` start at zero, so both are biased towards zero early on; without the correction the
    step is :math:`(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}` times the corrected one, 3.2 times too large
    at :math:`t = 1` and 6.5 times near :math:`t = 10` with the default betas.

    Examples:
        >>> params, grads = {"W1": np.array([1.0])}, {"W1": np.array([123.0])}
        >>> Adam(lr=0.1).step(params, grads)  # first step moves by lr, whatever the gradient scale
        >>> params["W1"].round(6)
        array([0.9])
    """

    def __init__(self, lr=1e-3, lr_scale=None, lr_location=None, beta1=0.9, beta2=0.999,
                 eps=1e-8):
        super().__init__(lr, lr_scale, lr_location)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m, self.v = {}, {}

    def step(self, params, grads):
        """Take one Adam step (``t += 1``) on every parameter named in ``grads``, in place."""
        self.t += 1
        super().step(params, grads)

    def _update(self, name, grad):
        self.m[name] = self.beta1 * self.m.get(name, 0) + (1 - self.beta1) * grad
        self.v[name] = self.beta2 * self.v.get(name, 0) + (1 - self.beta2) * grad * grad
        m_hat = self.m[name] / (1 - self.beta1 ** self.t)
        v_hat = self.v[name] / (1 - self.beta2 ** self.t)
        return self.lr_for(name) * m_hat / (np.sqrt(v_hat) + self.eps)

    def __repr__(self):
        return (f"Adam(lr={self.lr}, lr_scale={self.lr_scale}, lr_location={self.lr_location}, "
                f"beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})")
