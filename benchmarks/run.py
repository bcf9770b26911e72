"""Run the benchmark suite: ``python -m benchmarks --size tiny|small|large``.

Every workload runs in this one process, chronology and the reference (``eventsourcing``) side
by side on the same machine, so the ratios compare like with like. Prints a table of medians and
of the targets' ratios; ``--json`` and ``--chart`` also write the results and a PNG of the
scaling curves.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import building, figures, outcomes, postgres, workloads
from benchmarks.data import ORDERS, Shape
from benchmarks.sides import FIRST_READ
from benchmarks.timing import Result


@dataclass(frozen=True)
class Size:
    """How big each workload runs."""

    write: Shape
    point_sizes: tuple[int, ...]
    view_sizes: tuple[int, ...]
    memory_events: int
    times: int
    probes: int
    events: int = 10
    #: Log sizes of the first import against a re-import of the same file.
    reimport_sizes: tuple[int, ...] = ()
    #: Rounds of the throughputs run in turns with the reference (writes, read back): each
    #: round's ratio moves with the machine's speed over a few seconds, so they take more.
    rounds: int = 0
    #: The shapes: the log size each arrival order and number of events a subject runs at
    #: against the reference, those numbers, and its rounds.
    shape_events: int = 1_000
    per_subject: tuple[int, ...] = (10, 100, 1_000)
    shape_rounds: int = 1
    #: The log sizes of chronology's per-event costs (each arrival order, 10 events a subject).
    per_event_sizes: tuple[int, ...] = (1_000, 3_000)
    #: The log sizes resolved and scored (10 events a subject), and the expectations of the
    #: view turned into an Arrow table.
    outcome_sizes: tuple[int, ...] = (1_000, 5_000)
    arrow_expectations: int = 1_000
    #: Daily figures of the workload against ``timely-beliefs`` (101 beliefs each).
    figures: int = 10
    #: Events written by 1 and by 4 concurrent writers on PostgreSQL (10 a subject).
    writer_events: int = 4_000


SIZES = {
    "tiny": Size(
        Shape(100, 10),
        (1_000, 5_000),
        (1_000, 5_000),
        5_000,
        times=3,
        probes=50,
        reimport_sizes=(2_000,),
    ),
    "small": Size(
        Shape(1_000, 10),
        (10_000, 100_000),
        (10_000, 100_000),
        100_000,
        times=5,
        probes=200,
        reimport_sizes=(10_000, 50_000),
        shape_events=10_000,
        shape_rounds=3,
        per_event_sizes=(10_000, 100_000),
        outcome_sizes=(10_000, 100_000),
        arrow_expectations=10_000,
        figures=1_000,
        writer_events=40_000,
    ),
    "medium": Size(
        Shape(2_000, 10),
        (10_000, 100_000),
        (10_000, 100_000),
        200_000,
        times=3,
        probes=200,
        rounds=5,
        shape_events=20_000,
        shape_rounds=3,
        per_event_sizes=(10_000, 50_000, 200_000),
        reimport_sizes=(10_000, 50_000),
        outcome_sizes=(10_000, 100_000),
        arrow_expectations=100_000,
        figures=1_000,
        writer_events=40_000,
    ),
    "large": Size(
        Shape(10_000, 10),
        (10_000, 100_000, 1_000_000),
        (10_000, 100_000, 1_000_000),
        1_000_000,
        times=7,
        probes=200,
        rounds=11,
        reimport_sizes=(50_000, 200_000),
        shape_events=100_000,
        shape_rounds=5,
        per_event_sizes=(10_000, 100_000, 1_000_000),
        outcome_sizes=(100_000, 1_000_000),
        arrow_expectations=100_000,
        figures=10_000,
        writer_events=200_000,
    ),
}

WORKLOADS = (
    "write",
    "read",
    "point",
    "view",
    "memory",
    "reimport",
    "build",
    "shapes",
    "per_event",
    "outcomes",
    "figures",
    "postgres",
)


def environment() -> dict[str, Any]:
    """What the numbers were measured on."""

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    import chronology

    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "cpu": _cpu_name(),
        "sqlite": sqlite3.sqlite_version,
        "chronology": chronology.__version__,
        "eventsourcing": version("eventsourcing"),
        "timely-beliefs": version("timely-beliefs"),
        "pandas": version("pandas"),
        "attrs": version("attrs"),
        "cattrs": version("cattrs"),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# -- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A target: a ratio between two results, and the bound it must meet."""

    name: str
    ratio: float
    bound: float
    detail: str

    @property
    def met(self) -> bool:
        """Whether the ratio meets the bound."""
        return self.ratio >= self.bound


