"""Autograde with stock nbgrader, as an instructor who runs nbgrader directly would.

The course's own grader (``paramact grade``, :mod:`paramact.grader.grading`) is hardened against hostile
submissions; this module proves that the chapters also work with plain ``nbgrader autograde``: the tests
use it to check that every master earns full marks and every untouched chapter earns zero.

Grading always happens in a fresh temporary course directory: the chapter is generated there from its
master (so the gradebook knows every graded cell and its checksum), each submission is copied in (the
student's file is only read), and ``nbgrader autograde`` runs once per student, so one broken submission
cannot stop the batch. Scores are read back from that scratch gradebook.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from paramact.course.pipeline import (
    MASTER_DIR,
    CourseError,
    assignments,
    make_scratch_course,
    run_nbgrader,
)


@dataclass(frozen=True)
class CellGrade:
    """The score of one graded cell (nbgrader's ``grade_id``)."""

    grade_id: str
    score: float
    max_score: float


@dataclass
class GradeResult:
    """The outcome for one student: the graded cells, or the reason nothing could be graded."""

    student: str
    chapter: str
    cells: list[CellGrade] = field(default_factory=list)
    failed_cells: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def score(self) -> float:
        return sum(cell.score for cell in self.cells)

    @property
    def max_score(self) -> float:
        return sum(cell.max_score for cell in self.cells)


def read_grades(course: Path, chapter: str, notebook: str, student: str) -> list[CellGrade]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(notebook, chapter, student)
        grades = [CellGrade(g.name, float(g.score), float(g.max_score)) for g in submission.grades]
    return sorted(grades, key=lambda g: g.grade_id)


def failed_cells(notebook_path: Path) -> list[str]:
    """``"<cell>: <exception>"`` for every cell of an executed notebook that raised."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    failures = []
    for index, cell in enumerate(notebook.get("cells", [])):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"cell {index}")
                failures.append(
                    f"{name}: {output.get('ename')}: {output.get('evalue')}".rstrip(": ")
                )
    return failures


def grade(
    root: Path, chapter: str, submissions: dict[str, Path], progress: bool = True
) -> list[GradeResult]:
    """Autograde ``submissions`` (student -> notebook) of ``chapter``; one result per student."""
    if chapter not in assignments(root):
        raise CourseError(
            f"unknown chapter {chapter!r}: choose one of {', '.join(assignments(root))}"
        )
    masters = sorted((root / MASTER_DIR / chapter).glob("*.ipynb"))
    notebook_name = masters[0].stem
    course = make_scratch_course(root, [chapter])
    results = []
    try:
        for student, path in tqdm(
            sorted(submissions.items()),
            desc=f"grading {chapter}",
            unit="student",
            disable=not progress,
        ):
            result = GradeResult(student, chapter)
            target = course / "submitted" / student / chapter / f"{notebook_name}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copyfile(path, target)
            try:
                run_nbgrader(root, course, "autograde", chapter, f"--student={student}")
                result.cells = read_grades(course, chapter, notebook_name, student)
                result.failed_cells = failed_cells(
                    course / "autograded" / student / chapter / target.name
                )
            except Exception as error:  # one broken submission must not stop the batch
                result.error = (
                    str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
                )
            results.append(result)
    finally:
        shutil.rmtree(course, ignore_errors=True)
    return results
