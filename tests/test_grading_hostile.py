"""``paramact grade`` against hostile and broken submissions of Chapter 1, with the kernel assumed compromised.

The catalogue is in ``hostile_submissions.py``: each submission is the student release with some answer
cells replaced by the master's answer (honest) or by an attack, in four classes: a kernel that reaches the
full interpreter, hidden tests leaking out, a sandbox with open doors, a fragile batch. The whole
catalogue is graded in one batch, with small limits, against a copy of the course. For every submission:

- it earns exactly the points expected, never more than its honest answers earn;
- the batch completes with a row for it;
- its feedback shows nothing from outside the sandbox and nothing from the hidden tests;
- the limits held for its kernel's whole process tree, as measured by the cgroups.

The jail (``paramact.grader.jail``) is also attacked directly, without a grader in front of it.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import once_per_session
from hostile_submissions import CHAPTER, MASTER, NOTEBOOK, POINTS, ROOT, Case, cases

from paramact.grader import reports
from paramact.grader.batch import grade_batch
from paramact.grader.grading import StudentResult
from paramact.grader.jail import capabilities
from paramact.grader.key import ChapterKey
from paramact.grader.notebook import HIDDEN_BEGIN, hidden_part
from paramact.grader.reports import write_outputs
from paramact.grader.sandbox import CellRun, Limits, execute
from paramact.grader.scoring import compare_records

LIMITS = Limits(
    cell_seconds=3,
    notebook_seconds=60,
    cpu_seconds=60,
    memory_bytes=2**30,
    processes=32,
    disk_bytes=128 * 2**20,
)
SECRET = "grader-secret-4f1d"  # in the grader's environment; no kernel may see it
NAMES = [case.name for case in cases(Path("/course"))]
# Submissions graded a second time, to check that grading is repeatable.
REPEATED = ("honest", "mixed", "two_notebooks", "bad_json", "slides", "nbformat3", "utf16")
JAILED = capabilities()["bwrap"] is not None
LIMITED = capabilities()["cgroups"] is not None


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def rows(path: Path) -> dict[str, dict]:
    """grades.csv by student, with the formula guard taken off the names."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["student"][1:] if row["student"].startswith("'=") else row["student"]: row
            for row in csv.DictReader(handle)
        }


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


def copy_course(base: Path) -> Path:
    course = base / "course"
    for name in ("solutions", "chapters"):
        shutil.copytree(ROOT / name / CHAPTER, course / name / CHAPTER)
    shutil.copy(ROOT / "_toc.yml", course / "_toc.yml")
    return course


def grade_catalogue(base: Path) -> Batch:
    """Copy the course's Chapter 1 (master and release) under ``base``, write the catalogue, grade it."""
    course, folder, out = copy_course(base), base / "submissions", base / "grades"
    folder.mkdir()
    catalogue = {case.name: case for case in cases(course)}
    files = {name: case.write(folder) for name, case in catalogue.items()}
    before, master_before = digests(folder), digest(course / "solutions" / CHAPTER / NOTEBOOK)
    os.environ["PARAMACT_HOSTILE_SECRET"] = SECRET
    started = time.monotonic()
    try:
        results, keys = grade_batch(course, folder, [CHAPTER], LIMITS, jobs=2, progress=False)
    finally:
        del os.environ["PARAMACT_HOSTILE_SECRET"]
    seconds = time.monotonic() - started
    write_outputs(results, keys, out)
    return Batch(
        course,
        folder,
        out,
        catalogue,
        {r.student: r for r in results},
        keys,
        files,
        before,
        master_before,
        seconds,
    )


@pytest.fixture(scope="module")
def batch(request, tmp_path_factory) -> Batch:
    """The whole catalogue, graded once per test session."""
    return once_per_session(request, tmp_path_factory, "hostile", grade_catalogue)


def reason_text(result: StudentResult, where: str) -> str:
    if where == "notes":
        return " | ".join(result.notes)
    if where == "error":
        return result.error or ""
    if where == "flags":
        return " | ".join(result.flags)
    return next(e.reason for e in result.exercises if e.grade_id == where)


