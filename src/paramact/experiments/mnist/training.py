"""Training and evaluation of one network: one epoch, an evaluation pass, one arm for one seed.

:func:`~paramact.experiments.mnist.runner.run_mnist` runs every arm for every seed with them.

>>> torch.manual_seed(0)  # doctest: +ELLIPSIS
<torch._C.Generator object at ...>
>>> model = build_model("parametric_sigmoid", hidden=8, in_features=4, classes=3)
>>> x, y = torch.rand(10, 4), torch.randint(0, 3, (10,))
>>> optimizer, generator = make_optimizer(model, lr=0.1), torch.Generator().manual_seed(0)
>>> train_epoch(model, optimizer, x, y, 4, generator).shape
torch.Size([3])
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from paramact.experiments import common
from paramact.experiments.mnist.config import QUANTILES, Arm, MnistConfig
from paramact.experiments.mnist.model import build_model, make_optimizer, parametric_layer

__all__ = [
    "DeviceUnavailableError",
    "resolve_device",
    "to_tensors",
    "train_epoch",
    "evaluate",
    "train_arm",
]

Tensors = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


class DeviceUnavailableError(RuntimeError):
    """The device asked for (``cuda``) is not available on this machine."""


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"``: cuda when available, else cpu. Raises :class:`DeviceUnavailableError`.

    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DeviceUnavailableError(
            "device cuda was asked for but torch.cuda.is_available() is False"
        )
    return device


def to_tensors(
    images: np.ndarray, labels: np.ndarray, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """``uint8 (N, 28, 28)`` images, labels -> float32 ``(N, 784)`` in [0, 1], int64 ``(N,)``.

    Both are on ``device``.

    >>> images, labels = np.full((2, 28, 28), 255, np.uint8), np.array([1, 2])
    >>> x, y = to_tensors(images, labels, torch.device("cpu"))
    >>> x.shape, x.max().item(), y.dtype
    (torch.Size([2, 784]), 1.0, torch.int64)
    """
    x = torch.from_numpy(np.ascontiguousarray(images).reshape(len(images), -1)).to(
        device=device, dtype=torch.float32
    )
    x /= 255.0
    return x, torch.from_numpy(np.asarray(labels, dtype=np.int64)).to(device)


def train_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
    progress: Any = None,
) -> torch.Tensor:
    """One epoch of mini-batch training in a random order; returns the per-step losses ``(steps,)``.

    ``x`` ``(N, D)`` float32 and ``y`` ``(N,)`` int64 already on the model's device; batches are
    taken by index from one permutation drawn with ``generator`` (a CPU ``torch.Generator``);
    the last batch is smaller when ``batch_size`` does not divide ``N``. The losses stay on the
    device (no synchronisation per step): read them once, e.g. ``losses.tolist()``; on CUDA
    call ``torch.cuda.synchronize()`` before reading a clock. ``progress`` (optional) has an
    ``update()`` called per step, e.g. a tqdm bar.

    >>> model = build_model("relu", hidden=4, in_features=2, classes=3)
    >>> x, y = torch.rand(9, 2), torch.randint(0, 3, (9,))
    >>> optimizer, generator = make_optimizer(model, lr=0.1), torch.Generator().manual_seed(0)
    >>> train_epoch(model, optimizer, x, y, 4, generator).shape
    torch.Size([3])
    """
    n = x.shape[0]
    order = torch.randperm(n, generator=generator).to(x.device)
    steps = math.ceil(n / batch_size)
    losses = torch.empty(steps, device=x.device)
    model.train()
    for step in range(steps):
        index = order[step * batch_size : (step + 1) * batch_size]
        loss = F.cross_entropy(model(x.index_select(0, index)), y.index_select(0, index))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
        if progress is not None:
            progress.update()
    return losses


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int = 10000,
    predictions: bool = False,
) -> dict:
    """Mean cross-entropy, number correct and accuracy on ``(x, y)``, plus the dead-output count.

    ``dead_outputs`` counts the samples whose scores are all zero (only possible with a ReLU
    output layer). ``predictions=True`` adds the predicted classes as a string of digits, one
    per sample (``"predictions"``; for at most 10 classes).

    >>> model = build_model("relu", hidden=4, in_features=2, classes=3)
    >>> sorted(evaluate(model, torch.rand(5, 2), torch.tensor([0, 1, 2, 0, 1])))
    ['accuracy', 'correct', 'dead_outputs', 'loss', 'n']
    >>> len(evaluate(model, torch.rand(5, 2), torch.zeros(5, dtype=int), predictions=True)["predictions"])
    5
    """
    model.eval()
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), dtype=torch.int64, device=x.device)
    dead = torch.zeros((), dtype=torch.int64, device=x.device)
    predicted = []
    for start in range(0, x.shape[0], batch_size):
        scores = model(x[start : start + batch_size])
        targets = y[start : start + batch_size]
        total_loss += F.cross_entropy(scores, targets, reduction="sum")
        classes = scores.argmax(dim=1)
        correct += (classes == targets).sum()
        dead += (scores == 0).all(dim=1).sum()
        predicted.append(classes)
    n = x.shape[0]
    result: dict[str, Any] = {
        "loss": total_loss.item() / n,
        "correct": int(correct.item()),
        "n": n,
        "accuracy": correct.item() / n,
        "dead_outputs": int(dead.item()),
    }
    if predictions:
        digits = torch.cat(predicted).cpu().numpy().astype(np.uint8) + ord("0")
        result["predictions"] = digits.tobytes().decode("ascii")
    return result


def _quantiles(values: torch.Tensor) -> list[float]:
    return common.rounded(
        torch.quantile(values.detach().float().cpu(), torch.tensor(QUANTILES)).tolist()
    )


def _snapshot(
    model: nn.Sequential, tensors: Tensors, epoch: int, wall: float | None, last: bool = False
) -> dict:
    """The record of one epoch: full passes over the training and test images; a, b quantiles.

    After the ``last`` epoch it also holds the test predictions (``"test_predictions"``).
    """
    x_train, y_train, x_test, y_test = tensors
    train = evaluate(model, x_train, y_train)
    test = evaluate(model, x_test, y_test, predictions=last)
    record = {
        "epoch": epoch,
        "train_wall_s": common.rounded(wall),
        "train_loss": common.rounded(train["loss"]),
        "train_accuracy": common.rounded(train["accuracy"]),
        "test_loss": common.rounded(test["loss"]),
        "test_accuracy": common.rounded(test["accuracy"]),
        "test_correct": test["correct"],
        "test_dead_outputs": test["dead_outputs"],
    }
    if last:
        record["test_predictions"] = test["predictions"]
    layer = parametric_layer(model)
    if layer is not None:
        record["a_quantiles"] = _quantiles(layer.a)
        record["b_quantiles"] = _quantiles(layer.b)
    return record


def train_arm(
    arm: Arm,
    seed: int,
    config: MnistConfig,
    tensors: Tensors,
    device: torch.device,
    progress: Any = None,
    on_epoch: Callable[[dict], None] | None = None,
) -> dict:
    """Train ``arm`` from seed ``seed`` and return its record for the results JSON.

    ``tensors`` are ``(x_train, y_train, x_test, y_test)`` on ``device`` (see :func:`to_tensors`).
    ``progress`` gets one ``update()`` per step; ``on_epoch`` is called with each epoch's record.
    """
    x_train, y_train, x_test, _ = tensors
    torch.manual_seed(seed)  # the same initial weights for every arm of a seed
    model = build_model(
        arm.activation, config.hidden, config.output, a_init=config.a_init, b_init=config.b_init
    ).to(device)
    lr = config.lr if arm.lr is None else arm.lr
    optimizer = make_optimizer(
        model,
        lr,
        config.lr_scale,
        0.0 if arm.scale_only else config.lr_location,
        arm.doubled_bias,
        arm.output_lr_multiplier,
    )
    generator = torch.Generator().manual_seed(seed)  # the same batch order for every arm of a seed
    epochs, step_losses = [_snapshot(model, tensors, 0, None)], []
    for epoch in range(1, config.epochs + 1):
        start = time.perf_counter()
        losses = train_epoch(
            model, optimizer, x_train, y_train, config.batch_size, generator, progress
        )
        step_losses.extend(losses.tolist())  # the one synchronisation of the epoch
        wall = time.perf_counter() - start
        epochs.append(_snapshot(model, tensors, epoch, wall, last=epoch == config.epochs))
        if on_epoch is not None:
            on_epoch(epochs[-1])
    run = {
        "arm": arm.name,
        "activation": arm.activation,
        "doubled_bias": arm.doubled_bias,
        "output_lr_multiplier": arm.output_lr_multiplier,
        "scale_only": arm.scale_only,
        "lr": lr,
        "seed": seed,
    }
    return run | _outcome(model, epochs, step_losses, config.step_block, int(x_test.shape[0]))


def _outcome(
    model: nn.Sequential, epochs: list[dict], step_losses: list[float], block: int, n_test: int
) -> dict:
    """What a run's record holds after its arm and seed: the epochs' records, the step losses as
    means over blocks of ``block`` steps, the final test results and, for a parametric arm, the
    final a and b."""
    final = epochs[-1]
    predictions = final.pop("test_predictions")
    run = {
        "epochs": epochs,
        "step_loss_block_means": [
            common.rounded(np.mean(step_losses[i : i + block]))
            for i in range(0, len(step_losses), block)
        ],
        "steps": len(step_losses),
        "test_correct": final["test_correct"],
        "n_test": n_test,
        "test_accuracy": final["test_accuracy"],
        "test_predictions": predictions,
        "median_epoch_wall_s": common.rounded(np.median([e["train_wall_s"] for e in epochs[1:]])),
    }
    layer = parametric_layer(model)
    if layer is not None:
        run["final_a"] = common.rounded(layer.a.detach().cpu().tolist(), 5)
        run["final_b"] = common.rounded(layer.b.detach().cpu().tolist(), 5)
    return run
