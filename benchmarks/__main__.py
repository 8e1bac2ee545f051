"""``make bench``: speed measured as ratios within one run, printed as a table and saved as JSON.

Every timing is repeated; the table shows the median with the min-max range. Ratios compare numbers
measured in this run on this machine, so a shared, noisy machine slows both sides alike; the MNIST
arms are interleaved (one epoch of each in turn, per round) so that a burst of load hits them alike.
Each ratio is printed with issue 17's target (``benchmarks.timing.TARGETS``) and whether it is
met; where the time goes, op by op, is ``python -m benchmarks.profiling`` (``results/bench``).

- MNIST 784-200-10, batch 200, one epoch (60,000 examples, synthetic data of MNIST's shape: the cost
  does not depend on the pixel values), for the reference PyTorch loop with each activation, against
  the matmul floor: the epoch's GEMM FLOPs divided by the best large-matmul rate torch reaches here.
- NumPy: the same epoch with the from-scratch core (``paramact.MLP``, ``paramact.SGD``,
  ``paramact.train``), against the same floor when ``mnist`` runs too.
- XOR, 1000 seeds x 4 activations: the batched trainer (one ``MLP`` with a trial per seed) against
  the per-trial loop (timed on a sample).
- The book: a cold build (every notebook executed) and a warm one (cached), and each chapter
  notebook's own run time.
- Grading: ``paramact grade`` on 50 submissions, seconds per submission.
- On a CUDA GPU, when there is one: the MNIST epoch on the GPU against the CPU.

Usage: ``python -m benchmarks [--quick] [--only NAME ...] [--out results/bench]``, NAME one of
mnist, numpy, xor, book, grading, one, gpu. The machine is recorded with
:func:`paramact.experiments.common.environment`, as every experiment records it. ``bench.json``
keeps the sections of an earlier file that a run with ``--only`` did not measure (each section
carries its own ``when``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from benchmarks.timing import TARGETS, against, interleaved, merged, timed

ROOT = Path(__file__).resolve().parents[1]
N_TRAIN, INPUTS, HIDDEN, CLASSES, BATCH = 60_000, 784, 200, 10, 200


def epoch_gflop(n: int = N_TRAIN) -> float:
    """GEMM FLOPs of one epoch: forward and weight gradients of both layers, input gradient of the second."""
    forward = 2 * n * (INPUTS * HIDDEN + HIDDEN * CLASSES)
    return (2 * forward + 2 * n * HIDDEN * CLASSES) / 1e9


def matmul_gflops(repeats: int) -> dict:
    """Best sustained float32 matmul rate of torch here, over a few large square sizes."""
    best = {}
    for size in (1024, 2048, 3072):
        a, b = torch.randn(size, size), torch.randn(size, size)
        timing = timed(lambda a=a, b=b: torch.mm(a, b), repeats)
        best[size] = 2 * size**3 / timing["min_s"] / 1e9
    return {"gflops": max(best.values()), "by_size": best}


def mnist_epochs(repeats: int, device: str = "cpu") -> tuple[dict, float]:
    """One epoch of each activation's network, the arms interleaved (see :func:`interleaved`).

    Each round also times three 1024 x 1024 matmuls; returns the epochs' timings and the best
    matmul rate (GFLOP/s) seen between the epochs: a burst of load from another process while
    :func:`matmul_gflops` ran then does not lower the floor (and flatter the ratios).
    """
    from paramact.experiments.mnist import build_model, make_optimizer, train_epoch

    generator = torch.Generator().manual_seed(0)
    x = torch.rand(N_TRAIN, INPUTS, generator=generator).to(device)
    y = torch.randint(0, CLASSES, (N_TRAIN,), generator=generator).to(device)
    epochs = {}
    for activation in ("sigmoid", "parametric_sigmoid", "relu", "parametric_relu"):
        torch.manual_seed(0)
        model = build_model(activation).to(device)
        optimizer = make_optimizer(model, lr=0.1)

        def epoch(model=model, optimizer=optimizer):
            train_epoch(model, optimizer, x, y, BATCH, generator)
            if device == "cuda":
                torch.cuda.synchronize()

        epochs[activation] = epoch
    a, b = torch.randn(1024, 1024, device=device), torch.randn(1024, 1024, device=device)

    def matmuls():
        for _ in range(3):
            torch.mm(a, b)
        if device == "cuda":
            torch.cuda.synchronize()

    timings = interleaved({**epochs, "matmul": matmuls}, repeats)
    matmul = timings.pop("matmul")
    return timings, 3 * 2 * 1024**3 / matmul["min_s"] / 1e9


def numpy_epoch(repeats: int) -> dict:
    """One epoch of the NumPy core: ``paramact.train`` of an ``MLP`` with ``SGD``."""
    from paramact import MLP, SGD, train

    rng = np.random.default_rng(0)
    x = rng.random((N_TRAIN, INPUTS), dtype=np.float32)
    y = rng.integers(0, CLASSES, N_TRAIN)
    net = MLP(
        [INPUTS, HIDDEN, CLASSES], hidden="sigmoid", output="softmax", seed=0, dtype=np.float32
    )
    optimizer = SGD(0.1)
    return timed(lambda: train(net, optimizer, x, y, epochs=1, batch_size=BATCH, rng=rng), repeats)


def xor_speedup(quick: bool) -> dict:
    from paramact.experiments.xor import measure_speedup

    return measure_speedup(
        100 if quick else 1000, sample_size=3 if quick else 5, repeats=1 if quick else 3
    )


def book_builds() -> dict:
    """Cold and warm ``jupyter-book build`` into a scratch folder, and each chapter's run time."""
    import nbformat
    from nbclient import NotebookClient

    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    with tempfile.TemporaryDirectory(prefix="paramact-bench-book-") as scratch:
        builds = {}
        for kind in ("cold", "warm"):
            start = time.perf_counter()
            subprocess.run(
                [jupyter_book, "build", str(ROOT), "--path-output", scratch],
                check=True,
                capture_output=True,
            )
            builds[kind] = time.perf_counter() - start
    chapters = {}
    for notebook in sorted((ROOT / "chapters").glob("*/*.ipynb")):
        master = ROOT / "solutions" / notebook.parent.name / notebook.name
        nb = nbformat.read(master, as_version=4)
        start = time.perf_counter()
        NotebookClient(
            nb, timeout=600, resources={"metadata": {"path": str(master.parent)}}
        ).execute()
        chapters[notebook.parent.name] = time.perf_counter() - start
    return {"cold_s": builds["cold"], "warm_s": builds["warm"], "chapter_s": chapters}


