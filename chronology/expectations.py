"""The built-in projection: what was expected, as typed, frozen values.

Folding a view's events yields one :class:`VisitExpectation` or :class:`TradeExpectation` per
subject. The rules:

* each event sets what it carries (an empty tuple or ``None`` carries nothing);
* the status follows the latest-known event, except that an outcome (:class:`.VisitOccurred`,
  :class:`.TradeReported`) or a cancellation is not undone by a later *expectation* event: an
  announcement, schedule, projection or revision known afterwards adds its information but leaves
  the status (and the outcome's window); only a later outcome or cancellation changes it;
* a visit still expected (``announced``, ``scheduled`` or ``postponed``) whose current window
  has ended by the as-of instant is reported ``overdue``, and a figure still projected
  (``projected`` or ``revised``) whose period has ended is reported ``awaiting_report``: both
  are derived at the view's instant, never stored;
* ``reason`` is the reason for the current status: an event that changes the status clears a
  reason it does not give;
* the hedge (``likelihood`` and ``probability``) is the latest one known: an event that gives
  either replaces both, one that gives neither leaves them; a :class:`.StatementMade` with a
  hedge updates the hedge of an expectation that exists, and nothing else;
* the fold is total: events about a subject nobody announced create a *partial* expectation
  (``partial=True``); the first event's family (visit or trade) fixes the subject's kind and
  events of the other family about it are left out of the built-in projection.

Expectations carry assertion-time facts only, never ``recorded_at``, so the same history gives
equal values in every store.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeAlias

import attrs

from chronology._fastinit import slot_setters
from chronology.events import (
    AgendaChanged,
    Event,
    FigureEvent,
    Likelihood,
    PlanEvent,
    Quantity,
    Source,
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
from chronology.time import Window
from chronology.units import same_dimension

if TYPE_CHECKING:
    from chronology.tracks import SourceTrack

__all__ = [
    "OUTCOME_STATUSES",
    "Expectation",
    "ExpectationFold",
    "FieldHandler",
    "FigureExpectation",
    "Figured",
    "PlanExpectation",
    "Planned",
    "Status",
    "TradeExpectation",
    "Vintage",
    "VisitExpectation",
    "register_handler",
    "register_kind",
]


class Status(enum.StrEnum):
    """Where an expectation stands."""

    #: Only events that set no status are known (for example an agenda change alone).
    UNKNOWN = "unknown"
    ANNOUNCED = "announced"
    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    OCCURRED = "occurred"
    #: A visit announced, scheduled or postponed whose current window is over by the as-of
    #: instant, with no occurrence or cancellation known (derived by the view, never stored).
    OVERDUE = "overdue"
    PROJECTED = "projected"
    REVISED = "revised"
    REPORTED = "reported"
    #: A figure projected or revised whose period is over by the as-of instant, with no report
    #: known (derived by the view, never stored).
    AWAITING_REPORT = "awaiting_report"


_TERMINAL: Final = frozenset({Status.OCCURRED, Status.CANCELLED, Status.REPORTED})
#: The statuses a view derives from a stored one once its window (or period) is over, and the
#: field that holds that window in a builder.
_PAST_DUE: Final[dict[Status, tuple[Status, str]]] = {
    Status.ANNOUNCED: (Status.OVERDUE, "window"),
    Status.SCHEDULED: (Status.OVERDUE, "window"),
    Status.POSTPONED: (Status.OVERDUE, "window"),
    Status.PROJECTED: (Status.AWAITING_REPORT, "period"),
    Status.REVISED: (Status.AWAITING_REPORT, "period"),
}


@attrs.frozen(kw_only=True)
class Vintage:
    """One vintage of a trade figure: a projection, a revision, or a report, as given at
    ``known_at`` (``TradeExpectation.projections`` and ``.reports`` hold them in order).

    Called ``Figure`` before 0.1.0, a name that clashed with matplotlib's figures.

    Attributes:
        quantity: the figure.
        scope: what it measures; figures compare only within one scope (and unit).
        known_at: when it was made public.
        period: the period it covers, when the event said.
        preliminary: for reports, whether the source marked it preliminary.
        source: where it comes from.
    """

    quantity: Quantity
    scope: str | None
    known_at: datetime
    period: Window | None = None
    preliminary: bool = False
    source: Source | None = None


@attrs.frozen(kw_only=True)
class VisitExpectation:
    """What was expected of a visit, as of some instant.

    Attributes:
        subject: the expectation's id.
        status: where it stands (``overdue`` is derived at the view's as-of instant).
        window: the dates expected (or, once it occurred, the actual dates).
        first_window: the window of the first event that gave one (for lead time and slippage).
        visitor, host, counterparts, purpose, agenda, place: what the events said.
        reason: the reason given by the latest reschedule, postponement or cancellation.
        likelihood, probability: the hedge of the latest announcement that gave one.
        sources: every source, in order of first appearance.
        first_known_at: when the first event about it was made public.
        updated_at: the ``known_at`` of the latest event folded.
        event_ids: the ids of the events folded, in fold order.
        partial: no announcement is known; the expectation was built from later events only.
    """

    subject: str
    status: Status
    window: Window | None = None
    first_window: Window | None = None
    visitor: str | None = None
    host: str | None = None
    counterparts: tuple[str, ...] = ()
    purpose: str | None = None
    agenda: tuple[str, ...] = ()
    place: str | None = None
    reason: str | None = None
    likelihood: Likelihood | None = None
    probability: float | None = None
    sources: tuple[Source, ...] = ()
    first_known_at: datetime
    updated_at: datetime
    event_ids: tuple[str, ...] = ()
    partial: bool = False

    #: The family of the expectation.
    kind: ClassVar[str] = "visit"

    def by_source(self) -> dict[str, SourceTrack]:
        """What each source last said about this visit, by source name.

        The merged value mixes what several sources said; this keeps them apart. It is
        derived on demand, never stored: the events this value was folded from (its
        ``event_ids``) are read back from a chronicle open in this process that holds them
        (ids are content hashes, so any such chronicle gives the same answer). A view,
        :meth:`.View.by_source`, answers the same.

        Returns:
            A :class:`~chronology.tracks.SourceTrack` per source name, in order of first
            appearance.

        Raises:
            ChronologyError: if no open chronicle holds those events (a value built by hand,
                or one whose chronicle is gone).
        """
        return _by_source(self)


@attrs.frozen(kw_only=True)
class TradeExpectation:
    """What was expected of a trade flow, as of some instant.

    Attributes:
        subject: the expectation's id.
        status: ``projected``, ``revised`` or ``reported``.
        exporter, importer, commodity, grade: what flow it is.
        period: the period the figures cover.
        quantity: the latest projected figure (reports never overwrite it).
        scope: what the projection measures.
        claims: the latest claims made about it ("record monthly volume").
        likelihood, probability: the hedge of the latest projection that gave one.
        projections: every projected or revised figure, in fold order.
        reports: every reported figure, in fold order; see :meth:`report`.
        sources, first_known_at, updated_at, event_ids, partial: as on
            :class:`VisitExpectation`.
    """

    subject: str
    status: Status
    exporter: str | None = None
    importer: str | None = None
    commodity: str | None = None
    grade: str | None = None
    period: Window | None = None
    quantity: Quantity | None = None
    scope: str | None = None
    claims: tuple[str, ...] = ()
    likelihood: Likelihood | None = None
    probability: float | None = None
    projections: tuple[Vintage, ...] = ()
    reports: tuple[Vintage, ...] = ()
    sources: tuple[Source, ...] = ()
    first_known_at: datetime
    updated_at: datetime
    event_ids: tuple[str, ...] = ()
    partial: bool = False

    #: The family of the expectation.
    kind: ClassVar[str] = "trade"

    def by_source(self) -> dict[str, SourceTrack]:
        """What each source last said about this flow, by source name: its period, figure,
        hedge and claims (see :meth:`VisitExpectation.by_source`)."""
        return _by_source(self)

    @property
    def window(self) -> Window | None:
        """The target time of the expectation, that is its period."""
        return self.period

    def report(self, scope: str | None = None, *, unit: str | None = None) -> Vintage | None:
        """The latest report of the given scope and unit, or ``None``.

        Args:
            scope: the scope to match; any scope when ``None``.
            unit: the unit to match (a customs figure may be given both in ``"Mt"`` and in
                ``"bbl/d"``); any unit when ``None``. A report in another unit of the same
                dimension matches too (``"kt"`` for ``"Mt"``, ``"kb/d"`` for ``"mb/d"``):
                bring it to one unit with :meth:`Quantity.to <chronology.quantity.Quantity.to>`.

        Example:
            A customs figure and a ship-tracking figure are kept apart::

                trade.report("imports, all modes incl. pipeline (customs)", unit="Mt")
        """
        return _latest_report(self.reports, scope, unit)

    @property
    def scopes(self) -> tuple[str | None, ...]:
        """The distinct scopes of the reports, in order of first appearance."""
        return tuple(dict.fromkeys(f.scope for f in self.reports))


def _latest_report(
    reports: tuple[Vintage, ...], scope: str | None, unit: str | None
) -> Vintage | None:
    for figure in reversed(reports):
        if (scope is None or figure.scope == scope) and (
            unit is None or same_dimension(figure.quantity.unit, unit)
        ):
            return figure
    return None


@attrs.frozen(kw_only=True)
class PlanExpectation:
    """What was expected of a planned happening (a summit, an output increase, sanctions taking
    effect), as of some instant: the general family a visit is one kind of.

    It goes through a visit's life cycle (``announced``, ``scheduled``, ``postponed``,
    ``cancelled``, ``occurred``, and ``overdue`` derived once its window is over), folded from
    the events of :mod:`chronology.plans`.

    Attributes:
        subject: the expectation's id, such as ``"plan/opec-output-increase-2024-10"``.
        status: where it stands (``overdue`` is derived at the view's as-of instant).
        what: what is to happen ("OPEC+ output increase of 180 kb/d").
        actors: who is to carry it out.
        counterparts: who else takes part (once it occurred: who did).
        place: where it is to take place (once it occurred: where it did).
        window: the dates expected (or, once it occurred, the actual dates).
        first_window: the window of the first event that gave one.
        reason: the reason for the current status (a postponement's, a cancellation's).
        likelihood, probability: the latest hedge given.
        sources, first_known_at, updated_at, event_ids, partial: as on
            :class:`VisitExpectation`.
    """

    subject: str
    status: Status
    what: str | None = None
    actors: tuple[str, ...] = ()
    counterparts: tuple[str, ...] = ()
    place: str | None = None
    window: Window | None = None
    first_window: Window | None = None
    reason: str | None = None
    likelihood: Likelihood | None = None
    probability: float | None = None
    sources: tuple[Source, ...] = ()
    first_known_at: datetime
    updated_at: datetime
    event_ids: tuple[str, ...] = ()
    partial: bool = False

    #: The kind of expectation.
    kind: ClassVar[str] = "plan"

    def by_source(self) -> dict[str, SourceTrack]:
        """What each source last said about this plan, by source name (see
        :meth:`VisitExpectation.by_source`)."""
        return _by_source(self)


@attrs.frozen(kw_only=True)
class FigureExpectation:
    """What was expected of a figure (world demand growth, a GDP target), as of some instant:
    the general family a trade flow is one kind of.

    It goes through a trade projection's life cycle (``projected``, ``revised``, ``reported``),
    folded from the events of :mod:`chronology.figures`; reports, preliminary or not, are kept
    beside the projections, never over them.

    Attributes:
        subject: the expectation's id, such as ``"figure/world-oil-demand-growth-2024/opec"``.
        status: ``projected``, ``revised`` or ``reported``.
        measure: what is measured ("world oil demand growth").
        area: where ("world", "euro area").
        period: the period the figure covers.
        quantity: the latest projected figure (reports never overwrite it).
        scope: how it is measured; figures compare only within one scope.
        claims: the latest claims made about it.
        likelihood, probability: the latest hedge given.
        projections: every projected or revised figure, in fold order (each a vintage).
        reports: every reported figure, in fold order; see :meth:`report`.
        sources, first_known_at, updated_at, event_ids, partial: as on
            :class:`VisitExpectation`.
    """

    subject: str
    status: Status
    measure: str | None = None
    area: str | None = None
    period: Window | None = None
    quantity: Quantity | None = None
    scope: str | None = None
    claims: tuple[str, ...] = ()
    likelihood: Likelihood | None = None
    probability: float | None = None
    projections: tuple[Vintage, ...] = ()
    reports: tuple[Vintage, ...] = ()
    sources: tuple[Source, ...] = ()
    first_known_at: datetime
    updated_at: datetime
    event_ids: tuple[str, ...] = ()
    partial: bool = False

    #: The kind of expectation.
    kind: ClassVar[str] = "figure"

    def by_source(self) -> dict[str, SourceTrack]:
        """What each source last said about this figure, by source name: its period, figure,
        hedge and claims (see :meth:`VisitExpectation.by_source`)."""
        return _by_source(self)

    @property
    def window(self) -> Window | None:
        """The target time of the expectation, that is its period."""
        return self.period

    def report(self, scope: str | None = None, *, unit: str | None = None) -> Vintage | None:
        """The latest report of the given scope and unit (or one of its dimension), or
        ``None``; see :meth:`TradeExpectation.report`."""
        return _latest_report(self.reports, scope, unit)

    @property
    def scopes(self) -> tuple[str | None, ...]:
        """The distinct scopes of the reports, in order of first appearance."""
        return tuple(dict.fromkeys(f.scope for f in self.reports))


#: Any kind of expectation.
Expectation: TypeAlias = VisitExpectation | TradeExpectation | PlanExpectation | FigureExpectation
Planned: TypeAlias = PlanExpectation | VisitExpectation
"""Plans and visits, the expectations of planned happenings (a visit is a kind of plan)."""
Figured: TypeAlias = FigureExpectation | TradeExpectation
"""Figures and trade flows, the expectations of figures (a trade flow is a kind of figure)."""


def _by_source(value: Expectation) -> dict[str, SourceTrack]:
    from chronology.tracks import tracks_of  # tracks builds on this module

    return tracks_of(value)


# -- the fold -----------------------------------------------------------------------------------
# Mutable builders keep attrs object creation out of the loop; they are frozen once at the end.


class _Builder:
    __slots__ = ("event_ids", "fields", "first_known_at", "sources", "updated_at")

    def __init__(self, subject: str, status: Status, known_at: datetime) -> None:
        self.fields: dict[str, Any] = {"subject": subject, "status": status, "partial": True}
        #: The sources by :func:`_source_key`, in order of first appearance.
        self.sources: dict[object, Source] = {}
        self.first_known_at = known_at
        self.updated_at = known_at
        self.event_ids: list[str] = []


def _set(b: _Builder, name: str, value: Any) -> None:
    """Set a field the event carries (``None`` and empty tuples carry nothing)."""
    if value is not None and value != ():
        b.fields[name] = value


# The handlers below run once per event folded: they test and set ``b.fields`` inline (what
# ``_set`` does: an empty tuple carries nothing, so only tuple fields compare with ``()``).
# ``moved`` is whether the status moved: an outcome or a cancellation holds against later
# expectation events, which add their information but leave the status and the window.


def _visit_window(f: dict[str, Any], window: Window | None, *, replace: bool = False) -> None:
    """Take the window of an event that moved the status."""
    if window is not None:
        f["window"] = window
        if "first_window" not in f:
            f["first_window"] = window
    elif replace:
        f["window"] = None


def _hedge(f: dict[str, Any], e: Any) -> None:
    """Take the hedge of an event that gives one: likelihood and probability go together."""
    likelihood, probability = e.likelihood, e.probability
    if likelihood is not None or probability is not None:
        f["likelihood"] = likelihood
        f["probability"] = probability


# The statuses, looked up once (an enum member is a slow attribute to read in a hot loop). A
# handler that sets a status takes the event's reason, or drops the old one if the status
# changes: ``reason`` is the reason for the current status only.
_ANNOUNCED: Final = Status.ANNOUNCED
_SCHEDULED: Final = Status.SCHEDULED
_POSTPONED: Final = Status.POSTPONED
_CANCELLED: Final = Status.CANCELLED
_OCCURRED: Final = Status.OCCURRED


def _announced(b: _Builder, e: Event) -> None:
    assert isinstance(e, VisitAnnounced)
    f = b.fields
    status = f["status"]
    moved = status not in _TERMINAL
    if moved:
        if status is not _ANNOUNCED and "reason" in f:
            del f["reason"]
        f["status"] = _ANNOUNCED
    f["partial"] = False
    if (v := e.visitor) is not None:
        f["visitor"] = v
    if (v := e.host) is not None:
        f["host"] = v
    # Who was met, once an occurrence said, holds against later announcements.
    if (t := e.counterparts) and (status is not _OCCURRED or not f.get("counterparts")):
        f["counterparts"] = t
    if (v := e.purpose) is not None:
        f["purpose"] = v
    if (t := e.agenda) is not None and t != ():
        f["agenda"] = t
    if e.likelihood is not None or e.probability is not None:
        f["likelihood"], f["probability"] = e.likelihood, e.probability
    if moved:
        _visit_window(f, e.window)


def _scheduled(b: _Builder, e: Event) -> None:
    assert isinstance(e, VisitScheduled)
    f = b.fields
    status = f["status"]
    moved = status not in _TERMINAL
    if moved:
        if status is not _SCHEDULED and "reason" in f:
            del f["reason"]
        f["status"] = _SCHEDULED
    if (v := e.visitor) is not None:
        f["visitor"] = v
    if (v := e.host) is not None:
        f["host"] = v
    if e.likelihood is not None or e.probability is not None:
        f["likelihood"], f["probability"] = e.likelihood, e.probability
    if moved:
        _visit_window(f, e.window)


def _rescheduled(b: _Builder, e: Event) -> None:
    assert isinstance(e, VisitRescheduled)
    f = b.fields
    if e.likelihood is not None or e.probability is not None:
        f["likelihood"], f["probability"] = e.likelihood, e.probability
    status = f["status"]
    if status not in _TERMINAL:
        if (v := e.reason) is not None:
            f["reason"] = v
        elif status is not _SCHEDULED and "reason" in f:
            del f["reason"]
        f["status"] = _SCHEDULED
        _visit_window(f, e.window)


def _postponed(b: _Builder, e: Event) -> None:
    assert isinstance(e, VisitPostponed)
    f = b.fields
    if e.likelihood is not None or e.probability is not None:
        f["likelihood"], f["probability"] = e.likelihood, e.probability
    status = f["status"]
    if status not in _TERMINAL:
        if (v := e.reason) is not None:
            f["reason"] = v
        elif status is not _POSTPONED and "reason" in f:
            del f["reason"]
        f["status"] = _POSTPONED
        _visit_window(f, e.window, replace=True)


def _cancelled(b: _Builder, e: Event) -> None:
    assert isinstance(e, VisitCancelled)
    f = b.fields
    if (v := e.reason) is not None:
        f["reason"] = v
    elif f["status"] is not _CANCELLED and "reason" in f:
        del f["reason"]
    f["status"] = _CANCELLED


def _occurred(b: _Builder, e: Event) -> None:
    assert isinstance(e, VisitOccurred)
    f = b.fields
    if f["status"] is not _OCCURRED and "reason" in f:
        del f["reason"]
    f["status"] = _OCCURRED
    if (v := e.place) is not None:
        f["place"] = v
    if t := e.counterparts:
        f["counterparts"] = t
    _visit_window(f, e.window)


def _agenda(b: _Builder, e: Event) -> None:
    assert isinstance(e, AgendaChanged)
    f = b.fields
    items = list(f.get("agenda", ()))
    if e.removed:
        removed = set(e.removed)
        items = [a for a in items if a not in removed]
    for a in e.added:
        if a not in items:
            items.append(a)
    f["agenda"] = tuple(items)


_FIGURE_SETTERS: Final = slot_setters(
    Vintage, "quantity", "scope", "known_at", "period", "preliminary", "source"
)


def _figure(
    e: TradeEvent,
    quantity: Quantity,
    scope: str | None,
    period: Window | None,
    preliminary: bool = False,
) -> Vintage:
    """``Vintage(quantity=..., scope=..., known_at=e.known_at, period=..., preliminary=...,
    source=e.source)``: none of its fields is converted or validated."""
    figure: Vintage = object.__new__(Vintage)
    quantity_, scope_, known_at_, period_, preliminary_, source_ = _FIGURE_SETTERS
    quantity_(figure, quantity)
    scope_(figure, scope)
    known_at_(figure, e.known_at)
    period_(figure, period)
    preliminary_(figure, preliminary)
    source_(figure, e.source)
    return figure


def _projected(b: _Builder, e: Event) -> None:
    assert isinstance(e, TradeProjected)
    f = b.fields
    if f["status"] not in _TERMINAL:
        f["status"] = Status.PROJECTED
    f["partial"] = False
    for name in ("exporter", "importer", "commodity", "grade", "period", "quantity", "scope"):
        if (v := getattr(e, name)) is not None:
            f[name] = v
    if (t := e.claims) is not None and t != ():
        f["claims"] = t
    if e.likelihood is not None or e.probability is not None:
        f["likelihood"], f["probability"] = e.likelihood, e.probability
    if e.quantity is not None:
        figure = _figure(e, e.quantity, f.get("scope"), e.period)
        f["projections"] = (*f.get("projections", ()), figure)


def _revised(b: _Builder, e: Event) -> None:
    assert isinstance(e, TradeProjectionRevised)
    f = b.fields
    if f["status"] not in _TERMINAL:
        f["status"] = Status.REVISED
    quantity = e.quantity
    if quantity is not None:
        f["quantity"] = quantity
    if (t := e.claims) is not None and t != ():
        f["claims"] = t
    if (v := e.scope) is not None:
        f["scope"] = v
    if e.likelihood is not None or e.probability is not None:
        f["likelihood"], f["probability"] = e.likelihood, e.probability
    if quantity is not None:
        figure = _figure(e, quantity, f.get("scope"), f.get("period"))
        f["projections"] = (*f.get("projections", ()), figure)


def _stated(b: _Builder, e: Event) -> None:
    """A statement with a hedge, about a subject that has an expectation: the hedge only."""
    _hedge(b.fields, e)


def _reported(b: _Builder, e: Event) -> None:
    assert isinstance(e, TradeReported)
    f = b.fields
    f["status"] = Status.REPORTED
    if "period" not in f and e.period is not None:
        f["period"] = e.period
    figure = _figure(e, e.quantity, e.scope, e.period, e.preliminary)
    f["reports"] = (*f.get("reports", ()), figure)


_Handler = Callable[[_Builder, Event], None]
_HANDLERS: dict[type[Event], _Handler] = {
    VisitAnnounced: _announced,
    VisitScheduled: _scheduled,
    VisitRescheduled: _rescheduled,
    VisitPostponed: _postponed,
    VisitCancelled: _cancelled,
    VisitOccurred: _occurred,
    AgendaChanged: _agenda,
    TradeProjected: _projected,
    TradeProjectionRevised: _revised,
    TradeReported: _reported,
}
_NO_HANDLER: Final[_Handler | None] = None
_RESOLVED: dict[type[Event], _Handler | None] = dict(_HANDLERS)


def _handler(cls: type[Event]) -> _Handler | None:
    """The handler of an event class; subclasses of built-in events use their base's."""
    try:
        return _RESOLVED[cls]
    except KeyError:
        found = next((_HANDLERS[k] for k in cls.__mro__ if k in _HANDLERS), _NO_HANDLER)
        _RESOLVED[cls] = found
        return found


FieldHandler: TypeAlias = Callable[[dict[str, Any], Event], None]
"""A fold handler written outside this module, which updates the fields of the expectation
being built (``status`` among them; a field left out reads ``None`` or empty) from one event."""

#: The kinds of expectation: the event base class whose events build one, by kind, most
#: specific first (a visit is a kind of plan, so ``"visit"`` comes before ``"plan"``).
_KIND_EVENTS: dict[str, type[Event]] = {
    "visit": VisitEvent,
    "trade": TradeEvent,
    "plan": PlanEvent,
    "figure": FigureEvent,
}
#: The expectation value class of each kind.
_KIND_VALUES: dict[str, type[Any]] = {
    "visit": VisitExpectation,
    "trade": TradeExpectation,
    "plan": PlanExpectation,
    "figure": FigureExpectation,
}

OUTCOME_STATUSES: Final[frozenset[Status]] = _TERMINAL
"""Outcomes and cancellations, the statuses that an expectation event known later does not
undo."""


def register_kind(kind: str, events: type[Event], value: type[Any]) -> None:
    """Teach the fold a kind of expectation: events derived from ``events`` build a ``value``.

    ``value`` is a frozen attrs class taking ``subject``, ``status``, ``partial``,
    ``sources``, ``first_known_at``, ``updated_at``, ``event_ids`` and the fields its handlers
    set. A kind registered earlier for a subclass of ``events`` stays the more specific one.
    """
    _KIND_EVENTS[kind] = events
    _KIND_VALUES[kind] = value
    _KINDS.clear()


def register_handler(event_class: type[Event], handler: FieldHandler) -> None:
    """Fold ``event_class`` (and its subclasses without a handler of their own) with
    ``handler``, which updates the fields of the expectation being built."""

    def apply(b: _Builder, e: Event) -> None:
        handler(b.fields, e)

    _HANDLERS[event_class] = apply
    _RESOLVED.clear()
    _RESOLVED.update(_HANDLERS)
    _KINDS.clear()


def _family(cls: type[Event]) -> str | None:
    """The kind of expectation events of ``cls`` build: that of its most specific base."""
    mro = cls.__mro__
    found = [(mro.index(base), kind) for kind, base in _KIND_EVENTS.items() if base in mro]
    return min(found)[1] if found else None


#: The handler and the family of each event class seen.
_KINDS: dict[type[Event], tuple[_Handler | None, str | None]] = {}


class ExpectationFold:
    """The built-in projection as an incremental fold: feed events in order, then freeze.

    ``apply`` is cheap (it mutates plain builders); :meth:`freeze` turns the builders into frozen
    expectation values as of an instant, deriving ``overdue``.
    """

    __slots__ = ("_base", "_builders", "_kinds", "statements")

    def __init__(self, base: Mapping[str, Expectation] | None = None) -> None:
        """Start empty, or from ``base``: expectations frozen (with ``as_of=None``) from an
        earlier fold, which the events folded next continue. Only the subjects those events
        touch are thawed back into builders; :meth:`touched` names them."""
        self._base: Mapping[str, Expectation] = {} if base is None else base
        self._builders: dict[str, _Builder] = {}
        self._kinds: dict[str, str] = {}
        self.statements: list[StatementMade] = []

    def apply(self, event: Event, event_id: str) -> bool:
        """Fold one event; return whether the built-in projection used it."""
        cls = type(event)
        try:
            handler, family = _KINDS[cls]
        except KeyError:
            handler, family = _KINDS[cls] = (_handler(cls), _family(cls))
        subject = event.subject
        if handler is None:
            if not isinstance(event, StatementMade):
                return False
            self.statements.append(event)
            if not self._restates(subject, event):
                return True
            handler = _stated
        b = self._builders.get(subject)
        if b is None:
            earlier = self._base.get(subject)
            if earlier is not None:
                if family is not None and earlier.kind != family:
                    return False
                b = self._builders[subject] = _thaw(earlier)
                self._kinds[subject] = earlier.kind
            else:
                status = Status.UNKNOWN
                b = self._builders[subject] = _Builder(subject, status, event.known_at)
                self._kinds[subject] = family or "visit"
        elif family is not None and self._kinds[subject] != family:
            return False
        handler(b, event)
        source = event.source
        if source is not None:
            sources = b.sources
            # _source_key(source), inlined: a name-only source is keyed by its name
            key: object = source
            if (
                source.__class__ is Source
                and source.kind is None
                and source.speaker is None
                and source.title is None
                and source.url is None
                and source.published_at is None
                and not source.via
            ):
                key = source.name
            if key not in sources:
                sources[key] = source
        b.updated_at = event.known_at
        b.event_ids.append(event_id)
        return True

    def _restates(self, subject: str, event: StatementMade) -> bool:
        """Whether a statement changes the hedge of an expectation that exists. Only then is
        it folded into it (a statement creates no expectation, and changes nothing else)."""
        hedge = (event.likelihood, event.probability)
        if hedge == (None, None):
            return False
        b = self._builders.get(subject)
        if b is not None:
            return hedge != (b.fields.get("likelihood"), b.fields.get("probability"))
        earlier = self._base.get(subject)
        return earlier is not None and hedge != (earlier.likelihood, earlier.probability)

    def subjects(self) -> list[str]:
        """The subjects with an expectation, sorted (those of the base included)."""
        if self._base:
            return sorted(self._builders.keys() | self._base.keys())
        return sorted(self._builders)

    def touched(self) -> list[str]:
        """The subjects the events folded so far changed (all of them, without a base)."""
        return list(self._builders)

    def freeze_one(self, subject: str, as_of: datetime | None) -> Expectation | None:
        """The frozen expectation of one subject, ``overdue`` or ``awaiting_report`` derived at
        ``as_of``."""
        b = self._builders.get(subject)
        if b is None:
            earlier = self._base.get(subject)
            if earlier is None or as_of is None:
                return earlier
            return shown_at(earlier, as_of)
        fields: dict[str, Any] = dict(b.fields)
        if as_of is not None:
            past_due_ = _PAST_DUE.get(fields["status"])
            if past_due_ is not None:
                window = fields.get(past_due_[1])
                if window is not None and window.end is not None and window.end <= as_of:
                    fields["status"] = past_due_[0]
        common: dict[str, Any] = {
            "sources": tuple(b.sources.values()),
            "first_known_at": b.first_known_at,
            "updated_at": b.updated_at,
            "event_ids": tuple(b.event_ids),
        }
        value: Expectation = _KIND_VALUES[self._kinds[subject]](**fields, **common)
        return value

    def freeze(self, as_of: datetime | None) -> dict[str, Expectation]:
        """Every expectation, by subject (sorted)."""
        out: dict[str, Expectation] = {}
        for subject in self.subjects():
            value = self.freeze_one(subject, as_of)
            assert value is not None
            out[subject] = value
        return out


def due_at(value: Expectation) -> datetime | None:
    """The instant from which ``value`` (frozen with ``as_of=None``) reads ``overdue`` or
    ``awaiting_report``, if any: the end of its window (or period) while it is still expected."""
    if value.status in _PAST_DUE:
        window = value.window
        if window is not None:
            return window.end
    return None


def shown_at(value: Expectation, as_of: datetime) -> Expectation:
    """``value`` (frozen with ``as_of=None``) as a view at ``as_of`` shows it."""
    end = due_at(value)
    if end is not None and end <= as_of:
        return past_due(value)
    return value


_NAMES: dict[type, tuple[str, ...]] = {}


def past_due(value: Expectation) -> Expectation:
    """``value`` with its derived status (``overdue`` for a visit, ``awaiting_report`` for a
    figure): ``attrs.evolve``, copied slot by slot (evolve inspects the class on every call; a
    view may show tens of thousands of overdue visits)."""
    cls = type(value)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in attrs.fields(cls) if f.name != "status")
    out = object.__new__(cls)
    put = object.__setattr__
    for name in names:
        put(out, name, getattr(value, name))
    put(out, "status", _PAST_DUE[value.status][0])
    return out


