"""Judge what a student's kernel recorded against what the master's recorded: outside every kernel.

Records arrive as untrusted JSON (:mod:`paramact_kernel.record` describes them). :func:`decode` turns a
value back into data without trusting anything about it; :func:`judge` compares it with the master's
record, using the master's options only (tolerances, the kind of comparison, its diagnosis inputs), and
returns the grader's own sentence about what differs. Nothing a kernel wrote is ever quoted: a label
shown is the master's, an exception is named only if it is one of Python's own.
"""

from __future__ import annotations

import base64
import builtins
import math
from typing import Any

import numpy as np

from paramact.grader.diagnosis import gradient_problem
from paramact_kernel.expressions import SETTINGS, judge_expression
from paramact_kernel.parsing import ExpressionError, unquoted
from paramact_kernel.record import NUMERIC_KINDS

MAX_ARRAY_ELEMENTS = 10**8
MAX_DEPTH = 20
MAX_INT_DIGITS = 4000
PYTHON_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


class Malformed(ValueError):
    """A record that is not what a honest kernel sends."""


def exception_name(name: object) -> str:
    """``name`` if it is one of Python's built-in exceptions, else a neutral phrase (a kernel chose it)."""
    return name if isinstance(name, str) and name in PYTHON_ERRORS else "an exception"


def decode(encoded: object, depth: int = 0) -> Any:
    """Turn a recorded value back into Python/NumPy data, trusting nothing about it."""
    if depth > MAX_DEPTH or not isinstance(encoded, dict):
        raise Malformed("malformed record")
    kind, value = encoded.get("type"), encoded.get("value")
    if kind == "none":
        return None
    if kind == "bool" and isinstance(value, bool):
        return value
    if (
        kind == "int"
        and isinstance(value, str)
        and len(value) <= MAX_INT_DIGITS
        and value.lstrip("-").isdigit()
    ):
        return int(value)
    if kind == "float" and isinstance(value, str) and len(value) < 40:
        return float.fromhex(value)
    if kind == "str" and isinstance(value, str):
        return value
    if kind in ("list", "tuple") and isinstance(encoded.get("items"), list):
        return [decode(item, depth + 1) for item in encoded["items"]]
    if kind == "dict" and isinstance(encoded.get("items"), dict):
        return {str(key): decode(item, depth + 1) for key, item in encoded["items"].items()}
    if kind == "array":
        dtype = np.dtype(str(encoded.get("dtype")))
        shape = tuple(int(n) for n in encoded.get("shape", ()))
        if (
            dtype.kind not in NUMERIC_KINDS
            or any(n < 0 for n in shape)
            or math.prod(shape) > MAX_ARRAY_ELEMENTS
        ):
            raise Malformed("malformed record")
        return np.frombuffer(
            base64.b64decode(str(encoded.get("data")), validate=True), dtype=dtype
        ).reshape(shape)
    if kind == "invalid":
        raise Malformed(
            "a value of a type the tests do not accept (numbers, arrays, strings, lists, tuples, None)"
        )
    if kind == "raised":
        raise Malformed(f"your code raised {exception_name(encoded.get('of'))}")
    raise Malformed("malformed record")


def _as_array(value: object) -> np.ndarray | None:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, list) and all(type(v) in (int, float, bool) for v in value):
        return np.asarray(value)
    return None


def _number(value: float) -> str:
    if isinstance(value, bool):
        return str(value)
    return (
        f"{value:.6g}"
        if isinstance(value, float)
        else ("a very large integer" if abs(value) > 10**12 else str(value))
    )


