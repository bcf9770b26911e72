"""Figures with many vintages, against the pandas-based peer ``timely-beliefs`` (4.4).

The workload of :mod:`benchmarks.figures_data`: ``S`` daily export figures, 100 vintages each
from two alternating sources, then an outcome from a third. Chronology holds them as
:class:`~chronology.events.TradeProjected` (the first vintage),
:class:`~chronology.events.TradeProjectionRevised` (the other 99) and
:class:`~chronology.events.TradeReported` events in ``kt``; the peer as one
``BeliefsDataFrame`` of a daily sensor (``event_start`` the day, ``belief_time`` the
``known_at``, ``source`` the source's name).

Measured, each system's runs taken in turns (:func:`benchmarks.timing.interleaved`) after the
answers were checked equal:

- ``figures.ingest``: chronology builds the events and stores them in memory in one
  ``extend``; ``(rows)``: one :meth:`~chronology.Chronicle.extend_rows` of the events' wire
  rows (what a JSONL export holds); ``(table)``: a pandas ``DataFrame`` of those rows' columns
  (instants as text; ``(table, timestamps)``: as aware ``datetime64`` columns)
  and one :meth:`~chronology.Chronicle.extend_table`; the peer builds a ``DataFrame`` of the
  same facts and a ``BeliefsDataFrame`` from it.
- ``figures.as_of``: every figure as of the end of the log, cold (a fresh chronicle's first
  view; a fresh frame's ``fixed_viewpoint(belief_time=X)``).
- ``figures.sqlite_open``: ``Chronicle.open`` of a file holding the workload and its first
  view; against the peer's in-memory ``fixed_viewpoint`` (the peer keeps nothing on disk).
- ``figures.history``: one subject's history (``Chronicle.history`` against
  ``belief_history(event_start)``), per read.
- ``figures.memory``: the peak resident set of a process that ingests the workload and takes
  one view (each system in its own process).

The peer is installed in the benchmark environment only (``pip install -e ".[peer]"``, or a
virtual environment of its own when its pins clash with the project's): when it cannot be
imported, chronology's columns run alone and the reason is printed.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import random
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import figures_data as fd
from benchmarks.timing import Result, interleaved
from chronology import Chronicle, Quantity, Source, Window
from chronology.events import Event, TradeProjected, TradeProjectionRevised, TradeReported
from chronology.serialization import payload_of
from chronology.snapshots import Snapshots

Log = Callable[[str], None]
Answer = dict[tuple[int, str], float]

PEER = "timely-beliefs"
OURS = "chronology"


def peer_missing() -> str | None:
    """Why the peer cannot run here (``None`` when it can)."""
    try:
        _peer()
    except ImportError as exc:
        return (
            f"timely-beliefs is not importable ({exc}); install the 'peer' extra "
            "(pip install -e '.[peer]') in a benchmark environment to run its columns"
        )
    return None


# -- chronology ------------------------------------------------------------------------------------


def chronology_events(beliefs: list[fd.Belief]) -> list[Event]:
    """The chronology events of some beliefs, built from the plain values."""
    sources = {name: Source(name) for name in (*fd.FORECASTERS, fd.REPORTER)}
    out: list[Event] = []
    add = out.append
    one_day = timedelta(days=1)
    for b in beliefs:
        subject = fd.subject_of(b.day)
        quantity = Quantity(b.value, fd.UNIT)
        source = sources[b.source]
        if 0 < b.vintage < fd.VINTAGES:
            add(
                TradeProjectionRevised(
                    subject=subject, known_at=b.known_at, source=source, quantity=quantity
                )
            )
            continue
        start = fd.day_start(b.day)
        period = Window(start, start + one_day)
        if b.vintage == 0:
            add(
                TradeProjected(
                    subject=subject,
                    known_at=b.known_at,
                    source=source,
                    exporter="Russia",
                    importer="China",
                    commodity="crude oil",
                    period=period,
                    quantity=quantity,
                    scope="seaborne exports",
                )
            )
        else:
            add(
                TradeReported(
                    subject=subject,
                    known_at=b.known_at,
                    source=source,
                    quantity=quantity,
                    period=period,
                    scope="customs",
                )
            )
    return out


def chronology_ingest(beliefs: list[fd.Belief], chronicle: Chronicle | None = None) -> Chronicle:
    """Build the events and store them in one batch."""
    c = Chronicle() if chronicle is None else chronicle
    c.extend(chronology_events(beliefs))
    return c


def wire_rows(beliefs: list[fd.Belief]) -> list[dict[str, Any]]:
    """The events as rows in the wire form (what a JSONL export holds), for the bulk path."""
    return [json.loads(payload_of(e)) for e in chronology_events(beliefs)]


def table_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The rows as the columns of a table (nested fields named with dots, missing cells
    ``None``), for :meth:`.Chronicle.extend_table`."""
    flat = [_flat(row) for row in rows]
    names = sorted({name for row in flat for name in row})
    return {name: [row.get(name) for row in flat] for name in names}