def _find(results: list[Result], workload: str, system: str, events: int | None = None) -> Result:
    matches = [
        r
        for r in results
        if r.workload == workload and r.system == system and (events is None or r.events == events)
    ]
    if not matches:
        raise KeyError((workload, system, events))
    return max(matches, key=lambda r: r.events)


def checks(results: list[Result]) -> list[Check]:
    """The issue's targets, as ratios between two systems (skipping what was not run): the
    median of the per-round ratios when both ran in turns, else the ratio of the medians."""
    out: list[Check] = []

    def add(make: Callable[[], Check]) -> None:
        with contextlib.suppress(KeyError):
            out.append(make())

    def faster(
        workload: str, a: str, b: str, bound: float, name: str, *, in_turns: bool = True
    ) -> Check:
        ra, rb = _find(results, workload, a), _find(results, workload, b)
        if ra.higher_is_better:
            of_medians = ra.median / rb.median
            pairs = [x / y for x, y in zip(ra.runs, rb.runs, strict=False)]
        else:
            of_medians = rb.median / ra.median
            pairs = [y / x for x, y in zip(ra.runs, rb.runs, strict=False)]
        detail = f"{a} vs {b}, {ra.events:,} events"
        if in_turns and len(ra.runs) == len(rb.runs) > 1:
            # Runs taken in turns: each round's two runs are neighbours in time, so the
            # median of the rounds' ratios is not moved by the machine's speed drifting
            # between rounds. The ratio of the medians is shown beside it.
            ratio = statistics.median(pairs)
            detail += f"; median of {len(pairs)} rounds' ratios (ratio of medians {of_medians:.2f})"
        else:
            ratio = of_medians
        return Check(name, ratio, bound, detail)

    add(lambda: faster("write.memory", "chronology", "eventsourcing", 3, "write, memory"))
    add(lambda: faster("write.sqlite", "chronology", "eventsourcing", 3, "write, SQLite"))
    add(
        lambda: faster(
            "write.sqlite", "chronology (store only)", "sqlite3 floor", 1 / 3, "store vs floor"
        )
    )
    add(lambda: faster("write.sqlite", "chronology", "sqlite3 floor", 1 / 3, "write vs floor"))
    add(lambda: faster("read.sqlite", "chronology", "eventsourcing", 3, "read back, SQLite"))
    add(lambda: faster("write.postgres", "chronology", "eventsourcing", 3, "write, PostgreSQL"))
    add(lambda: faster("read.postgres", "chronology", "eventsourcing", 3, "read back, PostgreSQL"))
    for backend in ("memory", "sqlite", "postgres"):
        workload = f"point_read.{backend}"
        add(partial(faster, workload, "chronology", "eventsourcing", 2, f"point read, {backend}"))
        add(partial(_flat, results, workload))
    # Full views are not run in turns with the naive refold: the ratio of the medians.
    add(
        lambda: faster(
            "full_view",
            "chronology (warm, end)",
            "naive refold",
            10,
            "full view vs refold",
            in_turns=False,
        )
    )
    add(
        lambda: faster(
            "full_view",
            "chronology (warm, random as_of)",
            "naive refold",
            10,
            "full view (random as_of)",
            in_turns=False,
        )
    )
    add(
        lambda: faster(
            "reimport.sqlite",
            "chronology (re-import)",
            "chronology (first import)",
            2 / 3,
            "re-import vs first import",
        )
    )
    for workload in sorted({r.workload for r in results if r.workload.startswith("memory")}):
        add(partial(_memory, results, workload))
    out += _shape_checks(results)
    out += [Check(*found) for found in figures.ratios(results)]
    return out


