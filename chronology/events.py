"""Events: the immutable facts a chronicle records.

Every event is a frozen, keyword-only :mod:`attrs` class with a ``subject`` (the id of the
expectation it is about), a ``known_at`` instant (when the source made it public) and an optional
:class:`Source`. Each event type owns a stable wire tag, such as ``"visit.announced"``, that is
written to logs and never changes when a class is renamed.

Define your own event type with :func:`event_type`::

    >>> import attrs
    >>> @event_type("example.sighting")
    ... @attrs.frozen(kw_only=True)
    ... class Sighting(Event):
    ...     place: str
    >>> Sighting(subject="bird/1", known_at="2024-05-01T08:00:00Z", place="pond").tag
    'example.sighting'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from chronology import registry
from chronology._checks import (
    boolean,
    converter,
    instance_of,
    optional_instance_of,
    optional_text,
    probability,
    required_text,
    strings,
    where,
)
from chronology._fastinit import passes, speed_up_init
from chronology._fields import likelihood_field, required_window_field, window_field
from chronology.errors import EventError
from chronology.hedges import Likelihood
from chronology.quantity import Quantity
from chronology.registry import check_tag, register_event_class, registered_tags
from chronology.time import Window, to_instant
from chronology.values import MAX_VIA_DEPTH as MAX_VIA_DEPTH
from chronology.values import Source

__all__ = [
    "AgendaChanged",
    "Event",
    "FigureEvent",
    "Likelihood",
    "PlanEvent",
    "Quantity",
    "Retracted",
    "Source",
    "StatementMade",
    "TradeEvent",
    "TradeProjected",
    "TradeProjectionRevised",
    "TradeReported",
    "VisitAnnounced",
    "VisitCancelled",
    "VisitEvent",
    "VisitOccurred",
    "VisitPostponed",
    "VisitRescheduled",
    "VisitScheduled",
    "event_class",
    "event_type",
    "registered_tags",
]

E = TypeVar("E", bound="type[Event]")

# -- field helpers ------------------------------------------------------------------------------
# The generic checks (text, sequences of strings, booleans, probabilities) are in
# chronology._checks; these convert the values only events and sources hold.

_text = required_text()
_opt_text = optional_text()
_bool = boolean()


def _known_at(value: datetime | date | str, instance: Any, field: Any) -> datetime:
    return to_instant(value, field=where(instance, field))


passes(_known_at, "v.__class__ is _datetime and v.tzinfo is _UTC")


if TYPE_CHECKING:

    def _known_at_field(value: datetime | date | str) -> datetime: ...

else:
    _known_at_field = converter(_known_at)


# -- events -------------------------------------------------------------------------------------


def event_type(tag: str) -> Callable[[E], E]:
    """Class decorator registering an event class under its stable wire ``tag``.

    The tag is what logs store; keep it when you rename the class. Apply it *outside*
    ``@attrs.frozen(kw_only=True)``. Registering a tag twice is an error, as is a class that
    does not derive from :class:`Event` or has a field named as a wire key (``type``, ``v``,
    ``position``, ``recorded_at``, ``event_id``, ``hash``). See :mod:`chronology.registry`.

    Raises:
        EventError: for a duplicate or malformed tag, a class that is not an Event, or a
            reserved field name (the message names the field).
    """
    check_tag(tag)

    def register(cls: E) -> E:
        is_attrs = isinstance(cls, type) and attrs.has(cls)
        if not (is_attrs and issubclass(cls, Event)):
            raise EventError(f"{cls!r} must be an attrs class derived from chronology Event")
        register_event_class(tag, cls)
        cls.tag = tag
        speed_up_init(cls)
        return cls

    return register


def event_class(tag: str) -> type[Event]:
    """The event class registered under ``tag`` (:func:`chronology.registry.event_class`).

    Raises:
        UnknownEventTypeError: if no class owns the tag.
    """
    cls: type[Event] = registry.event_class(tag)
    return cls


@attrs.frozen(kw_only=True)
class Event:
    """Base of every event.

    Args:
        subject: the id of the expectation the event is about, such as
            ``"visit/lavrov-china-2024-04"``.
        known_at: when the source made the statement public (assertion time). Must be
            timezone-aware; a date means its midnight UTC.
        source: where the statement comes from.
    """

    #: The stable wire tag, set by :func:`event_type`.
    tag: ClassVar[str] = ""
    #: The payload version of this type; bump it and register an upcaster to change fields.
    version: ClassVar[int] = 1

    subject: str = attrs.field(validator=_text)
    known_at: datetime = attrs.field(converter=_known_at_field)
    source: Source | None = attrs.field(
        default=None, validator=optional_instance_of(Source, "a Source")
    )


class PlanEvent(Event):
    """Marker base of the events about a planned happening: a summit, a visit, an output
    increase, sanctions taking effect on a date (see :mod:`chronology.plans`).

    Every plan shares one life cycle: announced, scheduled, rescheduled, postponed, cancelled,
    occurred (and ``overdue``, derived once its window is over).
    """

    __slots__ = ()


class FigureEvent(Event):
    """Marker base of the events about a figure and its projections: world demand growth, a
    GDP target, a trade flow (see :mod:`chronology.figures`).

    Every figure shares one life cycle: projected, revised, reported (and ``awaiting_report``,
    derived once its period is over).
    """

    __slots__ = ()


class VisitEvent(PlanEvent):
    """Marker base of the events about a planned visit: the visit is one kind of plan."""

    __slots__ = ()


class TradeEvent(FigureEvent):
    """Marker base of the events about a trade flow and its projections: a trade flow is one
    kind of figure."""

    __slots__ = ()


_opt_quantity = optional_instance_of(Quantity, "a Quantity")


@event_type("visit.announced")
@attrs.frozen(kw_only=True)
class VisitAnnounced(VisitEvent):
    """A visit is announced: creates the expectation with status ``announced``.

    Example:
        >>> e = VisitAnnounced(
        ...     subject="visit/lavrov-china-2024-04",
        ...     known_at="2024-04-03T12:00:00+00:00",
        ...     visitor="Sergei Lavrov", host="China", counterparts=("Wang Yi",),
        ...     window=Window.vague("soon", anchor="2024-04-03T12:00:00+00:00"),
        ...     likelihood="probable",
        ... )
        >>> e.tag, e.likelihood
        ('visit.announced', <Likelihood.PROBABLE: 'probable'>)

    Version 2 of the payload holds ``counterparts`` (a list); version 1 held one name in
    ``counterpart``, and such payloads are upcast on read.
    """

    version: ClassVar[int] = 2

    visitor: str | None = attrs.field(default=None, validator=_opt_text)
    host: str | None = attrs.field(default=None, validator=_opt_text)
    counterparts: tuple[str, ...] = attrs.field(default=(), converter=strings)
    purpose: str | None = attrs.field(default=None, validator=_opt_text)
    window: Window | None = attrs.field(default=None, converter=window_field)
    agenda: tuple[str, ...] = attrs.field(default=(), converter=strings)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("visit.scheduled")
@attrs.frozen(kw_only=True)
class VisitScheduled(VisitEvent):
    """The visit's dates are fixed: status ``scheduled``.

    Args:
        window: the dates fixed.
        visitor: who visits, if the event says.
        host: who hosts, if the event says.
        likelihood: the hedge of the statement (a schedule reported by anonymous officials
            is not a confirmed one).
        probability: an optional numeric probability.
    """

    window: Window = attrs.field(converter=required_window_field)
    visitor: str | None = attrs.field(default=None, validator=_opt_text)
    host: str | None = attrs.field(default=None, validator=_opt_text)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("visit.rescheduled")
@attrs.frozen(kw_only=True)
class VisitRescheduled(VisitEvent):
    """The visit moves to new dates: status ``scheduled`` with the new window.

    Args:
        window: the new dates.
        reason: why it moved.
        likelihood: the hedge of the statement.
        probability: an optional numeric probability.
    """

    window: Window = attrs.field(converter=required_window_field)
    reason: str | None = attrs.field(default=None, validator=_opt_text)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("visit.postponed")
@attrs.frozen(kw_only=True)
class VisitPostponed(VisitEvent):
    """The visit is put off: status ``postponed``; the window is replaced (``None``: unknown).

    Args:
        reason: why it was put off.
        window: the new dates, when the event gives them ("next year").
        likelihood: the hedge of the statement (on the new dates, when it gives them).
        probability: an optional numeric probability.
    """

    reason: str | None = attrs.field(default=None, validator=_opt_text)
    window: Window | None = attrs.field(default=None, converter=window_field)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("visit.cancelled")
@attrs.frozen(kw_only=True)
class VisitCancelled(VisitEvent):
    """The visit is called off: status ``cancelled``."""

    reason: str | None = attrs.field(default=None, validator=_opt_text)


@event_type("visit.occurred")
@attrs.frozen(kw_only=True)
class VisitOccurred(VisitEvent):
    """The visit took place (the outcome): status ``occurred``, window = the actual dates.

    Args:
        window: the actual dates.
        place: where it took place.
        counterparts: who was actually met (the news may be the meeting with a head of
            state); when given, they become the expectation's counterparts.
    """

    window: Window | None = attrs.field(default=None, converter=window_field)
    place: str | None = attrs.field(default=None, validator=_opt_text)
    counterparts: tuple[str, ...] = attrs.field(default=(), converter=strings)


@event_type("visit.agenda_changed")
@attrs.frozen(kw_only=True)
class AgendaChanged(VisitEvent):
    """Items join or leave the visit's agenda."""

    added: tuple[str, ...] = attrs.field(default=(), converter=strings)
    removed: tuple[str, ...] = attrs.field(default=(), converter=strings)


