"""The PostgreSQL section: chronology and the reference's PostgreSQL recorder on one server.

The workloads are the SQLite ones (:mod:`benchmarks.workloads`) on a server: the writes, the
read back and the point reads, each system in turn with the other; and the throughput of 4
concurrent writer processes against 1, each writer a process of its own with its own
connection, writing its share of the same events. Every run gets a schema of its own, made in
the run's untimed set-up and dropped afterwards, so no run reads or extends another's tables.

The section runs when a server is named (``--postgres URL`` or the environment variable
:data:`URL_VARIABLE`); the role needs to create schemas in the database.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from benchmarks import data, ours, reference
from benchmarks.data import Shape
from benchmarks.sides import point_read_turns, read_back, write_setups
from benchmarks.timing import Result, interleaved
from benchmarks.workloads import Log
from chronology import Chronicle

#: The environment variable naming the server when ``--postgres`` is not given.
URL_VARIABLE = "CHRONOLOGY_BENCH_POSTGRES_URL"
#: The numbers of concurrent writers compared.
WRITERS = (1, 4)


def server_url(given: str | None) -> tuple[str | None, str]:
    """The server to run against (``given``, else :data:`URL_VARIABLE`), or ``None`` and why
    the section is skipped."""
    url = given or os.environ.get(URL_VARIABLE) or None
    if url is None:
        return None, f"no server named: give --postgres URL or set {URL_VARIABLE}"
    try:
        import psycopg
        import psycopg_pool  # noqa: F401  (the reference's recorder needs it)
    except ImportError as exc:
        return None, f"{exc.name} is not installed: pip install 'eventsourcing[postgres]==9.5.*'"
    try:
        psycopg.connect(url, connect_timeout=10).close()
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return None, f"cannot connect to the server: {first}"
    return url, ""


class Schemas:
    """Fresh schemas in the server's database, one live per use (``"ours"``, ``"ref"``, ...):
    making a new one for a use drops the one before; :meth:`close` drops them all."""

    def __init__(self, url: str) -> None:
        import psycopg

        self._conn = psycopg.connect(url, autocommit=True)
        self._live: dict[str, str] = {}
        self._made = 0

    def fresh(self, use: str) -> str:
        """Drop ``use``'s schema, if any, and create an empty one; return its name."""
        self.drop(use)
        self._made += 1
        name = f"bench_{use}_{os.getpid()}_{self._made}"
        self._conn.execute(f'CREATE SCHEMA "{name}"')
        self._live[use] = name
        return name

    def live(self, use: str) -> bool:
        """Whether ``use`` has a schema now."""
        return use in self._live

    def rows(self, use: str, table: str) -> int:
        """How many rows ``table`` holds in ``use``'s schema."""
        row = self._conn.execute(f'SELECT count(*) FROM "{self._live[use]}"."{table}"').fetchone()
        assert row is not None
        return int(row[0])

    def drop(self, use: str) -> None:
        """Drop ``use``'s schema and everything in it, if it has one."""
        name = self._live.pop(use, None)
        if name is not None:
            self._conn.execute(f'DROP SCHEMA "{name}" CASCADE')

    def close(self) -> None:
        """Drop every schema made, and close the connection."""
        try:
            for use in list(self._live):
                self.drop(use)
        finally:
            self._conn.close()


@contextlib.contextmanager
def schemas(url: str) -> Iterator[Schemas]:
    """:class:`Schemas` on ``url``, every one dropped on leaving."""
    made = Schemas(url)
    try:
        yield made
    finally:
        made.close()


