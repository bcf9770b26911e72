"""The benchmark suite's entry point judges only the sections that ran."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import postgres
from benchmarks.data import Shape

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


@pytest.mark.postgres
@pytest.mark.slow
def test_the_postgres_section_runs_every_workload_and_drops_its_schemas(postgres_url: str) -> None:
    """A small run of the whole section: every workload and system measured, the concurrent
    writers' logs checked whole, and no schema of this process left on the server."""
    pytest.importorskip("psycopg_pool")
    import psycopg

    results = postgres.section(
        postgres_url, Shape(20, 10), [200], (10, 400), (1, 1), lambda message: None
    )
    assert [
        ("point_read.postgres", "chronology"),
        ("point_read.postgres", "eventsourcing"),
        ("read.postgres", "chronology"),
        ("read.postgres", "eventsourcing"),
        ("write.postgres", "chronology"),
        ("write.postgres", "eventsourcing"),
        ("writers.postgres", "chronology (1 writer)"),
        ("writers.postgres", "chronology (4 writers)"),
        ("writers.postgres", "eventsourcing (1 writer)"),
        ("writers.postgres", "eventsourcing (4 writers)"),
    ] == sorted((r.workload, r.system) for r in results)
    assert all(r.median > 0 for r in results)
    with psycopg.connect(postgres_url) as conn:
        left = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
            (f"bench\\_%\\_{os.getpid()}\\_%",),
        ).fetchall()
    assert [] == left
