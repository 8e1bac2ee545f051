"""Run a notebook in a jailed kernel, a cell at a time: ``execute(notebook, limits)``.

The kernel runs in a :class:`~paramact.grader.jail.Jail` (bubblewrap and cgroups) and talks to the grader
over IPC sockets in a folder of its own, so it needs no network. Cells run one at a time with a
wall-time limit each and for the whole notebook; a cell that runs over is interrupted and fails, and the
run goes on (a kernel that ignores the interrupt fails the cells after it in turn, each after its
limit); a kernel that dies (memory, CPU limit, ``os._exit``) ends the run, and the cells that completed
keep their outputs. What a kernel may make the grader hold is bounded too: each message, the messages
waiting, and each cell's outputs in count and bytes, errors included.
"""

from __future__ import annotations

import collections
import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paramact.grader.jail import Jail, Limits

if TYPE_CHECKING:
    import zmq.asyncio
    from nbclient import NotebookClient
    from nbformat import NotebookNode

__all__ = ["CellRun", "Execution", "Limits", "execute"]

# Marks nbclient's error reply after a time-out (a kernel's own replies never carry it).
TIMED_OUT = "paramact_timed_out"
# A larger message breaks the kernel's output channel (what it prints after is lost); more waiting
# messages are dropped; a cell's outputs beyond OUTPUT_MESSAGES or OUTPUT_BYTES are dropped, and an
# error's text is cut to ERROR_CHARS (tracebacks are never kept).
MESSAGE_BYTES = 16 * 2**20
QUEUED_MESSAGES = 16
OUTPUT_MESSAGES = 2000
OUTPUT_BYTES = 32 * 2**20
ERROR_CHARS = 2000
# A kernel whose channel broke (an oversized message) never takes a request again: sending gives up.
SEND_MILLISECONDS = 5000
# After a cell's time limit, how long nbclient may take to interrupt it before the jail is ended.
KILL_GRACE_SECONDS = 10


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
    usage: dict[str, float] = field(
        default_factory=dict
    )  # measured use of the process tree (cgroups.Cgroup.usage)


def _scratch() -> Path:
    """A folder for the kernel's sockets; on a tmpfs where there is one, so that what a kernel writes
    there counts against its memory limit rather than filling a disk."""
    shm = Path("/dev/shm")
    return Path(
        tempfile.mkdtemp(
            prefix="paramact-run-", dir=shm if shm.is_dir() and shm.stat().st_mode & 0o002 else None
        )
    )


def _kernel_spec(folder: Path, argv: list[str]) -> Path:
    spec_dir = folder / "spec" / "kernels" / "paramact-sandbox"
    spec_dir.mkdir(parents=True)
    spec = {"argv": argv, "display_name": "paramact sandbox", "language": "python", "env": {}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return folder / "spec" / "kernels"


def execute(notebook: dict, limits: Limits = Limits()) -> Execution:
    """Run every code cell of ``notebook`` (an nbformat dict) in a fresh jailed kernel."""
    import nbformat
    import zmq
    import zmq.asyncio

    scratch = _scratch()
    log = scratch / "kernel.log"  # the kernel's own output: read only to say why it failed to start
    jail = Jail(limits, scratch)
    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    execution = Execution([CellRun() for _ in nb.cells])
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MESSAGE_BYTES)
    context.setsockopt(zmq.RCVHWM, QUEUED_MESSAGES)
    context.setsockopt(zmq.SNDTIMEO, SEND_MILLISECONDS)
    started = time.monotonic()
    try:
        client, replies = _client(nb, jail, context, scratch, limits, started)
        # The kernel's own output goes to a log, read only if it fails to start. cleanup_kc: nbclient shuts
        # down only kernels whose manager it created; this one must not live on.
        with (
            log.open("wb") as stderr,
            client.setup_kernel(stdout=subprocess.DEVNULL, stderr=stderr, cleanup_kc=True),
        ):
            _run_cells(client, nb, replies, execution, jail, limits, started)
    except zmq.Again:
        execution.stopped = (
            execution.stopped
            or f"the kernel stopped answering (a message over {MESSAGE_BYTES // 2**20} MiB breaks its channel)"
        )
    except Exception as error:  # the kernel could not start or the connection broke
        # The launcher's and bubblewrap's complaints say why a start failed (the kernel's own are noise).
        said = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if line.startswith(("bwrap:", "paramact"))
        ][-1:]
        execution.stopped = (
            execution.stopped
            or f"the kernel failed: {type(error).__name__}: {str(error)[:200]} {' '.join(said)}".strip()
        )
    finally:
        execution.usage = {**jail.usage(), "wall_seconds": time.monotonic() - started}
        jail.close()
        context.destroy(linger=0)
        shutil.rmtree(scratch, ignore_errors=True)
    return execution


def _remaining(limits: Limits, started: float) -> float:
    """The time a cell may take now: its own limit, or what is left of the notebook's."""
    return max(
        0.1, min(limits.cell_seconds, limits.notebook_seconds - (time.monotonic() - started))
    )


