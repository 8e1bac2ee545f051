"""Chapter 6's two-stage graders: realistic wrong answers lose points with the feedback meant for them.

Each mutant is the master with one answer cell replaced by a typical mistake. The catalogue and the
equivalent forms of the right answers are graded in one batch by ``paramact grade`` (sandboxed, scored
outside the kernel); every mutant must score below full marks on its exercise, keep the other
exercises' points, and get a reason naming its mistake; every equivalent form must score full marks.
The symbolic judge is also tested on its own: it never evaluates code and it bounds what it computes.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import once_per_session

from paramact.grader.batch import grade_batch
from paramact.grader.diagnosis import gradient_problem
from paramact.grader.sandbox import Limits
from paramact_kernel.expressions import judge_expression
from paramact_kernel.parsing import ExpressionError, parse

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "06_parametric_activations"
NOTEBOOK = "parametric_activations.ipynb"
LIMITS = Limits(cell_seconds=30, notebook_seconds=120, cpu_seconds=120)


@dataclass(frozen=True)
class Mutant:
    name: str
    cell: str  # the answer cell replaced
    source: str
    exercise: str  # the test cell that must lose points
    feedback: str  # what its reason must say
    also: tuple[
        str, ...
    ] = ()  # later exercises that build on the wrong answer and so lose points too


SIGMOID_GRADS = """
def parametric_sigmoid_grads(y, a, b):
    y, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (y, a, b)))
    {body}
"""
BACKWARD = """
def parametric_sigmoid_backward(dout, cache):
    y, a, b = cache
    dz_dy, dz_da, dz_db = parametric_sigmoid_grads(y, a, b)
    {body}
"""
RELU_GRADS = """
def parametric_relu_grads(y, a, b):
    y, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (y, a, b)))
    active = {condition}
    return np.where(active, a, 0.0), np.where(active, {dz_da}, 0.0), np.where(active, {dz_db}, 0.0)
