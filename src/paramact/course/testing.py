"""Helpers for the graded test cells of the chapters.

An exercise must be answered, not delegated to the reference implementation. ``without_reference``
returns a copy of a student's function that runs with every name pointing into ``paramact`` (or another
banned package) replaced by a stand-in that fails when used, and with those packages unimportable
while it runs. A test that calls the copy therefore passes only on the student's own code.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
import types

BANNED = ("paramact",)


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
        with references_unavailable(banned):
            return isolated(*args, **kwargs)

    return call


def _rebind(func: types.FunctionType, namespace: dict) -> types.FunctionType:
    copy = types.FunctionType(func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__)
    copy.__kwdefaults__ = func.__kwdefaults__
    return copy
