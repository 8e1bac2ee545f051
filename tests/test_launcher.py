"""The kernel's launcher starts every graded run: run as a file, it must import nothing of the course."""

from __future__ import annotations

import subprocess
import sys

from paramact.grader.jail import Jail, Limits
from paramact.grader.launcher import LAUNCHER_PATH


def test_the_launcher_imports_only_the_standard_library():
    probe = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('paramact', 'numpy')))"
    )
    shown = subprocess.run(
        [sys.executable, "-I", "-c", probe, LAUNCHER_PATH],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "[]", shown.stdout


def test_a_kernel_is_started_through_the_launcher_file(tmp_path):
    jail = Jail(Limits(), tmp_path)
    try:
        argv = jail.kernel_argv()
    finally:
        jail.close()
    assert argv[:3] == [sys.executable, "-I", LAUNCHER_PATH]
    assert "ipykernel_launcher" in argv
