"""``paramact grade`` against hostile and broken submissions of Chapter 1.

The catalogue is in ``hostile_submissions.py``: each submission is the student release with some answer
cells replaced by the master's answer (honest) or by an attack. The whole catalogue is graded in one
batch, with small limits, against a copy of the course (so an attack aimed at the master cannot touch
the repository). Each submission must get exactly the points expected, never more than its honest
answers earn, with reasons that name the problem; the batch must complete; nothing submitted may be
modified; and the feedback must never show hidden tests or the master's solutions.

The sandbox (``paramact.course.sandbox``) is also attacked directly, without the scan in front of it.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import resource
import shutil
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import paramact
from conftest import once_per_session
from hostile_submissions import CHAPTER, MASTER, NOTEBOOK, POINTS, ROOT, Case, cases, honest
from paramact.course import scan
from paramact.course.grading import (HIDDEN_MARKER, ChapterKey, StudentResult, _compare_records, grade_batch, rebuild,
                                     score, write_outputs)
from paramact.course.sandbox import CellRun, Execution, Limits, execute
from paramact.course.testing import ReferenceUsed, without_reference

TMP = Path(tempfile.gettempdir()).resolve()

LIMITS = Limits(cell_seconds=3, notebook_seconds=60, cpu_seconds=60)
STUDENTS = [case.student for case in cases(Path("/course"))]
# Submissions graded a second time, to check that grading is repeatable.
REPEATED = ("honest", "mixed", "two_notebooks", "bad_json", "slides", "nbformat3", "utf16")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def rows(path: Path) -> dict[str, dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@dataclass
class Batch:
    course: Path
    folder: Path
    out: Path
    cases: dict[str, Case]
    results: dict[str, StudentResult]
    keys: dict[str, ChapterKey]
    files: dict[str, list[Path]]  # student -> the files of the submission
    before: dict[str, str]
    master_before: str
    seconds: float


def grade_catalogue(base: Path) -> Batch:
    """Copy the course's Chapter 1 (master and release) under ``base``, write the catalogue, grade it."""
    course, folder, out = base / "course", base / "submissions", base / "grades"
    for name in ("solutions", "chapters"):
        shutil.copytree(ROOT / name / CHAPTER, course / name / CHAPTER)
    shutil.copy(ROOT / "_toc.yml", course / "_toc.yml")
    catalogue = {case.student: case for case in cases(course)}
    files = {student: case.write(folder) for student, case in catalogue.items()}
    before, master_before = digests(folder), digest(course / "solutions" / CHAPTER / NOTEBOOK)
    started = time.monotonic()
    results, keys = grade_batch(course, folder, [CHAPTER], LIMITS, jobs=2, progress=False)
    seconds = time.monotonic() - started
    write_outputs(results, keys, out)
    return Batch(course, folder, out, catalogue, {r.student: r for r in results}, keys, files, before, master_before,
                 seconds)


@pytest.fixture(scope="module")
def batch(request, tmp_path_factory) -> Batch:
    """The whole catalogue, graded once per test session."""
    return once_per_session(request, tmp_path_factory, "hostile", grade_catalogue)


def reason_text(result: StudentResult, where: str) -> str:
    if where == "notes":
        return " | ".join(result.notes)
    if where == "error":
        return result.error or ""
    return next(e.reason for e in result.exercises if e.grade_id == where)


def names_problem(text: str, expected: str) -> bool:
    return any(alternative.lower() in text.lower() for alternative in expected.split("|"))


# ------------------------------------------------------------------------------------- the catalogue


def test_catalogue_has_many_distinct_attacks():
    catalogue = cases(Path("/course"))
    assert len({case.kind for case in catalogue}) == len(catalogue) >= 15
    assert len(set(STUDENTS)) == len(STUDENTS)
    assert all(case.honest <= {"step_impl", "gates_impl", "train_impl", "xor_impl"} for case in catalogue)


@pytest.mark.parametrize("student", STUDENTS)
def test_points_and_reasons(batch, student):
    case, result = batch.cases[student], batch.results[student]
    reasons = {e.grade_id: e.reason for e in result.exercises}
    context = f"{case.kind}: notes {result.notes}, error {result.error}, reasons {reasons}"
    if case.points is None:
        assert result.error, f"{student} should not be graded: {context}"
        assert result.score == 0
    else:
        assert result.error is None, context
        earned = {e.grade_id: e.points for e in result.exercises}
        assert earned == case.points, context
        assert all(earned[g] <= case.bound[g] for g in POINTS), f"more than the honest answers earn: {context}"
        assert result.max_score == sum(POINTS.values())
        for grade_id, points in earned.items():  # every exercise not passed says why
            assert points == POINTS[grade_id] or reasons[grade_id], f"{grade_id} has no reason: {context}"
    for where, expected in case.reasons.items():
        assert names_problem(reason_text(result, where), expected), f"{where} should say {expected!r}: {context}"


