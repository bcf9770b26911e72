"""Per-source tracks: what each source last said about one subject.

An expectation merges what every source said (the latest-known event wins, field by field), so
a schedule reported by one outlet and a hedge from another end up side by side. A
:class:`~chronology.expectations.SourceTrack` keeps one source's own account: the window or
period it last gave, its figure, its hedge, its claims, the status its own events implied,
and when it last spoke.

Tracks are derived on demand, never stored (the fold stays as fast as without them):
:meth:`.VisitExpectation.by_source` and :meth:`.View.by_source` read back the events an
expectation was folded from and fold them source by source, with
the same conflict rule as the built-in projection (an outcome or a cancellation a source
reported is not undone by an expectation event it gives later).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from chronology.errors import ChronologyError
from chronology.events import (
    Event,
    FigureEvent,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.expectations import Expectation, SourceTrack, Status, read_tracks_with
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)

if TYPE_CHECKING:
    from chronology.stores.base import Store

__all__ = ["source_tracks", "tracks_of", "watch"]


#: The status each built-in event type implies.
_IMPLIES: Final[dict[type[Event], Status]] = {
    VisitAnnounced: Status.ANNOUNCED,
    VisitScheduled: Status.SCHEDULED,
    VisitRescheduled: Status.SCHEDULED,
    VisitPostponed: Status.POSTPONED,
    VisitCancelled: Status.CANCELLED,
    VisitOccurred: Status.OCCURRED,
    TradeProjected: Status.PROJECTED,
    TradeProjectionRevised: Status.REVISED,
    TradeReported: Status.REPORTED,
    PlanAnnounced: Status.ANNOUNCED,
    PlanScheduled: Status.SCHEDULED,
    PlanRescheduled: Status.SCHEDULED,
    PlanPostponed: Status.POSTPONED,
    PlanCancelled: Status.CANCELLED,
    PlanOccurred: Status.OCCURRED,
    FigureProjected: Status.PROJECTED,
    FigureRevised: Status.REVISED,
    FigureReported: Status.REPORTED,
}
_FINAL: Final = frozenset({Status.OCCURRED, Status.CANCELLED, Status.REPORTED})


def _implied(cls: type[Event]) -> Status | None:
    return next((_IMPLIES[k] for k in cls.__mro__ if k in _IMPLIES), None)


def _take(track: dict[str, Any], event: Event, event_id: str) -> None:
    """Fold one event into one source's track (a plain dict of :class:`SourceTrack` fields)."""
    implied = _implied(type(event))
    moved = implied is not None and (implied in _FINAL or track["status"] not in _FINAL)
    if moved:
        track["status"] = implied
    if isinstance(event, FigureEvent):  # trade flows and figures: the period
        period = getattr(event, "period", None)
        if period is not None:
            track["window"] = period
        quantity = getattr(event, "quantity", None)
        if quantity is not None:
            track["quantity"] = quantity
    elif moved:
        window = getattr(event, "window", None)
        if window is not None or isinstance(event, VisitPostponed | PlanPostponed):
            track["window"] = window
    likelihood = getattr(event, "likelihood", None)
    probability = getattr(event, "probability", None)
    if likelihood is not None or probability is not None:
        track["likelihood"], track["probability"] = likelihood, probability
    claims = getattr(event, "claims", ())
    if claims:
        track["claims"] = claims
    track["known_at"] = event.known_at
    track["event_ids"].append(event_id)


def source_tracks(events: Iterable[tuple[Event, str]]) -> dict[str, SourceTrack]:
    """The track of each source among ``(event, event_id)`` pairs already in fold order.

    Sources are told apart by name: two articles by one outlet are one track. Events without a
    source have no track.

    Returns:
        The tracks by source name, in order of first appearance.
    """
    building: dict[str, dict[str, Any]] = {}
    for event, event_id in events:
        source = event.source
        if source is None:
            continue
        track = building.get(source.name)
        if track is None:
            track = building[source.name] = {
                "status": None,
                "first_known_at": event.known_at,
                "event_ids": [],
            }
        track["source"] = source
        _take(track, event, event_id)
    return {
        name: SourceTrack(**{**fields, "event_ids": tuple(fields["event_ids"])})
        for name, fields in building.items()
    }


#: The stores of the chronicles made in this process, while they live.
_STORES: weakref.WeakSet[Store] = weakref.WeakSet()


def watch(store: Store) -> None:
    """Let :func:`tracks_of` read events from ``store`` (every :class:`.Chronicle` does this
    with its own store)."""
    _STORES.add(store)


def tracks_of(value: Expectation) -> dict[str, SourceTrack]:
    """The tracks of the sources of ``value``, from the events it was folded from.

    The events are read back by id from the first open chronicle that holds all of them: ids
    are content hashes, so every such chronicle holds the same events.

    Raises:
        ChronologyError: if no open chronicle holds them (a value built by hand, or one whose
            chronicle is gone).
    """
    if not value.event_ids:
        return {}
    for store in list(_STORES):
        try:
            records = [store.get(event_id) for event_id in value.event_ids]
        except ChronologyError:  # a closed store, say
            continue
        if all(r is not None for r in records):
            return source_tracks((r.event, r.event_id) for r in records if r is not None)
    raise ChronologyError(
        f"{value.subject}: by_source() reads the events an expectation was folded from, and no "
        "open chronicle holds them (was this value read from a chronicle, which is still open?)"
    )


read_tracks_with(tracks_of)
