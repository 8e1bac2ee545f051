r"""MNIST experiment of Kong & Ko (2021), section IV.2: plain vs parametric hidden activations.

Protocol (the paper's numbers, and our choices where the paper is silent):

* network 784-200-10: ``Linear(784, 200)`` -> hidden activation -> ``Linear(200, 10)``;
  pixels scaled to [0, 1] (``uint8 / 255``), images flattened;
* hidden activations: ``sigmoid``, ``parametric_sigmoid`` (eq. 10), ``relu``,
  ``parametric_relu`` (eq. 11); parametric ones start at ``a = 1, b = 0`` (so they start as the
  plain function) with one ``(a, b)`` per hidden unit;
* loss: cross-entropy on the 10 outputs (softmax cross-entropy); plain SGD (no momentum, no
  weight decay), learning rate 0.1 for every parameter (``rho = rho_S = rho_L``), batch 200,
  60 000 training / 10 000 test images;
* our choices: PyTorch's default ``nn.Linear`` initialisation (weights and biases uniform in
  ``+-1/sqrt(fan_in)``), 3 seeds and **30 epochs** (9 000 steps; the paper gives no number).
  After 30 epochs the test accuracy has flattened, while the spread of the learned ``a`` and
  ``b`` still widens slowly (the largest ``a`` grows steadily), so their ranges depend on the
  training length: compare them with the paper's as ranges *after that many steps*.
  For a given seed every activation starts from the *same* weights and sees the *same*
  mini-batch order, so differences between activations are paired by seed.

Variants:

* ``output="relu"`` (Agarap 2018, "ReLU as the classification function"): a ReLU is applied to
  the 10 output scores and the loss is softmax cross-entropy **on those ReLU outputs**; the
  prediction is their argmax. This is the loss Agarap keeps (only the prediction unit changes),
  so the comparison isolates the output non-linearity; it is well defined for any
  non-negative scores (a sample whose 10 outputs are all 0 costs ``log 10`` and, being dead,
  passes no gradient: the "dying ReLU" failure mode the paper discusses, counted per epoch
  in ``test_dead_outputs``). The alternatives change the loss as well (MSE to one-hot) or
  need a margin choice (squared hinge), so they would confound the comparison. An all-zero
  output row predicts class 0 (first maximum), which is counted as whatever it is.
* ``control="doubled-bias"``: for each plain activation present, an extra arm with the hidden
  layer's bias learning rate doubled. Learning only the location ``b`` of a parametric
  activation with ``a`` fixed at 1 is exactly this: ``sigma(W x + c - b)`` depends on ``c - b``
  only, and ``dL/db = -dL/dc``, so one SGD step moves ``c - b`` by ``-2 rho dL/dc``. The control
  therefore tells how much of any gain is the location parameter alone.

Recorded per run: the training loss of every step (stored as means over blocks of
``step_block`` steps), per epoch the training and test loss and accuracy (full passes after the
epoch, in evaluation mode), the epoch's training wall time, and for parametric arms the
distribution of the learned ``a`` and ``b`` over the hidden units (min, quartiles, max; epoch 0 is
the initial state), plus their final values.

Example (a quick run; needs the data)::

    >>> from paramact.experiments.mnist import run_mnist
    >>> results = run_mnist(epochs=1, seeds=[0], subset=2000)  # doctest: +SKIP
    >>> sorted(results["summary"])  # doctest: +SKIP
    ['parametric_relu', 'parametric_sigmoid', 'relu', 'sigmoid']

Command line: ``paramact mnist --help``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from paramact import data as datasets
from paramact import stats
from paramact.nn import ParametricReLU, ParametricSigmoid, param_groups

__all__ = [
    "ACTIVATIONS",
    "PAPER_RANGES",
    "Arm",
    "build_model",
    "make_optimizer",
    "train_epoch",
    "evaluate",
    "to_tensors",
    "run_mnist",
    "write_outputs",
    "render_from_json",
    "format_tables",
    "plot_results",
    "add_parser",
]

ACTIVATIONS = ("sigmoid", "parametric_sigmoid", "relu", "parametric_relu")
PAPER_PARTNER = {"parametric_sigmoid": "sigmoid", "parametric_relu": "relu"}
# Ranges of the learned a and b over the 200 hidden units reported in section IV.2.
PAPER_RANGES = {
    "parametric_sigmoid": {"a": (1.07, 4.49), "b": (-0.45, 0.63)},
    "parametric_relu": {"a": (1.00, 2.61), "b": (-2.4, 0.23)},
}
DEFAULT_EPOCHS = 30
SCHEMA = "paramact.mnist/1"
QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Arm:
    """One configuration that is trained once per seed.

    >>> Arm("relu", doubled_bias=True).name
    'relu+doubled-bias'
    """

    activation: str
    doubled_bias: bool = False

    @property
    def name(self) -> str:
        return self.activation + ("+doubled-bias" if self.doubled_bias else "")

    @classmethod
    def from_name(cls, name: str) -> Arm:
        """The inverse of :attr:`name`: ``Arm.from_name("relu+doubled-bias") == Arm("relu", True)``."""
        activation, _, control = name.partition("+")
        return cls(activation, doubled_bias=control == "doubled-bias")

    @property
    def parametric(self) -> bool:
        return self.activation.startswith("parametric_")


def build_model(activation: str, hidden: int = 200, output: str = "softmax", in_features: int = 784,
                classes: int = 10) -> nn.Sequential:
    """The 784-``hidden``-10 network: ``Linear``, hidden activation, ``Linear`` (+ ``ReLU`` if ``output="relu"``).

    It returns scores (logits) of shape ``(N, classes)`` for an input ``(N, in_features)``;
    the softmax is inside the cross-entropy loss.

    >>> build_model("parametric_relu", hidden=3)
    Sequential(
      (0): Linear(in_features=784, out_features=3, bias=True)
      (1): ParametricReLU(num_features=3, a_init=1.0, b_init=0.0)
      (2): Linear(in_features=3, out_features=10, bias=True)
    )
    """
    hidden_activation = {
        "sigmoid": lambda: nn.Sigmoid(),
        "parametric_sigmoid": lambda: ParametricSigmoid(hidden),
        "relu": lambda: nn.ReLU(),
        "parametric_relu": lambda: ParametricReLU(hidden),
    }
    if activation not in hidden_activation:
        raise ValueError(f"unknown activation {activation!r}; choose from {ACTIVATIONS}")
    if output not in ("softmax", "relu"):
        raise ValueError(f"output must be 'softmax' or 'relu', got {output!r}")
    layers = [nn.Linear(in_features, hidden), hidden_activation[activation](), nn.Linear(hidden, classes)]
    if output == "relu":
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make_optimizer(model: nn.Sequential, lr: float, lr_scale: float | None = None, lr_location: float | None = None,
                   doubled_bias: bool = False) -> torch.optim.SGD:
    """Plain SGD with the paper's rates: ``lr`` (rho) for weights, ``lr_scale`` (rho_S) and ``lr_location`` (rho_L).

    ``doubled_bias=True`` gives the hidden layer's bias (``model[0].bias``) the rate ``2 * lr``:
    the reparametrised control described in the module docstring.

    >>> optimizer = make_optimizer(build_model("relu", hidden=3), lr=0.1, doubled_bias=True)
    >>> [(group["name"], group["lr"]) for group in optimizer.param_groups]
    [('weights', 0.1), ('hidden_bias', 0.2)]
    """
    groups = param_groups(model, lr, lr_scale=lr_scale, lr_location=lr_location)
    if doubled_bias:
        hidden_bias = model[0].bias
        for group in groups:
            group["params"] = [p for p in group["params"] if p is not hidden_bias]
        groups.append({"params": [hidden_bias], "lr": 2 * lr, "name": "hidden_bias"})
    return torch.optim.SGD(groups, lr=lr)


def train_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
                batch_size: int, generator: torch.Generator, progress=None) -> torch.Tensor:
    """One epoch of mini-batch training in a random order; returns the per-step losses ``(steps,)``.

    ``x`` ``(N, D)`` float32 and ``y`` ``(N,)`` int64 already on the model's device; batches are
    taken by index from one permutation drawn with ``generator`` (a CPU ``torch.Generator``);
    the last batch is smaller when ``batch_size`` does not divide ``N``. The losses stay on the
    device (no synchronisation per step): read them once, e.g. ``losses.tolist()``; on CUDA
    call ``torch.cuda.synchronize()`` before reading a clock. ``progress`` (optional) has an
    ``update()`` called per step, e.g. a tqdm bar.

    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = build_model("parametric_sigmoid", hidden=8, in_features=4, classes=3)
    >>> x, y = torch.rand(10, 4), torch.randint(0, 3, (10,))
    >>> losses = train_epoch(model, make_optimizer(model, lr=0.1), x, y, 4, torch.Generator().manual_seed(0))
    >>> losses.shape
    torch.Size([3])
    """
    n = x.shape[0]
    order = torch.randperm(n, generator=generator).to(x.device)
    steps = math.ceil(n / batch_size)
    losses = torch.empty(steps, device=x.device)
    model.train()
    for step in range(steps):
        index = order[step * batch_size:(step + 1) * batch_size]
        loss = F.cross_entropy(model(x.index_select(0, index)), y.index_select(0, index))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
        if progress is not None:
            progress.update()
    return losses


@torch.inference_mode()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 10000) -> dict:
    """Mean cross-entropy, number correct and accuracy on ``(x, y)``, plus the dead-output count.

    ``dead_outputs`` counts the samples whose scores are all zero (only possible with a ReLU
    output layer).

    >>> model = build_model("relu", hidden=4, in_features=2, classes=3)
    >>> sorted(evaluate(model, torch.rand(5, 2), torch.tensor([0, 1, 2, 0, 1])))
    ['accuracy', 'correct', 'dead_outputs', 'loss', 'n']
    """
    model.eval()
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), dtype=torch.int64, device=x.device)
    dead = torch.zeros((), dtype=torch.int64, device=x.device)
    for start in range(0, x.shape[0], batch_size):
        scores = model(x[start:start + batch_size])
        targets = y[start:start + batch_size]
        total_loss += F.cross_entropy(scores, targets, reduction="sum")
        correct += (scores.argmax(dim=1) == targets).sum()
        dead += (scores == 0).all(dim=1).sum()
    n = x.shape[0]
    return {"loss": total_loss.item() / n, "correct": int(correct.item()), "n": n,
            "accuracy": correct.item() / n, "dead_outputs": int(dead.item())}


def to_tensors(images: np.ndarray, labels: np.ndarray, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``uint8 (N, 28, 28)`` images and labels -> float32 ``(N, 784)`` in [0, 1] and int64 ``(N,)`` on ``device``.

    >>> x, y = to_tensors(np.full((2, 28, 28), 255, np.uint8), np.array([1, 2]), torch.device("cpu"))
    >>> x.shape, x.max().item(), y.dtype
    (torch.Size([2, 784]), 1.0, torch.int64)
    """
    x = torch.from_numpy(np.ascontiguousarray(images).reshape(len(images), -1)).to(device=device, dtype=torch.float32)
    x /= 255.0
    return x, torch.from_numpy(np.asarray(labels, dtype=np.int64)).to(device)


