"""CPU time (``time.process_time``) per event of the writes, for figures a loaded machine blurs
less than the suite's wall clock (issue 17).

``python -m benchmarks.write_cpu sides ORDER PER_SUBJECT [EVENTS] [ROUNDS]``: chronology's and
the reference's SQLite and memory writes of one shape, in turns (forwards, then backwards),
each on fresh state; prints the median us an event of each, the time spent collecting
garbage, and the ratios.

``python -m benchmarks.write_cpu sizes ORDER SIZE[,SIZE...] [ROUNDS]``: chronology's SQLite
write (and the read back: open, first full view) at each log size, 10 events a subject,
with SQLite's default page cache and with the store's, in turns.

``python -m benchmarks.write_cpu phases ORDER PER_SUBJECT [EVENTS] [ROUNDS]``: chronology's
write of one shape taken apart, CPU us an event (the least of the rounds, each part on the
same built events): building the events, ``prepare``, ``seal`` (nothing stored, no head),
then the whole ``extend`` of every batch into a new memory chronicle and into a new SQLite file
(building not included).
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import data, ours, reference
from benchmarks.data import Shape
from chronology import Chronicle
from chronology.record import prepare, seal
from chronology.stores.sqlite.file import SQLiteFile

Run = Callable[[], Any]


class _Collections:
    """CPU time spent in the cyclic collector, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            self.seconds += time.process_time() - self._start


def _fresh(directory: Path, name: str) -> Path:
    path = directory / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def _cpu(run: Run, collections: _Collections) -> tuple[float, float]:
    gc.collect()
    collections.seconds = 0.0
    start = time.process_time()
    run()
    return time.process_time() - start, collections.seconds