def grading_throughput(count: int) -> dict:
    """``paramact grade`` on ``count`` honest submissions of Chapter 1 (the masters' answers)."""
    with tempfile.TemporaryDirectory(prefix="paramact-bench-grade-") as scratch:
        folder = Path(scratch) / "submissions"
        folder.mkdir()
        master = ROOT / "solutions" / "01_perceptron" / "perceptron.ipynb"
        for index in range(count):
            shutil.copy(master, folder / f"student{index:03d}.ipynb")
        start = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).parent / "paramact"),
                "grade",
                str(folder),
                "--out",
                str(Path(scratch) / "grades"),
                "--chapter",
                "01_perceptron",
            ],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - start
    return {"submissions": count, "total_s": seconds, "per_submission_s": seconds / count}


def one_notebook(
    chapters: tuple[str, ...] = (
        "01_perceptron",
        "06_parametric_activations",
        "10_what_a_and_b_do",
    ),
) -> dict:
    """Grading one notebook against its own plain run: cold (no cached key) and warm, with and without
    ``--chapter`` (without it the chapter is recognised from the notebook's cells)."""
    import nbformat
    from nbclient import NotebookClient

    paramact = str(Path(sys.executable).parent / "paramact")
    found = {}
    for chapter in chapters:
        master = next((ROOT / "solutions" / chapter).glob("*.ipynb"))
        nb = nbformat.read(master, as_version=4)
        start = time.perf_counter()
        NotebookClient(
            nb, timeout=600, resources={"metadata": {"path": str(master.parent)}}
        ).execute()
        found[chapter] = {"plain_s": time.perf_counter() - start}
        with tempfile.TemporaryDirectory(prefix="paramact-bench-one-") as scratch:
            folder = Path(scratch) / "submissions"
            folder.mkdir()
            shutil.copy(master, folder / "student.ipynb")
            environment = {**os.environ, "PARAMACT_CACHE": str(Path(scratch) / "cache")}
            for kind, extra in (
                ("cold_chapter_s", ["--chapter", chapter]),
                ("warm_chapter_s", ["--chapter", chapter]),
                ("warm_recognised_s", []),
            ):
                start = time.perf_counter()
                subprocess.run(
                    [paramact, "grade", str(folder), "--out", str(Path(scratch) / kind), *extra],
                    check=True,
                    capture_output=True,
                    cwd=ROOT,
                    env=environment,
                )
                found[chapter][kind] = time.perf_counter() - start
    return found


def span(timing: dict) -> str:
    return f"{timing['median_s']:.3f} s [{timing['min_s']:.3f}-{timing['max_s']:.3f}]"


CHOICES = ("mnist", "numpy", "xor", "book", "grading", "one", "gpu")


