"""The package surface: lazy torch, re-exports, version, documentation (the doctests run with --doctest-modules)."""

import importlib
import importlib.metadata
import inspect
import subprocess
import sys

import pytest

import paramact

NUMPY_MODULES = ["activations", "parametric", "losses", "layers", "mlp", "optim", "gradcheck"]
TORCH_MODULES = ["functional", "nn"]
MODULES = NUMPY_MODULES + TORCH_MODULES


def run_python(code):
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_does_not_import_torch_and_help_stays_lazy():
    out = run_python(
        "import sys, pydoc, paramact\n"
        "print('torch' in sys.modules)\n"
        "pydoc.render_doc(paramact)\n"
        "print('torch' in sys.modules)\n"
        "paramact.nn\n"
        "print('torch' in sys.modules)\n"
    )
    assert out.split() == ["False", "False", "True"]


def test_numpy_part_works_without_torch():
    out = run_python(
        "import sys\n"
        "sys.modules['torch'] = None  # makes 'import torch' fail, as on a machine without it\n"
        "import numpy as np, paramact\n"
        "print(paramact.MLP([2, 3, 1], hidden='parametric_relu', seed=0).loss(\n"
        "    np.ones((1, 2)), np.ones((1, 1)))[0] >= 0)\n"
        "try:\n"
        "    paramact.nn\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error.name)\n"
    )
    assert out.split() == ["True", "ModuleNotFoundError", "torch"]


def test_lazy_submodules():
    assert paramact.nn is importlib.import_module("paramact.nn")
    assert (
        paramact.functional.parametric_relu
        is importlib.import_module("paramact.functional").parametric_relu
    )
    with pytest.raises(AttributeError, match="no attribute 'tensorflow'"):
        _ = paramact.tensorflow


def test_version():
    assert paramact.__version__ == importlib.metadata.version("paramact")


def test_numpy_api_is_re_exported():
    for name in paramact.__all__:
        assert hasattr(paramact, name), name
    for module_name in NUMPY_MODULES:
        module = importlib.import_module(f"paramact.{module_name}")
        for name in module.__all__:
            if name in paramact.__all__:
                assert getattr(paramact, name) is getattr(module, name)
    for name in [
        "sigmoid",
        "parametric_sigmoid_grads",
        "softmax_cross_entropy",
        "MLP",
        "SGD",
        "check_gradients",
        "affine_forward",
        "parametric_relu_backward",
    ]:
        assert name in paramact.__all__


def test_package_docstring_is_a_table_of_contents():
    doc = paramact.__doc__
    for entry in [
        "paramact.activations",
        "paramact.losses",
        "paramact.parametric",
        "paramact.layers",
        "paramact.mlp",
        "paramact.optim",
        "paramact.gradcheck",
        "paramact.functional",
        "paramact.nn",
        "paramact.stats",
        "paramact.data",
        "paramact.experiments.xor",
        "paramact.experiments.mnist",
        "paramact.course",
        "Command line",
        "Kong & Ko (2021)",
        "eq. (14)",
    ]:
        assert entry in doc, entry


def public_objects():
    for module_name in MODULES:
        module = importlib.import_module(f"paramact.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{module_name}.{name}", obj


@pytest.mark.parametrize(
    "qualname, obj", list(public_objects()), ids=[q for q, _ in public_objects()]
)
def test_every_public_function_and_class_is_documented_with_an_example(qualname, obj):
    doc = inspect.getdoc(obj)
    assert doc and len(doc.splitlines()) >= 3, qualname
    assert "Examples:" in doc, qualname


TYPED_MODULES = [
    "paramact.nn",
    "paramact.functional",
    "paramact.experiments.common",
    "paramact.experiments.mnist.config",
    "paramact.experiments.mnist.model",
    "paramact.experiments.mnist.training",
    "paramact.experiments.mnist.runner",
    "paramact.experiments.mnist.analysis",
    "paramact.experiments.mnist.tables",
    "paramact.experiments.mnist.sweep",
    "paramact.experiments.mnist.endpoints",
    "paramact.experiments.mnist.figures",
    "paramact.experiments.mnist.results",
    "paramact.cli",
    "paramact.cli.policy",
    "paramact.cli.experiments",
    "paramact.cli.data",
    "paramact.cli.course",
]


@pytest.mark.parametrize("module_name", TYPED_MODULES)
def test_public_functions_carry_type_hints(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        obj = getattr(module, name)
        functions = [obj] if inspect.isfunction(obj) else []
        if inspect.isclass(obj) and obj.__module__ == module_name:
            functions = [
                f for n, f in vars(obj).items() if inspect.isfunction(f) and not n.startswith("_")
            ]
        for function in functions:
            signature = inspect.signature(function)
            missing = [
                p
                for p in signature.parameters
                if p not in ("self", "cls")
                and signature.parameters[p].annotation is inspect.Parameter.empty
            ]
            assert not missing, f"{module_name}.{name}: parameters without a type hint: {missing}"
            assert signature.return_annotation is not inspect.Signature.empty, (
                f"{module_name}.{name}: no return type"
            )


def test_the_mnist_experiment_keeps_the_names_chapter_9_uses():
    from paramact.experiments import mnist as mnistexp

    for name in (
        "build_model",
        "make_optimizer",
        "run_mnist",
        "PAPER_RANGES",
        "accuracy_table",
        "by_arm",
        "per_epoch",
        "training_loss_figure",
        "test_accuracy_figure",
        "long_run_figure",
        "ab_histograms",
        "ab_epochs_figure",
        "ranges_table",
        "relu_output_table",
        "dead_outputs_figure",
        "load_stored",
    ):
        assert name in mnistexp.__all__ and hasattr(mnistexp, name), name