_COMMON: Final = frozenset({"sources", "first_known_at", "updated_at", "event_ids"})
_THAW: dict[type, tuple[str, ...]] = {}


def _source_key(source: Source) -> object:
    """What tells sources apart in a builder: equal keys for equal sources. A plain
    :class:`Source` that is a name only (most are) is keyed by its name, which hashes far
    faster than the source; any other source is its own key."""
    if (
        source.__class__ is Source
        and source.kind is None
        and source.speaker is None
        and source.title is None
        and source.url is None
        and source.published_at is None
        and not source.via
    ):
        return source.name
    return source


def _thaw(value: Expectation) -> _Builder:
    """A builder that continues the fold ``value`` was frozen from (with ``as_of=None``).

    Builders leave out what no event set; ``None`` is what a frozen value shows for those, and
    no event sets a field to ``None`` in a way the handlers tell apart from leaving it out.
    """
    cls = type(value)
    names = _THAW.get(cls)
    if names is None:
        names = _THAW[cls] = tuple(
            f.name for f in attrs.fields(cls) if f.name not in _COMMON and f.name != "status"
        )
    b = _Builder.__new__(_Builder)
    fields: dict[str, Any] = {"status": value.status}
    for name in names:
        v = getattr(value, name)
        if v is not None:
            fields[name] = v
    b.fields = fields
    b.sources = {}
    for source in value.sources:
        b.sources.setdefault(_source_key(source), source)
    b.first_known_at = value.first_known_at
    b.updated_at = value.updated_at
    b.event_ids = list(value.event_ids)
    return b


def fold_expectations(events: Iterable[tuple[Event, str]]) -> ExpectationFold:
    """Fold ``(event, event_id)`` pairs, already in order, into a fresh :class:`ExpectationFold`."""
    state = ExpectationFold()
    apply = state.apply
    for event, event_id in events:
        apply(event, event_id)
    return state
