"""Planned happenings: the general family that visits are one kind of.

A summit, an output increase, sanctions that take effect on a date: each is announced, may be
scheduled, rescheduled, postponed or cancelled, and then happens (or its window passes and a
view reads it ``overdue``). These events fold into a
:class:`~chronology.expectations.PlanExpectation` by the same rules as a visit's events
(:class:`~chronology.events.VisitAnnounced` and the rest, which derive from
:class:`~chronology.events.PlanEvent` too, and keep their own tags and fields).

Example:
    >>> from chronology import Chronicle
    >>> c = Chronicle()
    >>> _ = c.extend([
    ...     PlanAnnounced(subject="plan/summit", known_at="2024-05-02T12:00Z",
    ...                   what="leaders' summit", actors=("A", "B"), window="2024-06"),
    ...     PlanPostponed(subject="plan/summit", known_at="2024-05-20T12:00Z",
    ...                   reason="a crisis at home"),
    ...     PlanRescheduled(subject="plan/summit", known_at="2024-07-01T12:00Z",
    ...                     reason="the crisis is over", window="2024-09"),
    ... ])
    >>> plan = c.as_of("2024-06-01")["plan/summit"]
    >>> plan.kind, plan.status.value, plan.reason, plan.window
    ('plan', 'postponed', 'a crisis at home', None)
    >>> c.as_of("2024-10-01")["plan/summit"].status.value
    'overdue'
"""

from __future__ import annotations

# The inherited signature (``known_at: datetime | date | str``) is read in this module's names.
from datetime import date, datetime  # noqa: F401

import attrs

from chronology._checks import optional_text, probability, strings
from chronology._fields import likelihood_field, required_window_field, window_field
from chronology.events import Likelihood, PlanEvent, event_type
from chronology.time import Window

__all__ = [
    "PlanAnnounced",
    "PlanCancelled",
    "PlanEvent",
    "PlanOccurred",
    "PlanPostponed",
    "PlanRescheduled",
    "PlanScheduled",
]

_opt_text = optional_text()


@event_type("plan.announced")
@attrs.frozen(kw_only=True)
class PlanAnnounced(PlanEvent):
    """A plan is announced: creates the expectation with status ``announced``.

    Args:
        what: what is to happen ("OPEC+ output increase", "EU sanctions package").
        actors: who is to carry it out.
        counterparts: who else is to take part.
        place: where it is to take place.
        window: when it is to happen (a :class:`~chronology.time.Window` or an EDTF string).
        likelihood: the hedge of the statement.
        probability: an optional numeric probability.
    """

    what: str | None = attrs.field(default=None, validator=_opt_text)
    actors: tuple[str, ...] = attrs.field(default=(), converter=strings)
    counterparts: tuple[str, ...] = attrs.field(default=(), converter=strings)
    place: str | None = attrs.field(default=None, validator=_opt_text)
    window: Window | None = attrs.field(default=None, converter=window_field)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("plan.scheduled")
@attrs.frozen(kw_only=True)
class PlanScheduled(PlanEvent):
    """The plan's dates are fixed: status ``scheduled``.

    Args:
        window: the dates fixed.
        place: where, if the event says.
        likelihood: the hedge of the statement (a date reported by anonymous officials is not
            a confirmed one).
        probability: an optional numeric probability.
    """

    window: Window = attrs.field(converter=required_window_field)
    place: str | None = attrs.field(default=None, validator=_opt_text)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("plan.rescheduled")
@attrs.frozen(kw_only=True)
class PlanRescheduled(PlanEvent):
    """The plan moves to new dates: status ``scheduled`` with the new window.

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


@event_type("plan.postponed")
@attrs.frozen(kw_only=True)
class PlanPostponed(PlanEvent):
    """The plan is put off: status ``postponed``; the window is replaced (``None``: unknown).

    Args:
        reason: why it was put off.
        window: the new dates, when the event gives them ("until December").
        likelihood: the hedge of the statement.
        probability: an optional numeric probability.
    """

    reason: str | None = attrs.field(default=None, validator=_opt_text)
    window: Window | None = attrs.field(default=None, converter=window_field)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("plan.cancelled")
@attrs.frozen(kw_only=True)
class PlanCancelled(PlanEvent):
    """The plan is called off: status ``cancelled``.

    Args:
        reason: why.
    """

    reason: str | None = attrs.field(default=None, validator=_opt_text)


@event_type("plan.occurred")
@attrs.frozen(kw_only=True)
class PlanOccurred(PlanEvent):
    """The plan happened (the outcome): status ``occurred``, window = the actual dates.

    Args:
        window: the actual dates.
        place: where it happened.
        counterparts: who actually took part; when given, they become the expectation's.
    """

    window: Window | None = attrs.field(default=None, converter=window_field)
    place: str | None = attrs.field(default=None, validator=_opt_text)
    counterparts: tuple[str, ...] = attrs.field(default=(), converter=strings)
