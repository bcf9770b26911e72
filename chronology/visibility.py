"""Which records a view sees: the one definition, used by views and fold snapshots alike.

A question ``as_of(X, recorded_by=Y)`` sees the records stored by ``Y`` (all when ``Y`` is
``None``) whose events were known by ``X``, minus the events retracted by ``Y`` and the
retractions themselves, in ``(known_at, position)`` order: assertion-time order, with the
storage position breaking ties.

``recorded_at`` strictly increases with position, so the records stored by ``Y`` are the first
so many (:meth:`.Store.recorded_through`): every rule below bounds what a view sees by a
position, ``upto``, never by comparing instants again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Protocol

from chronology.errors import IntegrityError
from chronology.events import Event, Retracted
from chronology.record import Record

__all__ = [
    "NOT_A_RETRACTION",
    "Listed",
    "effective_records",
    "folds",
    "left_out_ids",
    "retracted_ids",
]

#: What :func:`retracted_ids` and :func:`chronology.integrity.verify` say of a record that the
#: store lists as a retraction though its event is not one.
NOT_A_RETRACTION: Final = "listed as a retraction, but its event is not one"


class Listed(Protocol):
    """What :func:`retracted_ids` reads of a record: a :class:`~chronology.record.Record`, or
    a lighter value with the same attributes.

    Attributes:
        position: the record's position.
        event_id: its event's id.
        event: its event.
    """

    @property
    def position(self) -> int: ...
    @property
    def event_id(self) -> str: ...
    @property
    def event(self) -> Event: ...


def retracted_ids(retractions: Iterable[Listed], upto: int | None = None) -> frozenset[str]:
    """The ids of the events that count as never recorded in a view of the first ``upto``
    records (all when ``None``).

    ``retractions`` are the retraction records in position order. A retraction is in force
    unless it is itself retracted; since a retraction is always stored after its target,
    walking them from the last one back decides each before it is needed.

    Raises:
        IntegrityError: if the store lists as a retraction a record whose event is not one
            (an index edited behind the library's back).
    """
    visible = [r for r in retractions if upto is None or r.position <= upto]
    dead: set[str] = set()
    for r in reversed(visible):
        if r.event_id in dead:
            continue
        event = r.event
        if not isinstance(event, Retracted):
            raise IntegrityError(r.position, NOT_A_RETRACTION)
        dead.add(event.target)
    return frozenset(dead)


def folds(event_id: str, event: Event, dead: frozenset[str]) -> bool:
    """Whether a view folds a record among those it may see (stored by its bound, known by its
    instant): not a retraction, and not retracted (``dead``, from :func:`retracted_ids`)."""
    return event_id not in dead and not isinstance(event, Retracted)


def left_out_ids(retractions: Iterable[Listed], upto: int | None = None) -> frozenset[str]:
    """The ids of every record a view of the first ``upto`` records (all when ``None``) leaves
    out of its fold among those it may see: the events retracted (:func:`retracted_ids`) and
    the retractions themselves. A fold of many records tests each id against this one set
    (the same answer as :func:`folds` for the records of a store, whose retractions it lists).

    Raises:
        IntegrityError: as :func:`retracted_ids` does.
    """
    visible = [r for r in retractions if upto is None or r.position <= upto]
    return retracted_ids(visible) | {r.event_id for r in visible}


def effective_records(
    ordered: Iterable[Record], retractions: Iterable[Record], upto: int
) -> list[Record]:
    """The records a view of the first ``upto`` records folds, from records already in
    ``(known_at, position)`` order and the store's retractions: the records past ``upto``,
    the retractions themselves and the events they retract are left out."""
    dead = retracted_ids(retractions, upto)
    return [r for r in ordered if r.position <= upto and folds(r.event_id, r.event, dead)]
