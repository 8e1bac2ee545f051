"""Run an untrusted notebook in a sandboxed kernel: ``execute(notebook, limits, hide)``.

The kernel is started through this module (``python -m paramact.course.sandbox -f CONNECTION``), which
before starting IPython:

- sets resource limits: CPU seconds, address space (memory), file size, no core dumps;
- enters new mount, network and PID namespaces (Linux; directly as root, else through a user namespace
  where the kernel allows it): no network; its own processes only, so it can signal neither the grader
  nor another student's kernel; every file system read-only (``/proc``, ``/sys`` and ``/dev``
  included) except its own work folder, and all capabilities dropped so the code cannot undo that;
- sees empty folders in place of the temporary directory (other kernels' connection files and
  sockets), the grader's home and the folders in ``hide`` (the course, the submissions), but for
  what the interpreter itself needs; so it can neither read the master nor another student's work;
- works in a fresh, empty folder, with IPython's automagic off (a one-line cell ``run x/y.py`` is
  valid Python but would otherwise run as ``%run``).

The parent talks to it over IPC sockets in a folder of the scratch directory, so the kernel needs no
network at all. Cells run one at a time with a wall-time limit each and for the whole notebook; a cell
that runs over is interrupted and fails, and the run goes on (a kernel that ignores the interrupt
fails the cells after it in turn, each after its limit); a kernel that dies (memory, CPU limit,
``os._exit``) ends the run, and the cells that completed keep their outputs.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


# Marks nbclient's error reply after a time-out (a kernel's own replies never carry it).
TIMED_OUT = "paramact_timed_out"
# What a kernel may make the grader hold: messages of at most MESSAGE_BYTES (a larger one breaks its
# output channel: what it prints after is lost), at most QUEUED_MESSAGES waiting (more are dropped),
# and OUTPUT_BYTES of each cell's outputs kept (errors apart). Records are small and printed output
# is not graded; a cell printing gigabytes would otherwise exhaust the grader's memory, which the
# kernel's own limit does not bound.
MESSAGE_BYTES = 16 * 2**20
QUEUED_MESSAGES = 16
OUTPUT_BYTES = 32 * 2**20


@dataclass(frozen=True)
class Limits:
    """Per-cell and per-notebook limits of a sandboxed run."""

    cell_seconds: float = 60.0
    notebook_seconds: float = 300.0
    cpu_seconds: int = 300
    memory_bytes: int = 6 * 2**30
    file_bytes: int = 64 * 2**20


@dataclass
class CellRun:
    """What one cell did: its outputs, the error it raised (``"Name: message"``), whether it ran."""

    outputs: list = field(default_factory=list)
    error: str | None = None
    ran: bool = False


@dataclass
class Execution:
    cells: list[CellRun]
    stopped: str | None = None  # why the run ended early, if it did


def _kernel_spec(folder: Path, limits: Limits, work: Path, hide: list[str]) -> Path:
    spec_dir = folder / "kernels" / "paramact-sandbox"
    spec_dir.mkdir(parents=True)
    env = {
        "PARAMACT_SANDBOX_LIMITS": json.dumps(limits.__dict__),
        "PARAMACT_SANDBOX_WORKDIR": str(work),
        "PARAMACT_SANDBOX_HIDE": json.dumps(hide),
        "HOME": str(work),
        "IPYTHONDIR": str(work / ".ipython"),
        "MPLCONFIGDIR": str(work / ".matplotlib"),
        "MPLBACKEND": "Agg",
        "TMPDIR": str(work),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    spec = {"argv": [sys.executable, "-m", "paramact.course.sandbox", "-f", "{connection_file}",
                     "--InteractiveShell.automagic=False"],
            "display_name": "paramact sandbox", "language": "python", "env": env}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return folder / "kernels"


def execute(notebook: dict, limits: Limits = Limits(), hide: Iterable[str | os.PathLike] = ()) -> Execution:
    """Run every code cell of ``notebook`` (an nbformat dict) in a fresh sandboxed kernel.

    ``hide``: folders the kernel must not see (for a grader: the course and the submissions), in
    addition to the temporary directory and the home folder, which are always hidden.
    """
    import nbformat
    import zmq
    import zmq.asyncio
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient.exceptions import DeadKernelError

    scratch = Path(tempfile.mkdtemp(prefix="paramact-sandbox-"))
    work, run = scratch / "work", scratch / "run"
    work.mkdir()
    run.mkdir()
    hidden = [str(Path(path).resolve()) for path in (tempfile.gettempdir(), Path.home(), *hide)]
    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    cells = [CellRun() for _ in nb.cells]
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MESSAGE_BYTES)
    context.setsockopt(zmq.RCVHWM, QUEUED_MESSAGES)
    manager_class, client_class = _classes()
    km = manager_class(kernel_name="paramact-sandbox", context=context,
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(_kernel_spec(scratch, limits, work, hidden))]),
                       transport="ipc", ip=str(run / "ipc"), connection_file=str(run / "connection.json"))
    started = time.monotonic()

    def cell_limit(cell) -> float:
        return max(0.1, min(limits.cell_seconds, limits.notebook_seconds - (time.monotonic() - started)))

    # On a time-out nbclient interrupts the kernel and, given error_on_timeout, goes on with an error
    # reply of its own rather than waiting (forever, if the code swallows KeyboardInterrupt). The
    # replies' status is kept: it also tells an error the code kept from being displayed. The kernel
    # starts in its work folder: `python -m` puts its starting folder on sys.path, which must not
    # reveal the course.
    replies: dict[int, dict] = {}
    client = client_class(nb, km=km, timeout_func=cell_limit, allow_errors=True, interrupt_on_timeout=True,
                            error_on_timeout={"ename": "TimeoutError", "evalue": f"the cell ran over its {limits.cell_seconds:g} s limit",
                                              "traceback": [], TIMED_OUT: True},
                            on_cell_executed=lambda cell, cell_index, execute_reply: replies.update({cell_index: execute_reply["content"]}),
                            startup_timeout=60, kernel_name="paramact-sandbox", resources={"metadata": {"path": str(work)}},
                            shutdown_kernel="immediate")  # nothing in it to save; a stuck one would cost 5 s more
    execution = Execution(cells)
    try:
        # The kernel's own log lines are noise for graders. cleanup_kc: nbclient shuts down only kernels
        # whose manager it created; this one would live on (in its PID namespace nothing sees the
        # grader go away).
        with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cleanup_kc=True):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if time.monotonic() - started >= limits.notebook_seconds:
                    execution.stopped = f"the notebook ran over its {limits.notebook_seconds:g} s limit"
                    break
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    execution.stopped = "the kernel died (memory or CPU limit, or the code ended the process)"
                    cells[index] = _outcome(cell, {"status": "error", "ename": "DeadKernelError",
                                                   "evalue": "the kernel died while running this cell"})
                    break
                # After a time-out, later cells still run once the kernel obeys the interrupt; if it
                # never does, each fails after its own limit, and the notebook's limit ends the run.
                cells[index] = _outcome(cell, replies.get(index, {}))
    except Exception as error:  # the kernel could not start or the connection broke
        execution.stopped = execution.stopped or f"the kernel failed: {type(error).__name__}: {error}"
    finally:
        context.destroy(linger=0)
        shutil.rmtree(scratch, ignore_errors=True)
    return execution


def _classes():
    """The kernel manager and notebook client of :func:`execute` (imported only where they run).

    The manager hands its own ZMQ context, with the message size limit, to its clients; the client
    keeps at most ``OUTPUT_BYTES`` of each cell's outputs but for errors.
    """
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient

    class Manager(AsyncKernelManager):
        def client(self, **kwargs):
            return super().client(context=self.context, **kwargs)

    class Client(NotebookClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.kept_bytes = collections.Counter()  # per cell index

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg["content"], default=str))
            if msg["msg_type"] != "error" and self.kept_bytes[cell_index] + size > OUTPUT_BYTES:
                return None
            self.kept_bytes[cell_index] += size
            return super().output(outs, msg, display_id, cell_index)

    return Manager, Client


def _outcome(cell, reply: dict) -> CellRun:
    """What a cell did, from its outputs and the kernel's reply (a time-out, an error, an aborted cell)."""
    outputs = [dict(output) for output in cell.get("outputs", [])]
    shown = [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o.get("output_type") == "error"]
    if reply.get(TIMED_OUT) or reply.get("status") == "error" and not shown:
        error = f"{reply.get('ename')}: {reply.get('evalue')}"
    elif shown:
        error = shown[0]
    elif reply.get("status", "ok") != "ok":
        error = f"the kernel did not run this cell (status {reply.get('status')!r})"
    else:
        error = None
    return CellRun(outputs=outputs, error=error, ran=True)