def _shape_checks(results: list[Result]) -> list[Check]:
    """The targets of the shapes and orders: the ratios to the reference for each shape, the
    point read of long-lived subjects against short-lived ones, and flat per-event costs."""
    out: list[Check] = []
    bounds = {
        "write.memory": (3, "write, memory"),
        "write.sqlite": (3, "write, SQLite"),
        "read.sqlite": (3, "read back, SQLite"),
        "point_read.memory": (2, "point read, memory"),
        "point_read.sqlite": (2, "point read, sqlite"),
    }
    point: dict[tuple[str, str], list[Result]] = {}
    first: dict[str, Result] = {
        r.workload: r for r in results if r.system == FIRST_READ and "per_subject" in r.extra
    }
    for ours in results:
        if ours.system != "chronology" or "per_subject" not in ours.extra:
            continue
        base = ours.workload.split(" (", 1)[0]
        theirs = next(
            (r for r in results if r.workload == ours.workload and r.system == "eventsourcing"),
            None,
        )
        if base in bounds and theirs is not None:
            bound, name = bounds[base]
            out.append(_ratio(ours, theirs, bound, f"{name} ({ours.workload.split(' (', 1)[1]}"))
        if base.startswith("point_read."):
            point.setdefault((base, ours.extra["order"]), []).append(ours)
    for (base, order), found in point.items():
        found.sort(key=lambda r: r.extra["per_subject"])
        if len(found) > 1:
            short, long = found[0], found[-1]
            growth = long.median / short.median
            detail = (
                f"{long.extra['per_subject']:,} vs {short.extra['per_subject']:,} events a "
                f"subject, reads after a warm-up pass: x{growth:.2f} the cost (at most x2)"
            )
            cold = [first.get(r.workload) for r in (short, long)]
            if cold[0] is not None and cold[1] is not None:
                detail += f"; first reads x{cold[1].median / cold[0].median:.2f} (not judged)"
            out.append(Check(f"{base} ({order}), long-lived, warm", 2 / growth, 1, detail))
    flat: dict[str, list[Result]] = {}
    for r in results:
        if r.workload.startswith("per_event."):
            flat.setdefault(r.workload, []).append(r)
    for workload, found in flat.items():
        found.sort(key=lambda r: r.events)
        if len(found) > 1:
            small, big = found[0], found[-1]
            growth = big.median / small.median
            out.append(
                Check(
                    f"{workload} flat",
                    1.3 / growth,
                    1,
                    f"{big.events:,} vs {small.events:,} events: x{growth:.2f} the cost per "
                    f"event (at most x1.3)",
                )
            )
    return out


def _ratio(ours: Result, theirs: Result, bound: float, name: str) -> Check:
    """Chronology against the reference: the median of the rounds' ratios when they ran in
    turns, else the ratio of the medians."""
    if ours.higher_is_better:
        of_medians = ours.median / theirs.median
        pairs = [x / y for x, y in zip(ours.runs, theirs.runs, strict=False)]
    else:
        of_medians = theirs.median / ours.median
        pairs = [y / x for x, y in zip(ours.runs, theirs.runs, strict=False)]
    detail = f"chronology vs eventsourcing, {ours.events:,} events"
    ratio = of_medians
    if len(ours.runs) == len(theirs.runs) > 1:
        ratio = statistics.median(pairs)
        detail += f"; median of {len(pairs)} rounds' ratios (ratio of medians {of_medians:.2f})"
    return Check(name, ratio, bound, detail)


def _flat(results: list[Result], workload: str) -> Check:
    """Point reads cost what the subject costs: the largest log's read over the smallest's."""
    mine = sorted(
        (r for r in results if r.workload == workload and r.system == "chronology"),
        key=lambda r: r.events,
    )
    if len(mine) < 2:
        raise KeyError(workload)
    small, big = mine[0], mine[-1]
    growth = big.median / small.median
    # The bound: the read may cost at most twice as much on a log 10x-100x bigger.
    return Check(
        f"{workload} flat",
        2 / growth,
        1,
        f"{big.events:,} vs {small.events:,} events: x{growth:.2f} the cost",
    )


