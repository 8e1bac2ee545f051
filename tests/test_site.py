"""The built site as readers meet it: every page in headless Chromium, at desktop and phone width, offline.

Chromium is the Debian package (``.ci/run`` installs it), driven by Playwright. Where it is missing the
test is skipped with the reason, except in CI (``CI=true``), where it must run. Screenshots of seven pages (two Korean)
at both widths are saved under ``_build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from conftest import LocalServer

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = {"desktop": 1280, "phone": 375}
SCREENSHOT_PAGES = (
    "intro",
    "chapters/01_perceptron/perceptron",
    "chapters/06_parametric_activations/parametric_activations",
    "chapters/09_mnist/mnist",
    "glossary",
    "ko/intro",
    "ko/chapters/06_parametric_activations/parametric_activations",
)
# Every figure must stay legible when a 375 px screen shrinks it to its 343 px column: 10 pt text in a
# figure at most 6 in (600 px at matplotlib's 100 dpi) wide stays above 8 px on the screen.
MAX_FIGURE_WIDTH_PX = 640


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    reason = None
    if path is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Playwright is not installed (make setup installs it)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run in CI: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def site(built_book):
    """The built site served on 127.0.0.1: (base URL, html folder)."""
    assert built_book["returncode"] == 0, built_book["log"]
    server = LocalServer(built_book["html"])
    yield server.url + "/", built_book["html"]
    server.close()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Visit:
    """One page at one width, with everything the browser reported while loading it."""

    def __init__(self, browser, base: str, path: str, width: int):
        self.base, self.problems = base, []
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, service_workers="block"
        )
        self.context.route("**/*", self._only_this_machine)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "assert")
                else None
            ),
        )
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on(
            "requestfailed",
            lambda r: self.problems.append(f"failed request: {r.url} ({r.failure})"),
        )
        self.page.on(
            "response",
            lambda r: (
                self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
            ),
        )
        self.page.goto(base + path, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        # MathJax typesets after load; wait for it where the page loads it.
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null"
        )

    def _only_this_machine(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.problems.append(f"request leaving the machine: {url}")
            route.abort()

    def close(self):
        self.context.close()


def _pages(html: Path) -> list[str]:
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not any(part.startswith("_") for part in p.relative_to(html).parts)
    )


def _chapters() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [entry["file"] for part in toc["parts"] for entry in part["chapters"]]


def test_every_page_loads_offline_without_errors_with_all_math_typeset(site, browser):
    base, html = site
    pages = _pages(html)
    assert {"intro.html", "search.html", "glossary.html"} <= set(pages)
    assert {f"ko/{page}" for page in pages if not page.startswith("ko/")} == {
        page for page in pages if page.startswith("ko/")
    }, "the Korean edition must have every page of the English one"
    report, formulas, figures = [], 0, 0
    for width in WIDTHS.values():
        for path in pages:
            visit = Visit(browser, base, path, width)
            state = visit.page.evaluate(
                """() => {
                const math = [...document.querySelectorAll('.math')];
                const images = [...document.querySelectorAll('main img')].filter(i => !i.closest('.sidebar-secondary'));
                return {
                    formulas: math.length,
                    untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
                    stderr: [...document.querySelectorAll('.output.stderr')].map(o => o.textContent.slice(0, 80)),
                    widgets: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
                    rendered: document.querySelectorAll('.jupyter-widgets').length,
                    figures: images.filter(i => i.src.includes('/_images/')).length,
                    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
                    wide: images.filter(i => i.src.includes('/_images/') && i.naturalWidth > MAX_WIDTH)
                                .map(i => i.src.split('/').pop() + ' ' + i.naturalWidth + ' px'),
                    sideways: (window.scrollTo(200, 0), window.scrollX),
                };
            }""".replace("MAX_WIDTH", str(MAX_FIGURE_WIDTH_PX))
            )
            problems = list(visit.problems)
            problems += [f"formula not typeset: {text!r}" for text in state["untypeset"]]
            problems += [f"stderr shown on the page: {text!r}" for text in state["stderr"]]
            problems += [f"image not loaded: {src}" for src in state["broken"]]
            problems += [f"figure too wide to read on a phone: {text}" for text in state["wide"]]
            if state["widgets"] and not state["rendered"]:
                problems.append(f"{state['widgets']} widget outputs, none rendered")
            if width == WIDTHS["phone"] and state["sideways"]:
                problems.append("the page scrolls sideways at phone width")
            report += [f"{path} at {width} px: {problem}" for problem in problems]
            formulas += state["formulas"]
            figures += state["figures"]
            visit.close()
    assert not report, "\n".join(report)
    assert formulas > 1000 and figures > 20, (
        f"only {formulas} formulas and {figures} figures seen: pages missing?"
    )


def test_phone_menu_opens_and_lists_every_chapter_and_desktop_toggle_collapses_it(site, browser):
    base, _ = site
    chapters = _chapters()
    for width, opens in ((WIDTHS["phone"], True), (WIDTHS["desktop"], False)):
        visit = Visit(browser, base, "chapters/05_training_an_mlp/training_an_mlp.html", width)
        sidebar = visit.page.locator(".bd-sidebar-primary")
        assert sidebar.is_visible() is not opens, (
            f"at {width} px the chapter list must start {'hidden' if opens else 'shown'}"
        )
        toggle = visit.page.locator(".primary-toggle:visible")
        assert toggle.count() == 1, (
            f"at {width} px there must be one visible menu button, found {toggle.count()}"
        )
        toggle.click()
        visit.page.wait_for_timeout(700)  # the sidebar slides in or out
        assert sidebar.is_visible() is opens, (
            f"at {width} px the menu button must {'open' if opens else 'collapse'} the chapter list"
        )
        if opens:
            links = visit.page.eval_on_selector_all(
                ".bd-sidebar-primary a.reference.internal",
                "links => links.filter(a => a.offsetParent).map(a => a.href)",
            )
            missing = [
                c
                for c in chapters
                if not any(link.split("#")[0].endswith(f"/{c}.html") for link in links)
            ]
            assert not missing, f"the phone menu does not list {missing}"
        assert not visit.problems, visit.problems
        visit.close()


@pytest.mark.parametrize("edition", ["", "ko/"])
def test_launch_and_download_links_point_where_config_says(site, browser, edition):
    """Launch buttons open the student notebook of the page's language: chapters/ko/... in Korean."""
    base, _ = site
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repository = config["repository"]["url"].removeprefix("https://github.com/")
    branch, launch = config["repository"]["branch"], config["launch_buttons"]
    for chapter in (c for c in _chapters() if c.startswith("chapters/")):
        notebook = f"{chapter}.ipynb".replace("chapters/", f"chapters/{edition}", 1)
        assert (ROOT / notebook).is_file(), f"no student notebook {notebook}"
        visit = Visit(browser, base, f"{edition}{chapter}.html", WIDTHS["desktop"])
        hrefs = visit.page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        expected = {
            "Binder": f"{launch['binderhub_url']}/v2/gh/{repository}/{branch}?urlpath=tree/{quote(notebook)}",
            "Colab": f"{launch['colab_url']}/github/{repository}/blob/{branch}/{notebook}",
        }
        for name, url in expected.items():
            assert url in hrefs, (
                f"{chapter}: no {name} link to {url}; launch links: {[h for h in hrefs if 'binder' in h or 'colab' in h]}"
            )
        downloads = [h for h in hrefs if h.endswith(".ipynb") and not h.startswith("http")]
        assert downloads, f"{chapter}: no download of the .ipynb"
        response = visit.page.request.get(visit.page.url.rsplit("/", 1)[0] + "/" + downloads[0])
        assert response.ok and b'"cells"' in response.body(), (
            f"{chapter}: the .ipynb download does not serve the notebook"
        )
        served = json.loads(response.body())["cells"][0]["source"]
        expected = json.loads((ROOT / notebook).read_text(encoding="utf-8"))["cells"][0]["source"]
        assert served == expected, f"{edition}{chapter}: the download is not {notebook}"
        visit.close()


