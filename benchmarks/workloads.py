"""The workloads, each run side by side with the reference where it has one."""

from __future__ import annotations

import gc
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import data, ours, reference, sides
from benchmarks.data import Shape
from benchmarks.timing import Result, interleaved, repeat, timed
from chronology import Chronicle
from chronology.expectations import Expectation
from chronology.fold import ExpectationFold
from chronology.stores.base import Store
from chronology.visibility import folds, retracted_ids

Log = Callable[[str], None]


@contextmanager
def scratch() -> Iterator[Path]:
    """A temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="chronology-bench-") as d:
        yield Path(d)


def _fresh_db(directory: Path, name: str) -> Path:
    path = directory / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


# -- writing --------------------------------------------------------------------------------------


def write_memory(
    shape: Shape, times: int, *, with_reference: bool = True, extras: bool = True
) -> list[Result]:
    """Create and store S x E events in memory, 1,000 a batch, in the shape's arrival order.

    Each run's input is made in its own (untimed) set-up and dropped after it, so no run
    carries another's objects: a collection of the oldest generation walks every live object,
    and a hundred thousand events kept for another run made each one longer.
    ``with_reference`` runs the reference in turns; ``extras`` adds the store alone (events
    built beforehand).
    """
    n = shape.total

    def ours_run() -> Callable[[], Any]:
        c = Chronicle()
        specs = list(data.batches(shape))
        return lambda: ours.write(c, specs)

    def ref_run() -> Callable[[], Any]:
        app = reference.open_app(None)
        subjects = list(data.by_subject(shape))
        return lambda: reference.write(app, subjects)

    def store_only() -> Callable[[], Any]:
        c = Chronicle()
        built = [ours.events(b) for b in data.batches(shape)]
        return lambda: [c.extend(b) for b in built]

    setups: dict[str, Callable[[], Callable[[], Any]]] = {"chronology": ours_run}
    if with_reference:
        setups["eventsourcing"] = ref_run
    if extras:
        setups["store"] = store_only
    runs = interleaved(setups, times)
    out = [Result("write.memory", "chronology", n, "events/s", _rates(n, runs["chronology"]))]
    if with_reference:
        out.append(
            Result("write.memory", "eventsourcing", n, "events/s", _rates(n, runs["eventsourcing"]))
        )
    if extras:
        out.append(
            Result(
                "write.memory",
                "chronology (store only)",
                n,
                "events/s",
                _rates(n, runs["store"]),
                note="events built beforehand",
            )
        )
    return out


def _rates(n: int, seconds: list[float]) -> list[float]:
    return [n / s for s in seconds]


def write_sqlite(
    shape: Shape, times: int, directory: Path, *, with_reference: bool = True, extras: bool = True
) -> list[Result]:
    """Create and store S x E events in an SQLite file, 1,000 a batch (one transaction each);
    and (``extras``) the store alone and the physical floor: the same rows, already
    serialized, inserted with ``executemany``. As in :func:`write_memory`, each run's input is
    made in its own set-up."""
    n = shape.total
    ours_run, ref_run = sides.write_setups(
        shape,
        lambda: Chronicle.open(_fresh_db(directory, "ours.db")),
        lambda: reference.open_app(_fresh_db(directory, "ref.db")),
    )

    def store_only() -> Callable[[], Any]:
        c = Chronicle.open(_fresh_db(directory, "ours.db"))
        built = [ours.events(b) for b in data.batches(shape)]

        def run() -> None:
            for b in built:
                c.extend(b)
            c.close()

        return run

    if not extras:
        setups: dict[str, sides.Setup] = {"chronology": ours_run}
        if with_reference:
            setups["eventsourcing"] = ref_run
        runs = interleaved(setups, times)
        return [
            Result("write.sqlite", system, n, "events/s", _rates(n, seconds))
            for system, seconds in runs.items()
        ]
    # The floor inserts the rows chronology stored: write them once first.
    timed(ours_run())
    schema, rows, page_size = _stored_rows(directory / "ours.db")

    def floor_run() -> Callable[[], Any]:
        path = _fresh_db(directory, "floor.db")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute(f"PRAGMA page_size = {page_size}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        for statement in schema:
            conn.execute(statement)
        marks = ",".join("?" * len(rows[0]))
        insert = f"INSERT INTO records VALUES ({marks})"

        def run() -> None:
            for i in range(0, len(rows), data.BATCH):
                conn.execute("BEGIN")
                conn.executemany(insert, rows[i : i + data.BATCH])
                conn.execute("COMMIT")
            conn.close()

        return run

    runs = interleaved(
        {
            "chronology": ours_run,
            "eventsourcing": ref_run,
            "store": store_only,
            "floor": floor_run,
        },
        times,
    )
    return [
        Result("write.sqlite", "chronology", n, "events/s", _rates(n, runs["chronology"])),
        Result("write.sqlite", "eventsourcing", n, "events/s", _rates(n, runs["eventsourcing"])),
        Result(
            "write.sqlite",
            "chronology (store only)",
            n,
            "events/s",
            _rates(n, runs["store"]),
            note="events built beforehand",
        ),
        Result(
            "write.sqlite",
            "sqlite3 floor",
            n,
            "events/s",
            _rates(n, runs["floor"]),
            note="executemany of the same serialized rows, same schema and pragmas",
        ),
    ]


def _stored_rows(path: Path) -> tuple[list[str], list[tuple[Any, ...]], int]:
    """The schema of the ``records`` table (with its indexes), its rows in order, and the
    file's page size."""
    conn = sqlite3.connect(path)
    try:
        schema = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL"
                " ORDER BY type DESC"
            )
        ]
        rows = conn.execute("SELECT * FROM records ORDER BY position").fetchall()
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    return schema, rows, page_size


