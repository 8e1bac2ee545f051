"""Where the time of ``make bench``'s arms goes, op by op: ``python -m benchmarks.profiling``.

- MNIST 784-200-10, batch 200 (the arms of ``make bench``): ``torch.profiler`` over ``--steps``
  training steps of each activation after a warm-up epoch; the ops with the most self CPU time,
  per step, and the total.
- NumPy from scratch (``paramact.train`` of an ``MLP``): ``cProfile`` over ``--steps`` steps; the
  functions with the most own time.
- XOR, 1000 seeds: ``cProfile`` of the batched trainer (``run_xor``) for ``--xor-steps`` steps
  of every activation; the functions with the most own time, per step.

Self times under a profiler are inflated by its own cost and by other processes on a shared
machine; read them as shares of the total, measured in one run. Writes ``profile.json`` and
``profile.txt`` into ``--out`` (default ``results/bench``), under the key ``--tag``
(e.g. ``before``, ``after``; other tags already in the file are kept).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.__main__ import BATCH, CLASSES, INPUTS, N_TRAIN, ROOT

ACTIVATIONS = ("sigmoid", "parametric_sigmoid", "relu", "parametric_relu")


def torch_profile(steps: int, top: int) -> dict:
    """Per arm: the ops with the most self CPU time over ``steps`` steps, in microseconds per step."""
    from torch.profiler import ProfilerActivity, profile

    from paramact.experiments.mnist import build_model, make_optimizer, train_epoch

    generator = torch.Generator().manual_seed(0)
    x = torch.rand(N_TRAIN, INPUTS, generator=generator)
    y = torch.randint(0, CLASSES, (N_TRAIN,), generator=generator)
    arms = {}
    for activation in ACTIVATIONS:
        torch.manual_seed(0)
        model = build_model(activation)
        optimizer = make_optimizer(model, lr=0.1)
        train_epoch(model, optimizer, x, y, BATCH, generator)  # warm-up
        part = x[: steps * BATCH], y[: steps * BATCH]
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            train_epoch(model, optimizer, *part, BATCH, generator)
        rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
        arms[activation] = {
            "steps": steps,
            "self_cpu_us_per_step": sum(e.self_cpu_time_total for e in rows) / steps,
            "top": [
                {
                    "op": e.key,
                    "calls_per_step": e.count / steps,
                    "self_us_per_step": e.self_cpu_time_total / steps,
                }
                for e in rows[:top]
            ],
        }
    return arms


def _cprofile(function: Callable[[], object], steps: int, top: int) -> dict:
    profiler = cProfile.Profile()
    profiler.runcall(function)
    stats: Any = pstats.Stats(profiler)  # its table, .stats, is undocumented (not in typeshed)
    # (file, line, function) -> (primitive calls, calls, own seconds, cumulative seconds, callers)
    rows: list[tuple[tuple[str, int, str], tuple[int, int, float, float, dict]]] = sorted(
        stats.stats.items(),
        key=lambda item: item[1][2],
        reverse=True,
    )
    total = sum(row[1][2] for row in rows)
    return {
        "steps": steps,
        "own_us_per_step": total / steps * 1e6,
        "top": [
            {
                "function": f"{Path(file).name}:{line}({name})",
                "calls_per_step": calls[1] / steps,
                "own_us_per_step": calls[2] / steps * 1e6,
            }
            for (file, line, name), calls in rows[:top]
        ],
    }


def numpy_profile(steps: int, top: int) -> dict:
    """The NumPy core's epoch (as ``make bench`` runs it) over ``steps`` steps, by function."""
    from paramact import MLP, SGD, train

    rng = np.random.default_rng(0)
    x = rng.random((steps * BATCH, INPUTS), dtype=np.float32)
    y = rng.integers(0, CLASSES, steps * BATCH)
    net = MLP([INPUTS, 200, CLASSES], hidden="sigmoid", output="softmax", seed=0, dtype=np.float32)
    optimizer = SGD(0.1)
    train(net, optimizer, x, y, epochs=1, batch_size=BATCH, rng=rng)  # warm-up
    return _cprofile(
        lambda: train(net, optimizer, x, y, epochs=1, batch_size=BATCH, rng=rng), steps, top
    )


def xor_profile(steps: int, top: int) -> dict:
    """The batched XOR trainer on 1000 seeds for ``steps`` steps of each activation, by function."""
    from paramact.experiments.xor import XorProtocol, run_xor

    protocol = XorProtocol(max_steps=steps)
    return _cprofile(lambda: run_xor(1000, ACTIVATIONS, protocol), steps * len(ACTIVATIONS), top)


def text(tag: str, found: dict) -> list[str]:
    lines = [f"== {tag} ({found['when']}, torch {torch.__version__}, {found['threads']} threads)"]
    for activation, arm in found["mnist"].items():
        lines.append(
            f"MNIST {activation}: self CPU {arm['self_cpu_us_per_step']:.0f} us per step "
            f"({arm['steps']} steps)"
        )
        for row in arm["top"]:
            share = row["self_us_per_step"] / arm["self_cpu_us_per_step"]
            lines.append(
                f"  {row['op'][:48]:48s} {row['calls_per_step']:5.1f}/step "
                f"{row['self_us_per_step']:8.1f} us {share:6.1%}"
            )
    for name in ("numpy", "xor"):
        part = found[name]
        lines.append(
            f"{name}: own time {part['own_us_per_step']:.0f} us per step ({part['steps']} steps)"
        )
        for row in part["top"]:
            share = row["own_us_per_step"] / part["own_us_per_step"]
            lines.append(
                f"  {row['function'][:48]:48s} {row['calls_per_step']:5.1f}/step "
                f"{row['own_us_per_step']:8.1f} us {share:6.1%}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__)
    parser.add_argument("--steps", type=int, default=100, help="MNIST and NumPy steps profiled")
    parser.add_argument("--xor-steps", type=int, default=2000, help="XOR steps per activation")
    parser.add_argument("--top", type=int, default=15, help="rows kept per arm")
    parser.add_argument("--tag", default="after", help="key of this profile in profile.json")
    parser.add_argument("--out", default=str(ROOT / "results" / "bench"))
    args = parser.parse_args(argv)
    found = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "threads": torch.get_num_threads(),
        "mnist": torch_profile(args.steps, args.top),
        "numpy": numpy_profile(args.steps, args.top),
        "xor": xor_profile(args.xor_steps, args.top),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "profile.json"
    profiles = json.loads(path.read_text()) if path.exists() else {}
    profiles[args.tag] = found
    path.write_text(json.dumps(profiles, indent=1) + "\n")
    lines = [line for tag, entry in profiles.items() for line in [*text(tag, entry), ""]]
    (out / "profile.txt").write_text("\n".join(lines))
    print("\n".join(text(args.tag, found)))
    print(f"written to {path} and {out / 'profile.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
