"""The figures workload: daily export figures with many vintages, described once as plain data.

The shape of issue 19's side-by-side measurement against ``timely-beliefs``: ``S`` daily export
figures, each with :data:`VINTAGES` projections alternating between two sources at horizons
from 30 days before the day down to a fraction of a day, then an outcome from a third source
20 days after the day. Both libraries are fed these tuples, made before any clock starts; each
builds its own objects from them in the timed part. Nothing here imports either library.

A belief is ``(day, vintage, known_at, source, value)``: ``vintage`` runs from 0 (the first
projection) to ``VINTAGES - 1``, and ``VINTAGES`` for the outcome.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final, NamedTuple

#: The first figure's day.
FIRST_DAY: Final = datetime(2024, 1, 1, tzinfo=UTC)
#: Projections of each figure, before its outcome.
VINTAGES: Final = 100
#: The first projection's horizon (before the day); the last one's is a hundredth of it.
FIRST_HORIZON: Final = timedelta(days=30)
#: When the outcome is published, after the day.
OUTCOME_AFTER: Final = timedelta(days=20)
#: The two forecasters (alternating vintages) and the reporter of the outcome.
FORECASTERS: Final = ("Kpler", "Vortexa")
REPORTER: Final = "Customs"
UNIT: Final = "kt"


class Belief(NamedTuple):
    """One vintage of one figure (or its outcome), as plain values."""

    day: int
    vintage: int
    known_at: datetime
    source: str
    value: float


def day_start(day: int) -> datetime:
    """The start of the ``day``-th figure's day (UTC)."""
    return FIRST_DAY + timedelta(days=day)


def subject_of(day: int) -> str:
    """The chronology subject of the ``day``-th figure."""
    return f"trade/exports-{day:06d}"


def horizon(vintage: int) -> timedelta:
    """How long before its day a projection is made: 30 days for the first, 7.2 hours for the
    last (the same horizons for every figure)."""
    return FIRST_HORIZON * (VINTAGES - vintage) / VINTAGES


def value(day: int, vintage: int) -> float:
    """The figure (kt) a vintage gives: deterministic, exact in one decimal."""
    return 900.0 + ((day * 37 + vintage * 11) % 4000) / 10


def beliefs(figures: int) -> list[Belief]:
    """Every belief about ``figures`` daily figures, in assertion-time order (ties by day)."""
    out: list[Belief] = []
    for day in range(figures):
        start = day_start(day)
        for vintage in range(VINTAGES):
            source = FORECASTERS[vintage % 2]
            out.append(Belief(day, vintage, start - horizon(vintage), source, value(day, vintage)))
        outcome = value(day, VINTAGES) + 25.0
        out.append(Belief(day, VINTAGES, start + OUTCOME_AFTER, REPORTER, outcome))
    out.sort(key=lambda b: (b.known_at, b.day))
    return out


def end_of_log(figures: int) -> datetime:
    """The last assertion time of the workload (the last outcome)."""
    return day_start(figures - 1) + OUTCOME_AFTER


def middle_of_log(figures: int) -> datetime:
    """An instant in the middle of the workload: some figures reported, some being projected,
    some not yet projected."""
    return day_start(figures // 2)


def latest_by_source(found: list[Belief], at: datetime) -> dict[tuple[int, str], float]:
    """What each source last said about each figure by ``at``: the answer both libraries must
    give (computed here from the plain data)."""
    out: dict[tuple[int, str], tuple[datetime, float]] = {}
    for b in found:
        if b.known_at <= at:
            key = (b.day, b.source)
            if key not in out or out[key][0] <= b.known_at:
                out[key] = (b.known_at, b.value)
    return {k: v for k, (_, v) in out.items()}
