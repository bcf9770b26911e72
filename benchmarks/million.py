"""Memory of a large chronicle in memory: each shape built in a fresh process, which reports its
resident set after writing and after a full view, and its peak (``VmHWM``).

Shapes: ``figures`` (issue 19: daily export figures of 101 events each, enough of them for
``--events``, stored in ONE ``extend``; ``--events 1010000`` is the issue's 10,000 figures)
and the suite's workload (issue 17: 10 events a subject, batches of 1,000) in each arrival
order, ``in-order``, ``backfill`` and ``random``. The input (the benchmarks' plain
descriptions) counts in the peak: its cost is reported apart (``input_mib``: resident growth
while the figures' beliefs are made; ``events_built_mib``: with the events built, the beliefs
then freed before the ``extend``). The suite's descriptions are made a batch at a time, but
``random`` shuffles all of them first. ``--trace`` runs the children under
``tracemalloc`` and adds the bytes an event kept and at the write's peak (slow: use it at
100,000 events or so).

Usage::

    python -m benchmarks.million                       # a million events, every shape
    python -m benchmarks.million --events 101000 --shapes figures,backfill --trace
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

SHAPES = ("figures", "in-order", "backfill", "random")
_MIB = 1024 * 1024


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def _peak() -> int:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec from the parent.
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))


def _traced() -> tuple[int, int]:
    if not tracemalloc.is_tracing():
        return 0, 0
    current, peak = tracemalloc.get_traced_memory()
    return current, peak


def child(shape: str, events: int, trace: bool) -> dict[str, Any]:
    """Build one shape in this process and measure it (the parent starts one process each)."""
    from benchmarks import data, figures, ours
    from benchmarks import figures_data as fd
    from chronology import Chronicle

    out: dict[str, Any] = {"shape": shape}
    base = _rss()
    c = Chronicle()
    if shape == "figures":
        count = -(-events // (fd.VINTAGES + 1))  # issue 19's million: 10,000 figures
        beliefs = fd.beliefs(count)
        out["input_mib"] = (_rss() - base) / _MIB
        built = figures.chronology_events(beliefs)
        end = fd.end_of_log(count)
        del beliefs
        gc.collect()
        out["events_built_mib"] = (_rss() - base) / _MIB
        if trace:
            tracemalloc.start()
        before = _traced()[0]
        cpu = time.process_time()
        c.extend(built)
        out["write_cpu_s"] = time.process_time() - cpu
        del built
    else:
        shape_ = data.Shape(events // 10, 10, shape)
        end = data.end_of_log(shape_)
        if trace:
            tracemalloc.start()
        before = _traced()[0]
        cpu = time.process_time()
        ours.fill(c, shape_)
        out["write_cpu_s"] = time.process_time() - cpu
    gc.collect()
    current, write_peak = _traced()
    out["events"] = n = len(c)
    if trace:
        out["kept_bytes_an_event"] = round((current - before) / n)
        out["write_peak_bytes_an_event"] = round((write_peak - before) / n)
        tracemalloc.stop()
    out["written_mib"] = (_rss() - base) / _MIB
    cpu = time.process_time()
    c.as_of(end).expectations()
    out["view_cpu_s"] = time.process_time() - cpu
    gc.collect()
    out["viewed_mib"] = _rss() / _MIB
    out["base_mib"] = base / _MIB
    out["peak_mib"] = _peak() / _MIB
    return out


def main(argv: list[str] | None = None) -> None:
    """Run each shape asked for in a process of its own; print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.events, args.trace)))
        return
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    for shape in args.shapes.split(","):
        if shape not in SHAPES:
            parser.error(f"unknown shape {shape!r}; one of {', '.join(SHAPES)}")
        command = [sys.executable, "-m", "benchmarks.million", "--child", shape]
        command += ["--events", str(args.events), *(["--trace"] if args.trace else [])]
        done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
        found = json.loads(done.stdout)
        found["load"] = os.getloadavg()[0]
        print(json.dumps(found), flush=True)


if __name__ == "__main__":
    main()
