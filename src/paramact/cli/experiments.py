"""The subcommands ``paramact xor`` and ``paramact mnist``: the experiments.

Each ``add_*`` registers a subcommand's arguments; each ``run_*`` calls the domain functions and
prints what they return. Errors go to :func:`paramact.cli.main`, which applies the one policy.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paramact.cli.policy import (
    EXIT_OK,
    UsageError,
    add_subcommand,
    existing_file,
    invalid_input,
    non_negative_int,
    positive_float,
    positive_int,
    wrote,
)

if TYPE_CHECKING:  # the handlers import the experiments only when they run
    from paramact.experiments.mnist.config import MnistConfig
    from paramact.experiments.xor.protocol import XorProtocol

__all__ = ["add_xor", "run_xor", "add_mnist", "run_mnist"]


# --- xor ---------------------------------------------------------------------------------


def add_xor(subparsers: Any) -> None:
    from paramact.experiments.common import ACTIVATIONS

    # fmt: off
    parser = add_subcommand(
        subparsers, "xor",
        description="Train a 2-2-1 network on XOR for N seeds with plain and parametric "
        "sigmoid/ReLU hidden units, count the gradient steps until the loss reaches the threshold, "
        "and print Table 2 beside the paper's numbers. Writes <out>/<stem>.json and figures.",
    )
    add = parser.add_argument
    add("--seeds", type=positive_int, default=10,
        help="number of seeds N: runs seeds 0..N-1 (default 10)")
    add("--activations", nargs="+", choices=ACTIVATIONS, default=list(ACTIVATIONS),
        metavar="NAME", help=f"hidden activations (default: {' '.join(ACTIVATIONS)})")
    add("--out", default="results/xor", help="output folder (default results/xor)")
    add("--name", help="file-name stem (default: seeds<N> plus the non-default options)")
    add("--no-figures", action="store_true", help="skip the PNG/SVG figures")
    _add_xor_protocol(parser.add_argument_group(
        "protocol (defaults: PyTorch init, MSE, sigmoid output, lr 0.5)"))
    add("--benchmark", type=non_negative_int, default=0, metavar="K", help="also time the "
        "per-trial loop on K seeds per activation and report the batched speed-up")
    add("--benchmark-repeats", type=positive_int, default=3,
        help="repetitions of the benchmark (default 3)")
    add("--sweep-lr", type=positive_float, nargs="+", metavar="RATE", help="instead: Chapter 10's "
        "sweep, the plain and parametric sigmoid and the plain one with its output layer's rate "
        "x--boost, at each RATE on the same seeds; writes <out>/lr_sweep_seeds<N>.json and a "
        "figure")
    add("--boost", type=positive_float, default=4.0, help="output-layer multiplier of the sweep's "
        "control arm (default 4)")
    add("--robustness", action="store_true", help="instead: Chapter 8's robustness study, all four "
        "activations on the same seeds under protocol variants that each change one choice of the "
        "protocol (loss, init radius, output unit); writes <out>/robustness_seeds<N>.json, .md and "
        "a figure")
    parser.set_defaults(handler=run_xor)
    # fmt: on


def _add_xor_protocol(group: Any) -> None:
    """The options that make the :class:`~paramact.experiments.xor.XorProtocol`."""
    from paramact.experiments import xor as xorexp
    from paramact.experiments.xor.protocol import LOSSES, OUTPUTS

    default = xorexp.XorProtocol()
    add = group.add_argument
    # fmt: off
    add("--max-steps", type=int, default=default.max_steps, help="iteration cap; runs not "
        f"converged by then are censored (default {default.max_steps})")
    add("--init", default=default.init, help="'pytorch' (U(-1/sqrt(fan_in), 1/sqrt(fan_in))) or "
        "'uniform<r>', e.g. uniform0.2 (default pytorch)")
    add("--lr", type=float, default=default.lr, help=f"learning rate rho (default {default.lr})")
    add("--lr-scale", type=float, help="learning rate rho_S of the scales a (default: --lr)")
    add("--lr-location", type=float, help="learning rate rho_L of the locations b (default: --lr)")
    add("--a-init", type=float, default=default.a_init,
        help=f"initial scale a (default {default.a_init})")
    add("--b-init", type=float, default=default.b_init,
        help=f"initial location b (default {default.b_init})")
    add("--loss", choices=LOSSES, default=default.loss, help="the loss (default mse)")
    add("--output", choices=OUTPUTS, default=default.output,
        help="the output unit (default sigmoid)")
    add("--threshold", type=float, default=default.threshold, help="loss threshold (default 0.01)")
    add("--fixed-scale", action="store_true", help="keep a at --a-init (do not learn it)")
    add("--fixed-location", action="store_true", help="keep b at --b-init (do not learn it)")
    add("--hidden-bias-lr-multiplier", type=float, default=default.hidden_bias_lr_multiplier,
        help="multiply the hidden biases' learning rate (default 1)")
    add("--output-lr-multiplier", type=float, default=default.output_lr_multiplier,
        help="multiply the output layer's learning rate (default 1)")
    # fmt: on


def run_xor(args: argparse.Namespace) -> int:
    import numpy as np

    from paramact.experiments import xor as xorexp
    from paramact.experiments.common import rounded

    with invalid_input():
        protocol = _xor_protocol(args)
        activations = xorexp.check_activations(args.activations)
    if args.sweep_lr and args.robustness:
        raise UsageError("choose one of --sweep-lr and --robustness")
    if args.sweep_lr:
        return _run_sweep(args, protocol)
    if args.robustness:
        return _run_robustness(args, protocol)
    result = xorexp.run_xor(args.seeds, activations, protocol, progress=sys.stderr.isatty())
    seeds = list(result.seeds)
    summary, comparisons = xorexp.summarize(result), xorexp.paired_comparisons(result)
    print(xorexp.format_table(result, summary, comparisons))
    document = xorexp.result_to_json(result, summary, comparisons)
    if args.benchmark:
        benchmark = xorexp.measure_speedup(
            seeds, activations, protocol, args.benchmark, args.benchmark_repeats
        )
        print(
            f"\nbatched vs per-trial: {benchmark['speedup']:.0f}x faster (median batched"
            f" {np.median(benchmark['batched_seconds']):.2f} s, per-trial loop estimated"
            f" {benchmark['estimated_per_trial_seconds']:.0f} s from {args.benchmark} seeds per "
            "activation,"
            f" {args.benchmark_repeats} repeats; load average {benchmark['load_average'][0]:.1f})"
        )
        document["benchmark"] = rounded(benchmark)
    stem = args.name or xorexp.result_stem(len(seeds), activations, protocol)
    return _write(args, stem, document, lambda out: xorexp.save_figures(document, out, stem))


def _xor_protocol(args: argparse.Namespace) -> XorProtocol:
    """The :class:`~paramact.experiments.xor.XorProtocol` of the options (it checks them)."""
    from paramact.experiments import xor as xorexp

    return xorexp.XorProtocol(
        init=args.init,
        lr=args.lr,
        lr_scale=args.lr_scale,
        lr_location=args.lr_location,
        loss=args.loss,
        output=args.output,
        threshold=args.threshold,
        max_steps=args.max_steps,
        learn_scale=not args.fixed_scale,
        learn_location=not args.fixed_location,
        hidden_bias_lr_multiplier=args.hidden_bias_lr_multiplier,
        output_lr_multiplier=args.output_lr_multiplier,
        a_init=args.a_init,
        b_init=args.b_init,
    )


def _write(
    args: argparse.Namespace,
    stem: str,
    document: dict,
    figures: Callable,
    texts: dict[str, str] | None = None,
) -> int:
    """Write ``<out>/<stem>.json``, unless ``--no-figures`` ``figures(out)``, and ``texts``
    (file name -> text); list them."""
    from paramact.experiments.common import dump_json

    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = [] if args.no_figures else figures(out_dir)
        document["figures"] = [path.name for path in written]
        json_path = out_dir / f"{stem}.json"
        json_path.write_text(dump_json(document))
        for name, text in (texts or {}).items():
            (out_dir / name).write_text(text, encoding="utf-8")
            written.append(out_dir / name)
    except OSError as error:
        raise UsageError(f"cannot write to {out_dir}: {error}") from error
    print(wrote([json_path, *written]))
    return EXIT_OK


def _run_sweep(args: argparse.Namespace, protocol: XorProtocol) -> int:
    from paramact.experiments.common import save_figure
    from paramact.experiments.xor import figures, sweep

    document = sweep.run_sweep(
        args.sweep_lr, args.seeds, protocol, boost=args.boost, progress=sys.stderr.isatty()
    )
    print(sweep.sweep_table(document))
    stem = args.name or sweep.sweep_stem(len(document["seeds"]))
    return _write(
        args, stem, document, lambda out: save_figure(figures.plot_sweep(document), out, stem)
    )


def _run_robustness(args: argparse.Namespace, protocol: XorProtocol) -> int:
    from paramact.experiments.common import ACTIVATIONS, save_figure
    from paramact.experiments.xor import figures, robustness

    if tuple(args.activations) != ACTIVATIONS:
        raise UsageError("--robustness trains all four activations; leave out --activations")
    document = robustness.run_robustness(args.seeds, base=protocol, progress=sys.stderr.isatty())
    table = robustness.robustness_table(document)
    print(table)
    stem = args.name or robustness.robustness_stem(len(document["seeds"]))
    return _write(
        args,
        stem,
        document,
        lambda out: save_figure(figures.plot_robustness(document), out, stem),
        {f"{stem}.md": table + "\n"},
    )


# --- mnist -------------------------------------------------------------------------------


def add_mnist(subparsers: Any) -> None:
    # fmt: off
    parser = add_subcommand(
        subparsers, "mnist",
        description="Train 784-200-10 networks with plain and parametric hidden activations "
        "(Kong & Ko 2021, section IV.2) for several seeds; write JSON, a Markdown summary and "
        "figures.",
    )
    _add_mnist_protocol(parser.add_argument_group("protocol (defaults: the paper's, 30 epochs)"))
    add = parser.add_argument
    add("--device", choices=("auto", "cpu", "cuda"), default="auto",
        help="auto: cuda when available (default: auto)")
    add("--threads", type=positive_int, default=None, help="torch.set_num_threads; use 1 on a CPU "
        "shared with other jobs (default: torch's choice, the number of physical cores)")
    add("--jobs", type=positive_int, default=1, help="train this many runs at once, one thread "
        "each (CPU only; the results are the same; default: 1)")
    add("--out", default="results/mnist", help="output folder (default: results/mnist)")
    add("--name", default=None, help="file-name stem (default: DATASET_OUTPUT[_subsetN])")
    add("--no-figures", dest="figures", action="store_false", help="skip the figures")
    add("--from-json", metavar="PATH", default=None,
        help="do not train: redo the summary, tables and figures of a stored results JSON")
    add("--endpoints", action="store_true", help="do not train: compute the declared comparisons "
        "(paramact.experiments.mnist.endpoints) from the results files in --out and write "
        "endpoints.json and endpoints.md there")
    add("--no-progress", dest="progress", action="store_false",
        help="no progress bar (it is shown only on a terminal anyway)")
    parser.set_defaults(handler=run_mnist)
    # fmt: on


def _add_mnist_protocol(group: Any) -> None:
    """The options that make the :class:`~paramact.experiments.mnist.MnistConfig`."""
    from paramact import data
    from paramact.experiments.common import ACTIVATIONS
    from paramact.experiments.mnist.config import CONTROLS, OUTPUTS, MnistConfig

    default = MnistConfig()
    add = group.add_argument
    # fmt: off
    add("--dataset", choices=sorted(data.DATASETS), default=default.dataset, help="default: mnist")
    add("--activations", nargs="+", choices=ACTIVATIONS, default=list(ACTIVATIONS), metavar="NAME",
        help=f"hidden activations among {', '.join(ACTIVATIONS)} (default: all four)")
    add("--seeds", type=positive_int, default=len(default.seeds),
        help="number of seeds 0, 1, ..., N-1 (default: 3)")
    add("--epochs", type=positive_int, default=default.epochs,
        help=f"epochs per run; the paper gives none (default: {default.epochs})")
    add("--lr", type=float, default=default.lr,
        help=f"learning rate rho of weights and biases (default: {default.lr})")
    add("--lr-scale", type=float, default=None, help="rho_S of the scales a (default: --lr)")
    add("--lr-location", type=float, default=None, help="rho_L of the locations b (default: --lr)")
    add("--a-init", type=float, default=default.a_init,
        help=f"initial scale a of the parametric activations (default: {default.a_init:g})")
    add("--b-init", type=float, default=default.b_init,
        help=f"initial location b (default: {default.b_init:g})")
    add("--batch-size", type=positive_int, default=default.batch_size,
        help=f"default: {default.batch_size}")
    add("--hidden", type=positive_int, default=default.hidden,
        help=f"hidden units (default: {default.hidden})")
    add("--output", choices=OUTPUTS, default=default.output, help="softmax: cross-entropy on the "
        "scores; relu: cross-entropy on ReLU(scores), Agarap 2018 (default: softmax)")
    add("--control", nargs="+", choices=("none", *CONTROLS), default=["none"], metavar="NAME",
        help="control arms: doubled-bias (plain, hidden-bias rate x 2), output-lr (plain, output "
        "layer's rate x --output-lr-multiplier), scale-only (parametric, b frozen); default: none")
    add("--output-lr-multiplier", type=float, default=default.output_lr_multiplier,
        help=f"the output-lr control's multiplier (default: {default.output_lr_multiplier:g})")
    add("--sweep-lr", nargs="+", type=float, default=[], metavar="RATE", help="also train the "
        "activations (not the controls) at these learning rates (a sweep; default: none)")
    add("--sweep-seeds", type=positive_int, default=None,
        help="the sweep uses the first N seeds only (default: all)")
    add("--subset", type=positive_int, default=None,
        help="train on the first N training images only (default: all)")
    add("--step-block", type=positive_int, default=default.step_block, help="store the training "
        f"loss as means over blocks of this many steps (default: {default.step_block})")
    # fmt: on


def _print_run(run: dict) -> None:
    """One line per finished run, when no progress bar shows it (logs, --no-progress)."""
    print(
        f"{run['arm']:<28} seed {run['seed']}: test accuracy {run['test_accuracy']:.4f} "
        f"after {len(run['epochs']) - 1} epochs, median epoch {run['median_epoch_wall_s']:.2f} s",
        file=sys.stderr,
        flush=True,
    )


def run_mnist(args: argparse.Namespace) -> int:
    from paramact.experiments import mnist

    if args.endpoints:
        document, written = mnist.write_endpoints(args.out)
        print(mnist.endpoints_table(document) + wrote(written))
        return EXIT_OK
    if args.from_json:
        path = existing_file(args.from_json, "results file")
        results, written = mnist.render_from_json(path, figures=args.figures)
    else:
        with invalid_input():
            config = _mnist_config(args)
        if args.jobs > 1 and mnist.resolve_device(args.device).type != "cpu":
            raise UsageError("--jobs trains in CPU worker processes: use it with --device cpu")
        stem = args.name or mnist.default_stem(config.dataset, config.output, config.subset)
        _check_output(Path(args.out), stem)  # before hours of training, not after
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        bar = sys.stderr.isatty() and args.progress
        results = mnist.run_mnist(
            config,
            device=args.device,
            progress=bar,
            on_run=None if bar else _print_run,
            jobs=args.jobs,
        )
        try:
            written = mnist.write_outputs(results, args.out, stem, figures=args.figures)
        except OSError as error:
            raise UsageError(f"cannot write to {args.out}: {error}") from error
    print(mnist.format_tables(results) + wrote(written))
    return EXIT_OK


def _check_output(out: Path, stem: str) -> None:
    """Raise :class:`UsageError` unless ``stem`` is a plain file name and ``out`` is, or can be
    made, a folder to write in (nothing is created: a run that fails leaves nothing behind)."""
    if not stem or Path(stem).name != stem:
        raise UsageError(f"--name must be a file-name stem, not a path: {stem!r}")
    existing = next(folder for folder in (out, *out.absolute().parents) if folder.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write to {out}: {existing} is not a folder you can write in")


def _mnist_config(args: argparse.Namespace) -> MnistConfig:
    """The :class:`~paramact.experiments.mnist.MnistConfig` of the options (it checks them)."""
    from paramact.experiments import mnist

    return mnist.MnistConfig(
        dataset=args.dataset,
        activations=args.activations,
        seeds=range(args.seeds),
        epochs=args.epochs,
        lr=args.lr,
        lr_scale=args.lr_scale,
        lr_location=args.lr_location,
        batch_size=args.batch_size,
        hidden=args.hidden,
        output=args.output,
        control=[name for name in args.control if name != "none"],
        output_lr_multiplier=args.output_lr_multiplier,
        sweep_lr=args.sweep_lr,
        sweep_seeds=args.sweep_seeds,
        subset=args.subset,
        step_block=args.step_block,
        a_init=args.a_init,
        b_init=args.b_init,
    )