def names_problem(text: str, expected: str) -> bool:
    return any(alternative.lower() in text.lower() for alternative in expected.split("|"))


# ------------------------------------------------------------------------------------- the catalogue


def test_catalogue_covers_every_class_of_attack():
    catalogue = {case.student: case for case in cases(Path("/course"))}
    assert len({case.kind for case in catalogue.values()}) == len(catalogue) >= 40
    assert len(set(NAMES)) == len(NAMES)
    classes = {
        "past the scan": {
            "ref_assembled",
            "ref_pkgutil",
            "ref_eval",
            "ref_module_attribute",
            "ref_source_file",
            "frames",
            "builtins_shadowed",
            "forged_records",
            "honest_with_flags",
        },
        "hidden tests leak": {"leak_errors", "leak_output"},
        "sandbox open": {"read_outside", "fork_limits", "fork_bomb_and_disk", "error_flood"},
        "fragile batch": {
            "link_master",
            "link_peer",
            "fifo",
            "not_utf8",
            '=HYPERLINK("evil.example")',
            "a b",
            "a_b",
            "huge_values",
        },
    }
    for kind, students in classes.items():
        assert students <= set(catalogue), f"{kind}: missing {students - set(catalogue)}"


@pytest.mark.parametrize("name", NAMES)
def test_points_reasons_and_flags(batch, name):
    case, result = batch.cases[name], batch.results[name]
    reasons = {e.grade_id: e.reason for e in result.exercises}
    context = f"{case.kind}: notes {result.notes}, error {result.error}, reasons {reasons}, flags {result.flags}"
    if case.points is None:
        assert result.error, f"{name} should not be graded: {context}"
        assert result.score == 0
    else:
        assert result.error is None, context
        earned = {e.grade_id: e.points for e in result.exercises}
        assert earned == case.points, context
        assert all(earned[g] <= case.bound[g] for g in POINTS), (
            f"more than the honest answers earn: {context}"
        )
        assert result.max_score == sum(POINTS.values())
        for grade_id, points in earned.items():  # every exercise not passed says why
            assert points == POINTS[grade_id] or reasons[grade_id], (
                f"{grade_id} has no reason: {context}"
            )
    for where, expected in case.reasons.items():
        assert names_problem(reason_text(result, where), expected), (
            f"{where} should say {expected!r}: {context}"
        )


@pytest.mark.skipif(
    not LIMITED, reason="no writable cgroups here: limits are per process (autograder/README.md)"
)
@pytest.mark.parametrize(
    "name",
    [
        name
        for name in NAMES
        if name
        not in (
            "bad_json",
            "slides",
            "utf16",
            "nbformat3",
            "two_notebooks",
            "link_master",
            "link_peer",
            "fifo",
        )
    ],
)
def test_limits_held_for_the_whole_process_tree(batch, name):
    usage = batch.results[name].usage
    assert usage.get("memory_peak", 0) <= LIMITS.memory_bytes, usage
    assert usage.get("processes_peak", 0) <= LIMITS.processes, usage
    # CPU: at most `cpus` cores at once, whatever the number of processes (0.5 s for the cgroup's accounting).
    assert usage.get("cpu_seconds", 0) <= LIMITS.cpus * usage["wall_seconds"] * 1.05 + 0.5, usage


@pytest.mark.skipif(not LIMITED, reason="no writable cgroups here")
def test_the_process_tree_attacks_reached_their_limits(batch):
    """The attacks really pushed: the fork bomb met the process limit, the forked memory met the memory limit."""
    assert batch.results["fork_bomb_and_disk"].usage["processes_peak"] == LIMITS.processes
    assert batch.results["fork_limits"].usage["memory_peak"] >= 0.5 * LIMITS.memory_bytes


def test_honest_full_mixed_and_release(batch):
    assert batch.results["honest"].score == batch.results["honest"].max_score == 10
    assert batch.results["release"].score == 0
    assert batch.results["mixed"].score == POINTS["step_tests"] + POINTS["gates_tests"]


