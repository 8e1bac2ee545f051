"""Shared fixtures' machinery."""

from __future__ import annotations

import fcntl
import pickle


def once_per_session(request, tmp_path_factory, name: str, build):
    """``build(folder)``, run once per test session, also when pytest-xdist spreads a module over workers.

    The first worker to arrive builds the value under a lock and pickles it; the others load it. Used
    for expensive batches (grading a catalogue of submissions) that many parametrized tests inspect.
    """
    if not hasattr(request.config, "workerinput"):
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # this session's, common to its workers
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / f"{name}.pickle"
        if not saved.exists():
            saved.write_bytes(pickle.dumps(build(shared / name)))
        return pickle.loads(saved.read_bytes())