def mismatch(expected: Any, actual: Any, rtol: float, atol: float) -> str | None:
    """Why ``actual`` differs from ``expected`` (both decoded); None when they match."""
    expected_array, actual_array = _as_array(expected), _as_array(actual)
    if (
        expected_array is not None
        and actual_array is not None
        and (isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray))
    ):
        if expected_array.shape != actual_array.shape:
            return f"shape {actual_array.shape}, expected {expected_array.shape}"
        kinds = expected_array.dtype.kind + actual_array.dtype.kind
        if kinds[0] != kinds[1] and not (set(kinds) <= set("iu")):
            names = {
                "b": "booleans",
                "i": "integers",
                "u": "integers",
                "f": "floating-point numbers",
            }
            return f"{names[kinds[1]]}, expected {names[kinds[0]]}"
        with np.errstate(all="ignore"):
            if not np.allclose(actual_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
                wrong = ~np.isclose(
                    actual_array, expected_array, rtol=rtol, atol=atol, equal_nan=True
                )
                index = np.unravel_index(np.argmax(wrong), wrong.shape) if wrong.ndim else ()
                where = f", e.g. at index {tuple(int(i) for i in index)}" if wrong.ndim else ""
                return (
                    f"values that differ from the expected ones at {int(wrong.sum())} of {wrong.size} entries{where}: "
                    f"yours {_number(actual_array[index].item())}, expected {_number(expected_array[index].item())}"
                )
        return None
    if isinstance(expected, list) or isinstance(actual, list):
        if not (isinstance(expected, list) and isinstance(actual, list)):
            return f"a {type(actual).__name__}, expected a sequence"
        if len(expected) != len(actual):
            return f"{len(actual)} items, expected {len(expected)}"
        for position, (e, a) in enumerate(zip(expected, actual)):
            why = mismatch(e, a, rtol, atol)
            if why:
                return f"item {position}: {why}"
        return None
    numeric = (int, float)
    if type(expected) in numeric and type(actual) in numeric:
        if not math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol) and not (
            math.isnan(actual) and math.isnan(expected)
        ):
            return f"{_number(actual)}, expected another value"
        return None
    if type(expected) is not type(actual):
        return f"a {type(actual).__name__}, expected a {type(expected).__name__}"
    return None if expected == actual else "a different value"


def _spec(master: dict) -> dict:
    return {name: decode(value) for name, value in (master.get("spec") or {}).items()}


def judge(master: dict, student: dict) -> str | None:
    """What is wrong with the student's record against the master's; None when it matches."""
    label = master["label"]
    try:
        actual = decode(student.get("value"))
    except (Malformed, ValueError, TypeError, OverflowError, RecursionError) as error:
        return f"{label}: {error if isinstance(error, Malformed) else 'malformed record'}"
    expected, spec = decode(master["value"]), _spec(master)
    rtol, atol = float(master.get("rtol", 1e-6)), float(master.get("atol", 1e-9))
    if master.get("compare") == "expression":
        if not isinstance(actual, str):
            return f"{label}: got a {type(actual).__name__}, expected the text of an expression (a string or a SymPy expression)"
        if spec.get("setting") not in SETTINGS:
            raise ValueError(f"the master's record {label!r} names no known setting")
        try:
            with unquoted():  # the text came from the kernel: never echo it
                return judge_expression(
                    actual, expected, spec["setting"], dict(spec.get("mistakes") or {}), label=label
                )
        except ExpressionError as error:
            return f"{label}: {error}"
    if master.get("compare") == "gradient":
        if isinstance(actual, list):
            return f"{label}: is a list, expected a NumPy array of shape {np.shape(expected)}"
        inputs = spec.get("inputs") or {}
        return gradient_problem(
            label,
            actual,
            expected,
            inputs=inputs,
            mistakes=spec.get("mistakes"),
            kink=spec.get("kink"),
            batch_size=spec.get("batch_size"),
            rtol=rtol,
            atol=atol,
        )
    why = mismatch(expected, actual, rtol, atol)
    return f"{label}: got {why}" if why else None


def compare_records(expected: list[dict], actual: list[dict]) -> str:
    """The first problem of a test cell's records (the student's, in order) against the master's."""
    for index, want in enumerate(expected):
        if index >= len(actual):
            return f"{want['label']}: not recorded: the hidden test stopped before it"
        got = actual[index]
        if not isinstance(got, dict) or got.get("label") != want["label"]:
            return f"{want['label']}: the records of the hidden test came out of order (tests were skipped or altered)"
        try:
            why = judge(want, got)
        except (
            Malformed,
            ValueError,
            TypeError,
            OverflowError,
            RecursionError,
            MemoryError,
            FloatingPointError,
        ):
            why = f"{want['label']}: the recorded value could not be read"
        if why:
            return why
    if len(actual) > len(expected):
        return "the hidden test recorded more values than it has: records were forged"
    return ""