def _memory(results: list[Result], workload: str = "memory") -> Check:
    r = _find(results, workload, "chronology")
    return Check(workload, 1024 / r.median, 1, f"{r.median:.0f} MiB resident, {r.events:,} events")


# -- output -------------------------------------------------------------------------------------


def _fmt(value: float, unit: str) -> str:
    if unit == "events/s":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.3f}"
    if unit == "us":
        return f"{value:,.1f}"
    return f"{value:,.1f}"


def table(results: list[Result], found: list[Check], env: dict[str, Any]) -> str:
    """The results and the targets, as Markdown tables."""
    lines = [
        "| workload | events | system | median | unit | runs | note |",
        "|---|---:|---|---:|---|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.workload} | {r.events:,} | {r.system} | {_fmt(r.median, r.unit)} | {r.unit} "
            f"| {len(r.runs)} | {r.note} |"
        )
    lines += ["", "| target | ratio | needed | met | detail |", "|---|---:|---:|---|---|"]
    for c in found:
        lines.append(
            f"| {c.name} | {c.ratio:.2f} | >= {c.bound:.2f} | {'yes' if c.met else 'NO'} "
            f"| {c.detail} |"
        )
    lines += [
        "",
        "Environment: " + ", ".join(f"{k} {v}" for k, v in env.items()),
    ]
    return "\n".join(lines)


