"""Strategies for the events of figures (:mod:`chronology.figures`), the general family of
figures: projected, revised and reported."""

from __future__ import annotations

from functools import cache
from typing import Final

from hypothesis import strategies as st

from chronology.events import Event
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.testing.strategies.subjects import FIGURE_SUBJECTS, event_fields, items
from chronology.testing.strategies.times import windows
from chronology.testing.strategies.values import (
    likelihoods,
    optional_texts,
    probabilities,
    quantities,
)

__all__ = ["FIGURE_STRATEGIES", "figure_events"]


def _strategies() -> dict[type[Event], st.SearchStrategy[Event]]:
    figure = event_fields(FIGURE_SUBJECTS)
    maybe_window = st.none() | windows()
    return {
        FigureProjected: st.builds(
            FigureProjected,
            **figure,
            measure=optional_texts(),
            area=optional_texts(),
            period=maybe_window,
            quantity=st.none() | quantities(),
            scope=optional_texts(),
            claims=items(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        FigureRevised: st.builds(
            FigureRevised,
            **figure,
            quantity=st.none() | quantities(),
            claims=items(),
            scope=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        FigureReported: st.builds(
            FigureReported,
            **figure,
            quantity=quantities(),
            period=maybe_window,
            scope=optional_texts(),
            preliminary=st.booleans(),
        ),
    }


#: A strategy for each figure event type.
FIGURE_STRATEGIES: Final = _strategies()


@cache
def figure_events() -> st.SearchStrategy[Event]:
    """Any figure event."""
    return st.one_of(list(FIGURE_STRATEGIES.values()))