def test_honest_full_mixed_and_release(batch):
    assert batch.results["honest"].score == batch.results["honest"].max_score == 10
    assert batch.results["release"].score == 0
    mixed = batch.results["mixed"]
    assert mixed.score == POINTS["step_tests"] + POINTS["gates_tests"]  # exactly the honest exercises


def test_batch_completes_with_one_row_per_submission(batch):
    graded = rows(batch.out / "grades.csv")
    assert set(graded) == set(STUDENTS)
    for student, row in graded.items():
        case = batch.cases[student]
        assert float(row["score"]) == sum((case.points or {}).values())
        if case.points is None:
            assert row["status"] == "not graded" and names_problem(row["reasons"], case.reasons["error"]), row
        else:
            assert row["status"] == "graded" and float(row["max_score"]) == 10, row
    summary = list(csv.DictReader((batch.out / "summary.csv").open(encoding="utf-8")))
    assert {row["exercise"] for row in summary} == {"(total)", *POINTS}


def test_hangs_do_not_hold_up_the_batch(batch):
    # Three hangs at 3 s each (one ignoring the interrupt), a crash, ~30 notebooks on two workers:
    # about a minute; generous for slow machines.
    assert batch.seconds < 240, f"the batch took {batch.seconds:.0f} s"


def test_nothing_submitted_or_owned_by_the_grader_is_modified(batch):
    assert digests(batch.folder) == batch.before, "grading modified a submitted file"
    assert digest(batch.course / "solutions" / CHAPTER / NOTEBOOK) == batch.master_before
    assert json.loads(MASTER.read_text(encoding="utf-8"))["cells"], "the repository's master was damaged"
    assert not (batch.course / "grades.csv").exists() and not (ROOT / "grades.csv").exists()


def test_grading_is_repeatable(batch, tmp_path):
    folder = tmp_path / "again"
    for student in REPEATED:
        batch.cases[student].write(folder)
    results, keys = grade_batch(batch.course, folder, [CHAPTER], LIMITS, jobs=2, progress=False)
    write_outputs(results, keys, tmp_path / "out")
    again, first = rows(tmp_path / "out" / "grades.csv"), rows(batch.out / "grades.csv")
    assert again == {student: first[student] for student in REPEATED}
    write_outputs(results, keys, tmp_path / "out2")
    assert (tmp_path / "out" / "grades.csv").read_bytes() == (tmp_path / "out2" / "grades.csv").read_bytes()


# --------------------------------------------------------------------------------------- feedback


