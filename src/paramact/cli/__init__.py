"""The ``paramact`` command line: every subcommand's arguments, and one error policy.

The subcommands: ``xor`` and ``mnist`` (the experiments), ``data fetch`` (the data sets),
``release``, ``book``, ``translate`` and ``leaks`` (the course's chapters, site and Korean
edition), ``results`` (the manifest of the stored results), ``grade`` and ``check`` (grading).
This package parses the arguments, calls the domain functions and prints what they return; the
domain modules raise typed errors and never print them or exit. Its modules:
:mod:`~paramact.cli.policy` (the exit statuses below, shared helpers),
:mod:`~paramact.cli.experiments` (``xor``, ``mnist``), :mod:`~paramact.cli.data` (``data``) and
:mod:`~paramact.cli.course` (the others).

Exit status (the same for every subcommand, also in ``paramact --help``):

* 0: success;
* 1: the work ran and found a problem (``check``: a test cell fails; ``leaks``: solution text
  reached the site; ``release --check``: the chapters are out of sync; ``results --check``: the
  manifest of the stored results is out of date);
* 2: a usage error (argparse) or invalid input: a ``ValueError`` raised while a subcommand checks
  the options the user gave (:func:`~paramact.cli.policy.invalid_input`: a protocol's
  validation), a user-given path that does not exist, the typed input errors (``CourseError``,
  ``SubmissionError``, ``ResultsFileError`` for an unusable results file); the message is
  ``paramact <command>: error: <message>`` on stderr;
* 3: a resource is unavailable: the data cannot be obtained (``DataUnavailableError``), a stored
  result cannot be fetched (``StoredResultUnavailable``), the GPU asked for is missing
  (``DeviceUnavailableError``); same message format;
* anything else (a CUDA ``RuntimeError``, a ``ValueError`` raised while training, a bug)
  propagates with its traceback.

Domain modules are imported only by the subcommand that needs them, so ``paramact check`` does
not import torch and a missing optional dependency breaks only its own subcommand.

``paramact xor --lr -1`` prints ``paramact xor: error: lr must be a positive number, got -1.0``
and exits with 2; so does an option argparse rejects (its message goes to stderr):

>>> main(["check", "--cell-seconds", "soon", "mine.ipynb"])
2
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from paramact.cli import course, data, experiments
from paramact.cli.policy import (
    EPILOG,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_UNAVAILABLE,
    SUMMARIES,
    HelpFormatter,
    UsageError,
    exit_code,
)

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEM",
    "EXIT_INVALID",
    "EXIT_UNAVAILABLE",
    "SUBCOMMANDS",
    "UsageError",
    "exit_code",
    "build_parser",
    "main",
]

#: subcommand -> the function that adds its parser (each imports only what its defaults need)
SUBCOMMANDS: dict[str, Callable[[Any], None]] = {
    "xor": experiments.add_xor,
    "mnist": experiments.add_mnist,
    "data": data.add_data,
    "release": course.add_release,
    "leaks": course.add_leaks,
    "results": course.add_results,
    "grade": course.add_grade,
    "check": course.add_check,
    "book": course.add_book,
    "translate": course.add_translate,
}


def build_parser(names: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``paramact`` parser with the full subcommands ``names``.

    Without ``names``, every subcommand is listed with its summary only: enough for
    ``paramact --help``, and no subcommand's module is imported.

    >>> build_parser(["check"]).parse_args(["check", "mine.ipynb"]).notebook
    'mine.ipynb'
    """
    parser = argparse.ArgumentParser(
        prog="paramact",
        description="The course's tools: experiments, data, chapters and grading.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        if names is None:
            subparsers.add_parser(name, help=SUMMARIES[name])
        elif name in names:
            SUBCOMMANDS[name](subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``paramact`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    The status follows the policy of this module's docstring; see :func:`exit_code`.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    # Build only the requested subcommand's parser; the full list only for the top-level help.
    parser = build_parser([argv[0]] if argv and argv[0] in SUBCOMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2), already printed
        return stop.code if isinstance(stop.code, int) else EXIT_INVALID
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        return int(args.handler(args))
    except Exception as error:
        code = exit_code(error)
        if code is None:
            raise
        prog = (
            "paramact " + args.command + (f" {args.data_action}" if args.command == "data" else "")
        )
        print(f"{prog}: error: {error}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