@event_type("trade.projected")
@attrs.frozen(kw_only=True)
class TradeProjected(TradeEvent):
    """A trade flow is projected: creates the expectation with status ``projected``.

    Args:
        exporter: the exporting country or party.
        importer: the importing one.
        commodity: what is traded ("crude oil").
        grade: a grade or sub-kind ("Sokol"), if the figure is for one.
        period: the period the figure covers (target time), e.g. ``"2024-03"``.
        quantity: the projected figure.
        scope: what the figure measures ("seaborne exports (ship-tracking)"): figures are
            only comparable within one scope.
        claims: what the source claims about it ("record monthly volume").
        likelihood: the hedge of the statement.
        probability: an optional numeric probability.
    """

    exporter: str | None = attrs.field(default=None, validator=_opt_text)
    importer: str | None = attrs.field(default=None, validator=_opt_text)
    commodity: str | None = attrs.field(default=None, validator=_opt_text)
    grade: str | None = attrs.field(default=None, validator=_opt_text)
    period: Window | None = attrs.field(default=None, converter=window_field)
    quantity: Quantity | None = attrs.field(default=None, validator=_opt_quantity)
    scope: str | None = attrs.field(default=None, validator=_opt_text)
    claims: tuple[str, ...] = attrs.field(default=(), converter=strings)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("trade.projection_revised")
