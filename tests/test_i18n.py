"""The Korean edition cannot drift: complete catalogues, faithful markup, the glossary's terms, Korean
notebooks in sync with the English ones and graded the same (``paramact.course.translation``,
``localise`` and ``i18n``)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from paramact.course import code_messages, localise, translation
from paramact.course.glossary import collect
from paramact.course.i18n import edition_page, korean_notebook
from paramact.course.pipeline import CHAPTER_DIR, MASTER_DIR, assignments, master_notebooks

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = translation.catalogue_folder(ROOT)
EXCEPTIONS = ROOT / translation.LOCALE / translation.LANGUAGE / "term-exceptions.tsv"
CHAPTER_NOTEBOOKS = [
    nb.relative_to(ROOT / CHAPTER_DIR)
    for name in assignments(ROOT)
    for nb in sorted((ROOT / CHAPTER_DIR / name).glob("*.ipynb"))
]


def messages(path: Path) -> list[tuple[str, str]]:
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        return [(str(m.id), str(m.string)) for m in read_po(file) if m.id]


# --- the catalogues -------------------------------------------------------------------------


def test_every_message_is_translated_and_none_is_fuzzy():
    counts = translation.statistics(ROOT)
    assert len(counts) == 13, sorted(counts)  # ten chapters, intro, glossary, references
    incomplete = {name: count for name, count in counts.items() if not count.complete}
    assert not incomplete, f"untranslated or fuzzy messages (run `make translate`): {incomplete}"


def test_translations_keep_formulas_code_references_and_introduced_terms():
    keep = translation.glossary_terms(ROOT)
    problems = [
        line for path in sorted(CATALOGUES.rglob("*.po")) for line in translation.check(path, keep)
    ]
    assert not problems, "\n".join(problems[:20])


def test_each_glossary_term_reads_the_same_on_every_korean_page():
    """Where the English prose uses a glossary term, the Korean uses the glossary's Korean form,
    except for the messages listed, with a reason, in locale/ko/term-exceptions.tsv. A term inside a
    longer glossary term ("gradient" in "gradient descent") is that longer term's business."""
    terms = collect(master_notebooks(ROOT))
    longest_first = sorted(terms, key=lambda term: -len(term.english))
    with EXCEPTIONS.open(encoding="utf-8") as file:
        rows = [
            row for row in csv.reader(file, delimiter="\t") if row and not row[0].startswith("#")
        ]
    excepted = {(term, catalogue, start) for term, catalogue, start, _reason in rows}
    used, problems = set(), []
    for path in sorted(CATALOGUES.rglob("*.po")):
        catalogue = path.relative_to(CATALOGUES).as_posix()
        if catalogue == "glossary.po":
            continue
        for english, korean in messages(path):
            prose = translation._prose(english)
            for term in longest_first:
                pattern = rf"(?<![\w-]){re.escape(term.english)}(s|es)?(?![\w-])"
                if not re.search(pattern, prose, re.IGNORECASE):
                    continue
                forms = [form.strip().replace(" ", "") for form in term.korean.split(",")]
                if any(form in korean.replace(" ", "") for form in forms):
                    prose = re.sub(pattern, " ", prose, flags=re.IGNORECASE)  # checked: mask it
                    continue
                key = (term.english, catalogue, english[:40])
                if key in excepted:
                    used.add(key)
                else:
                    problems.append(
                        f"{catalogue}: {term.english!r} is not {term.korean!r} in {english[:60]!r}"
                    )
    assert not problems, "\n".join(problems[:30])
    assert not excepted - used, f"exceptions that no longer apply: {sorted(excepted - used)}"


def test_checker_catches_a_lost_formula_a_changed_reference_and_english_left_behind():
    english = (
        "The **scale** (크기 파라미터) $a$ of {cite:t}`kong2021parametric` multiplies the output."
    )
    good = "{cite:t}`kong2021parametric`의 **크기 파라미터**(scale) $a$는 출력에 곱해집니다."
    assert translation.problems(english, good) == []
    found = " ".join(
        translation.problems(english, "크기 파라미터는 {cite:t}`kong2021` multiplies the output.")
    )
    assert "$a$" in found and "kong2021parametric" in found
    found = " ".join(
        translation.problems(english, good.replace("곱해집니다", "is multiplied by the output"))
    )
    assert "English left untranslated" in found
    assert "glossary" in " ".join(
        translation.problems(english, good.replace("크기 파라미터", "스케일"))
    )


