"""The experiment: every arm for every seed, in this process or in worker processes, with the
provenance of the runs: :func:`run_mnist`.

>>> config = MnistConfig(activations=["relu", "parametric_relu"], seeds=[0, 1], epochs=1)
>>> [(arm.activation, seed) for arm, seed in config.runs]  # in this order, whatever ``jobs`` is
[('relu', 0), ('parametric_relu', 0), ('relu', 1), ('parametric_relu', 1)]
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from paramact import data as datasets
from paramact.experiments import common
from paramact.experiments.mnist.analysis import summarise
from paramact.experiments.mnist.config import SCHEMA, Arm, MnistConfig
from paramact.experiments.mnist.training import Tensors, resolve_device, to_tensors, train_arm

__all__ = ["run_mnist"]


def _source_modules() -> list:
    """The modules whose source digests go into the results: the code that makes the runs.

    The summary is derived from the runs; :func:`~paramact.experiments.mnist.render_from_json`
    recomputes it with today's analysis code.
    """
    import paramact.functional
    import paramact.nn
    from paramact.experiments.mnist import config, model, training

    return [
        paramact.functional,
        paramact.nn,
        datasets,
        common,
        config,
        model,
        training,
        sys.modules[__name__],
    ]


def run_mnist(
    config: MnistConfig,
    *,
    data: datasets.MnistArrays | None = None,
    device: str = "auto",
    progress: bool | None = None,
    on_run: Callable[[dict], None] | None = None,
    jobs: int = 1,
) -> dict:
    """Train every arm (activation, plus controls) for every seed; return the results as a dict.

    ``config`` is a :class:`MnistConfig` (the protocol). The data set ``config.dataset`` is loaded with
    :mod:`paramact.data` unless ``data`` (a :class:`paramact.data.MnistArrays`) is given.
    ``device``: ``"auto"``, ``"cpu"`` or ``"cuda"``. ``progress``: a tqdm bar on stderr (``None``:
    when stderr is a terminal). ``on_run`` is called with each finished run's record. ``jobs``
    runs that many trainings at once in worker processes of one thread each (CPU only; the
    runs are the same, in the same order, whatever ``jobs`` is). The dict is
    what :func:`~paramact.experiments.mnist.write_outputs` stores as JSON: ``schema``,
    ``protocol``, ``environment``, ``data``, ``runs`` (one per arm and seed) and ``summary``
    (per arm).

    >>> config = MnistConfig(activations=["relu"], seeds=[0], epochs=1, subset=2000)
    >>> results = run_mnist(config)  # doctest: +SKIP
    >>> results["summary"]["relu"]["test_accuracy_mean"]  # doctest: +SKIP
    0.6926
    """
    torch_device = resolve_device(device)
    if jobs != 1 and (torch_device.type != "cpu" or isinstance(jobs, bool) or jobs < 1):
        raise ValueError(f"jobs must be 1, or a positive integer on the CPU; got {jobs!r}")
    # the code loaded now, before training
    environment = common.environment(torch_device, _source_modules())
    data_source = "paramact.data.load_dataset" if data is None else "arrays passed to run_mnist"
    if data is None:
        data = datasets.load_dataset(config.dataset)
    if config.subset is not None:
        data = data._replace(
            x_train=data.x_train[: config.subset], y_train=data.y_train[: config.subset]
        )
    tensors = (
        *to_tensors(data.x_train, data.y_train, torch_device),
        *to_tensors(data.x_test, data.y_test, torch_device),
    )
    show, bar = sys.stderr.isatty() if progress is None else progress, None
    try:
        if jobs == 1:
            steps = len(config.runs) * config.epochs * _steps_per_epoch(config, data)
            bar = common.progress_bar(steps, "mnist", show)
            runs = _train_all(config, tensors, torch_device, bar, on_run)
        else:
            bar = common.progress_bar(len(config.runs), "mnist", show, unit="run")
            runs = _train_in_workers(config, tensors, jobs, bar, on_run)
    finally:
        if bar is not None:
            bar.close()
    return {
        "schema": SCHEMA,
        "protocol": config.protocol(
            len(data.x_train), len(data.x_test), int(np.asarray(data.x_train[0]).size)
        ),
        "environment": environment,
        "data": {"source": data_source, **_digests(data)},
        "runs": runs,
        "summary": summarise(runs, config.arms),
    }


def _steps_per_epoch(config: MnistConfig, data: datasets.MnistArrays) -> int:
    return math.ceil(len(data.x_train) / config.batch_size)


def _train_all(
    config: MnistConfig,
    tensors: Tensors,
    device: torch.device,
    bar: Any,
    on_run: Callable[[dict], None] | None,
) -> list[dict]:
    """Every run of ``config.runs`` in turn; the bar's postfix names the epoch just finished."""
    runs = []
    for arm, seed in config.runs:

        def on_epoch(record: dict, arm: Arm = arm, seed: int = seed) -> None:
            if bar is not None:
                bar.set_postfix_str(
                    f"{arm.name} seed {seed} epoch {record['epoch']} "
                    f"test acc {record['test_accuracy']:.4f}"
                )

        runs.append(train_arm(arm, seed, config, tensors, device, bar, on_epoch))
        if on_run is not None:
            on_run(runs[-1])
    return runs


_WORKER: dict[str, Any] = {}


def _start_worker(config: MnistConfig, tensors: Tensors) -> None:
    torch.set_num_threads(1)
    _WORKER.update(config=config, tensors=tensors)


def _train_one(job: tuple[Arm, int]) -> dict:
    arm, seed = job
    return train_arm(arm, seed, _WORKER["config"], _WORKER["tensors"], torch.device("cpu"))


def _train_in_workers(
    config: MnistConfig,
    tensors: Tensors,
    jobs: int,
    bar: Any,
    on_run: Callable[[dict], None] | None,
) -> list[dict]:
    """``config.runs`` in ``jobs`` fresh worker processes (spawned: no forked torch threads)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    runs = []
    with context.Pool(jobs, _start_worker, (config, tensors)) as pool:
        for run in pool.imap(_train_one, config.runs):
            runs.append(run)
            if bar is not None:
                bar.update()
                bar.set_postfix_str(f"{run['arm']} seed {run['seed']} {run['test_accuracy']:.4f}")
            if on_run is not None:
                on_run(run)
    return runs


def _digests(data: datasets.MnistArrays) -> dict[str, str]:
    """SHA-256 of the arrays actually used (IDX encoding; = the canonical files' when complete)."""
    return {
        f"{role}_idx_sha256": datasets.idx_sha256(np.asarray(getattr(data, role), dtype=np.uint8))
        for role in ("x_train", "y_train", "x_test", "y_test")
    }
