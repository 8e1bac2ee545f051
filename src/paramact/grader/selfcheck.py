"""Check your own notebook before you hand it in: ``paramact check NOTEBOOK``.

Runs the notebook top to bottom in a fresh kernel, the way a grader would, and reports each graded test
cell as passed or failed with the first line of its error. It works anywhere the package is installed,
Colab included (save the notebook to Drive, then ``!paramact check "/content/drive/MyDrive/…"``). Only
the visible tests are in your notebook: passing them is necessary, not sufficient, for full marks.

Exit status: 0 when every test cell passes and no cell raised, 1 otherwise, 2 when the file cannot be
checked (not a course notebook, unreadable).
"""

from __future__ import annotations

import sys
from pathlib import Path

from paramact.grader.grading import SubmissionError, read_submission
from paramact.grader.sandbox import Limits, execute


def check(path: Path, limits: Limits = Limits()) -> tuple[list[tuple[str, str | None]], list[str], str | None]:
    """``(test results as (grade_id, error or None), errors of other cells, why the run stopped)``."""
    notebook = read_submission(path)
    tests = [cell.get("metadata", {}).get("nbgrader", {}) for cell in notebook["cells"]]
    if not any(grading.get("grade") for grading in tests):
        raise SubmissionError(f"{path.name} has no graded test cells: is it a chapter of the course?")
    execution = execute(notebook, limits)
    results, other_errors = [], []
    for index, (cell, grading, run) in enumerate(zip(notebook["cells"], tests, execution.cells)):
        if grading.get("grade") and cell.get("cell_type") == "code":
            error = run.error if run.ran else f"not run: {execution.stopped}"
            results.append((grading.get("grade_id", f"cell {index}"), error))
        elif run.error and not grading.get("solution"):
            other_errors.append(f"cell {index}: {run.error}")
    return results, other_errors, execution.stopped


def run_cli(args) -> int:
    path = Path(args.notebook)
    try:
        results, other_errors, stopped = check(path, Limits(cell_seconds=args.cell_seconds))
    except (SubmissionError, OSError) as error:
        print(f"paramact check: {error}", file=sys.stderr)
        return 2
    passed = sum(error is None for _, error in results)
    for grade_id, error in results:
        print(f"  {'PASS' if error is None else 'FAIL'} {grade_id}" + ("" if error is None else f": {error.splitlines()[0]}"))
    for error in other_errors:
        print(f"  ERROR {error.splitlines()[0]}")
    if stopped:
        print(f"  the run stopped early: {stopped}")
    print(f"{path.name}: {passed} of {len(results)} test cells pass (visible tests only; hidden tests run when graded)")
    return 0 if passed == len(results) and not other_errors and not stopped else 1


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help="run the visible tests of your notebook (exit status 0 only if all pass)")
    parser.add_argument("notebook", help="your chapter notebook (.ipynb)")
    parser.add_argument("--cell-seconds", type=float, default=120.0, help="wall-time limit per cell (default: 120)")
    parser.set_defaults(func=run_cli)
