"""The ``paramact`` command line: one subcommand per task.

Each subcommand lives in its own module and exposes ``add_parser(subparsers)``, which registers the
subcommand and sets ``func`` (called with the parsed arguments, returning an exit code). Modules are
imported lazily so ``paramact --help`` stays fast and a missing optional dependency only breaks the
subcommand that needs it.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

# subcommand name -> module that implements it
SUBCOMMANDS = {
    "xor": "paramact.experiments.xor",
    "mnist": "paramact.experiments.mnist",
    "data": "paramact.data",
    "release": "paramact.course.pipeline",
    "leaks": "paramact.course.leaks",
    "grade": "paramact.grader.grading",
    "check": "paramact.grader.selfcheck",
}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def build_parser(names=None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paramact", description="The course's tools: experiments, data, chapters and grading.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in names or SUBCOMMANDS:
        module = importlib.import_module(SUBCOMMANDS[name])
        module.add_parser(subparsers)
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Import only the requested subcommand's module; the full list is built for --help.
    wanted = [argv[0]] if argv and argv[0] in SUBCOMMANDS else None
    if wanted is None:
        wanted = [n for n in SUBCOMMANDS if _available(SUBCOMMANDS[n])]
    parser = build_parser(wanted)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
