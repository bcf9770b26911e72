"""The workload: S subjects x E events each, described once as plain data.

Both libraries are fed the same descriptions, prepared *before* any clock starts, so that a timed
run measures only what the library does: build its own event objects from the values, and store
them. Nothing here imports either library.

Three quarters of the subjects are planned visits, one quarter trade projections. A visit is
announced, then scheduled, its agenda changed, rescheduled and postponed in turn; its last event
is an occurrence (a third of them), a cancellation (a third) or another reschedule (a third stay
open, so a late as-of view finds them overdue). A trade flow is projected, revised, and reported.

Events are written in batches of 1,000, in one of three arrival orders (:data:`ORDERS`):

- ``in-order``: subject by subject, ``known_at`` growing with the append order (one minute
  apart), as in live ingestion;
- ``backfill``: subject by subject, but the subjects' ``known_at`` interleaved (event ``j`` of
  subject ``i`` said at minute ``j * subjects + i``): an archive ingested one story at a time,
  every batch landing before records already stored;
- ``random``: the in-order events, appended in a seeded random order.

:func:`late_arrivals` makes another case: events said long ago and recorded only now.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

BASE = datetime(2020, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=1)
BATCH = 1_000

_VISITORS = ("Sergei Lavrov", "Wang Yi", "Antony Blinken", "Annalena Baerbock", "S. Jaishankar")
_HOSTS = ("China", "Russia", "India", "Brazil", "South Africa", "Turkey")
_AGENDA = ("SCO", "BRICS", "UN", "G20", "trade", "regional security", "energy")
_SOURCES = ("Reuters", "Bloomberg", "Dawn", "TASS", "Xinhua", "report.az")
_GRADES = ("ESPO", "Sokol", "Urals", "Arco")

# An event description: a tuple whose first item names the kind; see _visit() and _trade().
Spec = tuple[Any, ...]

#: The arrival orders, in the order the suite runs them.
ORDERS = ("in-order", "backfill", "random")


@dataclass(frozen=True)
class Shape:
    """How many subjects, how many events each, and in which order they arrive."""

    subjects: int
    events: int
    order: str = "in-order"

    def __post_init__(self) -> None:
        if self.order not in ORDERS:
            raise ValueError(f"unknown arrival order {self.order!r}; one of {ORDERS}")

    @property
    def total(self) -> int:
        """The number of events."""
        return self.subjects * self.events

    def seq(self, i: int, j: int) -> int:
        """Where event ``j`` of subject ``i`` stands in assertion time (0 is the first said)."""
        if self.order == "backfill":
            return j * self.subjects + i
        return i * self.events + j

    def known_at(self, i: int, j: int) -> datetime:
        """The assertion time of event ``j`` of subject ``i``."""
        return known_at(self.seq(i, j))


def subject_name(i: int) -> str:
    """The subject id of the ``i``-th subject (visits and trades have their own prefix)."""
    return f"trade/{i:07d}" if i % 4 == 3 else f"visit/{i:07d}"


def known_at(seq: int) -> datetime:
    """The assertion time of the ``seq``-th event written."""
    return BASE + seq * STEP


def _visit(i: int, j: int, last: int, seq: int, subject: str) -> Spec:
    k = known_at(seq)
    start = k + timedelta(days=1, hours=6 * j)
    end = start + timedelta(days=2)
    source = _SOURCES[(i + j) % len(_SOURCES)]
    if j == 0:
        return (
            "announce",
            subject,
            k,
            source,
            _VISITORS[i % len(_VISITORS)],
            _HOSTS[i % len(_HOSTS)],
            start,
            end,
            (_AGENDA[i % len(_AGENDA)], _AGENDA[(i + 1) % len(_AGENDA)]),
        )
    if j == last:
        fate = i % 3
        if fate == 0:
            return ("occur", subject, k, source, start, end, _HOSTS[i % len(_HOSTS)])
        if fate == 1:
            return ("cancel", subject, k, source, "called off by the host")
    step = j % 4
    if step == 1 or j == last:
        return ("schedule", subject, k, source, start, end)
    if step == 2:
        return ("agenda", subject, k, source, _AGENDA[(i + j) % len(_AGENDA)])
    if step == 3:
        return ("reschedule", subject, k, source, start, end, "scheduling conflict")
    return ("postpone", subject, k, source, "no reason given")


def _trade(i: int, j: int, last: int, seq: int, subject: str) -> Spec:
    k = known_at(seq)
    month = (BASE + timedelta(days=31 * (i % 48))).replace(day=1)
    period_end = (month + timedelta(days=32)).replace(day=1)
    source = _SOURCES[(i + j) % len(_SOURCES)]
    value = 1_500_000.0 + 1_000.0 * ((i * 7 + j * 13) % 500)
    if j == 0:
        return (
            "project",
            subject,
            k,
            source,
            "Russia",
            "China",
            "crude oil",
            _GRADES[i % len(_GRADES)],
            month,
            period_end,
            value,
            "bbl/d",
            "seaborne exports (ship-tracking)",
        )
    if j == last:
        return ("report", subject, k, source, value * 1.05, "bbl/d", month, period_end, "customs")
    return ("revise", subject, k, source, value, "bbl/d", "record monthly volume")


def subject_specs(shape: Shape, i: int) -> list[Spec]:
    """The descriptions of subject ``i``'s events, in the order it says them."""
    make = _trade if i % 4 == 3 else _visit
    subject = subject_name(i)
    last = shape.events - 1
    return [make(i, j, last, shape.seq(i, j), subject) for j in range(shape.events)]


