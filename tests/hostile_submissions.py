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
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from paramact_kernel.record import RECORD_MIME

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"
MASTER = ROOT / "solutions" / CHAPTER / NOTEBOOK
RELEASE = ROOT / "chapters" / CHAPTER / NOTEBOOK

POINTS = {"step_tests": 2.0, "gates_tests": 3.0, "train_tests": 3.0, "xor_tests": 2.0}
ANSWERS = ("step_impl", "gates_impl", "train_impl", "xor_impl")
# Exercises are graded independently: a test that calls earlier answers which fail is graded again with
# correct versions of them, so each exercise's honest content is its own answer.
NEEDS = {
    "step_tests": {"step_impl"},
    "gates_tests": {"gates_impl"},
    "train_tests": {"train_impl"},
    "xor_tests": {"xor_impl"},
}


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
    path: str | bytes = (
        ""  # where to write it, relative to the submissions folder (default <student>.ipynb)
    )
    extra: dict[str, bytes] = field(
        default_factory=dict
    )  # more files next to it: relative path -> bytes
    link: Path | None = (
        None  # write a symbolic link to this path instead ("fifo" in the name: a named pipe)
    )

    def write(self, folder: Path) -> list[Path]:
        """Write the submission's files under ``folder``; returns their paths."""
        data = (
            self.content
            if isinstance(self.content, bytes)
            else json.dumps(self.content, indent=1).encode()
        )
        if isinstance(self.path, bytes):  # a name that is not UTF-8
            target = Path(os.fsdecode(os.path.join(os.fsencode(folder), self.path)))
            target.write_bytes(data)
            return [target]
        written = []
        for relative, content in {self.path or f"{self.student}.ipynb": data, **self.extra}.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if self.link is not None and relative == self.path:
                target.symlink_to(self.link)
            elif self.student == "fifo":
                os.mkfifo(target)
            else:
                target.write_bytes(content)
            written.append(target)
        return written

    @property
    def name(self) -> str:
        """The student's name as the grader reports it (from the file name)."""
        if isinstance(self.path, bytes):
            return (
                os.fsdecode(self.path.rsplit(b".", 1)[0])
                .encode("utf-8", "surrogateescape")
                .decode("utf-8", "backslashreplace")
            )
        return Path(self.path).stem if self.path and "/" not in self.path else self.student

    @property
    def bound(self) -> dict[str, float]:
        return honest_points(self.honest)


# Answers that use the reference step (which fires at 0, unlike the exercise's) to get the right values.
REFERENCE_STEP = "    return 1.0 - _ref(-np.asarray(u, dtype=np.float64))\n"
ALL = set(ANSWERS)
FIRST_TWO = {"step_impl", "gates_impl"}
ALL_BUT_XOR = ALL - {"xor_impl"}


def _points(step=0.0, gates=0.0, train=0.0, xor=0.0) -> dict[str, float]:
    return {"step_tests": step, "gates_tests": gates, "train_tests": train, "xor_tests": xor}


FULL = _points(2, 3, 3, 2)
BUT_XOR = _points(2, 3, 3, 0)
FIRST_TWO_ONLY = _points(2, 3)
NONE = _points()


