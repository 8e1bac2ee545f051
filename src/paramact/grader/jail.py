"""The jail a student's kernel runs in: bubblewrap for what it sees, cgroups for what it may use.

A kernel is started as ``python -I .../launcher.py CONFIG -- bwrap ... python -m ipykernel_launcher``:
this small launcher (:mod:`paramact.grader.launcher`) runs outside the jail, moves itself into the
run's cgroups, sets per-process resource limits, and replaces itself with bubblewrap (``bwrap``, a
Debian package), which builds the kernel's world:

- **What it sees**: the Python environment (read-only) with the reference implementation ``paramact``
  covered by an empty folder, the system's libraries (read-only), fresh ``/proc`` and ``/dev``, a private
  work folder of ``disk_bytes`` (its ``$TMPDIR`` too; ``/tmp`` and ``/dev/shm`` hold 16 MiB each) and the
  folder of its connection sockets. Nothing else: no course, master, submissions, home folder, history
  file or grader's environment variables.
- **What it may do**: no network, its own PID, IPC and user namespaces, no capabilities, its own session
  (no terminal injection); it dies with its grader.
- **What it may use**, for its whole process tree (cgroups v1 or v2): ``memory_bytes`` of memory (swap
  and its tmpfs files included), ``processes`` processes and threads, ``cpus`` cores at most. Per
  process, always: ``memory_bytes`` of address space (4 GiB more where cgroups bound the tree),
  ``cpu_seconds`` of CPU time, ``file_bytes`` per file, no core dumps.

Where the machine offers less, :func:`capabilities` says what is missing and :class:`Jail` degrades
with a warning: without bubblewrap the kernel sees the whole file system and the reference is only
blocked inside Python; without writable cgroups the limits are per process (a fork multiplies them).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from paramact.grader.cgroups import CGROUP_ROOT, Cgroup, own_path
from paramact.grader.launcher import LAUNCHER_PATH

WORK = "/home/student"
TMP_BYTES = (
    16 * 2**20
)  # /tmp and /dev/shm, for libraries that ignore $TMPDIR (which is in the work folder)
BLOCKED = "the reference implementation paramact cannot be imported where answers are graded"


@dataclass(frozen=True)
class Limits:
    """Limits of one sandboxed run: times, and resources of the kernel's whole process tree."""

    cell_seconds: float = 60.0
    notebook_seconds: float = 300.0
    cpu_seconds: int = 300  # per process
    memory_bytes: int = 6 * 2**30  # the process tree, tmpfs files included
    file_bytes: int = 64 * 2**20  # per file
    disk_bytes: int = 256 * 2**20  # the work folder
    processes: int = 64  # processes and threads of the tree
    cpus: float = 1.0  # cores the tree may use at once


@functools.cache
def capabilities() -> dict[str, str | None]:
    """What this machine offers: ``{"bwrap": path or None, "cgroups": "v1" | "v2" | None}``."""
    bwrap = shutil.which("bwrap")
    if bwrap and os.system(f"{bwrap} --unshare-all --dev-bind / / true >/dev/null 2>&1") != 0:
        bwrap = None  # installed, but user namespaces are refused here
    return {"bwrap": bwrap, "cgroups": _cgroup_version()}


def warnings() -> list[str]:
    """What does not hold on this machine, in words for the person grading."""
    found = capabilities()
    messages = []
    if not found["bwrap"]:
        messages.append(
            "bubblewrap (bwrap) is missing or cannot create namespaces: student code runs with your "
            "rights, sees your files and the network, and the reference is blocked only inside Python "
            "(install it: apt-get install bubblewrap)"
        )
    if not found["cgroups"]:
        messages.append(
            "cgroups are not writable here (run as root on Linux): memory, CPU and process limits hold "
            "per process only, and a submission that forks multiplies them"
        )
    return messages


def _cgroup_version() -> str | None:
    if sys.platform != "linux":
        return None
    for version in ("v2", "v1"):
        try:
            group = Cgroup.create(version, Limits())
        except OSError:
            continue
        group.remove()
        return version
    return None


STALE_SECONDS = (
    3600  # a run's cgroups and scratch folder live minutes; older ones were left by a killed grader
)


def sweep_stale(now: float | None = None) -> None:
    """Remove what graders killed with ``kill -9`` left behind: empty cgroups and scratch folders of this
    module's naming, older than an hour. (A run's own are removed when it ends.)"""
    now = time.time() if now is None else now
    candidates = [*Path("/dev/shm").glob("paramact-run-*")] if Path("/dev/shm").is_dir() else []
    if capabilities()["cgroups"] == "v1":
        candidates += [
            folder / name.name
            for controller in Cgroup.V1
            for folder in [CGROUP_ROOT / controller / own_path(controller).lstrip("/")]
            for name in folder.glob("paramact-*")
        ]
    elif capabilities()["cgroups"] == "v2":
        candidates += list((CGROUP_ROOT / own_path("").lstrip("/")).glob("paramact-*"))
    for path in candidates:
        try:
            if now - path.stat().st_mtime < STALE_SECONDS:
                continue
            if path.is_relative_to(CGROUP_ROOT):
                path.rmdir()  # refused while it holds processes
            else:
                shutil.rmtree(path)
        except OSError:
            continue


@functools.cache
def _sweep_once() -> None:
    """One sweep per grader process is enough: leftovers only come from graders that ended before it."""
    sweep_stale()