def batches(shape: Shape, batch: int = BATCH) -> Iterator[list[Spec]]:
    """The whole workload in the shape's arrival order, in batches of ``batch``."""
    if shape.order == "random":
        every = [s for i in range(shape.subjects) for s in subject_specs(shape, i)]
        random.Random(shape.total).shuffle(every)
        for start in range(0, len(every), batch):
            yield every[start : start + batch]
        return
    pending: list[Spec] = []
    for i in range(shape.subjects):
        pending.extend(subject_specs(shape, i))
        while len(pending) >= batch:
            yield pending[:batch]
            pending = pending[batch:]
    if pending:
        yield pending


def by_subject(shape: Shape) -> Iterator[list[Spec]]:
    """The workload grouped by subject, each subject's events in the order it says them (how
    the reference stores aggregates, whatever the arrival order)."""
    for i in range(shape.subjects):
        yield subject_specs(shape, i)


def late_arrivals(shape: Shape, count: int, *, after: float, seed: int = 7) -> list[Spec]:
    """``count`` agenda changes said in the past and recorded now.

    Each is about an existing visit, with a ``known_at`` in the last ``1 - after`` fraction of
    the log's assertion time (``after=0.9``: the last tenth), one second after one of that
    visit's own events.
    """
    rng = random.Random(seed)
    first = int(shape.subjects * after)
    out: list[Spec] = []
    while len(out) < count:
        i = rng.randrange(first, shape.subjects)
        if i % 4 == 3:
            continue
        j = rng.randrange(shape.events)
        k = shape.known_at(i, j) + timedelta(seconds=1)
        out.append(("agenda", subject_name(i), k, "Reuters", f"late item {len(out)}"))
    return out


def probe_subjects(shape: Shape, count: int, *, seed: int = 11) -> list[int]:
    """``count`` subject indexes spread over the log, for point reads."""
    rng = random.Random(seed)
    return [rng.randrange(shape.subjects) for _ in range(count)]


def midpoint(shape: Shape, i: int) -> datetime:
    """The ``known_at`` of subject ``i``'s middle event: a past version of it."""
    return shape.known_at(i, shape.events // 2)


def end_of_log(shape: Shape) -> datetime:
    """The ``known_at`` of the last event said (in every order: the last minute used)."""
    return known_at(shape.total - 1)
