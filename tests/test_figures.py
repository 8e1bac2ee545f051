"""Every figure of the course stays legible on a phone.

On a phone the book's content column is 343 CSS px wide, and a wider figure is shrunk to fit. Text of
``s`` points in a figure ``w`` inches wide is then ``s * 343 / (72 * w)`` px high, whatever the dpi: with
matplotlib's default 10 pt text a figure may be at most 6.0 inches wide for about 8 px. These checks read
the master notebooks' code statically (no notebook is executed):

- every ``figsize=`` is a literal whose width is at most 6.0 inches;
- every ``plt.subplots``/``plt.figure``/``plt.subplot_mosaic`` call passes an explicit ``figsize`` (the
  default figure is 6.4 inches wide), and a cell that draws with pyplot creates its own figure;
- no explicit font size below 9 pt (``fontsize=``, ``title_fontsize=``, ``labelsize=``, ``size=`` of a text
  call, a ``size``/``fontsize`` entry of a ``prop``/``fontdict`` dict, ``rcParams``), and no
  ``"xx-small"``/``"x-small"``/``"small"``/``"smaller"``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "solutions").glob("*/*.ipynb"))

MAX_WIDTH_IN = 6.0
MIN_FONT_PT = 9
SMALL_FONT_NAMES = {"xx-small", "x-small", "small", "smaller"}
# Keywords that are font sizes wherever they appear.
FONT_KEYWORDS = {"fontsize", "title_fontsize", "labelsize"}
# Calls whose `size=` is a font size (elsewhere `size=` is an array shape, e.g. rng.normal(size=3)).
TEXT_CALLS = {
    "text",
    "annotate",
    "figtext",
    "title",
    "set_title",
    "suptitle",
    "xlabel",
    "ylabel",
    "set_xlabel",
    "set_ylabel",
    "supxlabel",
    "supylabel",
    "legend",
    "set_label_text",
    "clabel",
    "table",
    "Text",
}
# Dict-valued keywords of text calls that can carry a font size.
FONT_DICT_KEYWORDS = {"prop", "fontdict", "title_fontproperties", "fontproperties", "textprops"}
FIGURE_CALLS = {"subplots", "figure", "subplot_mosaic"}
PYPLOT_DRAWING = {
    "plot",
    "scatter",
    "imshow",
    "hist",
    "bar",
    "barh",
    "semilogy",
    "semilogx",
    "loglog",
    "contour",
    "contourf",
    "errorbar",
    "fill_between",
    "step",
    "stairs",
    "pcolormesh",
    "matshow",
    "boxplot",
    "violinplot",
    "pie",
    "stem",
    "axhline",
    "axvline",
    "axhspan",
    "axvspan",
    "quiver",
}


def _strip_magics(source: str) -> str:
    """Replace IPython magics and shell escapes (``%pip``, ``%%time``, ``!ls``) by ``pass`` at the same
    indentation, so that a block holding only a magic still parses and line numbers are kept."""
    lines = source.splitlines()
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass"
        if line.lstrip().startswith(("%", "!"))
        else line
        for line in lines
    )


def _call_name(call: ast.Call) -> str:
    func = call.func
    return (
        func.attr
        if isinstance(func, ast.Attribute)
        else func.id
        if isinstance(func, ast.Name)
        else ""
    )


def _is_pyplot(call: ast.Call) -> bool:
    return (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "plt"
    )


def _number(node: ast.AST) -> float | None:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    return None


def _font_problem(node: ast.AST) -> str | None:
    """Why a font-size value is too small, or None."""
    value = _number(node)
    if value is not None and value < MIN_FONT_PT:
        return f"{value:g} pt < {MIN_FONT_PT} pt"
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in SMALL_FONT_NAMES
    ):
        return f"{node.value!r}"
    return None


def _figsize_problem(node: ast.AST) -> str | None:
    if (
        not isinstance(node, (ast.Tuple, ast.List))
        or not node.elts
        or _number(node.elts[0]) is None
    ):
        return f"figsize={ast.unparse(node)} is not a literal (width, height): its width cannot be checked"
    width = _number(node.elts[0])
    if width > MAX_WIDTH_IN:
        return f"figsize={ast.unparse(node)}: width {width:g} in > {MAX_WIDTH_IN:g} in"
    return None


def cell_problems(source: str) -> list[str]:
    """The legibility problems of one code cell's source (magics stripped), each with its line number."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError as error:
        return [
            f"does not parse ({error.msg}, line {error.lineno}), so its figures cannot be checked"
        ]
    problems, creates_figure, draws_with_pyplot = [], False, []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
        ):
            target = node.targets[0]
            key = target.slice.value if isinstance(target.slice, ast.Constant) else None
            if "rcParams" in ast.unparse(target.value) and isinstance(key, str):
                if key == "figure.figsize" and (why := _figsize_problem(node.value)):
                    problems.append(f"line {node.lineno}: rcParams[{key!r}]: {why}")
                elif key.endswith(("font.size", "fontsize", "labelsize", "titlesize")) and (
                    why := _font_problem(node.value)
                ):
                    problems.append(f"line {node.lineno}: rcParams[{key!r}] = {why}")
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        if "figsize" in keywords and (why := _figsize_problem(keywords["figsize"])):
            problems.append(f"line {node.lineno}: {why}")
        if _is_pyplot(node) and name in FIGURE_CALLS:
            creates_figure = True
            if "figsize" not in keywords:
                problems.append(
                    f"line {node.lineno}: plt.{name}(...) without an explicit figsize "
                    f"(the default figure is 6.4 in wide)"
                )
        if name == "Figure":
            creates_figure = True
            if "figsize" not in keywords:
                problems.append(f"line {node.lineno}: Figure(...) without an explicit figsize")
        if _is_pyplot(node) and name in PYPLOT_DRAWING:
            draws_with_pyplot.append(f"plt.{name}")
        for keyword, value in keywords.items():
            if keyword in FONT_KEYWORDS or (keyword == "size" and name in TEXT_CALLS):
                if why := _font_problem(value):
                    problems.append(f"line {node.lineno}: {name}({keyword}=...): {why}")
            if keyword in FONT_DICT_KEYWORDS and isinstance(value, ast.Dict):
                for key, entry in zip(value.keys, value.values):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value in ("size", "fontsize")
                        and (why := _font_problem(entry))
                    ):
                        problems.append(
                            f"line {node.lineno}: {name}({keyword}={{{key.value!r}: ...}}): {why}"
                        )
            if (
                keyword in FONT_DICT_KEYWORDS
                and isinstance(value, ast.Call)
                and _call_name(value) == "dict"
            ):
                for inner in value.keywords:
                    if inner.arg in ("size", "fontsize") and (why := _font_problem(inner.value)):
                        problems.append(
                            f"line {node.lineno}: {name}({keyword}=dict({inner.arg}=...)): {why}"
                        )
    problems.sort(
        key=lambda problem: (
            int(problem.split(":")[0].split()[1]) if problem.startswith("line ") else 0
        )
    )
    if draws_with_pyplot and not creates_figure:
        problems.append(
            f"draws with {', '.join(sorted(set(draws_with_pyplot)))} on pyplot's default figure "
            f"(6.4 in wide): create it with plt.subplots(..., figsize=...)"
        )
    return problems


