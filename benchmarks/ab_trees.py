"""A/B of two source trees of chronology in one process: cold views, a later view, histories.

Each tree (a checkout, or a ``git archive`` of a commit, holding ``chronology`` and
``benchmarks``) is imported as a module set of its own; each builds the same workloads with
its own code, then the measurements run in turns (the order of the trees swapped every round)
and report CPU time (``time.process_time``), medians and minima, with the load average. What
is timed:

- ``figures cold``: ``as_of(end).expectations()`` on fresh ``Snapshots`` over the figures
  workload (issue 19; ``figures`` daily figures of 101 beliefs);
- ``figures later``: then a view at a random earlier instant (from the grid the first left);
- ``figures history``: ``history(subject)`` of 100 random figures (per read);
- ``suite cold``: the cold view of the suite's workload in order (``subjects`` x 10 events).

Run it from outside the trees (so that neither is on the path twice)::

    cd /tmp && python /path/to/benchmarks/ab_trees.py OLD_TREE NEW_TREE --figures 1000 \\
        --subjects 10000 --rounds 9
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Timed = Callable[[], float]

#: Past every instant of the suite's workload.
FAR = datetime(2100, 1, 1, tzinfo=UTC)


def load(tree: str, figures: int, subjects: int) -> dict[str, Timed]:
    """Import ``tree`` as a module set of its own, build the workloads, return the timed
    measurements (each returns its CPU seconds)."""
    for key in [k for k in sys.modules if k.split(".")[0] in ("chronology", "benchmarks")]:
        del sys.modules[key]
    sys.path.insert(0, tree)
    try:
        fd = importlib.import_module("benchmarks.figures_data")
        fg = importlib.import_module("benchmarks.figures")
        data = importlib.import_module("benchmarks.data")
        ours = importlib.import_module("benchmarks.ours")
        chronology = importlib.import_module("chronology")
        snapshots = importlib.import_module("chronology.snapshots").Snapshots
    finally:
        sys.path.remove(tree)
    c = fg.chronology_ingest(fd.beliefs(figures))
    end: datetime = fd.end_of_log(figures)
    start: datetime = fd.day_start(0)
    suite = ours.fill(chronology.Chronicle(), data.Shape(subjects, 10))
    draw = random.Random(7)
    days = [draw.randrange(figures) for _ in range(100)]

    def cold(chronicle: Any, at: datetime) -> float:
        chronicle.snapshots = snapshots(chronicle.store)
        gc.collect()
        t = time.process_time()
        chronicle.as_of(at).expectations()
        return time.process_time() - t

    def later() -> float:
        cold(c, end)
        at = start + (end - start) * draw.random()
        gc.collect()
        t = time.process_time()
        c.as_of(at).expectations()
        return time.process_time() - t

    def history() -> float:
        gc.collect()
        t = time.process_time()
        for d in days:
            c.history(fd.subject_of(d))
        return (time.process_time() - t) / len(days)

    return {
        "figures cold": lambda: cold(c, end),
        "figures later": later,
        "figures history": history,
        "suite cold": lambda: cold(suite, FAR),
    }


def main() -> None:
    """Parse the arguments, load the trees, run the rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--figures", type=int, default=1000)
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    trees: list[str] = args.trees
    sets = {tree: load(tree, args.figures, args.subjects) for tree in trees}
    seen: dict[tuple[str, str], list[float]] = {}
    for r in range(args.rounds):
        for tree in trees if r % 2 == 0 else trees[::-1]:
            for name, timed in sets[tree].items():
                seen.setdefault((name, tree), []).append(timed())
    print(f"load average {os.getloadavg()}, {args.rounds} rounds, CPU seconds")
    for name in sets[trees[0]]:
        first = statistics.median(seen[(name, trees[0])])
        for tree in trees:
            times = seen[(name, tree)]
            median = statistics.median(times)
            print(
                f"{name:16} {tree:32} median {median:.5f} min {min(times):.5f}"
                f"  x{first / median:.2f}"
            )


if __name__ == "__main__":
    main()
