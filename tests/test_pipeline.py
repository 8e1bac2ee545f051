"""The course pipeline: chapters are generated from masters; under stock nbgrader, masters earn full
marks and untouched chapters earn none.

Stock nbgrader grades a sample of chapters: that proves the course works with it (``autograder/``),
while every chapter's full marks and zero are proved by ``paramact grade`` in
``tests/test_grading_chapters.py``, so each master is not run once more per test session.
"""

import hashlib
import json
from pathlib import Path

import pytest
from conftest import once_per_session

from paramact.course import glossary
from paramact.course.pipeline import CHAPTER_DIR, assignments, master_notebooks, out_of_sync
from paramact.grader.nbgrader_autograde import grade

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = assignments(ROOT)
# A plain chapter, and the one whose derivations the formula judge checks (the richest hidden tests).
NBGRADER_SAMPLE = ("01_perceptron", "06_parametric_activations")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def grade_with_nbgrader(chapter: str) -> dict:
    """Grade a chapter's master and its untouched student version as two submissions."""
    master = next((ROOT / "solutions" / chapter).glob("*.ipynb"))
    stub = ROOT / CHAPTER_DIR / chapter / master.name
    before = {path: digest(path) for path in (master, stub)}
    results = {
        r.student: r for r in grade(ROOT, chapter, {"master": master, "stub": stub}, progress=False)
    }
    assert {path: digest(path) for path in (master, stub)} == before, (
        "grading modified a submitted file"
    )
    return results


@pytest.fixture(scope="module", params=NBGRADER_SAMPLE)
def graded(request, tmp_path_factory):
    """Graded once per session, also when the chapter's tests run on both of xdist's workers."""
    chapter = request.param
    return chapter, once_per_session(
        request, tmp_path_factory, f"nbgrader-{chapter}", lambda _: grade_with_nbgrader(chapter)
    )


def test_course_has_chapters():
    assert "01_perceptron" in CHAPTERS and set(NBGRADER_SAMPLE) <= set(CHAPTERS)


def test_chapters_are_in_sync_with_masters():
    assert out_of_sync(ROOT) == [], "run `make release` and commit chapters/"


def test_master_runs_cleanly_and_scores_full_marks(graded):
    chapter, results = graded
    master = results["master"]
    assert master.error is None, master.error
    assert master.failed_cells == [], f"{chapter}: cells of the master raised {master.failed_cells}"
    assert master.max_score > 0 and len(master.cells) >= 2, (
        f"{chapter} needs at least two graded exercises"
    )
    short = [cell.grade_id for cell in master.cells if cell.score != cell.max_score]
    assert not short, f"{chapter}: the master loses points on {short}"


def test_every_stub_scores_zero(graded):
    chapter, results = graded
    stub = results["stub"]
    assert stub.error is None, stub.error
    passing = [cell.grade_id for cell in stub.cells if cell.score != 0]
    assert not passing, (
        f"{chapter}: tests {passing} pass on the unfilled stub, so they cannot tell an answer apart"
    )
    assert len(stub.cells) == len(results["master"].cells)


def test_grading_writes_nothing_into_the_repository(graded):
    for name in ("gradebook.db", "submitted", "autograded", "feedback"):
        assert not (ROOT / name).exists() and not (ROOT / "autograder" / name).exists(), name


@pytest.mark.parametrize("master", master_notebooks(ROOT), ids=lambda p: p.parent.name)
def test_master_is_well_formed(master):
    """Committed without outputs, stable ids, every exercise tagged and hidden-tested."""
    graded_tests = 0
    for cell in cells(master):
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, (
            "strip outputs before committing"
        )
        grading = cell["metadata"].get("nbgrader", {})
        source = "".join(cell["source"])
        if grading.get("grade") and cell["cell_type"] == "code":
            graded_tests += 1
            assert "### BEGIN HIDDEN TESTS" in source, f"{grading['grade_id']} has no hidden tests"
            hidden = source.split("### BEGIN HIDDEN TESTS")[1]
            # Recorded values are compared outside the student's kernel by `paramact grade` (the
            # judge's check_* helpers record what they check).
            assert any(
                call in hidden for call in ("record(", "check_expression(", "check_gradient(")
            ), f"{grading['grade_id']} records no value for the tamper-proof grader"
        if cell["cell_type"] == "code" and (grading.get("grade") or grading.get("solution")):
            # A stub raises NotImplementedError: the tag lets the book show it instead of failing.
            assert "raises-exception" in cell["metadata"].get("tags", []), (
                f"tag {grading['grade_id']} raises-exception"
            )
    assert graded_tests >= 2


@pytest.mark.parametrize("master", master_notebooks(ROOT), ids=lambda p: p.parent.name)
def test_master_introduces_its_key_terms_in_korean(master):
    """Key terms are marked `**term** (한국어)` on first use; the glossary page is built from them."""
    introduced = glossary.collect([master])
    assert len(introduced) >= 5, (
        f"{master.parent.name} marks only {[t.english for t in introduced]}"
    )
