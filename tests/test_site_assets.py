"""The site's own assets: vendored scripts as recorded, MathJax available, duplicate scripts dropped."""

import hashlib
import re

from sphinx.builders.html._assets import _JavaScript

from paramact.course import site

VENDOR = site.STATIC / "vendor"


def test_vendored_files_are_exactly_those_recorded_with_their_checksums():
    recorded = dict(
        (name, digest)
        for digest, name in re.findall(
            r"^\| ([0-9a-f]{64}) \| (\S+) \|$", (VENDOR / "README.md").read_text(), re.M
        )
    )
    present = {
        p.relative_to(VENDOR).as_posix()
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert present == set(recorded), (
        f"vendored files not in README.md's table (or missing): {present ^ set(recorded)}"
    )
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, (
            f"{name} differs from the recorded copy"
        )


def test_widget_loader_points_require_at_the_vendored_manager():
    loader = (site.STATIC / "widgets-offline.js").read_text()
    folder = re.search(r'"_static/(vendor/[^"]+)"', loader).group(1)
    assert (site.STATIC / folder / "embed-amd.js").is_file()
    assert all((site.STATIC / script).is_file() for script in site.WIDGET_SCRIPTS)


def test_mathjax_is_installed_with_every_part_the_site_copies():
    source = site.mathjax_source()
    missing = [part for part in site.MATHJAX_PARTS if not (source / part).exists()]
    assert not missing, f"MathJax parts missing from {source}: {missing}"


def test_a_script_registered_twice_is_kept_once_and_distinct_scripts_all_stay():
    scripts = [
        _JavaScript("", body="const THEBE_JS_URL = 1"),
        _JavaScript(None, priority=800, body="const THEBE_JS_URL = 1"),
        _JavaScript("", body="const other = 2"),
        _JavaScript("_static/a.js"),
        _JavaScript("_static/a.js", priority=900),
        _JavaScript("_static/a.js", **{"async": "async"}),
    ]
    context = {"script_files": list(scripts)}
    site._drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert context["script_files"] == [scripts[0], scripts[2], scripts[3], scripts[5]]
