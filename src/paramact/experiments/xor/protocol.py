"""The XOR protocol: the paper's setting, every choice it leaves open, and the data.

Kong & Ko (2021), section IV.1, train a network with two inputs, one hidden layer of two neurons
and one output on the four XOR points, and count the gradient-descent steps until the loss first
reaches 0.01, 10 runs per hidden activation (Table 2, :data:`PAPER_TABLE_2`). The paper leaves out
what a reproduction needs (initialisation, learning rate, loss, output unit, iteration cap), so
:class:`XorProtocol` states those choices; it is written into every result.

>>> XOR_INPUTS.shape, XOR_TARGETS.tolist()
((4, 2), [0.0, 1.0, 1.0, 0.0])
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from paramact.experiments.common import ACTIVATIONS, is_parametric

__all__ = [
    "PAPER_TABLE_2",
    "PAPER_RUNS",
    "XOR_INPUTS",
    "XOR_TARGETS",
    "LOSSES",
    "OUTPUTS",
    "XorProtocol",
    "check_activations",
    "check_seeds",
]

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])

# Kong & Ko (2021), Table 2: 10 runs per activation, steps until the loss first reaches 0.01.
# Mean, sd, max and min are over the converged runs (for ReLU: 2 runs, so mean = (max + min)/2).
PAPER_TABLE_2 = {
    "sigmoid": {"convergence_rate": 1.00, "mean": 4678.2, "sd": 1903.0, "max": 8592, "min": 2130},
    "parametric_sigmoid": {
        "convergence_rate": 1.00,
        "mean": 3670.4,
        "sd": 1588.8,
        "max": 6471,
        "min": 1368,
    },
    "relu": {"convergence_rate": 0.20, "mean": 871.0, "sd": 1033.8, "max": 1602, "min": 140},
    "parametric_relu": {
        "convergence_rate": 0.20,
        "mean": 810.0,
        "sd": 980.1,
        "max": 1503,
        "min": 117,
    },
}
PAPER_RUNS = 10

LOSSES = ("mse", "cross_entropy")
OUTPUTS = ("sigmoid", "identity")
_INIT_PATTERN = re.compile(r"pytorch|uniform(\d+(\.\d*)?|\.\d+)")


def _finite(value: object, minimum: float, strict: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        return False
    # bool(): a NumPy scalar compares to a numpy.bool, not a bool
    return bool(math.isfinite(value) and (value > minimum if strict else value >= minimum))


@dataclass(frozen=True)
class XorProtocol:
    """Everything the paper leaves unspecified, fixed in one place (and stored with each result).

    Defaults: PyTorch's default ``nn.Linear`` initialisation (weights and biases of a layer with
    ``fan_in`` inputs drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), here U(-0.707, 0.707)),
    mean squared error over the four points, a sigmoid output unit, full-batch gradient descent
    with learning rate 0.5 for every parameter (the paper's algorithm box uses one rate for W, a
    and b), threshold 0.01 and a cap of 20000 steps (runs still above the threshold then are
    right-censored).

    Attributes:
        init: ``"pytorch"`` or ``"uniform<r>"`` (every weight and bias from U(-r, r)).
        lr: learning rate rho of the weights and biases (eq. 4).
        lr_scale, lr_location: learning rates of ``a`` (rho_S of eq. (6)) and ``b`` (rho_L of
            eq. (7)); ``None`` means the same as ``lr``.
        loss: ``"mse"`` (mean of squared errors over the 4 points) or ``"cross_entropy"``
            (binary cross-entropy on the sigmoid output, computed from its logit).
        output: output unit, ``"sigmoid"`` or ``"identity"``.
        threshold: a run has converged at the first step whose loss is <= threshold.
        max_steps: iteration cap.
        learn_scale, learn_location: whether ``a`` and ``b`` are trained (else fixed at their
            initial values).
        hidden_bias_lr_multiplier: the hidden biases learn with ``lr`` times this.
        output_lr_multiplier: the output layer's weights and bias learn with ``lr`` times this
            (the plain control for the scale, whose first-order effect is a larger output-layer
            rate, Chapter 10).
        a_init, b_init: initial ``a`` and ``b`` (the paper's 1 and 0).

    Doubled-bias equivalence: a parametric sigmoid with ``a`` fixed at 1 computes
    ``sigmoid(x w + c - b)``, so ``dL/db = -dL/dc`` and one step moves the effective bias
    ``c - b`` by ``-2 lr dL/dc``. Training ``parametric_sigmoid`` with ``learn_scale=False`` is
    therefore the same trajectory as ``sigmoid`` with ``hidden_bias_lr_multiplier=2.0``
    (``tests/test_xor.py`` checks it step by step to 1e-10).

    Examples:
        >>> XorProtocol(init="uniform0.2", lr=2.0).init_radius
        0.2
        >>> XorProtocol(lr=-1.0)
        Traceback (most recent call last):
        ...
        ValueError: lr must be a positive number, got -1.0
    """

    init: str = "pytorch"
    lr: float = 0.5
    lr_scale: float | None = None
    lr_location: float | None = None
    loss: str = "mse"
    output: str = "sigmoid"
    threshold: float = 0.01
    max_steps: int = 20_000
    learn_scale: bool = True
    learn_location: bool = True
    hidden_bias_lr_multiplier: float = 1.0
    output_lr_multiplier: float = 1.0
    a_init: float = 1.0
    b_init: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.init, str) or not _INIT_PATTERN.fullmatch(self.init):
            raise ValueError(
                f"init must be 'pytorch' or 'uniform<r>' (e.g. 'uniform0.2'), got {self.init!r}"
            )
        if self.init != "pytorch" and not self.init_radius > 0:
            raise ValueError(f"the radius of init {self.init!r} must be positive")
        if not _finite(self.lr, 0, strict=True):
            raise ValueError(f"lr must be a positive number, got {self.lr}")
        for name in ("lr_scale", "lr_location"):
            value = getattr(self, name)
            if value is not None and not _finite(value, 0, strict=False):
                raise ValueError(f"{name} must be a non-negative number or None, got {value}")
        for name in ("hidden_bias_lr_multiplier", "output_lr_multiplier"):
            if not _finite(getattr(self, name), 0, strict=False):
                raise ValueError(f"{name} must be non-negative, got {getattr(self, name)}")
        for name in ("a_init", "b_init"):
            if not _finite(getattr(self, name), -math.inf, strict=True):
                raise ValueError(f"{name} must be a finite number, got {getattr(self, name)}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.output not in OUTPUTS:
            raise ValueError(f"unknown output {self.output!r}; choose one of {', '.join(OUTPUTS)}")
        if self.loss == "cross_entropy" and self.output != "sigmoid":
            raise ValueError(
                "loss 'cross_entropy' needs output 'sigmoid' (it is a loss on probabilities)"
            )
        if not _finite(self.threshold, 0, strict=True):
            raise ValueError(f"threshold must be positive, got {self.threshold}")
        if (
            isinstance(self.max_steps, bool)
            or not isinstance(self.max_steps, (int, np.integer))
            or self.max_steps < 1
        ):
            raise ValueError(f"max_steps must be an integer >= 1, got {self.max_steps}")

    @property
    def init_radius(self) -> float:
        """Half-width r of U(-r, r) for the weights of a layer with fan_in = 2 (both layers here)."""
        return (
            1 / math.sqrt(2) if self.init == "pytorch" else float(self.init.removeprefix("uniform"))
        )

    def learning_rates(self, activation: str) -> dict[str, float]:
        """Learning rate of every parameter group for one hidden activation (0 = not trained).

        The groups are those of :class:`paramact.mlp.MLP` (``"weight"``, ``"scale"``,
        ``"location"``), ``"hidden_bias"``, the hidden layer's biases ``c1``, which learn at
        ``lr * hidden_bias_lr_multiplier``, and ``"output"``, the output layer's ``W2`` and
        ``c2``, at ``lr * output_lr_multiplier``.

        Examples:
            >>> rates = XorProtocol(lr_scale=0.1).learning_rates("parametric_sigmoid")
            >>> rates["weight"], rates["scale"], rates["location"]
            (0.5, 0.1, 0.5)
            >>> XorProtocol().learning_rates("sigmoid")["scale"]  # a plain unit has no a to learn
            0.0
        """
        parametric = is_parametric(activation)
        lr_scale = self.lr if self.lr_scale is None else self.lr_scale
        lr_location = self.lr if self.lr_location is None else self.lr_location
        return {
            "weight": self.lr,
            "hidden_bias": self.lr * self.hidden_bias_lr_multiplier,
            "output": self.lr * self.output_lr_multiplier,
            "scale": lr_scale if parametric and self.learn_scale else 0.0,
            "location": lr_location if parametric and self.learn_location else 0.0,
        }

    def differences(self) -> dict[str, object]:
        """The fields that differ from the default protocol.

        Examples:
            >>> XorProtocol(lr=2.0, max_steps=500).differences()
            {'lr': 2.0, 'max_steps': 500}
        """
        default = XorProtocol()
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }


def check_activations(activations: str | Iterable[str]) -> tuple[str, ...]:
    """Validate activation names (unknown or repeated names raise ``ValueError``).

    Examples:
        >>> check_activations("relu")
        ('relu',)
        >>> check_activations(["relu", "swish"])
        Traceback (most recent call last):
        ...
        ValueError: unknown activation 'swish'; choose from sigmoid, parametric_sigmoid, relu, parametric_relu
    """
    activations = (activations,) if isinstance(activations, str) else tuple(activations)
    if not activations:
        raise ValueError("give at least one activation")
    for name in activations:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    if len(set(activations)) != len(activations):
        raise ValueError(f"repeated activation in {', '.join(activations)}")
    return activations


def check_seeds(seeds: int | Iterable[int]) -> tuple[int, ...]:
    """``N`` means seeds 0..N-1; otherwise a sequence of distinct non-negative integers.

    Examples:
        >>> check_seeds(3), check_seeds([7, 2])
        ((0, 1, 2), (7, 2))
    """
    if isinstance(seeds, bool):  # an int to Python, but neither a count nor a sequence of seeds
        raise TypeError(f"seeds must be a number of seeds or a sequence of seeds, got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"the number of seeds must be at least 1, got {seeds}")
        return tuple(range(int(seeds)))
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    if min(seeds) < 0:
        raise ValueError(f"seeds must be non-negative, got {min(seeds)}")
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct")
    return seeds
