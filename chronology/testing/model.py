"""The naive model the contract checks a chronicle against, written from the design's rules.

Two parts, each as plain as it can be and sharing no code with the chronicle's own fold:

* the *record model*: a plain list of :class:`ModelRecord`, with what a batch must append
  (:func:`model_plan`) and which records a view folds (:func:`model_records`: filter by system
  time, drop retracted records, filter by assertion time, sort);
* the *fold rules* (:func:`naive_outlines`): what the design says each expectation's kind,
  status, window, ``partial`` flag, reason, hedge and projected figure are, for every built-in
  family (visits, trade flows, plans and figures), worked out per subject from its whole list of
  events at once rather than event by event.

:func:`model_answer` puts them together. Its :attr:`Answer.expectations` are folded by the real
:class:`~chronology.fold.ExpectationFold` from the model's records (a check of which
records a view sees, for every field); its :attr:`Answer.outlines` come from the naive rules
alone (a check of the fold rules themselves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import attrs

from chronology.events import (
    Event,
    FigureEvent,
    Likelihood,
    PlanEvent,
    Quantity,
    Retracted,
    StatementMade,
    TradeEvent,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitEvent,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.expectations import Expectation, Status
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.fold import ExpectationFold
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)
from chronology.record import Record
from chronology.serialization import canonical_json, event_id_of, event_to_dict
from chronology.testing.clock import TICK
from chronology.time import Window

__all__ = [
    "Answer",
    "ModelRecord",
    "Outline",
    "Refused",
    "event_id",
    "model_answer",
    "model_key",
    "model_plan",
    "model_records",
    "naive_instant",
    "naive_outlines",
    "outline",
    "record_key",
]

_END_OF_DAY: Final = timedelta(days=1) - TICK


def event_id(event: Event) -> str:
    """The id a chronicle gives ``event``: the hash of its canonical content."""
    return event_id_of(canonical_json(event_to_dict(event)))


def naive_instant(when: datetime | date | str) -> datetime:
    """The instant an as-of question stands for, worked out without :mod:`chronology.time`:
    a date (or an ISO date string) is the last microsecond of that day, in UTC."""
    if isinstance(when, str):
        when = date.fromisoformat(when)
    if isinstance(when, datetime):
        return when.astimezone(UTC)
    return datetime(when.year, when.month, when.day, tzinfo=UTC) + _END_OF_DAY


# -- the record model ---------------------------------------------------------------------------


@attrs.frozen
class ModelRecord:
    """What the model expects the chronicle to have stored for one event.

    Attributes:
        position: from 1, contiguous.
        event_id: the event's :func:`event_id`.
        recorded_at: the clock's reading, or the last one plus a microsecond.
        event: the event.
    """

    position: int
    event_id: str
    recorded_at: datetime
    event: Event


class Refused(Exception):
    """The model expects the chronicle to refuse a batch.

    Args:
        index: the position in the batch of the event at fault.
    """

    def __init__(self, index: int) -> None:
        self.index = index
        super().__init__(index)


def model_plan(
    model: Sequence[ModelRecord], batch: Sequence[Event], now: datetime
) -> tuple[list[ModelRecord], list[ModelRecord]]:
    """The records a batch must produce: one result per event, and the new records.

    Args:
        model: the records stored so far.
        batch: the events appended in one batch.
        now: the clock's reading.

    Returns:
        The record each event of the batch returns (an event stored already returns its
        record), and the records the batch adds.

    Raises:
        Refused: if the batch holds a retraction of a missing event or of another subject.
    """
    known = {r.event_id: r for r in model}
    last = model[-1].recorded_at if model else None
    results: list[ModelRecord] = []
    new: list[ModelRecord] = []
    for index, event in enumerate(batch):
        id_ = event_id(event)
        if id_ in known:
            results.append(known[id_])
            continue
        if isinstance(event, Retracted):
            target = known.get(event.target)
            if target is None or target.event.subject != event.subject:
                raise Refused(index)
        recorded_at = now if last is None or now > last else last + TICK
        last = recorded_at
        record = ModelRecord(len(model) + len(new) + 1, id_, recorded_at, event)
        known[id_] = record
        new.append(record)
        results.append(record)
    return results, new


def model_records(
    model: Sequence[ModelRecord], at: datetime, recorded_by: datetime | None
) -> list[ModelRecord]:
    """The records a view folds, worked out from scratch over the model list.

    Keep the records stored by ``recorded_by``; work out which retractions are in force
    (a retraction is in force unless a retraction in force targets it); drop the retractions
    and their targets; keep ``known_at <= at``; sort by ``(known_at, position)``.
    """
    visible = [r for r in model if recorded_by is None or r.recorded_at <= recorded_by]
    retractions = [r for r in visible if isinstance(r.event, Retracted)]
    against: dict[str, list[ModelRecord]] = {}
    for r in retractions:
        assert isinstance(r.event, Retracted)
        against.setdefault(r.event.target, []).append(r)
    memo: dict[str, bool] = {}

    def in_force(r: ModelRecord) -> bool:
        if r.event_id not in memo:
            memo[r.event_id] = not any(in_force(x) for x in against.get(r.event_id, ()))
        return memo[r.event_id]

    dead = {r.event.target for r in retractions if isinstance(r.event, Retracted) and in_force(r)}
    kept = [
        r
        for r in visible
        if not isinstance(r.event, Retracted) and r.event_id not in dead and r.event.known_at <= at
    ]
    kept.sort(key=lambda r: (r.event.known_at, r.position))
    return kept


def record_key(r: Record) -> tuple[Any, ...]:
    """What two stores must agree on for a record: position, id, ``recorded_at`` (as text,
    zone included), hash and event."""
    return (r.position, r.event_id, r.recorded_at.isoformat(), r.hash, r.event)


def model_key(r: ModelRecord | Record) -> tuple[Any, ...]:
    """What a stored record must share with its model record (the model keeps no hash)."""
    return (r.position, r.event_id, r.recorded_at.isoformat(), r.event)


# -- the fold rules -----------------------------------------------------------------------------


@attrs.frozen
class Outline:
    """What the design's fold rules say of one expectation.

    Attributes:
        kind: ``"visit"``, ``"trade"``, ``"plan"`` or ``"figure"``: the family of the subject's
            first event.
        status: where it stands, derived statuses included.
        window: a plan's (or visit's) current window, or a figure's (or trade's) period.
        partial: no announcement (plans, visits) or projection (figures, trades) is known.
        reason: the reason for the current status (plans and visits).
        likelihood: the latest hedge given, with ``probability``.
        probability: the latest hedge's probability.
        quantity: the latest projected figure (figures and trades).
    """

    kind: str
    status: Status
    window: Window | None
    partial: bool
    reason: str | None = None
    likelihood: Likelihood | None = None
    probability: float | None = None
    quantity: Quantity | None = None


def outline(value: Expectation) -> Outline:
    """The :class:`Outline` of a real expectation, to compare with :func:`naive_outlines`."""
    return Outline(
        value.kind,
        value.status,
        value.window,
        value.partial,
        reason=getattr(value, "reason", None),
        likelihood=value.likelihood,
        probability=value.probability,
        quantity=getattr(value, "quantity", None),
    )


#: Expectation events, and the status each sets unless an outcome came before it.
_EXPECTING: Final[Mapping[type[Event], Status]] = {
    VisitAnnounced: Status.ANNOUNCED,
    VisitScheduled: Status.SCHEDULED,
    VisitRescheduled: Status.SCHEDULED,
    VisitPostponed: Status.POSTPONED,
    PlanAnnounced: Status.ANNOUNCED,
    PlanScheduled: Status.SCHEDULED,
    PlanRescheduled: Status.SCHEDULED,
    PlanPostponed: Status.POSTPONED,
    TradeProjected: Status.PROJECTED,
    TradeProjectionRevised: Status.REVISED,
    FigureProjected: Status.PROJECTED,
    FigureRevised: Status.REVISED,
}
#: Outcomes and cancellations, and the status each sets whatever came before.
_SETTLING: Final[Mapping[type[Event], Status]] = {
    VisitOccurred: Status.OCCURRED,
    VisitCancelled: Status.CANCELLED,
    PlanOccurred: Status.OCCURRED,
    PlanCancelled: Status.CANCELLED,
    TradeReported: Status.REPORTED,
    FigureReported: Status.REPORTED,
}
#: Statuses still waiting for their window (or period), and what they read once it is over.
_PAST_DUE: Final[Mapping[Status, Status]] = {
    Status.ANNOUNCED: Status.OVERDUE,
    Status.SCHEDULED: Status.OVERDUE,
    Status.POSTPONED: Status.OVERDUE,
    Status.PROJECTED: Status.AWAITING_REPORT,
    Status.REVISED: Status.AWAITING_REPORT,
}
#: The events that create each kind of expectation (without one, it is partial).
_CREATORS: Final[Mapping[str, type[Event]]] = {
    "visit": VisitAnnounced,
    "plan": PlanAnnounced,
    "trade": TradeProjected,
    "figure": FigureProjected,
}
#: Postponements: their window replaces the current one even when ``None`` (dates unknown).
_POSTPONEMENTS: Final = (VisitPostponed, PlanPostponed)
_PROJECTIONS: Final = (TradeProjected, FigureProjected)
_REVISIONS: Final = (TradeProjectionRevised, FigureRevised)
_REPORTS: Final = (TradeReported, FigureReported)


def _status_of(table: Mapping[type[Event], Status], event: Event) -> Status | None:
    return next((status for cls, status in table.items() if isinstance(event, cls)), None)


def _family(event: Event) -> str | None:
    """The kind of expectation an event is about: the most specific family it belongs to."""
    if isinstance(event, VisitEvent):
        return "visit"
    if isinstance(event, TradeEvent):
        return "trade"
    if isinstance(event, PlanEvent):
        return "plan"
    if isinstance(event, FigureEvent):
        return "figure"
    return None


def naive_outlines(events: Iterable[Event], at: datetime) -> dict[str, Outline]:
    """The outline of every expectation, by subject (sorted), as of ``at``.

    The rules, from the design:

    * a subject's first visit, trade, plan or figure event fixes its kind (a visit is a kind of
      plan and a trade flow a kind of figure, but each kind keeps to its own events); events of
      the other kinds about it are left out, and statements make no expectation;
    * if any outcome or cancellation is known, the status is the latest one's; otherwise it is
      the latest expectation event's; otherwise ``unknown``;
    * the events that set the status are the outcomes and cancellations, and the expectation
      events known before the first of them; a plan's (or visit's) window is the one the latest
      of those carries (a postponement always carries one: ``None`` means unknown);
    * the reason is the latest one given by the status-setting events since the status last
      changed;
    * the hedge is the latest one given (likelihood and probability together), by any event
      of the kind or, once the expectation exists, by a statement about its subject;
    * a figure's (or trade's) period is the latest projection's, or else the first report's;
      its quantity is the latest one projected or revised;
    * a plan still expected (announced, scheduled, postponed) with its window over by ``at``:
      overdue; a figure still expected (projected, revised) with its period over: awaiting
      report.

    Args:
        events: the events a view folds, in its order: ``(known_at, position)``.
        at: the as-of instant.
    """
    by_subject: dict[str, list[Event]] = {}
    for event in events:
        if _family(event) is not None or (
            isinstance(event, StatementMade) and event.subject in by_subject
        ):
            by_subject.setdefault(event.subject, []).append(event)
    out: dict[str, Outline] = {}
    for subject in sorted(by_subject):
        kind = _family(by_subject[subject][0])
        assert kind is not None
        mine = [e for e in by_subject[subject] if _family(e) == kind]
        hedges = [
            hedge
            for e in by_subject[subject]
            if _family(e) == kind or isinstance(e, StatementMade)
            if (hedge := (getattr(e, "likelihood", None), getattr(e, "probability", None)))
            != (None, None)
        ]
        likelihood, probability = hedges[-1] if hedges else (None, None)
        found = _outline(mine, kind, at)
        out[subject] = attrs.evolve(found, likelihood=likelihood, probability=probability)
    return out


def _outline(events: list[Event], kind: str, at: datetime) -> Outline:
    settling = [i for i, e in enumerate(events) if _status_of(_SETTLING, e) is not None]
    first_settled = settling[0] if settling else len(events)
    expecting = [
        i for i, e in enumerate(events[:first_settled]) if _status_of(_EXPECTING, e) is not None
    ]
    setting = [events[i] for i in sorted(expecting + settling)]
    statuses = [_status_of(_SETTLING, e) or _status_of(_EXPECTING, e) for e in setting]
    status = statuses[-1] if statuses else Status.UNKNOWN
    assert status is not None
    # The reason: from the setting events since the status last changed.
    run = len(statuses)
    while run > 0 and statuses[run - 1] is status:
        run -= 1
    reasons = [r for e in setting[run:] if (r := getattr(e, "reason", None)) is not None]
    reason = reasons[-1] if reasons else None
    window: Window | None = None
    quantity: Quantity | None = None
    if kind in ("visit", "plan"):
        for e in setting:
            carried = getattr(e, "window", None)
            if carried is not None or isinstance(e, _POSTPONEMENTS):
                window = carried
    else:
        projected = [e.period for e in events if isinstance(e, _PROJECTIONS)]
        reported = [e.period for e in events if isinstance(e, _REPORTS)]
        projected = [p for p in projected if p is not None]
        reported = [p for p in reported if p is not None]
        window = projected[-1] if projected else reported[0] if reported else None
        figures = [
            e.quantity
            for e in events
            if isinstance(e, (*_PROJECTIONS, *_REVISIONS)) and e.quantity is not None
        ]
        quantity = figures[-1] if figures else None
    if status in _PAST_DUE and window is not None and window.end is not None and window.end <= at:
        status = _PAST_DUE[status]
    partial = not any(isinstance(e, _CREATORS[kind]) for e in events)
    return Outline(kind, status, window, partial, reason=reason, quantity=quantity)


# -- both together ------------------------------------------------------------------------------


@attrs.frozen
class Answer:
    """A view's answer, as the model computes it.

    Attributes:
        expectations: by subject (sorted), folded by the real fold from the model's records.
        outlines: by subject (sorted), from the naive fold rules alone.
        statements: the statements the view lists, in fold order.
    """

    expectations: dict[str, Expectation]
    outlines: dict[str, Outline]
    statements: tuple[StatementMade, ...]


def model_answer(
    model: Sequence[ModelRecord], when: datetime | date | str, recorded_by: datetime | None
) -> Answer:
    """What ``as_of(when, recorded_by=recorded_by)`` must answer: :func:`model_records`
    folded by a fresh :class:`~chronology.fold.ExpectationFold`, and outlined by
    :func:`naive_outlines`."""
    at = naive_instant(when)
    records = model_records(model, at, recorded_by)
    state = ExpectationFold()
    for r in records:
        state.apply(r.event, r.event_id)
    events = [r.event for r in records]
    statements = tuple(e for e in events if isinstance(e, StatementMade))
    return Answer(state.freeze(at), naive_outlines(events, at), statements)
