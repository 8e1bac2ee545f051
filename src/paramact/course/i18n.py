"""Sphinx extension for the Korean edition: what is translated, and how a reader switches language.

Listed in ``_config.yml`` (``sphinx.extra_extensions``). The Korean text lives in gettext catalogues,
``locale/ko/LC_MESSAGES/<page>.po``, one per page, extracted from the English pages by Sphinx's
``gettext`` builder and merged by ``sphinx-intl`` (``paramact translate update``). Building with
``language = "ko"`` (``paramact book``) swaps every paragraph, title, caption and table cell for its
translation. This extension

* keeps display formulas out of the catalogues: they read the same in both languages;
* translates the comments and stub docstrings of code cells on the Korean pages from the same
  catalogue (context ``code``, :mod:`paramact.course.code_messages`), as in the Korean notebooks;
* adds a language switcher to every page, leading to the same page in the other edition, which lives
  in the site's ``ko/`` folder;
* points the Korean pages' Colab and Binder buttons at the Korean student notebooks
  (``chapters/ko/...``), which ``paramact release`` generates from the same catalogues, and serves
  them from the download button;
* translates what Sphinx's Locale transform cannot reach: the part captions of ``_toc.yml`` and the
  site's title (a message of the root page's catalogue with the context ``site``);
* gives the theme's own labels in Korean where the theme ships no Korean catalogue.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

LANGUAGES = {"en": "English", "ko": "한국어"}
SWITCH_TOOLTIPS = {"en": "Read this page in English", "ko": "이 페이지를 한국어로 읽기"}
SECOND_EDITION = "ko"  # the Korean site is built into this folder of the English one
THEME_LABELS = Path(__file__).resolve().parent / "locale"  # <language>/LC_MESSAGES/theme.po
THEME_DOMAINS = ("sphinx", "booktheme")  # pydata-sphinx-theme's labels, sphinx-book-theme's


class KeepFormulasUntranslated(SphinxTransform):
    """Display formulas are notation, not prose: leave them out of the catalogues."""

    default_priority = 10  # before sphinx.transforms.i18n.Locale (20) replaces messages

    def apply(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False


class TranslateCodeProse(SphinxTransform):
    """On a translated page, the comments and docstrings of the notebook's code cells."""

    default_priority = 30  # after sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        from paramact.course import code_messages
        from paramact.course.localise import Catalogue

        language = self.config.language
        if language not in LANGUAGES or language == "en" or not self.config.locale_dirs:
            return
        folder = Path(self.env.srcdir) / self.config.locale_dirs[0] / language / "LC_MESSAGES"
        path = folder / f"{self.env.docname}.po"
        if not path.is_file():
            return
        catalogue = Catalogue.read(path).code
        for block in self.document.findall(nodes.literal_block):
            cell = block.parent.parent if block.parent is not None else None
            if cell is None or "cell_input" not in block.parent.get("classes", []):
                continue
            metadata = cell.get("cell_metadata", {})
            if not code_messages.is_translated_cell({"cell_type": "code", "metadata": metadata}):
                continue
            text = block.astext()
            translated = code_messages.translate(text, catalogue.get)
            if translated != text:
                block.children = [nodes.Text(translated)]
                block.rawsource = translated


class TranslateTocCaptions(SphinxTransform):
    """The part captions of ``_toc.yml``: sphinx-external-toc inserts its toctrees (priority 100) after
    Sphinx's Locale transform (20) translated the page, so they are translated here."""

    default_priority = 101

    def apply(self, **kwargs: Any) -> None:
        from sphinx.locale import init as init_locale
        from sphinx.util.i18n import docname_to_domain

        if self.config.language in (None, "en") or not self.config.locale_dirs:
            return
        folders = [str(Path(self.env.srcdir) / folder) for folder in self.config.locale_dirs]
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalogue, found = init_locale(folders, self.config.language, domain)
        if not found:
            return
        for toctree in self.document.findall(addnodes.toctree):
            for original in toctree.extract_original_messages():
                translated = catalogue.gettext(original)
                if translated != original:
                    toctree.apply_translated_message(original, translated)


SITE_CONTEXT = "site"  # the context of the site title's message, in the root page's catalogue


