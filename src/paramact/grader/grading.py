"""Grade what students actually answered: ``paramact grade SUBMISSIONS``.

Students' notebooks are untrusted code. For each chapter the grader first runs the master notebook in a
sandboxed kernel and keeps every value its tests ``record`` (see :mod:`paramact.course.testing`). Then,
for each submission:

1. **Rebuild.** The notebook is rebuilt from the master: only the student's answer cells (matched by cell
   id) are taken from the submission; every test cell, read-only cell and the kernel come from the
   master. Missing, duplicated or retyped answer cells count as unanswered, with a reason.
2. **Read before running.** Each answer is scanned (:mod:`paramact.course.scan`); one that imports the
   reference implementation or tampers with the machinery is not run, and its exercise scores 0.
3. **Run in a sandbox** (:mod:`paramact.course.sandbox`): a fresh empty folder, no network, a read-only
   file system in which the course and the submissions are hidden, CPU, memory and time limits; a
   kernel that dies keeps what completed.
4. **Score outside the kernel.** A test cell earns its points only if it ran without error *and* the
   values it recorded match the master's, compared here, in the grader's process, by exact type.
   Reasons never quote the hidden tests or the master's solutions, even where an answer's own error
   message does.

Nothing is written into the repository or the students' files. ``SUBMISSIONS`` is either nbgrader's
layout ``<folder>/<student>/<chapter>/<notebook>.ipynb`` or a flat folder of ``<student>.ipynb`` files.
The output folder receives ``grades.csv`` (one row per student and chapter), ``summary.csv`` (per
exercise) and ``feedback/<student>/<chapter>.html`` (without hidden tests).
"""

from __future__ import annotations

import base64
import csv
import functools
import html
import json
import math
import multiprocessing
import os
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from paramact.course import scan
from paramact.course.judge import judge_record
from paramact.course.leaks import secrets_of
from paramact.course.pipeline import CHAPTER_DIR, MASTER_DIR, CourseError, assignments, find_root
from paramact.course.sandbox import Execution, Limits, execute
from paramact.course.testing import NUMERIC_KINDS, RECORD_MIME

HIDDEN_MARKER = "### BEGIN HIDDEN TESTS"
MAX_ANSWER_CHARS = 100_000
MAX_ARRAY_ELEMENTS = 10**8


class SubmissionError(Exception):
    """A submission that cannot be graded at all; the message is the reason shown to the student."""


# ----------------------------------------------------------------------------------------- the key


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
    expected: dict[str, list[dict]]  # grade_id -> records of the master's run
    forbid: dict[str, list[str]]  # answer id -> extra forbidden names
    forbidden_aliases: set[str]

    @property
    def answer_ids(self) -> list[str]:
        return [answer for exercise in self.exercises for answer in exercise.answer_ids]

    @functools.cached_property
    def secret_lines(self) -> set[str]:
        """Lines of the master that the release does not show (hidden tests, solutions), as the leak check finds them."""
        return secrets_of(self.master, self.release)


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _text(cell: dict) -> str | None:
    """A submitted cell's source, or None where it is not text (a hand-edited or damaged file)."""
    source = cell.get("source")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _grading(cell) -> dict:
    metadata = cell.get("metadata", {})
    grading = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else {}
    return grading if isinstance(grading, dict) else {}


def records_by_cell(notebook: dict, execution: Execution) -> dict[str, list[dict]]:
    """The values each graded test cell recorded, by grade id."""
    found = {}
    for cell, run in zip(notebook["cells"], execution.cells):
        grading = _grading(cell)
        if grading.get("grade"):
            found[grading["grade_id"]] = [output["data"][RECORD_MIME] for output in run.outputs
                                          if output.get("output_type") == "display_data" and RECORD_MIME in output.get("data", {})]
    return found


