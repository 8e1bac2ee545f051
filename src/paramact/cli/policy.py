"""The command line's one error policy (see :mod:`paramact.cli`) and what every subcommand shares.

A ``ValueError`` is invalid input only where a handler checks what the user gave
(:func:`invalid_input`); raised anywhere else, e.g. deep in training, it is a bug and shows its
traceback:

>>> exit_code(UsageError("lr < 0")), exit_code(ValueError("lr < 0")), exit_code(RuntimeError())
(2, None, None)
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEM",
    "EXIT_INVALID",
    "EXIT_UNAVAILABLE",
    "EPILOG",
    "UsageError",
    "invalid_input",
    "exit_code",
    "SUMMARIES",
    "add_subcommand",
    "positive_int",
    "non_negative_int",
    "positive_float",
    "existing_file",
    "wrote",
]

EXIT_OK, EXIT_PROBLEM, EXIT_INVALID, EXIT_UNAVAILABLE = 0, 1, 2, 3

EPILOG = """exit status:
  0  success
  1  the work ran and found a problem (failing tests, leaks, chapters out of sync)
  2  usage error or invalid input (bad option value, missing file, not a course notebook)
  3  a resource is unavailable (data download impossible, stored result, missing GPU)
  anything else is a bug or an environment failure (e.g. CUDA) and shows its traceback"""

# Typed errors of the domain modules, by module, so that none is imported just to be caught:
# an error of a module that was never imported cannot have been raised.
_UNAVAILABLE = (
    ("paramact.data", "DataUnavailableError"),
    ("paramact.stored", "StoredResultUnavailable"),
    ("paramact.experiments.mnist.training", "DeviceUnavailableError"),
)
_INVALID = (
    ("paramact.course.pipeline", "CourseError"),
    ("paramact.grader.submission", "SubmissionError"),
    ("paramact.experiments.mnist.errors", "ResultsFileError"),
)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, with the subcommands' column wide enough for their indented names."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction) and action.help is not argparse.SUPPRESS:
            names = [self._format_action_invocation(sub) for sub in action._get_subactions()]
            indented = (
                max(map(len, names), default=0) + self._current_indent + self._indent_increment
            )
            self._action_max_length = max(self._action_max_length, indented)


class UsageError(Exception):
    """Invalid input: what the command line itself detects (e.g. an output it would overwrite, a
    path that does not exist), or a ``ValueError`` raised inside :func:`invalid_input`."""


@contextlib.contextmanager
def invalid_input() -> Iterator[None]:
    """Wrap where a handler builds something from the user's options or files: a ``ValueError``
    raised inside (a protocol's validation, a malformed manifest) becomes a :class:`UsageError`.

    >>> with invalid_input():
    ...     float("fast")
    Traceback (most recent call last):
    ...
    paramact.cli.policy.UsageError: could not convert string to float: 'fast'
    """
    try:
        yield
    except ValueError as error:
        raise UsageError(str(error)) from error


def _loaded(names: Sequence[tuple[str, str]]) -> tuple[type, ...]:
    return tuple(
        getattr(sys.modules[module], name) for module, name in names if module in sys.modules
    )


def exit_code(error: BaseException) -> int | None:
    """The exit status of ``error`` under the policy of :mod:`paramact.cli`; None: it propagates."""
    if isinstance(error, _loaded(_UNAVAILABLE)):
        return EXIT_UNAVAILABLE
    if isinstance(error, (UsageError, *_loaded(_INVALID))):
        return EXIT_INVALID
    return None


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1 (else argparse's usage error, exit 2)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: an integer >= 0 (else argparse's usage error, exit 2)."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0 (else argparse's usage error, exit 2)."""
    value = float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def existing_file(path: str, what: str) -> Path:
    """``path`` as a Path, or a :class:`UsageError` (exit 2) naming ``what`` it should be."""
    if not Path(path).is_file():
        raise UsageError(f"{what} {path} does not exist or is not a file")
    return Path(path)


def wrote(paths: Sequence[Path]) -> str:
    """One ``wrote <path>`` line per file written, each after a line break."""
    return "".join(f"\nwrote {path}" for path in paths)


#: subcommand -> its one-line summary in ``paramact --help`` (which imports no subcommand's module)
SUMMARIES = {
    "results": "the checksums of the stored results that chapters read (paramact.stored)",
    "xor": "reproduce the XOR experiment (Table 2, Figs. 7-9) of Kong & Ko (2021)",
    "mnist": "MNIST experiment of section IV.2: plain vs parametric sigmoid / ReLU",
    "data": "download / verify the data sets (MNIST, Fashion-MNIST)",
    "release": "generate the student chapters from the master notebooks",
    "leaks": "fail if solution or hidden-test text reached the built site",
    "grade": "grade a folder of submissions safely (see autograder/README.md)",
    "book": "build the site, English in _build/html and Korean in _build/html/ko",
    "translate": "the Korean edition's catalogues: update from the English, count, check",
    "check": "run the visible tests of your notebook as grading runs it (exit 0 only if all pass)",
}


def add_subcommand(subparsers: Any, name: str, **options: Any) -> argparse.ArgumentParser:
    """A subcommand's parser, with its summary and the exit-status epilog of every help page."""
    options.setdefault("help", SUMMARIES.get(name))
    if "description" in options:  # the epilog keeps its layout, so the description is wrapped here
        options["description"] = textwrap.fill(options["description"], 79)
    return subparsers.add_parser(
        name, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter, **options
    )
