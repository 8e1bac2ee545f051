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

Expressions are never handed to ``eval`` or ``sympify``: the text is parsed with :mod:`ast` and only
numbers, the setting's variables, ``+ - * / **`` and the functions in :data:`FUNCTIONS` are accepted,
with limits on size and magnitude, so a student's text is safe to judge in the grader's own process.

Nothing here is secret: the expected expression is an argument. The visible tests of Chapter 6 call
:func:`derivative_problem` in the student's kernel (against a numerical derivative, so they do not
contain the answer); ``paramact grade`` calls :func:`judge_expression` in its own process, against the
master's recorded answer.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import functools
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath

DIGITS = 50
MAX_CHARS = 600
MAX_NODES = 300
MAX_CONSTANT = 1e6
MAX_LOG_MAGNITUDE = (
    140  # |value| < e**140 at every step (about 1e60): larger means an overflowing form
)
POINTS = 8


# Whether messages quote the answer. The grader turns it off (:func:`unquoted`): there the "answer" is
# whatever a possibly hostile kernel recorded, and a quote would carry its text into the feedback.
QUOTING = contextvars.ContextVar("quoting", default=True)


def _shown(fragment: object, whole: bool = False) -> str:
    if QUOTING.get():
        return repr(fragment)
    return "your expression" if whole else "a part of your expression"


@contextlib.contextmanager
def unquoted():
    """Messages inside never quote the answer (they say "your expression")."""
    token = QUOTING.set(False)
    try:
        yield
    finally:
        QUOTING.reset(token)


class ExpressionError(ValueError):
    """An answer that cannot be read as an expression; the message says why and what to write."""


class _Undefined(ArithmeticError):
    """An expression that has no value at a point (division by zero, log of a negative number)."""


def _sigmoid(u):
    return 1 / (1 + mpmath.exp(-u))


def _log(u):
    if u <= 0:
        raise _Undefined("log of a number <= 0")
    return mpmath.log(u)


def _sqrt(u):
    if u < 0:
        raise _Undefined("square root of a negative number")
    return mpmath.sqrt(u)


def _exp(u):
    if u > MAX_LOG_MAGNITUDE:
        raise _Undefined("exp of a very large number")
    return mpmath.exp(u)


def _cosh(u):
    if abs(u) > MAX_LOG_MAGNITUDE:
        raise _Undefined("cosh of a very large number")
    return mpmath.cosh(u)


FUNCTIONS: dict[str, Callable] = {
    "exp": _exp,
    "log": _log,
    "sqrt": _sqrt,
    "sigmoid": _sigmoid,
    "σ": _sigmoid,
    "tanh": mpmath.tanh,
    "cosh": _cosh,
    "sinh": lambda u: _exp(u) / 2 - _exp(-u) / 2,
    "sech": lambda u: 1 / _cosh(u),
    "Abs": abs,
    "abs": abs,
}
FUNCTION_NAMES = "exp, log, sqrt, sigmoid, tanh, cosh, sinh, sech, abs"
# Characters that look like operators on paper, read as the operators.
LOOKALIKES = str.maketrans({"·": "*", "×": "*", "−": "-", "–": "-", "²": "**2"})
# Letters of the derivation that are not variables of the answers.
HINTS = {
    "e": " (write e**u as exp(u))",
    "s": " (write s = sigmoid(y - b) out)",
    "u": " (write u = y - b out)",
}
CONSTANTS = {"E": mpmath.e, "pi": mpmath.pi}
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


@dataclass(frozen=True)
class Expression:
    """A parsed answer: its text and a validated syntax tree, evaluated by calling it with values."""

    text: str
    tree: ast.Expression = field(repr=False, compare=False)

    def __call__(self, values: dict) -> mpmath.mpf:
        with mpmath.workdps(
            max(DIGITS, mpmath.mp.dps)
        ):  # never below a caller's precision (mpmath.diff)
            return _evaluate(self.tree.body, values)


def _evaluate(node, values):
    if isinstance(node, ast.Constant):
        return mpmath.mpf(repr(node.value))  # 0.1 as the decimal 0.1, not its binary neighbour
    if isinstance(node, ast.Name):
        return values[node.id] if node.id in values else CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        result = FUNCTIONS[node.func.id](_evaluate(node.args[0], values))
    else:
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        if isinstance(node.op, ast.Add):
            result = left + right
        elif isinstance(node.op, ast.Sub):
            result = left - right
        elif isinstance(node.op, ast.Mult):
            result = left * right
        elif isinstance(node.op, ast.Div):
            if right == 0:
                raise _Undefined("division by zero")
            result = left / right
        else:
            result = _power(left, right)
    if mpmath.isnan(result) or (result != 0 and abs(mpmath.log(abs(result))) > MAX_LOG_MAGNITUDE):
        raise _Undefined("a value too large or too small to be meant")
    return result


def _power(base, exponent):
    if base == 0:
        if exponent <= 0:
            raise _Undefined("0 to a power <= 0")
        return mpmath.mpf(0)
    if base < 0 and exponent != int(exponent):
        raise _Undefined("a negative number to a fractional power")
    if abs(exponent * mpmath.log(abs(base))) > MAX_LOG_MAGNITUDE:
        raise _Undefined("a power too large to be meant")
    return mpmath.power(base, exponent)


def _text_of(answer) -> str:
    if isinstance(answer, str):
        return answer
    sympy = sys.modules.get("sympy")  # a SymPy answer means the student's kernel imported it
    if sympy is not None and isinstance(answer, sympy.Basic):
        return sympy.sstr(answer)
    raise ExpressionError(
        f'give the expression as a string such as "z*(1 - z/a)" or as a SymPy expression, not a {type(answer).__name__}'
    )


