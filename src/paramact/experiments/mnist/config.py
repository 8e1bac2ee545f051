"""What one MNIST experiment trains: :class:`MnistConfig` (the protocol) and :class:`Arm`.

The defaults are the paper's protocol (section IV.2) plus our choices where it is silent; see
:mod:`paramact.experiments.mnist` for the reasons.

>>> config = MnistConfig(epochs=1, seeds=[0], subset=2000, control="doubled-bias")
>>> [arm.name for arm in config.arms]  # doctest: +NORMALIZE_WHITESPACE
['sigmoid', 'parametric_sigmoid', 'relu', 'parametric_relu', 'sigmoid+doubled-bias',
 'relu+doubled-bias']
>>> config = MnistConfig(activations=["sigmoid"], seeds=range(3), sweep_lr=[0.4], sweep_seeds=2)
>>> [(arm.name, seed) for arm, seed in config.runs]  # doctest: +NORMALIZE_WHITESPACE
[('sigmoid', 0), ('sigmoid@lr=0.4', 0), ('sigmoid', 1), ('sigmoid@lr=0.4', 1), ('sigmoid', 2)]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, fields

from paramact.experiments.common import ACTIVATIONS, PAIRS, is_parametric

__all__ = [
    "ACTIVATIONS",
    "CONTROLS",
    "DEFAULT_EPOCHS",
    "OUTPUTS",
    "PAPER_RANGES",
    "QUANTILES",
    "SCHEMA",
    "Arm",
    "MnistConfig",
]

#: Ranges of the learned a and b over the 200 hidden units reported in section IV.2.
PAPER_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "parametric_sigmoid": {"a": (1.07, 4.49), "b": (-0.45, 0.63)},
    "parametric_relu": {"a": (1.00, 2.61), "b": (-2.4, 0.23)},
}
DEFAULT_EPOCHS = 30
#: The ``schema`` of a results file written by this experiment.
SCHEMA = "paramact.mnist/1"
#: The quantiles of the learned a and b recorded after every epoch.
QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)
OUTPUTS = ("softmax", "relu")
#: The control arms: ``doubled-bias`` and ``output-lr`` for each plain activation, ``scale-only``
#: for each parametric one (see :mod:`paramact.experiments.mnist`).
CONTROLS = ("doubled-bias", "output-lr", "scale-only")


@dataclass(frozen=True)
class Arm:
    """One configuration that is trained once per seed.

    ``lr`` is the arm's own learning rate (``None``: the config's); the other fields are the
    controls of :data:`CONTROLS`.

    >>> Arm("relu", doubled_bias=True).name
    'relu+doubled-bias'
    >>> Arm("sigmoid", output_lr_multiplier=2.0, lr=0.4).name
    'sigmoid+output-lr-x2@lr=0.4'
    """

    activation: str
    doubled_bias: bool = False
    output_lr_multiplier: float = 1.0
    scale_only: bool = False
    lr: float | None = None

    @property
    def name(self) -> str:
        name = self.activation
        if self.doubled_bias:
            name += "+doubled-bias"
        if self.output_lr_multiplier != 1.0:
            name += f"+output-lr-x{self.output_lr_multiplier:g}"
        if self.scale_only:
            name += "+scale-only"
        return name + ("" if self.lr is None else f"@lr={self.lr:g}")

    @classmethod
    def from_name(cls, name: str) -> Arm:
        """The inverse of :attr:`name`.

        >>> Arm.from_name("relu+doubled-bias") == Arm("relu", doubled_bias=True)
        True
        >>> Arm.from_name("sigmoid+output-lr-x2@lr=0.4")
        Arm(activation='sigmoid', doubled_bias=False, output_lr_multiplier=2.0, scale_only=False, lr=0.4)
        """
        name, _, rate = name.partition("@lr=")
        activation, *controls = name.split("+")
        multiplier = next((c for c in controls if c.startswith("output-lr-x")), "output-lr-x1")
        return cls(
            activation,
            doubled_bias="doubled-bias" in controls,
            output_lr_multiplier=float(multiplier.removeprefix("output-lr-x")),
            scale_only="scale-only" in controls,
            lr=float(rate) if rate else None,
        )

    @property
    def parametric(self) -> bool:
        return is_parametric(self.activation)

    @property
    def is_control(self) -> bool:
        """Whether this arm is a control (not one of the four activations as the paper trains it)."""
        return self.doubled_bias or self.output_lr_multiplier != 1.0 or self.scale_only


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _rate(name: str, value: float | None, optional: bool = False) -> None:
    if value is None and optional:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True, init=False)
class MnistConfig:
    """The protocol of one run of :func:`~paramact.experiments.mnist.run_mnist`; checked when made.

    Attributes:
        dataset: ``"mnist"`` or ``"fashion-mnist"`` (a label only when the arrays are passed in).
        activations: hidden activations among :data:`ACTIVATIONS`; trained in that canonical order.
        seeds: the seeds; every arm of a seed starts from the same weights and batch order.
        epochs: full passes over the training images.
        lr: rho, the learning rate of the weights and biases.
        lr_scale: rho_S, the learning rate of the scales ``a`` (``None``: ``lr``).
        lr_location: rho_L, the learning rate of the locations ``b`` (``None``: ``lr``).
        batch_size: images per step (the last batch of an epoch may be smaller).
        hidden: hidden units.
        output: ``"softmax"`` (cross-entropy on the scores) or ``"relu"`` (on ReLU(scores)).
        control: the control arms, any of :data:`CONTROLS` (one name, several, or ``None``):
            ``"doubled-bias"`` (plain arms with the hidden bias rate 2 lr), ``"output-lr"``
            (plain arms with the output layer's rate ``output_lr_multiplier`` lr),
            ``"scale-only"`` (parametric arms with ``b`` frozen at ``b_init``).
        output_lr_multiplier: the output layer's rate in the ``"output-lr"`` control, in lr.
        sweep_lr: further learning rates at which the activations (not the controls) are
            trained, on the first ``sweep_seeds`` seeds (a learning-rate sweep).
        sweep_seeds: how many seeds the sweep uses (``None``: all).
        subset: train on the first ``subset`` training images (``None``: all).
        step_block: the training loss is stored as means over blocks of this many steps.
        a_init: initial scale of the parametric activations.
        b_init: initial location of the parametric activations.

    >>> MnistConfig(activations=["relu", "tanh"])
    Traceback (most recent call last):
    ...
    ValueError: unknown activation(s) ['tanh']; choose from ('sigmoid', ...)
    """

    # The defaults are those of __init__, written out because it accepts any iterable (a list, a
    # range) for activations and seeds where the fields hold tuples (the config stays hashable).
    dataset: str
    activations: tuple[str, ...]
    seeds: tuple[int, ...]
    epochs: int
    lr: float
    lr_scale: float | None
    lr_location: float | None
    batch_size: int
    hidden: int
    output: str
    control: tuple[str, ...]
    output_lr_multiplier: float
    sweep_lr: tuple[float, ...]
    sweep_seeds: int | None
    subset: int | None
    step_block: int
    a_init: float
    b_init: float

    def __init__(
        self,
        dataset: str = "mnist",
        activations: Iterable[str] = ACTIVATIONS,
        seeds: Iterable[int] = (0, 1, 2),
        epochs: int = DEFAULT_EPOCHS,
        lr: float = 0.1,
        lr_scale: float | None = None,
        lr_location: float | None = None,
        batch_size: int = 200,
        hidden: int = 200,
        output: str = "softmax",
        control: str | Iterable[str] | None = None,
        output_lr_multiplier: float = 2.0,
        sweep_lr: Iterable[float] = (),
        sweep_seeds: int | None = None,
        subset: int | None = None,
        step_block: int = 10,
        a_init: float = 1.0,
        b_init: float = 0.0,
    ) -> None:
        values = {
            "dataset": dataset,
            "activations": tuple(activations),
            "seeds": tuple(seeds),
            "epochs": epochs,
            "lr": lr,
            "lr_scale": lr_scale,
            "lr_location": lr_location,
            "batch_size": batch_size,
            "hidden": hidden,
            "output": output,
            "control": (control,) if isinstance(control, str) else tuple(control or ()),
            "output_lr_multiplier": output_lr_multiplier,
            "sweep_lr": tuple(sweep_lr),
            "sweep_seeds": sweep_seeds,
            "subset": subset,
            "step_block": step_block,
            "a_init": a_init,
            "b_init": b_init,
        }
        assert values.keys() == {f.name for f in fields(self)}, "__init__ must set every field"
        for name, value in values.items():
            object.__setattr__(self, name, value)  # frozen: set once, here
        self._check()

    def _check(self) -> None:
        seeds = self.seeds
        if not seeds or any(
            isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0 for s in seeds
        ):
            raise ValueError(f"seeds must be one or more integers >= 0, got {list(seeds)}")
        object.__setattr__(self, "seeds", tuple(int(s) for s in seeds))
        unknown = sorted(set(self.activations) - set(ACTIVATIONS))
        if unknown:
            raise ValueError(f"unknown activation(s) {unknown}; choose from {ACTIVATIONS}")
        if not self.activations:
            raise ValueError(f"activations must name at least one of {ACTIVATIONS}")
        unknown = [name for name in self.control if name not in CONTROLS]
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; choose from {CONTROLS}")
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be 'softmax' or 'relu', got {self.output!r}")
        for name in ("epochs", "batch_size", "hidden", "step_block"):
            _positive_int(name, getattr(self, name))
        for name in ("subset", "sweep_seeds"):
            if getattr(self, name) is not None:
                _positive_int(name, getattr(self, name))
        for rate in self.sweep_lr:
            _rate("each sweep_lr", rate)
        _rate("output_lr_multiplier", self.output_lr_multiplier)
        _rate("lr", self.lr)
        _rate("lr_scale", self.lr_scale, optional=True)
        _rate("lr_location", self.lr_location, optional=True)
        for name in ("a_init", "b_init"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise ValueError(f"{name} must be a finite number, got {value!r}")

    @property
    def arms(self) -> list[Arm]:
        """The arms to train: the activations in canonical order, the controls, then the sweep."""
        plain = [name for name, _ in PAIRS if name in self.activations]
        parametric = [name for _, name in PAIRS if name in self.activations]
        activations = [name for name in ACTIVATIONS if name in self.activations]
        arms = [Arm(name) for name in activations]
        if "doubled-bias" in self.control:
            arms += [Arm(name, doubled_bias=True) for name in plain]
        if "output-lr" in self.control:
            arms += [Arm(name, output_lr_multiplier=self.output_lr_multiplier) for name in plain]
        if "scale-only" in self.control:
            arms += [Arm(name, scale_only=True) for name in parametric]
        rates = [rate for rate in self.sweep_lr if rate != self.lr]
        return arms + [Arm(name, lr=rate) for rate in rates for name in activations]

    @property
    def runs(self) -> list[tuple[Arm, int]]:
        """``(arm, seed)`` of every run, seed by seed; the sweep's arms on its seeds only."""
        swept = self.seeds[: self.sweep_seeds]
        return [
            (arm, seed)
            for seed in self.seeds
            for arm in self.arms
            if arm.lr is None or seed in swept
        ]

    @property
    def rate_scale(self) -> float:
        """rho_S as used: ``lr_scale``, or ``lr`` when that is None."""
        return self.lr if self.lr_scale is None else self.lr_scale

    @property
    def rate_location(self) -> float:
        """rho_L as used: ``lr_location``, or ``lr`` when that is None."""
        return self.lr if self.lr_location is None else self.lr_location

    def protocol(self, n_train: int, n_test: int, in_features: int) -> dict:
        """The ``protocol`` block of the results JSON (what was trained, in words and numbers)."""
        arms = self.arms
        return {
            "source": "Kong & Ko (2021), section IV.2; ReLU output variant after Agarap (2018)",
            "dataset": self.dataset,
            "architecture": f"{in_features}-{self.hidden}-10",
            "hidden_activations": [
                arm.activation for arm in arms if not arm.is_control and arm.lr is None
            ],
            "arms": [arm.name for arm in arms],
            "control": list(self.control),
            "output_lr_multiplier": self.output_lr_multiplier,
            "sweep_lr": list(self.sweep_lr),
            "sweep_seeds": list(self.seeds[: self.sweep_seeds]) if self.sweep_lr else [],
            "output": self.output,
            "loss": "softmax cross-entropy" + (" on ReLU outputs" if self.output == "relu" else ""),
            "optimizer": "SGD, no momentum, no weight decay",
            "lr": self.lr,
            "lr_scale": self.rate_scale,
            "lr_location": self.rate_location,
            "hidden_bias_lr_in_control": 2 * self.lr if "doubled-bias" in self.control else None,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "seeds": list(self.seeds),
            "n_train": n_train,
            "n_test": n_test,
            "subset": self.subset,
            "input_scaling": "uint8 / 255, flattened",
            "init": "PyTorch default nn.Linear (uniform +-1/sqrt(fan_in)); parametric "
            f"a = {self.a_init:g}, b = {self.b_init:g}; "
            "same initial weights and batch order for every arm of a seed",
            "a_init": self.a_init,
            "b_init": self.b_init,
            "evaluation": "full passes over train and test after each epoch (eval mode); "
            "the predicted class of every test image after the last epoch",
            "step_loss_block": self.step_block,
            "paper_ranges": PAPER_RANGES,
        }
