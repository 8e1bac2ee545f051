"""``paramact check`` applies the rules and the jail of grading: what it passes, grading cannot refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from paramact.grader.jail import capabilities
from paramact.grader.selfcheck import check

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "chapters" / "01_perceptron" / "perceptron.ipynb"
MASTER = ROOT / "solutions" / "01_perceptron" / "perceptron.ipynb"


def with_answers(path: Path, tmp_path: Path, **answers: str) -> Path:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell.get("id") in answers:
            cell["source"] = answers[cell["id"]]
    target = tmp_path / "perceptron.ipynb"
    target.write_text(json.dumps(notebook), encoding="utf-8")
    return target


def master_answer(cell_id: str) -> str:
    return next(
        "".join(c["source"])
        for c in json.loads(MASTER.read_text(encoding="utf-8"))["cells"]
        if c.get("id") == cell_id
    )


def run_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paramact.cli", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=path.parent,
    )


def test_a_finished_notebook_passes_and_an_untouched_one_fails(tmp_path):
    answers = {
        cell: master_answer(cell) for cell in ("step_impl", "gates_impl", "train_impl", "xor_impl")
    }
    finished = run_check(with_answers(RELEASE, tmp_path, **answers))
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert finished.stdout.count("PASS") == 4 and "4 of 4 test cells pass" in finished.stdout
    untouched = run_check(RELEASE)
    assert untouched.returncode == 1 and "FAIL step_tests: NotImplementedError" in untouched.stdout


@pytest.mark.skipif(
    capabilities()["bwrap"] is None,
    reason="no jail here: the reference is blocked only inside Python",
)
def test_the_reference_is_unavailable_as_when_graded(tmp_path):
    answers = {cell: master_answer(cell) for cell in ("gates_impl", "train_impl", "xor_impl")}
    answers["step_impl"] = (
        "from paramact.activations import step as _step\n\n\ndef step(u):\n    return (np.asarray(u) > 0) * 1.0\n"
    )
    report = check(with_answers(RELEASE, tmp_path, **answers))
    assert any("ImportError" in error for error in report.answer_errors), report
    assert any("imports paramact.activations" in flag for flag in report.flags), report.flags


def test_method_rules_are_reported_as_flags_not_failures(tmp_path):
    release = ROOT / "chapters" / "06_parametric_activations" / "parametric_activations.ipynb"
    notebook = json.loads(release.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell.get("id") == "dz_dy_answer":
            cell["source"] = (
                'import sympy\nY, A, B = sympy.symbols("y a b")\ndz_dy = sympy.diff(A / (1 + sympy.exp(-(Y - B))), Y)\n'
            )
    target = tmp_path / release.name
    target.write_text(json.dumps(notebook), encoding="utf-8")
    finished = run_check(target)
    assert "PASS dz_dy_tests" in finished.stdout, finished.stdout
    assert (
        "FLAG dz_dy_answer: line 3: uses .diff (shown to your instructor; it costs no points)"
        in finished.stdout
    )
