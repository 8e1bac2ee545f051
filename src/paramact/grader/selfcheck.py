"""Check your own notebook before you hand it in: ``paramact check NOTEBOOK``.

Runs the notebook top to bottom the way ``paramact grade`` runs it: in a fresh kernel, in the same jail
(where this machine has one, see autograder/README.md) with the same limits, and with the reference
implementation ``paramact`` unavailable. It reports each graded test cell as passed or failed with the
first line of its error, the errors of your answer cells, and the method rules your answers seem to
break as the instructor will see them (flags cost no points). Cells of the chapter that need the
reference implementation (demonstrations) fail here as they do when graded; they are listed, not
counted. Only the visible tests are in your notebook: passing them is necessary, not sufficient, for
full marks.

It works anywhere the package is installed, Colab included (save the notebook to Drive, then
``!paramact check "/content/drive/MyDrive/…"``).

Exit status: 0 when every test cell and every answer cell runs cleanly, 1 otherwise, 2 when the file
cannot be checked (not a course notebook, unreadable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from paramact.grader import scan
from paramact.grader.notebook import grading_of, source_of
from paramact.grader.sandbox import Limits, execute
from paramact.grader.submission import SubmissionError, read_submission


@dataclass
class Report:
    tests: list[tuple[str, str | None]] = field(default_factory=list)  # (grade id, error or None)
    answer_errors: list[str] = field(default_factory=list)
    demonstrations: list[str] = field(default_factory=list)  # read-only cells that failed
    flags: list[str] = field(default_factory=list)
    stopped: str | None = None


def check(path: Path, limits: Limits = Limits()) -> Report:
    notebook = read_submission(path)
    cells = [cell if isinstance(cell, dict) else {} for cell in notebook["cells"]]
    if not any(grading_of(cell).get("grade") for cell in cells):
        raise SubmissionError(
            f"{path.name} has no graded test cells: is it a chapter of the course?"
        )
    execution = execute({**notebook, "cells": cells}, limits)
    report = Report(stopped=execution.stopped)
    for index, (cell, run) in enumerate(zip(cells, execution.cells)):
        grading = grading_of(cell)
        if cell.get("cell_type") != "code":
            continue
        if grading.get("grade"):
            report.tests.append(
                (
                    grading.get("grade_id", f"cell {index}"),
                    run.error if run.ran else f"not run: {execution.stopped}",
                )
            )
        elif grading.get("solution"):
            if run.error:
                report.answer_errors.append(f"answer cell {cell.get('id', index)}: {run.error}")
            rules = cell.get("metadata", {}).get("paramact", {}).get("forbid", [])
            report.flags += [
                f"{cell.get('id', index)}: {flag}" for flag in scan.problems(source_of(cell), rules)
            ]
        elif run.error:
            report.demonstrations.append(f"cell {index}: {run.error}")
    return report
