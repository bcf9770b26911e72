"""The benchmark suite's entry point judges only the sections that ran."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import postgres

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


def test_the_postgres_section_without_a_server_is_skipped_saying_why(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CHRONOLOGY_BENCH_POSTGRES_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "tiny", "--only", "postgres"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert 0 == done.returncode, done.stderr
    assert (
        "postgres section skipped: no server named: give --postgres URL or set "
        "CHRONOLOGY_BENCH_POSTGRES_URL" in done.stdout
    )
    assert "write, PostgreSQL" not in done.stdout


def test_an_unreachable_server_skips_the_postgres_section_with_the_reason() -> None:
    pytest.importorskip("psycopg_pool")
    url, reason = postgres.server_url("postgresql://nobody:secret@127.0.0.1:1/none")
    assert None is url
    assert reason.startswith("cannot connect to the server: ")
    assert "secret" not in reason
