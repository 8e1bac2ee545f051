"""Prove that the built site shows students nothing of the solutions: ``paramact leaks _build/html``.

A *secret line* is a line inside a ``### BEGIN SOLUTION`` / ``### END SOLUTION`` or
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` block of a master notebook (or a whole
Markdown solution cell) whose text does not also appear in a released chapter (the narrative may quote a
name; a line such as ``import warnings`` may be public elsewhere), plus the marker lines themselves. The
check fails when any secret line occurs in the text of any built file (HTML is compared on its visible
text, so syntax highlighting cannot hide a match) or when a master notebook was copied into the build.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from paramact.course.pipeline import CHAPTER_DIR, MASTER_DIR, master_notebooks

MARKERS = {
    "### BEGIN SOLUTION": "### END SOLUTION",
    "### BEGIN HIDDEN TESTS": "### END HIDDEN TESTS",
}
# Shorter lines (``return x``, ``pass``) are too common to prove a leak.
MIN_SECRET_LENGTH = 12
TEXT_SUFFIXES = {".html", ".txt", ".ipynb", ".md", ".js", ".json", ".py"}


@dataclass(frozen=True)
class Leak:
    built_file: Path
    secret: str
    master: Path

    def __str__(self) -> str:
        return f"{self.built_file}: shows {self.secret!r} from {self.master}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _cell_lines(notebook: dict) -> Iterator[tuple[dict, list[str]]]:
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        yield cell, ("".join(source) if isinstance(source, list) else source).splitlines()


def secret_lines(master: Path, release: Path | None) -> set[str]:
    """The lines of the master notebook file that must never reach students (see the module docstring)."""
    released = (
        json.loads(release.read_text(encoding="utf-8"))
        if release is not None and release.is_file()
        else None
    )
    return secrets_of(json.loads(master.read_text(encoding="utf-8")), released)


def public_text(*releases: dict | None) -> str:
    """What released chapters show, squashed (Markdown's code backticks do not show on the page)."""
    return _squash(
        " ".join(
            " ".join(lines)
            for release in releases
            if release is not None
            for _, lines in _cell_lines(release)
        )
    ).replace("`", "")


def secrets_of(notebook: dict, release: dict | None, public: str | None = None) -> set[str]:
    """:func:`secret_lines` of notebooks already read, whitespace runs squashed to one space.

    ``public`` (from :func:`public_text`) is what students can see anyway; by default, ``release``.
    """
    public = public_text(release) if public is None else public
    secrets: set[str] = set()
    for cell, lines in _cell_lines(notebook):
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown" and grading.get("solution"):
            secrets.update(_squash(line) for line in lines)
            continue
        closing = None
        for line in lines:
            stripped = line.strip()
            if closing is None and stripped in MARKERS:
                closing = MARKERS[stripped]
                secrets.add(stripped)
            elif closing is not None and stripped == closing:
                secrets.add(stripped)
                closing = None
            elif closing is not None:
                secrets.add(_squash(line))
    return {
        s
        for s in secrets
        if s in MARKERS
        or s in MARKERS.values()
        or (len(s) >= MIN_SECRET_LENGTH and s not in public)
    }


def built_text(path: Path) -> str:
    """The text a reader can see in a built file (tags stripped and entities decoded for HTML)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return _squash(text)


def find_leaks(root: Path, build_dir: Path) -> list[Leak]:
    """Every secret line of every master found in ``build_dir``; empty when the build is clean."""
    masters = master_notebooks(root)
    releases = [root / CHAPTER_DIR / master.parent.name / master.name for master in masters]
    # A line that some released chapter shows (``import warnings``) is public, whichever master it is in.
    public = public_text(
        *(json.loads(r.read_text(encoding="utf-8")) for r in releases if r.is_file())
    )
    secrets: dict[str, Path] = {}
    for master in masters:
        for secret in secrets_of(json.loads(master.read_text(encoding="utf-8")), None, public):
            secrets.setdefault(secret, master.relative_to(root))
    leaks = []
    for path in sorted(p for p in build_dir.rglob("*") if p.is_file()):
        if MASTER_DIR in path.relative_to(build_dir).parts:
            leaks.append(
                Leak(path, "(a master notebook was copied into the build)", Path(MASTER_DIR))
            )
            continue
        if path.suffix not in TEXT_SUFFIXES:
            continue
        text = built_text(path)
        leaks += [
            Leak(path, secret, master) for secret, master in secrets.items() if secret in text
        ]
    return leaks
