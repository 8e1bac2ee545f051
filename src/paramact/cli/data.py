"""``paramact data fetch``: the data sets into their verified cache (:mod:`paramact.data`)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from paramact.cli.policy import EXIT_OK, add_subcommand

__all__ = ["add_data", "run_data_fetch"]


def add_data(subparsers: Any) -> None:
    from paramact import data

    parser = add_subcommand(
        subparsers,
        "data",
        description=f"Data sets are cached in ${data.DATA_DIR_ENV} or the user cache folder; "
        "see paramact.data.",
    )
    actions = parser.add_subparsers(dest="data_action", metavar="ACTION", required=True)
    fetch = add_subcommand(actions, "fetch", help="fetch a data set into the cache and verify it")
    fetch.add_argument("name", choices=sorted(data.DATASETS), help="data set to fetch")
    fetch.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bars (default: shown on a terminal)",
    )
    fetch.set_defaults(handler=run_data_fetch)


def run_data_fetch(args: argparse.Namespace) -> int:
    from paramact import data

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    folder = data.fetch(args.name, progress=None if args.progress else False)
    spec = data.DATASETS[args.name]
    print(f"{spec.title} is ready in {folder} (4 files, SHA-256 of each IDX content verified):")
    for file in spec.files:
        path = next(p for p in (folder / file.name, folder / (file.name + ".gz")) if p.is_file())
        print(f"  {path.name:<30} {path.stat().st_size:>10,d} bytes  {file.content_sha256[:16]}...")
    return EXIT_OK
