"""``paramact grade`` (the tamper-proof grader) on every chapter: the master earns full marks, the
untouched student version earns none, and each test that fails on the stub says why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import once_per_session

from paramact.course.pipeline import CHAPTER_DIR, MASTER_DIR, assignments
from paramact.grader.batch import grade_batch
from paramact.grader.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(cell_seconds=60, notebook_seconds=180, cpu_seconds=240)


def grade_chapter(chapter: str, base: Path) -> dict:
    course, folder = base / "course", base / "submissions"
    for name in (MASTER_DIR, CHAPTER_DIR):
        shutil.copytree(ROOT / name / chapter, course / name / chapter)
    shutil.copy(ROOT / "_toc.yml", course / "_toc.yml")
    folder.mkdir(parents=True)
    notebook = next((ROOT / MASTER_DIR / chapter).glob("*.ipynb")).name
    shutil.copy(course / MASTER_DIR / chapter / notebook, folder / "master.ipynb")
    shutil.copy(course / CHAPTER_DIR / chapter / notebook, folder / "stub.ipynb")
    results, _ = grade_batch(course, folder, [chapter], LIMITS, jobs=2, progress=False)
    return {result.student: result for result in results}


@pytest.fixture(scope="module", params=assignments(ROOT))
def graded(request, tmp_path_factory):
    """Graded once per session, also when the chapter's tests run on both of xdist's workers."""
    chapter = request.param
    return chapter, once_per_session(
        request, tmp_path_factory, f"chapter-{chapter}", lambda base: grade_chapter(chapter, base)
    )


def test_master_earns_full_marks(graded):
    chapter, results = graded
    master = results["master"]
    assert master.error is None, master.error
    short = {e.grade_id: e.reason for e in master.exercises if e.points != e.max_points}
    assert not short, f"{chapter}: {short}"
    assert len(master.exercises) >= 2


def test_stub_earns_nothing_and_is_told_why(graded):
    chapter, results = graded
    stub = results["stub"]
    assert stub.error is None, stub.error
    scored = {e.grade_id: e.reason for e in stub.exercises if e.points}
    assert not scored, f"{chapter}: tests pass on the unfilled stub: {scored}"
    assert all(e.reason for e in stub.exercises), f"{chapter}: a failing test without a reason"