def _resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for but torch.cuda.is_available() is False")
    return torch.device(device)


def _parametric_layer(model: nn.Sequential):
    return model[1] if isinstance(model[1], (ParametricSigmoid, ParametricReLU)) else None


def _quantiles(values: torch.Tensor) -> list[float]:
    return [_round(v) for v in torch.quantile(values.detach().float().cpu(), torch.tensor(QUANTILES)).tolist()]


def _round(value: float, digits: int = 6) -> float | None:
    """Compact JSON numbers; NaN (e.g. an interval from one seed) becomes null."""
    value = float(value)
    return None if math.isnan(value) else float(f"{value:.{digits}g}")


def _block_means(values: list[float], block: int) -> list[float]:
    return [_round(np.mean(values[i:i + block])) for i in range(0, len(values), block)]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _source_digests() -> dict[str, str]:
    """SHA-256 (first 16 hex digits) of the paramact modules this experiment runs.

    The package is installed editable and its version is not bumped on every change, so the
    digests tell which code produced a results file.
    """
    import paramact.functional
    import paramact.nn

    modules = (paramact.functional, paramact.nn, datasets, sys.modules[__name__])
    return {module.__name__: hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()[:16] for module in modules}


def _environment(device: torch.device) -> dict:
    try:
        paramact_version = importlib.metadata.version("paramact")
    except importlib.metadata.PackageNotFoundError:
        paramact_version = None
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "paramact": paramact_version,
        "paramact_sources_sha256": _source_digests(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "device": str(device),
    }