#: The columns of instants in the workload's table.
INSTANT_COLUMNS = ("known_at", "period.start", "period.end")


def stamped_columns(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The table's columns with its instants as aware datetimes (a ``datetime64[ns, UTC]``
    column once in a ``DataFrame``), as a table made from data rather than from JSON has
    them."""
    out = dict(columns)
    for name in INSTANT_COLUMNS:
        out[name] = [None if t is None else datetime.fromisoformat(t) for t in columns[name]]
    return out


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def chronology_answer(c: Chronicle, at: datetime) -> Answer:
    """What each source last said about each figure, as of ``at``, from one view."""
    out: Answer = {}
    for e in c.as_of(at).trades():
        day = int(e.subject.rsplit("-", 1)[1])
        for v in (*e.projections, *e.reports):
            if v.source is not None:
                out[(day, v.source.name)] = v.quantity.value
    return out


def chronology_history(c: Chronicle, day: int) -> list[tuple[datetime, str, float]]:
    """One figure's history: ``(known_at, source, value)`` of each change."""
    out = []
    for change in c.history(fd.subject_of(day)):
        event: Any = change.event
        out.append((change.known_at, event.source.name, event.quantity.value))
    return out


# -- the peer --------------------------------------------------------------------------------------


def _peer() -> Any:
    """The peer's module (imported only when asked for: it is not a project dependency)."""
    return importlib.import_module("timely_beliefs")


def peer_columns(beliefs: list[fd.Belief]) -> dict[str, list[Any]]:
    """The beliefs as the columns of the peer's input frame (its own source objects, made
    once: given names, it makes one per row, with a warning each)."""
    tb = _peer()
    sources = {name: tb.BeliefSource(name) for name in (*fd.FORECASTERS, fd.REPORTER)}
    return {
        "event_start": [fd.day_start(b.day) for b in beliefs],
        "belief_time": [b.known_at for b in beliefs],
        "source": [sources[b.source] for b in beliefs],
        "event_value": [b.value for b in beliefs],
    }


def peer_ingest(columns: dict[str, list[Any]]) -> Any:
    """A ``BeliefsDataFrame`` of a daily sensor, from a ``DataFrame`` of the columns."""
    pd, tb = importlib.import_module("pandas"), _peer()
    sensor = tb.Sensor("exports", unit=fd.UNIT, event_resolution=timedelta(days=1))
    return tb.BeliefsDataFrame(pd.DataFrame(columns), sensor=sensor)


def peer_answer(frame: Any) -> Answer:
    """The rows of a ``fixed_viewpoint`` result, keyed like :func:`chronology_answer`."""
    out: Answer = {}
    flat = frame.reset_index()
    for start, source, value in zip(
        flat["event_start"], flat["source"], flat["event_value"], strict=True
    ):
        day = (start.to_pydatetime() - fd.FIRST_DAY).days
        out[(day, str(source))] = float(value)
    return out


def peer_history(frame: Any, day: int) -> list[tuple[datetime, str, float]]:
    """One figure's history from ``belief_history``, as :func:`chronology_history` gives it."""
    flat = frame.belief_history(fd.day_start(day)).reset_index()
    rows = zip(flat["belief_time"], flat["source"], flat["event_value"], strict=True)
    return sorted((t.to_pydatetime(), str(s), float(v)) for t, s, v in rows)


# -- the workloads ---------------------------------------------------------------------------------


