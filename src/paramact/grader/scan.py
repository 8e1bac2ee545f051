"""Read a student's answer before running it: constructs an exercise answer never needs.

The exercises are small numerical functions. An answer that imports the reference implementation, opens
files, reaches into the interpreter (``get_ipython``, ``sys.modules``, dunder attributes, frames, the
cell history ``In``), evaluates code from strings, redefines the test machinery (``record``) or assigns
to an attribute of a module (``np.allclose = ...``) is trying to change the grading rather than to
answer, so that exercise scores 0 with a reason naming the construct. The check runs in the grader's
process, on the source text, so nothing in the submission can influence it.

Answers may import only the numerical and general-purpose modules in ``ALLOWED_MODULES``: the standard
library has many back doors (``pkgutil.resolve_name``, ``operator.attrgetter("__globals__")``,
``timeit`` running a string), so a list of what is forbidden could never be complete. For the same
reason an attribute named like a forbidden module (``plt.importlib``) is refused, and a string constant
that is itself code (``"sys.modules['paramact']"``, as an annotation that ``typing.get_type_hints``
would evaluate) is read with the same rules. A static check cannot see code built at run time; the
sandbox and ``without_reference`` (:mod:`paramact.course.testing`) stand behind it.

An exercise's master solution cell may forbid more in its metadata, e.g.
``{"paramact": {"forbid": ["torch.autograd", "backward"]}}`` for an exercise whose point is to write a
backward pass by hand: a listed dotted module is forbidden as an import, and a listed name as any
attribute or name use.
"""

from __future__ import annotations

import ast
import re

ALLOWED_MODULES = {
    "numpy", "math", "cmath", "torch", "scipy", "matplotlib", "itertools", "functools", "collections",
    "random", "statistics", "fractions", "decimal", "numbers", "copy", "heapq", "bisect", "dataclasses",
    "enum", "typing", "abc", "string", "re", "time", "warnings", "__future__", "sympy",
}
FORBIDDEN_MODULES = {
    "paramact", "os", "sys", "subprocess", "pathlib", "shutil", "glob", "io", "builtins", "importlib",
    "ctypes", "socket", "inspect", "gc", "pickle", "marshal", "code", "codeop", "IPython", "ipykernel",
    "requests", "urllib", "http", "threading", "multiprocessing", "signal", "resource", "tempfile",
    "atexit", "traceback", "types", "weakref", "runpy", "pty", "posix", "nbformat", "nbclient", "sqlite3",
    "pkgutil", "pydoc", "linecache", "timeit", "pdb", "bdb", "operator", "unittest", "doctest", "_thread",
}
# Module names that are also ordinary attribute names elsewhere (scipy.signal, scipy.io, error.code).
COMMON_ATTRIBUTES = {"io", "signal", "code", "types", "operator"}
FORBIDDEN_CALLS = {
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "setattr", "delattr",
    "getattr", "breakpoint", "input", "get_ipython", "exit", "quit", "display", "memoryview",
}
# NumPy and PyTorch functions that read or map files, or reach C; the interpreter's frames; what
# evaluates annotations (strings) as code; SymPy's entry points that evaluate strings as code.
FORBIDDEN_ATTRIBUTES = {
    "load", "loadtxt", "genfromtxt", "fromfile", "memmap", "ctypeslib", "tofile", "save", "savez",
    "savetxt", "lib", "system", "popen", "modules", "settrace", "setprofile", "f2py", "cpp_extension",
    "load_library", "hub", "gi_frame", "gi_code", "cr_frame", "ag_frame", "f_back", "f_globals", "f_locals",
    "f_builtins", "f_code", "tb_frame", "get_type_hints", "ForwardRef", "singledispatch", "singledispatchmethod",
    "sympify", "parse_expr", "lambdify", "S",
}
# IPython's history of the cells' sources: In[-1] is the running cell (a hidden test), _iii three back.
HISTORY = re.compile(r"In|_ih|_i{1,3}|_i\d+")
DUNDER = re.compile(r"__\w+__")


def _is_forbidden_module(name: str, extra: set[str]) -> bool:
    parts = name.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return bool(prefixes & (FORBIDDEN_MODULES | extra))


def _is_forbidden_import(name: str, extra: set[str]) -> bool:
    """For an answer: a module (or name) outside the allowed ones, or reaching what attributes may not."""
    parts = name.split(".")
    return (parts[0] not in ALLOWED_MODULES or _is_forbidden_module(name, extra)
            or any(part in FORBIDDEN_ATTRIBUTES or part in FORBIDDEN_CALLS for part in parts[1:]))


def problems(source: str, forbid: list[str] | tuple[str, ...] = (), imported_modules: set[str] = frozenset()) -> list[str]:
    """Why ``source`` (an answer cell) may not be graded; empty when it is a fair answer.

    ``imported_modules`` are names the notebook's own read-only cells bound to forbidden modules
    (for example ``import paramact`` in a demonstration cell, or ``record`` from the test machinery):
    using or redefining them is forbidden too.

    Examples:
        >>> problems("def f(x):\\n    return x * 2")
        []
        >>> problems("import numpy as np\\nnp.allclose = lambda *a, **k: True")
        ['line 2: assigns to np.allclose (answers may not change modules)']
        >>> problems("p[np.arange(3), labels] -= 1")
        []
        >>> problems("from paramact.activations import sigmoid")
        ['line 1: imports paramact.activations']
        >>> problems("import pkgutil")
        ['line 1: imports pkgutil']
        >>> problems("x = plt.importlib.import_module('paramact')")
        ['line 1: uses .importlib']
        >>> problems('def f(x: "sys.modules[0]"):\\n    pass', imported_modules={"sys"})
        ['line 1: in a string: uses .modules', 'line 1: in a string: uses sys, which the notebook bound to a forbidden module']
    """
    found = _problems(source, forbid, set(imported_modules), depth=0)
    if found is None:
        return [f"line {line}: {message}" for line, message in _syntax_error(source)]
    return [f"line {line}: {message}" for line, message in sorted(found)]


