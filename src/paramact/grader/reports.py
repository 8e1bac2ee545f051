"""What ``paramact grade`` writes: ``grades.csv``, ``summary.csv`` and a feedback page per student.

Everything here is built from the grader's results; a student's data (a name, an answer) is text to be
shown, never markup or a formula. Each file is written to a temporary name beside it and then renamed,
so a run that fails leaves an earlier ``grades.csv`` whole; every student and chapter gets a feedback
path of its own, also when two names differ only in characters a file name cannot hold.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import statistics
import tempfile
from pathlib import Path

from paramact.grader.grading import StudentResult
from paramact.grader.key import ChapterKey
from paramact.grader.notebook import source_of, visible_part

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: object) -> str:
    """A CSV field that no spreadsheet runs as a formula and any UTF-8 writer accepts.

    Examples:
        >>> cell("=HYPERLINK(\\"http://x\\")")
        '\\'=HYPERLINK("http://x")'
        >>> cell("a\\udcff")
        'a\\\\udcff'
    """
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()


def grades_rows(results: list[StudentResult]) -> list[list]:
    """One row per student and chapter: total, maximum, each exercise, status, reasons and flags."""
    exercise_ids = sorted({e.grade_id for r in results for e in r.exercises})
    rows = [
        ["student", "chapter", "score", "max_score", *exercise_ids, "status", "reasons", "flags"]
    ]
    for r in results:
        points = {e.grade_id: e.points for e in r.exercises}
        reasons = (
            [r.error]
            if r.error
            else [*r.notes, *(f"{e.grade_id}: {e.reason}" for e in r.exercises if e.reason)]
        )
        rows.append(
            [
                r.student,
                r.chapter,
                f"{r.score:g}",
                f"{r.max_score:g}",
                *(f"{points[i]:g}" if i in points else "" for i in exercise_ids),
                "not graded" if r.error else "graded",
                " | ".join(reasons),
                " | ".join(r.flags),
            ]
        )
    return rows


def summary_rows(results: list[StudentResult]) -> list[dict]:
    """Per chapter and exercise: submissions, mean points, how many earned full points."""
    rows = []
    for chapter in sorted({r.chapter for r in results if r.exercises}):
        graded = [r for r in results if r.chapter == chapter]
        totals = [r.score for r in graded]
        rows.append(
            {
                "chapter": chapter,
                "exercise": "(total)",
                "submissions": len(graded),
                "mean": statistics.fmean(totals),
                "median": statistics.median(totals),
                "full": sum(r.score == r.max_score and r.max_score > 0 for r in graded),
                "not_graded": sum(r.error is not None for r in graded),
            }
        )
        for grade_id in sorted({e.grade_id for r in graded for e in r.exercises}):
            earned = [e for r in graded for e in r.exercises if e.grade_id == grade_id]
            rows.append(
                {
                    "chapter": chapter,
                    "exercise": grade_id,
                    "submissions": len(earned),
                    "mean": statistics.fmean(e.points for e in earned),
                    "median": statistics.median(e.points for e in earned),
                    "full": sum(e.points == e.max_points for e in earned),
                    "not_graded": "",
                }
            )
    return rows


def feedback_html(result: StudentResult, key: ChapterKey | None) -> str:
    """A student's feedback: scores, the grader's reasons, their answers and the *visible* tests only."""
    esc = html.escape
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>{esc(cell(result.chapter))}: {esc(cell(result.student))}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}pre{background:#f6f6f6;padding:.6em;"
        "overflow-x:auto}td,th{padding:.2em .8em;text-align:left}.ok{color:#176117}.no{color:#a11}</style>",
        f"<h1>{esc(result.chapter)}</h1><p>Student: <b>{esc(cell(result.student))}</b>. "
        f"Score: <b>{result.score:g} / {result.max_score:g}</b></p>",
    ]
    if result.error:
        parts.append(f"<p class='no'>Not graded: {esc(cell(result.error))}</p>")
    parts += [f"<p>Note: {esc(cell(note))}</p>" for note in result.notes]
    parts.append("<table><tr><th>exercise</th><th>points</th><th>result</th></tr>")
    for e in result.exercises:
        status = e.reason or "passed"
        parts.append(
            f"<tr><td>{esc(e.grade_id)}</td><td>{e.points:g} / {e.max_points:g}</td>"
            f"<td class='{'ok' if e.points == e.max_points else 'no'}'>{esc(cell(status))}</td></tr>"
        )
    parts.append("</table>")
    if key is not None and not result.error:
        release = {c["id"]: source_of(c) for c in key.release["cells"]}
        for exercise in key.exercises:
            parts.append(f"<h2>{esc(exercise.grade_id)}</h2>")
            for answer in exercise.answer_ids:
                parts.append(
                    f"<h3>Your answer ({esc(answer)})</h3><pre>{esc(cell(result.answers.get(answer, '')))}</pre>"
                )
            visible = visible_part(release[exercise.grade_id]).rstrip()
            parts.append(
                f"<h3>Visible tests</h3><pre>{esc(visible)}</pre><p><i>Hidden tests are not shown.</i></p>"
            )
    return "\n".join(parts)


def feedback_path(out: Path, result: StudentResult) -> Path:
    """``feedback/<student>/<chapter>.html``, the folder named so that no two students share one."""
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in result.student
    ).lstrip(".")
    if safe != result.student or not safe:
        safe = f"{safe or 'student'}-{hashlib.sha256(result.student.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    chapter = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in result.chapter
    )
    return out / "feedback" / safe / f"{chapter or 'unknown'}.html"


def write_outputs(results: list[StudentResult], keys: dict[str, ChapterKey], out: Path) -> None:
    """Feedback first, then the summary, then ``grades.csv``: each file replaced whole or not at all."""
    for result in results:
        _write_atomically(
            feedback_path(out, result), feedback_html(result, keys.get(result.chapter))
        )
    summary = summary_rows(results)
    fields = ["chapter", "exercise", "submissions", "mean", "median", "full", "not_graded"]
    _write_atomically(
        out / "summary.csv", _csv([fields, *([row[f] for f in fields] for row in summary)])
    )
    _write_atomically(out / "grades.csv", _csv(grades_rows(results)))


def format_summary(results: list[StudentResult]) -> str:
    lines = [f"{'chapter':16s} {'exercise':14s} {'n':>4s} {'mean':>6s} {'median':>6s} {'full':>5s}"]
    for row in summary_rows(results):
        lines.append(
            f"{row['chapter']:16s} {row['exercise']:14s} {row['submissions']:4d} {row['mean']:6.2f} "
            f"{row['median']:6.2f} {row['full']:5d}"
        )
    return "\n".join(lines)
