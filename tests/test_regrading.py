"""One mistake costs one exercise: which regrading runs ``paramact grade`` asks for, counted without a
kernel (``regrade_with_correct_earlier_answers`` with ``execute`` replaced by a recorder).

A run grades later failed exercises again with the master's versions of an earlier failed one. An
exercise still left as the stub fails whatever comes before it, so it never asks for a run: an
untouched notebook costs one run, not four.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from paramact.grader import grading
from paramact.grader.grading import (
    MAX_REGRADES,
    ExerciseResult,
    StudentResult,
    regrade_with_correct_earlier_answers,
    unanswered,
)
from paramact.grader.key import load_chapter
from paramact.grader.notebook import source_of
from paramact.grader.sandbox import CellRun, Execution, Limits

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "06_parametric_activations"  # nine exercises


@pytest.fixture(scope="module")
def key():
    return load_chapter(ROOT, CHAPTER)


def sources(notebook: dict, ids: list[str]) -> dict[str, str]:
    return {cell["id"]: source_of(cell) for cell in notebook["cells"] if cell.get("id") in ids}


def regrade_runs(key, answers: dict[str, str], monkeypatch) -> list[set[str]]:
    """The test cells each regrading run holds, when every exercise failed and nothing passes again."""
    runs: list[set[str]] = []

    def recorder(notebook, limits):
        runs.append(
            {cell["id"] for cell in notebook["cells"] if cell.get("id") in order and cell["source"]}
        )
        return Execution([CellRun() for _ in notebook["cells"]], stopped="not run in this test")

    order = [exercise.grade_id for exercise in key.exercises]
    monkeypatch.setattr(grading, "execute", recorder)
    result = StudentResult("someone", key.chapter, "someone.ipynb")
    result.exercises = [
        ExerciseResult(exercise.grade_id, 0.0, exercise.points) for exercise in key.exercises
    ]
    regrade_with_correct_earlier_answers(key, answers, result, Limits())
    return runs


def test_an_untouched_notebook_asks_for_no_regrading_run(key, monkeypatch):
    stubs = sources(key.release, key.answer_ids)
    assert unanswered(key, stubs) == [exercise.grade_id for exercise in key.exercises]
    assert regrade_runs(key, stubs, monkeypatch) == []


def test_attempted_later_exercises_are_regraded_in_order(key, monkeypatch):
    attempted = sources(key.master, key.answer_ids)  # as if they failed through the first answer
    assert unanswered(key, attempted) == []
    runs = regrade_runs(key, attempted, monkeypatch)
    order = [exercise.grade_id for exercise in key.exercises]
    assert len(runs) == MAX_REGRADES
    assert runs[0] == set(order[1:]) and runs[1] == set(order[2:])


def test_only_attempted_exercises_are_regraded(key, monkeypatch):
    order = [exercise.grade_id for exercise in key.exercises]
    answers = sources(key.release, key.answer_ids)
    attempted = key.exercises[4]
    answers |= {cell: "x = 1  # an attempt" for cell in attempted.answer_ids}
    assert attempted.grade_id not in unanswered(key, answers)
    runs = regrade_runs(key, answers, monkeypatch)
    assert runs and all(run == {attempted.grade_id} for run in runs)
    assert len(runs) == min(MAX_REGRADES, order.index(attempted.grade_id))


def test_an_exercise_handed_out_solved_is_not_a_stub(key):
    solved = key.exercises[0]
    given = copy.deepcopy(key)
    master = sources(key.master, solved.answer_ids)
    for cell in given.release["cells"]:
        if cell.get("id") in master:
            cell["source"] = master[cell["id"]]
    assert solved.grade_id not in unanswered(given, sources(given.release, given.answer_ids))