@attrs.frozen(kw_only=True)
class TradeProjectionRevised(TradeEvent):
    """A projection is revised: status ``revised``; the fields given replace the old ones.

    Args:
        quantity: the revised figure.
        claims: what the source claims about it now.
        scope: what the figure measures, if it changed.
        likelihood: the hedge of the statement ("likely to be cut further").
        probability: an optional numeric probability.
    """

    quantity: Quantity | None = attrs.field(default=None, validator=_opt_quantity)
    claims: tuple[str, ...] = attrs.field(default=(), converter=strings)
    scope: str | None = attrs.field(default=None, validator=_opt_text)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("trade.reported")
@attrs.frozen(kw_only=True)
class TradeReported(TradeEvent):
    """A figure for the flow is reported (the outcome): status ``reported``.

    Reports are kept per scope beside the projection, never over it: a customs figure for all
    modes and a ship-tracking figure for seaborne flows answer different questions.
    """

    quantity: Quantity = attrs.field(validator=instance_of(Quantity, "a Quantity"))
    period: Window | None = attrs.field(default=None, converter=window_field)
    scope: str | None = attrs.field(default=None, validator=_opt_text)
    preliminary: bool = attrs.field(default=False, validator=_bool)


@event_type("statement.made")
@attrs.frozen(kw_only=True)
class StatementMade(Event):
    """Someone said something about a subject; listed by ``view.statements()``.

    A statement with a hedge (``likelihood`` or ``probability``) about a subject that already
    has an expectation updates that expectation's hedge and nothing else; it never creates one.

    Args:
        speaker: who said it.
        topics: what it touched on.
        summary: what was said, in a line.
        likelihood: the hedge of the statement.
        probability: an optional numeric probability.
    """

    speaker: str | None = attrs.field(default=None, validator=_opt_text)
    topics: tuple[str, ...] = attrs.field(default=(), converter=strings)
    summary: str | None = attrs.field(default=None, validator=_opt_text)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("retracted")
@attrs.frozen(kw_only=True)
class Retracted(Event):
    """Correct the *record*: the target event counts as never recorded.

    It takes effect in system time, from this record's ``recorded_at`` on; its ``known_at``
    says when the correction was made and its ``subject`` must be the target's. Retracting a
    retraction restores its target. A real-world denial or cancellation is a domain event
    (such as :class:`VisitCancelled`), not a retraction.

    Args:
        target: the ``event_id`` of the event to retract.
        reason: why it was wrong.
    """

    target: str = attrs.field(validator=_text)
    reason: str | None = attrs.field(default=None, validator=_opt_text)


speed_up_init(Event)