def load_chapter(root: Path, chapter: str, limits: Limits, hide: tuple[Path, ...] = ()) -> ChapterKey:
    """Read a chapter's master and release and run the master to learn the expected values."""
    if chapter not in assignments(root):
        raise CourseError(f"unknown chapter {chapter!r}: choose one of {', '.join(assignments(root))}")
    master_path = sorted((root / MASTER_DIR / chapter).glob("*.ipynb"))[0]
    master = json.loads(master_path.read_text(encoding="utf-8"))
    release = json.loads((root / CHAPTER_DIR / chapter / master_path.name).read_text(encoding="utf-8"))
    exercises, pending, forbid = [], [], {}
    for cell in master["cells"]:
        grading = _grading(cell)
        if grading.get("solution"):
            pending.append(cell["id"])
            forbid[cell["id"]] = list(cell["metadata"].get("paramact", {}).get("forbid", []))
        if grading.get("grade") and cell["cell_type"] == "code":
            exercises.append(Exercise(grading["grade_id"], float(grading.get("points", 0)), pending))
            pending = []
    read_only = [_source(c) for c in master["cells"] if c["cell_type"] == "code" and not _grading(c).get("solution")]
    key = ChapterKey(chapter, master_path.name, master, release, exercises, {}, forbid,
                     scan.forbidden_aliases(read_only))
    execution = execute(master, limits, hide)
    key.expected = records_by_cell(master, execution)
    broken = [f"{e.grade_id} ({run.error})" for e, run in _test_runs(key, master, execution) if run.error or not run.ran]
    if execution.stopped or broken:
        raise CourseError(f"the master of {chapter} does not pass its own tests: {execution.stopped or ''} {broken}")
    return key


def _test_runs(key: ChapterKey, notebook: dict, execution: Execution):
    runs = {_grading(cell).get("grade_id"): run for cell, run in zip(notebook["cells"], execution.cells)}
    return [(exercise, runs[exercise.grade_id]) for exercise in key.exercises]


# ------------------------------------------------------------------------------------- rebuilding


def read_submission(path: Path) -> dict:
    """Parse a submitted file as a notebook, or raise :class:`SubmissionError` saying why not."""
    if path.suffix != ".ipynb":
        raise SubmissionError(f"{path.name} is not a notebook (.ipynb) file")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise SubmissionError(f"{path.name} is not valid notebook JSON ({error})") from None
    except OSError as error:
        raise SubmissionError(f"{path.name} cannot be read ({error.strerror})") from None
    if not isinstance(notebook, dict) or "nbformat" not in notebook:
        raise SubmissionError(f"{path.name} is JSON but not a notebook (no nbformat)")
    if notebook["nbformat"] != 4:
        raise SubmissionError(f"{path.name} has notebook format {notebook['nbformat']!r}; save it with Jupyter (format 4)")
    if not isinstance(notebook.get("cells"), list):
        raise SubmissionError(f"{path.name} is JSON but not a notebook (no list of cells)")
    return notebook


