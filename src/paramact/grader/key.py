"""A chapter's key: what the grader knows about a chapter, and the records its master's answers make.

The master's answers run through the graded notebook (:mod:`paramact.grader.notebook`) in a jailed
kernel that never sees a student's code; what its hidden tests record is the key, cached per version of
everything it depends on (:func:`key_version`).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from paramact.course.pipeline import CHAPTER_DIR, MASTER_DIR, CourseError, assignments
from paramact.grader.notebook import graded_notebook, grading_of, is_answer, is_test
from paramact.grader.sandbox import Execution, Limits, execute
from paramact_kernel.record import RECORD_MIME


@dataclass
class Exercise:
    """One graded test cell and the answer cells it checks (those since the previous test cell)."""

    grade_id: str
    points: float
    answer_ids: list[str]


@dataclass
class ChapterKey:
    """Everything the grader knows about a chapter, from its master and release only."""

    chapter: str
    notebook_name: str
    master: dict
    release: dict
    exercises: list[Exercise]
    expected: dict[str, list[dict]]  # grade_id -> records of the master's graded run
    rules: dict[str, list[str]]  # answer id -> the exercise's method rules (names it may not use)

    @property
    def answer_ids(self) -> list[str]:
        return [answer for exercise in self.exercises for answer in exercise.answer_ids]


def records_by_cell(notebook: dict, execution: Execution) -> dict[str, list[dict]]:
    """The values each graded test cell recorded, by grade id."""
    found = {}
    for cell, run in zip(notebook["cells"], execution.cells):
        if is_test(cell):
            found[grading_of(cell)["grade_id"]] = [
                output["data"][RECORD_MIME]
                for output in run.outputs
                if output.get("output_type") == "display_data"
                and RECORD_MIME in output.get("data", {})
            ]
    return found


def load_chapter(root: Path, chapter: str) -> ChapterKey:
    """Read a chapter's master and release (cheap: nothing runs; see :func:`learn_key`)."""
    if chapter not in assignments(root):
        raise CourseError(
            f"unknown chapter {chapter!r}: choose one of {', '.join(assignments(root))}"
        )
    master_path = sorted((root / MASTER_DIR / chapter).glob("*.ipynb"))[0]
    master = json.loads(master_path.read_text(encoding="utf-8"))
    release = json.loads(
        (root / CHAPTER_DIR / chapter / master_path.name).read_text(encoding="utf-8")
    )
    exercises, pending, rules = [], [], {}
    for cell in master["cells"]:
        if is_answer(cell):
            pending.append(cell["id"])
            rules[cell["id"]] = list(cell["metadata"].get("paramact", {}).get("forbid", []))
        if is_test(cell):
            exercises.append(
                Exercise(
                    grading_of(cell)["grade_id"], float(grading_of(cell).get("points", 0)), pending
                )
            )
            pending = []
    return ChapterKey(chapter, master_path.name, master, release, exercises, {}, rules)


def cache_folder() -> Path:
    """Where keys are kept between runs: ``$PARAMACT_CACHE``, else the user's cache folder (never the repository)."""
    if os.environ.get("PARAMACT_CACHE"):
        return Path(os.environ["PARAMACT_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "paramact" / "keys"


def key_version(key: ChapterKey) -> str:
    """A digest of everything a key depends on: the master, the code that builds and runs the graded
    notebook and records inside it, and the versions of Python and the numerical libraries."""
    import hashlib
    import importlib.metadata

    import paramact_kernel

    digest = hashlib.sha256(json.dumps(key.master, sort_keys=True).encode())
    kernel_code = sorted(Path(paramact_kernel.__file__).parent.glob("*.py"))
    for path in [
        *kernel_code,
        *(
            Path(__file__).with_name(name)
            for name in ("notebook.py", "sandbox.py", "jail.py", "launcher.py", "cgroups.py")
        ),
    ]:
        digest.update(path.read_bytes())
    for package in ("numpy", "scipy", "sympy", "mpmath", "torch", "scikit-learn"):
        try:
            digest.update(f"{package}={importlib.metadata.version(package)}".encode())
        except importlib.metadata.PackageNotFoundError:
            continue
    digest.update(sys.version.encode())
    return digest.hexdigest()[:20]


def learn_key(key: ChapterKey, limits: Limits) -> bool:
    """Fill ``key.expected`` from the master's answers, run once per master version (then cached).

    Returns whether the cache had it. The master's graded notebook runs in the jail like a student's.
    """
    cached = cache_folder() / f"{key.chapter}-{key_version(key)}.json"
    try:
        key.expected = json.loads(cached.read_text(encoding="utf-8"))
        return True
    except (OSError, ValueError):
        pass
    notebook = graded_notebook(key.master, {})
    execution = execute(notebook, limits)
    expected = records_by_cell(notebook, execution)
    broken = [
        exercise.grade_id
        for exercise in key.exercises
        if not expected.get(exercise.grade_id)
        or any(
            r.get("value", {}).get("type") in ("raised", "invalid")
            for r in expected[exercise.grade_id]
        )
    ]
    if execution.stopped or broken:
        raise CourseError(
            f"the master of {key.chapter} does not record its hidden tests: {execution.stopped or ''} {broken}"
        )
    key.expected = expected
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(expected), encoding="utf-8")
    os.replace(temporary, cached)
    return False
