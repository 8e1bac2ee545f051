"""From master notebooks to student chapters: ``paramact release``.

Each chapter has one source, its master ``solutions/<NN_topic>/<topic>.ipynb`` (solutions and hidden
tests marked for nbgrader). The student version ``chapters/<NN_topic>/<topic>.ipynb`` is generated from
it by ``nbgrader generate_assignment`` with ``autograder/nbgrader_config.py``. Generation always happens
in a fresh temporary course directory, so no gradebook is written into the repository and nbgrader's
``--force`` (which deletes the release folder) can never touch anything but a scratch copy.

Command line::

    paramact release            # regenerate chapters/ (and the glossary) from solutions/
    paramact release --check    # exit 1 if the committed chapters or glossary differ from a fresh generation

The glossary page (``glossary.md``) is generated from the masters too: see :mod:`paramact.course.glossary`.
So are the Korean student notebooks, ``chapters/ko/<NN_topic>/<topic>.ipynb``: the English ones with their
Markdown translated from ``locale/ko`` (:mod:`paramact.course.localise`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from paramact.course import glossary, localise
from paramact.course.i18n import SECOND_EDITION

MASTER_DIR = "solutions"
CHAPTER_DIR = "chapters"
CONFIG_DIR = "autograder"
# Notebook-level metadata that differs between machines without changing the chapter.
VOLATILE_METADATA = ("language_info", "widgets", "vscode")


class CourseError(RuntimeError):
    """A problem with the course layout or an nbgrader run, with a message saying what to do."""


def find_root(start: str | os.PathLike | None = None) -> Path:
    """Return the course repository that contains ``start`` (default: the working directory).

    The root is the first folder upwards holding both ``_toc.yml`` and ``solutions/``.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / MASTER_DIR).is_dir():
            return folder
    raise CourseError(
        f"{here} is not inside the course repository (no folder above it holds _toc.yml and "
        f"{MASTER_DIR}/): run the command from a clone of the course."
    )


def assignments(root: Path) -> list[str]:
    """Names of the chapters that have a master notebook, e.g. ``["01_perceptron"]``, in order."""
    return sorted(
        p.name for p in (root / MASTER_DIR).iterdir() if p.is_dir() and any(p.glob("*.ipynb"))
    )


def master_notebooks(root: Path) -> list[Path]:
    """Every master notebook, in chapter order."""
    return [
        nb
        for name in assignments(root)
        for nb in sorted((root / MASTER_DIR / name).glob("*.ipynb"))
    ]


def run_nbgrader(root: Path, course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` with the course config but on the scratch course directory ``course``.

    nbgrader reads ``nbgrader_config.py`` from its working directory, so it runs inside
    ``autograder/``; the command-line override of ``CourseDirectory.root`` keeps every file it writes
    (gradebook, release, submitted, autograded) inside ``course``.
    """
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    # nbgrader runs `alembic` from PATH: make this environment's scripts visible even when not activated.
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    result = subprocess.run(command, cwd=root / CONFIG_DIR, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise CourseError(f"`nbgrader {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")
    return result


def make_scratch_course(root: Path, names: list[str] | None = None) -> Path:
    """A temporary course directory holding copies of the masters, with the assignments generated.

    The caller owns the returned folder (delete it with ``shutil.rmtree``).
    """
    names = names or assignments(root)
    course = Path(tempfile.mkdtemp(prefix="paramact-course-"))
    for name in names:
        source = root / MASTER_DIR / name
        if not source.is_dir():
            shutil.rmtree(course)
            raise CourseError(f"no master folder {source}: known chapters are {assignments(root)}")
        shutil.copytree(
            source, course / MASTER_DIR / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    for name in names:
        run_nbgrader(root, course, "generate_assignment", name, "--force")
    return course


def generate(root: Path, destination: Path, names: list[str] | None = None) -> list[Path]:
    """Generate the student version of each chapter into ``destination/<NN_topic>/``.

    Each chapter folder in ``destination`` is replaced as a whole; other folders there are left alone.
    Returns the notebooks written.
    """
    names = names or assignments(root)
    course = make_scratch_course(root, names)
    try:
        written = []
        for name in names:
            target = destination / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(course / CHAPTER_DIR / name, target)
            written += sorted(target.glob("*.ipynb"))
        return written + generate_korean(root, destination, names)
    finally:
        shutil.rmtree(course, ignore_errors=True)


def korean_version(root: Path, name: str, english: Path) -> localise.Localised:
    """The student notebook ``english`` of chapter ``name``, translated from its catalogue."""
    path = localise.catalogue_for(root, f"{CHAPTER_DIR}/{name}/{english.stem}")
    catalogue = localise.Catalogue.read(path) if path.is_file() else localise.Catalogue({})
    return localise.localise(localise.read_notebook(english), catalogue)


def generate_korean(root: Path, destination: Path, names: list[str]) -> list[Path]:
    """Translate the student notebooks of ``destination/<name>/`` into ``destination/ko/<name>/``.

    A message without a translation stays English; :func:`missing_translations` lists them.
    """
    written = []
    for name in names:
        target = destination / SECOND_EDITION / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for english in sorted((destination / name).glob("*.ipynb")):
            korean = korean_version(root, name, english).notebook
            nbformat.write(nbformat.from_dict(korean), target / english.name)
            written.append(target / english.name)
    return written


def missing_translations(root: Path) -> dict[str, list[str]]:
    """Per student notebook, the messages its Korean copy shows in English (no current translation)."""
    missing = {}
    for name in assignments(root):
        for english in sorted((root / CHAPTER_DIR / name).glob("*.ipynb")):
            found = korean_version(root, name, english).untranslated
            if found:
                missing[f"{CHAPTER_DIR}/{name}/{english.stem}"] = found
    return missing


def normalised(path: Path) -> dict:
    """A notebook's content without what varies between machines (for comparing generations)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for key in VOLATILE_METADATA:
        notebook.get("metadata", {}).pop(key, None)
    for cell in notebook.get("cells", []):
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return notebook


def out_of_sync(root: Path) -> list[str]:
    """Differences between the committed chapters and a fresh generation; empty when in sync."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="paramact-release-") as scratch:
        fresh_dir = Path(scratch)
        generate(root, fresh_dir)
        fresh = {p.relative_to(fresh_dir): p for p in fresh_dir.rglob("*") if p.is_file()}
        chapters = root / CHAPTER_DIR
        committed = (
            {p.relative_to(chapters): p for p in chapters.rglob("*") if p.is_file()}
            if chapters.is_dir()
            else {}
        )
        for rel in sorted(set(fresh) | set(committed)):
            if rel not in committed:
                problems.append(f"{CHAPTER_DIR}/{rel} is missing")
            elif rel not in fresh:
                problems.append(f"{CHAPTER_DIR}/{rel} has no master in {MASTER_DIR}/")
            elif rel.suffix == ".ipynb":
                if normalised(committed[rel]) != normalised(fresh[rel]):
                    problems.append(f"{CHAPTER_DIR}/{rel} differs from its master")
            elif committed[rel].read_bytes() != fresh[rel].read_bytes():
                problems.append(f"{CHAPTER_DIR}/{rel} differs from its master")
    page = root / glossary.GLOSSARY_FILE
    if not page.is_file() or page.read_text(encoding="utf-8") != glossary.render(
        glossary.collect(master_notebooks(root))
    ):
        problems.append(f"{glossary.GLOSSARY_FILE} is out of date with the masters' terms")
    return problems