def _translate_site_texts(app: Any, config: Any) -> None:
    """The Korean site's title, author and search placeholder, from the root page's catalogue."""
    from babel.messages.pofile import read_po

    if config.language in (None, "en") or not config.locale_dirs:
        return
    path = Path(app.srcdir) / config.locale_dirs[0] / config.language / "LC_MESSAGES"
    path = path / f"{config.root_doc}.po"
    if not path.is_file():
        return
    with path.open("rb") as file:
        catalogue = read_po(file)

    def translated(text: str) -> str:
        message = catalogue.get(text, context=SITE_CONTEXT)
        if message is None or not message.string or message.fuzzy:
            return text
        return str(message.string)

    config.html_title = translated(config.html_title)
    config.author = translated(config.author)
    options = config.html_theme_options
    if "search_bar_text" in options:
        options["search_bar_text"] = translated(options["search_bar_text"])


def edition_page(pagename: str, language: str) -> str:
    """The path, from the site's top folder, of ``pagename`` in the edition of ``language``."""
    return f"{pagename}.html" if language == "en" else f"{language}/{pagename}.html"


def korean_notebook(pagename: str) -> str:
    """The Korean student notebook of a chapter page: chapters/ko/<NN_topic>/<topic>."""
    parts = pagename.split("/")
    return "/".join([parts[0], SECOND_EDITION, *parts[1:]])


def _language(app: Any) -> str:
    return app.config.language if app.config.language in LANGUAGES else "en"


def _add_switcher(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """A header button leading to the same page in the other edition."""
    here = _language(app)
    other = "en" if here != "en" else SECOND_EDITION
    to_top = "../" * pagename.count("/") + ("../" if here != "en" else "")
    target = to_top + edition_page(pagename, other)
    context.setdefault("header_buttons", []).insert(
        0,
        {
            "type": "javascript",
            "javascript": f"window.location.href='{target}'",
            "tooltip": SWITCH_TOOLTIPS[other],
            "icon": "fas fa-language",
            "text": LANGUAGES[other],
            "label": "language-switcher",
        },
    )


def _point_launchers_at_korean_notebooks(app: Any, pagename: str, *args: Any) -> None:
    """On Korean pages, Colab and Binder open the Korean student notebook."""
    context = args[1]
    if _language(app) == "en" or not pagename.startswith("chapters/"):
        return
    english, korean = f"{pagename}.ipynb", f"{korean_notebook(pagename)}.ipynb"

    def rewrite(buttons: list) -> None:
        for button in buttons:
            if button.get("type") == "group":
                rewrite(button.get("buttons", []))
            elif button.get("url", "").endswith(english) and "_sources" not in button["url"]:
                button["url"] = button["url"][: -len(english)] + korean

    rewrite(context.get("header_buttons", []))


def _add_theme_labels(app: Any) -> None:
    """Add ``theme.po`` of the build's language to the themes' catalogues.

    Behind Sphinx's and pydata-sphinx-theme's (it fills their gaps), in front of
    sphinx-book-theme's, whose Korean footer reads "으로 <author>" for "By <author>".
    """
    import gettext

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from sphinx import locale

    source = THEME_LABELS / _language(app) / "LC_MESSAGES" / "theme.po"
    if not source.is_file():
        return
    with source.open("rb") as file:
        catalogue = read_po(file)
    compiled = Path(app.doctreedir) / "theme-labels"
    folder = compiled / _language(app) / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    for domain in THEME_DOMAINS:
        with (folder / f"{domain}.mo").open("wb") as file:
            write_mo(file, catalogue)
        app.add_message_catalog(domain, str(compiled))  # behind the theme's own catalogue
    theirs = locale.translators.get(("general", "booktheme"))
    if isinstance(theirs, gettext.GNUTranslations):  # and in front of sphinx-book-theme's mistakes
        with (folder / "booktheme.mo").open("rb") as file:
            theirs._catalog.update(gettext.GNUTranslations(file)._catalog)  # type: ignore[attr-defined]


def _serve_korean_notebooks(app: Any, exception: Exception | None) -> None:
    """The Korean pages' download button serves the Korean student notebook."""
    if exception is not None or _language(app) == "en" or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    for docname in app.env.found_docs:
        korean = Path(app.srcdir) / f"{korean_notebook(docname)}.ipynb"
        served = sources / f"{docname}.ipynb"
        if docname.startswith("chapters/") and korean.is_file() and served.is_file():
            shutil.copyfile(korean, served)


def setup(app: Any) -> dict:
    app.add_transform(KeepFormulasUntranslated)
    app.add_transform(TranslateCodeProse)
    app.add_transform(TranslateTocCaptions)
    app.connect("config-inited", _translate_site_texts, priority=900)
    _add_theme_labels(app)
    # After sphinx-book-theme fills the header buttons (priority 501).
    app.connect("html-page-context", _point_launchers_at_korean_notebooks, priority=600)
    app.connect("html-page-context", _add_switcher, priority=601)
    app.connect("build-finished", _serve_korean_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
