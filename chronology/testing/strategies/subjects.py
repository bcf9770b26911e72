"""Subject pools and the fields every event shares, for the event strategies of each family.

Subjects come from small pools, one per family, plus :data:`SHARED_SUBJECTS` that every family
may land on: events collide on subjects, and the fold meets a subject whose events come from
several families (the first one fixes its kind).
"""

from __future__ import annotations

from functools import cache
from typing import Final

from hypothesis import strategies as st

from chronology.testing.strategies.times import known_ats
from chronology.testing.strategies.values import sources, texts

__all__ = [
    "ALL_SUBJECTS",
    "FIGURE_SUBJECTS",
    "PLAN_SUBJECTS",
    "SHARED_SUBJECTS",
    "TRADE_SUBJECTS",
    "VISIT_SUBJECTS",
    "event_fields",
    "items",
]

#: Subjects of visit events.
VISIT_SUBJECTS: Final = ("visit/lavrov-china", "visit/wang-moscow")
#: Subjects of trade events.
TRADE_SUBJECTS: Final = ("trade/crude-seaborne", "trade/crude-sokol")
#: Subjects of plan events (the general family of planned happenings).
PLAN_SUBJECTS: Final = ("plan/output-increase", "plan/summit")
#: Subjects of figure events (the general family of figures).
FIGURE_SUBJECTS: Final = ("figure/demand-growth/opec", "figure/demand-growth/iea")
#: A subject every kind of event may land on, so the fold meets mixed families.
SHARED_SUBJECTS: Final = ("topic/energy",)
#: Every subject the strategies draw from.
ALL_SUBJECTS: Final = (
    VISIT_SUBJECTS + TRADE_SUBJECTS + PLAN_SUBJECTS + FIGURE_SUBJECTS + SHARED_SUBJECTS
)


def event_fields(pool: tuple[str, ...]) -> dict[str, st.SearchStrategy[object]]:
    """Strategies for the fields every event has, as keyword arguments of hypothesis'
    ``builds``: a ``subject`` from ``pool`` or
    :data:`SHARED_SUBJECTS`, a ``known_at`` on the assertion-time grid, and mostly no
    ``source``.

    Args:
        pool: the family's own subjects.
    """
    return {
        "subject": st.sampled_from(pool + SHARED_SUBJECTS),
        "known_at": known_ats(),
        "source": st.one_of(st.none(), st.none(), st.none(), sources()),
    }


@cache
def items() -> st.SearchStrategy[tuple[str, ...]]:
    """Short tuples of names (agenda items, counterparts, claims, topics), often empty."""
    return st.lists(texts(), max_size=3).map(tuple)
