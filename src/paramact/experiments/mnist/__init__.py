r"""MNIST experiment of Kong & Ko (2021), section IV.2: plain vs parametric hidden activations.

Protocol (the paper's numbers, and our choices where the paper is silent):

* network 784-200-10: ``Linear(784, 200)`` -> hidden activation -> ``Linear(200, 10)``;
  pixels scaled to [0, 1] (``uint8 / 255``), images flattened;
* hidden activations: ``sigmoid``, ``parametric_sigmoid`` (eq. 10), ``relu``,
  ``parametric_relu`` (eq. 11); parametric ones start at ``a = 1, b = 0`` (so they start as the
  plain function; ``a_init`` and ``b_init`` change that) with one scale ``a`` and one location
  ``b`` per hidden unit;
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
* ``control="output-lr"``: for each plain activation, an arm whose output layer (weights and
  bias) learns at ``output_lr_multiplier`` (default 2) times ``lr``. A parametric unit's scale
  ``a`` multiplies what the output layer receives, which speeds up the output layer's learning
  like a larger rate would (chapter 10); after 30 epochs the middle half of the learned ``a`` lies
  between about 1.2 and 1.4, so ``a^2`` is about 1.4 to 2.0, and the control gives the plain
  network at least that much.
* ``control="scale-only"``: for each parametric activation, an arm with ``b`` frozen at
  ``b_init`` (only ``a`` learns): how much of a gain the scale alone brings.
* ``sweep_lr``: the four activations also at these rates (on the first ``sweep_seeds`` seeds),
  so that each can be compared at its own best rate.
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

The package, one job per module:

* :mod:`~paramact.experiments.mnist.config`: :class:`MnistConfig` (the protocol) and :class:`Arm`;
* :mod:`~paramact.experiments.mnist.model`: :func:`build_model`, :func:`make_optimizer`;
* :mod:`~paramact.experiments.mnist.training`: :func:`train_epoch`, :func:`evaluate`,
  :func:`train_arm` (one arm, one seed);
* :mod:`~paramact.experiments.mnist.runner`: :func:`run_mnist` (every arm for every seed, in
  worker processes with ``jobs``), with the provenance of the runs;
* :mod:`~paramact.experiments.mnist.analysis`: the summary and paired differences;
* :mod:`~paramact.experiments.mnist.tables`: the tables and counts chapter 9 shows, and the
  summary's text tables (:func:`format_tables`);
* :mod:`~paramact.experiments.mnist.sweep`: the learning-rate sweep, each activation's best rate;
* :mod:`~paramact.experiments.mnist.endpoints`: the comparisons declared before the results were
  read (primary, secondary with Holm), with intervals over seeds and test images;
* :mod:`~paramact.experiments.mnist.figures`: every figure (``paramact mnist``'s and chapter 9's);
* :mod:`~paramact.experiments.mnist.results`: results files: write, load (old keys translated),
  redraw; :mod:`~paramact.experiments.mnist.errors`: :class:`ResultsFileError`, an unusable one.

Example (a quick run; needs the data)::

    >>> from paramact.experiments import mnist
    >>> config = mnist.MnistConfig(epochs=1, seeds=[0], subset=2000)
    >>> results = mnist.run_mnist(config)  # doctest: +SKIP
    >>> sorted(results["summary"])  # doctest: +SKIP
    ['parametric_relu', 'parametric_sigmoid', 'relu', 'sigmoid']

Command line: ``paramact mnist --help``.
"""

from paramact.experiments.common import ACTIVATIONS
from paramact.experiments.mnist.analysis import (
    arm_label,
    baseline_of,
    by_arm,
    paired_differences,
    per_epoch,
    summarise,
)
from paramact.experiments.mnist.config import (
    DEFAULT_EPOCHS,
    PAPER_RANGES,
    QUANTILES,
    SCHEMA,
    Arm,
    MnistConfig,
)
from paramact.experiments.mnist.endpoints import (
    PRIMARY,
    SECONDARY,
    Comparison,
    compare,
    endpoints_table,
    evaluate_endpoints,
)
from paramact.experiments.mnist.errors import ResultsFileError
from paramact.experiments.mnist.figures import (
    PANELS,
    ab_epochs_figure,
    ab_histograms,
    arm_style,
    dead_outputs_figure,
    long_run_figure,
    plot_results,
    sweep_figure,
    test_accuracy_figure,
    training_loss_figure,
)
from paramact.experiments.mnist.model import build_model, make_optimizer, parametric_layer
from paramact.experiments.mnist.results import (
    STEMS,
    add_test_labels,
    default_stem,
    load_endpoints,
    load_results,
    load_stored,
    render_from_json,
    translate,
    write_endpoints,
    write_outputs,
)
from paramact.experiments.mnist.runner import run_mnist
from paramact.experiments.mnist.sweep import best_rate, sweep_rows, sweep_table
from paramact.experiments.mnist.tables import (
    accuracy_table,
    epochs_to_match,
    format_tables,
    long_run_summary,
    lower_training_loss,
    ranges_table,
    relu_output_table,
    standardised_effects,
)
from paramact.experiments.mnist.training import (
    DeviceUnavailableError,
    evaluate,
    resolve_device,
    to_tensors,
    train_arm,
    train_epoch,
)

__all__ = [
    # protocol
    "ACTIVATIONS",
    "DEFAULT_EPOCHS",
    "PAPER_RANGES",
    "QUANTILES",
    "SCHEMA",
    "Arm",
    "MnistConfig",
    # model and training
    "build_model",
    "make_optimizer",
    "parametric_layer",
    "DeviceUnavailableError",
    "resolve_device",
    "to_tensors",
    "train_epoch",
    "evaluate",
    "train_arm",
    "run_mnist",
    # analysis and tables
    "arm_label",
    "baseline_of",
    "by_arm",
    "per_epoch",
    "summarise",
    "paired_differences",
    "format_tables",
    "accuracy_table",
    "standardised_effects",
    "long_run_summary",
    "epochs_to_match",
    "lower_training_loss",
    "ranges_table",
    "relu_output_table",
    # the sweep and the declared comparisons
    "best_rate",
    "sweep_rows",
    "sweep_table",
    "Comparison",
    "PRIMARY",
    "SECONDARY",
    "compare",
    "evaluate_endpoints",
    "endpoints_table",
    # figures
    "PANELS",
    "arm_style",
    "training_loss_figure",
    "test_accuracy_figure",
    "long_run_figure",
    "ab_histograms",
    "ab_epochs_figure",
    "dead_outputs_figure",
    "sweep_figure",
    "plot_results",
    # files
    "STEMS",
    "default_stem",
    "write_outputs",
    "translate",
    "load_results",
    "ResultsFileError",
    "load_stored",
    "render_from_json",
    "add_test_labels",
    "write_endpoints",
    "load_endpoints",
]
