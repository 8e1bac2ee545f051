"""The fairness catalogues of ``tests/test_catalogues.py``: honest answers in many styles, realistic wrong ones.

One module per chapter (``ch01_perceptron.py`` ...), each defining:

- ``HONEST``: ``{name: {answer cell id: source}}``: correct answers written in another style than the
  master's (loops or vectorised, other formulas, helpers, prints, docstrings, private attributes, magics,
  local names that collide with names the hidden tests use). Answer cells not named keep the master's
  answer. Every one must earn full marks.
- ``WRONG``: a list of :class:`Wrong`: one realistic mistake in one answer cell (others keep the master's).
  It must lose points on its own exercise only, with a reason that contains ``message``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Wrong:
    name: str
    answers: dict[str, str]  # answer cell id -> source (usually one cell)
    exercise: str  # the grade id of the test cell that must lose points
    message: str  # text the reason must contain (case-insensitive; "a|b": either)
    also: tuple[str, ...] = field(
        default=()
    )  # other exercises allowed to lose points (rarely needed)


def chapters() -> dict[str, object]:
    """The catalogue modules by chapter folder name."""
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"catalogues.{info.name}")
        found[module.CHAPTER] = module
    return dict(sorted(found.items()))
