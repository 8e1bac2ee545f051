"""The Korean edition's catalogues: extract, merge, count (the translator's side of ``paramact.course.i18n``).

The English pages are the one source. ``extract`` runs Sphinx's ``gettext`` builder on the book (without
executing a notebook: outputs are not translated) and writes one ``.pot`` template per page under
``_build/gettext``; ``update`` merges them into ``locale/<language>/LC_MESSAGES/<page>.po`` with
``sphinx-intl``, keeping every translation whose English is unchanged and marking the changed ones fuzzy;
``statistics`` counts translated, fuzzy and untranslated messages, as ``sphinx-intl stat`` does.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from paramact.course.glossary import HANGUL, TERM

LANGUAGE = "ko"
LOCALE = "locale"  # under the repository root, as _config.yml's locale_dirs says
TEMPLATES = Path("_build") / "gettext"


def catalogue_folder(root: Path, language: str = LANGUAGE) -> Path:
    """Where the ``.po`` files of ``language`` live."""
    return root / LOCALE / language / "LC_MESSAGES"


def extract(root: Path, output: Path | None = None) -> Path:
    """Write one ``.pot`` template per page of the book at ``root``; returns their folder."""
    from jupyter_book.sphinx import build_sphinx

    output = output or root / TEMPLATES
    overrides = {
        "external_toc_path": str(root / "_toc.yml"),
        "latex_individualpages": False,
        "nb_execution_mode": "off",  # the messages are the Markdown, not the outputs
    }
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        failed = build_sphinx(
            root,
            output,
            noconfig=True,
            path_config=str(root / "_config.yml"),
            confoverrides=overrides,
            builder="gettext",
            doctreedir=str(output / ".doctrees"),
            warningiserror=True,
            freshenv=True,
            really_quiet=True,
        )
    if failed:
        raise RuntimeError(f"extracting the messages failed:\n{log.getvalue()[-4000:]}")
    for template in output.rglob("*.pot"):
        notebook = root / template.relative_to(output).with_suffix(".ipynb")
        if notebook.is_file():
            add_code_messages(template, notebook)
    add_site_messages(root, output)
    return output


def site_messages(config: dict) -> list[str]:
    """What the site shows outside the pages: its title, its author, the search box's placeholder."""
    search = config.get("html", {}).get("search_bar_text", "Search this book...")
    return [config["title"], config["author"], search]


def add_site_messages(root: Path, templates: Path) -> None:
    """The site's own texts (:func:`site_messages`) as messages of the root page (context ``site``)."""
    import yaml

    from paramact.course.i18n import SITE_CONTEXT

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    _add_messages(
        templates / f"{toc['root']}.pot", site_messages(config), SITE_CONTEXT, "_config.yml"
    )


def add_code_messages(template: Path, notebook: Path) -> None:
    """Add the comments and stub docstrings of ``notebook``'s code cells (context ``code``)."""
    import json

    from paramact.course import code_messages

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    texts = [
        text
        for cell in filter(code_messages.is_translated_cell, cells)
        for text in code_messages.messages("".join(cell["source"]))
    ]
    _add_messages(template, texts, code_messages.CONTEXT, notebook.name)


def _add_messages(template: Path, texts: list[str], context: str, source: str) -> None:
    """Add ``texts`` to the ``.pot`` file ``template`` with ``context``, located in ``source``."""
    from babel.messages.pofile import write_po

    with template.open("rb") as file:
        catalogue = read_po(file)
    for text in texts:
        catalogue.add(text, context=context, locations=[(source, 0)])
    with template.open("wb") as file:
        write_po(file, catalogue, width=100)


def update(root: Path, templates: Path, language: str = LANGUAGE) -> dict[str, int]:
    """Merge the templates into the catalogues (sphinx-intl): counts of files created, updated, unchanged."""
    from sphinx_intl import basic

    with contextlib.redirect_stdout(io.StringIO()):
        counts = basic.update(str(root / LOCALE), str(templates), (language,), line_width=100)
    return dict(counts)


@dataclass(frozen=True)
class Counts:
    translated: int
    fuzzy: int
    untranslated: int

    @property
    def complete(self) -> bool:
        return self.fuzzy == 0 and self.untranslated == 0


