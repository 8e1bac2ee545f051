"""The subcommands ``paramact release``, ``leaks``, ``grade`` and ``check``: chapters and grading.

Each ``add_*`` registers a subcommand's arguments; each ``run_*`` calls the domain functions and
prints what they return. Errors go to :func:`paramact.cli.main`, which applies the one policy.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from paramact.cli.policy import (
    EXIT_OK,
    EXIT_PROBLEM,
    UsageError,
    add_subcommand,
    invalid_input,
    positive_float,
    positive_int,
)

__all__ = [
    "add_release",
    "run_release",
    "add_leaks",
    "run_leaks",
    "add_grade",
    "run_grade",
    "add_check",
    "run_check",
    "add_book",
    "run_book",
    "add_translate",
    "run_translate",
]


# --- release, leaks ----------------------------------------------------------------------


def add_release(subparsers: Any) -> None:
    parser = add_subcommand(subparsers, "release")
    parser.add_argument(
        "chapters", nargs="*", help="chapter folders to generate, e.g. 01_perceptron (default: all)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that chapters/ matches a fresh generation (exit 1 if not)",
    )
    parser.set_defaults(handler=run_release)


def run_release(args: argparse.Namespace) -> int:
    from paramact.course import glossary, pipeline

    root = pipeline.find_root()
    if args.check:
        problems = pipeline.out_of_sync(root)
        if problems:
            print(
                "Chapters are out of sync with their masters (never edit chapters/ by hand):",
                file=sys.stderr,
            )
            print("\n".join(f"  {p}" for p in problems), file=sys.stderr)
            print(
                "Run `make release` (or `paramact release`) and commit the result.", file=sys.stderr
            )
            return EXIT_PROBLEM
        print(f"{pipeline.CHAPTER_DIR}/ is in sync with {pipeline.MASTER_DIR}/")
        return EXIT_OK
    for notebook in pipeline.generate(root, root / pipeline.CHAPTER_DIR, args.chapters or None):
        print(f"wrote {notebook.relative_to(root)}")
    print(f"wrote {glossary.write(root, pipeline.master_notebooks(root)).relative_to(root)}")
    missing = pipeline.missing_translations(root)
    if missing:
        count = sum(map(len, missing.values()))
        print(
            f"warning: {count} messages of {len(missing)} chapters have no Korean translation and "
            "show in English in chapters/ko and on the Korean site: run `make translate`, "
            "translate them in locale/ko, then `make release` (CONTRIBUTING.md)",
            file=sys.stderr,
        )
    return EXIT_OK


def add_leaks(subparsers: Any) -> None:
    parser = add_subcommand(subparsers, "leaks")
    parser.add_argument(
        "build_dir", nargs="?", default="_build/html", help="the built site (default: _build/html)"
    )
    parser.set_defaults(handler=run_leaks)


def run_leaks(args: argparse.Namespace) -> int:
    from paramact.course import leaks, pipeline

    root = pipeline.find_root()
    build_dir = Path(args.build_dir)
    if not build_dir.is_dir():
        raise UsageError(f"no built site at {build_dir}: run `make book` first")
    found = leaks.find_leaks(root, build_dir)
    if found:
        print(f"{len(found)} solution or hidden-test lines reached the site:", file=sys.stderr)
        print("\n".join(f"  {leak}" for leak in found[:50]), file=sys.stderr)
        return EXIT_PROBLEM
    print(f"no solution or hidden-test text in {build_dir}")
    return EXIT_OK


def add_results(subparsers: Any) -> None:
    parser = add_subcommand(subparsers, "results")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--write", action="store_true", help="regenerate the manifest from results/ and _config.yml"
    )
    action.add_argument(
        "--check", action="store_true", help="exit 1, listing the differences, if it is out of date"
    )
    parser.add_argument(
        "--root", type=Path, help="the course repository (default: found from here)"
    )
    parser.add_argument("--manifest", type=Path, help="default: the package's own")
    parser.set_defaults(handler=run_results)


def run_results(args: argparse.Namespace) -> int:
    from paramact import stored

    root = args.root or stored.find_repository()
    if root is None:
        raise UsageError(
            "no course repository here (a folder holding _toc.yml and results/): give --root"
        )
    if not (Path(root) / "_config.yml").is_file():
        raise UsageError(f"{root} is not a course repository (no _config.yml): give --root")
    manifest_path = args.manifest or stored.MANIFEST_PATH
    if args.write:
        with invalid_input():  # _config.yml's repository address
            manifest = stored.write_manifest(root, manifest_path)
        print(
            f"{manifest_path}: {len(manifest['files'])} results files, raw base {manifest['raw_base']}"
        )
        return EXIT_OK
    if not Path(manifest_path).is_file():
        raise UsageError(f"no manifest at {manifest_path}")
    with invalid_input():  # the user's files: the manifest, and _config.yml's repository address
        differences = stored.manifest_differences(root, stored.load_manifest(manifest_path))
    if differences:
        print(f"{manifest_path} is out of date (run `{stored.REGENERATE}`):", file=sys.stderr)
        print("\n".join(f"  {line}" for line in differences), file=sys.stderr)
        return EXIT_PROBLEM
    print(f"{manifest_path} matches {root / 'results'}")
    return EXIT_OK


# --- grade, check ------------------------------------------------------------------------


def add_grade(subparsers: Any) -> None:
    parser = add_subcommand(subparsers, "grade")
    add = parser.add_argument
    add("submissions", help="folder of <student>.ipynb files or <student>/<chapter>/*.ipynb")
    add("--chapter", action="append", help="grade only this chapter (repeatable; default: all)")
    add("--out", default="grades", help="output folder (default: grades)")
    add("--overwrite", action="store_true", help="replace the grades in an existing output folder")
    add(
        "--jobs",
        type=positive_int,
        default=None,
        help="notebooks graded at once (default: CPU count)",
    )
    add(
        "--cell-seconds",
        type=positive_float,
        default=60.0,
        help="wall-time limit per cell (default: 60)",
    )
    add(
        "--notebook-seconds",
        type=positive_float,
        default=300.0,
        help="wall-time limit per notebook (default: 300)",
    )
    add(
        "--memory-gb",
        type=positive_float,
        default=6.0,
        help="memory of a kernel's process tree in GiB (default: 6)",
    )
    parser.set_defaults(handler=run_grade)


def run_grade(args: argparse.Namespace) -> int:
    from paramact.course.pipeline import find_root
    from paramact.grader.batch import grade_batch
    from paramact.grader.jail import warnings as jail_warnings
    from paramact.grader.reports import format_summary, write_outputs
    from paramact.grader.sandbox import Limits

    root = find_root()
    out = Path(args.out)
    if (out / "grades.csv").exists() and not args.overwrite:
        raise UsageError(f"{out / 'grades.csv'} exists: choose another --out or pass --overwrite")
    for warning in jail_warnings():
        print(f"paramact grade: WARNING: {warning}", file=sys.stderr)
    limits = Limits(
        cell_seconds=args.cell_seconds,
        notebook_seconds=args.notebook_seconds,
        cpu_seconds=int(args.notebook_seconds),
        memory_bytes=int(args.memory_gb * 2**30),
    )
    # A terminated grader ends its workers (they die with it) and their kernels (they die with the
    # workers).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results, keys = grade_batch(root, Path(args.submissions), args.chapter, limits, jobs=args.jobs)
    write_outputs(results, keys, out)
    print(format_summary(results))
    for r in results:
        if r.error:
            print(f"not graded: {r.student} ({r.chapter}): {r.error}")
    print(
        f"grades: {out / 'grades.csv'}, summary: {out / 'summary.csv'}, feedback: "
        f"{out / 'feedback'}/"
    )
    return EXIT_OK


def add_check(subparsers: Any) -> None:
    parser = add_subcommand(subparsers, "check")
    parser.add_argument("notebook", help="your chapter notebook (.ipynb)")
    parser.add_argument(
        "--cell-seconds",
        type=positive_float,
        default=120.0,
        help="wall-time limit per cell (default: 120)",
    )
    parser.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from paramact.grader.jail import warnings as jail_warnings
    from paramact.grader.sandbox import Limits
    from paramact.grader.selfcheck import check

    path = Path(args.notebook)
    for warning in jail_warnings():
        print(f"paramact check: note: {warning}", file=sys.stderr)
    report = check(path, Limits(cell_seconds=args.cell_seconds))
    passed = sum(error is None for _, error in report.tests)
    for grade_id, error in report.tests:
        print(
            f"  {'PASS' if error is None else 'FAIL'} {grade_id}"
            + ("" if error is None else f": {error.splitlines()[0]}")
        )
    for error in report.answer_errors:
        print(f"  ERROR {error.splitlines()[0]}")
    for flag in report.flags:
        print(f"  FLAG {flag} (shown to your instructor; it costs no points)")
    if report.demonstrations:
        print(
            f"  {len(report.demonstrations)} demonstration cell(s) failed, as they do when graded "
            "(they need the reference implementation): not counted"
        )
    if report.stopped:
        print(f"  the run stopped early: {report.stopped}")
    print(
        f"{path.name}: {passed} of {len(report.tests)} test cells pass (visible tests only; "
        "hidden tests run when graded)"
    )
    clean = passed == len(report.tests) and not report.answer_errors and not report.stopped
    return EXIT_OK if clean else EXIT_PROBLEM


# --- book, translate ---------------------------------------------------------------------


def add_book(subparsers: Any) -> None:
    parser = add_subcommand(subparsers, "book")
    parser.add_argument(
        "--language",
        choices=("en", "ko"),
        action="append",
        help="build only this edition (repeatable; default: English, then Korean in html/ko)",
    )
    parser.add_argument(
        "--output", type=Path, help="the build folder (default: _build in the repository)"
    )
    parser.set_defaults(handler=run_book)


def run_book(args: argparse.Namespace) -> int:
    from paramact.course import book, pipeline

    root = pipeline.find_root()
    languages = tuple(args.language or ("en", "ko"))
    try:
        site = book.build(root, args.output.resolve() if args.output else None, languages)
    except book.BuildError as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    for language in languages:
        print(f"The {language} site is at {book.site_folder(site.parent, language) / 'index.html'}")
    return EXIT_OK


def add_translate(subparsers: Any) -> None:
    parser = add_subcommand(subparsers, "translate")
    parser.add_argument(
        "action",
        choices=("update", "stat", "check"),
        help="update: extract the English messages and merge them into locale/ko (new and changed "
        "ones untranslated or fuzzy); stat: count translated, fuzzy and untranslated messages (exit 1 "
        "unless complete); check: every translation keeps the formulas, code, references and "
        "glossary terms of its English (exit 1 if not)",
    )
    parser.set_defaults(handler=run_translate)


def run_translate(args: argparse.Namespace) -> int:
    from paramact.course import pipeline, translation

    root = pipeline.find_root()
    if args.action == "update":
        merged = translation.update(root, translation.extract(root))
        print(
            f"locale/{translation.LANGUAGE}: {merged['create']} catalogues created, "
            f"{merged['update']} updated, {merged['notchanged']} unchanged. Translate the empty and "
            "fuzzy messages, then run `paramact translate stat` and `paramact release`."
        )
        return EXIT_OK
    if args.action == "check":
        folder, keep = translation.catalogue_folder(root), translation.glossary_terms(root)
        problems = [
            line for path in sorted(folder.rglob("*.po")) for line in translation.check(path, keep)
        ]
        print("\n".join(problems) or f"every translation in {folder} keeps its English's markup")
        return EXIT_PROBLEM if problems else EXIT_OK
    counts = translation.statistics(root)
    for name, count in counts.items():
        print(
            f"{name}: {count.translated} translated, {count.fuzzy} fuzzy, "
            f"{count.untranslated} untranslated"
        )
    complete = all(count.complete for count in counts.values()) and bool(counts)
    total = sum(c.translated + c.fuzzy + c.untranslated for c in counts.values())
    print(
        f"{total} messages in {len(counts)} catalogues: {'complete' if complete else 'INCOMPLETE'}"
    )
    return EXIT_OK if complete else EXIT_PROBLEM