def master_lines(kind: str) -> set[str]:
    """Lines of the master's hidden tests (``"hidden"``) or solutions (``"solution"``), long enough to be telling."""
    lines = set()
    for cell in json.loads(MASTER.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        grading = cell["metadata"].get("nbgrader", {})
        if kind == "hidden" and grading.get("grade") and HIDDEN_MARKER in source:
            lines.update(source.split(HIDDEN_MARKER, 1)[1].splitlines())
        elif kind == "solution" and grading.get("solution"):
            for block in source.split("### BEGIN SOLUTION")[1:]:
                lines.update(block.split("### END SOLUTION")[0].splitlines())
    return {line.strip() for line in lines if len(line.strip()) >= 16}


def test_feedback_never_shows_hidden_tests_or_unsubmitted_solutions(batch):
    hidden, solutions = master_lines("hidden"), master_lines("solution")
    assert hidden and solutions
    pages = sorted((batch.out / "feedback").rglob("*.html"))
    assert len(pages) == len(STUDENTS)
    for page in pages:
        text = html.unescape(page.read_text(encoding="utf-8"))
        submitted = b"".join(p.read_bytes() for p in batch.files[page.parent.name])

        def shown(lines):  # lines of the page that the student's own files do not hold
            return [line for line in lines if line in text and json.dumps(line)[1:-1].encode() not in submitted]

        assert "BEGIN HIDDEN TESTS" not in text, page
        assert not shown(hidden), f"{page} shows hidden tests: {shown(hidden)}"
        assert not shown(solutions), f"{page} shows master solutions the student did not submit: {shown(solutions)}"


def test_error_messages_that_quote_hidden_tests_are_not_shown(batch):
    """Even where an answer obtains the running cell's source, its quote does not reach the feedback."""
    key = batch.keys[CHAPTER]
    rebuilt, _, _ = rebuild(key, json.loads(json.dumps(key.release)))
    hidden_line = sorted(master_lines("hidden"))[0]
    cells = [CellRun(ran=True) for _ in rebuilt["cells"]]
    for index, cell in enumerate(rebuilt["cells"]):
        if cell.get("id") == "xor_tests":
            cells[index] = CellRun(ran=True, error=f"ValueError: {HIDDEN_MARKER} | {hidden_line}")
    reasons = {e.grade_id: e.reason for e in score(key, rebuilt, Execution(cells), {})}
    assert hidden_line not in reasons["xor_tests"] and "HIDDEN" not in reasons["xor_tests"]
    assert "ValueError" in reasons["xor_tests"]


# ------------------------------------------------------------------------------ records and scoring


def test_extra_forged_records_make_the_count_mismatch(batch):
    expected = batch.keys[CHAPTER].expected["xor_tests"]
    forged = [{"label": "forged", "rtol": 1.0, "atol": 1.0, "value": {"type": "none"}}]
    assert _compare_records(expected, expected) == ""
    assert "recorded 3 values where the master records 2" in _compare_records(expected, expected + forged)
    assert "recorded 1 values" in _compare_records(expected, expected[:1])
    assert _compare_records(expected, [{**expected[0], "value": {"type": "array", "dtype": "|O", "shape": [4],
                                                                   "data": ""}}, expected[1]])


# -------------------------------------------------------------------------------- the scan, directly


@pytest.mark.parametrize("source, named", [
    ("np.array_equal = lambda *a, **k: True", "assigns to np.array_equal"),
    ("import numpy\nnumpy.allclose = max", "assigns to numpy.allclose"),
    ("from numpy import testing as t\nt.assert_allclose = print", "assigns to t.assert_allclose"),
    ("import os\nos._exit(1)", "imports os"),
    ("__import__('paramact')", "uses __import__"),
    ("import pkgutil", "imports pkgutil"),
    ("import linecache", "imports linecache"),
    ("import timeit\ntimeit.timeit('1')", "imports timeit"),
    ("x = plt.importlib.import_module('paramact')", "uses .importlib"),
    ("x = np.testing.os", "uses .os"),
    ("f = (lambda: 0)\ng = f.gi_frame.f_back.f_globals", "uses .f_back"),
    ("key = '__globals__'", "'__globals__'"),
    ("def f(x: \"open('/etc/passwd')\"):\n    pass", "uses open"),
    ("print(In[-1])", "uses In"),
    ("print(_ih)", "uses _ih"),
    ("from numpy.lib.npyio import DataSource", "imports numpy.lib"),
    ("from numpy import load", "imports numpy.load"),
    ("def record(label, value):\n    pass", "record"),
    ("class without_reference:\n    pass", "without_reference"),
])
def test_scan_names_the_construct(source, named):
    problems = scan.problems(source, imported_modules={"sys", "record", "without_reference"})
    assert any(named in problem for problem in problems), problems


@pytest.mark.parametrize("answer", ["step_impl", "gates_impl", "train_impl", "xor_impl"])
def test_scan_accepts_the_honest_answers(answer):
    assert scan.problems(honest(answer), imported_modules={"sys", "record", "without_reference"}) == []


def test_scan_accepts_ordinary_code():
    source = ("from functools import reduce\nimport math\nfrom collections import defaultdict\n"
              "def f(x: np.ndarray, label: str = 'step(u) with __ in text is fine') -> float:\n"
              "    for _ in range(3):\n        x = x.copy()\n    return math.fsum(x) + reduce(max, [1, 2])\n")
    assert scan.problems(source) == []


# --------------------------------------------------------------------- without_reference, in-process


def test_without_reference_refuses_the_reference_however_it_is_held():
    import paramact.activations

    reference = paramact.activations.step
    held = [reference]

    def by_default(u, _ref=reference):
        return _ref(u)

    def make_closure():
        def by_closure(u):
            return reference(u)
        return by_closure

    def in_container(u):
        return held[0](u)

    for func in (reference, by_default, make_closure(), in_container):
        with pytest.raises(ReferenceUsed):
            without_reference(func)(1.0)

    def own(u):
        return float(u > 0)

    assert without_reference(own)(2.0) == 1.0


# ------------------------------------------------------------------------- the sandbox, directly


def notebook(*sources: str) -> dict:
    return {"cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": s, "outputs": [],
                       "execution_count": None} for i, s in enumerate(sources)],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def printed(run: CellRun) -> str:
    return "".join(o.get("text", "") for o in run.outputs if o.get("output_type") == "stream")


@pytest.fixture(scope="module")
def isolation() -> str:
    run = execute(notebook("import os\nprint(os.environ['PARAMACT_SANDBOX_ISOLATION'])"), LIMITS)
    return printed(run.cells[0]).strip()


@pytest.fixture
def isolated(isolation):
    if not isolation.startswith("network off"):
        pytest.skip(f"no sandbox on this machine: {isolation}")