def rebuild(key: ChapterKey, submitted: dict) -> tuple[dict, list[str], dict[str, list[str]]]:
    """The master with the student's answers; plus notes for the student and the answers not run."""
    by_id: dict[str, list[dict]] = {}
    for cell in submitted["cells"]:
        if not isinstance(cell, dict):
            continue
        cell_id = cell.get("id") or _grading(cell).get("grade_id")  # notebooks before format 4.5 have no ids
        if isinstance(cell_id, str):
            by_id.setdefault(cell_id, []).append(cell)
    release_cells = {cell["id"]: cell for cell in key.release["cells"]}
    notes, blocked = [], {}
    rebuilt = json.loads(json.dumps(key.master))
    for cell in rebuilt["cells"]:
        stub = _source(release_cells[cell["id"]])
        if not _grading(cell).get("solution"):
            if _grading(cell).get("grade") and cell["id"] not in by_id:
                notes.append(f"test cell {cell['id']} is missing: the original tests were used")
            elif _grading(cell).get("grade") and any(_text(c) != stub for c in by_id[cell["id"]]):
                notes.append(f"test cell {cell['id']} was edited: the original tests were used")
            continue
        copies = by_id.get(cell["id"], [])
        answer = stub
        if not copies:
            notes.append(f"answer cell {cell['id']} is missing: graded as unanswered")
        elif len(copies) > 1:
            notes.append(f"answer cell {cell['id']} appears {len(copies)} times: graded as unanswered")
        elif copies[0].get("cell_type") != cell["cell_type"]:
            notes.append(f"answer cell {cell['id']} was changed into a {copies[0].get('cell_type')} cell: graded as unanswered")
        elif _text(copies[0]) is None:
            notes.append(f"answer cell {cell['id']} has no readable source: graded as unanswered")
        elif len(_text(copies[0])) > MAX_ANSWER_CHARS:
            notes.append(f"answer cell {cell['id']} is longer than {MAX_ANSWER_CHARS} characters: graded as unanswered")
        else:
            answer = _text(copies[0])
        if answer != stub and cell["cell_type"] == "code":
            problems = scan.problems(answer, key.forbid.get(cell["id"], []), key.forbidden_aliases)
            if problems:
                blocked[cell["id"]] = problems
                answer = stub
        cell["source"] = answer
    return rebuilt, notes, blocked


# ---------------------------------------------------------------------------------------- scoring


def decode(encoded, depth: int = 0):
    """Turn a recorded value back into Python/NumPy data, trusting nothing about it."""
    if depth > 20 or not isinstance(encoded, dict):
        raise ValueError("malformed record")
    kind = encoded.get("type")
    if kind == "none":
        return None
    if kind == "bool":
        return bool(encoded["value"]) if isinstance(encoded["value"], bool) else _malformed()
    if kind == "int":
        return encoded["value"] if type(encoded["value"]) is int else _malformed()
    if kind == "float":
        return float.fromhex(encoded["value"]) if isinstance(encoded["value"], str) else _malformed()
    if kind == "str":
        return encoded["value"] if isinstance(encoded["value"], str) else _malformed()
    if kind in ("list", "tuple"):
        return [decode(item, depth + 1) for item in encoded["items"]]
    if kind == "array":
        dtype = np.dtype(str(encoded["dtype"]))
        shape = tuple(int(n) for n in encoded["shape"])
        if dtype.kind not in NUMERIC_KINDS or any(n < 0 for n in shape) or math.prod(shape) > MAX_ARRAY_ELEMENTS:
            _malformed()
        return np.frombuffer(base64.b64decode(encoded["data"], validate=True), dtype=dtype).reshape(shape)
    if kind == "invalid":
        raise ValueError(f"a value of type {encoded.get('of')!r}, which the tests do not accept")
    _malformed()


def _malformed():
    raise ValueError("malformed record")


def _as_array(value):
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, list) and all(type(v) in (int, float, bool) for v in value):
        return np.asarray(value)
    return None


def mismatch(expected, actual, rtol: float, atol: float) -> str | None:
    """Why ``actual`` differs from ``expected`` (both decoded); None when they match."""
    expected_array, actual_array = _as_array(expected), _as_array(actual)
    if expected_array is not None and actual_array is not None and (isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray)):
        if expected_array.shape != actual_array.shape:
            return f"shape {actual_array.shape}, expected {expected_array.shape}"
        kinds = expected_array.dtype.kind + actual_array.dtype.kind
        if kinds[0] != kinds[1] and not (set(kinds) <= set("iu")):
            names = {"b": "booleans", "i": "integers", "u": "integers", "f": "floating-point numbers"}
            return f"{names[kinds[1]]}, expected {names[kinds[0]]}"
        if not np.allclose(actual_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
            return "values differ from the expected ones"
        return None
    if isinstance(expected, list) or isinstance(actual, list):
        if not (isinstance(expected, list) and isinstance(actual, list)):
            return f"a {type(actual).__name__}, expected a sequence"
        if len(expected) != len(actual):
            return f"{len(actual)} items, expected {len(expected)}"
        for index, (e, a) in enumerate(zip(expected, actual)):
            why = mismatch(e, a, rtol, atol)
            if why:
                return f"item {index}: {why}"
        return None
    numeric = (int, float)
    if type(expected) in numeric and type(actual) in numeric:
        if not math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol) and not (math.isnan(actual) and math.isnan(expected)):
            return f"{actual!r}, expected another value"
        return None
    if type(expected) is not type(actual):
        return f"a {type(actual).__name__}, expected a {type(expected).__name__}"
    return None if expected == actual else "a different value"


