"""How ``make bench`` times and reports: interleaved repeats, issue 17's targets, merged JSON."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def _summary(seconds: list[float]) -> dict:
    return {
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "repeats": len(seconds),
    }


def timed(function: Callable[..., object], repeats: int) -> dict:
    """Median, min and max seconds of ``repeats`` calls of ``function`` (after one warm-up call)."""
    return interleaved({"it": function}, repeats)["it"]


def interleaved(functions: dict, repeats: int) -> dict:
    """:func:`timed` for several functions at once: one warm-up call each, then ``repeats`` rounds
    that call each function once, in turn. A burst of load from another process on a shared
    machine then slows every arm of a round alike, so the ratios between arms stay fair."""
    for function in functions.values():
        function()
    seconds: dict = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            seconds[name].append(time.perf_counter() - start)
    return {name: _summary(values) for name, values in seconds.items()}


# Issue 17's targets, each a ratio measured within one run: the table says which are met.
TARGETS = {
    "torch_vs_floor": 1.5,  # every PyTorch arm at most 1.5 x the matmul floor
    "parametric_vs_plain": 1.1,  # each parametric arm at most 1.1 x its plain twin
    "numpy_vs_floor": 2.0,  # NumPy from scratch at most 2 x the floor
    "xor_speedup": 250.0,  # XOR batched at least 250 x the per-trial loop
}


def against(ratio: float, target: str) -> str:
    """``ratio`` with its target, e.g. ``x1.62 (target x1.50: missed)``."""
    limit = TARGETS[target]
    met = ratio >= limit if target == "xor_speedup" else ratio <= limit
    digits = 0 if target == "xor_speedup" else 2
    return f"x{ratio:.{digits}f} (target x{limit:.{digits}f}: {'met' if met else 'missed'})"


def merged(path: Path, report: dict) -> dict:
    """This run's sections, plus the sections of an earlier ``path`` that this run did not measure.

    ``python -m benchmarks --only mnist`` then updates the MNIST numbers and keeps the book's and
    the grader's. Every section carries its own ``when`` (a kept section without one gets its
    file's); ``when`` and ``machine`` at the top level are this run's. Ratios are only ever taken
    within one section, so sections from different runs are never compared with each other.
    """
    try:
        earlier = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        earlier = {}
    for name, section in report.items():
        if isinstance(section, dict) and name != "machine":
            section.setdefault("when", report["when"])
    kept = {}
    for name, section in earlier.items():
        if name in ("when", "machine") or name in report:
            continue
        if isinstance(section, dict):
            section.setdefault("when", earlier.get("when"))
        kept[name] = section
    return {**report, **kept}
