"""Shared fixtures' machinery, and the test tiers.

``make test`` runs everything. ``make test-fast`` runs the library's tier (``-m "not slow"``). The
tests that run notebooks, kernels in the grader's jail, the book build or a browser, that ask the
package index, or that redo stored experiments are marked ``slow`` here, in one place: whole modules
in ``SLOW_MODULES``, single tests in ``SLOW_TESTS``.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest


def once_per_session(request, tmp_path_factory, name: str, build):
    """``build(folder)``, run once per test session, also when pytest-xdist spreads a module over workers.

    The first worker to arrive builds the value under a lock and pickles it; the others load it. Used
    for expensive batches (grading a catalogue of submissions) that many parametrized tests inspect.
    """
    if not hasattr(request.config, "workerinput"):
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # this session's, common to its workers
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / f"{name}.pickle"
        if not saved.exists():
            saved.write_bytes(pickle.dumps(build(shared / name)))
        return pickle.loads(saved.read_bytes())


class LocalServer:
    """``folder`` served over HTTP on 127.0.0.1 (loopback only), quietly; ``requests`` lists the paths
    asked for, ``url`` is the base address (no trailing slash). Close it with :meth:`close`."""

    def __init__(self, folder: Path):
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_request(self, code="-", size="-"):
                server.requests.append(self.path)

            def log_message(self, format, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


SLOW_MODULES = {
    "test_book",
    "test_site",
    "test_pipeline",
    "test_grading_chapters",
    "test_catalogues",
    "test_grading_hostile",
    "test_selfcheck",
    "test_derivation_grading",
    "test_worked_example",
}


# Single slow tests: Sphinx's gettext build and jailed kernels (i18n), pip resolving against the package
# index (platforms), stored experiments redone (xor, mnist_endpoints).
SLOW_TESTS = {
    "test_i18n": {
        "test_catalogues_hold_exactly_the_messages_of_the_english_pages",
        "test_korean_notebooks_are_graded_exactly_like_the_english_ones",
    },
    "test_platforms": {
        "test_binder_install_is_pinned_and_has_what_chapters_import",
        "test_make_setup_install_is_pinned",
    },
    "test_xor": {"test_stored_results_reproduce"},
    "test_mnist_endpoints": {
        "test_stored_endpoints_are_what_todays_code_computes_from_the_stored_runs"
    },
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.parent.name != "tests":
            continue
        name = getattr(item, "originalname", item.name)
        if item.path.stem in SLOW_MODULES or name in SLOW_TESTS.get(item.path.stem, ()):
            item.add_marker(pytest.mark.slow)


BOOK_ROOT = Path(__file__).resolve().parents[1]


def _build_book(folder: Path) -> dict:
    """``paramact book`` (English, then Korean in ``html/ko``; warnings are errors) into ``folder``."""
    build = subprocess.run(
        [str(Path(sys.executable).parent / "paramact"), "book", "--output", str(folder / "_build")],
        capture_output=True,
        text=True,
        cwd=BOOK_ROOT,
    )
    return {
        "returncode": build.returncode,
        "log": build.stdout[-4000:] + build.stderr[-4000:],
        "html": folder / "_build" / "html",
    }


@pytest.fixture(scope="session")
def built_book(request, tmp_path_factory) -> dict:
    """The course built once per test session (the book test and the browser test share it)."""
    return once_per_session(request, tmp_path_factory, "book", _build_book)
