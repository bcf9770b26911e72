"""Child Python processes for the tests that write one chronicle from several processes
(``test_sqlite_processes.py``, ``test_postgres.py``): started on this checkout, talked to by
lines on their standard output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_child(script: str, *args: str) -> subprocess.Popen[str]:
    """Start ``python -c script args...`` importing this checkout's ``chronology``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def expect_line(proc: subprocess.Popen[str], line: str) -> None:
    """Read the child's next line; if it is not ``line``, kill it and fail with its stderr."""
    assert proc.stdout is not None
    got = proc.stdout.readline().strip()
    if got != line:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"expected {line!r} from the child, got {got!r}; stderr:\n{err}")