def _train_one(arm: Arm, seed: int, tensors, config: dict, device: torch.device, bars) -> dict:
    """Train ``arm`` from seed ``seed`` and return its record for the results JSON."""
    x_train, y_train, x_test, y_test = tensors
    torch.manual_seed(seed)  # the same initial weights for every arm of a seed
    model = build_model(arm.activation, config["hidden"], config["output"]).to(device)
    optimizer = make_optimizer(model, config["lr"], config["lr_scale"], config["lr_location"], arm.doubled_bias)
    generator = torch.Generator().manual_seed(seed)  # the same batch order for every arm of a seed
    parametric = _parametric_layer(model)
    epochs, step_losses = [], []

    def snapshot(epoch: int, wall: float | None) -> dict:
        train, test = evaluate(model, x_train, y_train), evaluate(model, x_test, y_test)
        record = {"epoch": epoch, "train_wall_s": _round(wall) if wall is not None else None,
                  "train_loss": _round(train["loss"]), "train_accuracy": _round(train["accuracy"]),
                  "test_loss": _round(test["loss"]), "test_accuracy": _round(test["accuracy"]),
                  "test_correct": test["correct"], "test_dead_outputs": test["dead_outputs"]}
        if parametric is not None:
            record["a_quantiles"] = _quantiles(parametric.a)
            record["b_quantiles"] = _quantiles(parametric.b)
        return record

    epochs.append(snapshot(0, None))
    for epoch in range(1, config["epochs"] + 1):
        start = time.perf_counter()
        losses = train_epoch(model, optimizer, x_train, y_train, config["batch_size"], generator, bars.steps)
        step_losses.extend(losses.tolist())  # the one synchronisation of the epoch
        wall = time.perf_counter() - start
        epochs.append(snapshot(epoch, wall))
        bars.epoch_done(arm, seed, epochs[-1])
    final = epochs[-1]
    run = {
        "arm": arm.name, "activation": arm.activation, "doubled_bias": arm.doubled_bias, "seed": seed,
        "epochs": epochs,
        "step_loss_block_means": _block_means(step_losses, config["step_block"]),
        "steps": len(step_losses),
        "test_correct": final["test_correct"], "n_test": int(x_test.shape[0]),
        "test_accuracy": final["test_accuracy"],
        "test_accuracy_wilson95": [_round(v) for v in stats.wilson_interval(final["test_correct"], int(x_test.shape[0]))],
        "median_epoch_wall_s": _round(np.median([e["train_wall_s"] for e in epochs[1:]])),
    }
    if parametric is not None:
        run["final_a"] = [_round(v, 5) for v in parametric.a.detach().cpu().tolist()]
        run["final_b"] = [_round(v, 5) for v in parametric.b.detach().cpu().tolist()]
    return run


