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
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Final, TypeAlias

import attrs

from chronology._vintages import read_deferred, read_lazily
from chronology.errors import ChronologyError
from chronology.events import Likelihood, Quantity, Source
from chronology.time import Window
from chronology.units import same_dimension

__all__ = [
    "OUTCOME_STATUSES",
    "Expectation",
    "FigureExpectation",
    "Figured",
    "PlanExpectation",
    "Planned",
    "SourceTrack",
    "Status",
    "TradeExpectation",
    "Vintage",
    "VisitExpectation",
    "read_tracks_with",
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


#: Outcomes and cancellations, the statuses that an expectation event known later does not undo.
OUTCOME_STATUSES: Final[frozenset[Status]] = frozenset(
    {Status.OCCURRED, Status.CANCELLED, Status.REPORTED}
)


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
            A :class:`SourceTrack` per source name, in order of first
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
        reports: every reported figure, in fold order; see :meth:`report`. A folded value
            makes the vintages of these two when they are first read.
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
        reports: every reported figure, in fold order; see :meth:`report`. A folded value
            makes the vintages of these two when they are first read.
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


# A view of many figures is mostly read for statuses and latest figures: their vintages are
# made when first read (see chronology._vintages); they read as the tuples they are.
read_lazily(TradeExpectation, Vintage, ("projections", "reports"))
read_lazily(FigureExpectation, Vintage, ("projections", "reports"))
# A shelved snapshot's event ids are split when first read (see chronology.snapshot_text).
for _cls in (VisitExpectation, TradeExpectation, PlanExpectation, FigureExpectation):
    read_deferred(_cls, ("event_ids",))

#: Any kind of expectation.
Expectation: TypeAlias = VisitExpectation | TradeExpectation | PlanExpectation | FigureExpectation
Planned: TypeAlias = PlanExpectation | VisitExpectation
"""Plans and visits, the expectations of planned happenings (a visit is a kind of plan)."""
Figured: TypeAlias = FigureExpectation | TradeExpectation
"""Figures and trade flows, the expectations of figures (a trade flow is a kind of figure)."""


@attrs.frozen(kw_only=True)
class SourceTrack:
    """What one source last said about a subject (see :mod:`chronology.tracks`).

    Attributes:
        source: the source, as its latest event about the subject gave it.
        status: the status its own events implied (``None`` if none of them sets one, such as
            an agenda change or a statement alone); derived statuses (``overdue``) are a view's
            judgement and are not applied here.
        window: the window (of a visit) or period (of a figure) it last gave; a postponement
            without dates makes it ``None``.
        quantity: the figure it last gave: projected, revised or reported.
        likelihood, probability: the hedge it last gave (the two go together).
        claims: the claims it last made.
        first_known_at: when it first spoke about the subject.
        known_at: when it last did.
        event_ids: the ids of its events, in fold order.
    """

    source: Source
    status: Status | None = None
    window: Window | None = None
    quantity: Quantity | None = None
    likelihood: Likelihood | None = None
    probability: float | None = None
    claims: tuple[str, ...] = ()
    first_known_at: datetime
    known_at: datetime
    event_ids: tuple[str, ...] = ()


#: How ``by_source()`` reads the tracks of a value: set by :mod:`chronology.tracks`, which
#: reads the events back from the open chronicles (a layer above this one).
_READ_TRACKS: list[Callable[[Any], dict[str, SourceTrack]]] = []


def read_tracks_with(reader: Callable[[Any], dict[str, SourceTrack]]) -> None:
    """Make ``by_source()`` on expectation values answer with ``reader(value)``.

    :mod:`chronology.tracks` installs its reader when imported (importing :mod:`chronology`
    does); this keeps the values free of the layers that read chronicles.
    """
    _READ_TRACKS[:] = [reader]


def _by_source(value: Expectation) -> dict[str, SourceTrack]:
    if not _READ_TRACKS:
        raise ChronologyError(
            f"{value.subject}: by_source() reads the events back from an open chronicle; "
            "import chronology (or chronology.tracks) first"
        )
    return _READ_TRACKS[0](value)
