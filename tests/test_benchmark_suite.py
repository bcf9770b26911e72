"""The benchmark suite's entry point judges only the sections that ran."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import postgres, reference
from benchmarks.data import Shape
from benchmarks.run import checks
from benchmarks.sides import FIRST_READ, point_read_turns
from benchmarks.timing import Result
from chronology import Chronicle

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
        ("point_read.postgres", "chronology (first read)"),
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


def _shape_result(system: str, per_subject: int, us: float) -> Result:
    workload = f"point_read.memory (in-order, {per_subject} a subject)"
    extra = {"order": "in-order", "per_subject": per_subject}
    return Result(workload, system, 10_000, "us", [us], extra=extra)


def test_the_long_lived_target_is_judged_on_reads_after_a_warm_up_and_first_reads_reported() -> (
    None
):
    """A first read lists the subject (x20 the cost at 1,000 events a subject here); later
    reads fold from the subject's snapshots (x1.5): the target holds, and the check says both."""
    results = [
        _shape_result(system, per_subject, us)
        for system, per_subject, us in [
            ("chronology", 10, 40.0),
            ("chronology", 1_000, 60.0),
            (FIRST_READ, 10, 50.0),
            (FIRST_READ, 1_000, 1_000.0),
            ("eventsourcing", 10, 400.0),
            ("eventsourcing", 1_000, 40_000.0),
        ]
    ]
    (long_lived,) = [c for c in checks(results) if "long-lived" in c.name]
    assert "point_read.memory (in-order), long-lived, warm" == long_lived.name
    assert long_lived.met
    assert long_lived.detail.endswith(
        "x1.50 the cost (at most x2); first reads x20.00 (not judged)"
    )


def test_point_reads_are_measured_warm_and_first_apart() -> None:
    """Three results: chronology's reads after a warm-up pass, its first read of each subject
    read (in a chronicle opened afresh each run), and the reference's; the same answers."""
    shape = Shape(4, 40)
    opened: list[Chronicle] = []
    store = Chronicle().store

    def reopen() -> Chronicle:
        opened.append(Chronicle(store))
        return opened[-1]

    c = Chronicle(store)
    results = point_read_turns(
        "point_read.memory", c, reference.open_app(None), shape, 6, 2, reopen
    )
    assert ["chronology", FIRST_READ, "eventsourcing"] == [r.system for r in results]
    assert all(2 == len(r.runs) and r.median > 0 for r in results)
    assert 2 == len(opened)  # one chronicle a run of first reads
    assert "after a warm-up pass over the subjects read" in results[0].note
    assert "the first read of each of the " in results[1].note


def test_the_cpu_measure_of_writes_gives_both_sides_and_each_cache() -> None:
    from benchmarks import write_cpu
    from chronology.stores.sqlite.file import SQLiteFile

    cache = SQLiteFile.page_cache_kib
    line = write_cpu.sides("random", 10, 200, 1)
    assert line.startswith("random, 10 a subject, 200 events, us an event: chronology sqlite ")
    assert "SQLite x" in line
    assert "memory x" in line
    (size,) = write_cpu.sizes("backfill", [200])
    assert size.startswith("backfill, 200 events, us an event: cache 2,000 KiB: write ")
    assert cache == SQLiteFile.page_cache_kib
