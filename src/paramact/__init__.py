r"""paramact: parametric activation functions, from scratch (NumPy) and in PyTorch.

Reference implementation of the open course on Kong & Ko (2021), "Performance Improvement Method
of Deep Neural Network Using Parametric Activation Functions" (Journal of the Korea Contents
Association). The paper gives every hidden neuron a learnable scale ``a`` and location ``b``:

    parametric sigmoid (eq. 10):  z = a / (1 + exp(-(y - b)))
    parametric ReLU    (eq. 11):  z = a (y - b) if y >= b else 0

and trains them by backpropagation with their own learning rates rho_S and rho_L (eqs. 6-7).
Its eq. (14) is wrong for a != 1: dz/db = -a s (1 - s) = z (z - a) / a, with s = sigmoid(y - b).

Contents
--------
NumPy, from scratch (imported by ``import paramact``; its names are re-exported here):

paramact.activations
    step, sigmoid, tanh, relu, leaky_relu, elu, softplus, swish, identity and their ``*_grad``
    derivatives; softmax; the ACTIVATIONS registry; re-exports the parametric functions.
paramact.parametric
    parametric_sigmoid / parametric_relu and their ``*_grads`` (eqs. 10-14, corrected).
paramact.losses
    ``(loss, dpred)`` pairs: mean_squared_error, half_sum_squared_error (the paper's),
    binary_cross_entropy_with_logits, softmax_cross_entropy.
paramact.layers
    CS231n-style ``*_forward`` / ``*_backward`` functions (affine, activation, parametric
    sigmoid/ReLU).
paramact.mlp
    ``MLP``, the fully connected network of the experiments: parameters
    ``W{l}`` (weights), ``c{l}`` (biases), ``a{l}`` (scales), ``b{l}`` (locations), their
    groups for the optimiser, and optionally a batch of independent trials trained at once.
paramact.optim
    SGD (optionally with momentum) and Adam with the paper's separate learning rates
    rho (weights), rho_S (scales), rho_L (locations), one per parameter group:
    ``optimizer.step(model.params, grads, model.groups)``.
paramact.training
    train: the mini-batch training loop (CS231n's Solver in brief).
paramact.gradcheck
    numerical_gradient, relative_error and check_gradients: verify a derivation numerically.

PyTorch (loaded on first use, ``import paramact`` does not import torch):

paramact.functional
    parametric_sigmoid, parametric_relu: autograd Functions with the hand-derived backward;
    vmap-able and twice differentiable.
paramact.nn
    ParametricSigmoid, ParametricReLU modules (parameters ``a`` and ``b``) and param_groups,
    the paper's three learning rates for ``torch.optim``.

Experiments, statistics, data and course tooling:

paramact.stats
    Confidence intervals and significance tests for comparing activations over repeated runs.
paramact.data
    MNIST / Fashion-MNIST loaders (downloaded and cached on first use).
paramact.experiments.xor
    The XOR experiment (2-2-1 network, steps until loss <= 0.01, 10 runs; the paper's Table 2).
paramact.experiments.mnist
    The MNIST experiment (784-200-10, lr 0.1, batch 200, cross-entropy; the paper's Fig. 11).
paramact.course
    Release of student notebooks and their grading.

Command line: ``paramact COMMAND`` (or ``python -m paramact``), with the commands xor, mnist,
data, release, grade and check; ``paramact --help`` lists them.

Example:
    >>> import numpy as np, paramact
    >>> paramact.parametric_sigmoid(np.array([0.0, 2.0]), a=4.0, b=2.0).round(4)
    array([0.4768, 2.    ])
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

from paramact.activations import (
    ACTIVATIONS,
    elu,
    elu_grad,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    parametric_relu,
    parametric_relu_grads,
    parametric_sigmoid,
    parametric_sigmoid_grads,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softplus,
    softplus_grad,
    step,
    step_grad,
    swish,
    swish_grad,
    tanh,
    tanh_grad,
)
from paramact.gradcheck import check_gradients, numerical_gradient, relative_error
from paramact.layers import (
    activation_backward,
    activation_forward,
    affine_backward,
    affine_forward,
    parametric_relu_backward,
    parametric_relu_forward,
    parametric_sigmoid_backward,
    parametric_sigmoid_forward,
)
from paramact.losses import (
    binary_cross_entropy_with_logits,
    half_sum_squared_error,
    mean_squared_error,
    softmax_cross_entropy,
)
from paramact.mlp import MLP
from paramact.optim import SGD, Adam
from paramact.training import train

try:
    __version__ = version("paramact")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    # activations
    "step",
    "step_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "softplus",
    "softplus_grad",
    "swish",
    "swish_grad",
    "identity",
    "identity_grad",
    "softmax",
    "ACTIVATIONS",
    "parametric_sigmoid",
    "parametric_sigmoid_grads",
    "parametric_relu",
    "parametric_relu_grads",
    # losses
    "mean_squared_error",
    "half_sum_squared_error",
    "binary_cross_entropy_with_logits",
    "softmax_cross_entropy",
    # layers
    "affine_forward",
    "affine_backward",
    "activation_forward",
    "activation_backward",
    "parametric_sigmoid_forward",
    "parametric_sigmoid_backward",
    "parametric_relu_forward",
    "parametric_relu_backward",
    "MLP",
    # optim, training
    "SGD",
    "Adam",
    "train",
    # gradcheck
    "numerical_gradient",
    "relative_error",
    "check_gradients",
    "__version__",
]

# Submodules loaded on first attribute access: torch (nn, functional) and the heavier
# experiment and course code are only imported when asked for.
_LAZY_SUBMODULES = ("nn", "functional", "stats", "data", "experiments", "course")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
