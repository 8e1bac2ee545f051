"""Run an untrusted notebook in a sandboxed kernel: ``execute(notebook, limits)``.

The kernel is started through this module (``python -m paramact.course.sandbox -f CONNECTION``), which
before starting IPython:

- sets resource limits: CPU seconds, address space (memory), file size, no core dumps;
- moves into a network namespace of its own (no network) where the platform allows it (Linux, root);
- enters new mount and network namespaces (Linux; directly as root, else through a user namespace
  where the kernel allows it): no network, every file system read-only except its own work folder,
  and all capabilities dropped so the code cannot undo that; it cannot write the grader's files;
- works in a fresh, empty folder that holds no gradebook, master or other student's work.

The parent talks to it over IPC sockets in a folder of the scratch directory, so the kernel needs no
network at all. Cells run one at a time with a wall-time limit each and for the whole notebook; a cell
that runs over is interrupted, a kernel that dies (memory, CPU limit, ``os._exit``) ends the run, and
the cells that completed keep their outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNET = 0x40000000


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


def _kernel_spec(folder: Path, limits: Limits, work: Path) -> Path:
    spec_dir = folder / "kernels" / "paramact-sandbox"
    spec_dir.mkdir(parents=True)
    env = {
        "PARAMACT_SANDBOX_LIMITS": json.dumps(limits.__dict__),
        "PARAMACT_SANDBOX_WORKDIR": str(work),
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
    spec = {"argv": [sys.executable, "-m", "paramact.course.sandbox", "-f", "{connection_file}"],
            "display_name": "paramact sandbox", "language": "python", "env": env}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return folder / "kernels"


def execute(notebook: dict, limits: Limits = Limits()) -> Execution:
    """Run every code cell of ``notebook`` (an nbformat dict) in a fresh sandboxed kernel."""
    import nbformat
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    scratch = Path(tempfile.mkdtemp(prefix="paramact-sandbox-"))
    work, run = scratch / "work", scratch / "run"
    work.mkdir()
    run.mkdir()
    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    cells = [CellRun() for _ in nb.cells]
    km = AsyncKernelManager(kernel_name="paramact-sandbox",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(_kernel_spec(scratch, limits, work))]),
                       transport="ipc", ip=str(run / "ipc"), connection_file=str(run / "connection.json"))
    client = NotebookClient(nb, km=km, timeout=limits.cell_seconds, allow_errors=True,
                            interrupt_on_timeout=True, startup_timeout=60, kernel_name="paramact-sandbox")
    execution = Execution(cells)
    started = time.monotonic()
    try:
        # The kernel's own log lines (e.g. 'parent appears to have exited') are noise for graders.
        with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if time.monotonic() - started > limits.notebook_seconds:
                    execution.stopped = f"the notebook ran over its {limits.notebook_seconds:g} s limit"
                    break
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    execution.stopped = "the kernel died (memory or CPU limit, or the code ended the process)"
                    cells[index] = _outcome(cell, error="DeadKernelError: the kernel died while running this cell")
                    break
                except CellTimeoutError:
                    execution.stopped = f"a cell ran over its {limits.cell_seconds:g} s limit"
                    cells[index] = _outcome(cell, error=f"TimeoutError: ran over {limits.cell_seconds:g} s")
                    break
                cells[index] = _outcome(cell)
    except Exception as error:  # the kernel could not start or the connection broke
        execution.stopped = execution.stopped or f"the kernel failed: {type(error).__name__}: {error}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return execution


def _outcome(cell, error: str | None = None) -> CellRun:
    outputs = [dict(output) for output in cell.get("outputs", [])]
    for output in outputs:
        if output.get("output_type") == "error" and error is None:
            error = f"{output.get('ename')}: {output.get('evalue')}"
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
    os.environ["PARAMACT_SANDBOX_ISOLATION"] = _isolate(writable=[work, connection.parent])
    os.chdir(work)


# Linux constants (<sched.h>, <sys/mount.h>, <linux/prctl.h>, <linux/capability.h>).
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MOUNT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": 1024,
               "nodiratime": 2048, "relatime": 1 << 21}
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
CAPABILITY_VERSION_3 = 0x20080522


def _isolate(writable: list[Path]) -> str:
    """No network, a read-only file system but for ``writable``, and no capabilities to undo either.

    Uses Linux namespaces: as root directly, otherwise through a user namespace where the kernel
    allows one. Returns a short description of what was achieved (the grader reports it).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | (0 if uid == 0 else CLONE_NEWUSER)
    if sys.platform != "linux" or libc.unshare(flags) != 0:
        return "none (namespaces not permitted here)"
    if uid != 0:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None)
    keep = {str(path) for path in writable}
    for path in keep:
        libc.mount(path.encode(), path.encode(), None, MS_BIND | MS_REC, None)
    read_only = 0
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        mount_point, options = fields[4], fields[5].split(",")
        if mount_point in keep or mount_point.split("/")[1:2] in (["proc"], ["sys"], ["dev"]):
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
    return f"network off, {read_only} mounts read-only, capabilities {'dropped' if dropped else 'kept'}"


if __name__ == "__main__":
    _enter_sandbox()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
