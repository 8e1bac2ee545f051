"""Helpers for the graded test cells of the chapters.

``record(label, value)`` hands a value computed by a student's answer to the grader. ``paramact grade``
runs the master notebook and the student's submission in separate sandboxed kernels and compares the
recorded values *outside* both kernels, so patching ``numpy`` or the comparison functions inside a
submission cannot change a score. Values are encoded by exact type (NumPy arrays of numbers, Python and
NumPy scalars, strings, lists, tuples, None): anything else, such as an object that claims to equal
everything, is recorded as invalid and fails.

An exercise must be answered, not delegated to the reference implementation. ``without_reference``
returns a copy of a student's function that runs with every name pointing into ``paramact`` (or another
banned package) replaced by a stand-in that fails when used, and with those packages unimportable
while it runs. Reference code reached some other way (a default argument, a closure, a list, or the
"answer" being the reference function itself) is caught as it runs: the call fails once it returns.
A test that calls the copy therefore passes only on the student's own code.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.abc
import os
import sys
import types

import numpy as np

BANNED = ("paramact",)
# The MIME type of the display output that carries a recorded value out of the kernel.
RECORD_MIME = "application/vnd.paramact.record+json"
NUMERIC_KINDS = "biuf"


def encode(value):
    """A JSON-ready description of ``value`` by its *exact* type (subclasses are invalid).

    Examples:
        >>> encode([1, 2.5, None])
        {'type': 'list', 'items': [{'type': 'int', 'value': 1}, {'type': 'float', 'value': '0x1.4000000000000p+1'}, {'type': 'none'}]}
        >>> class Sneaky(float):
        ...     def __eq__(self, other):
        ...         return True
        >>> encode(Sneaky(1.0))
        {'type': 'invalid', 'of': 'Sneaky'}
    """
    kind = type(value)
    if value is None:
        return {"type": "none"}
    if kind is bool or kind is np.bool_:
        return {"type": "bool", "value": bool(value)}
    if kind is int or (issubclass(kind, np.integer) and kind.__module__ == "numpy"):
        return {"type": "int", "value": int(value)}
    if kind is float or (issubclass(kind, np.floating) and kind.__module__ == "numpy"):
        return {"type": "float", "value": float(value).hex()}
    if kind is str:
        return {"type": "str", "value": value}
    if kind in (list, tuple):
        return {"type": kind.__name__, "items": [encode(item) for item in value]}
    if kind is np.ndarray and value.dtype.kind in NUMERIC_KINDS:
        data = np.ascontiguousarray(value)
        return {"type": "array", "dtype": data.dtype.str, "shape": list(data.shape),
                "data": base64.b64encode(data.tobytes()).decode("ascii")}
    return {"type": "invalid", "of": kind.__name__}


def record(label: str, value, rtol: float = 1e-6, atol: float = 1e-9, judge: dict | None = None):
    """Hand ``value`` to the grader, which compares it with the master's value outside the kernel.

    Floating-point values match within ``rtol``/``atol`` (the master's tolerances are the ones used).
    With ``judge`` (a spec of :func:`paramact.course.judge.judge_record`), ``value`` is the text of an
    expression, judged against the master's spec for equivalence instead of compared as text.
    Returns ``value`` so a test can go on using it.
    """
    from IPython.display import publish_display_data

    payload = {"label": str(label), "rtol": float(rtol), "atol": float(atol), "value": encode(value)}
    if judge is not None:
        payload["judge"] = judge
    publish_display_data({RECORD_MIME: payload, "text/plain": f"recorded: {label}"})
    return value


class ReferenceUsed(AssertionError):
    """Raised when an answer calls the reference implementation the exercise asks you to write."""


class _Blocked:
    def __init__(self, name: str):
        self._name = name

    def _fail(self, *args, **kwargs):
        raise ReferenceUsed(
            f"your answer uses {self._name!r} from the reference implementation: write the code yourself"
        )

    __call__ = __getattr__ = __getitem__ = _fail


def _package_of(value) -> str:
    if isinstance(value, types.ModuleType):
        return value.__name__.split(".")[0]
    module = getattr(value, "__module__", None)
    return module.split(".")[0] if isinstance(module, str) else ""


class _RefuseImports(importlib.abc.MetaPathFinder):
    def __init__(self, banned):
        self.banned = banned

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.banned:
            raise ReferenceUsed(f"your answer imports {name!r}: write the code yourself")
        return None


@contextlib.contextmanager
def references_unavailable(banned=BANNED):
    """While active, importing a banned package raises :class:`ReferenceUsed`."""
    hidden = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] in banned}
    finder = _RefuseImports(banned)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        sys.modules.update(hidden)


@contextlib.contextmanager
def _watch_calls(banned):
    """While active, collects the Python functions of the banned packages that start running.

    A trace function sees every call, however the function was reached; it only records, so code
    cannot catch what it would raise. This module (the test machinery itself) does not count.
    """
    folders = tuple(os.path.dirname(sys.modules[name].__file__) + os.sep for name in banned
                    if getattr(sys.modules.get(name), "__file__", None))
    used = []

    def trace(frame, event, arg):
        filename = frame.f_code.co_filename
        if filename.startswith(folders) and filename != __file__:
            package = next(folder for folder in folders if filename.startswith(folder))
            used.append(f"{frame.f_code.co_name} ({os.path.relpath(filename, os.path.dirname(package[:-1]))})")

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield used
    finally:
        sys.settrace(previous)


def without_reference(func, banned=BANNED):
    """A copy of ``func`` that cannot reach the banned packages (see the module docstring).

    Functions defined in the same namespace (the student's helpers) are rebound the same way.

    Examples:
        >>> import paramact
        >>> def delegate():
        ...     return paramact.__name__
        >>> without_reference(delegate)()
        Traceback (most recent call last):
        ...
        paramact.course.testing.ReferenceUsed: your answer uses 'paramact' from the reference implementation: write the code yourself
    """
    original = func.__globals__
    scrubbed = dict(original)
    for name, value in original.items():
        if _package_of(value) in banned:
            scrubbed[name] = _Blocked(name)
        elif isinstance(value, types.FunctionType) and value.__globals__ is original:
            scrubbed[name] = _rebind(value, scrubbed)
    isolated = _rebind(func, scrubbed)

    def call(*args, **kwargs):
        with _watch_calls(banned) as used, references_unavailable(banned):
            result = isolated(*args, **kwargs)
        if used:
            raise ReferenceUsed(f"your answer runs {used[0]} of the reference implementation: write the code yourself")
        return result

    return call


def _rebind(func: types.FunctionType, namespace: dict) -> types.FunctionType:
    copy = types.FunctionType(func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__)
    copy.__kwdefaults__ = func.__kwdefaults__
    return copy