def statistics(root: Path, language: str = LANGUAGE) -> dict[str, Counts]:
    """Per catalogue (path relative to its folder): translated, fuzzy and untranslated messages."""
    folder = catalogue_folder(root, language)
    result = {}
    for path in sorted(folder.rglob("*.po")):
        with path.open("rb") as file:
            messages = [m for m in read_po(file) if m.id]
        result[path.relative_to(folder).as_posix()] = Counts(
            translated=sum(bool(m.string) and not m.fuzzy for m in messages),
            fuzzy=sum(m.fuzzy for m in messages),
            untranslated=sum(not m.string for m in messages),
        )
    return result


# What a translation must carry over unchanged: inline formulas, inline code, the targets of roles
# ({cite:p}`kong2021parametric`, the page a {doc} link leads to) and of Markdown links.
FORMULA = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+\$")
CODE = re.compile(r"(?<!})`[^`]+`")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
# Four English words in a row, outside code, formulas and roles, is a sentence left untranslated.
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,-]+[A-Za-z][a-z']+){3,}\b")


def _role_target(role: str, body: str) -> str:
    """What a role points at: the target in ``text <target>``, or the whole body (cite, eq, numref)."""
    inner = re.search(r"<([^<>]+)>\s*$", body)
    return f"{role}:{inner.group(1) if inner else body}"


def _carried(text: str) -> list[str]:
    roles = [_role_target(m["role"], m["body"]) for m in ROLE.finditer(text)]
    bare = ROLE.sub(" ", text)
    return sorted(
        FORMULA.findall(bare)
        + CODE.findall(FORMULA.sub(" ", bare))
        + roles
        + [f"link:{target}" for target in LINK.findall(text)]
    )


def _prose(text: str) -> str:
    """The text without formulas, code, roles and link targets: what a reader reads as language."""
    for pattern in (ROLE, FORMULA, CODE, LINK):
        text = pattern.sub(" ", text)
    return text


def problems(msgid: str, msgstr: str) -> list[str]:
    """Why ``msgstr`` is not a faithful translation of ``msgid`` (an empty list when it is)."""
    found = []
    missing = set(_carried(msgid)) ^ set(_carried(msgstr))
    if missing:
        found.append(f"formulas, code, references or links differ: {sorted(missing)}")
    if "\n\n" in msgstr.strip() and "\n\n" not in msgid:  # a docstring may have paragraphs
        found.append("a blank line splits the message into two paragraphs")
    if re.match(r"\d+[.)]\s", msgstr):
        # Sphinx parses a translated title as Markdown: "1. Title" would be a list, and stay English.
        found.append("starts like a numbered list item: escape it as `1\\. ...`")
    for term in TERM.finditer(msgid):
        names = [name.strip() for name in term["korean"].split(",")]
        if not any(name in msgstr for name in names):
            found.append(
                f"the glossary's Korean term {term['korean']!r} for {term['english']!r} is missing"
            )
    english = ENGLISH_RUN.search(_prose(msgstr))
    if english:
        found.append(f"English left untranslated: {english.group(0)!r}")
    elif ENGLISH_RUN.search(_prose(msgid)) and not re.search(f"[{HANGUL}]", msgstr):
        found.append("no Korean: an English sentence needs a translation, not a copy")
    return found


def check(path: Path, keep: frozenset[str] = frozenset()) -> list[str]:
    """Every problem of one catalogue, as ``line: msgid-start: problem``.

    ``keep``: messages that stay as they are (the glossary's English terms, in its English column).
    """
    with path.open("rb") as file:
        catalogue = read_po(file)
    report = []
    for message in catalogue:
        if message.id in keep and message.string == message.id:
            continue
        if message.id and message.string:
            for problem in problems(str(message.id), str(message.string)):
                report.append(f"{path}:{message.lineno}: {str(message.id)[:50]!r}: {problem}")
    return report


def glossary_terms(root: Path) -> frozenset[str]:
    """The glossary's English terms: its English column stays English in every edition."""
    from paramact.course import glossary, pipeline

    return frozenset(term.english for term in glossary.collect(pipeline.master_notebooks(root)))
