"""Every stored experiment result was made by today's code: the source digests it records match.

A results file records the SHA-256 digests of the modules that made its data
(``environment.sources_sha256``, :func:`paramact.experiments.common.source_digests`). When one of
those modules changes, this test fails until the file is regenerated with the command that
``results/README.md`` gives for it. Derived files (tables, summaries, the MNIST comparisons) are
recomputed from the data by the tests of their experiment instead.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from paramact.experiments.common import source_digests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = sorted(
    path
    for folder in ("xor", "mnist")
    for path in (ROOT / "results" / folder).glob("*.json")
    if path.name != "endpoints.json"  # derived from the mnist files; see test_mnist_endpoints
)
README = (ROOT / "results" / "README.md").read_text() + (
    ROOT / "results" / "mnist" / "README.md"
).read_text()


def test_there_are_results_to_check():
    assert {path.parent.name for path in RESULTS} == {"xor", "mnist"}


@pytest.mark.parametrize("path", RESULTS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_recorded_source_digests_match_todays_code(path):
    environment = json.loads(path.read_text())["environment"]
    recorded = environment.get("sources_sha256")
    assert recorded, f"{path} records no source digests (environment.sources_sha256)"
    modules = [importlib.import_module(name) for name in recorded]
    stale = sorted(
        name for name, digest in source_digests(modules).items() if digest != recorded[name]
    )
    assert not stale, (
        f"{path.relative_to(ROOT)} was made by other code than today's ({', '.join(stale)} "
        "changed): regenerate it with the command in results/README.md"
    )


@pytest.mark.parametrize("path", RESULTS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_results_file_has_its_command_in_the_readme(path):
    assert path.stem in README or path.name in README, (
        f"results/README.md (or results/mnist/README.md) does not say how {path.name} is made"
    )
