"""Method rules are read from the answers' text and only flag: what they catch, and what they never flag."""

import json
from pathlib import Path

import pytest

from paramact.grader.notebook import is_answer, source_of
from paramact.grader.scan import problems

ROOT = Path(__file__).resolve().parents[1]


def master_answers():
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if is_answer(cell):
                yield (
                    path.parent.name,
                    cell["id"],
                    source_of(cell),
                    cell["metadata"].get("paramact", {}).get("forbid", []),
                )


@pytest.mark.parametrize(
    "chapter, answer, source, rules", list(master_answers()), ids=lambda v: str(v)[:30]
)
def test_no_master_answer_is_flagged(chapter, answer, source, rules):
    assert problems(source, rules) == []


@pytest.mark.parametrize(
    "source, rules, flag",
    [
        ("import torch\nloss.backward()", ["backward"], "line 2: uses .backward"),
        ("from torch.autograd import grad", ["torch.autograd"], "line 1: imports torch.autograd"),
        (
            "import torch\ng = torch.autograd.grad(z, y)",
            ["torch.autograd"],
            "line 2: uses torch.autograd.grad",
        ),
        ("import sympy\nd = sympy.diff(z, y)", ["diff"], "line 2: uses .diff"),
        (
            "from paramact import activations",
            [],
            "line 1: imports paramact (the reference implementation)",
        ),
        (
            "import paramact.layers as L",
            [],
            "line 1: imports paramact.layers (the reference implementation)",
        ),
    ],
)
def test_method_rules_are_flagged(source, rules, flag):
    assert flag in problems(source, rules)


@pytest.mark.parametrize(
    "source",
    [
        "print(f.__name__, f.__doc__)",
        "class M:\n    def __init__(self):\n        self.__m = 1\n        super().__init__()",
        "%timeit step(1.0)\nx = 1",
        "def f():\n    import tqdm\n    return tqdm",
        "from scipy.special import logsumexp, expit",
        "reference = record = parametric_sigmoid = jacobian = 1",
        "import sympy\nx = sympy.S(1) + sympy.sympify('y')",
        "def f(:",
    ],
)
def test_style_is_never_flagged(source):
    assert problems(source, ["torch.autograd", "backward", "diff", "Derivative"]) == []
