"""Method rules, read from an answer's text: flags for the instructor, never points.

Some exercises are about *how* a result is computed: write the backward pass by hand (no autograd),
derive the formula yourself (no symbolic differentiation), write the code rather than call the
reference implementation. No check inside a hostile kernel can enforce such a rule, and the grader does
not try: the reference implementation cannot be imported where answers are graded, and everything else
is judged by the values an answer produces. What this module does is read each answer's source and list
the uses of what its exercise's rules name, so that an instructor can look at them (the ``flags``
column of ``grades.csv``). It is best-effort: code built at run time escapes it.

An exercise's rules are in its master answer cell's metadata, e.g.
``{"paramact": {"forbid": ["torch.autograd", "backward"]}}``: a dotted entry is a module (flagged when
imported or used as ``a.b.c``), a plain entry a name (flagged as a name or an attribute). The reference
implementation ``paramact`` is always flagged.
"""

from __future__ import annotations

import ast

ALWAYS = ("paramact",)


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _within(name: str, modules: set[str]) -> bool:
    return any(name == module or name.startswith(module + ".") for module in modules)


def problems(source: str, rules: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The uses of what ``rules`` (and :data:`ALWAYS`) name in ``source``, as ``"line N: ..."``.

    Examples:
        >>> problems("import torch\\ny.backward()", ["torch.autograd", "backward"])
        ['line 2: uses .backward']
        >>> problems("from torch.autograd import grad", ["torch.autograd"])
        ['line 1: imports torch.autograd']
        >>> problems("from paramact.activations import sigmoid")
        ['line 1: imports paramact.activations (the reference implementation)']
        >>> problems("def f(:")
        []
    """
    modules = {rule for rule in rules if "." in rule} | set(ALWAYS)
    names = {rule for rule in rules if "." not in rule}
    lines = [
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip()[:1] in ("%", "!") else line
        for line in source.splitlines()
    ]  # IPython magics are not Python
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # it fails when it runs, and is graded by what it then records
    found = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        imported = []
        if isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for module in imported:
            if _within(module, modules):
                note = " (the reference implementation)" if _within(module, set(ALWAYS)) else ""
                found.add((line, f"imports {module}{note}"))
                break
        if isinstance(node, ast.Name) and node.id in names:
            found.add((line, f"uses {node.id}"))
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if node.attr in names:
                found.add((line, f"uses .{node.attr}"))
            elif dotted and _within(dotted, modules - set(ALWAYS)):
                found.add((line, f"uses {dotted}"))
    return [f"line {line}: {message}" for line, message in sorted(found)]
