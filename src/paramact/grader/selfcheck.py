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

import sys
from dataclasses import dataclass, field
from pathlib import Path

from paramact.grader import scan
from paramact.grader.grading import SubmissionError, read_submission
from paramact.grader.jail import warnings as jail_warnings
from paramact.grader.notebook import grading_of, source_of
from paramact.grader.sandbox import Limits, execute


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
        raise SubmissionError(f"{path.name} has no graded test cells: is it a chapter of the course?")
    execution = execute({**notebook, "cells": cells}, limits)
    report = Report(stopped=execution.stopped)
    for index, (cell, run) in enumerate(zip(cells, execution.cells)):
        grading = grading_of(cell)
        if cell.get("cell_type") != "code":
            continue
        if grading.get("grade"):
            report.tests.append((grading.get("grade_id", f"cell {index}"), run.error if run.ran else f"not run: {execution.stopped}"))
        elif grading.get("solution"):
            if run.error:
                report.answer_errors.append(f"answer cell {cell.get('id', index)}: {run.error}")
            rules = cell.get("metadata", {}).get("paramact", {}).get("forbid", [])
            report.flags += [f"{cell.get('id', index)}: {flag}" for flag in scan.problems(source_of(cell), rules)]
        elif run.error:
            report.demonstrations.append(f"cell {index}: {run.error}")
    return report


def run_cli(args) -> int:
    path = Path(args.notebook)
    for warning in jail_warnings():
        print(f"paramact check: note: {warning}", file=sys.stderr)
    try:
        report = check(path, Limits(cell_seconds=args.cell_seconds))
    except (SubmissionError, OSError) as error:
        print(f"paramact check: {error}", file=sys.stderr)
        return 2
    passed = sum(error is None for _, error in report.tests)
    for grade_id, error in report.tests:
        print(f"  {'PASS' if error is None else 'FAIL'} {grade_id}" + ("" if error is None else f": {error.splitlines()[0]}"))
    for error in report.answer_errors:
        print(f"  ERROR {error.splitlines()[0]}")
    for flag in report.flags:
        print(f"  FLAG {flag} (shown to your instructor; it costs no points)")
    if report.demonstrations:
        print(f"  {len(report.demonstrations)} demonstration cell(s) failed, as they do when graded "
              "(they need the reference implementation): not counted")
    if report.stopped:
        print(f"  the run stopped early: {report.stopped}")
    print(f"{path.name}: {passed} of {len(report.tests)} test cells pass (visible tests only; hidden tests run when graded)")
    return 0 if passed == len(report.tests) and not report.answer_errors and not report.stopped else 1


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help="run the visible tests of your notebook as grading runs it (exit 0 only if all pass)")
    parser.add_argument("notebook", help="your chapter notebook (.ipynb)")
    parser.add_argument("--cell-seconds", type=float, default=120.0, help="wall-time limit per cell (default: 120)")
    parser.set_defaults(func=run_cli)