def section(
    given: str | None,
    shape: Shape,
    point_sizes: list[int],
    probes_and_writer_events: tuple[int, int],
    rounds_and_times: tuple[int, int],
    log: Log,
) -> list[Result]:
    """The whole section, when a server is named and answers; else a printed reason and no
    results: the writes and the read back of ``shape`` (``rounds`` rounds), the point reads on
    logs of ``point_sizes`` (``times`` runs of ``probes`` reads), and the concurrent writers of
    ``writer_events`` events (``rounds`` rounds)."""
    url, reason = server_url(given)
    if url is None:
        print(f"postgres section skipped: {reason}", flush=True)
        return []
    probes, writer_events = probes_and_writer_events
    rounds, times = rounds_and_times
    results: list[Result] = []
    with schemas(url) as made:
        log(f"write, PostgreSQL: {shape.total:,} events")
        results += write(url, shape, rounds, made)
        log(f"read back, PostgreSQL: {shape.total:,} events")
        results += read(url, shape, rounds, made)
        log("point reads, PostgreSQL")
        results += point_reads(url, point_sizes, shape.events, probes, times, made, log)
        log(f"concurrent writers, PostgreSQL: {writer_events:,} events")
        results += writers(
            url, Shape(writer_events // shape.events, shape.events), rounds, made, log
        )
    return results


def _rates(n: int, seconds: list[float]) -> list[float]:
    return [n / s for s in seconds]


# -- writing and reading back ----------------------------------------------------------------


def write(url: str, shape: Shape, rounds: int, made: Schemas) -> list[Result]:
    """Create and store S x E events, 1,000 a batch (``extend``) or about 1,000 a ``save``,
    each run into a fresh schema, closing the connection at the end (as ``write.sqlite``)."""
    n = shape.total
    ours_run, ref_run = write_setups(
        shape,
        lambda: Chronicle.open(url, schema=made.fresh("ours")),
        lambda: reference.open_postgres(url, made.fresh("ref")),
    )
    runs = interleaved({"chronology": ours_run, "eventsourcing": ref_run}, rounds)
    made.drop("ours")
    made.drop("ref")
    return [
        Result("write.postgres", system, n, "events/s", _rates(n, seconds))
        for system, seconds in runs.items()
    ]


def read(url: str, shape: Shape, rounds: int, made: Schemas) -> list[Result]:
    """Open a stored log and answer the first full question: ``Chronicle.open`` (read-only)
    and every expectation at the end of the log, against a new reference ``Application`` and
    every aggregate replayed."""
    mine, theirs = made.fresh("read_ours"), made.fresh("read_ref")
    found = read_back(
        "read.postgres",
        shape,
        rounds,
        lambda read_only: Chronicle.open(url, schema=mine, read_only=read_only),
        lambda: reference.open_postgres(url, theirs),
    )
    made.drop("read_ours")
    made.drop("read_ref")
    return found


# -- point reads -----------------------------------------------------------------------------


def point_reads(
    url: str, sizes: list[int], events: int, probes: int, times: int, made: Schemas, log: Log
) -> list[Result]:
    """``as_of(past).get(subject)`` against the reference's read of an aggregate at a past
    version, on logs of each size (as ``point_read.sqlite``)."""
    out: list[Result] = []
    for n in sizes:
        shape = Shape(max(1, n // events), events)
        log(f"  point reads on {n:,} events: building")
        name = made.fresh("point_ours")
        c = Chronicle.open(url, schema=name)
        app = reference.open_postgres(url, made.fresh("point_ref"))
        reopen = partial(Chronicle.open, url, schema=name, read_only=True)
        out += point_read_turns("point_read.postgres", c, app, shape, probes, times, reopen)
        made.drop("point_ours")
        made.drop("point_ref")
    return out


# -- concurrent writers ----------------------------------------------------------------------

#: The table each system's events land in.
_TABLES = {"chronology": "records", "eventsourcing": "chronicle_events"}


def writers(url: str, shape: Shape, rounds: int, made: Schemas, log: Log) -> list[Result]:
    """The events of ``shape`` written by 1 writer process and by 4 at once (each its share:
    every 4th batch, or every 4th subject for the reference), into a fresh schema per run.

    Each writer is a forked process: it opens its own connection and builds its share of
    descriptions, says it is ready, and starts when told; a run is timed from the go to the
    last writer's done (its connection closed), so starting the processes is not counted.
    Every run is checked, after its timing, to have stored the whole log.
    """
    n = shape.total
    fork = multiprocessing.get_context("fork")
    started: list[tuple[BaseProcess, Connection]] = []

    def settle() -> None:
        """Wait for the last run's writers, and check that it stored the whole log."""
        for process, _ in started:
            process.join()
        started.clear()
        for system, table in _TABLES.items():
            use = f"writers_{system}"
            if made.live(use):
                stored = made.rows(use, table)
                if stored != n:
                    raise RuntimeError(f"{system}: {stored:,} events stored, not {n:,}")
                made.drop(use)

    def setup(system: str, count: int) -> Callable[[], Callable[[], Any]]:
        def make() -> Callable[[], Any]:
            settle()
            schema = made.fresh(f"writers_{system}")
            # Tables made before the writers start, so none of them races to make them.
            if system == "chronology":
                Chronicle.open(url, schema=schema).close()
            else:
                reference.open_postgres(url, schema).close()
            for part in range(count):
                mine, theirs = fork.Pipe()
                share = (url, schema, system, shape, slice(part, None, count))
                process = fork.Process(target=_writer, args=(share, theirs), daemon=True)
                process.start()
                started.append((process, mine))
            for _, pipe in started:
                _expect(pipe, "ready")

            def run() -> None:
                for _, pipe in started:
                    pipe.send("go")
                for _, pipe in started:
                    _expect(pipe, "done")

            return run

        return make

    setups = {
        f"{system} ({count} writer{'s' if count > 1 else ''})": setup(system, count)
        for system in _TABLES
        for count in WRITERS
    }
    log(f"  {', '.join(setups)}: {n:,} events each run")
    runs = interleaved(setups, rounds)
    settle()
    out: list[Result] = []
    for name, seconds in runs.items():
        rates = _rates(n, seconds)
        note = "each writer a process with its own connection"
        if not name.endswith("(1 writer)"):
            one = name.replace(f"({WRITERS[-1]} writers)", "(1 writer)")
            pairs = sorted(x / y for x, y in zip(rates, _rates(n, runs[one]), strict=True))
            note += f"; x{pairs[len(pairs) // 2]:.2f} the rate of 1 (median of the rounds)"
        out.append(Result("writers.postgres", name, n, "events/s", rates, note=note))
    return out


def _expect(pipe: Connection, word: str) -> None:
    said = pipe.recv()
    if said != word:
        raise RuntimeError(f"a writer process failed: {said}")


def _writer(share: tuple[str, str, str, Shape, slice], pipe: Connection) -> None:
    """One concurrent writer (in a process of its own): its share of the batches (or of the
    subjects, for the reference) of the workload, written when the parent says go."""
    url, schema, system, shape, part = share
    try:
        close: Callable[[], None]
        go: Callable[[], object]
        if system == "chronology":
            c = Chronicle.open(url, schema=schema)
            specs = list(data.batches(shape))[part]
            go, close = partial(ours.write, c, specs), c.close
        else:
            app = reference.open_postgres(url, schema, create_table=False)
            subjects = list(data.by_subject(shape))[part]
            go, close = partial(reference.write, app, subjects), app.close
        pipe.send("ready")
        pipe.recv()
        go()
        close()
        pipe.send("done")
    except BaseException as exc:  # told to the parent, which raises
        pipe.send(f"{type(exc).__name__}: {exc}")
        raise