def mnist_lines(report: dict, repeats: int) -> list[str]:
    """The PyTorch MNIST epochs against the matmul floor (the floor is reused by the NumPy line)."""
    floor = matmul_gflops(repeats)
    epochs, between = mnist_epochs(repeats)
    floor["gflops_before_epochs"] = floor["gflops"]
    floor["gflops_between_epochs"] = between
    floor["gflops"] = max(floor["gflops"], between)
    floor_s = epoch_gflop() / floor["gflops"]
    report["mnist"] = {
        "epoch_gflop": epoch_gflop(),
        "matmul": floor,
        "floor_s": floor_s,
        "epochs": epochs,
        "targets": {k: TARGETS[k] for k in ("torch_vs_floor", "parametric_vs_plain")},
    }
    lines = [
        f"MNIST epoch ({epoch_gflop():.1f} GFLOP; matmul {floor['gflops']:.0f} GFLOP/s -> floor {floor_s:.3f} s)"
    ]
    for name, timing in epochs.items():
        versus_plain = ""
        if name.startswith("parametric"):
            plain = epochs[name.replace("parametric_", "")]
            twin = timing["median_s"] / plain["median_s"]
            versus_plain = f"; of plain {against(twin, 'parametric_vs_plain')}"
        floor_ratio = against(timing["median_s"] / floor_s, "torch_vs_floor")
        lines.append(f"  {name:20s} {span(timing):26s} of floor {floor_ratio}{versus_plain}")
    return lines


def numpy_lines(report: dict, repeats: int) -> list[str]:
    timing = numpy_epoch(repeats)
    report["numpy"] = {"epoch": timing, "target_vs_floor": TARGETS["numpy_vs_floor"]}
    floor_s = report.get("mnist", {}).get("floor_s")  # this run's only: ratios stay within a run
    ratio = (
        f" of floor {against(timing['median_s'] / floor_s, 'numpy_vs_floor')}" if floor_s else ""
    )
    return [f"NumPy from-scratch MNIST epoch (paramact.train, MLP, SGD) {span(timing)}{ratio}"]


def gpu_lines(report: dict, repeats: int) -> list[str]:
    gpu, _ = mnist_epochs(repeats, device="cuda")
    report["mnist_gpu"] = {"device": torch.cuda.get_device_name(), "epochs": gpu}
    lines = [f"MNIST epoch on {torch.cuda.get_device_name()}"]
    for name, timing in gpu.items():
        cpu = report.get("mnist", {}).get("epochs", {}).get(name)
        versus_cpu = f" CPU/GPU x{cpu['median_s'] / timing['median_s']:.1f}" if cpu else ""
        lines.append(f"  {name:22s} {span(timing):28s}{versus_cpu}")
    return lines


def xor_lines(report: dict, quick: bool) -> list[str]:
    xor = xor_speedup(quick)
    report["xor"] = xor
    batched = statistics.median(xor["batched_seconds"])
    xor["target_speedup"] = TARGETS["xor_speedup"]
    return [
        f"XOR batched vs per-trial loop: {against(xor['speedup'], 'xor_speedup')} "
        f"(batched median {batched:.1f} s)"
    ]


def book_lines(report: dict) -> list[str]:
    book = book_builds()
    report["book"] = book
    return [f"Book build: cold {book['cold_s']:.1f} s, warm {book['warm_s']:.1f} s"] + [
        f"  {name:26s} {seconds:6.1f} s" for name, seconds in book["chapter_s"].items()
    ]


def grading_lines(report: dict, quick: bool) -> list[str]:
    grading = grading_throughput(10 if quick else 50)
    report["grading"] = grading
    return [
        f"Grading {grading['submissions']} submissions: {grading['total_s']:.1f} s, "
        f"{grading['per_submission_s']:.2f} s per submission"
    ]


def one_lines(report: dict) -> list[str]:
    one = one_notebook()
    report["grading_one_notebook"] = one
    lines = ["Grading one notebook (seconds; x = ratio to its plain run)"]
    for chapter, t in one.items():
        lines.append(
            f"  {chapter:26s} plain {t['plain_s']:5.1f}  cold key {t['cold_chapter_s']:5.1f} "
            f"(x{t['cold_chapter_s'] / t['plain_s']:.1f})  cached {t['warm_chapter_s']:5.1f} "
            f"(x{t['warm_chapter_s'] / t['plain_s']:.1f})  no --chapter {t['warm_recognised_s']:5.1f} "
            f"(x{t['warm_recognised_s'] / t['plain_s']:.1f})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    from paramact.experiments.common import environment

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and seeds (a smoke run)"
    )
    parser.add_argument("--only", nargs="+", choices=CHOICES, help="run only these")
    parser.add_argument(
        "--out", default=str(ROOT / "results" / "bench"), help="folder for bench.json"
    )
    args = parser.parse_args(argv)
    wanted = set(args.only or CHOICES)
    repeats = 2 if args.quick else 5
    report = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": environment(),
    }
    sections = [
        ("mnist", lambda: mnist_lines(report, repeats)),
        ("numpy", lambda: numpy_lines(report, repeats)),
        ("gpu", lambda: gpu_lines(report, repeats) if torch.cuda.is_available() else []),
        ("xor", lambda: xor_lines(report, args.quick)),
        ("book", lambda: book_lines(report)),
        ("grading", lambda: grading_lines(report, args.quick)),
        ("one", lambda: one_lines(report)),
    ]
    lines = [line for name, section in sections if name in wanted for line in section()]
    print("\n".join(lines))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = merged(out / "bench.json", report)
    (out / "bench.json").write_text(json.dumps(report, indent=2, default=float) + "\n")
    print(f"written to {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
