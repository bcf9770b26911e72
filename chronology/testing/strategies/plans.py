"""Strategies for the events of plans (:mod:`chronology.plans`), the general family of planned
happenings: announced, scheduled, rescheduled, postponed, cancelled and occurred."""

from __future__ import annotations

from functools import cache
from typing import Final

from hypothesis import strategies as st

from chronology.events import Event
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)
from chronology.testing.strategies.subjects import PLAN_SUBJECTS, event_fields, items
from chronology.testing.strategies.times import windows
from chronology.testing.strategies.values import likelihoods, optional_texts, probabilities

__all__ = ["PLAN_STRATEGIES", "plan_events"]


def _strategies() -> dict[type[Event], st.SearchStrategy[Event]]:
    plan = event_fields(PLAN_SUBJECTS)
    maybe_window = st.none() | windows()
    return {
        PlanAnnounced: st.builds(
            PlanAnnounced,
            **plan,
            what=optional_texts(),
            actors=items(),
            counterparts=items(),
            place=optional_texts(),
            window=maybe_window,
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanScheduled: st.builds(
            PlanScheduled,
            **plan,
            window=windows(),
            place=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanRescheduled: st.builds(
            PlanRescheduled,
            **plan,
            window=windows(),
            reason=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanPostponed: st.builds(
            PlanPostponed,
            **plan,
            reason=optional_texts(),
            window=maybe_window,
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanCancelled: st.builds(PlanCancelled, **plan, reason=optional_texts()),
        PlanOccurred: st.builds(
            PlanOccurred,
            **plan,
            window=maybe_window,
            place=optional_texts(),
            counterparts=items(),
        ),
    }


#: A strategy for each plan event type.
PLAN_STRATEGIES: Final = _strategies()


@cache
def plan_events() -> st.SearchStrategy[Event]:
    """Any plan event."""
    return st.one_of(list(PLAN_STRATEGIES.values()))
