"""Strategies for the events of visits: announced, scheduled, rescheduled, postponed,
cancelled, occurred, and agenda changes."""

from __future__ import annotations

from functools import cache
from typing import Final

from hypothesis import strategies as st

from chronology.events import (
    AgendaChanged,
    Event,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.testing.strategies.subjects import VISIT_SUBJECTS, event_fields, items
from chronology.testing.strategies.times import windows
from chronology.testing.strategies.values import likelihoods, optional_texts, probabilities

__all__ = ["VISIT_STRATEGIES", "visit_events"]


def _strategies() -> dict[type[Event], st.SearchStrategy[Event]]:
    visit = event_fields(VISIT_SUBJECTS)
    maybe_window = st.none() | windows()
    return {
        VisitAnnounced: st.builds(
            VisitAnnounced,
            **visit,
            visitor=optional_texts(),
            host=optional_texts(),
            counterparts=items(),
            purpose=optional_texts(),
            window=maybe_window,
            agenda=items(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitScheduled: st.builds(
            VisitScheduled,
            **visit,
            window=windows(),
            visitor=optional_texts(),
            host=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitRescheduled: st.builds(
            VisitRescheduled,
            **visit,
            window=windows(),
            reason=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitPostponed: st.builds(
            VisitPostponed,
            **visit,
            reason=optional_texts(),
            window=maybe_window,
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitCancelled: st.builds(VisitCancelled, **visit, reason=optional_texts()),
        VisitOccurred: st.builds(
            VisitOccurred,
            **visit,
            window=maybe_window,
            place=optional_texts(),
            counterparts=items(),
        ),
        AgendaChanged: st.builds(AgendaChanged, **visit, added=items(), removed=items()),
    }


#: A strategy for each visit event type.
VISIT_STRATEGIES: Final = _strategies()


@cache
def visit_events() -> st.SearchStrategy[Event]:
    """Any visit event."""
    return st.one_of(list(VISIT_STRATEGIES.values()))