# -- reading back ---------------------------------------------------------------------------------


def read_sqlite(
    shape: Shape, times: int, directory: Path, *, with_reference: bool = True
) -> list[Result]:
    """Open an SQLite log and answer the first full question: every expectation (ours), every
    aggregate replayed (the reference, when ``with_reference``)."""
    ours_path = _fresh_db(directory, "read-ours.db")
    ref_path = _fresh_db(directory, "read-ref.db")
    return sides.read_back(
        "read.sqlite",
        shape,
        times,
        lambda read_only: Chronicle.open(ours_path, read_only=read_only),
        (lambda: reference.open_app(ref_path)) if with_reference else None,
    )


# -- point reads ----------------------------------------------------------------------------------


def point_reads(
    sizes: list[int],
    events: int,
    probes: int,
    times: int,
    directory: Path,
    log: Log,
    *,
    order: str = "in-order",
) -> list[Result]:
    """``as_of(past).get(subject)`` against the reference's read of an aggregate at a past
    version, on logs of each size, in memory and in SQLite."""
    out: list[Result] = []
    for n in sizes:
        shape = Shape(max(1, n // events), events, order)
        log(f"  point reads on {n:,} events: building")
        backends: list[tuple[str, Path | None]] = [("memory", None), ("sqlite", directory)]
        for backend, where in backends:
            path = None if where is None else _fresh_db(where, f"point-{n}.db")
            c = Chronicle() if path is None else Chronicle.open(path)
            app = reference.open_app(None if where is None else _fresh_db(where, f"ref-{n}.db"))
            reopen = None if path is None else partial(Chronicle.open, path, read_only=True)
            out += sides.point_read_turns(
                f"point_read.{backend}", c, app, shape, probes, times, reopen
            )
            del c, app
            gc.collect()
    return out


# -- full views -----------------------------------------------------------------------------------


def naive_view(store: Store, at: datetime) -> dict[str, Expectation]:
    """A full view the naive way: refold every record known by ``at`` from scratch.

    It reads the log as the fold from snapshots does (:meth:`.Store.ordered_events_between`, no
    records made), so the two differ by the snapshots alone.
    """
    dead = retracted_ids(store.retractions())
    state = ExpectationFold()
    apply = state.apply
    for _, event_id, event in store.ordered_events_between(None, at):
        if folds(event_id, event, dead):
            apply(event, event_id)
    return state.freeze(at)


def _full_views(
    c: Chronicle, shape: Shape, times: int, rng: random.Random, late: int
) -> list[Result]:
    n = shape.total
    end = data.end_of_log(shape)

    def view(at: datetime = end) -> Callable[[], Any]:
        return lambda: c.as_of(at).expectations()

    expected = naive_view(c.store, end)
    cold = timed(view())
    got = {e.subject: e for e in c.as_of(end).expectations()}
    assert expected == got, "view from snapshots differs from the naive refold"
    naive = repeat(lambda: lambda: naive_view(c.store, end), times)
    warm = repeat(view, times)
    instants = [data.known_at(rng.randrange(n)) for _ in range(times)]
    anywhere = [timed(view(at)) for at in instants]
    note = f"{len(expected):,} subjects"
    out = [
        Result("full_view", "naive refold", n, "s", naive, note=note),
        Result("full_view", "chronology (cold)", n, "s", [cold], note="first view: builds"),
        Result("full_view", "chronology (warm, end)", n, "s", warm, note=note),
        Result("full_view", "chronology (warm, random as_of)", n, "s", anywhere),
    ]
    # Late arrivals: events said in the last tenth of the log, recorded now.
    arrivals = ours.events(data.late_arrivals(shape, min(late, max(1, n // 100)), after=0.9))
    c.extend(arrivals)
    after = timed(view())
    got = {e.subject: e for e in c.as_of(end).expectations()}
    assert naive_view(c.store, end) == got, "view after late arrivals differs"
    out.append(
        Result(
            "full_view",
            "chronology (after late arrivals)",
            n,
            "s",
            [after],
            note=f"{len(arrivals)} late events in the last tenth",
        )
    )
    return out


def full_views(
    sizes: list[int], events: int, times: int, log: Log, *, late: int = 1_000
) -> list[Result]:
    """Every expectation as of the end of the log (and as of random instants), in memory:
    with snapshots against a naive refold of the whole log."""
    out: list[Result] = []
    rng = random.Random(3)
    for n in sizes:
        shape = Shape(n // events, events)
        log(f"  full views on {n:,} events: building")
        out += _full_views(ours.fill(Chronicle(), shape), shape, times, rng, late)
        gc.collect()
    return out


# -- memory --------------------------------------------------------------------------------------

_PROBE = """
import gc, json, resource, sys
from benchmarks import data, ours
from chronology import Chronicle

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

shape = data.Shape(int(sys.argv[1]) // int(sys.argv[2]), int(sys.argv[2]), sys.argv[3])
base = rss()
c = ours.fill(Chronicle(), shape)
gc.collect()
built = rss()
c.as_of(data.end_of_log(shape)).expectations()
gc.collect()
viewed = rss()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec from the parent.
with open("/proc/self/status") as f:
    peak = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
print(json.dumps({"events": len(c), "base": base, "built": built, "viewed": viewed, "peak": peak}))
"""


def memory(n: int, events: int, order: str = "in-order") -> list[Result]:
    """Resident memory of a process holding an ``n``-event chronicle in memory, written in
    ``order`` (the in-order result is ``memory``, the others ``memory (<order>)``)."""
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(n), str(events), order],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    m = json.loads(done.stdout)
    mib = 1024 * 1024
    return [
        Result(
            "memory" if order == "in-order" else f"memory ({order})",
            "chronology",
            m["events"],
            "MiB",
            [m["viewed"] / mib],
            note=(
                f"resident after a full view; {m['built'] / mib:.0f} MiB after writing, "
                f"peak {m['peak'] / mib:.0f} MiB, empty interpreter {m['base'] / mib:.0f} MiB"
            ),
            extra={"built_mib": m["built"] / mib, "peak_mib": m["peak"] / mib, "order": order},
        )
    ]


# -- shapes and orders -----------------------------------------------------------------------------


def shape_label(order: str, per_subject: int) -> str:
    """How a result of :func:`shapes` names its shape: ``"backfill, 100 a subject"``."""
    return f"{order}, {per_subject} a subject"


def shapes(
    n: int,
    per_subject: list[int],
    orders: list[str],
    rounds: int,
    probes: int,
    directory: Path,
    log: Log,
) -> list[Result]:
    """The writes, the read back and the point reads against the reference, on an ``n``-event
    log of each arrival order and each number of events a subject.

    The workloads are those of :func:`write_memory`, :func:`write_sqlite`,
    :func:`read_sqlite` and :func:`point_reads`; each result's workload names its shape, as in
    ``write.memory (backfill, 100 a subject)``. The reference stores whole aggregates, so its
    work is the same in every order.
    """
    out: list[Result] = []
    for order in orders:
        for e in per_subject:
            shape = Shape(max(1, n // e), e, order)
            label = shape_label(order, e)
            log(f"  {label}: {shape.total:,} events")
            found = [
                *write_memory(shape, rounds, extras=False),
                *write_sqlite(shape, rounds, directory, extras=False),
                *read_sqlite(shape, rounds, directory),
                # Fewer reads of longer subjects: each costs more, and varies less.
                *point_reads(
                    [shape.total], e, max(20, probes * 10 // e), rounds, directory, log, order=order
                ),
            ]
            for r in found:
                r.workload = f"{r.workload} ({label})"
                r.extra.update(order=order, per_subject=e)
            out += found
            gc.collect()
    return out


def per_event(
    sizes: list[int], orders: list[str], times: int, directory: Path, log: Log, *, events: int = 10
) -> list[Result]:
    """Chronology's cost per event (us) of the memory write, the SQLite write and the read back,
    at each log size and in each arrival order: whether it stays flat as the log grows.

    Results are named ``per_event.<workload> (<order>)``; the reference does not run.
    """
    out: list[Result] = []
    for order in orders:
        for n in sizes:
            shape = Shape(max(1, n // events), events, order)
            log(f"  per event, {order}: {shape.total:,} events")
            found = [
                *write_memory(shape, times, with_reference=False, extras=False),
                *write_sqlite(shape, times, directory, with_reference=False, extras=False),
                *read_sqlite(shape, times, directory, with_reference=False),
            ]
            for r in found:
                out.append(
                    Result(
                        f"per_event.{r.workload} ({order})",
                        r.system,
                        r.events,
                        "us",
                        [1e6 / rate for rate in r.runs],
                        note=f"per event, {events} events a subject",
                        extra={"order": order},
                    )
                )
            gc.collect()
    return out


def build(shape: Shape, times: int) -> list[Result]:
    """Building the events alone, from the same descriptions, nothing stored: chronology's
    event objects (with their sources, windows and quantities) against the reference's
    aggregates triggering their domain events."""
    n = shape.total

    def ours_run() -> Callable[[], Any]:
        specs = list(data.batches(shape))
        return lambda: [ours.events(b) for b in specs]

    def ref_run() -> Callable[[], Any]:
        subjects = list(data.by_subject(shape))
        return lambda: [reference.build(s) for s in subjects]

    runs = interleaved({"chronology": ours_run, "eventsourcing": ref_run}, times)
    note = "events built, nothing stored"
    return [
        Result("build", system, n, "events/s", _rates(n, seconds), note=note)
        for system, seconds in runs.items()
    ]


def dump(results: list[Result]) -> str:
    """The results as JSON text."""
    return json.dumps([r.as_dict() for r in results], indent=2)


# -- importing again ------------------------------------------------------------------------------


def reimport_sqlite(sizes: list[int], events: int, times: int, directory: Path) -> list[Result]:
    """``import_jsonl`` of an exported file into a fresh SQLite file (first import), against
    the same file imported again into a file that holds its events already (every line a
    duplicate), in turns. Re-ingesting what is stored should cost no more than storing it."""
    out: list[Result] = []
    for n in sizes:
        source = directory / f"export-{n}.jsonl"
        ours.fill(Chronicle(), Shape(n // events, events)).export_jsonl(source)

        def first(source: Path = source) -> Callable[[], Any]:
            c = Chronicle.open(_fresh_db(directory, "import.db"))

            def run() -> None:
                c.import_jsonl(source)
                c.close()

            return run

        def again(source: Path = source) -> Callable[[], Any]:
            c = Chronicle.open(_fresh_db(directory, "import.db"))
            c.import_jsonl(source)

            def run() -> None:
                c.import_jsonl(source)
                c.close()

            return run

        runs = interleaved({"first": first, "again": again}, times)
        out += [
            Result(
                "reimport.sqlite",
                "chronology (first import)",
                n,
                "events/s",
                _rates(n, runs["first"]),
                note="import_jsonl into a fresh file",
            ),
            Result(
                "reimport.sqlite",
                "chronology (re-import)",
                n,
                "events/s",
                _rates(n, runs["again"]),
                note="the same file again: every event stored",
            ),
        ]
        source.unlink()
    return out
