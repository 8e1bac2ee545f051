"""Judge a derivation written as a formula, and say what is wrong (Chapter 6).

A student writes a partial derivative as an expression, a string such as
``"z*(1 - z/a)"`` or a SymPy expression, in the variables of a :class:`Setting` (``y, a, b`` and the
output ``z``, plus ``g`` for the upstream gradient dL/dz). :func:`judge_expression` decides whether it
equals the correct derivative: ``z`` is replaced by its definition and both sides are evaluated with
mpmath (SymPy's arbitrary-precision engine) at 50 digits at random points of the setting's domain, so
every equivalent form (in ``z``, in the sigmoid, in ``exp``) is accepted and a form that differs
anywhere is not. When the answer is wrong it names the kind of mistake when it can: an exercise's own
catalogue of known mistakes (the paper's ``z(z - 1)/a``), then a wrong sign, a missing or extra
factor ``a``, a missing upstream gradient, a form right only where ``a = 1``.

Answers are read by :func:`paramact_kernel.parsing.parse`, which never hands them to ``eval`` or
``sympify``, so a student's text is safe to judge in the grader's own process.

Nothing here is secret: the expected expression is an argument. The visible tests of Chapter 6 call
:func:`derivative_problem` in the student's kernel (against a numerical derivative, so they do not
contain the answer); ``paramact grade`` calls :func:`judge_expression` in its own process, against the
master's recorded answer.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

import mpmath

from paramact_kernel.parsing import DIGITS, Expression, ExpressionError, Undefined, parse, quoted

POINTS = 8


# ------------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class Setting:
    """The variables of a derivation, what ``z`` stands for, and where answers are compared.

    ``sample(rng)`` draws one point (values of the free variables); ``define`` gives the dependent
    variables (``z``) as expressions in them. Only points where the formulas hold are drawn (for the
    parametric ReLU, its active side ``y > b``).
    """

    name: str
    variables: tuple[str, ...]
    define: dict[str, str]
    sample: Callable[[random.Random], dict]
    mirror: bool = (
        False  # whether y -> 2b - y stays in the domain (to spot a flipped sign of y - b)
    )

    @functools.cached_property
    def definitions(self) -> dict[str, Expression]:
        """The dependent variables' definitions, parsed once."""
        return {name: parse(formula, self.variables) for name, formula in self.define.items()}

    def complete(self, values: dict) -> dict:
        """``values`` with the dependent variables (``z``) computed from their definitions."""
        values = dict(values)
        for name, definition in self.definitions.items():
            values[name] = definition(values)
        return values

    def points(self, count: int = POINTS, **fixed: float) -> list[dict]:
        """``count`` reproducible points, with the dependent variables filled in."""
        rng = random.Random(f"{self.name}-{sorted(fixed.items())}")
        points = []
        for _ in range(count):
            with mpmath.workdps(DIGITS):
                values = {
                    name: mpmath.mpf(value) for name, value in {**self.sample(rng), **fixed}.items()
                }
            points.append(self.complete(values))
        return points


def _signed(rng: random.Random, low: float, high: float) -> float:
    return rng.choice((-1, 1)) * rng.uniform(low, high)


def _common(rng: random.Random) -> dict:
    return {
        "y": rng.uniform(-3, 3),
        "a": _signed(rng, 0.4, 3),
        "b": rng.uniform(-2, 2),
        "g": _signed(rng, 0.2, 2),
    }


def _relu_active(rng: random.Random) -> dict:
    values = _common(rng)
    values["y"] = values["b"] + rng.uniform(0.1, 4)
    return values


SETTINGS = {
    "parametric_sigmoid": Setting(
        "parametric_sigmoid",
        ("y", "a", "b", "z", "g"),
        {"z": "a*sigmoid(y - b)"},
        _common,
        mirror=True,
    ),
    "parametric_relu": Setting(
        "parametric_relu", ("y", "a", "b", "z", "g"), {"z": "a*(y - b)"}, _relu_active
    ),
}

# Generic mistakes, tried after an exercise's own catalogue: (formula in E, the correct value, and a; message).
GENERIC_MISTAKES = (
    ("-E", "has the wrong sign"),
    ("E/a", "is missing a factor a"),
    ("E*a", "has an extra factor a"),
    ("-E/a", "has the wrong sign and is missing a factor a"),
    ("-E*a", "has the wrong sign and an extra factor a"),
    ("E/g", "is missing the upstream gradient g = dL/dz (chain rule: multiply by it)"),
)


def _agrees(
    expression: Expression, targets: list, points: list[dict], digits: int = DIGITS - 10
) -> bool:
    """Whether ``expression`` matches ``targets`` at ``points`` to ``digits`` significant digits."""
    try:
        for point, target in zip(points, targets):
            value = expression(point)
            with mpmath.workdps(DIGITS):
                if abs(value - target) > mpmath.mpf(10) ** -digits * max(1, abs(target)):
                    return False
    except Undefined:
        return False
    return True


