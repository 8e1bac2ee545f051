"""Results files: write them, read them back (old keys translated), redraw them without training.

A results file ``<stem>.json`` holds the dict of :func:`~paramact.experiments.mnist.run_mnist`;
``<stem>_summary.md`` its tables and ``<stem>_<figure>.png/.svg`` its figures.

>>> default_stem("fashion-mnist", "softmax", 2000)
'fashion-mnist_softmax_subset2000'
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from paramact import data as datasets
from paramact.experiments.common import RENAMED_PROTOCOL_KEYS, dump_json
from paramact.experiments.mnist.analysis import summarise
from paramact.experiments.mnist.config import SCHEMA, Arm
from paramact.experiments.mnist.endpoints import (
    PRIMARY,
    SECONDARY,
    endpoints_table,
    evaluate_endpoints,
)
from paramact.experiments.mnist.errors import ResultsFileError
from paramact.experiments.mnist.tables import format_tables

__all__ = [
    "STEMS",
    "RENAMED_KEYS",
    "default_stem",
    "write_outputs",
    "translate",
    "load_results",
    "load_stored",
    "render_from_json",
    "add_test_labels",
    "write_endpoints",
    "load_endpoints",
]

#: The stored results of the course (``results/mnist/<stem>.json``), as chapter 9 shows them.
STEMS = ("mnist_softmax", "mnist_softmax_150epochs", "fashion-mnist_softmax", "mnist_relu")
#: Old key -> key in today's vocabulary, per block of a results file (:func:`translate`).
RENAMED_KEYS = {
    "environment": {"paramact_sources_sha256": "sources_sha256"},
    "protocol": RENAMED_PROTOCOL_KEYS,
}
#: Protocol keys that older files lack, with the value the code that wrote them always used.
MISSING_DEFAULTS = {"a_init": 1.0, "b_init": 0.0}


def default_stem(dataset: str, output: str, subset: int | None) -> str:
    """File-name stem for a run, e.g. ``mnist_softmax`` or ``fashion-mnist_relu_subset2000``.

    >>> default_stem("mnist", "relu", None)
    'mnist_relu'
    """
    return f"{dataset}_{output}" + (f"_subset{subset}" if subset else "")


def write_outputs(
    results: dict, out_dir: str | os.PathLike, stem: str, figures: bool = True
) -> list[Path]:
    """Write ``<stem>.json``, ``<stem>_summary.md`` and (``figures``) the figures; the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(dump_json(results))
    summary_path = out_dir / f"{stem}_summary.md"
    summary_path.write_text(format_tables(results))
    written = [json_path, summary_path]
    if figures:
        from paramact.experiments.mnist.figures import plot_results

        written += plot_results(results, out_dir, stem)
    return written


def translate(results: dict) -> dict:
    """``results`` with old keys renamed to today's vocabulary (see :data:`RENAMED_KEYS`), in place.

    >>> old = {"environment": {"paramact_sources_sha256": {}}, "protocol": {"scale_lr": 0.1}}
    >>> translate(old)["environment"], translate(old)["protocol"]
    ({'sources_sha256': {}}, {'lr_scale': 0.1, 'a_init': 1.0, 'b_init': 0.0})
    """
    for block, renamed in RENAMED_KEYS.items():
        section = results.get(block)
        if isinstance(section, dict):
            results[block] = {renamed.get(key, key): value for key, value in section.items()}
    protocol = results.get("protocol")
    if isinstance(protocol, dict):
        for key, value in MISSING_DEFAULTS.items():
            protocol.setdefault(key, value)
    return results


def load_results(path: str | os.PathLike) -> dict:
    """Read a results JSON of this experiment, old files included (their keys are translated).

    Raises :class:`ResultsFileError` (a ``ValueError``) when the file is missing, not JSON, not a
    results file of this experiment, or lacks one of its parts.
    """
    path = Path(path)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsFileError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsFileError(f"{path}: not a JSON file ({error})") from None
    if not isinstance(results, dict) or results.get("schema") != SCHEMA:
        schema = results.get("schema") if isinstance(results, dict) else None
        raise ResultsFileError(f"{path}: not a results file of this experiment (schema {schema!r})")
    for part, kind in (("protocol", dict), ("data", dict), ("runs", list)):
        if not isinstance(results.get(part), kind):
            raise ResultsFileError(f"{path}: its {part!r} is missing or is not a {kind.__name__}")
    return translate(results)


