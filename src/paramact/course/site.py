"""Sphinx extension for the course site: every page works offline and loads without console errors.

Listed in ``_config.yml`` (``sphinx.extra_extensions``). It

* serves MathJax 3 from the site instead of Sphinx's default CDN: the part of the copy that the
  ``sphinx-mathjax-offline`` package ships which renders TeX as HTML (``tex-chtml.js``, its fonts, the
  TeX extensions and the accessibility menu with its speech rules), copied into ``_static/mathjax/``;
* lets display formulas wider than a phone's column scroll inside their block (``site.css``);
* gives the site a favicon and the theme a default light/dark mode (both missing ones are errors in
  the browser's console);
* drops the second copy of an inline script that an extension registered twice: ``sphinx-thebe``
  declares ``const THEBE_JS_URL`` once per environment read, and the second declaration is a
  SyntaxError on every page.

* loads the widget manager that renders the stored widget outputs (progress bars, the explorers)
  from the site: ``require.js`` and ``@jupyter-widgets/html-manager``'s ``embed-amd.js`` are vendored
  in ``static/vendor/`` next to this module (its README says where from), and ``widgets-offline.js``
  tells require.js where they are, so that the manager's icon fonts come from the site too. They are
  kept out of the book's ``_static/``, whose every script Jupyter Book loads on every page.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

MATHJAX_PACKAGE = "sphinx-mathjax-offline"
MATHJAX_ENTRY = "mathjax/tex-chtml.js"
# What tex-chtml.js loads on demand: fonts, \require'd TeX extensions, the menu's accessibility tools.
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml", "input/tex", "a11y", "ui", "sre")


def mathjax_source() -> Path:
    """The folder of MathJax files inside the installed ``sphinx-mathjax-offline`` package."""
    spec = importlib.util.find_spec(MATHJAX_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the site needs MathJax from the package {MATHJAX_PACKAGE!r}, which is not installed: "
            f"run `make setup` (or pip install -c constraints.txt {MATHJAX_PACKAGE})"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"


# Loaded in this order on each page that holds widget state (myst-nb's own list would load them from CDNs).
WIDGET_SCRIPTS = ("widgets-offline.js", "vendor/require.js", "vendor/html-manager/embed-amd.js")


STATIC = Path(__file__).resolve().parent / "static"  # served under _static/
SITE_ROOT = Path(__file__).resolve().parent / "site_root"  # copied to the site's top folder


def _use_local_assets(app: Any, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.mathjax_path = MATHJAX_ENTRY
    config.nb_ipywidgets_js = {}
    config.html_favicon = config.html_favicon or str(STATIC / "favicon.svg")
    # For pages without a favicon link (the index redirect), browsers ask for /favicon.ico.
    config.html_extra_path = [*config.html_extra_path, str(SITE_ROOT)]
    # pydata-sphinx-theme logs "invalid theme mode" on a reader's first visit unless a default is named.
    config.html_context = {"default_mode": "auto", **config.html_context}


def _add_widget_scripts(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    from myst_nb.sphinx_ import NbMetadataCollector

    if "ipywidgets_state" in NbMetadataCollector.get_js_files(app.env, pagename):
        for order, script in enumerate(WIDGET_SCRIPTS):
            app.add_js_file(script, priority=900 + order)


def _copy_mathjax(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def _drop_duplicate_scripts(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # Priority is left out: the same script added by two routes differs only in its priority.
        key = (
            getattr(script, "filename", script) or "",
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Any) -> dict:
    app.connect("config-inited", _use_local_assets)
    app.add_css_file("site.css")
    # Early: the event stops at the first handler that returns a template name.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    app.connect("html-page-context", _add_widget_scripts, priority=101)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
