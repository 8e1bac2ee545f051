"""Read a student's answer before running it: constructs an exercise answer never needs.

The exercises are small numerical functions. An answer that imports the reference implementation, opens
files, reaches into the interpreter (``get_ipython``, ``sys.modules``, dunder attributes), evaluates code
from strings, or assigns to an attribute of a module (``np.allclose = ...``) is trying to change the
grading rather than to answer, so that exercise scores 0 with a reason naming the construct. The check
runs in the grader's process, on the source text, so nothing in the submission can influence it.

An exercise's master solution cell may forbid more in its metadata, e.g.
``{"paramact": {"forbid": ["torch.autograd", "backward"]}}`` for an exercise whose point is to write a
backward pass by hand: a listed dotted module is forbidden as an import, and a listed name as any
attribute or name use.
"""

from __future__ import annotations

import ast

FORBIDDEN_MODULES = {
    "paramact", "os", "sys", "subprocess", "pathlib", "shutil", "glob", "io", "builtins", "importlib",
    "ctypes", "socket", "inspect", "gc", "pickle", "marshal", "code", "codeop", "IPython", "ipykernel",
    "requests", "urllib", "http", "threading", "multiprocessing", "signal", "resource", "tempfile",
    "atexit", "traceback", "types", "weakref", "runpy", "pty", "posix", "nbformat", "nbclient", "sqlite3",
}
FORBIDDEN_CALLS = {
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "setattr", "delattr",
    "getattr", "breakpoint", "input", "get_ipython", "exit", "quit", "display", "memoryview",
}
# NumPy functions that read or map files, or reach C.
FORBIDDEN_ATTRIBUTES = {
    "load", "loadtxt", "genfromtxt", "fromfile", "memmap", "ctypeslib", "tofile", "save", "savez",
    "savetxt", "lib", "system", "popen", "modules", "settrace", "setprofile",
}


def _is_forbidden_module(name: str, extra: set[str]) -> bool:
    parts = name.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return bool(prefixes & (FORBIDDEN_MODULES | extra))


def problems(source: str, forbid: list[str] | tuple[str, ...] = (), imported_modules: set[str] = frozenset()) -> list[str]:
    """Why ``source`` (an answer cell) may not be graded; empty when it is a fair answer.

    ``imported_modules`` are names the notebook's own read-only cells bound to forbidden modules
    (for example ``import paramact`` in a demonstration cell): using them is forbidden too.

    Examples:
        >>> problems("def f(x):\\n    return x * 2")
        []
        >>> problems("import numpy as np\\nnp.allclose = lambda *a, **k: True")
        ['line 2: assigns to np.allclose (answers may not change modules)']
        >>> problems("from paramact.activations import sigmoid")
        ['line 1: imports paramact.activations']
    """
    extra_modules = {name for name in forbid if "." in name or name in {"torch", "paramact"}}
    extra_names = set(forbid) - extra_modules
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [f"line {error.lineno}: syntax error: {error.msg}"]
    module_aliases = {"np", "numpy", "math", "torch"} | set(imported_modules)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            module_aliases.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    found = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found.update((line, f"imports {alias.name}") for alias in node.names if _is_forbidden_module(alias.name, extra_modules))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.add((line, "uses a relative import"))
            elif _is_forbidden_module(node.module, extra_modules):
                found.add((line, f"imports {node.module}"))
            else:
                found.update((line, f"imports {node.module}.{alias.name}") for alias in node.names
                             if _is_forbidden_module(f"{node.module}.{alias.name}", extra_modules))
        elif isinstance(node, ast.Name):
            if node.id in FORBIDDEN_CALLS or node.id in extra_names or (node.id.startswith("__") and node.id != "__name__"):
                found.add((line, f"uses {node.id}"))
            elif node.id in imported_modules:
                found.add((line, f"uses {node.id}, which the notebook bound to a forbidden module"))
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if node.attr.startswith("__") or node.attr in FORBIDDEN_ATTRIBUTES or node.attr in extra_names:
                found.add((line, f"uses .{node.attr}"))
            elif dotted and any(dotted == m or dotted.startswith(m + ".") for m in extra_modules):
                found.add((line, f"uses {dotted}"))
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in module_aliases:
                    found.add((line, f"assigns to {sub.value.id}.{sub.attr} (answers may not change modules)"))
    return [f"line {line}: {message}" for line, message in sorted(found)]


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def forbidden_aliases(sources: list[str]) -> set[str]:
    """Names that read-only notebook cells bind to forbidden modules (e.g. ``import paramact``)."""
    aliases = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                aliases.update((a.asname or a.name).split(".")[0] for a in node.names if _is_forbidden_module(a.name, set()))
            elif isinstance(node, ast.ImportFrom) and node.module and _is_forbidden_module(node.module, set()):
                aliases.update(a.asname or a.name for a in node.names)
    return aliases
