"""Outcomes: how each expectation turned out, with only what was known by an instant.

:meth:`.Chronicle.outcomes` resolves every expectation of a view (see :func:`resolve`): the
same records the view folds, so the answer uses nothing known after ``as_of`` (nor recorded
after ``recorded_by``), and appending later events never changes it.

* A visit gets a :class:`VisitOutcome`: its :class:`Resolution` (``occurred``, ``cancelled``,
  ``lapsed`` = overdue at ``as_of``, ``open`` = not yet due) and, once it occurred, its
  :class:`Timing` against the last window given before it began, its lead time (from the first
  word of it), its notice (from the event that gave the window that held) and its slippage
  (from the start of the first firm window: one with a start and no label, ``~`` or ``?``).
* A trade flow gets a :class:`FigureOutcome`: one :class:`VintageError` per projection or
  revision that has a comparable report (same scope and dimension by default; ``reference=``
  names another source or scope to judge against), and the share of revisions that moved
  toward the reference.
* Every hedged expectation event becomes a :class:`~chronology.scores.Forecast` for
  :meth:`Outcomes.scores`.

Example:
    >>> from chronology import Chronicle
    >>> from chronology.events import VisitAnnounced, VisitOccurred
    >>> c = Chronicle()
    >>> _ = c.extend([
    ...     VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00+00:00",
    ...                    window="2024-04-08/2024-04-09", likelihood="certain"),
    ...     VisitOccurred(subject="visit/x", known_at="2024-04-08T12:00:00+00:00",
    ...                   window="2024-04-08/2024-04-09"),
    ... ])
    >>> o = c.outcomes(as_of="2024-04-30")["visit/x"]
    >>> o.resolution, o.timing, o.lead_time.days
    (<Resolution.OCCURRED: 'occurred'>, <Timing.ON_TIME: 'on_time'>, 4)
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, TypeAlias

import attrs

from chronology._collector import collector_paused
from chronology.claims import ClaimCheck, EarlierReports, check_claims
from chronology.errors import ChronologyError, UnitError
from chronology.events import (
    Event,
    Retracted,
    Source,
    StatementMade,
    VisitCancelled,
    VisitOccurred,
)
from chronology.expectations import (
    FigureExpectation,
    PlanExpectation,
    Status,
    TradeExpectation,
    VisitExpectation,
)
from chronology.frames import Cell, to_arrow, to_pandas
from chronology.outcome_records import (
    OUTCOME_COLUMNS,
    error_records,
    outcome_records,
)
from chronology.plans import PlanCancelled, PlanOccurred
from chronology.quantity import Quantity, error, relative_error
from chronology.scores import (
    HORIZONS,
    Forecast,
    GroupBy,
    ScoreRow,
    ScoreTable,
    brier,
    horizon_bucket,
    log_score,
    mean_delta,
)
from chronology.time import Window
from chronology.units import same_dimension
from chronology.view import View

__all__ = [
    "FigureOutcome",
    "Outcome",
    "Outcomes",
    "Resolution",
    "Timing",
    "VintageError",
    "VisitOutcome",
    "resolve",
]


class Resolution(enum.StrEnum):
    """How a planned happening turned out, as of an instant."""

    OCCURRED = "occurred"
    CANCELLED = "cancelled"
    #: Its window is over with no occurrence or cancellation known (``overdue`` at the instant).
    LAPSED = "lapsed"
    #: Not yet due (its window is not over, or it has none).
    OPEN = "open"


class Timing(enum.StrEnum):
    """When a happening took place against the last window given before it began."""

    #: The actual dates overlap that window.
    ON_TIME = "on_time"
    #: They began after it ended.
    LATE = "late"
    #: They ended before it began.
    EARLY = "early"


@attrs.frozen(kw_only=True)
class VisitOutcome:
    """How a visit turned out.

    Attributes:
        subject: the expectation's id.
        resolution: occurred, cancelled, lapsed or open.
        timing: for an occurred visit with actual dates and an earlier window; else ``None``.
        lead_time: from the first event known about it to the actual start.
        notice: from the ``known_at`` of the event that gave the window that held (the last
            window given before the visit began) to the actual start.
        slippage: from the start of the first firm window to the actual start (negative when
            it came early).
        windows: how many distinct windows (start and end) the expectation events gave.
        actual: the actual dates, once it occurred.
        forecasts: its hedged events, each with how it turned out.
    """

    subject: str
    resolution: Resolution
    timing: Timing | None = None
    lead_time: timedelta | None = None
    notice: timedelta | None = None
    slippage: timedelta | None = None
    windows: int = 0
    actual: Window | None = None
    forecasts: tuple[Forecast, ...] = ()

    #: The kind of expectation.
    kind: str = "visit"


@attrs.frozen(kw_only=True)
class VintageError:
    """How far one projection vintage was from the reference report.

    Attributes:
        known_at: when the vintage was made public.
        source: who made it.
        projected: the projected figure.
        reported: the reference report, in the projection's unit.
        error: ``reported - projected``, in the projection's unit (``pp`` for rates in %).
        relative: ``error / reported`` (``None`` for a zero report): see
            :func:`chronology.quantity.relative_error`, the one definition.
        horizon: from ``known_at`` to the end of the period (``None`` when unknown).
    """

    known_at: datetime
    source: Source | None
    projected: Quantity
    reported: Quantity
    error: Quantity
    relative: float | None
    horizon: timedelta | None


@attrs.frozen(kw_only=True)
class FigureOutcome:
    """How the projections of a figure (a trade flow) fared against its reports.

    Attributes:
        subject: the expectation's id.
        resolution: ``occurred`` once a report is known, else ``open``.
        errors: one per projection or revision vintage with a comparable report.
        claims: its record claims, checked against earlier reports (see
            :mod:`chronology.claims`).
        revisions_toward_outcome: the share of revisions (each vintage after the first with an
            error) that came closer to the reference; ``None`` without a revision.
        forecasts: always empty for now: a figure is judged by its errors, not by a Brier
            score (what "it happened" means for a hedged figure is not settled).
    """

    subject: str
    resolution: Resolution
    errors: tuple[VintageError, ...] = ()
    revisions_toward_outcome: float | None = None
    claims: tuple[ClaimCheck, ...] = ()
    forecasts: tuple[Forecast, ...] = ()

    #: The kind of expectation.
    kind: str = "trade"

    @property
    def timing(self) -> Timing | None:
        """Figures have no timing."""
        return None


#: Either kind of outcome.
Outcome: TypeAlias = VisitOutcome | FigureOutcome


def _hedged(event: Event) -> bool:
    return (
        getattr(event, "likelihood", None) is not None
        or getattr(event, "probability", None) is not None
    )


def _source_name(event: Event) -> str | None:
    return None if event.source is None else event.source.name


def _forecast(event: Event, kind: str, happened: bool | None) -> Forecast:
    likelihood = getattr(event, "likelihood", None)
    return Forecast(
        subject=event.subject,
        known_at=event.known_at,
        source=_source_name(event),
        cue=None if likelihood is None else likelihood.value,
        kind=kind,
        probability=getattr(event, "probability", None),
        happened=happened,
    )


#: The events that report a planned happening took place, and those that settle it either way.
_OCCURRED: Final = (VisitOccurred, PlanOccurred)
_SETTLING: Final = (VisitOccurred, PlanOccurred, VisitCancelled, PlanCancelled)


def _gives_window(event: Event) -> bool:
    """Whether the event states expected dates (or, with ``None``, that they are unknown)."""
    return (
        hasattr(event, "window")
        and not isinstance(event, _OCCURRED)
        and not isinstance(event, StatementMade)
    )


def _window_of(event: Event) -> Window | None:
    window: Window | None = getattr(event, "window", None)
    return window


def _firm(window: Window) -> bool:
    return (
        window.start is not None
        and window.label is None
        and not window.approximate
        and not window.uncertain
    )


def _timing(actual: Window, held: Window) -> Timing:
    if actual.overlaps(held):
        return Timing.ON_TIME
    if held.end is not None and actual.start is not None and actual.start >= held.end:
        return Timing.LATE
    return Timing.EARLY


def _visit(value: VisitExpectation | PlanExpectation, events: Sequence[Event]) -> VisitOutcome:
    status = value.status
    if status is Status.OCCURRED:
        resolution = Resolution.OCCURRED
    elif status is Status.CANCELLED:
        resolution = Resolution.CANCELLED
    elif status is Status.OVERDUE:
        resolution = Resolution.LAPSED
    else:
        resolution = Resolution.OPEN
    actual = value.window if resolution is Resolution.OCCURRED else None
    start = None if actual is None else actual.start
    given = [(e, w) for e in events if _gives_window(e) and (w := _window_of(e)) is not None]
    timing = lead_time = notice = slippage = None
    if start is not None and actual is not None:
        lead_time = start - events[0].known_at
        before = [(e, w) for e, w in given if e.known_at < start]
        if before:
            giver, held = before[-1]
            timing = _timing(actual, held)
            for e, w in reversed(before):  # the first of the events that repeated that window
                if (w.start, w.end) != (held.start, held.end):
                    break
                giver = e
            notice = start - giver.known_at
        firm = [w for _, w in given if _firm(w)]
        if firm and firm[0].start is not None:
            slippage = start - firm[0].start
    forecasts = tuple(
        _forecast(e, value.kind, _visit_happened(resolution, actual, e))
        for e in events
        if _hedged(e) and not isinstance(e, _SETTLING)
    )
    return VisitOutcome(
        subject=value.subject,
        kind=value.kind,
        resolution=resolution,
        timing=timing,
        lead_time=lead_time,
        notice=notice,
        slippage=slippage,
        windows=len({(w.start, w.end) for _, w in given}),
        actual=actual,
        forecasts=forecasts,
    )


def _visit_happened(resolution: Resolution, actual: Window | None, event: Event) -> bool | None:
    if resolution is Resolution.OPEN:
        return None
    if resolution is not Resolution.OCCURRED:
        return False
    window = getattr(event, "window", None) if _gives_window(event) else None
    if window is None or actual is None:
        return True
    return actual.overlaps(window)


def _reference(
    value: TradeExpectation | FigureExpectation,
    projected: Quantity,
    scope: str | None,
    reference: str | None,
) -> Quantity | None:
    for report in reversed(value.reports):
        if reference is None:
            if report.scope != scope:
                continue
        elif report.scope != reference and (
            report.source is None or report.source.name != reference
        ):
            continue
        if same_dimension(report.quantity.unit, projected.unit):
            return report.quantity
    return None


def _figure(
    value: TradeExpectation | FigureExpectation,
    reference: str | None,
    trades: EarlierReports,
) -> FigureOutcome:
    errors: list[VintageError] = []
    for vintage in value.projections:
        try:
            reported = _reference(value, vintage.quantity, vintage.scope, reference)
        except UnitError:  # a unit the table does not know: not comparable
            reported = None
        if reported is None:
            continue
        converted = reported.to(vintage.quantity.unit)
        difference = error(vintage.quantity, converted)
        period = vintage.period or value.period
        end = None if period is None else period.end
        errors.append(
            VintageError(
                known_at=vintage.known_at,
                source=vintage.source,
                projected=vintage.quantity,
                reported=converted,
                error=difference,
                relative=relative_error(vintage.quantity, converted),
                horizon=None if end is None else end - vintage.known_at,
            )
        )
    moves = [abs(b.error.value) < abs(a.error.value) for a, b in itertools.pairwise(errors)]
    resolution = Resolution.OCCURRED if value.reports else Resolution.OPEN
    return FigureOutcome(
        subject=value.subject,
        kind=value.kind,
        resolution=resolution,
        errors=tuple(errors),
        revisions_toward_outcome=sum(moves) / len(moves) if moves else None,
        claims=check_claims(value, trades) if value.claims else (),
    )


def resolve(view: View, *, reference: str | None = None) -> Outcomes:
    """Resolve every expectation of ``view`` with the records it folds, and nothing else.

    Args:
        view: what was known (see :meth:`.Chronicle.as_of`).
        reference: judge figures against the latest report of this scope or source (by name)
            instead of the latest report of each projection's own scope.

    The cyclic garbage collector is paused meanwhile: resolving makes lasting objects (records,
    outcomes, forecasts) that form no cycles, and the heap walks they set off took half the time
    of resolving 100,000 events.
    """
    with collector_paused():
        return _resolve(view, reference)


def _resolve(view: View, reference: str | None) -> Outcomes:
    by_subject: dict[str, list[Event]] = {}
    for record in view.records():
        event = record.event
        if not isinstance(event, Retracted):
            by_subject.setdefault(event.subject, []).append(event)
    values: dict[str, Outcome] = {}
    expectations = view.expectations()
    figures = EarlierReports(
        e for e in expectations if isinstance(e, TradeExpectation | FigureExpectation)
    )
    for value in expectations:
        events = by_subject.get(value.subject, [])
        if isinstance(value, TradeExpectation | FigureExpectation):
            values[value.subject] = _figure(value, reference, figures)
        else:
            values[value.subject] = _visit(value, events)
    return Outcomes(values, as_of=view.as_of, recorded_by=view.recorded_by)


class Outcomes(Mapping[str, Outcome]):
    """How every expectation turned out as of an instant: a mapping of subject to outcome.

    Build it with :meth:`.Chronicle.outcomes`. Iterating gives the subjects, sorted.
    """

    def __init__(
        self,
        values: Mapping[str, Outcome],
        *,
        as_of: datetime,
        recorded_by: datetime | None,
    ) -> None:
        self._values = dict(sorted(values.items()))
        self._as_of = as_of
        self._recorded_by = recorded_by

    @property
    def as_of(self) -> datetime:
        """The assertion-time instant resolved at."""
        return self._as_of

    @property
    def recorded_by(self) -> datetime | None:
        """The system-time bound, or ``None`` (as recorded when resolved)."""
        return self._recorded_by

    def __getitem__(self, subject: str) -> Outcome:
        return self._values[subject]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def forecasts(self) -> tuple[Forecast, ...]:
        """Every hedged expectation event, with how it turned out, by subject then time."""
        return tuple(f for o in self._values.values() for f in o.forecasts)

    def scores(
        self, by: GroupBy = "source", *, probabilities: Mapping[str, float] | None = None
    ) -> ScoreTable:
        """Score the outcomes per group.

        An expectation counts in a source's group when that source said anything hedged or
        gave a figure about it; in a cue's group when an event gave that cue; in its kind's
        group always. Forecasts count in the group of their own source, cue or kind.

        Args:
            by: ``"source"``, ``"cue"`` or ``"kind"``.
            probabilities: default probabilities by likelihood level, overriding the built-in
                ones (``{"probable": 0.8}``).

        Returns:
            A :class:`~chronology.scores.ScoreTable`: one
            :class:`~chronology.scores.ScoreRow` per group, sorted by group name (``None``
            last).

        Raises:
            ChronologyError: for another ``by`` or a bad probability.
        """
        if by not in ("source", "cue", "kind"):
            raise ChronologyError(f"by: expected 'source', 'cue' or 'kind', got {by!r}")
        members: dict[str | None, dict[str, Outcome]] = {}
        forecasts: dict[str | None, list[Forecast]] = {}
        errors: dict[str | None, list[VintageError]] = {}
        for subject, outcome in self._values.items():
            if by == "kind":
                members.setdefault(outcome.kind, {})[subject] = outcome
            for f in outcome.forecasts:
                key = f.kind if by == "kind" else f.source if by == "source" else f.cue
                forecasts.setdefault(key, []).append(f)
                members.setdefault(key, {})[subject] = outcome
            if isinstance(outcome, FigureOutcome):
                for e in outcome.errors:
                    if by == "source":
                        key = None if e.source is None else e.source.name
                    elif by == "kind":
                        key = outcome.kind
                    else:
                        continue
                    errors.setdefault(key, []).append(e)
                    members.setdefault(key, {})[subject] = outcome
        rows = [
            _row(
                key,
                list(members.get(key, {}).values()),
                forecasts.get(key, []),
                errors.get(key, []),
                probabilities,
            )
            for key in members
        ]
        return ScoreTable(tuple(sorted(rows, key=lambda r: (r.group is None, r.group or ""))))

    def to_records(self) -> list[dict[str, Cell]]:
        """One flat dict per subject, with the
        :data:`~chronology.outcome_records.OUTCOME_COLUMNS`: durations as
        :class:`~datetime.timedelta`, the actual dates as exact bounds (aware datetimes) beside
        the inclusive last day; ``errors`` counts a figure's vintage errors (see
        :meth:`error_records`)."""
        return outcome_records(self._values)

    def error_records(self) -> list[dict[str, Cell]]:
        """One flat dict per figure vintage with an error, with the
        :data:`~chronology.outcome_records.ERROR_COLUMNS` (quantities as ``_value`` and
        ``_unit`` columns): "how far was each source, how early" is one group-by away."""
        return error_records(self._values)

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a ``pandas.DataFrame`` (the ``pandas`` extra)."""
        return to_pandas(self.to_records(), OUTCOME_COLUMNS)

    def to_arrow(self) -> Any:
        """:meth:`to_records` as a ``pyarrow.Table`` (the ``arrow`` extra)."""
        return to_arrow(self.to_records(), OUTCOME_COLUMNS)

    def __repr__(self) -> str:
        by = "now" if self._recorded_by is None else self._recorded_by.isoformat()
        return f"<Outcomes as_of={self._as_of.isoformat()} recorded_by={by} n={len(self)}>"


