"""Timing helpers: medians of several runs, each on fresh state."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    """One measured quantity.

    Attributes:
        workload: what was measured (``write.memory``, ``point_read.sqlite``, ...).
        system: who did it (``chronology``, ``eventsourcing``, ``sqlite3 floor``, ...).
        events: the size of the log involved.
        unit: ``events/s`` (higher is better) or ``s`` / ``us`` (lower is better).
        runs: every run's value, in that unit.
        note: anything a reader needs to interpret the number.
    """

    workload: str
    system: str
    events: int
    unit: str
    runs: list[float]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        """The median of the runs."""
        return statistics.median(self.runs)

    @property
    def higher_is_better(self) -> bool:
        """Whether a bigger number is a better one."""
        return self.unit.endswith("/s")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "workload": self.workload,
            "system": self.system,
            "events": self.events,
            "unit": self.unit,
            "median": self.median,
            "runs": self.runs,
            "note": self.note,
            **self.extra,
        }


def timed(run: Callable[[], Any]) -> float:
    """Seconds taken by one call of ``run``, after a full garbage collection."""
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def repeat(setup: Callable[[], Callable[[], Any]], times: int) -> list[float]:
    """Seconds of ``times`` runs; ``setup`` (untimed) returns a fresh run each time."""
    return [timed(setup()) for _ in range(times)]


def interleaved(
    setups: dict[str, Callable[[], Callable[[], Any]]], times: int
) -> dict[str, list[float]]:
    """Seconds of ``times`` runs of each setup, taken in turns, so that a change in the
    machine's speed falls on every system alike: round by round, in the given order and then in
    the reverse order (A B C, C B A, A B C, ...), so no system always runs first."""
    out: dict[str, list[float]] = {name: [] for name in setups}
    names = list(setups)
    for round_ in range(times):
        for name in names if round_ % 2 == 0 else reversed(names):
            out[name].append(timed(setups[name]()))
    return out
