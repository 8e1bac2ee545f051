"""Hostile and broken submissions of Chapter 1, for ``tests/test_grading_hostile.py``.

Every submission is built from the student release (``chapters/01_perceptron``) with some answer cells
replaced: an *honest* answer is the master's solution cell for that id, anything else is an attack or
a mistake. :func:`cases` returns the catalogue, each case with the points the grader must give it per
exercise and words its reasons must contain. An exercise can earn points only if its own answer and
the answers it uses are honest (``NEEDS``): :func:`honest_points` is that upper bound.

Run as a script to write a batch for timing ``paramact grade``::

    python tests/hostile_submissions.py DIR 50
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"
MASTER = ROOT / "solutions" / CHAPTER / NOTEBOOK
RELEASE = ROOT / "chapters" / CHAPTER / NOTEBOOK
RECORD_MIME = "application/vnd.paramact.record+json"

POINTS = {"step_tests": 2.0, "gates_tests": 3.0, "train_tests": 3.0, "xor_tests": 2.0}
ANSWERS = ("step_impl", "gates_impl", "train_impl", "xor_impl")
# The answers each test cell runs: perceptron() calls step(), xor() calls perceptron().
NEEDS = {"step_tests": {"step_impl"}, "gates_tests": {"step_impl", "gates_impl"},
         "train_tests": {"step_impl", "train_impl"}, "xor_tests": {"step_impl", "gates_impl", "xor_impl"}}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def honest(answer_id: str) -> str:
    """The master's solution for an answer cell."""
    return next(_source(c) for c in _load(MASTER)["cells"] if c.get("id") == answer_id)


def submission(**answers: str | bool) -> dict:
    """The release notebook with answers: ``submission(step_impl=True, xor_impl="...")``.

    ``True`` stands for the honest answer; answer cells not named keep the release's stub.
    """
    notebook = _load(RELEASE)
    unknown = set(answers) - set(ANSWERS)
    assert not unknown, f"no answer cells {unknown}"
    for cell in notebook["cells"]:
        if cell.get("id") in answers:
            answer = answers[cell["id"]]
            cell["source"] = honest(cell["id"]) if answer is True else answer
    return notebook


def honest_points(honest_ids: set[str]) -> dict[str, float]:
    """The most each exercise may earn when only ``honest_ids`` are honest answers."""
    return {test: POINTS[test] if NEEDS[test] <= honest_ids else 0.0 for test in POINTS}


def test_cell(notebook: dict, grade_id: str) -> dict:
    return next(c for c in notebook["cells"] if c.get("id") == grade_id)


@dataclass
class Case:
    """One submission: what it tries, the points it must get, words its reasons must contain.

    ``points`` maps each exercise to the points expected (None: not graded at all). ``reasons`` maps
    a grade id, ``"notes"`` or ``"error"`` to text that must appear in it (case-insensitive; ``a|b``:
    either).
    """

    student: str
    kind: str
    content: dict | bytes
    honest: set[str]
    points: dict[str, float] | None
    reasons: dict[str, str] = field(default_factory=dict)
    path: str = ""  # where to write it, relative to the submissions folder (default <student>.ipynb)
    extra: dict[str, bytes] = field(default_factory=dict)  # more files next to it: relative path -> bytes

    def write(self, folder: Path) -> list[Path]:
        """Write the submission's files under ``folder``; returns their paths."""
        data = self.content if isinstance(self.content, bytes) else json.dumps(self.content, indent=1).encode()
        written = []
        for relative, content in {self.path or f"{self.student}.ipynb": data, **self.extra}.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(target)
        return written

    @property
    def bound(self) -> dict[str, float]:
        return honest_points(self.honest)


# Answers that use the reference step (which fires at 0, unlike the exercise's) to get the right values.
REFERENCE_STEP = "    return 1.0 - _ref(-np.asarray(u, dtype=np.float64))\n"
ALL = set(ANSWERS)
FIRST_TWO = {"step_impl", "gates_impl"}
ALL_BUT_XOR = ALL - {"xor_impl"}
ALL_BUT_TRAIN = ALL - {"train_impl"}