def test_batch_completes_with_one_row_per_submission(batch):
    graded = rows(batch.out / "grades.csv")
    assert set(graded) == set(NAMES)
    for name, row in graded.items():
        case = batch.cases[name]
        assert float(row["score"]) == sum((case.points or {}).values())
        if case.points is None:
            assert row["status"] == "not graded" and names_problem(
                row["reasons"], case.reasons["error"]
            ), row
        else:
            assert row["status"] == "graded" and float(row["max_score"]) == 10, row
    summary = list(csv.DictReader((batch.out / "summary.csv").open(encoding="utf-8")))
    assert {row["exercise"] for row in summary} == {"(total)", *POINTS}


def test_csv_neutralises_formulas_and_survives_any_name(batch):
    with (batch.out / "grades.csv").open(newline="", encoding="utf-8") as handle:
        students = [row[0] for row in csv.reader(handle)]
    assert '\'=HYPERLINK("evil.example")' in students and not [
        s for s in students if s.startswith("=")
    ]
    assert "caf\\xe9-\\xff" in students
    assert "'" + "=HYPERLINK" in reports.cell('=HYPERLINK("x")')


def test_every_student_has_a_feedback_page_of_their_own(batch):
    pages = sorted((batch.out / "feedback").rglob("*.html"))
    assert len(pages) == len(NAMES) == len({page.parent for page in pages})
    for name in ("a b", "a_b"):
        page = reports.feedback_path(batch.out, batch.results[name])
        assert f"Student: <b>{name}</b>" in page.read_text(encoding="utf-8")


def test_hangs_and_floods_do_not_hold_up_the_batch(batch):
    assert batch.seconds < 240, f"the batch took {batch.seconds:.0f} s"


def test_nothing_submitted_or_owned_by_the_grader_is_modified(batch):
    assert digests(batch.folder) == batch.before, "grading modified a submitted file"
    assert digest(batch.course / "solutions" / CHAPTER / NOTEBOOK) == batch.master_before
    assert json.loads(MASTER.read_text(encoding="utf-8"))["cells"], (
        "the repository's master was damaged"
    )
    assert not (batch.course / "grades.csv").exists() and not (ROOT / "grades.csv").exists()


def test_grading_is_repeatable(batch, tmp_path):
    folder = tmp_path / "again"
    for name in REPEATED:
        batch.cases[name].write(folder)
    results, keys = grade_batch(batch.course, folder, [CHAPTER], LIMITS, jobs=2, progress=False)
    write_outputs(results, keys, tmp_path / "out")
    again, first = rows(tmp_path / "out" / "grades.csv"), rows(batch.out / "grades.csv")
    assert again == {name: first[name] for name in REPEATED}
    write_outputs(results, keys, tmp_path / "out2")
    assert (tmp_path / "out" / "grades.csv").read_bytes() == (
        tmp_path / "out2" / "grades.csv"
    ).read_bytes()


# --------------------------------------------------------------------------------------- feedback


