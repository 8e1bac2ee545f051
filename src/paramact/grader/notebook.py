"""The notebook a graded run executes, built from the master: ``graded_notebook(master, answers)``.

Every cell comes from the master but the answer cells, which come from ``answers`` (by cell id). A
test cell contributes only its hidden part: the code between the hidden-test markers, which calls the
answers and records what they return (:func:`paramact_kernel.record`). Its visible part, the asserts a
student sees, is not run: a kernel can make any assert pass, so nothing in a graded run depends on one.
Read-only cells run as they are; one that needs the reference implementation fails, harmlessly, since
``paramact`` cannot be imported where answers are graded.

The same construction runs the master's own answers, in a kernel that never sees a student's code, to
learn the expected records; and it runs a later exercise again with the master's versions of earlier
answers that failed, so that one mistake costs one exercise.
"""

from __future__ import annotations

import ast
import copy

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def grading_of(cell: dict) -> dict:
    metadata = cell.get("metadata", {})
    grading = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else {}
    return grading if isinstance(grading, dict) else {}


def is_answer(cell: dict) -> bool:
    return bool(grading_of(cell).get("solution")) and cell.get("cell_type") == "code"


def is_test(cell: dict) -> bool:
    return bool(grading_of(cell).get("grade")) and cell.get("cell_type") == "code"


def hidden_part(source: str) -> str:
    """The code between the hidden-test markers (empty if there are none).

    Examples:
        >>> hidden_part("assert f(1) == 2\\n### BEGIN HIDDEN TESTS\\nrecord('f', lambda: f(3))\\n### END HIDDEN TESTS\\n")
        "record('f', lambda: f(3))\\n"
    """
    if HIDDEN_BEGIN not in source:
        return ""
    inside = source.split(HIDDEN_BEGIN, 1)[1].split(HIDDEN_END, 1)[0]
    return inside.lstrip("\n")


def visible_part(source: str) -> str:
    """A test cell without its hidden part: what a student's copy shows."""
    if HIDDEN_BEGIN not in source:
        return source
    before, rest = source.split(HIDDEN_BEGIN, 1)
    after = rest.split(HIDDEN_END, 1)[1] if HIDDEN_END in rest else ""
    return (before.rstrip() + "\n" + after.lstrip("\n")).strip() + "\n"


def graded_notebook(master: dict, answers: dict[str, str], tests: set[str] | None = None) -> dict:
    """``master`` with the answer cells replaced by ``answers`` and each test cell by its hidden part.

    With ``tests`` (grade ids), only those test cells run, and the notebook ends after the last of them.
    Outputs are dropped; the kernel is always the master's Python.
    """
    notebook = copy.deepcopy(master)
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if is_answer(cell):
            cell["source"] = answers.get(cell["id"], source_of(cell))
        elif is_test(cell):
            wanted = tests is None or grading_of(cell).get("grade_id") in tests
            cell["source"] = hidden_part(source_of(cell)) if wanted else ""
    if tests is not None:
        last = max(
            index
            for index, cell in enumerate(notebook["cells"])
            if is_test(cell) and grading_of(cell).get("grade_id") in tests
        )
        notebook["cells"] = notebook["cells"][: last + 1]
    return notebook


def defined_names(source: str) -> list[str]:
    """The functions and classes a cell defines, in order (what later exercises may call).

    Examples:
        >>> defined_names("def step(u):\\n    pass\\n\\n\\nclass Net:\\n    pass\\nNAND_B = 0.7")
        ['step', 'Net']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