def _points(step=0.0, gates=0.0, train=0.0, xor=0.0) -> dict[str, float]:
    return {"step_tests": step, "gates_tests": gates, "train_tests": train, "xor_tests": xor}


FULL = _points(2, 3, 3, 2)
BUT_XOR = _points(2, 3, 3, 0)
BUT_TRAIN = _points(2, 3, 0, 2)
FIRST_TWO_ONLY = _points(2, 3)
NONE = _points()


def cases(course: Path) -> list[Case]:
    """The catalogue; ``course`` is the course root the grader uses (its master is a target).

    To keep the batch short, two independent attacks often share a submission: one in the train
    answer, one in the xor answer (neither uses the other), with honest step and gates answers that
    must keep their 5 points.
    """
    master = course / "solutions" / CHAPTER / NOTEBOOK
    out = []

    def add(student, kind, content, honest, points, reasons=None, path="", extra=None):
        out.append(Case(student, kind, content, set(honest), points, reasons or {}, path, extra or {}))

    def pair(student, kind, train, xor, train_reason, xor_reason):
        """Attacks in the train and the xor answers; the step and gates answers are honest."""
        add(student, kind, submission(step_impl=True, gates_impl=True, train_impl=train, xor_impl=xor), FIRST_TWO,
            FIRST_TWO_ONLY, {"train_tests": train_reason, "xor_tests": xor_reason})

    # --- baselines -------------------------------------------------------------------------------
    add("honest", "all four answers honest", submission(**dict.fromkeys(ANSWERS, True)), ALL, FULL)
    add("release", "the untouched release", submission(), set(), NONE,
        {grade_id: "NotImplementedError" for grade_id in POINTS})
    pair("mixed", "two honest answers, two hostile (np.allclose patched; an always-equal array of wrong values)",
         "np.allclose = lambda *args, **kwargs: True\n"
         "def train_perceptron(X, t, lr=0.1, epochs=20):\n    return np.zeros(2), 0.0, [0] * epochs\n",
         "class AlwaysEqual(np.ndarray):\n    def __eq__(self, other):\n        return True\n\n\n"
         "def xor(X):\n    return np.zeros(len(X)).view(AlwaysEqual)\n",
         "assigns to np.allclose", "AssertionError")

    # --- 1. the kernel named in the metadata is ignored ----------------------------------------------
    notebook = submission(**dict.fromkeys(ANSWERS, True))
    notebook["metadata"]["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    notebook["metadata"]["language_info"] = {"name": "bash"}
    add("kernel_bash", "kernelspec changed to bash", notebook, ALL, FULL)

    # --- 2. values that claim to equal everything ---------------------------------------------------
    add("eq_ndarray", "ndarray subclass whose == is always True (right values inside)",
        submission(step_impl=True, gates_impl=True, train_impl=True,
                   xor_impl=honest("xor_impl") + "\n\nclass AlwaysEqual(np.ndarray):\n    def __eq__(self, other):\n"
                            "        return True\n\n\n_xor = xor\n\n\ndef xor(X):\n    return _xor(X).view(AlwaysEqual)\n"),
        ALL_BUT_XOR, BUT_XOR, {"xor_tests": "AlwaysEqual"})
    add("eq_float", "float subclass whose == is always True",
        submission(step_impl="class Sneaky(float):\n    def __eq__(self, other):\n        return True\n\n    def __hash__(self):\n"
                             "        return 0\n\n\ndef step(u):\n    return Sneaky(1.0)\n",
                   gates_impl=True, train_impl=True, xor_impl=True),
        ALL - {"step_impl"}, NONE, {"step_tests": "AssertionError: step(u) must be 1"})

    # --- 3. patching NumPy's comparisons -------------------------------------------------------------
    pair("numpy_patch", "np.array_equal / np.allclose replaced; numpy.testing patched through an import",
         "from numpy import testing as npt\nnpt.assert_allclose = print\n" + honest("train_impl"),
         "np.array_equal = lambda *args, **kwargs: True\nnp.allclose = lambda *args, **kwargs: True\n\n\n"
         "def xor(X):\n    return np.zeros(len(X))\n",
         "assigns to npt.assert_allclose", "assigns to np.array_equal")
    add("numpy_rebound", "np rebound to a lenient stand-in used by the visible tests",
        submission(step_impl=True, gates_impl=True, train_impl=True,
                   xor_impl="import numpy\n\n\nclass Lenient:\n    array = staticmethod(numpy.array)\n"
                            "    tile = staticmethod(numpy.tile)\n    logical_xor = staticmethod(numpy.logical_xor)\n\n"
                            "    def array_equal(self, *args, **kwargs):\n        return True\n\n\nnp = Lenient()\n\n\n"
                            "def xor(X):\n    return numpy.zeros(len(X))\n"),
        ALL_BUT_XOR, BUT_XOR, {"xor_tests": "values differ"})

    # --- 4. writing the grader's files ----------------------------------------------------------------
    pair("write_files", "overwrites the master and a grades.csv with open(); the master through pkgutil",
         f"open({str(master)!r}, 'w').write('{{}}')\nopen('grades.csv', 'w').write('me,10')\n" + honest("train_impl"),
         f"import pkgutil\npkgutil.resolve_name('builtins:open')({str(master)!r}, 'w').write('{{}}')\n" + honest("xor_impl"),
         "uses open", "imports pkgutil")

    # --- 5. test cells edited or deleted -------------------------------------------------------------
    notebook = submission(step_impl=True, gates_impl=True)
    test_cell(notebook, "step_tests")["source"] = "pass"
    test_cell(notebook, "train_tests")["source"] = "record = None\npass"
    notebook["cells"].remove(test_cell(notebook, "xor_tests"))
    add("tests_edited", "test cells replaced by `pass` or deleted (train and xor unanswered)", notebook,
        FIRST_TWO, FIRST_TWO_ONLY, {"notes": "test cell step_tests was edited: the original tests were used",
                                    "train_tests": "NotImplementedError"})

    # --- 6-8. answer cells duplicated, missing, retyped, too long, not Python ---------------------------
    notebook = submission(step_impl=True, gates_impl=True, train_impl=True, xor_impl=True)
    cell = test_cell(notebook, "train_impl")
    cell["cell_type"] = "markdown"
    for key in ("outputs", "execution_count"):
        cell.pop(key, None)
    notebook["cells"].append(copy.deepcopy(test_cell(notebook, "xor_impl")))
    add("retyped_and_duplicated", "the train answer cell turned into markdown; the xor answer cell twice", notebook,
        FIRST_TWO, FIRST_TWO_ONLY, {"notes": "answer cell train_impl was changed into a markdown cell|appears 2 times",
                                    "train_tests": "NotImplementedError"})
    notebook = submission(**dict.fromkeys(ANSWERS, True))
    notebook["cells"].remove(test_cell(notebook, "gates_impl"))
    add("missing_cell", "the gates answer cell deleted", notebook, ALL - {"gates_impl"}, _points(2, 0, 3, 0),
        {"notes": "answer cell gates_impl is missing", "gates_tests": "NotImplementedError"})
    pair("unreadable_answers", "an answer that does not parse; an answer longer than the grader reads",
         "def train_perceptron(:\n    pass\n", honest("xor_impl") + "#" * 100_001, "syntax error", "NotImplementedError")
    out[-1].reasons["notes"] = "answer cell xor_impl is longer than 100000 characters"

    # --- 9. hangs ---------------------------------------------------------------------------------
    pair("hangs", "a loop without end inside the function; `while True: pass` at the top of an answer cell",
         "def train_perceptron(X, t, lr=0.1, epochs=20):\n    while True:\n        pass\n", "while True:\n    pass\n",
         "TimeoutError: the cell ran over its 3 s limit", "answer xor_impl raised TimeoutError: the cell ran over its 3 s limit")
    add("hang_uninterruptible", "a sleep loop that swallows the interrupt (held up the batch forever)",
        submission(step_impl=True, gates_impl=True, train_impl=True,
                   xor_impl="import time\n\n\ndef xor(X):\n    while True:\n        try:\n            time.sleep(100)\n"
                            "        except KeyboardInterrupt:\n            pass\n"),
        ALL_BUT_XOR, BUT_XOR, {"xor_tests": "TimeoutError"})

    # --- 10-11. memory, ending the kernel ----------------------------------------------------------------
    pair("memory_and_crash", "allocates 16 GiB inside the function; a C stack overflow (10**6 nested map()) kills the kernel",
         "def train_perceptron(X, t, lr=0.1, epochs=20):\n    big = np.ones(2**31)\n    return big, 0.0, []\n",
         "chain = iter([1])\nfor _ in range(10**6):\n    chain = map(abs, chain)\nnext(chain)\n",
         "MemoryError", "not run: the kernel died")
    pair("exits", "raise SystemExit inside the function; os._exit(1) in an answer",
         "def train_perceptron(X, t, lr=0.1, epochs=20):\n    raise SystemExit(1)\n", "import os\nos._exit(1)\n",
         "SystemExit", "imports os")

    # --- 12. the reference implementation ------------------------------------------------------------
    def gates_with(prelude, perceptron_step="step"):
        return (prelude + "def perceptron(X, w, b):\n"
                f"    return {perceptron_step}(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b)\n\n\n"
                "NAND_W = np.array([-0.5, -0.5])\nNAND_B = 0.7\n")

    reference = {
        "ref_from_import": ("from paramact.activations import step as _ref\n", "imports paramact.activations"),
        "ref_import": ("import paramact\n_ref = paramact.step\n", "imports paramact"),
        "ref_notebook_name": ("_ref = sys.modules['paramact'].step\n", "uses sys, which the notebook bound"),
        "ref_dunder_import": ("_ref = __import__('paramact').step\n", "uses __import__"),
        "ref_pkgutil": ("import pkgutil\n_ref = pkgutil.resolve_name('paramact.activations:step')\n", "imports pkgutil"),
        "ref_module_attribute": ("_ref = plt.importlib.import_module('paramact.activations').step\n", "uses .importlib"),
        "ref_attrgetter": ("import operator\n\n\ndef _f():\n    pass\n\n\n"
                           "_builtins = operator.attrgetter('__globals__')(_f)['__builtins__']\n"
                           "_ref = operator.attrgetter('__import__')(_builtins)('paramact').step\n", "imports operator"),
        "ref_annotation": ("import typing\n\n\ndef _probe(x: \"sys.modules['paramact'].step\"):\n    pass\n\n\n"
                           "_ref = typing.get_type_hints(_probe)['x']\n", "in a string: uses .modules"),
    }
    for student, (prelude, reason) in reference.items():
        # The reference hides behind a default argument, which without_reference does not rebind.
        gates = gates_with(prelude + "\n\ndef _step(u, _ref=_ref):\n" + REFERENCE_STEP + "\n\n", "_step")
        add(student, f"the reference step through: {prelude.splitlines()[-1]}",
            submission(step_impl=True, gates_impl=gates, train_impl=True, xor_impl=True),
            {"step_impl", "train_impl", "xor_impl"}, _points(2, 0, 3, 0), {"gates_tests": reason})
    # A one-line cell `run PATH` is valid Python (divisions) but IPython's automagic runs it as %run.
    add("ref_magic_run", "a one-line answer `run .../activations.py` (automagic %run) defines the reference step",
        submission(step_impl=f"run {ROOT / 'src' / 'paramact' / 'activations.py'}\n",
                   gates_impl=gates_with("def _step(u):\n    return 1.0 - step(-np.asarray(u, dtype=np.float64))\n\n\n", "_step"),
                   train_impl=True, xor_impl=True),
        {"train_impl", "xor_impl"}, NONE, {"step_tests": "NameError|syntax error"})

    # --- 13. rewriting later cells, the test machinery, reading the hidden tests -------------------------
    pair("machinery", "get_ipython().input_transformers_cleanup drops later cells; record/without_reference redefined",
         "get_ipython().input_transformers_cleanup.append(lambda lines: [])\n",
         "def record(label, value, *args, **kwargs):\n    return value\n\n\ndef without_reference(func):\n    return func\n\n\n"
         "def xor(X):\n    return np.zeros(len(X))\n",
         "uses get_ipython", "redefines record")
    pair("interpreter", "sys.modules['paramact.course.testing'] replaced; an error quoting the running test cell (In[-1])",
         "sys.modules['paramact.course.testing'] = None\n" + honest("train_impl"),
         "def xor(X):\n    source = In[-1]\n    raise ValueError(source[source.index('###'):].replace('\\n', ' | '))\n",
         "uses sys", "uses In")

    # --- 14. files that are not gradable notebooks -------------------------------------------------------
    add("bad_json", "invalid JSON", b'{"cells": [', set(), None, {"error": "not valid notebook JSON"})
    add("slides", "a PDF", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", set(), None, {"error": "not a notebook (.ipynb) file"},
        path="slides.pdf")
    add("json_list", "JSON that is not a notebook", b"[1, 2, 3]", set(), None, {"error": "not a notebook"})
    add("utf16", "a notebook saved as UTF-16", json.dumps(submission()).encode("utf-16"), set(), None,
        {"error": "not valid notebook JSON"})
    old = {"nbformat": 3, "nbformat_minor": 0, "metadata": {},
           "worksheets": [{"cells": [{"cell_type": "code", "input": honest("step_impl"), "outputs": []}]}]}
    add("nbformat3", "an nbformat 3 notebook", json.dumps(old).encode(), set(), None, {"error": "notebook format 3"})
    notebook = submission(**dict.fromkeys(ANSWERS, True))
    test_cell(notebook, "xor_impl")["source"] = [1, 2]
    test_cell(notebook, "step_tests")["source"] = {"not": "text"}
    notebook["cells"] += ["a string, not a cell", {"cell_type": "code", "id": ["a", "list"], "source": "x = 1",
                                                    "metadata": [], "outputs": []}]
    add("malformed_cells", "cells with a list of numbers as source, a list as id, a string as cell", notebook,
        ALL_BUT_XOR, BUT_XOR, {"notes": "answer cell xor_impl has no readable source"})
    notebook = submission(**dict.fromkeys(ANSWERS, True))
    notebook["metadata"]["kernelspec"] = {"name": "no-such-kernel", "display_name": "?", "language": "cobol"}
    add("renamed", "nbgrader layout, notebook renamed, its kernelspec naming a kernel that does not exist", notebook,
        ALL, FULL, {"notes": "renamed"}, path=f"renamed/{CHAPTER}/perceptron (1) final.ipynb")
    add("two_notebooks", "nbgrader layout, two notebooks and neither is perceptron.ipynb", submission(), set(), None,
        {"error": "several notebooks"}, path=f"two_notebooks/{CHAPTER}/a.ipynb",
        extra={f"two_notebooks/{CHAPTER}/b.ipynb": json.dumps(submission()).encode()})

    # --- 15-16. the network; forged records -------------------------------------------------------------
    pair("network", "urllib to 127.0.0.1; a socket",
         "import socket\n" + honest("train_impl"),
         "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/')\n" + honest("xor_impl"),
         "imports socket", "imports urllib.request")
    forged = {RECORD_MIME: {"label": "xor of the four corners", "rtol": 1e-6, "atol": 1e-9, "value": {"type": "none"}}}
    pair("fake_records", "emits record outputs with IPython.display.publish_display_data and display()",
         "from IPython.display import publish_display_data\n\n\n"
         f"def train_perceptron(X, t, lr=0.1, epochs=20):\n    publish_display_data({forged!r})\n",
         f"def xor(X):\n    display({forged!r}, raw=True)\n    return np.zeros(len(X))\n",
         "imports IPython.display", "uses display")
    return out


def timing_batch(folder: Path, count: int) -> None:
    """``count`` honest-or-mixed submissions (flat layout) for timing ``paramact grade``."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        honest_ids = [a for position, a in enumerate(ANSWERS) if (index >> position) & 1 or index % 3 == 0]
        notebook = submission(**dict.fromkeys(honest_ids, True))
        (folder / f"student{index:03d}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


if __name__ == "__main__":
    timing_batch(Path(sys.argv[1]), int(sys.argv[2]))