@dataclass
class ExerciseResult:
    grade_id: str
    points: float
    max_points: float
    reason: str = ""


@dataclass
class StudentResult:
    """The outcome for one student and chapter."""

    student: str
    chapter: str
    source: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # set when the submission could not be graded at all
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_points for e in self.exercises)


def score(key: ChapterKey, rebuilt: dict, execution: Execution, blocked: dict[str, list[str]]) -> list[ExerciseResult]:
    """Points per exercise (see the module docstring, step 4)."""
    recorded = records_by_cell(rebuilt, execution)
    runs = {cell.get("id"): run for cell, run in zip(rebuilt["cells"], execution.cells)}
    results = []
    for exercise, run in _test_runs(key, rebuilt, execution):
        result = ExerciseResult(exercise.grade_id, 0.0, exercise.points)
        flagged = [f"answer {answer}: {problem}" for answer in exercise.answer_ids for problem in blocked.get(answer, [])]
        if flagged:
            result.reason = "not run: " + "; ".join(flagged)
        elif not run.ran:
            result.reason = f"not run: {execution.stopped or 'the run stopped before this cell'}"
        elif run.error:
            # Where the answer cell itself failed (a hang, a crash), that is the cause worth naming.
            failed = [f"answer {answer} raised {_shown(key, runs[answer].error)}" for answer in exercise.answer_ids
                      if runs[answer].error and runs[answer].error != run.error]
            result.reason = "; ".join([_shown(key, run.error), *failed])
        else:
            result.reason = _compare_records(key.expected[exercise.grade_id], recorded.get(exercise.grade_id, []))
            if not result.reason:
                result.points = exercise.points
        results.append(result)
    return results


def _shown(key: ChapterKey, error: str) -> str:
    """The first line of an error, unless it quotes what students may not see.

    An answer controls its own error messages, and the code it runs can reach the source of the test
    cell running it; a message quoting hidden tests or solutions would carry them into the feedback.
    """
    line = error.splitlines()[0][:300] if error else ""
    squashed = " ".join(line.split())  # secret lines are stored with whitespace runs squashed
    if HIDDEN_MARKER in line or any(secret in squashed for secret in key.secret_lines):
        return f"{line.split(':')[0][:60]} (message not shown: it quotes the hidden tests)"
    return line


def _compare_records(expected: list[dict], actual: list[dict]) -> str:
    if len(actual) != len(expected):
        return f"the tests recorded {len(actual)} values where the master records {len(expected)}: tests were skipped or altered"
    for want, got in zip(expected, actual):
        label = want["label"]
        try:
            if isinstance(want.get("judge"), dict):  # the master's spec, never the submission's
                why = judge_record(want["judge"], decode(got.get("value")))
                if why:
                    return f"{label}{why}"
                continue
            why = mismatch(decode(want["value"]), decode(got.get("value")), want["rtol"], want["atol"])
        except (ValueError, KeyError, TypeError) as error:
            why = str(error)
        if why:
            return f"{label}: got {why}"
    return ""