"""
STABLE_S = "s = np.where(y >= b, 1 / (1 + np.exp(-np.abs(y - b))), np.exp(-np.abs(y - b)) / (1 + np.exp(-np.abs(y - b))))"

MUTANTS = [
    Mutant(
        "dy_sigmoid_rule_on_z",
        "dz_dy_answer",
        'dz_dy = "z*(1 - z)"',
        "dz_dy_tests",
        "sigmoid rule s(1 - s) with z in place of s",
    ),
    Mutant("dy_sign", "dz_dy_answer", 'dz_dy = "-z*(1 - z/a)"', "dz_dy_tests", "wrong sign"),
    Mutant(
        "dy_missing_a",
        "dz_dy_answer",
        'dz_dy = "sigmoid(y - b)*(1 - sigmoid(y - b))"',
        "dz_dy_tests",
        "missing a factor a",
    ),
    Mutant(
        "dy_call_syntax",
        "dz_dy_answer",
        'dz_dy = "z(1 - z/a)"',
        "dz_dy_tests",
        "reads as calling z",
    ),
    Mutant(
        "dy_unknown_name",
        "dz_dy_answer",
        'dz_dy = "x*(1 - x)"',
        "dz_dy_tests",
        "unknown name: use y, a, b, z",
    ),
    Mutant("da_extra_a", "dz_da_answer", 'dz_da = "z"', "dz_da_tests", "extra factor a"),
    Mutant(
        "da_flipped_exponent",
        "dz_da_answer",
        'dz_da = "1/(1 + exp(y - b))"',
        "dz_da_tests",
        "sign of y - b flipped",
    ),
    Mutant(
        "db_paper_misprint",
        "dz_db_answer",
        'dz_db = "z*(z - 1)/a"',
        "dz_db_tests",
        "misprinted eq. (14)",
    ),
    Mutant(
        "db_is_dy",
        "dz_db_answer",
        'dz_db = "z*(1 - z/a)"',
        "dz_db_tests",
        "inner derivative du/db = -1",
    ),
    Mutant(
        "chain_missing_upstream",
        "chain_answer",
        'dL_da = "z/a"\ndL_db = "g*z*(z - a)/a"',
        "chain_tests",
        "missing the upstream gradient",
    ),
    Mutant(
        "chain_paper_misprint",
        "chain_answer",
        'dL_da = "g*z/a"\ndL_db = "g*z*(z - 1)/a"',
        "chain_tests",
        "repeats the paper's misprint",
    ),
    Mutant(
        "chain_not_a_string",
        "chain_answer",
        'dL_da = 0.5\ndL_db = "g*z*(z - a)/a"',
        "chain_tests",
        "got a float, expected the text of an expression",
    ),
    Mutant(
        "relu_da_forgets_location",
        "relu_partials_answer",
        'relu_dz_dy = "a"\nrelu_dz_da = "y"\nrelu_dz_db = "-a"',
        "relu_partials_tests",
        "forgets the location",
    ),
    Mutant(
        "relu_db_sign",
        "relu_partials_answer",
        'relu_dz_dy = "a"\nrelu_dz_da = "y - b"\nrelu_dz_db = "a"',
        "relu_partials_tests",
        "wrong sign",
    ),
    Mutant(
        "relu_left_kink",
        "relu_grads_answer",
        RELU_GRADS.format(condition="y > b", dz_da="y - b", dz_db="-a"),
        "relu_grads_tests",
        "exactly at the kink",
    ),
    Mutant(
        "relu_grads_db_sign",
        "relu_grads_answer",
        RELU_GRADS.format(condition="y >= b", dz_da="y - b", dz_db="a"),
        "relu_grads_tests",
        "wrong sign",
    ),
    Mutant(
        "grads_divide_by_a",
        "sigmoid_grads_answer",
        SIGMOID_GRADS.format(
            body=f"{STABLE_S}\n    z = a * s\n    return z * (1 - z / a), z / a, z * (z - a) / a"
        ),
        "sigmoid_grads_tests",
        "not finite",
    ),
    Mutant(
        "grads_naive_exp",
        "sigmoid_grads_answer",
        SIGMOID_GRADS.format(
            body="e = np.exp(-(y - b))\n    return a * e / (1 + e) ** 2, 1 / (1 + e), -a * e / (1 + e) ** 2"
        ),
        "sigmoid_grads_tests",
        "not finite",
    ),
    Mutant(
        "grads_paper_db",
        "sigmoid_grads_answer",
        SIGMOID_GRADS.format(
            body=f"{STABLE_S}\n    z = a * s\n    return a * s * (1 - s), s, z * (z - 1) / a"
        ),
        "sigmoid_grads_tests",
        "paper's misprinted",
        also=("backward_tests",),
    ),
    Mutant(
        "backward_not_summed",
        "backward_answer",
        BACKWARD.format(body="return dout * dz_dy, dout * dz_da, dout * dz_db"),
        "backward_tests",
        "sum it over the batch",
    ),
    Mutant(
        "backward_mean",
        "backward_answer",
        BACKWARD.format(
            body="return dout * dz_dy, np.mean(dout * dz_da, axis=0), np.mean(dout * dz_db, axis=0)"
        ),
        "backward_tests",
        "averaged over the batch",
    ),
    Mutant(
        "backward_wrong_axis",
        "backward_answer",
        BACKWARD.format(
            body="return dout * dz_dy, np.sum(dout * dz_da, axis=1), np.sum(dout * dz_db, axis=1)"
        ),
        "backward_tests",
        "not over the neurons",
    ),
    Mutant(
        "backward_no_upstream",
        "backward_answer",
        BACKWARD.format(body="return dz_dy, np.sum(dz_da, axis=0), np.sum(dz_db, axis=0)"),
        "backward_tests",
        "missing the factor dout",
    ),
    Mutant(
        "backward_paper_db",
        "backward_answer",
        BACKWARD.format(
            body="z = a * dz_da\n    return dout * dz_dy, np.sum(dout * dz_da, axis=0), np.sum(dout * z * (z - 1) / a, axis=0)"
        ),
        "backward_tests",
        "paper's misprinted",
    ),
    Mutant(
        "paper_check_one_sided",
        "paper_check_answer",
        """
def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def paper_error(a, b):
    y = np.linspace(-5, 5, 101)
    z = a / (1 + np.exp(-(y - b)))
    numeric = central_difference(lambda location: a / (1 + np.exp(-(y - location))), b)
    return float(np.max(np.abs(z * (z - 1) / a - numeric)))
