"""The prose inside code cells that a student reads: comments, and docstrings of the stubs.

Code stays English; its comments and docstrings are translated with the page's Markdown. They are
messages of the page's catalogue with the context ``code`` (``msgctxt "code"``), taken from the cells a
student may edit or runs to see something: every code cell except nbgrader's read-only ones (the test
cells, which both editions share as they are, so that both are graded by the same tests).

>>> source = "def f(x):\\n    \'\'\'Twice x.\'\'\'\\n    return 2 * x  # no overflow here\\n"
>>> messages(source)
['Twice x.', 'no overflow here']
>>> print(translate(source, {"Twice x.": "x의 두 배.", "no overflow here": "넘침 없음"}.get), end="")
def f(x):
    \'\'\'x의 두 배.\'\'\'
    return 2 * x  # 넘침 없음
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import tokenize
from collections.abc import Callable

from paramact.course.glossary import HANGUL

CONTEXT = "code"
# nbgrader's markers and tool pragmas are not prose.
NOT_PROSE = re.compile(
    r"^(YOUR CODE HERE|(BEGIN|END) (SOLUTION|HIDDEN TESTS)|noqa|type:|fmt:|pragma)"
)


def is_translated_cell(cell: dict) -> bool:
    """A code cell whose comments and docstrings are translated: any but a read-only one."""
    grading = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and not grading.get("locked", False)


def _comments(source: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each prose comment, as offsets into ``source``."""
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []  # a cell with IPython syntax: left as it is
    for token in tokens:
        if token.type == tokenize.COMMENT:
            text = token.string.lstrip("#").strip()
            if text and not NOT_PROSE.match(text) and re.search(rf"[^\W\d_]{{2}}|[{HANGUL}]", text):
                start = offsets[token.start[0] - 1] + token.start[1]
                found.append((start, start + len(token.string), text))
    return found


def _characters(line: str, column: int) -> int:
    """ast counts columns in UTF-8 bytes; a Korean line needs characters."""
    return len(line.encode("utf-8")[:column].decode("utf-8"))


def _docstrings(source: str) -> list[tuple[int, int, str, str]]:
    """(start, end, text, indent) of the inside of each docstring of a function or class."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        first = node.body[0] if node.body else None
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
            continue
        literal = first.value
        if not isinstance(literal.value, str) or literal.end_lineno is None:
            continue
        start = offsets[literal.lineno - 1] + _characters(
            lines[literal.lineno - 1], literal.col_offset
        )
        end = offsets[literal.end_lineno - 1] + _characters(
            lines[literal.end_lineno - 1], literal.end_col_offset or 0
        )
        written = source[start:end]
        quote = next((q for q in ('"""', "'''", '"', "'") if written.startswith(q)), None)
        if quote is None or not written.endswith(quote):
            continue  # a prefixed literal (r"...", f"..."): left as it is
        text = inspect.cleandoc(str(literal.value))
        indent = " " * _characters(lines[literal.lineno - 1], literal.col_offset)
        found.append((start + len(quote), end - len(quote), text, indent))
    return found


def messages(source: str) -> list[str]:
    """The comments and docstrings of a code cell, in order of appearance."""
    spans = [(s, text) for s, _, text in _comments(source)]
    spans += [(s, text) for s, _, text, _ in _docstrings(source)]
    return [text for _, text in sorted(spans)]


def translate(source: str, lookup: Callable[[str], str | None]) -> str:
    """``source`` with each comment and docstring replaced by ``lookup(text)`` (None: kept)."""
    edits = []
    for start, end, text in _comments(source):
        if (korean := lookup(text)) and korean != text:
            edits.append((start, end, "# " + korean))
    for start, end, text, indent in _docstrings(source):
        if (korean := lookup(text)) and korean != text:
            inside = source[start:end]
            lines = korean.split("\n")
            body = lines[0] + "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:])
            closing = "\n" + indent if "\n" in inside and inside.rstrip(" ").endswith("\n") else ""
            edits.append((start, end, body + closing))
    for start, end, replacement in sorted(edits, reverse=True):
        source = source[:start] + replacement + source[end:]
    return source