def _stored(target: ast.AST):
    """The nodes along what an assignment target writes into: ``np.x`` in ``np.x[i] = v`` but not the
    index ``np.arange(n)`` in ``p[np.arange(n), labels] -= 1``, which is only read."""
    yield target
    if isinstance(target, (ast.Attribute, ast.Subscript, ast.Starred)):
        yield from _stored(target.value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _stored(element)


def _syntax_error(source: str) -> list[tuple[int, str]]:
    try:
        ast.parse(source)
    except SyntaxError as error:
        return [(error.lineno, f"syntax error: {error.msg}")]
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return [(0, f"cannot be read as Python: {type(error).__name__}")]
    return []


def _problems(source: str, forbid, imported_modules: set[str], depth: int) -> set[tuple[int, str]] | None:
    """``(line, message)`` pairs, or None when ``source`` does not parse."""
    extra_modules = {name for name in forbid if "." in name or name in {"torch", "paramact"}}
    extra_names = set(forbid) - extra_modules
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    module_aliases = {"np", "numpy", "math", "torch"} | imported_modules
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module_aliases.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    # Bare strings (docstrings) are never values an answer could hand to anything.
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    found = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found.update((line, f"imports {alias.name}") for alias in node.names if _is_forbidden_import(alias.name, extra_modules))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.add((line, "uses a relative import"))
            elif _is_forbidden_import(node.module, extra_modules):
                found.add((line, f"imports {node.module}"))
            else:
                found.update((line, f"imports {node.module}.{alias.name}") for alias in node.names
                             if _is_forbidden_import(f"{node.module}.{alias.name}", extra_modules))
        elif isinstance(node, ast.Name):
            if node.id in FORBIDDEN_CALLS or node.id in extra_names or (node.id.startswith("__") and node.id != "__name__"):
                found.add((line, f"uses {node.id}"))
            elif node.id in imported_modules:
                found.add((line, f"uses {node.id}, which the notebook bound to a forbidden module"))
            elif HISTORY.fullmatch(node.id):
                found.add((line, f"uses {node.id} (IPython's history of the cells)"))
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if _is_super_init(node):
                pass  # super().__init__(...): what every nn.Module answer needs, and nothing more
            elif (node.attr.startswith("__") or node.attr in FORBIDDEN_ATTRIBUTES or node.attr in extra_names
                    or node.attr in FORBIDDEN_MODULES - COMMON_ATTRIBUTES):
                found.add((line, f"uses .{node.attr}"))
            elif dotted and any(dotted == m or dotted.startswith(m + ".") for m in extra_modules):
                found.add((line, f"uses {dotted}"))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in imported_modules:
            found.add((line, f"redefines {node.name}, which the notebook bound to a forbidden module"))
        elif isinstance(node, ast.alias) and (node.asname or node.name).split(".")[0] in imported_modules:
            found.add((line, f"redefines {(node.asname or node.name).split('.')[0]}, which the notebook bound to a forbidden module"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare:
            found.update((line, f"in a string: {message}") for message in _string_problems(node.value, forbid, imported_modules, depth))
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for sub in _stored(target):
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in module_aliases:
                    found.add((line, f"assigns to {sub.value.id}.{sub.attr} (answers may not change modules)"))
    return found


def _string_problems(text: str, forbid, imported_modules: set[str], depth: int) -> list[str]:
    """What is wrong with a string constant: a dunder name (for ``attrgetter``-like lookups), or code.

    A string is read as code only if it parses and does something (a call, an attribute, an index):
    plain words such as ``"open"`` or labels such as ``"step(u)"`` stay fine.
    """
    messages = [f"uses the string {name!r}" for name in sorted(set(DUNDER.findall(text)) - {"__main__", "__name__"})]
    if depth < 2 and len(text) < 10_000:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return messages
        if any(isinstance(n, (ast.Call, ast.Attribute, ast.Subscript, ast.Import, ast.ImportFrom)) for n in ast.walk(tree)):
            messages += [message for _, message in sorted(_problems(text, forbid, imported_modules, depth + 1) or ())]
    return messages


def _is_super_init(node: ast.Attribute) -> bool:
    value = node.value
    return (node.attr == "__init__" and isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "super")


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
    """Names that read-only notebook cells bind to forbidden modules (e.g. ``import paramact``).

    IPython's line magics and shell escapes (``%pip install``) are not Python; they are left out.

    Examples:
        >>> sorted(forbidden_aliases(["import sys\\nif 'google.colab' in sys.modules:\\n    %pip install x"]))
        ['sys']
    """
    aliases = set()
    for source in sources:
        lines = [line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip()[:1] in ("%", "!") else line
                 for line in source.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                aliases.update((a.asname or a.name).split(".")[0] for a in node.names if _is_forbidden_module(a.name, set()))
            elif isinstance(node, ast.ImportFrom) and node.module and _is_forbidden_module(node.module, set()):
                aliases.update(a.asname or a.name for a in node.names)
    return aliases
