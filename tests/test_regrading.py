"""One mistake costs one exercise: which regrading runs ``paramact grade`` asks for, counted without a
kernel (``regrade_with_correct_earlier_answers`` with ``execute`` replaced by a recorder).

A run grades later failed exercises again with the master's versions of an earlier failed one. An
exercise still left as a stub that only defines functions fails whatever comes before it, so it never
asks for a run: an untouched notebook costs one run, not four. A stub that raises at its top level
leaves names an earlier cell may have defined, so it is still regraded.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

from paramact.grader import grading
from paramact.grader.grading import (
    MAX_REGRADES,
    ExerciseResult,
    StudentResult,
    regrade_with_correct_earlier_answers,
    unanswered,
)
from paramact.grader.key import ChapterKey, load_chapter
from paramact.grader.notebook import source_of
from paramact.grader.sandbox import CellRun, Execution, Limits

ROOT = Path(__file__).resolve().parents[1]
FUNCTION_STUBS = "04_backpropagation"  # four exercises, each stub a function that raises
DERIVATIONS = (
    "06_parametric_activations"  # nine exercises; the derivations' stubs raise at top level
)


@functools.cache
def key_of(chapter: str) -> ChapterKey:
    return load_chapter(ROOT, chapter)


def sources(notebook: dict, ids: list[str]) -> dict[str, str]:
    return {cell["id"]: source_of(cell) for cell in notebook["cells"] if cell.get("id") in ids}


def order(key: ChapterKey) -> list[str]:
    return [exercise.grade_id for exercise in key.exercises]


def regrade_runs(key: ChapterKey, answers: dict[str, str], monkeypatch) -> list[set[str]]:
    """The test cells each regrading run holds, when every exercise failed and nothing passes again."""
    runs: list[set[str]] = []

    def recorder(notebook, limits):
        runs.append(
            {
                cell["id"]
                for cell in notebook["cells"]
                if cell.get("id") in order(key) and cell["source"]
            }
        )
        return Execution([CellRun() for _ in notebook["cells"]], stopped="not run in this test")

    monkeypatch.setattr(grading, "execute", recorder)
    result = StudentResult("someone", key.chapter, "someone.ipynb")
    result.exercises = [
        ExerciseResult(exercise.grade_id, 0.0, exercise.points) for exercise in key.exercises
    ]
    regrade_with_correct_earlier_answers(key, answers, result, Limits())
    return runs


def test_an_untouched_notebook_asks_for_no_regrading_run(monkeypatch):
    key = key_of(FUNCTION_STUBS)
    stubs = sources(key.release, key.answer_ids)
    assert unanswered(key, stubs) == order(key)
    assert regrade_runs(key, stubs, monkeypatch) == []


def test_a_stub_that_raises_at_its_top_level_is_still_regraded(monkeypatch):
    key = key_of(DERIVATIONS)
    stubs = sources(key.release, key.answer_ids)
    left = set(unanswered(key, stubs))
    assert {"dz_dy_tests", "dz_db_tests"}.isdisjoint(left) and left  # both kinds of stub exist
    runs = regrade_runs(key, stubs, monkeypatch)
    assert runs and all(run and run.isdisjoint(left) for run in runs)
    assert "dz_db_tests" in runs[0]


def test_attempted_later_exercises_are_regraded_in_order(monkeypatch):
    key = key_of(DERIVATIONS)
    attempted = sources(key.master, key.answer_ids)  # as if they failed through the first answer
    assert unanswered(key, attempted) == []
    runs = regrade_runs(key, attempted, monkeypatch)
    assert len(runs) == MAX_REGRADES
    assert runs[0] == set(order(key)[1:]) and runs[1] == set(order(key)[2:])


def test_only_attempted_exercises_are_regraded(monkeypatch):
    key = key_of(FUNCTION_STUBS)
    answers = sources(key.release, key.answer_ids)
    attempted = key.exercises[2]
    answers |= {cell: "x = 1  # an attempt" for cell in attempted.answer_ids}
    assert attempted.grade_id not in unanswered(key, answers)
    runs = regrade_runs(key, answers, monkeypatch)
    assert runs and all(run == {attempted.grade_id} for run in runs)
    assert len(runs) == min(MAX_REGRADES, order(key).index(attempted.grade_id))


def test_an_exercise_is_a_stub_only_when_all_its_answer_cells_are():
    key = copy.deepcopy(key_of(FUNCTION_STUBS))
    first, second = key.exercises[0], key.exercises[1]
    first.answer_ids = [*first.answer_ids, *second.answer_ids]  # one exercise, two answer cells
    answers = sources(key.release, key.answer_ids)
    assert first.grade_id in unanswered(key, answers)
    answers |= {cell: "x = 1  # an attempt" for cell in second.answer_ids}
    assert first.grade_id not in unanswered(key, answers)


def test_an_exercise_handed_out_solved_is_not_a_stub():
    key = copy.deepcopy(key_of(FUNCTION_STUBS))
    solved = key.exercises[0]
    assert solved.grade_id in unanswered(key, sources(key.release, key.answer_ids))
    master = sources(key.master, solved.answer_ids)
    for cell in key.release["cells"]:
        if cell.get("id") in master:
            cell["source"] = master[cell["id"]]
    assert solved.grade_id not in unanswered(key, sources(key.release, key.answer_ids))
