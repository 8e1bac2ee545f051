"""The cgroups of a jailed kernel's process tree: its memory, CPU and process limits and what it used.

One :class:`Cgroup` per run, v2 (unified) or v1 (one folder per controller), created under the grader's
own group by :mod:`paramact.grader.jail`'s launcher, which also sweeps those a killed grader left behind.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paramact.grader.jail import Limits

CGROUP_ROOT = Path("/sys/fs/cgroup")


def own_path(controller: str) -> str:
    """This process's cgroup path in ``controller``'s hierarchy ("" for v2's unified one)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controllers.split(",") == [controller] or (controller == "" and controllers == ""):
            return path
    raise OSError(f"no {controller or 'unified'} cgroup")


class Cgroup:
    """One run's cgroups: created with the limits, joined by the launcher, measured, then removed."""

    V1 = {
        "memory": {"memory.limit_in_bytes": "memory", "memory.memsw.limit_in_bytes": "memory"},
        "pids": {"pids.max": "processes"},
        "cpu": {"cpu.cfs_period_us": "period", "cpu.cfs_quota_us": "quota"},
        "cpuacct": {},
    }  # measures only

    def __init__(self, version: str, folders: list[Path]):
        self.version, self.folders = version, folders

    @classmethod
    def create(cls, version: str, limits: Limits) -> Cgroup:
        name = f"paramact-{uuid.uuid4().hex[:12]}"
        period = 100_000
        values = {
            "memory": limits.memory_bytes,
            "processes": limits.processes,
            "period": period,
            "quota": max(1000, int(limits.cpus * period)),
        }
        folders = []
        try:
            if version == "v2":
                base = CGROUP_ROOT / own_path("").lstrip("/")
                if not {"memory", "pids", "cpu"} <= set(
                    (base / "cgroup.subtree_control").read_text().split()
                ):
                    raise OSError("memory, pids and cpu are not delegated here")
                folder = base / name
                folder.mkdir()
                folders.append(folder)
                for file, value in (
                    ("memory.max", values["memory"]),
                    ("memory.swap.max", 0),
                    ("pids.max", values["processes"]),
                    ("cpu.max", f"{values['quota']} {period}"),
                ):
                    (folder / file).write_text(str(value))
            else:
                for controller, files in cls.V1.items():
                    folder = CGROUP_ROOT / controller / own_path(controller).lstrip("/") / name
                    folder.mkdir()
                    folders.append(folder)
                    for file, key in files.items():
                        if (folder / file).exists():
                            (folder / file).write_text(str(values[key]))
        except OSError:
            cls(version, folders).remove()
            raise
        return cls(version, folders)

    def usage(self) -> dict[str, float]:
        """What the tree used so far, where the kernel reports it: peak memory (bytes), peak processes,
        CPU time (seconds)."""
        found = {}
        for folder in self.folders:
            for file, key in (
                ("memory.max_usage_in_bytes", "memory_peak"),
                ("memory.peak", "memory_peak"),
                ("pids.peak", "processes_peak"),
                ("cpuacct.usage", "cpu_seconds"),
                ("cpu.stat", "cpu_seconds"),
            ):
                try:
                    text = (folder / file).read_text()
                except OSError:
                    continue
                if file == "cpu.stat":  # v2: "usage_usec N" among other lines
                    usage = dict(
                        line.split() for line in text.splitlines() if len(line.split()) == 2
                    ).get("usage_usec")
                    if usage is not None:
                        found[key] = int(usage) / 1e6
                elif file == "cpuacct.usage":
                    found[key] = int(text) / 1e9
                else:
                    found[key] = int(text)
        return found

    def kill(self) -> None:
        """Kill every process in the cgroups."""
        for folder in self.folders:
            try:
                for pid in (folder / "cgroup.procs").read_text().split():
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass

    def remove(self) -> None:
        """Kill whatever is left in the cgroups and remove them."""
        self.kill()
        for folder in self.folders:
            for _ in range(50):  # killed processes leave the cgroup a moment later
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
