"""Where ``chronology as-of`` spends its CPU time, phase by phase.

Each round runs the command's work in a fresh process (the import is a phase) and times, with
``time.process_time`` (CPU time moves less with the machine's load than wall time does):

* ``import``: importing :mod:`chronology.cli` and the ``as-of`` command's module;
* ``open``: opening the file (:meth:`chronology.Chronicle.open`);
* ``select``: reading the shelved snapshot's text out of the file;
* ``decode``: decoding it (:func:`chronology.snapshot_text.read_snapshot`);
* ``snapshot``: the :class:`chronology.snapshots.Snapshot` made from it (the derived statuses);
* ``view``: the whole first view, ``as_of(WHEN).expectations()`` (the three above included);
* ``table``: laying out the table the command prints (not writing it).

The shelf's phases read 0 when the view does not start from a shelved snapshot (no shelf, or
one folded past WHEN). Rounds are printed one JSON line each, then the median of each phase::

    python -m benchmarks.asof_phases FILE [--when 2021-12-01] [--rounds 3]

The file is opened for writing, as the command opens it: a view may shelve a snapshot in it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

#: The phases, in the order they are printed.
PHASES = ("import", "open", "select", "decode", "snapshot", "view", "table")


def _timed(owner: Any, name: str, phase: str, spent: dict[str, float]) -> None:
    """Replace ``owner.name`` by a wrapper adding its CPU time to ``spent[phase]``."""
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[phase] += time.process_time() - start

    setattr(owner, name, wrapper)


def child(path: str, when: str) -> dict[str, float]:
    """One round, in this process (which must not have imported chronology yet)."""
    start = time.process_time()
    import chronology.cli  # noqa: F401 - the phase measured
    from chronology import snapshots
    from chronology.chronicle import Chronicle
    from chronology.cli import views
    from chronology.stores.sqlite import shelf

    spent = dict.fromkeys(PHASES, 0.0)
    spent["import"] = time.process_time() - start
    _timed(shelf.SQLiteShelf, "load", "select", spent)
    _timed(snapshots, "read_snapshot", "decode", spent)
    _timed(snapshots, "Snapshot", "snapshot", spent)
    from chronology._collector import collector_paused

    with collector_paused():  # as the command runs
        start = time.process_time()
        with Chronicle.open(path) as c:
            spent["open"] = time.process_time() - start
            start = time.process_time()
            found = c.as_of(when).expectations()
            spent["view"] = time.process_time() - start
            start = time.process_time()
            lines = views.expectation_lines(found)
            spent["table"] = time.process_time() - start
    if len(lines) != len(found) + 2:
        raise AssertionError(f"{len(lines)} lines for {len(found)} expectations")
    return {phase: round(seconds, 4) for phase, seconds in spent.items()}


def main(argv: Sequence[str] | None = None) -> None:
    """Run the rounds, each in a child process, and print them and their medians."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.asof_phases")
    parser.add_argument("path", help="an SQLite chronicle file")
    parser.add_argument("--when", default="2021-12-01", help="the as-of date or instant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.path, args.when)))
        return
    rounds: list[dict[str, float]] = []
    for _ in range(max(1, args.rounds)):
        command = [sys.executable, "-m", "benchmarks.asof_phases", args.path]
        command += ["--when", args.when, "--child"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        found = json.loads(done.stdout.strip().splitlines()[-1])
        rounds.append(found)
        print(json.dumps(found), flush=True)
    medians = {p: round(statistics.median(r[p] for r in rounds), 4) for p in PHASES}
    print(json.dumps({"median": medians}))


if __name__ == "__main__":
    main()
