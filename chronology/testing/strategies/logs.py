"""Strategies for whole events of any family, statements and retractions: what a log holds."""

from __future__ import annotations

from functools import cache
from typing import Final

from hypothesis import strategies as st

from chronology.events import Event, Retracted, StatementMade
from chronology.testing.strategies.figures import FIGURE_STRATEGIES
from chronology.testing.strategies.plans import PLAN_STRATEGIES
from chronology.testing.strategies.subjects import (
    ALL_SUBJECTS,
    FIGURE_SUBJECTS,
    PLAN_SUBJECTS,
    TRADE_SUBJECTS,
    VISIT_SUBJECTS,
    event_fields,
    items,
)
from chronology.testing.strategies.times import known_ats
from chronology.testing.strategies.trades import TRADE_STRATEGIES
from chronology.testing.strategies.values import (
    event_ids,
    likelihoods,
    optional_texts,
    probabilities,
    sources,
)
from chronology.testing.strategies.visits import VISIT_STRATEGIES

__all__ = [
    "EVENT_TYPES",
    "events",
    "events_of",
    "every_event",
    "free_retractions",
    "retractions_of",
    "statements",
]


@cache
def statements() -> st.SearchStrategy[Event]:
    """Statements about any subject, sometimes hedged (a hedged statement updates the hedge of
    an expectation that exists)."""
    return st.builds(
        StatementMade,
        **event_fields(VISIT_SUBJECTS + TRADE_SUBJECTS + PLAN_SUBJECTS + FIGURE_SUBJECTS),
        speaker=optional_texts(),
        topics=items(),
        summary=optional_texts(),
        likelihood=likelihoods(),
        probability=probabilities(),
    )


_EVENTS: Final[dict[type[Event], st.SearchStrategy[Event]]] = {
    **VISIT_STRATEGIES,
    **TRADE_STRATEGIES,
    **PLAN_STRATEGIES,
    **FIGURE_STRATEGIES,
    StatementMade: statements(),
}

#: The built-in event types :func:`events` draws (every one but ``Retracted``): visits, trade
#: flows, plans, figures and statements.
EVENT_TYPES: Final = tuple(_EVENTS)


def events_of(cls: type[Event]) -> st.SearchStrategy[Event]:
    """Events of one built-in type (``Retracted`` included)."""
    if cls is Retracted:
        return free_retractions()
    return _EVENTS[cls]


@cache
def events() -> st.SearchStrategy[Event]:
    """Any built-in event except :class:`~chronology.events.Retracted`.

    A retraction must name a stored event; build those with :func:`retractions_of`.
    """
    return st.one_of(list(_EVENTS.values()))


def retractions_of(target: Event, target_id: str) -> st.SearchStrategy[Retracted]:
    """Retractions of a stored event (its subject, its id), known at any time in the range."""
    return st.builds(
        Retracted,
        subject=st.just(target.subject),
        known_at=known_ats(),
        source=st.none() | sources(),
        target=st.just(target_id),
        reason=optional_texts(),
    )


@cache
def free_retractions() -> st.SearchStrategy[Retracted]:
    """Retractions of a random event id, on any subject: values to serialize and fold, not to
    append (a chronicle refuses a retraction of an event it does not hold)."""
    return st.builds(
        Retracted,
        subject=st.sampled_from(ALL_SUBJECTS),
        known_at=known_ats(),
        source=st.none() | sources(),
        target=event_ids(),
        reason=optional_texts(),
    )


@cache
def every_event() -> st.SearchStrategy[Event]:
    """Every built-in event type, :class:`~chronology.events.Retracted` included (its target a
    random id): values for serialization and fold properties, not all appendable."""
    return st.one_of(events(), free_retractions())
