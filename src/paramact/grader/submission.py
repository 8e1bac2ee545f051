"""Reading a submission and rebuilding its answers on the master (step 2 of :mod:`paramact.grader.grading`).

Only a regular file is read, never through a symbolic link; only the answer cells (matched by cell id)
are taken from it. Missing, duplicated or retyped answer cells count as unanswered, with a reason.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from paramact.grader.key import ChapterKey
from paramact.grader.notebook import grading_of, is_answer, is_test, source_of

MAX_ANSWER_CHARS = 100_000
MAX_NOTEBOOK_BYTES = 20 * 2**20


class SubmissionError(Exception):
    """A submission that cannot be graded at all; the message is the reason shown to the student."""


def display_name(name: str) -> str:
    """A file name as text that any CSV or HTML writer accepts (undecodable bytes shown escaped)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _text(cell: dict) -> str | None:
    """A submitted cell's source, or None where it is not text (a hand-edited or damaged file)."""
    source = cell.get("source")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def read_submission(path: Path) -> dict:
    """Parse a submitted file as a notebook, or raise :class:`SubmissionError` saying why not.

    Only a regular file is read, never through a symbolic link, and never one that would block.
    """
    name = display_name(path.name)
    if path.suffix != ".ipynb":
        raise SubmissionError(f"{name} is not a notebook (.ipynb) file")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise SubmissionError(
            f"{name} cannot be read ({error.strerror}; links are not followed)"
        ) from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{name} is not a regular file")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(
                f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB: clear the outputs and save again"
            )
        data = handle.read(MAX_NOTEBOOK_BYTES + 1)
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        raise SubmissionError(
            f"{name} is not valid notebook JSON ({type(error).__name__})"
        ) from None
    if not isinstance(notebook, dict) or "nbformat" not in notebook:
        raise SubmissionError(f"{name} is JSON but not a notebook (no nbformat)")
    if notebook["nbformat"] != 4:
        raise SubmissionError(
            f"{name} has notebook format {str(notebook['nbformat'])[:20]}; save it with Jupyter (format 4)"
        )
    if not isinstance(notebook.get("cells"), list):
        raise SubmissionError(f"{name} is JSON but not a notebook (no list of cells)")
    return notebook


def rebuild(key: ChapterKey, submitted: dict) -> tuple[dict[str, str], list[str]]:
    """The student's answers by cell id (the stub where there is no usable one), and notes about them."""
    by_id: dict[str, list[dict]] = {}
    for cell in submitted["cells"]:
        if not isinstance(cell, dict):
            continue
        # notebooks before format 4.5 have no ids
        cell_id = cell.get("id") or grading_of(cell).get("grade_id")
        if isinstance(cell_id, str):
            by_id.setdefault(cell_id, []).append(cell)
    release_cells = {cell["id"]: cell for cell in key.release["cells"]}
    notes, answers = [], {}
    for cell in key.master["cells"]:
        if is_test(cell):
            copies = by_id.get(cell["id"], [])
            if not copies:
                notes.append(f"test cell {cell['id']} is missing: the original tests were used")
            elif any(_text(c) != source_of(release_cells[cell["id"]]) for c in copies):
                notes.append(f"test cell {cell['id']} was edited: the original tests were used")
        if not is_answer(cell):
            continue
        copies = by_id.get(cell["id"], [])
        answer = source_of(release_cells[cell["id"]])
        text = _text(copies[0]) if len(copies) == 1 else None
        if not copies:
            notes.append(f"answer cell {cell['id']} is missing: graded as unanswered")
        elif len(copies) > 1:
            notes.append(
                f"answer cell {cell['id']} appears {len(copies)} times: graded as unanswered"
            )
        elif copies[0].get("cell_type") != "code":
            notes.append(
                f"answer cell {cell['id']} was changed into another kind of cell: graded as unanswered"
            )
        elif text is None:
            notes.append(f"answer cell {cell['id']} has no readable source: graded as unanswered")
        elif len(text) > MAX_ANSWER_CHARS:
            notes.append(
                f"answer cell {cell['id']} is longer than {MAX_ANSWER_CHARS} characters: graded as unanswered"
            )
        else:
            answer = text
        answers[cell["id"]] = answer
    return answers, notes