def run(figures: int, times: int, probes: int, directory: Path, log: Log) -> list[Result]:
    """Every ``figures.*`` workload on ``figures`` daily figures (101 beliefs each)."""
    missing = peer_missing()
    if missing is not None:
        log(f"  figures: the peer's columns are skipped: {missing}")
    beliefs = fd.beliefs(figures)
    n = len(beliefs)
    end = fd.end_of_log(figures)
    columns = peer_columns(beliefs) if missing is None else {}
    expected = fd.latest_by_source(beliefs, end)

    log(f"  figures on {n:,} beliefs: checking both answer the same")
    c = chronology_ingest(beliefs)
    assert expected == chronology_answer(c, end), "chronology's view differs from the data"
    middle = fd.middle_of_log(figures)
    assert fd.latest_by_source(beliefs, middle) == chronology_answer(c, middle)
    frame = None
    if missing is None:
        frame = peer_ingest(columns)
        assert expected == peer_answer(frame.fixed_viewpoint(belief_time=end))
        assert fd.latest_by_source(beliefs, middle) == peer_answer(
            frame.fixed_viewpoint(belief_time=middle)
        )
        for day in (0, figures // 2, figures - 1):
            assert peer_history(frame, day) == sorted(chronology_history(c, day))

    out: list[Result] = []
    log(f"  figures on {n:,} beliefs: ingest")
    rows = wire_rows(beliefs)
    from_rows = Chronicle()
    from_rows.extend_rows(rows)
    assert expected == chronology_answer(from_rows, end)
    del from_rows
    setups: dict[str, Callable[[], Callable[[], Any]]] = {
        OURS: lambda: lambda: chronology_ingest(beliefs),
        f"{OURS} (rows)": lambda: lambda: Chronicle().extend_rows(rows),
    }
    with contextlib.suppress(ImportError):
        pd = importlib.import_module("pandas")
        columns_of_table = table_columns(rows)
        for name, cells in (
            ("table", columns_of_table),
            ("table, timestamps", stamped_columns(columns_of_table)),
        ):
            table = Chronicle()
            table.extend_table(pd.DataFrame(cells))
            assert expected == chronology_answer(table, end)
            del table
            setups[f"{OURS} ({name})"] = _table_ingest(pd, cells)
    if missing is None:
        setups[PEER] = lambda: lambda: peer_ingest(columns)
    out += _results("figures.ingest", n, interleaved(setups, times), "s", f"{figures:,} figures")

    log(f"  figures on {n:,} beliefs: cold as-of view in memory")

    def ours_view() -> Callable[[], Any]:
        c.snapshots = Snapshots(c.store)  # drop what earlier views left: a first view
        return lambda: c.as_of(end).expectations()

    setups = {OURS: ours_view}
    if missing is None:

        def peer_view() -> Callable[[], Any]:
            fresh = peer_ingest(columns)  # a frame no earlier call has cached anything on
            return lambda: fresh.fixed_viewpoint(belief_time=end)

        setups[PEER] = peer_view
    out += _results("figures.as_of", n, interleaved(setups, times), "s", "as of the end, cold")

    log(f"  figures on {n:,} beliefs: SQLite open + first view")
    path = directory / f"figures-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Chronicle.open(path) as stored:
        chronology_ingest(beliefs, stored)
    with Chronicle.open(path) as reopened:
        assert expected == chronology_answer(reopened, end)

    def open_view() -> None:
        with Chronicle.open(path) as opened:
            opened.as_of(end).expectations()

    setups = {OURS: lambda: open_view}
    if missing is None:
        setups[f"{PEER} (in memory)"] = peer_view
    out += _results(
        "figures.sqlite_open", n, interleaved(setups, times), "s", "open + first view as of the end"
    )

    log(f"  figures on {n:,} beliefs: one subject's history")
    days = [random.Random(5).randrange(figures) for _ in range(probes)]
    setups = {OURS: lambda: lambda: [c.history(fd.subject_of(d)) for d in days]}
    if missing is None:
        assert frame is not None
        peer_frame = frame
        starts = [fd.day_start(d) for d in days]
        setups[PEER] = lambda: lambda: [peer_frame.belief_history(s) for s in starts]
    per_read = {k: [s * 1e3 / probes for s in v] for k, v in interleaved(setups, times).items()}
    out += _results("figures.history", n, per_read, "ms", f"median of {probes} reads a run")

    frame = None
    gc.collect()
    log(f"  figures on {n:,} beliefs: peak memory")
    systems = [OURS] if missing is not None else [OURS, PEER]
    for system in systems:
        m = _memory(system, figures)
        mib = 1024 * 1024
        out.append(
            Result(
                "figures.memory",
                system,
                n,
                "MiB",
                [m["peak"] / mib],
                note=(
                    f"peak resident (ingest + one view); {m['viewed'] / mib:.0f} MiB after, "
                    f"empty interpreter {m['base'] / mib:.0f} MiB"
                ),
                extra={"resident_mib": m["viewed"] / mib},
            )
        )
    return out


def _table_ingest(pd: Any, cells: dict[str, list[Any]]) -> Callable[[], Callable[[], Any]]:
    """A timed side: ``extend_table`` of a new ``DataFrame`` of ``cells`` into a new chronicle."""
    return lambda: lambda: Chronicle().extend_table(pd.DataFrame(cells))


def _results(
    workload: str, n: int, runs: dict[str, list[float]], unit: str, note: str
) -> Iterator[Result]:
    for system, values in runs.items():
        yield Result(workload, system, n, unit, values, note=note)


_PROBE = """
import gc, json, resource, sys
from benchmarks import figures, figures_data as fd

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

system, count = sys.argv[1], int(sys.argv[2])
beliefs = fd.beliefs(count)
end = fd.end_of_log(count)
base = rss()
if system == "chronology":
    c = figures.chronology_ingest(beliefs)
    c.as_of(end).expectations()
else:
    frame = figures.peer_ingest(figures.peer_columns(beliefs))
    frame.fixed_viewpoint(belief_time=end)
del beliefs
gc.collect()
viewed = rss()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec from the parent.
with open("/proc/self/status") as f:
    peak = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
print(json.dumps({"base": base, "viewed": viewed, "peak": peak}))
"""


def _memory(system: str, figures: int) -> dict[str, int]:
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, system, str(figures)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    found: dict[str, int] = json.loads(done.stdout)
    return found


# -- targets ---------------------------------------------------------------------------------------

#: Issue 19's targets: (workload, chronology's system, the peer's, the least speed-up needed).
TARGETS = (
    ("figures.ingest", OURS, PEER, 1 / 3, "ingest vs peer"),
    ("figures.ingest", f"{OURS} (rows)", PEER, 1 / 3, "bulk ingest (rows) vs peer"),
    ("figures.ingest", f"{OURS} (table)", PEER, 1 / 3, "bulk ingest (table) vs peer"),
    (
        "figures.ingest",
        f"{OURS} (table, timestamps)",
        PEER,
        1 / 3,
        "bulk ingest (table of timestamps) vs peer",
    ),
    ("figures.as_of", OURS, PEER, 2.0, "cold as-of vs peer"),
    ("figures.sqlite_open", OURS, f"{PEER} (in memory)", 0.5, "SQLite open + view vs peer"),
    ("figures.history", OURS, PEER, 1.0, "history vs peer"),
)


def ratios(results: list[Result]) -> Iterator[tuple[str, float, float, str]]:
    """``(name, ratio, bound, detail)`` of each target whose two systems ran: the median of
    the rounds' ratios of the peer's time to chronology's (higher is better for chronology)."""
    for workload, ours, theirs, bound, name in TARGETS:
        mine = [r for r in results if r.workload == workload and r.system == ours]
        if not mine:  # the section did not run (``--only`` left it out)
            continue
        with contextlib.suppress(StopIteration):
            a = max(mine, key=lambda r: r.events)
            b = next(
                r
                for r in results
                if r.workload == workload and r.system == theirs and r.events == a.events
            )
            pairs = [y / x for x, y in zip(a.runs, b.runs, strict=True)]
            ratio = statistics.median(pairs)
            detail = (
                f"{ours} vs {theirs}, {a.events:,} beliefs; median of {len(pairs)} rounds' "
                f"ratios (ratio of medians {b.median / a.median:.2f})"
            )
            yield name, ratio, bound, detail
    for r in results:
        # 1 GiB for a million beliefs: at smaller sizes the interpreter's own share makes a
        # proportional bound meaningless, so the figure is shown and not judged.
        if r.workload == "figures.memory" and r.system == OURS and r.events >= 1_000_000:
            yield "figures memory", 1024 / r.median, 1.0, f"{r.median:.0f} MiB peak"