def _enter_sandbox() -> None:
    """Runs inside the kernel process, before IPython starts (see the module docstring)."""
    import resource

    limits = json.loads(os.environ["PARAMACT_SANDBOX_LIMITS"])
    work = Path(os.environ["PARAMACT_SANDBOX_WORKDIR"])
    for name, value in (("RLIMIT_CPU", limits["cpu_seconds"]), ("RLIMIT_AS", limits["memory_bytes"]),
                        ("RLIMIT_FSIZE", limits["file_bytes"]), ("RLIMIT_CORE", 0)):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError):  # some platforms (macOS) refuse some limits
            pass
    connection = Path(sys.argv[sys.argv.index("-f") + 1])
    hide = [Path(path) for path in json.loads(os.environ["PARAMACT_SANDBOX_HIDE"])]
    os.environ["PARAMACT_SANDBOX_ISOLATION"] = _isolate(writable=[work, connection.parent], hide=hide)
    os.chdir(work)


# Linux constants (<sched.h>, <sys/mount.h>, <linux/prctl.h>, <linux/capability.h>).
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MOUNT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": 1024,
               "nodiratime": 2048, "relatime": 1 << 21}
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
CAPABILITY_VERSION_3 = 0x20080522


def _isolate(writable: list[Path], hide: list[Path]) -> str:
    """No network, no other processes, a read-only file system but for ``writable``, ``hide`` hidden,
    and no capabilities to undo any of it.

    Uses Linux namespaces: as root directly, otherwise through a user namespace where the kernel
    allows one. Returns a short description of what was achieved (the grader reports it).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | (0 if uid == 0 else CLONE_NEWUSER)
    if sys.platform != "linux" or libc.unshare(flags) != 0:
        return "none (namespaces not permitted here)"
    if uid != 0:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    _become_init(libc)
    libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None)
    # What the interpreter reads: its installation, sys.path (site-packages, editable installs); and
    # the course's data sets where $PARAMACT_DATA_DIR puts them (paramact.data).
    needed = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                                          *sys.path, os.environ.get("PARAMACT_DATA_DIR", "")} if p and Path(p).is_dir()]
    needed.append(Path(__file__).resolve().parents[2])
    hidden = _hide(hide, keep=[*writable, *needed], libc=libc)
    keep = {str(path) for path in writable}
    for path in keep:
        libc.mount(path.encode(), path.encode(), None, MS_BIND | MS_REC, None)
    # A /proc of the new PID namespace: only this kernel's processes. (Refused in some user namespaces,
    # where the old one stays, read-only: its other processes are listed but cannot be signalled.)
    own_proc = libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) == 0
    read_only = 0
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        mount_point, options = fields[4].replace("\\040", " "), fields[5].split(",")
        if mount_point in keep:
            continue
        extra = sum(MOUNT_FLAGS.get(option, 0) for option in options)
        if libc.mount(None, mount_point.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | extra, None) == 0:
            read_only += 1
    for capability in range(64):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    no_capabilities = (ctypes.c_uint32 * 6)()
    dropped = libc.capset(header, no_capabilities) == 0
    return (f"network off, own processes{'' if own_proc else ' (host /proc still listed)'}, {hidden} folders hidden, "
            f"{read_only} mounts read-only, capabilities {'dropped' if dropped else 'kept'}")


def _become_init(libc) -> None:
    """Fork after entering the PID namespace: the child goes on as its first process (PID 1).

    This process stays as the kernel the grader sees: it ignores interrupts (they reach the child
    through the process group), ends the child when asked to end, and exits with its status. Each is
    killed when its parent dies: IPython's own watch on the grader cannot see across the namespace.
    """
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the grader is already gone
        os._exit(1)
    child = os.fork()
    if child == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda *_: os.kill(child, signal.SIGKILL))
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


def _hide(paths: list[Path], keep: list[Path], libc) -> int:
    """Cover each folder of ``paths`` with an empty file system; the ``keep`` folders inside it stay.

    Returns how many folders were hidden. The root folder is never hidden.
    """
    hidden = 0
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if path == Path(path.anchor) or not path.is_dir():  # an inner one may already be hidden
            continue
        inside = [k for k in keep if path in k.parents]
        inside = [k for k in inside if not any(other in k.parents for other in inside)]  # the outermost ones
        # Handles opened before the folder is covered are how what is kept gets mounted back inside it.
        handles = [os.open(k, os.O_PATH | os.O_DIRECTORY) for k in inside]
        if libc.mount(b"tmpfs", str(path).encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=1m,mode=755") == 0:
            hidden += 1
            for folder, handle in zip(inside, handles):
                folder.mkdir(parents=True, exist_ok=True)
                libc.mount(f"/proc/self/fd/{handle}".encode(), str(folder).encode(), None, MS_BIND | MS_REC, None)
        for handle in handles:
            os.close(handle)
    return hidden


if __name__ == "__main__":
    _enter_sandbox()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