def master_lines(kind: str) -> set[str]:
    """Lines of the master's hidden tests (``"hidden"``) or solutions (``"solution"``), long enough to be telling."""
    lines = set()
    for cell in json.loads(MASTER.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        grading = cell["metadata"].get("nbgrader", {})
        if kind == "hidden" and grading.get("grade"):
            lines.update(hidden_part(source).splitlines())
        elif kind == "solution" and grading.get("solution"):
            for block in source.split("### BEGIN SOLUTION")[1:]:
                lines.update(block.split("### END SOLUTION")[0].splitlines())
    return {line.strip() for line in lines if len(line.strip()) >= 16}


def test_feedback_never_shows_hidden_tests_outside_files_or_secrets(batch):
    hidden, solutions = master_lines("hidden"), master_lines("solution")
    assert hidden and solutions
    for name in batch.cases:
        page = reports.feedback_path(batch.out, batch.results[name])
        text = html.unescape(page.read_text(encoding="utf-8"))
        submitted = b"".join(
            p.read_bytes()
            for p in batch.files[name]
            if p.is_file() and not p.is_symlink() and not str(p).endswith("fifo.ipynb")
        )

        def shown(
            lines, text=text, submitted=submitted
        ):  # lines of the page that the student's own files do not hold
            return [
                line
                for line in lines
                if line in text and json.dumps(line)[1:-1].encode() not in submitted
            ]

        assert HIDDEN_BEGIN not in text and SECRET not in text, page
        assert not shown(hidden), f"{page} shows hidden tests: {shown(hidden)}"
        assert not shown(solutions), (
            f"{page} shows master solutions the student did not submit: {shown(solutions)}"
        )
    assert SECRET not in (batch.out / "grades.csv").read_text(encoding="utf-8")


def test_labels_shown_are_the_masters_not_the_kernels(batch):
    expected = batch.keys[CHAPTER].expected["xor_tests"]
    forged = [{**record, "label": "a label a kernel chose"} for record in expected]
    assert compare_records(expected, expected) == ""
    assert "kernel chose" not in compare_records(expected, forged)
    assert "forged" in compare_records(expected, expected + expected[:1])
    assert "not recorded" in compare_records(expected, expected[:1])
    raised = [{**expected[0], "value": {"type": "raised", "of": "MadeUpErrorWithAHiddenLine"}}]
    assert "raised an exception" in compare_records(expected, raised)


# ----------------------------------------------------------------------------- the batch, end to end


def test_a_failed_run_leaves_the_earlier_grades_whole(batch, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(batch.out, out)
    before = (out / "grades.csv").read_bytes()
    command = [
        sys.executable,
        "-m",
        "paramact.cli",
        "grade",
        str(batch.folder),
        "--chapter",
        "no_such_chapter",
        "--out",
        str(out),
        "--overwrite",
    ]
    finished = subprocess.run(command, cwd=batch.course, capture_output=True, text=True)
    assert finished.returncode == 2 and "unknown chapter" in finished.stderr
    assert (out / "grades.csv").read_bytes() == before

    class Broken(Exception):
        pass

    def fail(*args):
        raise Broken

    original = reports.grades_rows
    reports.grades_rows = fail
    try:
        with pytest.raises(Broken):
            write_outputs(list(batch.results.values()), batch.keys, out)
    finally:
        reports.grades_rows = original
    assert (out / "grades.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def _parents() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    return found


def _descendants(root: int) -> set[int]:
    parents, found = _parents(), {root}
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return found - {root}
        found |= more


def _stat(pid: int) -> list[str]:
    """Fields 3 onwards of /proc/<pid>/stat (state first), or [] when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _identities(pids: set[int]) -> set[tuple[int, str]]:
    """(pid, start time) of each living process: a pid alone may be reused by an unrelated process."""
    return {(pid, fields[19]) for pid in pids if (fields := _stat(pid)) and fields[0] != "Z"}


def _alive(pid: int, started: str) -> bool:
    fields = _stat(pid)
    return bool(fields) and fields[0] != "Z" and fields[19] == started


@pytest.mark.skipif(
    sys.platform != "linux", reason="Linux: workers die with the grader through PR_SET_PDEATHSIG"
)
def test_killing_the_grader_ends_its_workers_and_kernels(batch, tmp_path):
    folder = tmp_path / "hanging"
    for name in ("hangs", "honest"):
        batch.cases[name].write(folder)
    command = [
        sys.executable,
        "-m",
        "paramact.cli",
        "grade",
        str(folder),
        "--chapter",
        CHAPTER,
        "--out",
        str(tmp_path / "out"),
        "--jobs",
        "2",
        "--cell-seconds",
        "30",
    ]
    grader = subprocess.Popen(
        command, cwd=batch.course, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    family: set[tuple[int, str]] = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # until both students' kernels run (the master's ran first)
        time.sleep(0.5)
        family |= _identities(_descendants(grader.pid))
        kernels = [
            pid
            for pid, started in family
            if _alive(pid, started) and b"ipykernel_launcher" in _cmdline(pid)
        ]
        if len(kernels) >= 2:
            break
    assert len(kernels) >= 2, "the students' kernels did not start"
    family |= _identities(_descendants(grader.pid))
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(*member) for member in family):
        time.sleep(0.2)
    survivors = [(pid, _cmdline(pid)[:120]) for pid, started in family if _alive(pid, started)]
    assert not survivors, f"workers or kernels outlived the grader: {survivors}"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


# ------------------------------------------------------------------------------- the jail, directly


def notebook(*sources: str) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": {},
                "source": s,
                "outputs": [],
                "execution_count": None,
            }
            for i, s in enumerate(sources)
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def printed(run: CellRun) -> str:
    return "".join(o.get("text", "") for o in run.outputs if o.get("output_type") == "stream")


PROBE = """
import json, os, socket, glob
found = {{}}
def attempt(name, action):
    try:
        action()
        found[name] = "succeeded"
    except Exception as error:
        found[name] = f"{{type(error).__name__}}: {{error}}"

attempt("write_victim", lambda: open({victim!r}, "w").write("hacked"))
attempt("read_master", lambda: open({master!r}).read())
attempt("read_other_batch", lambda: open({other!r}).read())
attempt("read_exchange", lambda: os.listdir({exchange!r}))
attempt("read_reference", lambda: open({reference!r}).read())
attempt("import_reference", lambda: __import__("paramact.activations"))
attempt("connect_host", lambda: socket.create_connection(("127.0.0.1", 9), timeout=2))
attempt("signal_grader", lambda: os.kill({grader}, 0))
found["environment"] = dict(os.environ)
found["proc_environ"] = [open(p, "rb").read().decode("latin-1") for p in glob.glob("/proc/[0-9]*/environ") if os.access(p, os.R_OK)]
found["history_files"] = glob.glob(os.path.expanduser("~/.ipython/**/*.sqlite"), recursive=True)
found["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
found["root"] = sorted(os.listdir("/"))
found["work_writable"] = open("mine.txt", "w").write("ok") == 2
print(json.dumps(found))
"""


@pytest.mark.skipif(
    not JAILED, reason="bubblewrap is not usable here (autograder/README.md says what holds then)"
)
def test_jail_shows_only_the_environment_and_a_private_folder(tmp_path, monkeypatch):
    victim, master = tmp_path / "grades.csv", tmp_path / "solutions" / NOTEBOOK
    victim.write_text("student,score\n")
    master.parent.mkdir()
    shutil.copy(MASTER, master)
    other, exchange = tmp_path / "other_batch" / "alice.ipynb", tmp_path / "exchange" / "inbound"
    other.parent.mkdir()
    other.write_text("another batch")
    exchange.mkdir(parents=True)
    monkeypatch.setenv("PARAMACT_HOSTILE_SECRET", SECRET)
    source = PROBE.format(
        victim=str(victim),
        master=str(master),
        other=str(other),
        exchange=str(exchange),
        reference=str(ROOT / "src" / "paramact" / "activations.py"),
        grader=os.getpid(),
    )
    run = execute(notebook(source, "print(In[0][:10])"), LIMITS)
    assert run.cells[0].error is None, run.cells[0]
    found = json.loads(printed(run.cells[0]))
    for action in (
        "write_victim",
        "read_master",
        "read_other_batch",
        "read_exchange",
        "read_reference",
        "import_reference",
        "connect_host",
        "signal_grader",
    ):
        assert found[action] != "succeeded", f"the jail allowed {action}: {found}"
    assert victim.read_text() == "student,score\n"
    assert SECRET not in json.dumps(found["environment"]) and SECRET not in "".join(
        found["proc_environ"]
    )
    assert not found["history_files"]
    assert os.getpid() not in found["processes"] and len(found["processes"]) < 10, found[
        "processes"
    ]
    assert not {"srv", "var", "mnt", "opt"} & set(found["root"]), found["root"]
    assert found["work_writable"]


def test_a_kernel_that_exits_keeps_completed_cells():
    run = execute(notebook("print('before')", "import os\nos._exit(1)", "print('after')"), LIMITS)
    assert printed(run.cells[0]) == "before\n" and run.cells[0].error is None
    assert run.cells[1].error and "died" in run.cells[1].error
    assert not run.cells[2].ran
    assert "kernel died" in run.stopped


def test_output_and_error_floods_do_not_exhaust_the_grader():
    """450 MB printed, errors of 4 MB shown 100 times, then a 100 MB print: the grader holds a bounded part."""
    flood = (
        "piece = 'x' * 15_000_000\nfor _ in range(30):\n    print(piece, flush=True)\n"
        "for _ in range(100):\n    try:\n        raise ValueError('e' * 4_000_000)\n    except ValueError:\n"
        "        get_ipython().showtraceback()\nprint('y' * 100_000_000)\n"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    run = execute(notebook("print('before')", flood), Limits(cell_seconds=60, notebook_seconds=120))
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 - before
    assert printed(run.cells[0]) == "before\n" and run.cells[1].ran and not run.stopped
    assert sum(len(json.dumps(o)) for o in run.cells[1].outputs) <= 33 * 2**20
    assert all(len(o.get("evalue", "")) <= 2000 for o in run.cells[1].outputs)
    assert grown < 500, f"the grader grew by {grown} MB"


def test_the_cpu_limit_ends_a_kernel_that_ignores_interrupts():
    spin = "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n"
    run = execute(
        notebook("print('before')", spin),
        Limits(cell_seconds=30, notebook_seconds=60, cpu_seconds=2),
    )
    assert printed(run.cells[0]) == "before\n"
    assert "kernel died" in run.stopped


def test_without_a_jail_the_grader_warns_and_still_blocks_the_reference(monkeypatch):
    from paramact.grader import jail

    monkeypatch.setattr(jail, "capabilities", lambda: {"bwrap": None, "cgroups": None})
    messages = jail.warnings()
    assert any("bubblewrap" in m for m in messages) and any("cgroups" in m for m in messages)
    monkeypatch.setenv("PARAMACT_HOSTILE_SECRET", SECRET)
    run = execute(notebook("import paramact", "import os\nprint(sorted(os.environ))"), LIMITS)
    assert run.cells[0].error and "paramact" in run.cells[0].error
    assert "PARAMACT_HOSTILE_SECRET" not in printed(run.cells[1])


FLOOD = """
import hmac, hashlib, json, time
import zmq

kernel = get_ipython().kernel
socket, key = kernel.shell_stream.socket, kernel.session.key
header = json.dumps({"msg_id": "x", "msg_type": "execute_reply", "username": "u", "session": kernel.session.session,
                     "date": "2020-01-01T00:00:00.000000Z", "version": "5.3"}).encode()
parent, metadata, body = json.dumps({"msg_id": "not-yours"}).encode(), b"{}", b'{"status": "ok", "pad": [' + b"0," * 200000 + b"0]}"
signature = hmac.new(key, header + parent + metadata + body, hashlib.sha256).hexdigest().encode()
identity = kernel._parent_ident.get("shell", b"")
started = time.time()
while time.time() - started < 300:  # forged replies to nobody: nbclient's own time-out never fires
    try:
        socket.send_multipart([*(identity if isinstance(identity, list) else [identity]), b"<IDS|MSG>", signature,
                               header, parent, metadata, body], flags=zmq.NOBLOCK)
    except zmq.Again:
        time.sleep(0.001)
"""


def test_a_kernel_flooding_its_channel_is_ended_after_its_time_limit():
    started = time.monotonic()
    run = execute(
        notebook("print('before')", FLOOD, "print('after')"),
        Limits(cell_seconds=3, notebook_seconds=30),
    )
    assert time.monotonic() - started < 3 + 10 + 15, (
        "the flood held the run past its limit and the grace period"
    )
    assert printed(run.cells[0]) == "before\n" and run.stopped


def test_widget_messages_are_not_kept():
    """300 comm messages of 8 MB each (widget state) must not accumulate in the grader."""
    source = (
        "from comm import create_comm\nchannel = create_comm(target_name='jupyter.widget.x', data={})\n"
        "blob = 'A' * (8 * 2**20)\nfor index in range(300):\n    channel.send(data={'state': {f'k{index}': blob}})\n"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    run = execute(notebook(source, "print('after')"), Limits(cell_seconds=60, notebook_seconds=120))
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 - before
    assert printed(run.cells[1]) == "after\n"
    assert grown < 500, f"the grader grew by {grown} MB"
