"""The fold engine: which records a question sees, in which order, and how they are folded.

A question ``as_of(X, recorded_by=Y)`` sees the records stored by ``Y`` (all when ``Y`` is
``None``) whose events were known by ``X``, minus the events retracted by ``Y``, in
``(known_at, position)`` order: assertion-time order, with the storage position breaking ties.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from chronology.events import Event, Retracted
from chronology.record import Record

__all__ = ["Projection", "effective_records", "fold", "retracted_ids"]

S = TypeVar("S")


class Projection(Protocol[S]):
    """A user-defined fold over the events a view sees.

    Example:
        >>> class CountBySubject:
        ...     def initial(self) -> dict[str, int]:
        ...         return {}
        ...     def apply(self, state: dict[str, int], event: Event) -> dict[str, int]:
        ...         return {**state, event.subject: state.get(event.subject, 0) + 1}
    """

    def initial(self) -> S:
        """The state before any event."""
        ...

    def apply(self, state: S, event: Event) -> S:
        """The state after ``event``."""
        ...


def retracted_ids(retractions: Iterable[Record], recorded_by: datetime | None) -> frozenset[str]:
    """The ids of the events that count as never recorded, as of system time ``recorded_by``.

    ``retractions`` are the retraction records in position order. A retraction is in force
    unless it is itself retracted; since a retraction is always stored after its target,
    walking them from the last one back decides each before it is needed.
    """
    visible = [r for r in retractions if recorded_by is None or r.recorded_at <= recorded_by]
    dead: set[str] = set()
    for r in reversed(visible):
        if r.event_id in dead:
            continue
        event = r.event
        assert isinstance(event, Retracted)
        dead.add(event.target)
    return frozenset(dead)


def effective_records(
    ordered: Iterable[Record],
    retractions: Iterable[Record],
    *,
    recorded_by: datetime | None,
) -> list[Record]:
    """Filter records already in ``(known_at, position)`` order down to those a view folds.

    Drops records stored after ``recorded_by``, retraction records themselves, and the events
    they retract.
    """
    dead = retracted_ids(retractions, recorded_by)
    out: list[Record] = []
    append = out.append
    if recorded_by is None:
        for r in ordered:
            if r.event_id not in dead and not isinstance(r.event, Retracted):
                append(r)
    else:
        for r in ordered:
            if (
                r.recorded_at <= recorded_by
                and r.event_id not in dead
                and not isinstance(r.event, Retracted)
            ):
                append(r)
    return out


def fold(events: Iterable[Event], initial: S, apply: Callable[[S, Event], S]) -> S:
    """Fold ``apply`` over ``events`` from ``initial``."""
    state = initial
    for event in events:
        state = apply(state, event)
    return state