# --- the Korean notebooks -------------------------------------------------------------------


def test_localise_replaces_paragraphs_list_items_table_cells_and_admonitions_in_place():
    text = (
        "# A title\n\nA paragraph\nover two lines.\n\n- an item\n- `code` item\n\n"
        "| head | other |\n|---|---|\n| cell | $x$ |\n\n"
        "```{admonition} Box title\n:class: tip\nInside the box.\n```\n\n$$\ny = x\n$$\n"
    )
    korean = {
        "A title": "제목",
        "A paragraph over two lines.": "두 줄에 걸친 문단입니다.",
        "an item": "항목",
        "`code` item": "`code` 항목",
        "head": "머리",
        "other": "다른 열",
        "cell": "칸",
        "$x$": "$x$",
        "Box title": "상자 제목",
        "Inside the box.": "상자 안입니다.",
    }
    catalogue = localise.Catalogue(korean)
    result = localise.translate_markdown(text, catalogue)
    assert result == (
        "# 제목\n\n두 줄에 걸친 문단입니다.\n\n- 항목\n- `code` 항목\n\n"
        "| 머리 | 다른 열 |\n|---|---|\n| 칸 | $x$ |\n\n"
        "```{admonition} 상자 제목\n:class: tip\n상자 안입니다.\n```\n\n$$\ny = x\n$$\n"
    )
    assert catalogue.asked == set(korean)
    with pytest.raises(localise.TranslationMissing):
        localise.translate_markdown("Not in the catalogue.", catalogue)


def test_code_prose_is_translated_in_place_and_the_code_left_alone():
    source = (
        'def f(x):\n    """Twice x.\n\n    Exactly twice.\n    """\n'
        "    # the doubling\n    return 2 * x  # YOUR CODE HERE\n%matplotlib inline\n"
    )
    # IPython syntax is not Python: its comments are still found, its docstrings are not.
    assert code_messages.messages(source) == ["the doubling"]
    source = source.replace("%matplotlib inline\n", "")
    assert code_messages.messages(source) == ["Twice x.\n\nExactly twice.", "the doubling"]
    korean = {
        "Twice x.\n\nExactly twice.": "x의 두 배.\n\n정확히 두 배.",
        "the doubling": "두 배로",
    }
    assert code_messages.translate(source, korean.get) == (
        'def f(x):\n    """x의 두 배.\n\n    정확히 두 배.\n    """\n'
        "    # 두 배로\n    return 2 * x  # YOUR CODE HERE\n"
    )
    locked = {"cell_type": "code", "metadata": {"nbgrader": {"locked": True, "grade": True}}}
    assert not code_messages.is_translated_cell(locked)


@pytest.mark.parametrize("notebook", CHAPTER_NOTEBOOKS, ids=str)
def test_korean_notebook_is_its_english_one_translated_with_every_cell_graded_alike(notebook):
    english = localise.read_notebook(ROOT / CHAPTER_DIR / notebook)
    page = f"{CHAPTER_DIR}/{notebook.with_suffix('').as_posix()}"
    catalogue = localise.Catalogue.read(localise.catalogue_for(ROOT, page))
    fresh = localise.localise(english, catalogue)
    assert fresh.untranslated == [], f"{page}: untranslated messages {fresh.untranslated[:3]}"
    assert fresh.unused == [], f"{page}: translations of messages the page lost {fresh.unused[:3]}"
    committed = localise.read_notebook(ROOT / CHAPTER_DIR / "ko" / notebook)
    assert _sources(committed) == _sources(fresh.notebook), (
        f"chapters/ko/{notebook} is out of date: run `make release`"
    )
    for ours, theirs in zip(committed["cells"], english["cells"], strict=True):
        assert ours["id"] == theirs["id"] and ours["metadata"] == theirs["metadata"]
        if ours["cell_type"] == "code" and not code_messages.is_translated_cell(ours):
            assert ours["source"] == theirs["source"], f"{ours['id']}: test cells stay as they are"
        elif ours["cell_type"] == "code":
            assert _code(_text(ours)) == _code(_text(theirs)), f"{ours['id']}: the code changed"
        else:
            assert re.search("[\uac00-\ud7a3]", _text(ours)) or not _text(ours).strip(), ours["id"]


