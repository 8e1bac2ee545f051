"""Read a formula a student wrote, safely: ``parse(answer, variables)`` (Chapter 6).

An answer is a string such as ``"z*(1 - z/a)"`` or a SymPy expression. It is never handed to ``eval``
or ``sympify``: the text is parsed with :mod:`ast` and only numbers, the given variables,
``+ - * / **`` and the functions in :data:`FUNCTIONS` are accepted, with limits on size and
magnitude, so a student's text is safe to read in the grader's own process. The parsed
:class:`Expression` is evaluated with mpmath at :data:`DIGITS` digits; where it has no value (a
division by zero, the log of a negative number) it raises :class:`Undefined`.
:mod:`paramact_kernel.expressions` judges the parsed answers.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import mpmath

DIGITS = 50
MAX_CHARS = 600
MAX_NODES = 300
MAX_CONSTANT = 1e6
MAX_LOG_MAGNITUDE = (
    140  # |value| < e**140 at every step (about 1e60): larger means an overflowing form
)


# Whether messages quote the answer. The grader turns it off (:func:`unquoted`): there the "answer" is
# whatever a possibly hostile kernel recorded, and a quote would carry its text into the feedback.
QUOTING = contextvars.ContextVar("quoting", default=True)


def quoted(fragment: object, whole: bool = False) -> str:
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


class Undefined(ArithmeticError):
    """An expression that has no value at a point (division by zero, log of a negative number)."""


def _sigmoid(u):
    return 1 / (1 + mpmath.exp(-u))


def _log(u):
    if u <= 0:
        raise Undefined("log of a number <= 0")
    return mpmath.log(u)


def _sqrt(u):
    if u < 0:
        raise Undefined("square root of a negative number")
    return mpmath.sqrt(u)


def _exp(u):
    if u > MAX_LOG_MAGNITUDE:
        raise Undefined("exp of a very large number")
    return mpmath.exp(u)


def _cosh(u):
    if abs(u) > MAX_LOG_MAGNITUDE:
        raise Undefined("cosh of a very large number")
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
        # parse lets only calls of a name through (_check); cast is a type hint, not a check
        result = FUNCTIONS[cast(ast.Name, node.func).id](_evaluate(node.args[0], values))
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
                raise Undefined("division by zero")
            result = left / right
        else:
            result = _power(left, right)
    if mpmath.isnan(result) or (result != 0 and abs(mpmath.log(abs(result))) > MAX_LOG_MAGNITUDE):
        raise Undefined("a value too large or too small to be meant")
    return result


def _power(base, exponent):
    if base == 0:
        if exponent <= 0:
            raise Undefined("0 to a power <= 0")
        return mpmath.mpf(0)
    if base < 0 and exponent != int(exponent):
        raise Undefined("a negative number to a fractional power")
    if abs(exponent * mpmath.log(abs(base))) > MAX_LOG_MAGNITUDE:
        raise Undefined("a power too large to be meant")
    return mpmath.power(base, exponent)


def _text_of(answer: object) -> str:
    if isinstance(answer, str):
        return answer
    sympy = sys.modules.get("sympy")  # a SymPy answer means the student's kernel imported it
    if sympy is not None and isinstance(answer, sympy.Basic):
        return sympy.sstr(answer)
    raise ExpressionError(
        f'give the expression as a string such as "z*(1 - z/a)" or as a SymPy expression, not a {type(answer).__name__}'
    )


def parse(answer: object, variables: tuple[str, ...]) -> Expression:
    """Read ``answer`` (a string or a SymPy expression) as an expression in ``variables``.

    ``^`` is read as a power, as on paper. Raises :class:`ExpressionError` naming the problem.

    Examples:
        >>> parse("z*(1 - z/a)", ("y", "a", "b", "z"))({"z": 1, "a": 2})
        mpf('0.5')
        >>> parse("x + 1", ("y", "a", "b", "z"))
        Traceback (most recent call last):
        ...
        paramact_kernel.parsing.ExpressionError: unknown name 'x': use y, a, b, z and exp, log, sqrt, sigmoid, tanh, cosh, sinh, sech, abs
    """
    source = _text_of(answer).translate(LOOKALIKES).strip()
    text = " ".join(source.split())
    if not text:
        raise ExpressionError("the expression is empty: replace the stub's string with your answer")
    if len(text) > MAX_CHARS:
        raise ExpressionError(
            f"the expression has {len(text)} characters; simplify it (at most {MAX_CHARS})"
        )
    tree = _syntax_tree(source, text)
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(f"the expression is too long ({len(nodes)} parts); simplify it")
    called = {id(node.func) for node in nodes if isinstance(node, ast.Call)}
    for node in nodes:
        _check(node, id(node) in called, variables, text)
    return Expression(text, tree)


def _syntax_tree(source: str, text: str) -> ast.Expression:
    """The answer's syntax tree, ``^`` read as a power; a formula broken over lines outside
    parentheses reads as one line (``text``, its whitespace collapsed)."""
    try:
        return ast.parse(source.replace("^", "**"), mode="eval")
    except SyntaxError:
        pass
    try:
        return ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(
            f"{quoted(text)} is not a formula Python can read ({error.msg}); write products with *, e.g. a*z"
        ) from None


def _check(node: ast.AST, is_called: bool, variables: tuple[str, ...], text: str) -> None:
    """Raise :class:`ExpressionError` unless ``node`` may appear in a formula in ``variables``."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in variables:
            name = node.func.id
            raise ExpressionError(
                f"{quoted(ast.unparse(node))} reads as calling {name}: write the product as {name}*(...)"
            )
        if (
            not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS)
            or node.keywords
            or len(node.args) != 1
        ):
            raise ExpressionError(
                f"{quoted(ast.unparse(node))}: only {FUNCTION_NAMES} of one argument may be called"
            )
    elif isinstance(node, ast.Name):
        if not is_called and node.id not in variables and node.id not in CONSTANTS:
            shown = f" {node.id!r}" if QUOTING.get() else ""
            known = ", ".join(variables) + " and " + FUNCTION_NAMES
            raise ExpressionError(f"unknown name{shown}: use {known}{HINTS.get(node.id, '')}")
    elif isinstance(node, ast.Constant):
        value = node.value
        # exact types: a bool (True/False) is not a number an answer needs
        if not (type(value) is int or type(value) is float) or abs(value) > MAX_CONSTANT:
            raise ExpressionError(f"{quoted(value)} is not a number an answer needs")
    elif isinstance(node, (ast.BinOp, ast.UnaryOp)):
        allowed = _OPERATORS if isinstance(node, ast.BinOp) else (ast.USub, ast.UAdd)
        if not isinstance(node.op, allowed):
            raise ExpressionError(f"{quoted(ast.unparse(node))}: use only + - * / and ** (or ^)")
    elif not isinstance(node, (ast.Expression, ast.Load, ast.operator, ast.unaryop)):
        raise ExpressionError(f"{quoted(text)} is not a formula (found a {type(node).__name__})")
