"""The site builds with every warning an error, and no solution or hidden test reaches it."""

import shutil
from pathlib import Path

import yaml

from paramact.course.leaks import find_leaks, secret_lines

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "solutions" / "01_perceptron" / "perceptron.ipynb"
RELEASE = ROOT / "chapters" / "01_perceptron" / "perceptron.ipynb"


def test_secret_lines_cover_solutions_and_hidden_tests_but_not_the_release():
    secrets = secret_lines(MASTER, RELEASE)
    assert "### BEGIN SOLUTION" in secrets and "### END HIDDEN TESTS" in secrets
    assert "return (np.asarray(u) > 0).astype(np.float64)" in secrets
    public = RELEASE.read_text()
    assert all(s not in public for s in secrets if not s.startswith("###")), (
        "a secret line is in the release"
    )


def test_leak_check_finds_a_solution_line_hidden_in_highlighted_html(tmp_path):
    (tmp_path / "page.html").write_text(
        '<pre><span class="k">return</span> <span class="p">(</span>np<span class="o">.</span>asarray(u) '
        "&gt; 0).astype(np.float64)</pre>"
    )
    leaks = find_leaks(ROOT, tmp_path)
    assert [leak.secret for leak in leaks] == ["return (np.asarray(u) > 0).astype(np.float64)"]


def test_leak_check_passes_the_released_chapter_and_flags_a_copied_master(tmp_path):
    shutil.copy(RELEASE, tmp_path / "perceptron.ipynb")
    assert find_leaks(ROOT, tmp_path) == []
    (tmp_path / "solutions").mkdir()
    shutil.copy(MASTER, tmp_path / "solutions" / "perceptron.ipynb")
    assert find_leaks(ROOT, tmp_path), "a master copied into the build must be reported"


def test_book_builds_with_warnings_as_errors_and_leaks_nothing(built_book):
    assert built_book["returncode"] == 0, built_book["log"]
    html = built_book["html"]
    page = (html / "chapters" / "01_perceptron" / "perceptron.html").read_text()
    assert "mybinder.org" in page and "colab.research.google.com" in page, "launch buttons missing"
    assert "perceptron.ipynb" in page, "download of the .ipynb missing"
    assert "NotImplementedError" in page, "the stubs' expected failures must be shown"
    assert "Rosenblatt" in (html / "references.html").read_text(), "bibliography missing"
    assert find_leaks(ROOT, html) == []


def test_korean_site_is_built_beside_the_english_one_in_korean(built_book):
    assert built_book["returncode"] == 0, built_book["log"]
    html = built_book["html"]
    english = (html / "chapters" / "01_perceptron" / "perceptron.html").read_text()
    korean = (html / "ko" / "chapters" / "01_perceptron" / "perceptron.html").read_text()
    assert '<html lang="ko"' in korean and '<html lang="en"' in english
    assert "퍼셉트론" in korean and "This first chapter builds" not in korean
    assert "NotImplementedError" in korean, "the Korean pages show the same stubs"
    assert "btn-language-switcher" in english and "btn-language-switcher" in korean
    assert "chapters/ko/01_perceptron/perceptron.ipynb" in korean, "launch buttons: Korean notebook"
    assert "검색" in (html / "ko" / "search.html").read_text(), "the theme's labels are Korean"
    english_labels = [
        "Back to top",
        "Link to this heading",
        "Search this book",
        "Open issue",
        " By ",
    ]
    assert not [label for label in english_labels if label in korean], "theme labels in English"
    assert "맨 위로" in korean and "지은이" in korean and "으로 The" not in korean
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    captions = [part["caption"] for part in toc["parts"]]
    assert not [c for c in captions if c in korean], "the sidebar's part captions are English"
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert f"{config['title']}</title>" in english and f"{config['title']}</title>" not in korean
    assert find_leaks(ROOT, html / "ko") == []