def sides(order: str, per_subject: int, events: int = 10_000, rounds: int = 5) -> str:
    """Both libraries' writes of one shape, CPU us an event (see the module)."""
    shape = Shape(max(1, events // per_subject), per_subject, order)
    n = shape.total
    directory = Path(tempfile.mkdtemp(prefix="chronology-cpu-"))
    collections = _Collections()

    def ours_sqlite() -> Run:
        specs = list(data.batches(shape))
        c = Chronicle.open(_fresh(directory, "ours.db"))

        def run() -> None:
            ours.write(c, specs)
            c.close()

        return run

    def ref_sqlite() -> Run:
        subjects = list(data.by_subject(shape))
        app = reference.open_app(_fresh(directory, "ref.db"))

        def run() -> None:
            reference.write(app, subjects)
            app.close()

        return run

    def ours_memory() -> Run:
        specs = list(data.batches(shape))
        c = Chronicle()
        return lambda: ours.write(c, specs)

    def ref_memory() -> Run:
        subjects = list(data.by_subject(shape))
        app = reference.open_app(None)
        return lambda: reference.write(app, subjects)

    setups: dict[str, Callable[[], Run]] = {
        "chronology sqlite": ours_sqlite,
        "eventsourcing sqlite": ref_sqlite,
        "chronology memory": ours_memory,
        "eventsourcing memory": ref_memory,
    }
    cpu: dict[str, list[float]] = {name: [] for name in setups}
    gcs: dict[str, list[float]] = {name: [] for name in setups}
    names = list(setups)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            seconds, collecting = _cpu(setups[name](), collections)
            cpu[name].append(seconds / n * 1e6)
            gcs[name].append(collecting / n * 1e6)
    med = {name: statistics.median(values) for name, values in cpu.items()}
    parts = [f"{name} {med[name]:.2f} (gc {statistics.median(gcs[name]):.2f})" for name in names]
    sql = med["eventsourcing sqlite"] / med["chronology sqlite"]
    memory = med["eventsourcing memory"] / med["chronology memory"]
    return (
        f"{order}, {per_subject} a subject, {n:,} events, us an event: "
        + "; ".join(parts)
        + f"; SQLite x{sql:.2f}, memory x{memory:.2f}"
    )


def sizes(order: str, counts: list[int], rounds: int = 1) -> list[str]:
    """Chronology's SQLite write and read back at each size, CPU us an event, with SQLite's
    default page cache (2,000 KiB) and the store's, in turns."""
    directory = Path(tempfile.mkdtemp(prefix="chronology-cpu-"))
    collections = _Collections()
    caches = {"2,000 KiB": 2000, f"{SQLiteFile.page_cache_kib:,} KiB": SQLiteFile.page_cache_kib}
    lines = []
    for count in counts:
        shape = Shape(max(1, count // 10), 10, order)
        end = data.end_of_log(shape)
        writes: dict[str, list[float]] = {name: [] for name in caches}
        reads: dict[str, list[float]] = {name: [] for name in caches}
        names = list(caches)
        for r in range(rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                SQLiteFile.page_cache_kib = caches[name]
                specs = list(data.batches(shape))
                path = _fresh(directory, "ours.db")

                def write(path: Path = path, specs: list[list[data.Spec]] = specs) -> None:
                    with Chronicle.open(path) as c:
                        ours.write(c, specs)

                def read(path: Path = path, end: Any = end) -> None:
                    with Chronicle.open(path, read_only=True) as c:
                        c.as_of(end).expectations()

                writes[name].append(_cpu(write, collections)[0] / shape.total * 1e6)
                del specs
                reads[name].append(_cpu(read, collections)[0] / shape.total * 1e6)
        lines.append(
            f"{order}, {shape.total:,} events, us an event: "
            + "; ".join(
                f"cache {name}: write {statistics.median(writes[name]):.2f},"
                f" read back {statistics.median(reads[name]):.2f}"
                for name in names
            )
        )
    SQLiteFile.page_cache_kib = caches[names[-1]]
    return lines


def phases(order: str, per_subject: int, events: int = 10_000, rounds: int = 3) -> str:
    """Chronology's write of one shape, part by part (see the module)."""
    shape = Shape(max(1, events // per_subject), per_subject, order)
    n = shape.total
    specs = list(data.batches(shape))
    built = [ours.events(batch) for batch in specs]
    prepared = [prepare(batch) for batch in built]
    directory = Path(tempfile.mkdtemp(prefix="chronology-cpu-"))
    now = datetime.now(UTC)

    def sqlite() -> None:
        with Chronicle.open(_fresh(directory, "ours.db")) as c:
            for batch in built:
                c.extend(batch)

    def memory() -> None:
        c = Chronicle()
        for batch in built:
            c.extend(batch)

    parts: dict[str, Run] = {
        "build": lambda: [ours.events(batch) for batch in specs],
        "prepare": lambda: [prepare(batch) for batch in built],
        "seal": lambda: [seal(b, None, lambda _: {}, lambda: now) for b in prepared],
        "memory extend": memory,
        "SQLite extend": sqlite,
    }
    collections = _Collections()
    best = {
        name: min(_cpu(run, collections)[0] for _ in range(rounds)) for name, run in parts.items()
    }
    return f"{order}, {per_subject} a subject, {n:,} events, CPU us an event: " + "; ".join(
        f"{name} {seconds / n * 1e6:.2f}" for name, seconds in best.items()
    )


def main(argv: list[str]) -> None:
    """Run what the arguments ask (see the module)."""
    if argv[:1] == ["sides"]:
        rest = [int(a) for a in argv[3:]]
        print(sides(argv[1], int(argv[2]), *rest), flush=True)
    elif argv[:1] == ["phases"]:
        rest = [int(a) for a in argv[3:]]
        print(phases(argv[1], int(argv[2]), *rest), flush=True)
    elif argv[:1] == ["sizes"]:
        rounds = int(argv[3]) if len(argv) > 3 else 1
        for line in sizes(argv[1], [int(x) for x in argv[2].split(",")], rounds):
            print(line, flush=True)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
