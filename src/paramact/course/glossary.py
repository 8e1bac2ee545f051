"""The English-Korean glossary of the book, generated from the chapters themselves.

A chapter introduces a key term once, in bold (or italics) followed by its Korean name in parentheses:
``**activation function** (활성화 함수)``. :func:`collect` finds every such pair in the masters'
Markdown cells and :func:`render` writes the glossary page, so the glossary has no second source:
``paramact release`` regenerates ``glossary.md`` with the chapters, and ``paramact release --check``
fails when it is out of date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

GLOSSARY_FILE = "glossary.md"
HANGUL = "\uac00-\ud7a3"
# **term** (한국어) or *term* (한국어); the parenthesis must contain Hangul.
TERM = re.compile(rf"(\*\*|\*)(?P<english>[^*\n]+?)\1\"?\s*\((?P<korean>[^()]*[{HANGUL}][^()]*)\)")


@dataclass(frozen=True)
class Term:
    english: str
    korean: str
    chapter: str  # the chapter folder, e.g. "02_activation_functions"
    document: (
        str  # the book's document of that chapter, e.g. "chapters/02_.../activation_functions"
    )


def _key(english: str) -> str:
    """The term as compared: lower case, and a plural last word read as singular ("finite differences")."""
    words = english.lower().split()
    if (
        words
        and len(words[-1]) > 3
        and words[-1].endswith("s")
        and not words[-1].endswith(("ss", "is", "us", "as"))
    ):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def collect(masters: list[Path]) -> list[Term]:
    """Every marked term at its first use in the course, in order of appearance.

    Examples:
        >>> import json, tempfile
        >>> folder = Path(tempfile.mkdtemp()) / "solutions" / "02_demo"
        >>> folder.mkdir(parents=True)
        >>> cell = {"cell_type": "markdown", "source": "An **activation function** (활성화 함수) and a *bias* (편향)."}
        >>> _ = (folder / "demo.ipynb").write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
        >>> [(t.english, t.korean) for t in collect([folder / "demo.ipynb"])]
        [('activation function', '활성화 함수'), ('bias', '편향')]
        >>> _key("Finite differences") == _key("finite difference") and _key("bias") == "bias"
        True
    """
    seen: dict[str, Term] = {}
    for master in masters:
        notebook = json.loads(master.read_text(encoding="utf-8"))
        chapter = master.parent.name
        document = f"chapters/{chapter}/{master.stem}"
        for cell in notebook["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for match in TERM.finditer(source):
                english = " ".join(match["english"].split())
                korean = " ".join(match["korean"].split())
                seen.setdefault(_key(english), Term(english, korean, chapter, document))
    return list(seen.values())


def render(terms: list[Term]) -> str:
    """The Markdown of the glossary page: one row per term, alphabetical, linked to its chapter."""
    lines = [
        "# Glossary (용어집)",
        "",
        "Every key term of the course with its Korean name, as introduced in the chapter linked beside it.",
        "This page is generated from the chapters (`paramact release`); do not edit it by hand.",
        "",
        "| English | 한국어 | introduced in |",
        "|---|---|---|",
    ]
    for term in sorted(terms, key=lambda t: _key(t.english)):
        number = term.chapter.split("_")[0].lstrip("0")
        lines.append(
            f"| {term.english} | {term.korean} | {{doc}}`Chapter {number} </{term.document}>` |"
        )
    return "\n".join(lines) + "\n"


def write(root: Path, masters: list[Path]) -> Path:
    """Regenerate ``glossary.md`` in ``root``; returns its path."""
    path = root / GLOSSARY_FILE
    path.write_text(render(collect(masters)), encoding="utf-8")
    return path