def cases(course: Path) -> list[Case]:
    """The catalogue; ``course`` is the course root the grader uses (its master is a target).

    Grouped by the classes of attack in the grader's threat model (autograder/README.md): a kernel that
    reaches the full interpreter, hidden tests leaking out, a sandbox with open doors, a fragile batch.
    To keep the batch short, two independent attacks often share a submission: one in the train answer,
    one in the xor answer (neither uses the other), with honest step and gates answers that must keep
    their 5 points.
    """
    master = course / "solutions" / CHAPTER / NOTEBOOK
    reference = ROOT / "src" / "paramact" / "activations.py"
    out = []

    def add(student, kind, content, honest, points, reasons=None, path="", extra=None, link=None):
        out.append(
            Case(
                student, kind, content, set(honest), points, reasons or {}, path, extra or {}, link
            )
        )

    def pair(student, kind, train, xor, train_reason, xor_reason):
        """Attacks in the train and the xor answers; the step and gates answers are honest."""
        add(
            student,
            kind,
            submission(step_impl=True, gates_impl=True, train_impl=train, xor_impl=xor),
            FIRST_TWO,
            FIRST_TWO_ONLY,
            {"train_tests": train_reason, "xor_tests": xor_reason},
        )

    def gates_with(prelude, perceptron_step="step"):
        return (
            prelude + "def perceptron(X, w, c):\n"
            f"    return {perceptron_step}(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + c)\n\n\n"
            "NAND_W = np.array([-0.5, -0.5])\nNAND_C = 0.7\n"
        )

    # --- baselines -------------------------------------------------------------------------------
    add("honest", "all four answers honest", submission(**dict.fromkeys(ANSWERS, True)), ALL, FULL)
    add(
        "release",
        "the untouched release",
        submission(),
        set(),
        NONE,
        {grade_id: "raised NotImplementedError" for grade_id in POINTS},
    )
    pair(
        "mixed",
        "two honest answers, two hostile (np.allclose patched; an always-equal array of wrong values)",
        "np.allclose = lambda *args, **kwargs: True\n"
        "def train_perceptron(X, t, lr=0.1, epochs=20):\n    return np.zeros(2), 0.0, [0] * epochs\n",
        "class AlwaysEqual(np.ndarray):\n    def __eq__(self, other):\n        return True\n\n\n"
        "def xor(X):\n    return np.zeros(len(X)).view(AlwaysEqual)\n",
        "differ",
        "a type the tests do not accept",
    )
    notebook = submission(**dict.fromkeys(ANSWERS, True))
    notebook["metadata"]["kernelspec"] = {
        "name": "bash",
        "display_name": "Bash",
        "language": "bash",
    }
    add("kernel_bash", "kernelspec changed to bash", notebook, ALL, FULL)

    # --- class 1: the kernel is fully compromised (every in-kernel defence is gone) -----------------------
    add(
        "eq_float",
        "float subclass whose == is always True",
        submission(
            step_impl="class Sneaky(float):\n    def __eq__(self, other):\n        return True\n\n    def __hash__(self):\n"
            "        return 0\n\n\ndef step(u):\n    return Sneaky(1.0)\n",
            gates_impl=True,
            train_impl=True,
            xor_impl=True,
        ),
        ALL - {"step_impl"},
        _points(0, 3, 3, 2),
        {
            "step_tests": "not accept|differ",
            "gates_tests": "passed when graded with correct versions",
        },
    )
    pair(
        "builtins_shadowed",
        "builtins an assert would use replaced (isinstance, AssertionError, all, len) with wrong answers",
        "import builtins\nbuiltins.AssertionError = type('Quiet', (Exception,), {})\nbuiltins.all = lambda *a: True\n"
        "def train_perceptron(X, t, lr=0.1, epochs=20):\n    return np.zeros(2), 0.0, [0] * epochs\n",
        "import builtins\nbuiltins.len = lambda *a: 4\n\n\ndef xor(X):\n    return np.zeros(4)\n",
        "differ",
        "not recorded|differ|shape",
    )
    escapes = {
        # strings assembled at run time, handed to functions that accept strings
        "ref_assembled": "import importlib\n_ref = importlib.import_module('param' + 'act.activations').step\n",
        "ref_pkgutil": "import pkgutil\n_ref = pkgutil.resolve_name('builtins:__import__')('param' + 'act').step\n",
        "ref_eval": "_ref = eval(\"__import__('paramact').step\")\n",
        # the reference's source from the disk, run as code
        "ref_source_file": f"namespace = {{}}\nexec(open({str(reference)!r}).read(), namespace)\n_ref = namespace['step']\n",
        # reached through a module of an allowed library
        "ref_module_attribute": "import warnings\n_ref = warnings.sys.modules['paramact'].step\n",
    }
    for student, prelude in escapes.items():
        # The reference step (which fires at 0, unlike the exercise's) gives the right values if reached.
        gates = gates_with(
            prelude + "\n\ndef _step(u, _ref=_ref):\n" + REFERENCE_STEP + "\n\n", "_step"
        )
        add(
            student,
            f"the reference step through: {prelude.splitlines()[-1][:70]}",
            submission(step_impl=True, gates_impl=gates, train_impl=True, xor_impl=True),
            {"step_impl", "train_impl", "xor_impl"},
            _points(2, 0, 3, 2),
            {"gates_tests": "raised|not recorded"},
        )
    add(
        "ref_magic_run",
        "a one-line answer `run .../activations.py` (IPython's %run) defines the reference step",
        submission(
            step_impl=f"run {reference}\n",
            gates_impl=gates_with(
                "def _step(u):\n    return 1.0 - step(-np.asarray(u, dtype=np.float64))\n\n\n",
                "_step",
            ),
            train_impl=True,
            xor_impl=True,
        ),
        {"train_impl", "xor_impl"},
        _points(0, 0, 3, 2),
        {"step_tests": "raised NameError"},
    )
    pair(
        "frames",
        "expected values searched in the calling frames and the notebook's namespace",
        "import sys\n\n\ndef train_perceptron(X, t, lr=0.1, epochs=20):\n    frame = sys._getframe(1)\n"
        "    found = [v for f in (frame, frame.f_back) if f for v in f.f_locals.values() if isinstance(v, tuple)]\n"
        "    return found[0] if found else (np.zeros(2), 0.0, [0] * epochs)\n",
        "def xor(X):\n    namespace = get_ipython().user_ns\n"
        "    arrays = [v for k, v in namespace.items() if isinstance(v, np.ndarray) and v.shape == (len(X),)]\n"
        "    return arrays[-1] if arrays else np.zeros(len(X))\n",
        "differ|raised|not accept",
        "differ|booleans",
    )
    forged = {
        RECORD_MIME: {
            "label": "xor of the four corners",
            "compare": "value",
            "rtol": 1.0,
            "atol": 1.0,
            "value": {
                "type": "array",
                "dtype": "<f8",
                "shape": [4],
                "data": "AAAAAAAAAAAAAAAAAADwPwAAAAAAAPA/AAAAAAAAAAA=",
            },
            "spec": {},
        }
    }
    pair(
        "forged_records",
        "records forged with publish_display_data; paramact_kernel.record patched to record nothing",
        "import paramact_kernel\nparamact_kernel.record = lambda label, value, **options: None\n"
        "import paramact_kernel.record as _module\n_module.record = paramact_kernel.record\n"
        + honest("train_impl"),
        f"from IPython.display import publish_display_data\n\n\ndef xor(X):\n    publish_display_data({forged!r})\n"
        "    return np.zeros(len(X))\n",
        "not recorded|differ",
        "not recorded|forged|differ|order",
    )
    add(
        "honest_with_flags",
        "honest values from a forbidden route: the step imported from numpy's heaviside (no rule) "
        "and the reference imported in a try block that fails in the jail",
        submission(
            step_impl="try:\n    from paramact.activations import step as _unused\nexcept ImportError:\n    pass\n\n\n"
            "def step(u):\n    return np.heaviside(np.asarray(u, dtype=np.float64), 0.0)\n",
            gates_impl=True,
            train_impl=True,
            xor_impl=True,
        ),
        ALL,
        FULL,
        {"flags": "imports paramact.activations"},
    )

    # --- class 2: hidden tests leaking out ----------------------------------------------------------------
    pair(
        "leak_errors",
        "the running hidden test's source (In, linecache) raised as an error and as an exception's type name",
        "import linecache, sys\n\n\ndef train_perceptron(X, t, lr=0.1, epochs=20):\n"
        "    frame = sys._getframe(1)\n    source = ''.join(linecache.getlines(frame.f_code.co_filename))\n"
        "    raise ValueError(source.replace('\\n', ' | '))\n",
        "def xor(X):\n    source = In[-1]\n    raise type(source[:60].replace(' ', '_'), (Exception,), {})(source)\n",
        "raised ValueError",
        "raised an exception",
    )
    pair(
        "leak_output",
        "the hidden test's source printed, displayed as HTML and written to the history database",
        "import sys\n\n\ndef train_perceptron(X, t, lr=0.1, epochs=20):\n    print(In[-1])\n"
        "    return np.zeros(2), 0.0, [0] * epochs\n",
        "from IPython.display import HTML, display\n\n\ndef xor(X):\n    display(HTML('<pre>' + In[-1] + '</pre>'))\n"
        "    get_ipython().history_manager.store_inputs(99, In[-1])\n    return np.zeros(len(X))\n",
        "differ",
        "differ|raised",
    )

    # --- class 3: the sandbox (what it can read, the limits of its process tree) ---------------------------
    pair(
        "read_outside",
        "reads the master, another batch, an exchange folder and the grader's environment",
        f"leaked = [open({str(master)!r}).read()]\n" + honest("train_impl"),
        "import os\nleaked = [os.environ.get('PARAMACT_HOSTILE_SECRET'), os.listdir('/srv')]\n"
        + honest("xor_impl"),
        "raised FileNotFoundError",
        "raised",
    )
    # The attacks replace the answers: an exercise earns nothing, whether or not the kernel survives them.
    pair(
        "fork_limits",
        "child processes multiply memory (8 x 200 MiB) in one answer, CPU hogs in four children in the other",
        "import subprocess, sys\nhog = \"block = bytearray(200 * 2**20); block[::4096] = b'x' * len(block[::4096]); "
        "import time; time.sleep(2)\"\nchildren = [subprocess.Popen([sys.executable, '-c', hog]) for _ in range(8)]\n"
        "print([child.wait() for child in children])\n",
        "import os, time\nfor _ in range(4):\n    if os.fork() == 0:\n        end = time.time() + 2\n"
        "        while time.time() < end:\n            pass\n        os._exit(0)\n",
        "NameError|ended the kernel|not run|time limit",
        "NameError|not run",
    )
    pair(
        "fork_bomb_and_disk",
        "a fork bomb in one answer, 1 GiB written in 32 MiB files in the other",
        "import os\ntry:\n    while True:\n        if os.fork() == 0:\n            import time\n            time.sleep(3)\n"
        "            os._exit(0)\nexcept OSError:\n    pass\n",
        "try:\n    for index in range(32):\n        with open(f'big{index}', 'wb') as handle:\n"
        "            handle.write(b'x' * 32 * 2**20)\nexcept OSError:\n    pass\n",
        "NameError|not run",
        "NameError|not run",
    )
    pair(
        "error_flood",
        "errors of 4 MiB shown 200 times; an error message of 50 MiB",
        "for _ in range(200):\n    try:\n        raise ValueError('x' * 4 * 2**20)\n    except ValueError:\n"
        "        get_ipython().showtraceback()\n",
        "raise ValueError('y' * 50 * 2**20)\n",
        "NameError|not run|time limit",
        "not run|NameError",
    )
    pair(
        "hangs",
        "a loop without end inside the function; a sleep that swallows the interrupt",
        "def train_perceptron(X, t, lr=0.1, epochs=20):\n    while True:\n        pass\n",
        "import time\n\n\ndef xor(X):\n    while True:\n        try:\n            time.sleep(100)\n"
        "        except KeyboardInterrupt:\n            pass\n",
        "time limit|not run",
        "time limit|not run",
    )
    pair(
        "memory_and_crash",
        "allocates 16 GiB inside the function; a C stack overflow kills the kernel",
        "def train_perceptron(X, t, lr=0.1, epochs=20):\n    big = np.ones(2**31)\n    return big, 0.0, []\n",
        "chain = iter([1])\nfor _ in range(10**6):\n    chain = map(abs, chain)\nnext(chain)\n",
        "MemoryError|ended the kernel",
        # The crash comes after a million allocations: on a loaded machine the cell's time limit may
        # stop it first. Either way no test runs after it.
        "not run|time limit",
    )
    pair(
        "exits",
        "raise SystemExit inside the function; os._exit(1) in an answer",
        "def train_perceptron(X, t, lr=0.1, epochs=20):\n    raise SystemExit(1)\n",
        "import os\nos._exit(1)\n",
        "raised|not recorded|not run",
        "not run",
    )

    # --- class 4: a fragile batch ----------------------------------------------------------------------
    add(
        "huge_values",
        "a 5000-digit integer and a list nested 100000 deep returned",
        submission(
            step_impl=True,
            gates_impl=True,
            train_impl="import sys\nsys.set_int_max_str_digits(0)\n\n\ndef train_perceptron(X, t, lr=0.1, epochs=20):\n"
            "    return 10**5000, 0.0, []\n",
            xor_impl="def xor(X):\n    nested = []\n    for _ in range(100_000):\n        nested = [nested]\n"
            "    return nested\n",
        ),
        FIRST_TWO,
        FIRST_TWO_ONLY,
        {"train_tests": "malformed|could not be read", "xor_tests": "not accept|nested"},
    )
    add(
        "link_master",
        "a symbolic link to the master",
        b"",
        set(),
        None,
        {"error": "symbolic link"},
        path="link_master.ipynb",
        link=master,
    )
    add(
        "link_peer",
        "a symbolic link to another student's notebook",
        b"",
        set(),
        None,
        {"error": "symbolic link"},
        path="link_peer.ipynb",
        link=Path("honest.ipynb"),
    )
    add(
        "fifo",
        "a named pipe where a notebook should be",
        b"",
        set(),
        None,
        {"error": "special file"},
        path="fifo.ipynb",
    )
    add(
        '=HYPERLINK("evil.example")',
        "a file name that is a spreadsheet formula",
        submission(**dict.fromkeys(ANSWERS, True)),
        ALL,
        FULL,
    )
    add(
        "a b",
        "a name that maps to the same safe folder name as a_b",
        submission(step_impl=True),
        {"step_impl"},
        _points(2),
    )
    add(
        "a_b",
        "a name that maps to the same safe folder name as 'a b'",
        submission(**dict.fromkeys(ANSWERS, True)),
        ALL,
        FULL,
    )
    add(
        "not_utf8",
        "a file name that is not UTF-8",
        submission(**dict.fromkeys(ANSWERS, True)),
        ALL,
        FULL,
        path=b"caf\xe9-\xff.ipynb",
    )

    # --- test cells edited, answer cells damaged, files that are not notebooks -------------------------------
    notebook = submission(step_impl=True, gates_impl=True)
    test_cell(notebook, "step_tests")["source"] = "pass"
    test_cell(notebook, "train_tests")["source"] = "record = None\npass"
    notebook["cells"].remove(test_cell(notebook, "xor_tests"))
    add(
        "tests_edited",
        "test cells replaced by `pass` or deleted (train and xor unanswered)",
        notebook,
        FIRST_TWO,
        FIRST_TWO_ONLY,
        {
            "notes": "test cell step_tests was edited: the original tests were used",
            "train_tests": "NotImplementedError",
        },
    )
    notebook = submission(step_impl=True, gates_impl=True, train_impl=True, xor_impl=True)
    cell = test_cell(notebook, "train_impl")
    cell["cell_type"] = "markdown"
    for key in ("outputs", "execution_count"):
        cell.pop(key, None)
    notebook["cells"].append(copy.deepcopy(test_cell(notebook, "xor_impl")))
    add(
        "retyped_and_duplicated",
        "the train answer cell turned into markdown; the xor answer cell twice",
        notebook,
        FIRST_TWO,
        FIRST_TWO_ONLY,
        {
            "notes": "answer cell train_impl was changed into another kind of cell|appears 2 times",
            "train_tests": "NotImplementedError",
        },
    )
    pair(
        "unreadable_answers",
        "an answer that does not parse; an answer longer than the grader reads",
        "def train_perceptron(:\n    pass\n",
        honest("xor_impl") + "#" * 100_001,
        "SyntaxError",
        "NotImplementedError",
    )
    out[-1].reasons["notes"] = "answer cell xor_impl is longer than 100000 characters"
    add(
        "bad_json",
        "invalid JSON",
        b'{"cells": [',
        set(),
        None,
        {"error": "not valid notebook JSON"},
    )
    add(
        "slides",
        "a PDF",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        set(),
        None,
        {"error": "not a notebook (.ipynb) file"},
        path="slides.pdf",
    )
    add(
        "utf16",
        "a notebook saved as UTF-16",
        json.dumps(submission()).encode("utf-16"),
        set(),
        None,
        {"error": "not valid notebook JSON"},
    )
    old = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": honest("step_impl"), "outputs": []}]}
        ],
    }
    add(
        "nbformat3",
        "an nbformat 3 notebook",
        json.dumps(old).encode(),
        set(),
        None,
        {"error": "notebook format 3"},
    )
    notebook = submission(**dict.fromkeys(ANSWERS, True))
    test_cell(notebook, "xor_impl")["source"] = [1, 2]
    notebook["cells"] += [
        "a string, not a cell",
        {
            "cell_type": "code",
            "id": ["a", "list"],
            "source": "x = 1",
            "metadata": [],
            "outputs": [],
        },
    ]
    add(
        "malformed_cells",
        "cells with a list of numbers as source, a list as id, a string as cell",
        notebook,
        ALL_BUT_XOR,
        BUT_XOR,
        {"notes": "answer cell xor_impl has no readable source"},
    )
    notebook = submission(**dict.fromkeys(ANSWERS, True))
    notebook["metadata"]["kernelspec"] = {
        "name": "no-such-kernel",
        "display_name": "?",
        "language": "cobol",
    }
    add(
        "renamed",
        "nbgrader layout, notebook renamed, its kernelspec naming a kernel that does not exist",
        notebook,
        ALL,
        FULL,
        {"notes": "renamed"},
        path=f"renamed/{CHAPTER}/perceptron (1) final.ipynb",
    )
    add(
        "two_notebooks",
        "nbgrader layout, two notebooks and neither is perceptron.ipynb",
        submission(),
        set(),
        None,
        {"error": "several notebooks"},
        path=f"two_notebooks/{CHAPTER}/a.ipynb",
        extra={f"two_notebooks/{CHAPTER}/b.ipynb": json.dumps(submission()).encode()},
    )
    return out


def timing_batch(folder: Path, count: int) -> None:
    """``count`` honest-or-mixed submissions (flat layout) for timing ``paramact grade``."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        honest_ids = [
            a for position, a in enumerate(ANSWERS) if (index >> position) & 1 or index % 3 == 0
        ]
        notebook = submission(**dict.fromkeys(honest_ids, True))
        (folder / f"student{index:03d}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


if __name__ == "__main__":
    timing_batch(Path(sys.argv[1]), int(sys.argv[2]))