def chart(results: list[Result], path: Path) -> None:
    """A PNG of the scaling curves (point reads, full views), the throughputs, and the cost per
    event against log size in each arrival order."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 2, figsize=(13, 13))
    ax = axes[0][0]
    for workload in ("point_read.memory", "point_read.sqlite"):
        for system in ("chronology", "eventsourcing"):
            pts = sorted(
                (r.events, r.median)
                for r in results
                if r.workload == workload and r.system == system
            )
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", label=f"{system}, {workload[11:]}")
    ax.set(xscale="log", yscale="log", xlabel="events in the log", ylabel="us per read")
    ax.set_title("Point read at a past instant / version")
    if ax.lines:
        ax.legend(fontsize=8)

    ax = axes[0][1]
    for system in (
        "naive refold",
        "chronology (cold)",
        "chronology (warm, end)",
        "chronology (warm, random as_of)",
        "chronology (after late arrivals)",
    ):
        pts = sorted(
            (r.events, r.median)
            for r in results
            if r.workload == "full_view" and r.system == system
        )
        if pts:
            ax.plot(*zip(*pts, strict=True), marker="o", label=system)
    ax.set(xscale="log", yscale="log", xlabel="events in the log", ylabel="seconds")
    ax.set_title("Full as_of view (in memory)")
    if ax.lines:
        ax.legend(fontsize=8)

    for ax, group in ((axes[1][0], "write"), (axes[1][1], "read")):
        bars = [r for r in results if r.workload in (f"{group}.memory", f"{group}.sqlite")]
        labels = [f"{r.system}\n{r.workload.split('.')[1]}" for r in bars]
        ax.barh(labels, [r.median for r in bars])
        ax.set_xlabel("events per second")
        ax.set_title("Write (create + store)" if group == "write" else "Open + read everything")
        ax.tick_params(axis="y", labelsize=7)
    styles = {"in-order": "o-", "backfill": "s--", "random": "^:"}
    panels = (
        (axes[2][0], ("write.memory", "write.sqlite"), "Write: cost per event"),
        (axes[2][1], ("read.sqlite",), "Read back (SQLite): cost per event"),
    )
    for ax, kinds, title in panels:
        for kind in kinds:
            for order, style in styles.items():
                pts = sorted(
                    (r.events, r.median)
                    for r in results
                    if r.workload == f"per_event.{kind} ({order})"
                )
                if pts:
                    ax.plot(*zip(*pts, strict=True), style, label=f"{kind}, {order}")
        ax.set(xscale="log", xlabel="events in the log", ylabel="us per event")
        ax.set_ylim(bottom=0)
        ax.set_title(title)
        if ax.lines:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the suite; return the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(WORKLOADS)}")
    parser.add_argument("--times", type=int, help="runs per measurement (default: by size)")
    parser.add_argument(
        "--rounds",
        type=int,
        help="rounds of the writes and the read back, run in turns (default: by size)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="the PostgreSQL server of the postgres section (postgresql://user:password@host/db;"
        f" default: ${postgres.URL_VARIABLE}); without one the section is skipped",
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--chart", type=Path, help="write a PNG chart here")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if a target is not met"
    )
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    only = set(WORKLOADS if not args.only else args.only.split(","))
    unknown = only - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload(s): {', '.join(sorted(unknown))}")
    times = args.times or size.times
    rounds = args.rounds or args.times or size.rounds or size.times

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    env = environment()
    results: list[Result] = []
    started = time.perf_counter()
    with workloads.scratch() as directory:
        if "write" in only:
            log(f"write, memory: {size.write.total:,} events")
            results += workloads.write_memory(size.write, rounds)
            log(f"write, SQLite: {size.write.total:,} events")
            results += workloads.write_sqlite(size.write, rounds, directory)
        if "read" in only:
            log(f"read back, SQLite: {size.write.total:,} events")
            results += workloads.read_sqlite(size.write, rounds, directory)
        if "point" in only:
            log("point reads")
            results += workloads.point_reads(
                list(size.point_sizes), size.events, size.probes, times, directory, log
            )
        if "view" in only:
            log("full views")
            results += workloads.full_views(list(size.view_sizes), size.events, times, log)
        if "memory" in only:
            for order in ORDERS:
                log(f"memory, {order}: {size.memory_events:,} events")
                results += workloads.memory(size.memory_events, size.events, order)
        if "reimport" in only:
            log(f"re-import, SQLite: {', '.join(f'{n:,}' for n in size.reimport_sizes)} events")
            results += workloads.reimport_sqlite(
                list(size.reimport_sizes), size.events, times, directory
            )
        if "build" in only:
            log(f"building events: {size.write.total:,}")
            results += workloads.build(size.write, rounds)
            each = max(200, size.write.total // 5)
            log(f"building each event type: {each:,} events each, typed and from dicts")
            results += building.by_type(each, rounds)
        if "shapes" in only:
            log(f"shapes and orders: {size.shape_events:,} events each")
            results += workloads.shapes(
                size.shape_events,
                list(size.per_subject),
                list(ORDERS),
                args.rounds or size.shape_rounds,
                size.probes,
                directory,
                log,
            )
        if "per_event" in only:
            log("per-event cost against size")
            results += workloads.per_event(
                list(size.per_event_sizes), list(ORDERS), times, directory, log
            )
        if "outcomes" in only:
            results += outcomes.outcomes_and_scores(
                list(size.outcome_sizes), size.events, times, log
            )
            results += outcomes.view_to_arrow(size.arrow_expectations, times, log)
        if "figures" in only:
            log(f"figures against timely-beliefs: {size.figures:,} daily figures")
            results += figures.run(size.figures, times, size.probes, directory, log)
        if "postgres" in only:
            results += postgres.section(
                args.postgres,
                size.write,
                list(size.point_sizes),
                (size.probes, size.writer_events),
                (rounds, times),
                log,
            )
    env["seconds"] = round(time.perf_counter() - started, 1)
    env["size"] = args.size
    found = checks(results)
    print(table(results, found, env))
    if args.json:
        import json

        payload = {
            "environment": env,
            "results": [r.as_dict() for r in results],
            "targets": [
                {
                    "name": c.name,
                    "ratio": c.ratio,
                    "bound": c.bound,
                    "met": c.met,
                    "detail": c.detail,
                }
                for c in found
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if args.chart:
        chart(results, args.chart)
    if args.strict and not all(c.met for c in found):
        return 1
    return 0