def _code(source: str) -> str:
    """The cell with every comment and docstring blanked out: what must not differ between editions."""
    return code_messages.translate(source, lambda text: "...")


def _text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _sources(notebook: dict) -> list[str]:
    return [_text(cell) for cell in notebook["cells"]]


def test_site_links_lead_to_the_other_edition_and_the_korean_notebook():
    assert edition_page("chapters/01_perceptron/perceptron", "ko") == (
        "ko/chapters/01_perceptron/perceptron.html"
    )
    assert edition_page("intro", "en") == "intro.html"
    assert korean_notebook("chapters/08_xor/xor") == "chapters/ko/08_xor/xor"


def test_catalogues_hold_exactly_the_messages_of_the_english_pages(tmp_path):
    """A fresh extraction from the English: every message has an entry, and no entry is left over."""
    from babel.messages.pofile import read_po

    templates = translation.extract(ROOT, tmp_path / "gettext")
    problems = []
    for template in sorted(templates.rglob("*.pot")):
        name = template.relative_to(templates).with_suffix(".po")
        with template.open("rb") as file:
            wanted = {str(m.id) for m in read_po(file) if m.id}
        have = {english for english, _ in messages(CATALOGUES / name)}
        if wanted - have:
            problems.append(f"{name}: new English messages: {sorted(wanted - have)[:3]}")
        if have - wanted:
            problems.append(
                f"{name}: messages the English no longer has: {sorted(have - wanted)[:3]}"
            )
    assert not problems, "\n".join(problems) + "\nrun `make translate`, translate, `make release`"


def test_korean_notebooks_are_graded_exactly_like_the_english_ones(tmp_path):
    """The same grader gives the Korean master and stub of a chapter the English ones' points."""
    from paramact.grader.batch import grade_batch
    from paramact.grader.sandbox import Limits

    chapter = "01_perceptron"
    course, folder = tmp_path / "course", tmp_path / "submissions"
    for name in (MASTER_DIR, CHAPTER_DIR):
        shutil.copytree(ROOT / name / chapter, course / name / chapter)
    shutil.copy(ROOT / "_toc.yml", course / "_toc.yml")
    folder.mkdir()
    master_path = next((ROOT / MASTER_DIR / chapter).glob("*.ipynb"))
    master = json.loads(master_path.read_text(encoding="utf-8"))
    answers = {
        cell["id"]: cell["source"] for cell in master["cells"] if cell["cell_type"] == "code"
    }
    korean_stub = json.loads((ROOT / CHAPTER_DIR / "ko" / chapter / master_path.name).read_text())
    korean_master = json.loads(json.dumps(korean_stub))
    for cell in korean_master["cells"]:
        if cell["id"] in answers and cell["metadata"].get("nbgrader", {}).get("solution"):
            cell["source"] = answers[cell["id"]]
    shutil.copy(ROOT / CHAPTER_DIR / chapter / master_path.name, folder / "english-stub.ipynb")
    shutil.copy(master_path, folder / "english-master.ipynb")
    (folder / "korean-stub.ipynb").write_text(json.dumps(korean_stub), encoding="utf-8")
    (folder / "korean-master.ipynb").write_text(json.dumps(korean_master), encoding="utf-8")
    limits = Limits(cell_seconds=60, notebook_seconds=180, cpu_seconds=240)
    results, _ = grade_batch(course, folder, [chapter], limits, jobs=2, progress=False)
    points = {r.student: {e.grade_id: e.points for e in r.exercises} for r in results}
    assert points["korean-master"] == points["english-master"]
    assert points["korean-stub"] == points["english-stub"]
    assert sum(points["korean-master"].values()) > 0 == sum(points["korean-stub"].values())