def load_stored(
    stems: Iterable[str] = STEMS, folder: str | os.PathLike | None = None
) -> dict[str, dict]:
    """The results that are available here: stem -> results (old keys translated).

    From ``folder`` when given (e.g. your own ``paramact mnist --out my_results``), else the
    course's stored results through :func:`paramact.stored.stored_result` (the repository's
    verified file, or a verified download). Stems that are not available are left out.
    """
    from paramact.stored import StoredResultUnavailable, stored_result

    found = {}
    for stem in stems:
        try:
            path = (
                stored_result(f"mnist/{stem}.json")
                if folder is None
                else Path(folder) / f"{stem}.json"
            )
            found[stem] = load_results(path)
        except (StoredResultUnavailable, FileNotFoundError):
            continue
    return found


def render_from_json(
    path: str | os.PathLike, figures: bool = True, out_dir: str | os.PathLike | None = None
) -> tuple[dict, list[Path]]:
    """Recompute the summary, tables and figures of a stored results JSON without training.

    The files are written under the same stem into ``out_dir`` (default: next to ``path``, which
    is then rewritten in today's vocabulary). Returns the results and the paths written.
    """
    path = Path(path)
    results = add_test_labels(load_results(path))
    results["summary"] = summarise(
        results["runs"], [Arm.from_name(name) for name in results["protocol"]["arms"]]
    )
    return results, write_outputs(
        results, path.parent if out_dir is None else out_dir, path.stem, figures
    )


def add_test_labels(results: dict, data: datasets.MnistArrays | None = None) -> dict:
    """``results`` with the test labels as a string of digits in ``data.y_test_labels``, in place.

    They come from ``data`` (default: the data set of the protocol, loaded with
    :mod:`paramact.data`) and must match the file's ``y_test_idx_sha256``; with them the stored
    per-image predictions can be judged without the data set. Files that have them are unchanged.
    """
    block = results["data"]
    if "y_test_labels" in block:
        return results
    if data is None:
        data = datasets.load_dataset(results["protocol"]["dataset"])
    labels = np.asarray(data.y_test, dtype=np.uint8)
    if datasets.idx_sha256(labels) != block["y_test_idx_sha256"]:
        raise ResultsFileError(
            "the test labels of the data set differ from those the results were made with "
            "(y_test_idx_sha256); pass the same data set"
        )
    block["y_test_labels"] = (labels + ord("0")).tobytes().decode("ascii")
    return results


def write_endpoints(
    folder: str | os.PathLike, out_dir: str | os.PathLike | None = None
) -> tuple[dict, list[Path]]:
    """Compute the declared comparisons (:mod:`~paramact.experiments.mnist.endpoints`) from the
    results files in ``folder``; write ``endpoints.json`` and ``endpoints.md`` into ``out_dir``
    (default: ``folder``). Returns the document and the paths written."""
    folder = Path(folder)
    stems = dict.fromkeys(comparison.stem for comparison in (PRIMARY, *SECONDARY))
    found = {
        stem: load_results(folder / f"{stem}.json")
        for stem in stems
        if (folder / f"{stem}.json").is_file()
    }
    if PRIMARY.stem not in found:
        raise ResultsFileError(
            f"{folder / f'{PRIMARY.stem}.json'} is missing: run paramact mnist first"
        )
    document = evaluate_endpoints(found)
    out = Path(folder if out_dir is None else out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, table_path = out / "endpoints.json", out / "endpoints.md"
    json_path.write_text(dump_json(document))
    table_path.write_text(endpoints_table(document))
    return document, [json_path, table_path]


def load_endpoints(folder: str | os.PathLike | None = None) -> dict | None:
    """The declared comparisons as :func:`write_endpoints` stored them, or None when not here.

    From ``folder`` when given, else the course's stored ``mnist/endpoints.json`` (verified, as
    :func:`load_stored` does).
    """
    from paramact.stored import StoredResultUnavailable, stored_result

    try:
        path = (
            stored_result("mnist/endpoints.json")
            if folder is None
            else Path(folder) / "endpoints.json"
        )
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (StoredResultUnavailable, FileNotFoundError):
        return None