def ungraded(key: ChapterKey, student: str, path: Path, error: str) -> StudentResult:
    """The result of a submission that could not be graded: 0 points for each exercise, and why."""
    exercises = [ExerciseResult(e.grade_id, 0.0, e.points, "not graded") for e in key.exercises]
    return StudentResult(student, key.chapter, str(path), exercises, error=error)


def grade_submission(key: ChapterKey, student: str, path: Path, limits: Limits, hide: tuple[Path, ...] = ()) -> StudentResult:
    """Grade one submitted file (never modified) against ``key``; the kernel does not see ``hide``."""
    result = StudentResult(student, key.chapter, str(path))
    try:
        submitted = read_submission(path)
        if path.name != key.notebook_name and not path.name == f"{student}.ipynb":
            result.notes.append(f"the notebook was renamed to {path.name} (expected {key.notebook_name}); graded anyway")
        rebuilt, notes, blocked = rebuild(key, submitted)
    except SubmissionError as error:
        return ungraded(key, student, path, str(error))
    result.notes += notes
    result.answers = {cell["id"]: _source(cell) for cell in rebuilt["cells"] if _grading(cell).get("solution")}
    execution = execute(rebuilt, limits, hide)
    if execution.stopped:
        result.notes.append(f"the run stopped early: {execution.stopped}")
    result.exercises = score(key, rebuilt, execution, blocked)
    return result


# -------------------------------------------------------------------------------------- the batch


def find_submissions(folder: Path, chapters: list[str]) -> list[tuple[str, str | None, Path]]:
    """``(student, chapter or None when to be inferred, file)`` for every submission in ``folder``."""
    if not folder.is_dir():
        raise CourseError(f"submissions folder {folder} does not exist")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and not entry.name.startswith("."):
            found.append((entry.stem, None, entry))
        elif entry.is_dir() and not entry.name.startswith("."):
            for chapter_dir in sorted(p for p in entry.iterdir() if p.is_dir() and p.name in chapters):
                found.append((entry.name, chapter_dir.name, chapter_dir))
    if not found:
        raise CourseError(f"no submissions in {folder}: expected <student>.ipynb files or <student>/<chapter>/ folders")
    return found


def pick_notebook(folder: Path, expected: str) -> Path:
    """The notebook in a student's chapter folder (nbgrader layout)."""
    if (folder / expected).is_file():
        return folder / expected
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) == 1:
        return notebooks[0]
    if not notebooks:
        raise SubmissionError(f"no notebook in {folder.name}/ (expected {expected})")
    raise SubmissionError(f"several notebooks in {folder.name}/ and none named {expected}")


def infer_chapter(path: Path, keys: dict[str, ChapterKey]) -> str:
    """The chapter whose answer cells a flat-layout submission shares the most ids with."""
    notebook = read_submission(path)
    ids = {cell.get("id") for cell in notebook["cells"] if isinstance(cell, dict) and isinstance(cell.get("id"), str)}
    overlap = {chapter: len(ids & set(key.answer_ids)) for chapter, key in keys.items()}
    best = max(overlap, key=overlap.get)
    if overlap[best] == 0:
        raise SubmissionError(f"{path.name} has none of the answer cells of {', '.join(keys)}: which chapter is it?")
    return best