@pytest.mark.parametrize(("edition", "term"), [("", "sigmoid"), ("", "활성화"), ("ko/", "활성화")])
def test_offline_search_finds_english_and_korean_terms(site, browser, edition, term):
    base, _ = site
    visit = Visit(browser, base, f"{edition}search.html?q={quote(term)}", WIDTHS["phone"])
    visit.page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    hits = visit.page.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => a.href)"
    )
    assert any(f"/{edition}chapters/" in hit for hit in hits), (
        f"searching {term!r} finds no chapter: {hits}"
    )
    assert not visit.problems, visit.problems
    visit.close()


def test_screenshots_of_seven_pages_at_both_widths(site, browser):
    base, _ = site
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for page in SCREENSHOT_PAGES:
        for name, width in WIDTHS.items():
            visit = Visit(browser, base, f"{page}.html", width)
            edition = "ko-" if page.startswith("ko/") else ""
            target = folder / f"{edition}{page.split('/')[-1]}-{name}.png"
            visit.page.screenshot(path=str(target), full_page=False)
            assert target.stat().st_size > 10_000, f"{target} looks empty"
            visit.close()


@pytest.mark.parametrize("width", WIDTHS.values())
def test_language_switcher_leads_to_the_same_page_in_the_other_language_and_back(
    site, browser, width
):
    base, _ = site
    for page in ("intro", "chapters/06_parametric_activations/parametric_activations", "glossary"):
        visit = Visit(browser, base, f"{page}.html", width)
        visit.page.click("button.btn-language-switcher")
        visit.page.wait_for_url(f"**/ko/{page}.html")
        assert visit.page.get_attribute("html", "lang") == "ko"
        assert "한국어" not in visit.page.inner_text("button.btn-language-switcher")
        visit.page.click("button.btn-language-switcher")
        visit.page.wait_for_url(f"{base}{page}.html")
        assert visit.page.get_attribute("html", "lang") == "en"
        assert not visit.problems, visit.problems
        visit.close()
