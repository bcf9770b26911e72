"""Strategies for the events of trade flows: projected, revised and reported."""

from __future__ import annotations

from functools import cache
from typing import Final

from hypothesis import strategies as st

from chronology.events import Event, TradeProjected, TradeProjectionRevised, TradeReported
from chronology.testing.strategies.subjects import TRADE_SUBJECTS, event_fields, items
from chronology.testing.strategies.times import windows
from chronology.testing.strategies.values import (
    likelihoods,
    optional_texts,
    probabilities,
    quantities,
)

__all__ = ["TRADE_STRATEGIES", "trade_events"]


def _strategies() -> dict[type[Event], st.SearchStrategy[Event]]:
    trade = event_fields(TRADE_SUBJECTS)
    return {
        TradeProjected: st.builds(
            TradeProjected,
            **trade,
            exporter=optional_texts(),
            importer=optional_texts(),
            commodity=optional_texts(),
            grade=optional_texts(),
            period=st.none() | windows(),
            quantity=st.none() | quantities(),
            scope=optional_texts(),
            claims=items(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        TradeProjectionRevised: st.builds(
            TradeProjectionRevised,
            **trade,
            quantity=st.none() | quantities(),
            claims=items(),
            scope=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        TradeReported: st.builds(
            TradeReported,
            **trade,
            quantity=quantities(),
            period=st.none() | windows(),
            scope=optional_texts(),
            preliminary=st.booleans(),
        ),
    }


#: A strategy for each trade event type.
TRADE_STRATEGIES: Final = _strategies()


@cache
def trade_events() -> st.SearchStrategy[Event]:
    """Any trade event."""
    return st.one_of(list(TRADE_STRATEGIES.values()))
