"""The kernel's launcher: run outside the jail, it limits itself, then becomes bubblewrap.

``python -I launcher.py CONFIG -- ARGV``: :class:`paramact.grader.jail.Jail` builds this command line
and jupyter_client starts it. The launcher joins the run's cgroups, sets per-process resource limits
and replaces itself with ``ARGV`` (bubblewrap, which starts the kernel). It is run as a file and imports
only the standard library, so that starting a kernel does not also import the course (and NumPy).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from pathlib import Path

LAUNCHER_PATH = os.path.abspath(__file__)
ADDRESS_HEADROOM = (
    4 * 2**30
)  # virtual memory that libraries reserve (thread stacks, arenas) beyond what they use
# Without bubblewrap the reference can only be blocked inside Python (the kernel runs this first).
UNJAILED_STARTUP = "import sys; sys.modules['paramact'] = None"


def die_with_parent(parent: int) -> None:
    """Be killed when ``parent`` (the process that started this one) ends; exit now if it already has.

    Linux only (``PR_SET_PDEATHSIG``): elsewhere a process outlives a killed grader.
    """
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it ended before that took effect
        os._exit(1)


def launch(config: dict, argv: list[str]) -> None:
    """Runs outside the jail, in the process jupyter_client started: join, limit, then become ``argv``."""
    die_with_parent(config["parent"])
    Path(config["pid_file"]).write_text(str(os.getpid()))
    for folder in config["cgroups"]:
        (Path(folder) / "cgroup.procs").write_text(str(os.getpid()))
    limits = config["limits"]
    for name, value in (
        ("RLIMIT_CPU", limits["cpu_seconds"]),
        ("RLIMIT_FSIZE", limits["file_bytes"]),
        ("RLIMIT_CORE", 0),
    ):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError):  # some platforms refuse some limits
            pass
    # Address space per process too, so that one huge allocation raises MemoryError rather than ending
    # the kernel. With cgroups bounding the tree it leaves room for what libraries reserve but never
    # use; without them it is the only bound (a fork multiplies it, and the grader warns).
    address_space = limits["memory_bytes"] + (ADDRESS_HEADROOM if config["cgroups"] else 0)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    except (ValueError, OSError):
        pass
    if not config["jailed"]:
        work = Path(config["work"])
        work.mkdir(exist_ok=True)
        os.chdir(work)
        keep = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work),
            "TMPDIR": str(work),
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(work / ".matplotlib"),
            "IPYTHONDIR": str(work / ".ipython"),
        }
        os.environ.clear()
        os.environ.update(keep)
        argv = [*argv, f"--IPKernelApp.exec_lines={UNJAILED_STARTUP}"]
        os.execvp(argv[0], argv)
    # bubblewrap's own processes stay visible in the jail's /proc: they get no environment to show.
    os.execve(argv[0], argv, {"PATH": "/usr/bin:/bin"})


if __name__ == "__main__":
    separator = sys.argv.index("--")
    launch(json.loads(sys.argv[1]), sys.argv[separator + 1 :])
