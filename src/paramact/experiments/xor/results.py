"""XOR results as JSON: what a run writes, how a stored file is read back, and its file name.

A results file holds the protocol, every trial's steps, final loss and learned ``a``, ``b``, the
summary and paired comparisons, loss-curve quantiles and the environment (versions, hardware,
source digests); enough to redraw the table and the figures. :func:`load_result` reads files
written before the vocabulary of issue 16 too, translating their old keys.

>>> result_stem(10, ("relu",), XorProtocol())
'seeds10_relu'
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from paramact import _numeric, activations, layers, losses, mlp, optim, parametric
from paramact.experiments.common import (
    ACTIVATIONS,
    RENAMED_PROTOCOL_KEYS,
    environment,
    is_parametric,
    rounded,
)
from paramact.experiments.xor import protocol as protocol_module
from paramact.experiments.xor import reference as reference_module
from paramact.experiments.xor import training as training_module
from paramact.experiments.xor.analysis import paired_comparisons, summarize
from paramact.experiments.xor.protocol import PAPER_RUNS, PAPER_TABLE_2, XorProtocol
from paramact.experiments.xor.training import XorResult, run_xor  # noqa: F401  (run_xor: doctests)

__all__ = ["CURVE_QUANTILES", "result_to_json", "load_result", "result_stem"]

#: Quantiles over seeds of the stored loss curves.
CURVE_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
#: Old trial key -> new key, for files written before the one vocabulary (a scale, b location).
OLD_TRIAL_KEYS = {"scale": "a", "location": "b"}
_SOURCES = (
    protocol_module,
    training_module,
    reference_module,
    mlp,
    layers,
    activations,
    parametric,
    _numeric,
    losses,
    optim,
)


def _trials(result: XorResult) -> dict[str, dict]:
    trials = {}
    for activation in result.activations:
        row = result.row(activation)
        entry = {
            "steps": [
                int(s) if c else None for s, c in zip(result.steps[row], result.converged[row])
            ],
            "final_loss": result.final_loss[row],
        }
        if is_parametric(activation):
            entry["a"] = result.parameters[activation]["a1"]
            entry["b"] = result.parameters[activation]["b1"]
        trials[activation] = entry
    return trials


def _curves(result: XorResult, per_trial_curves_up_to: int) -> dict[str, Any]:
    curves = {
        "steps": result.curve_steps,
        "quantiles": CURVE_QUANTILES,
        "all_runs": {
            a: np.quantile(result.curves[result.row(a)], CURVE_QUANTILES, axis=0)
            for a in result.activations
        },
        "converged_runs": {
            a: np.quantile(
                result.curves[result.row(a)][result.converged[result.row(a)]],
                CURVE_QUANTILES,
                axis=0,
            )
            if result.converged[result.row(a)].any()
            else None
            for a in result.activations
        },
    }
    if len(result.seeds) <= per_trial_curves_up_to:
        curves["per_trial"] = {a: result.curves[result.row(a)] for a in result.activations}
    return curves


def result_to_json(
    result: XorResult,
    summary: dict | None = None,
    comparisons: list | None = None,
    per_trial_curves_up_to: int = 20,
) -> dict:
    """Everything needed to redraw the table and figures, as JSON-ready Python objects.

    Per-trial steps are ``null`` for censored runs; ``a`` and ``b`` are the learned scales and
    locations of hidden neurons 1 and 2 (parametric activations). Loss curves are stored as
    quantiles over seeds (:data:`CURVE_QUANTILES`), over all runs and over the converged ones
    (``null`` where none converged), and, for at most ``per_trial_curves_up_to``
    seeds, per trial. Floats are kept to 6 significant digits (:func:`common.rounded`).

    Examples:
        >>> document = result_to_json(run_xor(2, ("parametric_relu",), XorProtocol(max_steps=50)))
        >>> document["trials"]["parametric_relu"]["steps"], document["protocol"]["max_steps"]
        ([None, None], 50)
        >>> len(document["trials"]["parametric_relu"]["a"])  # one (a, b) pair per seed and neuron
        2
    """
    summary = summarize(result) if summary is None else summary
    comparisons = paired_comparisons(result) if comparisons is None else comparisons
    document = {
        "experiment": "xor",
        "description": "2-2-1 network on XOR: gradient steps until the loss first reaches the threshold,"
        " plain vs parametric hidden activations (Kong & Ko 2021, section IV.1)",
        "paper": {
            "reference": "Kong & Ko (2021), Performance Improvement Method of Deep Neural Network Using"
            " Parametric Activation Functions, Journal of the Korea Contents Association, Table 2",
            "runs": PAPER_RUNS,
            "table2": PAPER_TABLE_2,
        },
        "notes": {
            "steps": "gradient steps until the loss was first <= threshold; null: censored (not converged"
            " within protocol.max_steps)",
            "summary": "mean, sd (n-1), max, min, mean_ci, median, median_bootstrap_ci: over converged runs;"
            " km_median and km_median_ci: Kaplan-Meier over all runs, null = not reached within the cap;"
            " other nulls: undefined (too few converged runs)",
            "a, b": "learned scales a and locations b of hidden neurons 1 and 2, at convergence (or at the cap)",
        },
        "protocol": {
            **dataclasses.asdict(result.protocol),
            "init_radius": result.protocol.init_radius,
        },
        "seeds": result.seeds,
        "activations": result.activations,
        "trials": _trials(result),
        "summary": summary,
        "paired_comparisons": comparisons,
        "loss_curves": _curves(result, per_trial_curves_up_to),
        "wall_time_s": result.wall_time_s,
        "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "environment": environment(modules=_SOURCES),
    }
    return rounded(document)


def _renamed(mapping: dict, names: dict[str, str]) -> dict:
    return {names.get(key, key): value for key, value in mapping.items()}


def load_result(path: str | os.PathLike) -> dict:
    """Read a results file written by ``paramact xor``, with the keys of the current vocabulary.

    Files written before issue 16 used ``scale``/``location`` for the learned ``a``/``b`` of each
    trial and ``scale_lr``, ``location_lr``, ``initial_scale``, ``initial_location`` in the
    protocol; they come back as ``a``, ``b``, ``lr_scale``, ``lr_location``, ``a_init``,
    ``b_init`` (:data:`OLD_TRIAL_KEYS`, :data:`~paramact.experiments.common.RENAMED_PROTOCOL_KEYS`). Nothing else changes.

    Examples:
        >>> import tempfile, pathlib
        >>> old = {"protocol": {"scale_lr": None, "initial_scale": 1.0},
        ...        "trials": {"parametric_relu": {"steps": [None], "scale": [[1.0, 1.0]]}}}
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "old.json"
        ...     _ = path.write_text(json.dumps(old))
        ...     document = load_result(path)
        >>> document["protocol"], list(document["trials"]["parametric_relu"])
        ({'lr_scale': None, 'a_init': 1.0}, ['steps', 'a'])
    """
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    if "protocol" in document:
        document["protocol"] = _renamed(document["protocol"], RENAMED_PROTOCOL_KEYS)
    if "trials" in document:
        document["trials"] = {
            activation: _renamed(trial, OLD_TRIAL_KEYS)
            for activation, trial in document["trials"].items()
        }
    if "scale, location" in document.get("notes", {}):
        document["notes"] = _renamed(document["notes"], {"scale, location": "a, b"})
    return document


def result_stem(n_seeds: int, activations: Iterable[str], protocol: XorProtocol) -> str:
    """File-name stem: ``seeds<N>`` for the default protocol, plus the fields that differ.

    Examples:
        >>> result_stem(10, ACTIVATIONS, XorProtocol(init="uniform0.2", lr=2.0))
        'seeds10_init-uniform0.2_lr-2.0'
    """
    parts = [f"seeds{n_seeds}"]
    activations = tuple(activations)
    if activations != ACTIVATIONS:
        parts.append("+".join(activations))
    parts += [f"{name}-{value}" for name, value in protocol.differences().items()]
    return re.sub(r"[^A-Za-z0-9._+-]", "-", "_".join(parts))
