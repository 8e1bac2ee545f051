"""Korean student notebooks, generated from the English ones and the Korean catalogues.

``chapters/ko/<NN_topic>/<topic>.ipynb`` is ``chapters/<NN_topic>/<topic>.ipynb`` with the Markdown of
every cell replaced, message by message, by its translation in
``locale/ko/LC_MESSAGES/chapters/<NN_topic>/<topic>.po``: the catalogue the Korean site is built from.
The comments and stub docstrings of code cells are translated too (:mod:`code_messages`); the code,
the test cells, cell ids and nbgrader metadata are untouched, so a Korean notebook is graded by the same
tests with the same results.

A message is what Sphinx's ``gettext`` builder extracts from a MyST cell: the inline source of a
paragraph, heading or table cell, with line breaks read as spaces; the title of an admonition. Here the
same blocks are found with MyST's Markdown parser and each is replaced in place, keeping what surrounds
it (a list marker, a table's pipes, an admonition's fence and options).
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from babel.messages.pofile import read_po
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from paramact.course import code_messages
from paramact.course.translation import LANGUAGE, catalogue_folder

MYST_EXTENSIONS = {
    "dollarmath",
    "amsmath",
    "colon_fence",
    "deflist",
    "substitution",
}  # as _config.yml
DIRECTIVE = re.compile(r"^\{(?P<name>[\w-]+)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^:[\w-]+:")
# Directives whose argument is a title shown to the reader.
TITLED = {"admonition", "dropdown", "topic", "sidebar"}


class TranslationMissing(KeyError):
    """A message of the English page has no translation in its catalogue."""


@dataclass
class Catalogue:
    """The translations of one page, and the messages asked for while translating it."""

    messages: dict[str, str]  # the Markdown's messages
    code: dict[str, str] = field(default_factory=dict)  # comments and docstrings (context "code")
    asked: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, path: Path) -> Catalogue:
        with path.open("rb") as file:
            done = [m for m in read_po(file) if m.id and m.string and not m.fuzzy]
        return cls(
            {str(m.id): str(m.string) for m in done if m.context is None},
            {str(m.id): str(m.string) for m in done if m.context == code_messages.CONTEXT},
        )

    def __call__(self, message: str) -> str:
        key = message.replace("\n", " ").strip()
        self.asked.add(key)
        if key not in self.messages:
            raise TranslationMissing(key)
        return self.messages[key]

    def code_message(self, text: str) -> str | None:
        self.asked.add(f"code:{text}")
        return self.code.get(text)


def _parser() -> MarkdownIt:
    return create_md_parser(MdParserConfig(enable_extensions=MYST_EXTENSIONS), RendererHTML)


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets


def _find(text: str, line: str, position: int) -> tuple[int, int]:
    """Where ``line`` of a message sits in ``text`` at or after ``position``: (start, end).

    A line of a paragraph ends its source line (after any list marker, which may read like the
    text: "1. 1"); a table cell is searched as it is, and with its pipes escaped as in the source.
    """
    end_of_line = text.find("\n", position)
    source_line = text[position : len(text) if end_of_line < 0 else end_of_line].rstrip()
    if source_line.endswith(line):
        return position + len(source_line) - len(line), position + len(source_line)
    for written in (line, line.replace("|", "\\|")):
        if (found := text.find(written, position)) >= 0:
            return found, found + len(written)
    raise ValueError(f"cannot find {line!r} of a message in its cell")


def _span(text: str, content: str, start: int) -> tuple[int, int]:
    """Where the lines of an inline ``content`` sit in ``text``, searching from offset ``start``."""
    first, position = _find(text, content.split("\n")[0].strip(), start)
    for line in content.split("\n")[1:]:
        _, position = _find(text, line.strip(), position)
    return first, position


def translate_markdown(text: str, translate: Callable[[str], str]) -> str:
    """``text`` (MyST Markdown) with each paragraph, heading, table cell and title translated."""
    offsets = _line_offsets(text)
    edits: list[tuple[int, int, str]] = []
    searched_to = 0
    for token in _parser().parse(text):
        if token.map is None:
            continue
        line_start = offsets[token.map[0]]
        if token.type == "inline" and token.content.strip():
            begin, end = _span(text, token.content, max(line_start, searched_to))
            translation = translate(token.content).replace("\n", " ")
            if translation != token.content.replace("\n", " ").strip():  # else keep its line breaks
                edits.append((begin, end, translation))
            searched_to = end
        elif token.type in ("fence", "colon_fence") and (
            directive := DIRECTIVE.match(token.info.strip())
        ):
            edits += _translate_directive(text, token, offsets, directive, translate)
    for begin, end, replacement in sorted(edits, reverse=True):
        text = text[:begin] + replacement + text[end:]
    return text


def _translate_directive(
    text: str,
    token: Token,
    offsets: list[int],
    directive: re.Match[str],
    translate: Callable[[str], str],
) -> list[tuple[int, int, str]]:
    edits = []
    first_line = cast(list[int], token.map)[0]  # not None: translate_markdown skips such tokens
    opening = text[offsets[first_line] : offsets[first_line + 1]]
    argument = directive["argument"].strip()
    if directive["name"] in TITLED and argument:
        begin = offsets[first_line] + opening.rindex(argument)
        if (title := translate(argument)) != argument:
            edits.append((begin, begin + len(argument), title))
    if directive["name"] in {"code-cell", "code-block", "math", "bibliography", "tableofcontents"}:
        return edits
    body = token.content.split("\n")
    options = 0
    while options < len(body) and OPTION.match(body[options]):
        options += 1
    first_body_line = first_line + 1 + options
    begin = offsets[first_body_line]
    end = begin + len("\n".join(body[options:]))
    if (inner := translate_markdown(text[begin:end], translate)) != text[begin:end]:
        edits.append((begin, end, inner))
    return edits


def catalogue_for(root: Path, page: str, language: str = LANGUAGE) -> Path:
    """The catalogue of a page of the book, e.g. ``chapters/01_perceptron/perceptron``."""
    return catalogue_folder(root, language) / f"{page}.po"


@dataclass(frozen=True)
class Localised:
    """A Korean notebook and what its catalogue lacked or held in excess."""

    notebook: dict
    untranslated: list[str]  # messages of the page without a translation (kept in English)
    unused: list[str]  # translations of messages the page no longer has


def localise(notebook: dict, catalogue: Catalogue) -> Localised:
    """Translate ``notebook``; a message without translation stays English and is reported."""
    untranslated: list[str] = []

    def translate(message: str) -> str:
        try:
            return catalogue(message)
        except TranslationMissing:
            untranslated.append(message.replace("\n", " ").strip())
            return message

    def translate_code(text: str) -> str | None:
        if (korean := catalogue.code_message(text)) is None:
            untranslated.append(f"code:{text}")
        return korean

    result = copy.deepcopy(notebook)
    for cell in result["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            korean = _one_folder_deeper(translate_markdown(source, translate))
            cell["source"] = korean.splitlines(keepends=True)
        elif code_messages.is_translated_cell(cell):
            cell["source"] = code_messages.translate(source, translate_code).splitlines(
                keepends=True
            )
    known = set(catalogue.messages) | {f"code:{text}" for text in catalogue.code}
    unused = sorted(known - catalogue.asked - set(untranslated))
    return Localised(result, untranslated, unused)


RELATIVE_LINK = re.compile(r"(\]\()(?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)(\))")


def _one_folder_deeper(text: str) -> str:
    """Relative links of a chapter, for its Korean copy one folder deeper (chapters/ko/<NN_topic>/).

    A link into ``chapters/`` keeps leading to the Korean chapter beside it; a link out of it (to
    the references page, say) gets one more ``../``.

    >>> _one_folder_deeper("[refs](../../references.md), [ch. 8](../08_xor/xor.ipynb), [web](https://x.org)")
    '[refs](../../../references.md), [ch. 8](../08_xor/xor.ipynb), [web](https://x.org)'
    """

    def deeper(match: re.Match) -> str:
        inside = posixpath.normpath(posixpath.join("chapters/topic", match[2]))
        target = match[2] if inside.startswith("chapters/") else "../" + match[2]
        return match[1] + target + match[3]

    return RELATIVE_LINK.sub(deeper, text)


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