PROBE = '''
import json, os, socket, signal
found = {{}}
def attempt(name, action):
    try:
        action()
        found[name] = "succeeded"
    except Exception as error:
        found[name] = f"{{type(error).__name__}}: {{error}}"

attempt("write_victim", lambda: open({victim!r}, "w").write("hacked"))
attempt("write_tmp_outside", lambda: open({outside!r}, "w").write("hacked"))
attempt("read_decoy", lambda: open({decoy!r}).read())
attempt("read_master", lambda: open({master!r}).read())
attempt("list_submissions", lambda: os.listdir({submissions!r}))
attempt("connect_host", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2))
attempt("signal_grader", lambda: os.kill({grader}, 0))
attempt("write_dev_shm", lambda: open("/dev/shm/paramact-hostile-{token}", "w").write("x"))
found["proc_sys_writable"] = os.access("/proc/sys/kernel/hostname", os.W_OK)
found["sys_writable"] = os.access("/sys/kernel", os.W_OK)
found["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
found["tmp"] = sorted(os.listdir({tmp!r}))
found["work_writable"] = open("mine.txt", "w").write("ok") == 2
print(json.dumps(found))
'''


def test_sandbox_blocks_files_network_signals_and_other_kernels(isolated, tmp_path):
    victim, master = tmp_path / "grades.csv", tmp_path / "solutions" / NOTEBOOK
    victim.write_text("student,score\n")
    master.parent.mkdir()
    shutil.copy(MASTER, master)
    decoy = Path(tempfile.gettempdir()) / f"paramact-hostile-decoy-{os.getpid()}"
    decoy.write_text("another kernel's connection file")
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    token = f"{os.getpid()}-{time.time_ns()}"
    try:
        source = PROBE.format(victim=str(victim), outside=str(tmp_path / "new.txt"), decoy=str(decoy),
                              master=str(master), submissions=str(tmp_path),
                              port=server.getsockname()[1], grader=os.getpid(), token=token, tmp=tempfile.gettempdir())
        run = execute(notebook(source), LIMITS)
    finally:
        server.close()
        decoy.unlink()
        shm = Path(f"/dev/shm/paramact-hostile-{token}")
        shm_written = shm.exists()
        shm.unlink(missing_ok=True)
    assert run.cells[0].error is None, run.cells[0]
    found = json.loads(printed(run.cells[0]))
    for action in ("write_victim", "write_tmp_outside", "read_decoy", "read_master", "list_submissions",
                   "connect_host", "signal_grader", "write_dev_shm"):
        assert found[action] != "succeeded", f"the sandbox allowed {action}: {found}"
    assert victim.read_text() == "student,score\n" and not (tmp_path / "new.txt").exists()
    assert not accepted and not shm_written
    assert not found["proc_sys_writable"] and not found["sys_writable"], found
    assert os.getpid() not in found["processes"] and len(found["processes"]) < 20, found["processes"]
    # In /tmp the kernel sees its own scratch folder and, where the course itself was cloned under /tmp
    # (as CI may do), the path down to the interpreter's files; read_master above proves the rest hidden.
    interpreter_paths = {Path(p).resolve() for p in (sys.prefix, paramact.__file__)}
    exposed = {p.relative_to(TMP).parts[0] for p in interpreter_paths if p.is_relative_to(TMP)}
    assert all(name.startswith("paramact-sandbox-") or name in exposed for name in found["tmp"]), found["tmp"]
    assert found["work_writable"]


def test_sandbox_kernel_that_exits_keeps_completed_cells(isolation):
    run = execute(notebook("print('before')", "import os\nos._exit(1)", "print('after')"), LIMITS)
    assert printed(run.cells[0]) == "before\n" and run.cells[0].error is None
    assert run.cells[1].error and "died" in run.cells[1].error
    assert not run.cells[2].ran
    assert "kernel died" in run.stopped


def test_sandbox_output_flood_does_not_exhaust_the_grader(isolation):
    """450 MB printed in 15 MB pieces, then one 100 MB print: the grader must hold a bounded part of it."""
    flood = "piece = 'x' * 15_000_000\nfor _ in range(30):\n    print(piece, flush=True)\nprint('y' * 100_000_000)\n"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    run = execute(notebook("print('before')", flood), Limits(cell_seconds=60, notebook_seconds=120, cpu_seconds=60))
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 - before
    assert printed(run.cells[0]) == "before\n" and run.cells[1].ran and not run.stopped
    assert sum(len(o.get("text", "")) for o in run.cells[1].outputs) <= 32 * 2**20
    assert grown < 500, f"the grader grew by {grown} MB"


def test_sandbox_cpu_limit_ends_a_kernel_that_ignores_interrupts(isolation):
    spin = "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n"
    run = execute(notebook("print('before')", spin), Limits(cell_seconds=30, notebook_seconds=60, cpu_seconds=2))
    assert printed(run.cells[0]) == "before\n"
    assert "kernel died" in run.stopped
