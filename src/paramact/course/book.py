"""Build the site in both languages: ``paramact book`` (``make book``).

The English site goes to ``<build>/html``, the Korean one to ``<build>/html/ko``, both from the same
sources with Jupyter Book's Sphinx configuration (``_config.yml``, ``_toc.yml``); the Korean build reads
the translations of ``locale/ko`` (``language = "ko"``). Notebooks execute once: both builds share one
execution cache, keyed by the code cells, which the two languages have in common. Every warning is an
error, and references are checked (``-W -n``, as ``jupyter-book build -W -n --keep-going``).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from paramact.course.i18n import LANGUAGES, SECOND_EDITION


class BuildError(RuntimeError):
    """The book did not build cleanly; the message holds the end of Sphinx's log."""


def site_folder(build: Path, language: str) -> Path:
    """Where the site of ``language`` is written inside the build folder."""
    return build / "html" if language == "en" else build / "html" / language


def build(
    root: Path, build: Path | None = None, languages: tuple[str, ...] = tuple(LANGUAGES)
) -> Path:
    """Build the book at ``root`` in each of ``languages`` (English first); returns the English site."""
    from jupyter_book.sphinx import build_sphinx

    build = build or root / "_build"
    for language in languages:
        if language not in LANGUAGES:
            raise ValueError(f"no edition in {language!r}: the book has {sorted(LANGUAGES)}")
        overrides = {
            "external_toc_path": str(root / "_toc.yml"),
            "latex_individualpages": False,
            "nitpicky": True,
            "language": language,
            "nb_execution_cache_path": str(build / ".jupyter_cache"),
        }
        log = io.StringIO()
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            failed = build_sphinx(
                root,
                site_folder(build, language),
                noconfig=True,
                path_config=str(root / "_config.yml"),
                confoverrides=overrides,
                builder="html",
                doctreedir=str(build / f".doctrees-{language}"),
                warningiserror=True,
                keep_going=True,
            )
        if failed:
            raise BuildError(
                f"the {LANGUAGES[language]} site did not build:\n{log.getvalue()[-6000:]}"
            )
    return site_folder(build, "en")


__all__ = ["BuildError", "build", "site_folder", "SECOND_EDITION"]
