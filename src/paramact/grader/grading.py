"""Grade one submission, treating its kernel as hostile (the steps of ``paramact grade``).

Points come only from data that leaves a kernel and is judged outside it, against values computed
outside it:

1. **The key.** For each chapter the master's answers run through the graded notebook
   (:mod:`paramact.grader.notebook`: read-only cells, answers, the hidden parts of the test cells) in a
   jailed kernel that never sees a student's code; what its hidden tests record is the key
   (:mod:`paramact.grader.key`).
2. **Rebuild.** Each submission is rebuilt from the master: only the student's answer cells (matched
   by cell id) are taken from it; everything else, the kernel included, comes from the master. Missing,
   duplicated or retyped answer cells count as unanswered, with a reason
   (:mod:`paramact.grader.submission`).
3. **Run in the jail** (:mod:`paramact.grader.jail`): no reference implementation, master, expected value,
   other submission or grader's environment in it; limits on the whole process tree.
4. **Judge outside** (:mod:`paramact.grader.scoring`): an exercise earns its points only if every value
   its hidden test recorded matches the key. The reasons are the grader's own words with the master's
   labels: nothing the kernel wrote is shown.
5. **Method rules are flags.** The rules no kernel can enforce against a hostile answer (no autograd
   where the backward is the exercise, no symbolic differentiation where the derivation is) are read
   from the answers' text (:mod:`paramact.grader.scan`) and listed for the instructor, not scored.

:mod:`paramact.grader.batch` finds the submissions and grades them in parallel; nothing is written into
the repository or the students' files.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from paramact.grader import scan
from paramact.grader.key import ChapterKey, records_by_cell
from paramact.grader.notebook import (
    defined_names,
    graded_notebook,
    source_of,
)
from paramact.grader.sandbox import CellRun, Execution, Limits, execute
from paramact.grader.scoring import compare_records, exception_name
from paramact.grader.submission import SubmissionError, display_name, read_submission, rebuild

MAX_REGRADES = 3  # runs with correct earlier answers, per submission


# ---------------------------------------------------------------------------------------- scoring


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
    flags: list[str] = field(
        default_factory=list
    )  # method rules an answer seems to break (not scored)
    usage: dict[str, float] = field(
        default_factory=dict
    )  # what its kernel's process tree used, measured

    @property
    def score(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_points for e in self.exercises)


def score(key: ChapterKey, notebook: dict, execution: Execution) -> list[ExerciseResult]:
    """Points per exercise: every record of its hidden test must match the key."""
    recorded = records_by_cell(notebook, execution)
    runs = {cell.get("id"): run for cell, run in zip(notebook["cells"], execution.cells)}
    results = []
    for exercise in key.exercises:
        result = ExerciseResult(exercise.grade_id, 0.0, exercise.points)
        run = runs.get(exercise.grade_id, CellRun())
        if not run.ran:
            result.reason = f"not run: {execution.stopped or 'the run stopped before this test'}"
        else:
            result.reason = compare_records(
                key.expected[exercise.grade_id], recorded.get(exercise.grade_id, [])
            )
            if not result.reason:
                result.points = exercise.points
            elif run.error and not recorded.get(exercise.grade_id):
                result.reason += f" (it {_what_happened(run.error)})"
        errors = [(answer, runs[answer].error) for answer in exercise.answer_ids if answer in runs]
        failed = [
            f"your answer cell {answer} {_what_happened(error)}"
            for answer, error in errors
            if error
        ]
        if result.reason and failed:
            result.reason = "; ".join([result.reason, *failed])
        results.append(result)
    return results


def _what_happened(error: str) -> str:
    """A cell's error in the grader's words: the kernel chose its text (see :func:`exception_name`)."""
    if error.startswith("TimeoutError: the cell ran over"):  # the grader's own time-out reply
        return "ran over its time limit"
    if error.startswith("DeadKernelError"):
        return "ended the kernel (memory or CPU limit, or the process exited)"
    return f"raised {exception_name(error.split(':', 1)[0])}"


def ungraded(key: ChapterKey, student: str, path: Path, error: str) -> StudentResult:
    """The result of a submission that could not be graded: 0 points for each exercise, and why."""
    exercises = [ExerciseResult(e.grade_id, 0.0, e.points, "not graded") for e in key.exercises]
    return StudentResult(student, key.chapter, str(path), exercises, error=error)


def grade_submission(key: ChapterKey, student: str, path: Path, limits: Limits) -> StudentResult:
    """Grade one submitted file (never modified) against ``key``."""
    result = StudentResult(student, key.chapter, str(path))
    try:
        submitted = read_submission(path)
        answers, notes = rebuild(key, submitted)
    except SubmissionError as error:
        return ungraded(key, student, path, str(error))
    if path.name != key.notebook_name and path.stem != student:
        notes.append(
            f"the notebook was renamed to {display_name(path.name)} (expected {key.notebook_name}); graded anyway"
        )
    result.notes, result.answers = notes, answers
    result.flags = [
        f"{answer}: {problem}"
        for answer, source in answers.items()
        for problem in scan.problems(source, key.rules.get(answer, []))
    ]
    notebook = graded_notebook(key.master, answers)
    execution = execute(notebook, limits)
    result.usage = execution.usage
    if execution.stopped:
        result.notes.append(f"the run stopped early: {execution.stopped}")
    result.exercises = score(key, notebook, execution)
    regrade_with_correct_earlier_answers(key, answers, result, limits)
    return result


def regrade_with_correct_earlier_answers(
    key: ChapterKey,
    answers: dict[str, str],
    result: StudentResult,
    limits: Limits,
    most_runs: int = MAX_REGRADES,
) -> None:
    """One mistake costs one exercise: a failed exercise after a failed one is graded again, with the
    master's versions of the earlier answers that fail, and earns its points if it then passes.

    The earlier failed exercise ``f`` whose answers are replaced is taken in order, one run each. Those
    runs hold master code in the student's kernel, so only pass or fail leaves them: a reason shown is
    always the one from the student's own run. An exercise left as a stub that fails whatever comes
    before it (:func:`unanswered`) never asks for a run.
    """
    by_id = {exercise.grade_id: exercise for exercise in key.exercises}
    order = [exercise.grade_id for exercise in key.exercises]
    passed = {e.grade_id: e.points == e.max_points for e in result.exercises}
    stubs = set(unanswered(key, answers))
    replaced: list[str] = []
    for _ in range(most_runs):
        failed = [grade_id for grade_id in order if not passed[grade_id]]
        hopeful = [grade_id for grade_id in failed if grade_id not in stubs]
        first = next(
            (
                f
                for f in failed
                if f not in replaced and any(order.index(g) > order.index(f) for g in hopeful)
            ),
            None,
        )
        if first is None:
            return
        replaced.append(first)
        later = {g for g in hopeful if order.index(g) > order.index(first)}
        replaced_ids = {answer for f in replaced for answer in by_id[f].answer_ids}
        swapped = {
            cell["id"]: source_of(cell)
            for cell in key.master["cells"]
            if cell.get("id") in replaced_ids
        }
        notebook = graded_notebook(key.master, {**answers, **swapped}, tests=later)
        execution = execute(notebook, limits)
        helped = [f"{name}()" for source in swapped.values() for name in defined_names(source)]
        for exercise in score(key, notebook, execution):
            if exercise.grade_id in later and exercise.points == exercise.max_points:
                passed[exercise.grade_id] = True
                own = next(e for e in result.exercises if e.grade_id == exercise.grade_id)
                own.points = own.max_points
                own.reason = (
                    f"passed when graded with correct versions of your earlier answers "
                    f"({', '.join(helped) or ', '.join(sorted(swapped))}), which lose points in their own exercises"
                )


def unanswered(key: ChapterKey, answers: dict[str, str]) -> list[str]:
    """The exercises left as stubs that fail whatever came before them: every answer cell is still the
    release's stub, and each stub only defines functions, so it replaces any earlier definition of its
    names. (A stub that raises at its top level leaves names an earlier cell defined, and one that
    equals the master's answer was handed out solved: neither counts.)"""
    release = {cell["id"]: source_of(cell) for cell in key.release["cells"] if "id" in cell}
    master = {cell["id"]: source_of(cell) for cell in key.master["cells"] if "id" in cell}
    return [
        exercise.grade_id
        for exercise in key.exercises
        if exercise.answer_ids
        and all(
            answers.get(cell) == release.get(cell) != master.get(cell)
            and _only_defines_functions(release.get(cell, ""))
            for cell in exercise.answer_ids
        )
    ]


def _only_defines_functions(source: str) -> bool:
    """Whether running ``source`` does nothing but bind functions (no decorators, no other statement).

    >>> _only_defines_functions("def f(x):\\n    raise NotImplementedError()")
    True
    >>> _only_defines_functions("dz_dy = None\\nraise NotImplementedError()")
    False
    """
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.decorator_list
        for node in body
    )
