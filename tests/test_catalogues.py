"""Fair grading, proven by catalogues: honest answers in any style earn full marks; a realistic mistake
costs its own exercise only, with a reason that names it (``tests/catalogues/``).

Each chapter's catalogue is graded by ``paramact grade`` in one batch. A wrong answer's later exercises
are graded with the master's versions of the functions it broke, so one mistake costs one exercise.

To grade fewer notebooks, honest answers that touch different answer cells share a submission
(:func:`pack`); each must still earn full marks. Wrong answers are graded one per submission: an
exercise's tests also call the functions of earlier answer cells, so a second mistake would change the
first one's reason.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from catalogues import chapters
from conftest import once_per_session

from paramact.grader.batch import grade_batch
from paramact.grader.notebook import is_answer
from paramact.grader.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(cell_seconds=60, notebook_seconds=240)
CATALOGUES = chapters()
HONEST = [(chapter, name) for chapter, module in CATALOGUES.items() for name in module.HONEST]
WRONG = [(chapter, wrong) for chapter, module in CATALOGUES.items() for wrong in module.WRONG]


def build(master: dict, answers: dict[str, str]) -> dict:
    notebook = json.loads(json.dumps(master))
    known = {cell["id"] for cell in notebook["cells"] if is_answer(cell)}
    assert set(answers) <= known, f"no answer cells {set(answers) - known}"
    for cell in notebook["cells"]:
        if cell.get("id") in answers:
            cell["source"] = answers[cell["id"]]
    return notebook


def pack(names: list[str], cells) -> list[list[str]]:
    """Greedy first-fit: groups of entries whose answer cells are pairwise disjoint."""
    packs: list[tuple[set, list]] = []
    for entry in names:
        claims = set(cells(entry))
        for taken, members in packs:
            if not taken & claims:
                taken |= claims
                members.append(entry)
                break
        else:
            packs.append((set(claims), [entry]))
    return [members for _, members in packs]


def honest_packs(module) -> list[list[str]]:
    return pack(sorted(module.HONEST), lambda name: module.HONEST[name])


def grade_chapter(chapter: str, base: Path) -> dict:
    course, folder = base / "course", base / "submissions"
    for name in ("solutions", "chapters"):
        shutil.copytree(ROOT / name / chapter, course / name / chapter)
    shutil.copy(ROOT / "_toc.yml", course / "_toc.yml")
    master_path = next((ROOT / "solutions" / chapter).glob("*.ipynb"))
    master = json.loads(master_path.read_text(encoding="utf-8"))
    module = CATALOGUES[chapter]
    folder.mkdir(parents=True)
    submissions = {}  # entry name -> the submission that holds it
    for number, names in enumerate(honest_packs(module)):
        answers = {cell: source for name in names for cell, source in module.HONEST[name].items()}
        (folder / f"honest-{number}.ipynb").write_text(json.dumps(build(master, answers)))
        submissions |= {f"honest-{name}": f"honest-{number}" for name in names}
    for wrong in module.WRONG:
        (folder / f"wrong-{wrong.name}.ipynb").write_text(json.dumps(build(master, wrong.answers)))
        submissions[f"wrong-{wrong.name}"] = f"wrong-{wrong.name}"
    results, _ = grade_batch(course, folder, [chapter], LIMITS, jobs=2, progress=False)
    by_student = {result.student: result for result in results}
    return {name: by_student[held] for name, held in submissions.items()}


@pytest.fixture(scope="module", params=sorted(CATALOGUES))
def graded(request, tmp_path_factory):
    return request.param, once_per_session(
        request,
        tmp_path_factory,
        f"catalogue-{request.param}",
        lambda base: grade_chapter(request.param, base),
    )


def test_catalogues_are_large_enough():
    assert len(CATALOGUES) == 10
    assert len(HONEST) >= 60
    for chapter, module in CATALOGUES.items():
        master = json.loads(
            next((ROOT / "solutions" / chapter).glob("*.ipynb")).read_text(encoding="utf-8")
        )
        exercises = [
            cell["metadata"]["nbgrader"]["grade_id"]
            for cell in master["cells"]
            if cell["metadata"].get("nbgrader", {}).get("grade")
        ]
        covered = [wrong.exercise for wrong in module.WRONG]
        thin = [exercise for exercise in exercises if covered.count(exercise) < 2]
        assert not thin, f"{chapter}: fewer than two wrong answers for {thin}"
        assert len({w.name for w in module.WRONG}) == len(module.WRONG)


def test_honest_answers_earn_full_marks(graded):
    chapter, results = graded
    for chapter_, name in HONEST:
        if chapter_ != chapter:
            continue
        result = results[f"honest-{name}"]
        short = {e.grade_id: e.reason for e in result.exercises if e.points != e.max_points}
        assert result.error is None and not short, (
            f"{chapter} honest {name}: {result.error or short}"
        )


def test_a_mistake_costs_its_own_exercise_with_a_reason_that_names_it(graded):
    chapter, results = graded
    problems = []
    for chapter_, wrong in WRONG:
        if chapter_ != chapter:
            continue
        result = results[f"wrong-{wrong.name}"]
        by_id = {e.grade_id: e for e in result.exercises}
        target = by_id[wrong.exercise]
        if result.error:
            problems.append(f"{wrong.name}: not graded: {result.error}")
        elif target.points == target.max_points:
            problems.append(f"{wrong.name}: earned full marks on {wrong.exercise}")
        elif not any(part.lower() in target.reason.lower() for part in wrong.message.split("|")):
            problems.append(
                f"{wrong.name}: reason {target.reason!r} does not say {wrong.message!r}"
            )
        others = {
            e.grade_id: e.reason
            for e in result.exercises
            if e.grade_id not in (wrong.exercise, *wrong.also) and e.points != e.max_points
        }
        if others:
            problems.append(f"{wrong.name}: also lost points on {others}")
    assert not problems, "\n".join(problems)