def _row(
    group: str | None,
    outcomes: list[Outcome],
    forecasts: list[Forecast],
    errors: list[VintageError],
    probabilities: Mapping[str, float] | None,
) -> ScoreRow:
    counts = dict.fromkeys(Resolution, 0)
    for o in outcomes:
        counts[o.resolution] += 1
    visits = [o for o in outcomes if isinstance(o, VisitOutcome)]
    timed = [o.timing for o in visits if o.timing is not None]
    by_horizon: dict[str, list[float]] = {}
    for e in errors:
        if e.horizon is not None and e.relative is not None:
            by_horizon.setdefault(horizon_bucket(e.horizon), []).append(abs(e.relative))
    order = [label for label, _ in HORIZONS]
    return ScoreRow(
        group=group,
        occurred=counts[Resolution.OCCURRED],
        cancelled=counts[Resolution.CANCELLED],
        lapsed=counts[Resolution.LAPSED],
        open=counts[Resolution.OPEN],
        on_time_rate=sum(t is Timing.ON_TIME for t in timed) / len(timed) if timed else None,
        mean_lead_time=mean_delta([o.lead_time for o in visits if o.lead_time is not None]),
        mean_notice=mean_delta([o.notice for o in visits if o.notice is not None]),
        mean_abs_relative_error={
            label: sum(v) / len(v) for label in order if (v := by_horizon.get(label))
        },
        forecasts=sum(f.happened is not None for f in forecasts),
        brier=brier(forecasts, probabilities),
        log_score=log_score(forecasts, probabilities),
        open_forecasts=sum(f.happened is None for f in forecasts),
    )