""",
        "paper_check_tests",
        "centred difference",
    ),
]
# A kernel that puts the hidden tests' source where the answers should be: the judge's reason must not
# echo it (it says "your expression"), and only the one wrong answer costs points.
LEAKER = (
    'dz_dy = "z*(1 - z)"\nseen = []\n\n\ndef hook(info):\n    seen.append(info.raw_cell or "")\n'
    '    leak = "LEAK " + " ".join("".join(seen[-2:]).split())[:560] + " )("\n'
    '    for name in ("dz_dy", "dz_da", "dz_db", "dL_da", "dL_db"):\n        get_ipython().user_ns[name] = leak\n\n\n'
    'get_ipython().events.register("pre_run_cell", hook)\n'
)


# A right value by a forbidden method: flagged for the instructor, never scored (autograder/README.md).
FLAGGED = {
    "symbolic_by_diff": (
        "dz_dy_answer",
        'import sympy\nY, A, B = sympy.symbols("y a b")\n'
        "dz_dy = sympy.diff(A / (1 + sympy.exp(-(Y - B))), Y)",
        "dz_dy_answer: line 3: uses .diff",
    )
}

# Right answers in other forms: each submission must earn full marks.
EQUIVALENT = {
    "forms_in_exp_and_sigmoid": {
        "dz_dy_answer": 'dz_dy = "a*exp(-(y - b))/(1 + exp(-(y - b)))^2"',
        "dz_da_answer": 'dz_da = "1/(1 + exp(-(y - b)))"',
        "dz_db_answer": 'dz_db = "-a*sigmoid(y - b)*(1 - sigmoid(y - b))"',
        "chain_answer": 'dL_da = "g*sigmoid(y - b)"\ndL_db = "-g*z*(1 - z/a)"',
        "relu_partials_answer": 'relu_dz_dy = "z/(y - b)"\nrelu_dz_da = "z/a"\nrelu_dz_db = "-z/(y - b)"',
    },
    "forms_expanded": {
        "dz_dy_answer": 'dz_dy = "z - z**2/a"',
        "dz_da_answer": 'dz_da = "sigmoid(y - b)"',
        "dz_db_answer": 'dz_db = "z^2/a - z"',
        "chain_answer": 'dL_da = "z*g/a"\ndL_db = "g*(z**2 - a*z)/a"',
        "relu_partials_answer": 'relu_dz_dy = "a"\nrelu_dz_da = "y - b"\nrelu_dz_db = "-1*a"',
    },
    "forms_in_sympy": {
        "dz_dy_answer": 'import sympy\nY, A, B, Z = sympy.symbols("y a b z")\ndz_dy = Z * (1 - Z / A)',
        "dz_da_answer": 'import sympy\nY, A, B, Z = sympy.symbols("y a b z")\ndz_da = 1 / (1 + sympy.exp(B - Y))',
        "dz_db_answer": 'import sympy\nY, A, B, Z = sympy.symbols("y a b z")\ndz_db = -A * sympy.exp(B - Y) / (1 + sympy.exp(B - Y))**2',
    },
}


def submission(master: dict, replacements: dict[str, str]) -> dict:
    notebook = json.loads(json.dumps(master))
    for cell in notebook["cells"]:
        if cell.get("id") in replacements:
            cell["source"] = replacements[cell["id"]].strip("\n")
    return notebook


def grade_all(base: Path):
    course, folder = base / "course", base / "submissions"
    for name in ("solutions", "chapters"):
        shutil.copytree(ROOT / name / CHAPTER, course / name / CHAPTER)
    shutil.copy(ROOT / "_toc.yml", course / "_toc.yml")
    master = json.loads((ROOT / "solutions" / CHAPTER / NOTEBOOK).read_text(encoding="utf-8"))
    folder.mkdir(parents=True)
    for mutant in MUTANTS:
        (folder / f"{mutant.name}.ipynb").write_text(
            json.dumps(submission(master, {mutant.cell: mutant.source}))
        )
    for name, replacements in EQUIVALENT.items():
        (folder / f"{name}.ipynb").write_text(json.dumps(submission(master, replacements)))
    (folder / "leaker.ipynb").write_text(json.dumps(submission(master, {"dz_dy_answer": LEAKER})))
    for name, (cell, source, _) in FLAGGED.items():
        (folder / f"{name}.ipynb").write_text(json.dumps(submission(master, {cell: source})))
    results, _ = grade_batch(course, folder, [CHAPTER], LIMITS, jobs=2, progress=False)
    return {result.student: result for result in results}


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    return once_per_session(request, tmp_path_factory, "derivations", grade_all)


def test_catalogue_has_at_least_15_distinct_mutants():
    assert len(MUTANTS) >= 15
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)
    assert len({m.source for m in MUTANTS}) == len(MUTANTS)
    assert len({m.exercise for m in MUTANTS}) >= 8, (
        "the catalogue should cover every exercise of the chapter"
    )


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_loses_points_with_the_intended_feedback(graded, mutant):
    result = graded[mutant.name]
    assert result.error is None, result.error
    by_id = {exercise.grade_id: exercise for exercise in result.exercises}
    target = by_id[mutant.exercise]
    assert target.points < target.max_points, (
        f"{mutant.name} earned full marks on {mutant.exercise}"
    )
    assert mutant.feedback.lower() in target.reason.lower(), (
        f"{mutant.name}: reason was {target.reason!r}"
    )
    others = [
        e.grade_id
        for e in result.exercises
        if e.grade_id not in (mutant.exercise, *mutant.also) and e.points != e.max_points
    ]
    assert not others, (
        f"{mutant.name} also lost points on {others}: {[by_id[o].reason for o in others]}"
    )


@pytest.mark.parametrize("student", sorted(FLAGGED))
def test_a_forbidden_method_is_flagged_not_scored(graded, student):
    result = graded[student]
    assert FLAGGED[student][2] in result.flags
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("student", sorted(EQUIVALENT))
def test_every_equivalent_form_earns_full_marks(graded, student):
    result = graded[student]
    assert result.error is None, result.error
    short = {e.grade_id: e.reason for e in result.exercises if e.points != e.max_points}
    assert not short, short
    assert result.score == result.max_score > 0


# ------------------------------------------------------------------------------ the judge on its own

SIGMOID_FORMS = {
    "dz/dy": (
        "z*(1 - z/a)",
        ["a*sigmoid(y-b)*sigmoid(b-y)", "a*exp(b-y)/(1+exp(b-y))**2", "z*(a - z)/a", "(z - z^2/a)"],
    ),
    "dz/da": ("sigmoid(y - b)", ["z/a", "1/(1 + exp(b - y))", "exp(y - b)/(exp(y - b) + 1)"]),
    "dz/db": ("z*(z - a)/a", ["-z*(1 - z/a)", "-a*exp(b - y)/(1 + exp(b - y))^2", "z**2/a - z"]),
}


def test_judge_accepts_what_sympy_and_people_write():
    import sympy

    y, a, b = sympy.symbols("y a b")
    s = 1 / (1 + sympy.exp(-(y - b)))
    sigmoid = sympy.Function("sigmoid")
    assert (
        judge_expression(sigmoid(y - b), "z/a", "parametric_sigmoid") is None
    )  # a bare applied function
    assert (
        judge_expression(sympy.simplify(a * s * (1 - s)), "z*(1 - z/a)", "parametric_sigmoid")
        is None
    )  # cosh
    for text in ("10*z*(0.1 - 0.1*z/a)", "(z *  # times\n (1 - z/a))", "z·(1 − z/a)", "+z*(1-z/a)"):
        assert judge_expression(text, "z*(1 - z/a)", "parametric_sigmoid") is None, text


@pytest.mark.parametrize("label", sorted(SIGMOID_FORMS))
def test_judge_accepts_every_equivalent_form(label):
    expected, forms = SIGMOID_FORMS[label]
    for form in forms:
        assert judge_expression(form, expected, "parametric_sigmoid", label=label) is None, form


@pytest.mark.parametrize(
    "answer, feedback",
    [
        ("-z*(1 - z/a)", "wrong sign"),
        ("z*(1 - z/a)/a", "missing a factor a"),
        ("a*z*(1 - z/a)", "extra factor a"),
        ("-a*z*(1 - z/a)", "wrong sign and an extra factor a"),
        ("a*sigmoid(b - y)*(1 - sigmoid(b - y))*0 + a*sigmoid(b-y)", "not equivalent"),
        ("abs(a)*sigmoid(y - b)*(1 - sigmoid(y - b))", "right only where a > 0"),
        ("a*s*(1 - s)", "write s = sigmoid(y - b) out"),
    ],
)
def test_judge_names_generic_mistakes_without_a_catalogue(answer, feedback):
    assert feedback in judge_expression(answer, "z*(1 - z/a)", "parametric_sigmoid")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "().__class__",
        "z.real",
        "exp(y, 2)",
        "open('x')",
        "[z]",
        "z if a else b",
        "lambda: 1",
        "'a' * 3",
        "1e300 * z",
        "(y > b) * a",
        "9" * 700,
    ],
)
def test_parser_refuses_anything_but_a_formula(text):
    with pytest.raises(ExpressionError):
        parse(text, ("y", "a", "b", "z"))


def test_judge_bounds_huge_powers_instead_of_computing_them():
    why = judge_expression("9**9**9**9 + z", "z", "parametric_sigmoid")
    assert "no value" in why


def test_numeric_diagnosis_needs_the_right_shape_and_values():
    import numpy as np

    expected = np.array([1.0, 2.0])
    assert gradient_problem("g", expected.copy(), expected) is None
    assert "shape" in gradient_problem("g", np.ones(3), expected)
    assert "wrong sign" in gradient_problem("g", -expected, expected)
    assert "not finite" in gradient_problem("g", np.array([np.nan, 2.0]), expected)
    assert "kink" in gradient_problem(
        "g", np.array([0.0, 2.0]), expected, kink=np.array([True, False])
    )
    assert "differs" in gradient_problem("g", np.array([1.5, 2.0]), expected)
    assert "keepdims" in gradient_problem("g", expected.reshape(1, 2), expected, batch_size=1)
    assert "not finite" not in gradient_problem(
        "g",
        np.array([np.nan, 5.0]),
        expected,
        mistakes={"a known mistake": np.array([np.nan, 5.0])},
    )


def test_the_judge_never_echoes_what_a_kernel_recorded(graded):
    result = graded["leaker"]
    reasons = " ".join(e.reason for e in result.exercises)
    assert "LEAK" not in reasons and "record(" not in reasons, reasons
    assert result.max_score - result.score == 1  # dz/dy only: the others pass with its hook gone
