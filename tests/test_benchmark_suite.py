"""The benchmark suite's entry point judges only the sections that ran."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_run_of_one_section_judges_its_targets_and_skips_the_others(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "tiny", "--only", "point", "--json", out],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    assert "point read, memory" in done.stdout
    assert "ingest vs peer" not in done.stdout
    assert out.stat().st_size > 0
