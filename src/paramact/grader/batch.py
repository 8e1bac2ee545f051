"""Grade a folder of submissions in parallel: ``paramact grade SUBMISSIONS`` (:func:`grade_batch`).

``SUBMISSIONS`` is either nbgrader's layout ``<folder>/<student>/<chapter>/<notebook>.ipynb`` or a flat
folder of ``<student>.ipynb`` files; only regular files are read, never through a symbolic link. Each
is graded by :func:`paramact.grader.grading.grade_submission` in a worker process. Nothing is written
into the repository or the students' files; the output (:mod:`paramact.grader.reports`) is
``grades.csv``, ``summary.csv`` and ``feedback/<student>/<chapter>.html``, each written atomically.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm.auto import tqdm

from paramact.course.pipeline import CourseError, assignments
from paramact.grader.grading import StudentResult, grade_submission, ungraded
from paramact.grader.key import ChapterKey, learn_key, load_chapter
from paramact.grader.launcher import die_with_parent
from paramact.grader.sandbox import Limits
from paramact.grader.submission import SubmissionError, display_name, read_submission


def _entries(folder: Path) -> Iterator[tuple[Path, bool, bool]]:
    """A folder's entries, without following symbolic links: ``(path, is_file, is_dir)``."""
    with os.scandir(folder) as scan_:
        for entry in sorted(scan_, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            yield (
                Path(entry.path),
                entry.is_file(follow_symlinks=False),
                entry.is_dir(follow_symlinks=False),
            )


def find_submissions(
    folder: Path, chapters: list[str]
) -> tuple[list[tuple[str, str | None, Path]], list[tuple[str, str]]]:
    """``(student, chapter or None when to be inferred, file)`` for every submission in ``folder``,
    and ``(name, why)`` for the entries that are not read (links, pipes, devices)."""
    if not folder.is_dir():
        raise CourseError(f"submissions folder {folder} does not exist")
    found: list[tuple[str, str | None, Path]] = []
    skipped: list[tuple[str, str]] = []
    for path, is_file, is_dir in _entries(folder):
        name = display_name(path.name)
        if is_file:
            found.append((display_name(path.stem), None, path))
        elif is_dir:
            for chapter_dir, _, chapter_is_dir in _entries(path):
                if chapter_is_dir and chapter_dir.name in chapters:
                    found.append((name, chapter_dir.name, chapter_dir))
        else:
            skipped.append((display_name(path.stem), "a symbolic link or special file: not read"))
    if not found and not skipped:
        raise CourseError(
            f"no submissions in {folder}: expected <student>.ipynb files or <student>/<chapter>/ folders"
        )
    return found, skipped


def pick_notebook(folder: Path, expected: str) -> Path:
    """The notebook in a student's chapter folder (nbgrader layout); never a link or special file."""
    notebooks = [
        path for path, is_file, _ in _entries(folder) if is_file and path.suffix == ".ipynb"
    ]
    if folder / expected in notebooks:
        return folder / expected
    if len(notebooks) == 1:
        return notebooks[0]
    if not notebooks:
        raise SubmissionError(
            f"no notebook (regular file) in {display_name(folder.name)}/ (expected {expected})"
        )
    raise SubmissionError(
        f"several notebooks in {display_name(folder.name)}/ and none named {expected}"
    )


def infer_chapter(path: Path, keys: dict[str, ChapterKey]) -> str:
    """The chapter whose answer cells a flat-layout submission shares the most ids with."""
    notebook = read_submission(path)
    ids = {
        cell.get("id")
        for cell in notebook["cells"]
        if isinstance(cell, dict) and isinstance(cell.get("id"), str)
    }
    overlap = {chapter: len(ids & set(key.answer_ids)) for chapter, key in keys.items()}
    best = max(overlap, key=overlap.__getitem__)
    if overlap[best] == 0:
        raise SubmissionError(
            f"{display_name(path.name)} has none of the answer cells of {', '.join(keys)}: which chapter is it?"
        )
    return best


def grade_batch(
    root: Path,
    folder: Path,
    chapters: list[str] | None = None,
    limits: Limits = Limits(),
    jobs: int | None = None,
    progress: bool = True,
) -> tuple[list[StudentResult], dict[str, ChapterKey]]:
    """Grade every submission in ``folder`` for ``chapters`` (default: all), in parallel.

    The chapters are recognised from the submissions' cells first; only their keys are learnt (from the
    cache when the master has not changed). Returns the results (sorted by student and chapter) and the
    chapter keys used.
    """
    chapters = chapters or assignments(root)
    keys = {chapter: load_chapter(root, chapter) for chapter in chapters}
    submissions, skipped = find_submissions(folder, chapters)
    results = [StudentResult(name, "(unknown)", name, error=why) for name, why in skipped]
    tasks = []
    for student, chapter, path in submissions:
        try:
            if chapter:
                path = pick_notebook(path, keys[chapter].notebook_name)
            chapter = chapter or infer_chapter(path, keys)
            tasks.append((keys[chapter], student, path))
        except SubmissionError as error:
            results.append(
                StudentResult(
                    student, chapter or "(unknown)", display_name(str(path)), error=str(error)
                )
            )
    needed = sorted({key.chapter for key, _, _ in tasks})
    with tqdm(needed, desc="masters' keys", unit="chapter", disable=not progress) as bar:
        for chapter in bar:
            bar.set_postfix_str(chapter)
            learn_key(keys[chapter], limits)
    results += _grade_in_workers(tasks, limits, jobs or os.cpu_count() or 1, progress)
    return sorted(results, key=lambda r: (r.student, r.chapter)), {
        chapter: keys[chapter] for chapter in needed
    }


def _grade_in_workers(
    tasks: list[tuple[ChapterKey, str, Path]], limits: Limits, jobs: int, progress: bool
) -> list[StudentResult]:
    """:func:`grade_submission` for each ``(key, student, path)``, in ``jobs`` worker processes."""
    # "spawn": the parent already runs an event-loop thread (nbclient), which a fork would copy mid-flight.
    # A worker ends when the grader does, however the grader ends.
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    results = []
    try:
        futures = {
            pool.submit(grade_submission, key, student, path, limits): (key, student, path)
            for key, student, path in tasks
        }
        for future in tqdm(
            as_completed(futures),
            total=len(futures),
            desc="grading",
            unit="notebook",
            disable=not progress,
        ):
            try:
                results.append(future.result())
            except Exception as error:  # a grader bug or a lost worker must not cost the rest of the batch its grades
                results.append(
                    ungraded(
                        *futures[future],
                        f"the grader failed on this submission ({type(error).__name__})",
                    )
                )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results
