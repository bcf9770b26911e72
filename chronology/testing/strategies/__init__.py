"""Hypothesis strategies for every value :mod:`chronology` records.

The strategies are tuned to make bitemporal questions interesting rather than to roam the whole
input space: subjects come from a small pool (so events collide on subjects), ``known_at`` from a
few days on a coarse grid (so events tie on assertion time and ``as_of`` questions cut through
them), and instants are written in many UTC offsets and zones (so nothing relies on UTC input).

Importing this package registers strategies with :func:`hypothesis.strategies.from_type` for
:class:`pendulum.DateTime` (which hypothesis cannot build on its own), :class:`~chronology.Window`,
:class:`~chronology.Source`, :class:`~chronology.Quantity` and every built-in event type.

Every name below is importable from this package; each lives in the module of its family:
:mod:`~chronology.testing.strategies.times` (instants, assertion times, windows),
:mod:`~chronology.testing.strategies.values` (text, quantities, hedges, sources),
:mod:`~chronology.testing.strategies.subjects` (subject pools),
:mod:`~chronology.testing.strategies.visits`, :mod:`~chronology.testing.strategies.trades`,
:mod:`~chronology.testing.strategies.plans`, :mod:`~chronology.testing.strategies.figures`
(the events of each family) and :mod:`~chronology.testing.strategies.logs` (events of any
family, statements, retractions).

Example:
    >>> from hypothesis import given
    >>> from chronology.testing.strategies import events
    >>> @given(events())
    ... def test_has_subject(event):
    ...     assert event.subject
"""

from __future__ import annotations

import pendulum
from hypothesis import strategies as st

from chronology.events import Quantity, Retracted, Source, StatementMade
from chronology.testing.strategies.figures import FIGURE_STRATEGIES, figure_events
from chronology.testing.strategies.logs import (
    EVENT_TYPES,
    events,
    events_of,
    every_event,
    free_retractions,
    retractions_of,
    statements,
)
from chronology.testing.strategies.plans import PLAN_STRATEGIES, plan_events
from chronology.testing.strategies.subjects import (
    ALL_SUBJECTS,
    FIGURE_SUBJECTS,
    PLAN_SUBJECTS,
    SHARED_SUBJECTS,
    TRADE_SUBJECTS,
    VISIT_SUBJECTS,
)
from chronology.testing.strategies.times import (
    FIRST_DAY,
    LAST_DAY,
    ZONES,
    EdtfCase,
    as_of_questions,
    direct_windows,
    edtf_cases,
    edtf_windows,
    instants,
    known_ats,
    pendulum_instants,
    vague_windows,
    windows,
)
from chronology.testing.strategies.trades import TRADE_STRATEGIES, trade_events
from chronology.testing.strategies.values import (
    event_ids,
    likelihoods,
    optional_texts,
    probabilities,
    quantities,
    sources,
    texts,
)
from chronology.testing.strategies.visits import VISIT_STRATEGIES, visit_events
from chronology.time import Window

__all__ = [
    "ALL_SUBJECTS",
    "EVENT_TYPES",
    "FIGURE_SUBJECTS",
    "FIRST_DAY",
    "LAST_DAY",
    "PLAN_SUBJECTS",
    "SHARED_SUBJECTS",
    "TRADE_SUBJECTS",
    "VISIT_SUBJECTS",
    "ZONES",
    "EdtfCase",
    "as_of_questions",
    "direct_windows",
    "edtf_cases",
    "edtf_windows",
    "event_ids",
    "events",
    "events_of",
    "every_event",
    "figure_events",
    "free_retractions",
    "instants",
    "known_ats",
    "likelihoods",
    "optional_texts",
    "pendulum_instants",
    "plan_events",
    "probabilities",
    "quantities",
    "retractions_of",
    "sources",
    "statements",
    "texts",
    "trade_events",
    "vague_windows",
    "visit_events",
    "windows",
]

st.register_type_strategy(pendulum.DateTime, pendulum_instants())
st.register_type_strategy(Window, windows())
st.register_type_strategy(Source, sources())
st.register_type_strategy(Quantity, quantities())
st.register_type_strategy(Retracted, free_retractions())
for _strategies in (VISIT_STRATEGIES, TRADE_STRATEGIES, PLAN_STRATEGIES, FIGURE_STRATEGIES):
    for _cls, _strategy in _strategies.items():
        st.register_type_strategy(_cls, _strategy)
st.register_type_strategy(StatementMade, statements())