def parse(answer, variables: tuple[str, ...]) -> Expression:
    """Read ``answer`` (a string or a SymPy expression) as an expression in ``variables``.

    ``^`` is read as a power, as on paper. Raises :class:`ExpressionError` naming the problem.

    Examples:
        >>> parse("z*(1 - z/a)", ("y", "a", "b", "z"))({"z": 1, "a": 2})
        mpf('0.5')
        >>> parse("x + 1", ("y", "a", "b", "z"))
        Traceback (most recent call last):
        ...
        paramact_kernel.expressions.ExpressionError: unknown name 'x': use y, a, b, z and exp, log, sqrt, sigmoid, tanh, cosh, sinh, sech, abs
    """
    source = _text_of(answer).translate(LOOKALIKES).strip()
    text = " ".join(source.split())
    if not text:
        raise ExpressionError("the expression is empty: replace the stub's string with your answer")
    if len(text) > MAX_CHARS:
        raise ExpressionError(
            f"the expression has {len(text)} characters; simplify it (at most {MAX_CHARS})"
        )
    try:
        tree = ast.parse(source.replace("^", "**"), mode="eval")
    except SyntaxError:
        tree = None
    try:  # a formula broken over lines outside parentheses reads as one line
        tree = tree or ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(
            f"{_shown(text)} is not a formula Python can read ({error.msg}); write products with *, e.g. a*z"
        ) from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(f"the expression is too long ({len(nodes)} parts); simplify it")
    known = ", ".join(variables) + " and " + FUNCTION_NAMES
    for node in nodes:
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in variables:
                name = node.func.id
                raise ExpressionError(
                    f"{_shown(ast.unparse(node))} reads as calling {name}: write the product as {name}*(...)"
                )
            if (
                not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS)
                or node.keywords
                or len(node.args) != 1
            ):
                raise ExpressionError(
                    f"{_shown(ast.unparse(node))}: only {FUNCTION_NAMES} of one argument may be called"
                )
        elif isinstance(node, ast.Name):
            function_call = any(
                isinstance(parent, ast.Call) and parent.func is node for parent in nodes
            )
            if not function_call and node.id not in variables and node.id not in CONSTANTS:
                shown = f" {node.id!r}" if QUOTING.get() else ""
                raise ExpressionError(f"unknown name{shown}: use {known}{HINTS.get(node.id, '')}")
        elif isinstance(node, ast.Constant):
            value = node.value
            # exact types: a bool (True/False) is not a number an answer needs
            if not (type(value) is int or type(value) is float) or abs(value) > MAX_CONSTANT:
                raise ExpressionError(f"{_shown(value)} is not a number an answer needs")
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, _OPERATORS):
                raise ExpressionError(
                    f"{_shown(ast.unparse(node))}: use only + - * / and ** (or ^)"
                )
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ExpressionError(
                    f"{_shown(ast.unparse(node))}: use only + - * / and ** (or ^)"
                )
        elif not isinstance(node, (ast.Expression, ast.Load, ast.operator, ast.unaryop)):
            raise ExpressionError(
                f"{_shown(text)} is not a formula (found a {type(node).__name__})"
            )
    return Expression(text, tree)


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

    def points(self, count: int = POINTS, **fixed) -> list[dict]:
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
    except _Undefined:
        return False
    return True


def _where(point: dict, setting: Setting) -> str:
    shown = [name for name in setting.variables if name not in setting.define and name != "g"]
    return ", ".join(f"{name} = {mpmath.nstr(point[name], 4)}" for name in shown)


def judge_expression(
    answer,
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
    answer, setting: Setting | str, wrt: str, upstream: bool = False, label: str = "the expression"
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
    answer,
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
        except _Undefined as why:
            return f"{label}: {_shown(student.text, whole=True)} has no value at {_where(point, setting)} ({why}), where the derivative has one"
    for formula, message in (mistakes or {}).items():
        if _agrees(
            student, [parse(formula, setting.variables)(point) for point in points], points, digits
        ):
            return f"{label}: {_shown(student.text, whole=True)} {message}"
    for formula, message in GENERIC_MISTAKES:
        transform = parse(formula, ("E", "a", "g"))
        shifted = [
            transform({"E": target, "a": point["a"], "g": point["g"]})
            for target, point in zip(targets, points)
        ]
        if _agrees(student, shifted, points, digits):
            return f"{label}: {_shown(student.text, whole=True)} {message}"
    if setting.mirror:
        mirrored = [
            setting.complete({**point, "y": 2 * point["b"] - point["y"]}) for point in points
        ]
        if _agrees(student, [correct(point) for point in mirrored], points, digits):
            return (
                f"{label}: {_shown(student.text, whole=True)} has the sign of y - b flipped: sigmoid(u) = 1/(1 + exp(-u)), "
                "with a minus sign inside exp"
            )
    positive = [(point, target) for point, target in zip(points, targets) if point["a"] > 0]
    if positive and _agrees(student, [t for _, t in positive], [p for p, _ in positive], digits):
        return f"{label}: {_shown(student.text, whole=True)} is right only where a > 0: a may be negative too (check abs or a square root)"
    at_one = setting.points(a=1)
    if _agrees(student, [correct(point) for point in at_one], at_one, digits):
        return f"{label}: {_shown(student.text, whole=True)} is right only where a = 1: check each place where a enters"
    point = points[0]
    return (
        f"{label}: {_shown(student.text, whole=True)} is not equivalent to the correct derivative (at {_where(point, setting)} "
        f"it gives {mpmath.nstr(student(point), 6)}); go through the chain rule again"
    )