def _where(point: dict, setting: Setting) -> str:
    shown = [name for name in setting.variables if name not in setting.define and name != "g"]
    return ", ".join(f"{name} = {mpmath.nstr(point[name], 4)}" for name in shown)


def judge_expression(
    answer: object,
    expected: str,
    setting: Setting | str,
    mistakes: dict[str, str] | None = None,
    label: str = "the expression",
) -> str | None:
    """Why ``answer`` is not the derivative ``expected``; None when it is (in any equivalent form).

    Examples:
        >>> judge_expression("a*sigmoid(y - b)*(1 - sigmoid(y - b))", "z*(1 - z/a)", "parametric_sigmoid") is None
        True
        >>> judge_expression("a*exp(-(y - b))/(1 + exp(-(y - b)))**2", "z*(1 - z/a)", "parametric_sigmoid") is None
        True
        >>> judge_expression("-z*(1 - z/a)", "z*(1 - z/a)", "parametric_sigmoid", label="dz/dy")
        "dz/dy: '-z*(1 - z/a)' has the wrong sign"
        >>> judge_expression("z*(z - 1)/a", "z*(z - a)/a", "parametric_sigmoid", label="dz/db")
        "dz/db: 'z*(z - 1)/a' is right only where a = 1: check each place where a enters"
    """
    setting = SETTINGS[setting] if isinstance(setting, str) else setting
    return _diagnose(
        answer, parse(expected, setting.variables), setting, mistakes, label, count=2 * POINTS
    )


def derivative_problem(
    answer: object,
    setting: Setting | str,
    wrt: str,
    upstream: bool = False,
    label: str = "the expression",
) -> str | None:
    """Like :func:`judge_expression`, against a numerical derivative of the setting's ``z`` instead.

    The target is dz/d``wrt`` (times ``g`` = dL/dz with ``upstream``), differentiated numerically by
    mpmath at 50 digits, so a test can check an answer without containing it.

    Examples:
        >>> derivative_problem("z/a", "parametric_sigmoid", wrt="a") is None
        True
        >>> derivative_problem("z/a", "parametric_sigmoid", wrt="a", upstream=True, label="dL/da")
        "dL/da: 'z/a' is missing the upstream gradient g = dL/dz (chain rule: multiply by it)"
    """
    setting = SETTINGS[setting] if isinstance(setting, str) else setting
    output = setting.definitions["z"]

    def target(point):
        with mpmath.workdps(DIGITS):
            slope = mpmath.diff(lambda value: output({**point, wrt: value}), point[wrt])
            return slope * point["g"] if upstream else slope

    return _diagnose(answer, target, setting, None, label, digits=20)


def _diagnose(
    answer: object,
    correct: Callable,
    setting: Setting,
    mistakes: dict[str, str] | None,
    label: str,
    digits: int = DIGITS - 10,
    count: int = POINTS,
) -> str | None:
    try:
        student = parse(answer, setting.variables)
    except ExpressionError as error:
        return f"{label}: {error}"
    points = setting.points(count)
    targets = [correct(point) for point in points]
    if _agrees(student, targets, points, digits):
        return None
    for point in points:
        try:
            student(point)
        except Undefined as why:
            return f"{label}: {quoted(student.text, whole=True)} has no value at {_where(point, setting)} ({why}), where the derivative has one"
    for formula, message in (mistakes or {}).items():
        if _agrees(
            student, [parse(formula, setting.variables)(point) for point in points], points, digits
        ):
            return f"{label}: {quoted(student.text, whole=True)} {message}"
    for formula, message in GENERIC_MISTAKES:
        transform = parse(formula, ("E", "a", "g"))
        shifted = [
            transform({"E": target, "a": point["a"], "g": point["g"]})
            for target, point in zip(targets, points)
        ]
        if _agrees(student, shifted, points, digits):
            return f"{label}: {quoted(student.text, whole=True)} {message}"
    if setting.mirror:
        mirrored = [
            setting.complete({**point, "y": 2 * point["b"] - point["y"]}) for point in points
        ]
        if _agrees(student, [correct(point) for point in mirrored], points, digits):
            return (
                f"{label}: {quoted(student.text, whole=True)} has the sign of y - b flipped: sigmoid(u) = 1/(1 + exp(-u)), "
                "with a minus sign inside exp"
            )
    positive = [(point, target) for point, target in zip(points, targets) if point["a"] > 0]
    if positive and _agrees(student, [t for _, t in positive], [p for p, _ in positive], digits):
        return f"{label}: {quoted(student.text, whole=True)} is right only where a > 0: a may be negative too (check abs or a square root)"
    at_one = setting.points(a=1)
    if _agrees(student, [correct(point) for point in at_one], at_one, digits):
        return f"{label}: {quoted(student.text, whole=True)} is right only where a = 1: check each place where a enters"
    point = points[0]
    return (
        f"{label}: {quoted(student.text, whole=True)} is not equivalent to the correct derivative (at {_where(point, setting)} "
        f"it gives {mpmath.nstr(student(point), 6)}); go through the chain rule again"
    )