def grade_batch(root: Path, folder: Path, chapters: list[str] | None = None, limits: Limits = Limits(),
                jobs: int | None = None, progress: bool = True) -> tuple[list[StudentResult], dict[str, ChapterKey]]:
    """Grade every submission in ``folder`` for ``chapters`` (default: all), in parallel.

    Returns the results (sorted by student and chapter) and the chapter keys used.
    """
    chapters = chapters or assignments(root)
    hide = (root.resolve(), folder.resolve())  # from every kernel: no master, no other student's work
    keys = {chapter: load_chapter(root, chapter, limits, hide) for chapter in chapters}
    results, tasks = [], []
    for student, chapter, path in find_submissions(folder, chapters):
        try:
            if path.is_dir():
                path = pick_notebook(path, keys[chapter].notebook_name)
            chapter = chapter or infer_chapter(path, keys)
            tasks.append((keys[chapter], student, path))
        except SubmissionError as error:
            results.append(StudentResult(student, chapter or "(unknown)", str(path), error=str(error)))
    jobs = jobs or os.cpu_count() or 1
    # "spawn": the parent already runs an event-loop thread (nbclient), which a fork would copy mid-flight.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(grade_submission, key, student, path, limits, hide): (key, student, path)
                   for key, student, path in tasks}
        for future in tqdm(as_completed(futures), total=len(futures), desc="grading", unit="notebook", disable=not progress):
            try:
                results.append(future.result())
            except Exception as error:  # a grader bug or a lost worker must not cost the rest of the batch its grades
                results.append(ungraded(*futures[future], f"the grader failed on this submission ({type(error).__name__}: {error})"))
    return sorted(results, key=lambda r: (r.student, r.chapter)), keys


# ------------------------------------------------------------------------------------------ output


def write_grades(results: list[StudentResult], path: Path) -> None:
    """One row per student and chapter: total, maximum, each exercise, and the reasons."""
    exercise_ids = sorted({e.grade_id for r in results for e in r.exercises})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "chapter", "score", "max_score", *exercise_ids, "status", "reasons"])
        for r in results:
            points = {e.grade_id: e.points for e in r.exercises}
            reasons = [r.error] if r.error else [*r.notes, *(f"{e.grade_id}: {e.reason}" for e in r.exercises if e.reason)]
            writer.writerow([r.student, r.chapter, f"{r.score:g}", f"{r.max_score:g}",
                             *(f"{points[i]:g}" if i in points else "" for i in exercise_ids),
                             "not graded" if r.error else "graded", " | ".join(reasons)])


def summary_rows(results: list[StudentResult]) -> list[dict]:
    """Per chapter and exercise: submissions, mean points, how many earned full points."""
    rows = []
    for chapter in sorted({r.chapter for r in results if r.exercises}):
        graded = [r for r in results if r.chapter == chapter]
        totals = [r.score for r in graded]
        rows.append({"chapter": chapter, "exercise": "(total)", "submissions": len(graded),
                     "mean": statistics.fmean(totals), "median": statistics.median(totals),
                     "full": sum(r.score == r.max_score and r.max_score > 0 for r in graded),
                     "not_graded": sum(r.error is not None for r in graded)})
        for grade_id in sorted({e.grade_id for r in graded for e in r.exercises}):
            earned = [e for r in graded for e in r.exercises if e.grade_id == grade_id]
            rows.append({"chapter": chapter, "exercise": grade_id, "submissions": len(earned),
                         "mean": statistics.fmean(e.points for e in earned),
                         "median": statistics.median(e.points for e in earned),
                         "full": sum(e.points == e.max_points for e in earned), "not_graded": ""})
    return rows