def _python_folders() -> list[Path]:
    """The folders the interpreter and its packages live in (read-only inside the jail)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path}
    folders = sorted(
        {Path(p).resolve() for p in candidates if p and Path(p).is_dir()},
        key=lambda p: (len(p.parts), str(p)),  # outer folders first, in a fixed order
    )
    outermost: list[Path] = []
    for folder in folders:
        if not any(other == folder or other in folder.parents for other in outermost):
            outermost.append(folder)
    return outermost


def _reference_folder() -> Path | None:
    """Where the ``paramact`` package lives, to be covered inside the jail."""
    import importlib.util

    spec = importlib.util.find_spec("paramact")
    return (
        Path(next(iter(spec.submodule_search_locations))).resolve()
        if spec and spec.submodule_search_locations
        else None
    )


# The kernel's environment: nothing of the grader's (bubblewrap's --clearenv), one thread per library.
KERNEL_ENVIRONMENT = {
    "HOME": WORK,
    "TMPDIR": f"{WORK}/tmp",
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "IPYTHONDIR": f"{WORK}/.ipython",
    "MPLCONFIGDIR": f"{WORK}/.matplotlib",
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
}


def bwrap_argv(bwrap: str, limits: Limits, sockets: Path, blocker: Path) -> list[str]:
    """The bubblewrap command line that builds the kernel's world (see the module docstring)."""
    isolation = ["--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    argv = [bwrap, *isolation, "--cap-drop", "ALL", "--hostname", "sandbox"]
    # New file systems before the Python environment: it or the sockets' folder may lie inside /tmp or
    # /dev (a course cloned under /tmp), and what is bound after them shows through.
    argv += _system_mounts() + _private_filesystems(limits) + _python_mounts(blocker)
    argv += ["--bind", str(sockets), str(sockets), "--chdir", WORK]
    for name, value in KERNEL_ENVIRONMENT.items():
        argv += ["--setenv", name, value]
    return argv + ["--"]


def _system_mounts() -> list[str]:
    """The system's programs and libraries, and the few files of /etc they read: read-only."""
    argv = []
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    for etc_file in (
        "/etc/ld.so.cache",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/localtime",
        "/etc/fonts",
    ):
        argv += ["--ro-bind-try", etc_file, etc_file]
    return argv


def _private_filesystems(limits: Limits) -> list[str]:
    """Fresh /proc and /dev, small /tmp and /dev/shm, and the work folder of ``disk_bytes``."""
    argv = ["--proc", "/proc", "--dev", "/dev"]
    for folder, size in (("/dev/shm", TMP_BYTES), ("/tmp", TMP_BYTES), (WORK, limits.disk_bytes)):
        argv += ["--size", str(size), "--tmpfs", folder]
    return argv + ["--dir", f"{WORK}/tmp"]


def _python_mounts(blocker: Path) -> list[str]:
    """The Python environment, read-only, with the reference implementation covered by an empty
    folder whose ``__init__`` (``blocker``) refuses: ``import paramact`` fails with a clear message."""
    argv = []
    for folder in _python_folders():
        if not str(folder).startswith(("/usr/", "/bin", "/lib")):
            argv += ["--ro-bind", str(folder), str(folder)]
    reference = _reference_folder()
    if reference:
        argv += [
            "--tmpfs",
            str(reference),
            "--ro-bind",
            str(blocker),
            str(reference / "__init__.py"),
        ]
        argv += ["--remount-ro", str(reference)]
    return argv


class Jail:
    """One kernel's jail: the command line that starts it inside, and its cgroups."""

    def __init__(self, limits: Limits, scratch: Path):
        """``scratch``: a folder of the grader's; its ``run`` subfolder is shared with the kernel (sockets)."""
        self.limits, self.sockets = limits, scratch / "run"
        self.sockets.mkdir(exist_ok=True)
        self.blocker = scratch / "reference_blocked.py"
        self.blocker.write_text(f"raise ImportError({BLOCKED!r})\n")
        self.pid_file = scratch / "launcher.pid"
        _sweep_once()
        found = capabilities()
        self.bwrap = found["bwrap"]
        self.cgroup = Cgroup.create(found["cgroups"], limits) if found["cgroups"] else None

    def kernel_argv(self) -> list[str]:
        """The kernel's command line; ``{connection_file}`` is filled in by jupyter_client."""
        config = json.dumps(
            {
                "limits": asdict(self.limits),
                "cgroups": [str(f) for f in self.cgroup.folders] if self.cgroup else [],
                "jailed": bool(self.bwrap),
                "work": str(self.sockets / "work"),
                "parent": os.getpid(),
                "pid_file": str(self.pid_file),
            }
        )
        kernel = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--InteractiveShell.automagic=False",
            "--HistoryManager.enabled=False",
        ]
        jail = bwrap_argv(self.bwrap, self.limits, self.sockets, self.blocker) if self.bwrap else []
        # Run as a file, isolated (-I): the launcher imports nothing of the course, so a run does not
        # pay for importing paramact (NumPy) before it starts the kernel.
        return [sys.executable, "-I", LAUNCHER_PATH, config, "--", *jail, *kernel]

    def usage(self) -> dict[str, float]:
        return self.cgroup.usage() if self.cgroup else {}

    def kill(self) -> None:
        """End every process of the jail now (from any thread): its cgroups' members, else its session."""
        if self.cgroup:
            self.cgroup.kill()
        launcher = self._launcher()
        if launcher is not None:
            try:
                os.killpg(
                    launcher, signal.SIGKILL
                )  # the launcher starts its own session (jupyter_client)
            except OSError:
                pass

    def _launcher(self) -> int | None:
        """The launcher's pid while it is still this process's child: once reaped, its number may belong
        to someone else's process (group) already."""
        try:
            pid = int(self.pid_file.read_text())
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except (OSError, ValueError):  # no file yet, or not (or no longer) a child of this process
            return None
        return pid

    def close(self) -> None:
        self.kill()
        if self.cgroup:
            self.cgroup.remove()