def _client(
    nb: NotebookNode,
    jail: Jail,
    context: zmq.asyncio.Context,
    scratch: Path,
    limits: Limits,
    started: float,
) -> tuple[NotebookClient, dict[int, dict]]:
    """The notebook client of one run, with its kernel manager (not started yet), and the dict that
    collects the kernel's reply to each cell by index."""
    from jupyter_client.kernelspec import KernelSpecManager

    manager_class, client_class = _classes()
    km = manager_class(
        kernel_name="paramact-sandbox",
        context=context,
        kernel_spec_manager=KernelSpecManager(
            kernel_dirs=[str(_kernel_spec(scratch, jail.kernel_argv()))]
        ),
        transport="ipc",
        ip=str(jail.sockets / "ipc"),
        connection_file=str(jail.sockets / "connection.json"),
    )
    # On a time-out nbclient interrupts the kernel and, given error_on_timeout, goes on with an error
    # reply of its own rather than waiting (forever, if the code swallows KeyboardInterrupt). The
    # replies' status is kept: it also tells an error the code kept from being displayed.
    replies: dict[int, dict] = {}
    client = client_class(
        nb,
        km=km,
        timeout_func=lambda cell: _remaining(limits, started),
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "TimeoutError",
            "evalue": f"the cell ran over its {limits.cell_seconds:g} s limit",
            "traceback": [],
            TIMED_OUT: True,
        },
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.update(
            {cell_index: _brief(execute_reply["content"])}
        ),
        startup_timeout=60,
        kernel_name="paramact-sandbox",
        resources={"metadata": {"path": str(jail.sockets)}},
        shutdown_kernel="immediate",
    )  # nothing in it to save; a stuck one would cost 5 s more
    return client, replies


def _run_cells(
    client: NotebookClient,
    nb: NotebookNode,
    replies: dict,
    execution: Execution,
    jail: Jail,
    limits: Limits,
    started: float,
) -> None:
    """Run the code cells in order, each within its time limit, until the notebook's runs out or the
    kernel dies; what each cell did goes into ``execution.cells``."""
    from nbclient.exceptions import DeadKernelError

    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if time.monotonic() - started >= limits.notebook_seconds:
            execution.stopped = f"the notebook ran over its {limits.notebook_seconds:g} s limit"
            break
        # nbclient's own time-out never fires while messages keep arriving (a kernel can flood its
        # channels): past the limit and a grace period, the jail is ended from outside.
        watchdog = threading.Timer(_remaining(limits, started) + KILL_GRACE_SECONDS, jail.kill)
        watchdog.start()
        try:
            client.execute_cell(cell, index)
        except DeadKernelError:
            execution.stopped = (
                "the kernel died (memory or CPU limit, or the code ended the process)"
            )
            execution.cells[index] = _outcome(
                cell,
                {
                    "status": "error",
                    "ename": "DeadKernelError",
                    "evalue": "the kernel died while running this cell",
                },
            )
            break
        finally:
            watchdog.cancel()
        execution.cells[index] = _outcome(cell, replies.get(index, {}))


def _classes():
    """The kernel manager and notebook client of :func:`execute` (imported only where they run).

    The manager hands its own ZMQ context, with the message size limit, to its clients; the client
    keeps at most ``OUTPUT_MESSAGES`` and ``OUTPUT_BYTES`` of each cell's outputs, errors cut short.
    """
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient

    class Manager(AsyncKernelManager):
        def client(self, **kwargs):
            return super().client(context=self.context, **kwargs)

    class Client(NotebookClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.kept_bytes: collections.Counter[int] = collections.Counter()  # per cell index
            self.kept_messages: collections.Counter[int] = collections.Counter()

        def handle_comm_msg(self, outs, msg, cell_index):
            """Widgets' messages are not graded and would be kept without bound: dropped."""

        def output(self, outs, msg, display_id, cell_index):
            content = msg["content"]
            if msg["msg_type"] == "error":
                content.update(_short_error(content), traceback=[])
            size = len(json.dumps(content, default=str))
            if (
                self.kept_bytes[cell_index] + size > OUTPUT_BYTES
                or self.kept_messages[cell_index] >= OUTPUT_MESSAGES
            ):
                return None
            self.kept_bytes[cell_index] += size
            self.kept_messages[cell_index] += 1
            return super().output(outs, msg, display_id, cell_index)

    return Manager, Client


def _brief(reply: dict) -> dict:
    """What is kept of a kernel's reply: its status and a short error (a traceback can be megabytes)."""
    kept = {key: reply[key] for key in ("status", TIMED_OUT) if key in reply}
    if "ename" in reply:
        kept.update(_short_error(reply))
    return kept


def _short_error(content: dict) -> dict:
    """An error's name and message, cut short (the kernel chose their length)."""
    return {
        "ename": str(content.get("ename", ""))[:200],
        "evalue": str(content.get("evalue", ""))[:ERROR_CHARS],
    }


def _outcome(cell: NotebookNode, reply: dict) -> CellRun:
    """What a cell did, from its outputs and the kernel's reply (a time-out, an error, an aborted cell)."""
    outputs = [dict(output) for output in cell.get("outputs", [])]
    shown = [
        f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o.get("output_type") == "error"
    ]
    if reply.get(TIMED_OUT) or reply.get("status") == "error" and not shown:
        error = f"{reply.get('ename')}: {reply.get('evalue')}"
    elif shown:
        error = shown[0]
    elif reply.get("status", "ok") != "ok":
        error = f"the kernel did not run this cell (status {reply.get('status')!r})"
    else:
        error = None
    return CellRun(outputs=outputs, error=error, ran=True)