def feedback_html(result: StudentResult, key: ChapterKey | None) -> str:
    """A student's feedback: scores, reasons, their answers and the *visible* tests only."""
    esc = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>{esc(result.chapter)}: {esc(result.student)}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}pre{background:#f6f6f6;padding:.6em;"
             "overflow-x:auto}td,th{padding:.2em .8em;text-align:left}.ok{color:#176117}.no{color:#a11}</style>",
             f"<h1>{esc(result.chapter)}</h1><p>Student: <b>{esc(result.student)}</b>. "
             f"Score: <b>{result.score:g} / {result.max_score:g}</b></p>"]
    if result.error:
        parts.append(f"<p class='no'>Not graded: {esc(result.error)}</p>")
    parts += [f"<p>Note: {esc(note)}</p>" for note in result.notes]
    parts.append("<table><tr><th>exercise</th><th>points</th><th>result</th></tr>")
    for e in result.exercises:
        status = "passed" if e.points == e.max_points else e.reason
        parts.append(f"<tr><td>{esc(e.grade_id)}</td><td>{e.points:g} / {e.max_points:g}</td>"
                     f"<td class='{'ok' if e.points == e.max_points else 'no'}'>{esc(status)}</td></tr>")
    parts.append("</table>")
    if key is not None and not result.error:
        release = {cell["id"]: _source(cell) for cell in key.release["cells"]}
        for exercise in key.exercises:
            parts.append(f"<h2>{esc(exercise.grade_id)}</h2>")
            for answer in exercise.answer_ids:
                parts.append(f"<h3>Your answer ({esc(answer)})</h3><pre>{esc(result.answers.get(answer, ''))}</pre>")
            visible = release[exercise.grade_id].split(HIDDEN_MARKER)[0].rstrip()
            parts.append(f"<h3>Visible tests</h3><pre>{esc(visible)}</pre><p><i>Hidden tests are not shown.</i></p>")
    return "\n".join(parts)


def write_outputs(results: list[StudentResult], keys: dict[str, ChapterKey], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_grades(results, out / "grades.csv")
    rows = summary_rows(results)
    with (out / "summary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for result in results:
        target = out / "feedback" / _safe(result.student) / f"{_safe(result.chapter)}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(feedback_html(result, keys.get(result.chapter)), encoding="utf-8")


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name).lstrip(".") or "_"


def format_summary(results: list[StudentResult]) -> str:
    lines = [f"{'chapter':16s} {'exercise':14s} {'n':>4s} {'mean':>6s} {'median':>6s} {'full':>5s}"]
    for row in summary_rows(results):
        lines.append(f"{row['chapter']:16s} {row['exercise']:14s} {row['submissions']:4d} {row['mean']:6.2f} "
                     f"{row['median']:6.2f} {row['full']:5d}")
    return "\n".join(lines)


def run_cli(args) -> int:
    root = find_root()
    out = Path(args.out)
    if (out / "grades.csv").exists() and not args.overwrite:
        print(f"paramact grade: {out / 'grades.csv'} exists: choose another --out or pass --overwrite", file=sys.stderr)
        return 2
    limits = Limits(cell_seconds=args.cell_seconds, notebook_seconds=args.notebook_seconds,
                    cpu_seconds=int(args.notebook_seconds), memory_bytes=int(args.memory_gb * 2**30))
    try:
        results, keys = grade_batch(root, Path(args.submissions), args.chapter, limits, jobs=args.jobs)
    except CourseError as error:
        print(f"paramact grade: {error}", file=sys.stderr)
        return 2
    write_outputs(results, keys, out)
    print(format_summary(results))
    for r in results:
        if r.error:
            print(f"not graded: {r.student} ({r.chapter}): {r.error}")
    print(f"grades: {out / 'grades.csv'}, summary: {out / 'summary.csv'}, feedback: {out / 'feedback'}/")
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("grade", help="grade a folder of submissions safely (see autograder/README.md)")
    parser.add_argument("submissions", help="folder of <student>.ipynb files or <student>/<chapter>/*.ipynb")
    parser.add_argument("--chapter", action="append", help="grade only this chapter (repeatable; default: all)")
    parser.add_argument("--out", default="grades", help="output folder (default: grades)")
    parser.add_argument("--overwrite", action="store_true", help="replace the grades in an existing output folder")
    parser.add_argument("--jobs", type=int, default=None, help="notebooks graded at once (default: CPU count)")
    parser.add_argument("--cell-seconds", type=float, default=60.0, help="wall-time limit per cell (default: 60)")
    parser.add_argument("--notebook-seconds", type=float, default=300.0, help="wall and CPU limit per notebook (default: 300)")
    parser.add_argument("--memory-gb", type=float, default=6.0, help="memory limit of a kernel in GiB (default: 6)")
    parser.set_defaults(func=run_cli)
