"""XOR with a 2-2-1 network: plain vs parametric sigmoid and ReLU (Kong & Ko 2021, section IV.1).

The paper trains a network with two inputs, one hidden layer of two neurons and one output on
the four XOR points, and counts the gradient-descent steps until the loss first reaches 0.01,
10 runs per hidden activation (Table 2). The hidden activations are

    sigmoid              z = 1 / (1 + exp(-y))
    parametric sigmoid   z = a / (1 + exp(-(y - b)))                  eq. (10)
    ReLU                 z = max(y, 0)
    parametric ReLU      z = a (y - b) if y >= b else 0               eq. (11)

with one scale ``a`` and one location ``b`` per hidden neuron, initialised at ``a = 1, b = 0``
and learned by gradient descent like the weights. The network is :class:`paramact.mlp.MLP`
(its formulas and derivatives come from :mod:`paramact.activations`, with the correction
``dz/db = z (z - a) / a`` of eq. (14), and the right-hand derivative at the ReLU kink), trained
with :class:`paramact.optim.SGD`.

One job per module:

* :mod:`~paramact.experiments.xor.protocol`: :class:`XorProtocol` (every choice the paper leaves
  open), :data:`PAPER_TABLE_2`, the data :data:`XOR_INPUTS`, :data:`XOR_TARGETS`;
* :mod:`~paramact.experiments.xor.training`: :func:`run_xor` (every seed of every activation at
  once, an ``MLP`` with one trial per seed), :func:`network`, :class:`XorResult`;
* :mod:`~paramact.experiments.xor.reference`: :func:`run_xor_single` (one seed at a time, the
  reference), :func:`measure_speedup`, :class:`XorTrial`;
* :mod:`~paramact.experiments.xor.robustness`: :func:`run_robustness` (one protocol choice changed
  at a time), :func:`robustness_table`;
* :mod:`~paramact.experiments.xor.analysis`: :func:`summarize`, :func:`paired_comparisons`,
  :func:`format_table` (Table 2 beside this run), :func:`protocol_line`; of a stored result:
  :func:`outcomes` (each run's steps), :func:`table_2` (Table 2 with intervals, in Markdown);
* :mod:`~paramact.experiments.xor.figures`: loss curves, survival curves and learned (a, b) of a
  stored result, the sweep, the robustness study;
* :mod:`~paramact.experiments.xor.sweep`: :func:`run_sweep` (Chapter 10's learning-rate sweep,
  each arm at each rate on the same seeds, both outcomes), :func:`sweep_table`;
* :mod:`~paramact.experiments.xor.results`: :func:`result_to_json`, :func:`load_result`,
  :func:`result_stem`.

``paramact xor --seeds 10`` (:mod:`paramact.cli`) prints Table 2 beside the paper's numbers and
writes JSON and figures under ``results/xor/``.

Example: seeds 2 and 3, steps until the loss reaches 0.01 (rows: activations, columns: seeds):

>>> result = run_xor([2, 3], ("sigmoid", "parametric_sigmoid"))
>>> result.steps.tolist()
[[3027, 2714], [1849, 1662]]
"""

from paramact.experiments.common import ACTIVATIONS, COLOURS, LABELS, LINESTYLES, PAIRS
from paramact.experiments.xor.analysis import (
    format_table,
    outcomes,
    paired_comparisons,
    protocol_line,
    summarize,
    table_2,
)
from paramact.experiments.xor.figures import (
    plot_loss_curves,
    plot_robustness,
    plot_scale_location,
    plot_survival,
    plot_sweep,
    save_figures,
)
from paramact.experiments.xor.protocol import (
    PAPER_RUNS,
    PAPER_TABLE_2,
    XOR_INPUTS,
    XOR_TARGETS,
    XorProtocol,
    check_activations,
    check_seeds,
)
from paramact.experiments.xor.reference import XorTrial, measure_speedup, run_xor_single
from paramact.experiments.xor.results import (
    CURVE_QUANTILES,
    load_result,
    result_stem,
    result_to_json,
)
from paramact.experiments.xor.robustness import (
    DEFAULT_VARIANTS,
    robustness_stem,
    robustness_table,
    run_robustness,
)
from paramact.experiments.xor.sweep import run_sweep, sweep_stem, sweep_table
from paramact.experiments.xor.training import (
    XorResult,
    default_record_every,
    initial_weights,
    network,
    optimizer,
    run_xor,
)

__all__ = [
    "ACTIVATIONS",
    "PAIRS",
    "LABELS",
    "COLOURS",
    "LINESTYLES",
    "PAPER_RUNS",
    "PAPER_TABLE_2",
    "XOR_INPUTS",
    "XOR_TARGETS",
    "XorProtocol",
    "check_activations",
    "check_seeds",
    "XorResult",
    "XorTrial",
    "initial_weights",
    "network",
    "optimizer",
    "default_record_every",
    "run_xor",
    "run_xor_single",
    "measure_speedup",
    "summarize",
    "paired_comparisons",
    "protocol_line",
    "format_table",
    "outcomes",
    "table_2",
    "plot_loss_curves",
    "plot_survival",
    "plot_scale_location",
    "plot_sweep",
    "plot_robustness",
    "save_figures",
    "run_sweep",
    "sweep_stem",
    "sweep_table",
    "DEFAULT_VARIANTS",
    "run_robustness",
    "robustness_stem",
    "robustness_table",
    "CURVE_QUANTILES",
    "result_to_json",
    "load_result",
    "result_stem",
]