def figure_problems(notebook: Path) -> list[str]:
    """Every legibility problem of a notebook's code cells, as '<notebook>, cell <id>: <problem>'."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    label = notebook.relative_to(ROOT) if notebook.is_relative_to(ROOT) else notebook
    return [
        f"{label}, cell {cell.get('id', index)}: {problem}"
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        for problem in cell_problems("".join(cell["source"]))
    ]


def test_every_chapter_has_a_master():
    assert len(MASTERS) >= 10, f"found only {len(MASTERS)} master notebooks under solutions/"


@pytest.mark.parametrize("master", MASTERS, ids=lambda path: path.parent.name)
def test_master_figures_are_legible_on_a_phone(master):
    problems = figure_problems(master)
    assert not problems, (
        "figures too wide or fonts too small for a 343 px phone column:\n" + "\n".join(problems)
    )


def _notebook(tmp_path: Path, *sources: str) -> Path:
    cells = [
        {
            "cell_type": "code",
            "id": f"bad-{index}",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": source.splitlines(keepends=True),
        }
        for index, source in enumerate(sources)
    ]
    cells.insert(
        0,
        {"cell_type": "markdown", "id": "words", "metadata": {}, "source": ["plt.subplots(1, 2)"]},
    )
    path = tmp_path / "bad.ipynb"
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def test_the_checker_finds_every_kind_of_problem(tmp_path):
    notebook = _notebook(
        tmp_path,
        # bad-0: a wide figure, small fonts three ways; the magic and shell lines must not stop the check
        "%pip install something\n!ls\n"
        "fig, axes = plt.subplots(1, 2, figsize=(11, 4))\n"
        "axes[0].legend(fontsize=8)\n"
        "axes[1].legend(fontsize='x-small')\n"
        "axes[1].text(0, 0, 'tiny', size=7)\n"
        "axes[1].legend(prop={'size': 6})\n",
        # bad-1: the default figure size, twice
        "fig = plt.figure()\nfig, ax = plt.subplots(2, 1)\n",
        # bad-2: pyplot's implicit figure and a figsize whose width cannot be read
        "plt.plot([1, 2])\nplt.rcParams['font.size'] = 8\n",
        "width = 8\nfig, ax = plt.subplots(figsize=(width, 3))\n",
        # bad-4: legible: shapes called `size`, 9 pt, an explicit 6.0 in figure, a tick label size of 10
        "import numpy as np\nx = np.random.default_rng(0).normal(size=3)\n"
        "fig, ax = plt.subplots(2, 1, figsize=(6.0, 7))\nax[0].set_title('t', fontsize=9)\n"
        "ax[0].tick_params(labelsize=10)\nax[1].legend(fontsize='medium')\n",
        # bad-5: Python that does not parse, even with its magics removed
        "%%time\nfor x in :\n    pass\n",
    )
    problems = figure_problems(notebook)
    by_cell = {
        cell: [p for p in problems if f"cell {cell}:" in p]
        for cell in (f"bad-{i}" for i in range(6))
    }
    assert all(p.startswith(f"{notebook}, cell bad-") for p in problems), problems
    assert len(by_cell["bad-0"]) == 5, by_cell["bad-0"]
    assert any("figsize=(11, 4): width 11 in > 6 in" in p for p in by_cell["bad-0"])
    assert any("legend(fontsize=...): 8 pt < 9 pt" in p for p in by_cell["bad-0"])
    assert any("legend(fontsize=...): 'x-small'" in p for p in by_cell["bad-0"])
    assert any("text(size=...): 7 pt < 9 pt" in p for p in by_cell["bad-0"])
    assert any("legend(prop={'size': ...}): 6 pt < 9 pt" in p for p in by_cell["bad-0"])
    assert len(by_cell["bad-1"]) == 2 and all(
        "without an explicit figsize" in p for p in by_cell["bad-1"]
    )
    assert len(by_cell["bad-2"]) == 2, by_cell["bad-2"]
    assert any("default figure" in p for p in by_cell["bad-2"]) and any(
        "font.size" in p for p in by_cell["bad-2"]
    )
    assert len(by_cell["bad-3"]) == 1 and "cannot be checked" in by_cell["bad-3"][0]
    assert by_cell["bad-4"] == [], by_cell["bad-4"]
    assert len(by_cell["bad-5"]) == 1 and "does not parse" in by_cell["bad-5"][0]
    assert len(problems) == 11