def _summarise(runs: list[dict], arms: list[Arm]) -> dict:
    """Per arm: test accuracy over seeds (mean, t-interval), paired differences, learned ranges."""
    by_arm = {arm.name: [run for run in runs if run["arm"] == arm.name] for arm in arms}
    accuracy = {name: {run["seed"]: run["test_accuracy"] for run in arm_runs} for name, arm_runs in by_arm.items()}
    summary = {}
    for arm in arms:
        arm_runs = by_arm[arm.name]
        values = [run["test_accuracy"] for run in arm_runs]
        entry = {
            "seeds": [run["seed"] for run in arm_runs],
            "test_accuracy": values,
            "test_accuracy_mean": _round(np.mean(values)),
            "test_accuracy_t95": [_round(v) for v in stats.mean_ci(values)],
            "test_accuracy_wilson95": [run["test_accuracy_wilson95"] for run in arm_runs],
            "final_train_loss_mean": _round(np.mean([run["epochs"][-1]["train_loss"] for run in arm_runs])),
            "final_test_dead_outputs": [run["epochs"][-1]["test_dead_outputs"] for run in arm_runs],
            "median_epoch_wall_s": _round(np.median([e["train_wall_s"] for run in arm_runs for e in run["epochs"][1:]])),
        }
        # parametric arms are compared with their plain counterpart, controls with the plain arm
        baseline = arm.activation if arm.doubled_bias else PAPER_PARTNER.get(arm.activation)
        if baseline in accuracy:
            shared = sorted(set(accuracy[arm.name]) & set(accuracy[baseline]))
            differences = [accuracy[arm.name][seed] - accuracy[baseline][seed] for seed in shared]
            entry["paired_difference_vs"] = baseline
            entry["paired_difference_mean"] = _round(np.mean(differences)) if differences else None
            entry["paired_difference_t95"] = [_round(v) for v in stats.mean_ci(differences)]
        if arm.parametric:
            for name in ("a", "b"):
                pooled = np.concatenate([run[f"final_{name}"] for run in arm_runs])
                entry[f"{name}_range"] = [_round(pooled.min()), _round(pooled.max())]
                entry[f"{name}_range_per_seed"] = [[_round(min(run[f"final_{name}"])), _round(max(run[f"final_{name}"]))]
                                                   for run in arm_runs]
                entry[f"{name}_quantiles"] = [_round(v) for v in np.quantile(pooled, QUANTILES)]
                entry[f"paper_{name}_range"] = list(PAPER_RANGES[arm.activation][name])
        summary[arm.name] = entry
    return summary


