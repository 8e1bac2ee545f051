"""Autograde submissions of a chapter: ``paramact grade CHAPTER SUBMISSIONS``.

Grading always happens in a fresh temporary course directory: the chapter is generated there from its
master (so the gradebook knows every graded cell and its checksum), each submission is copied in (the
student's file is only read), and ``nbgrader autograde`` runs once per student, so one broken submission
cannot stop the batch. Scores are read back from that scratch gradebook.

``SUBMISSIONS`` is either nbgrader's layout ``<folder>/<student>/<chapter>/<notebook>.ipynb`` or a flat
folder of ``<student>.ipynb`` files.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from paramact.course.pipeline import CourseError, MASTER_DIR, assignments, find_root, make_scratch_course, run_nbgrader


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


def find_submissions(folder: Path, chapter: str) -> dict[str, Path]:
    """Map student -> submitted notebook, from either supported layout (see the module docstring)."""
    if not folder.is_dir():
        raise CourseError(f"submissions folder {folder} does not exist")
    flat = sorted(folder.glob("*.ipynb"))
    if flat:
        return {path.stem: path for path in flat}
    found = {}
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        notebooks = sorted((student_dir / chapter).glob("*.ipynb"))
        if notebooks:
            found[student_dir.name] = notebooks[0]
    if not found:
        raise CourseError(
            f"no submissions of {chapter} in {folder}: expected <student>.ipynb files or "
            f"<student>/{chapter}/<notebook>.ipynb folders"
        )
    return found


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
                failures.append(f"{name}: {output.get('ename')}: {output.get('evalue')}".rstrip(": "))
    return failures


def grade(root: Path, chapter: str, submissions: dict[str, Path], progress: bool = True) -> list[GradeResult]:
    """Autograde ``submissions`` (student -> notebook) of ``chapter``; one result per student."""
    if chapter not in assignments(root):
        raise CourseError(f"unknown chapter {chapter!r}: choose one of {', '.join(assignments(root))}")
    masters = sorted((root / MASTER_DIR / chapter).glob("*.ipynb"))
    notebook_name = masters[0].stem
    course = make_scratch_course(root, [chapter])
    results = []
    try:
        for student, path in tqdm(sorted(submissions.items()), desc=f"grading {chapter}", unit="student",
                                  disable=not progress):
            result = GradeResult(student, chapter)
            target = course / "submitted" / student / chapter / f"{notebook_name}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copyfile(path, target)
            try:
                run_nbgrader(root, course, "autograde", chapter, f"--student={student}")
                result.cells = read_grades(course, chapter, notebook_name, student)
                result.failed_cells = failed_cells(course / "autograded" / student / chapter / target.name)
            except Exception as error:  # one broken submission must not stop the batch
                result.error = str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
            results.append(result)
    finally:
        shutil.rmtree(course, ignore_errors=True)
    return results


def write_csv(results: list[GradeResult], path: Path) -> None:
    """One row per student: score, maximum, each graded cell's score, and the error if any."""
    cell_ids = sorted({cell.grade_id for result in results for cell in result.cells})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "chapter", "score", "max_score", *cell_ids, "error"])
        for result in results:
            by_id = {cell.grade_id: cell.score for cell in result.cells}
            writer.writerow([result.student, result.chapter, result.score, result.max_score,
                             *(by_id.get(cell_id, "") for cell_id in cell_ids), result.error or ""])


def run_cli(args) -> int:
    root = find_root()
    try:
        submissions = find_submissions(Path(args.submissions), args.chapter)
        results = grade(root, args.chapter, submissions)
    except CourseError as error:
        print(f"paramact grade: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    write_csv(results, out)
    for result in results:
        status = f"error: {result.error}" if result.error else f"{result.score:g}/{result.max_score:g}"
        print(f"{result.student:20s} {status}")
    print(f"grades written to {out}")
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("grade", help="autograde a folder of submissions of one chapter")
    parser.add_argument("chapter", help="chapter folder name, e.g. 01_perceptron")
    parser.add_argument("submissions", help="folder of <student>.ipynb files or <student>/<chapter>/*.ipynb")
    parser.add_argument("--out", default="grades.csv", help="CSV file to write (default: grades.csv)")
    parser.set_defaults(func=run_cli)
