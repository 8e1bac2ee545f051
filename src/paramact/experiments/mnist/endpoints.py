"""The MNIST comparisons declared before their results were read: one primary, the rest secondary.

Declared on 2026-12-06 (commit "mnist: declare the endpoints"), after the runs of
``results/mnist/README.md`` were started and before any comparison was computed from them.

Every comparison is a difference in test accuracy after training, ``treated - reference``,
paired by seed (the same initial weights and batch order):

* **estimate**: the mean of the per-seed differences;
* **interval**: 95 %, a two-level bootstrap that resamples the seeds and, within them, the
  10 000 test images (the same images for both arms), so that both the training seed and the
  finite test set enter it;
* **test**: the paired t-test over seeds, two-sided. The primary one is judged at 0.05 on its
  own; the secondary ones at 0.05 after Holm's correction across all of them.

The best learning rate of an activation is the one with the lowest mean final *training* loss over
the sweep's seeds (rates 0.1, 0.2, 0.4, 0.8; 30 epochs), so the test set plays no part in
choosing it; best against best is compared on those seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Comparison", "PRIMARY", "SECONDARY"]


@dataclass(frozen=True)
class Comparison:
    """``treated - reference`` in the results file ``stem``; ``"best"`` rates are chosen by
    training loss on the sweep (see the module)."""

    key: str
    treated: str
    reference: str
    stem: str = "mnist_softmax"
    question: str = ""


#: The paper's claim at the paper's protocol (rate 0.1 for everything, 30 epochs, 10 seeds).
PRIMARY = Comparison(
    "parametric_sigmoid",
    "parametric_sigmoid",
    "sigmoid",
    question="Does the parametric sigmoid reach a higher test accuracy than the sigmoid?",
)

#: Judged after Holm's correction across all of them.
SECONDARY = (
    Comparison(
        "parametric_relu",
        "parametric_relu",
        "relu",
        question="Does the parametric ReLU reach a higher test accuracy than the ReLU?",
    ),
    Comparison(
        "best_sigmoid",
        "parametric_sigmoid@best",
        "sigmoid@best",
        question="Does the sigmoid gain survive tuning each arm's learning rate?",
    ),
    Comparison(
        "best_relu",
        "parametric_relu@best",
        "relu@best",
        question="Does the ReLU gain survive tuning each arm's learning rate?",
    ),
    Comparison(
        "sigmoid_output_lr",
        "parametric_sigmoid",
        "sigmoid+output-lr-x2",
        question="Is the sigmoid gain more than a doubled output-layer rate gives?",
    ),
    Comparison(
        "relu_output_lr",
        "parametric_relu",
        "relu+output-lr-x2",
        question="Is the ReLU gain more than a doubled output-layer rate gives?",
    ),
    Comparison(
        "sigmoid_scale_only",
        "parametric_sigmoid+scale-only",
        "sigmoid",
        question="Does learning the scale a alone (b frozen) give a sigmoid gain?",
    ),
    Comparison(
        "relu_scale_only",
        "parametric_relu+scale-only",
        "relu",
        question="Does learning the scale a alone (b frozen) give a ReLU gain?",
    ),
    Comparison(
        "sigmoid_doubled_bias",
        "sigmoid+doubled-bias",
        "sigmoid",
        question="Does doubling the hidden-bias rate (= learning b alone) change the sigmoid?",
    ),
    Comparison(
        "relu_doubled_bias",
        "relu+doubled-bias",
        "relu",
        question="Does doubling the hidden-bias rate (= learning b alone) change the ReLU?",
    ),
    Comparison(
        "sigmoid_150_epochs",
        "parametric_sigmoid",
        "sigmoid",
        stem="mnist_softmax_150epochs",
        question="Does the sigmoid gain remain after 150 epochs (3 seeds)?",
    ),
    Comparison(
        "relu_150_epochs",
        "parametric_relu",
        "relu",
        stem="mnist_softmax_150epochs",
        question="Does the ReLU gain remain after 150 epochs (3 seeds)?",
    ),
)