class _Progress:
    """tqdm bars (runs x epochs, and steps) on a terminal; one line per finished run otherwise."""

    def __init__(self, total_epochs: int, steps_per_epoch: int, enabled: bool | None):
        from tqdm.auto import tqdm

        self.interactive = sys.stderr.isatty() if enabled is None else enabled
        self.epochs = tqdm(total=total_epochs, desc="epochs", unit="epoch", disable=not self.interactive)
        self.steps = (tqdm(total=steps_per_epoch, desc="steps", unit="step", leave=False, position=1)
                      if self.interactive else None)

    def epoch_done(self, arm: Arm, seed: int, record: dict) -> None:
        self.epochs.set_postfix_str(f"{arm.name} seed {seed} test acc {record['test_accuracy']:.4f}")
        self.epochs.update()
        if self.steps is not None:
            self.steps.reset()

    def run_done(self, run: dict) -> None:
        if not self.interactive:
            print(f"{run['arm']:<28} seed {run['seed']}: test accuracy {run['test_accuracy']:.4f} "
                  f"after {len(run['epochs']) - 1} epochs, median epoch {run['median_epoch_wall_s']:.2f} s",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.steps is not None:
            self.steps.close()
        self.epochs.close()


def run_mnist(dataset: str = "mnist", activations=ACTIVATIONS, seeds=(0, 1, 2), epochs: int = DEFAULT_EPOCHS,
              lr: float = 0.1, batch_size: int = 200, hidden: int = 200, lr_scale: float | None = None,
              lr_location: float | None = None, output: str = "softmax", control: str | None = None,
              subset: int | None = None, device: str = "auto", step_block: int = 10, progress: bool | None = None,
              data: datasets.MnistArrays | None = None) -> dict:
    """Train every arm (activation, plus controls) for every seed; return the results as a dict.

    ``dataset`` is ``"mnist"`` or ``"fashion-mnist"`` (loaded with :mod:`paramact.data`) unless
    ``data`` (a :class:`paramact.data.MnistArrays`) is given. ``subset=N`` trains on the first
    N training images (the test set is always complete). ``control="doubled-bias"`` adds the
    reparametrised baseline for each plain activation. The dict is what :func:`write_outputs`
    stores as JSON: ``protocol``, ``environment``, ``data``, ``runs`` (one per arm and seed) and
    ``summary`` (per arm).

    >>> results = run_mnist(activations=["relu"], seeds=[0], epochs=1, subset=2000)  # doctest: +SKIP
    >>> results["summary"]["relu"]["test_accuracy_mean"]  # doctest: +SKIP
    0.6926
    >>> write_outputs(results, "results/mnist", "quick")  # doctest: +SKIP
    [PosixPath('results/mnist/quick.json'), PosixPath('results/mnist/quick_summary.md'), ...]
    """
    unknown = set(activations) - set(ACTIVATIONS)
    if unknown:
        raise ValueError(f"unknown activation(s) {sorted(unknown)}; choose from {ACTIVATIONS}")
    if control not in (None, "doubled-bias"):
        raise ValueError(f"control must be None or 'doubled-bias', got {control!r}")
    arms = [Arm(name) for name in ACTIVATIONS if name in activations]
    if control == "doubled-bias":
        arms += [Arm(name, doubled_bias=True) for name in ("sigmoid", "relu") if name in activations]
    torch_device = _resolve_device(device)
    environment = _environment(torch_device)  # before training: the source digests of the code loaded now
    data_source = "paramact.data.load_dataset" if data is None else "arrays passed to run_mnist"
    if data is None:
        data = datasets.load_dataset(dataset)
    x_train, y_train = data.x_train, data.y_train
    if subset is not None:
        x_train, y_train = x_train[:subset], y_train[:subset]
    tensors = (*to_tensors(x_train, y_train, torch_device), *to_tensors(data.x_test, data.y_test, torch_device))
    config = {"hidden": hidden, "output": output, "lr": lr, "lr_scale": lr_scale, "lr_location": lr_location,
              "epochs": epochs, "batch_size": batch_size, "step_block": step_block}
    seeds = list(seeds)
    bars = _Progress(len(arms) * len(seeds) * epochs, math.ceil(len(x_train) / batch_size), progress)
    runs = []
    try:
        for seed in seeds:
            for arm in arms:
                runs.append(_train_one(arm, seed, tensors, config, torch_device, bars))
                bars.run_done(runs[-1])
    finally:
        bars.close()
    return {
        "schema": SCHEMA,
        "protocol": {
            "source": "Kong & Ko (2021), section IV.2; ReLU output variant after Agarap (2018)",
            "dataset": dataset,
            "architecture": f"{x_train[0].size}-{hidden}-10",
            "hidden_activations": [arm.activation for arm in arms if not arm.doubled_bias],
            "arms": [arm.name for arm in arms],
            "control": control,
            "output": output,
            "loss": "softmax cross-entropy" + (" on ReLU outputs" if output == "relu" else ""),
            "optimizer": "SGD, no momentum, no weight decay",
            "lr": lr, "lr_scale": lr if lr_scale is None else lr_scale,
            "lr_location": lr if lr_location is None else lr_location,
            "hidden_bias_lr_in_control": 2 * lr if control == "doubled-bias" else None,
            "batch_size": batch_size, "epochs": epochs, "seeds": seeds,
            "n_train": int(len(x_train)), "n_test": int(len(data.x_test)), "subset": subset,
            "input_scaling": "uint8 / 255, flattened",
            "init": "PyTorch default nn.Linear (uniform +-1/sqrt(fan_in)); parametric a = 1, b = 0; "
                    "same initial weights and batch order for every arm of a seed",
            "evaluation": "full passes over train and test after each epoch (eval mode)",
            "step_loss_block": step_block,
            "paper_ranges": PAPER_RANGES,
        },
        "environment": environment,
        "data": {
            "source": data_source,
            # digests of the arrays actually used (IDX encoding; = the canonical files' when complete)
            **{f"{role}_idx_sha256": datasets.idx_sha256(np.asarray(array, dtype=np.uint8))
               for role, array in (("x_train", x_train), ("y_train", y_train),
                                   ("x_test", data.x_test), ("y_test", data.y_test))},
        },
        "runs": runs,
        "summary": _summarise(runs, arms),
    }


# ----------------------------------------------------------------------------------------------
# Tables, figures and files
# ----------------------------------------------------------------------------------------------


def _interval(pair) -> str:
    return "n/a" if pair is None or None in pair else f"[{pair[0]:.4f}, {pair[1]:.4f}]"


def format_tables(results: dict) -> str:
    """Markdown tables: test accuracy with intervals per arm, and learned a, b ranges vs the paper's."""
    summary, protocol = results["summary"], results["protocol"]
    lines = [
        f"Test accuracy after {protocol['epochs']} epochs ({protocol['dataset']}, {protocol['output']} output, "
        f"{len(protocol['seeds'])} seeds; t-interval over seeds, Wilson interval per run, paired differences by seed)",
        "",
        "| arm | mean | 95% t-interval | per seed (Wilson 95%) | paired diff. vs | mean diff. [95% t] | final train loss |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, entry in summary.items():
        per_seed = "; ".join(f"{acc:.4f} {_interval(w)}" for acc, w in zip(entry["test_accuracy"], entry["test_accuracy_wilson95"]))
        if "paired_difference_vs" in entry:
            versus = entry["paired_difference_vs"]
            diff = f"{entry['paired_difference_mean']:+.4f} {_interval(entry['paired_difference_t95'])}"
        else:
            versus, diff = "", ""
        lines.append(f"| {name} | {entry['test_accuracy_mean']:.4f} | {_interval(entry['test_accuracy_t95'])} | "
                     f"{per_seed} | {versus} | {diff} | {entry['final_train_loss_mean']:.4f} |")
    if protocol["output"] == "relu":
        lines += ["", "Test images whose 10 ReLU outputs are all 0 (dead outputs), per seed: "
                  + "; ".join(f"{name} {entry['final_test_dead_outputs']}" for name, entry in summary.items())]
    parametric = [(name, entry) for name, entry in summary.items() if "a_range" in entry]
    if parametric:
        lines += ["", "Learned scale a and location b over the hidden units (final epoch; ours pooled over seeds)", "",
                  "| activation | parameter | ours: range | ours: per-seed ranges | ours: quartiles | paper: range |",
                  "|---|---|---|---|---|---|"]
        for name, entry in parametric:
            for parameter in ("a", "b"):
                low, high = entry[f"{parameter}_range"]
                seeds = "; ".join(f"[{lo:.2f}, {hi:.2f}]" for lo, hi in entry[f"{parameter}_range_per_seed"])
                quartiles = ", ".join(f"{v:.2f}" for v in entry[f"{parameter}_quantiles"][1:4])
                paper = entry[f"paper_{parameter}_range"]
                lines.append(f"| {name} | {parameter} | [{low:.2f}, {high:.2f}] | {seeds} | {quartiles} | "
                             f"[{paper[0]:.2f}, {paper[1]:.2f}] |")
    wall = [entry["median_epoch_wall_s"] for entry in summary.values()]
    env = results["environment"]
    lines += ["", f"Median training time per epoch: {', '.join(f'{n} {w:.2f} s' for n, w in zip(summary, wall))} "
              f"({env['device']}, {env['cpu_model']}, {env['torch_threads']} threads)"]
    return "\n".join(lines) + "\n"


_PANELS = (("sigmoid", "parametric_sigmoid", "sigmoid+doubled-bias"),
           ("relu", "parametric_relu", "relu+doubled-bias"))
_STYLE = {"sigmoid": ("C0", "-"), "relu": ("C0", "-"), "parametric_sigmoid": ("C3", "-"),
          "parametric_relu": ("C3", "-"), "sigmoid+doubled-bias": ("C2", "--"), "relu+doubled-bias": ("C2", "--")}


def _runs_by_arm(results: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for run in results["runs"]:
        grouped.setdefault(run["arm"], []).append(run)
    return grouped


def _save(figure, out_dir: Path, name: str) -> list[Path]:
    import matplotlib

    paths = []
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "paramact"}):
        for suffix in ("png", "svg"):
            path = out_dir / f"{name}.{suffix}"
            figure.savefig(path, dpi=120, metadata={"Date": None} if suffix == "svg" else None)
            paths.append(path)
    return paths


def _coarsen(steps: np.ndarray, curves: np.ndarray, max_points: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Average consecutive points so that at most ``max_points`` remain (keeps the SVGs small).

    >>> _coarsen(np.arange(6.0), np.arange(12.0).reshape(2, 6), max_points=3)
    (array([0.5, 2.5, 4.5]), array([[ 0.5,  2.5,  4.5],
           [ 6.5,  8.5, 10.5]]))
    """
    factor = math.ceil(len(steps) / max_points)
    if factor <= 1:
        return steps, curves
    starts = np.arange(0, len(steps), factor)
    counts = np.diff(np.append(starts, len(steps)))
    return np.add.reduceat(steps, starts) / counts, np.add.reduceat(curves, starts, axis=1) / counts


def plot_results(results: dict, out_dir: Path, stem: str) -> list[Path]:
    """Fig. 11-like training-loss curves, test accuracy per epoch, and the learned a, b (PNG + SVG).

    Uses matplotlib's object API (no pyplot, no backend switch). Returns the files written.
    """
    from matplotlib.figure import Figure

    grouped = _runs_by_arm(results)
    block = results["protocol"]["step_loss_block"]
    panels = [[arm for arm in panel if arm in grouped] for panel in _PANELS]
    panels = [panel for panel in panels if panel]
    written = []

    figure = Figure(figsize=(5.5 * len(panels), 4), layout="constrained")
    for axes, panel in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels):
        for arm in panel:
            curves = np.array([run["step_loss_block_means"] for run in grouped[arm]])
            steps = (np.arange(curves.shape[1]) + 0.5) * block
            steps, curves = _coarsen(steps, curves)
            colour, line = _STYLE[arm]
            axes.plot(steps, curves.mean(axis=0), color=colour, linestyle=line, linewidth=1, label=arm)
            axes.fill_between(steps, curves.min(axis=0), curves.max(axis=0), color=colour, alpha=0.25, linewidth=0)
        axes.set_yscale("log")
        axes.set_xlabel("training step")
        axes.set_ylabel("training loss (running block mean)")
        axes.legend(title=f"mean, band = min-max over {len(grouped[panel[0]])} seeds", fontsize="small")
    figure.suptitle(f"Training loss ({results['protocol']['dataset']}, cf. Fig. 11 of Kong & Ko 2021)")
    written += _save(figure, out_dir, f"{stem}_fig11")

    figure = Figure(figsize=(5.5 * len(panels), 4), layout="constrained")
    for axes, panel in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels):
        for arm in panel:
            accuracy = np.array([[e["test_accuracy"] for e in run["epochs"][1:]] for run in grouped[arm]])
            epochs = np.arange(1, accuracy.shape[1] + 1)
            colour, line = _STYLE[arm]
            axes.plot(epochs, accuracy.mean(axis=0), color=colour, linestyle=line, label=arm)
            axes.fill_between(epochs, accuracy.min(axis=0), accuracy.max(axis=0), color=colour, alpha=0.25, linewidth=0)
        axes.set_xlabel("epoch")
        axes.set_ylabel("test accuracy")
        axes.legend(fontsize="small")
    written += _save(figure, out_dir, f"{stem}_test_accuracy")

    parametric = [arm for arm in ("parametric_sigmoid", "parametric_relu") if arm in grouped]
    if parametric:
        figure = Figure(figsize=(10, 3.2 * len(parametric)), layout="constrained")
        grid = figure.subplots(len(parametric), 2, squeeze=False)
        for row, arm in zip(grid, parametric):
            for axes, name in zip(row, ("a", "b")):
                values = np.concatenate([run[f"final_{name}"] for run in grouped[arm]])
                low, high = PAPER_RANGES[arm][name]
                axes.axvspan(low, high, color="0.85", label="paper's range")
                axes.hist(values, bins=40, color=_STYLE[arm][0], alpha=0.8, label=f"ours ({len(grouped[arm])} seeds)")
                axes.set_xlabel(f"{name} ({arm}, final)")
                axes.set_ylabel("hidden units")
                axes.legend(fontsize="small")
        written += _save(figure, out_dir, f"{stem}_ab_hist")

        figure = Figure(figsize=(10, 3.2 * len(parametric)), layout="constrained")
        grid = figure.subplots(len(parametric), 2, squeeze=False)
        for row, arm in zip(grid, parametric):
            for axes, name in zip(row, ("a", "b")):
                # (seeds, epochs + 1, 5 quantiles), averaged over seeds
                quantiles = np.array([[e[f"{name}_quantiles"] for e in run["epochs"]] for run in grouped[arm]]).mean(axis=0)
                epochs = np.arange(quantiles.shape[0])
                axes.fill_between(epochs, quantiles[:, 0], quantiles[:, 4], color=_STYLE[arm][0], alpha=0.2, label="min-max")
                axes.fill_between(epochs, quantiles[:, 1], quantiles[:, 3], color=_STYLE[arm][0], alpha=0.45, label="quartiles")
                axes.plot(epochs, quantiles[:, 2], color=_STYLE[arm][0], label="median")
                for bound in PAPER_RANGES[arm][name]:
                    axes.axhline(bound, color="k", linestyle=":", linewidth=1)
                axes.set_xlabel("epoch")
                axes.set_ylabel(f"{name} ({arm})")
                axes.legend(fontsize="small", title="dotted: paper's range")
        written += _save(figure, out_dir, f"{stem}_ab_epochs")
    return written


def default_stem(dataset: str, output: str, subset: int | None) -> str:
    """File-name stem for a run, e.g. ``mnist_softmax`` or ``fashion-mnist_relu_subset2000``.

    >>> default_stem("mnist", "relu", None)
    'mnist_relu'
    """
    return f"{dataset}_{output}" + (f"_subset{subset}" if subset else "")


def _to_json(results: dict) -> str:
    """Indented JSON with every list of numbers on one line (compact, yet readable and diffable).

    >>> print(_to_json({"a": [1, 2.5, None], "b": {"c": "x"}}), end="")
    {
     "a": [1, 2.5, null],
     "b": {
      "c": "x"
     }
    }
    """
    text = json.dumps(results, indent=1, allow_nan=False)
    number_list = re.compile(r"\[\s*((?:-?[0-9.eE+-]+|null)(?:,\s*(?:-?[0-9.eE+-]+|null))*)\s*\]")
    return number_list.sub(lambda match: "[" + re.sub(r",\s*", ", ", match.group(1)) + "]", text) + "\n"


def write_outputs(results: dict, out_dir: str | os.PathLike, stem: str, figures: bool = True) -> list[Path]:
    """Write ``<stem>.json``, ``<stem>_summary.md`` and (``figures=True``) the figures; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(_to_json(results))
    summary_path = out_dir / f"{stem}_summary.md"
    summary_path.write_text(format_tables(results))
    written = [json_path, summary_path]
    if figures:
        written += plot_results(results, out_dir, stem)
    return written


def render_from_json(path: str | os.PathLike, figures: bool = True) -> tuple[dict, list[Path]]:
    """Recompute the summary, tables and figures of a stored results JSON without training.

    The files are rewritten next to ``path`` under the same stem. Returns the results and the paths.
    """
    path = Path(path)
    results = json.loads(path.read_text())
    if results.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a results file of this experiment (schema {results.get('schema')!r})")
    results["summary"] = _summarise(results["runs"], [Arm.from_name(name) for name in results["protocol"]["arms"]])
    return results, write_outputs(results, path.parent, path.stem, figures)


# ----------------------------------------------------------------------------------------------
# Command line: paramact mnist
# ----------------------------------------------------------------------------------------------


def _run_cli(args: argparse.Namespace) -> int:
    if args.from_json:
        results, written = render_from_json(args.from_json, figures=args.figures)
        print(format_tables(results))
        print("Wrote " + ", ".join(str(path) for path in written))
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        results = run_mnist(
            dataset=args.dataset, activations=args.activations, seeds=range(args.seeds), epochs=args.epochs,
            lr=args.lr, batch_size=args.batch_size, hidden=args.hidden, lr_scale=args.lr_scale,
            lr_location=args.lr_location, output=args.output,
            control=None if args.control == "none" else args.control, subset=args.subset, device=args.device,
            step_block=args.step_block, progress=None if args.progress else False,
        )
    except (datasets.DataUnavailableError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    stem = args.name or default_stem(args.dataset, args.output, args.subset)
    written = write_outputs(results, args.out, stem, figures=args.figures)
    print(format_tables(results))
    print("Wrote " + ", ".join(str(path) for path in written))
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``paramact mnist`` on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "mnist",
        help="MNIST experiment of section IV.2: plain vs parametric sigmoid / ReLU",
        description="Train 784-200-10 networks with plain and parametric hidden activations (Kong & Ko 2021, "
                    "section IV.2) for several seeds; write JSON, a Markdown summary and figures.",
    )
    parser.add_argument("--dataset", choices=sorted(datasets.DATASETS), default="mnist", help="default: mnist")
    parser.add_argument("--activations", nargs="+", choices=ACTIVATIONS, default=list(ACTIVATIONS), metavar="NAME",
                        help=f"hidden activations among {', '.join(ACTIVATIONS)} (default: all four)")
    parser.add_argument("--seeds", type=_positive_int, default=3, help="number of seeds 0, 1, ..., N-1 (default: 3)")
    parser.add_argument("--epochs", type=_positive_int, default=DEFAULT_EPOCHS,
                        help=f"epochs per run; the paper gives none (default: {DEFAULT_EPOCHS})")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate rho of weights and biases (default: 0.1)")
    parser.add_argument("--lr-scale", type=float, default=None, help="rho_S of the scales a (default: --lr)")
    parser.add_argument("--lr-location", type=float, default=None, help="rho_L of the locations b (default: --lr)")
    parser.add_argument("--batch-size", type=_positive_int, default=200, help="default: 200")
    parser.add_argument("--hidden", type=_positive_int, default=200, help="hidden units (default: 200)")
    parser.add_argument("--output", choices=("softmax", "relu"), default="softmax",
                        help="softmax: cross-entropy on the scores; relu: cross-entropy on ReLU(scores), "
                             "Agarap 2018 (default: softmax)")
    parser.add_argument("--control", choices=("none", "doubled-bias"), default="none",
                        help="doubled-bias: also train the plain activations with the hidden bias learning "
                             "rate doubled (default: none)")
    parser.add_argument("--subset", type=_positive_int, default=None,
                        help="train on the first N training images only (default: all 60000)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="auto: cuda when available (default: auto)")
    parser.add_argument("--threads", type=_positive_int, default=None,
                        help="torch.set_num_threads; use 1 on a CPU shared with other jobs (default: torch's "
                             "choice, the number of physical cores)")
    parser.add_argument("--step-block", type=_positive_int, default=10,
                        help="store the training loss as means over blocks of this many steps (default: 10)")
    parser.add_argument("--out", default="results/mnist", help="output folder (default: results/mnist)")
    parser.add_argument("--name", default=None, help="file-name stem (default: DATASET_OUTPUT[_subsetN])")
    parser.add_argument("--no-figures", dest="figures", action="store_false", help="skip the figures")
    parser.add_argument("--from-json", metavar="PATH", default=None,
                        help="do not train: redo the summary, tables and figures of a stored results JSON")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bars (they are shown only on a terminal anyway)")
    parser.set_defaults(func=_run_cli)
    return parser
