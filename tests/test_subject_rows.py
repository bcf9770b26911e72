"""A point read decodes only what its fold reads: the retractions, and the events known by the
view's instant (``SubjectRows.known_by`` over rows a backend marks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

from chronology.events import AgendaChanged, Event, Retracted, VisitAnnounced
from chronology.serialization import event_id_of, payload_of
from chronology.stores.backend import Row
from chronology.stores.sql import known_at_text
from chronology.stores.subject_rows import SubjectEvents, SubjectRows

T0 = datetime(2024, 4, 1, 12, tzinfo=UTC)


def _log() -> list[Event]:
    """Day 0 to day 3: an announcement and three agenda changes; then, said on day 5, the
    retraction of the day-1 change."""
    events: list[Event] = [VisitAnnounced(subject="visit/x", known_at=T0, visitor="V")]
    events += [
        AgendaChanged(subject="visit/x", known_at=T0 + timedelta(days=d), added=(f"item {d}",))
        for d in (1, 2, 3)
    ]
    events.append(
        Retracted(
            subject="visit/x",
            known_at=T0 + timedelta(days=5),
            target=event_id_of(payload_of(events[1])),
        )
    )
    return events


def _marked_rows(events: list[Event]) -> list[Row]:
    """Rows as a marking backend gives them: a Row, then its known_at text (empty for a
    retraction)."""
    return [
        (  # type: ignore[misc]
            position,
            event_id_of(payload_of(e)),
            "2024-05-01T00:00:00.000000+00:00",
            payload_of(e),
            "h",
            "" if isinstance(e, Retracted) else known_at_text(e.known_at),
        )
        for position, e in enumerate(events, start=1)
    ]


def _decoder(events: list[Event], decoded: list[int]):  # type: ignore[no-untyped-def]
    def decode(rows: Sequence[Row]) -> SubjectEvents:
        decoded.extend(row[0] for row in rows)
        return [(row[0], row[1], events[row[0] - 1]) for row in rows]

    return decode


def test_marked_rows_decode_only_the_retractions_and_the_events_known_by_the_instant() -> None:
    events = _log()
    decoded: list[int] = []
    rows = SubjectRows(_marked_rows(events), _decoder(events, decoded), marked=True)
    at = T0 + timedelta(days=2)
    read = rows.known_by(at)
    assert [1, 2, 3, 5] == decoded  # not the day-3 change; the day-5 retraction always
    assert [events[0], events[1], events[2], events[4]] == [e for _, _, e in read]
    decoded.clear()
    assert events == [e for _, _, e in rows.events()]
    assert [1, 2, 3, 4, 5] == decoded


def test_an_instant_within_a_second_compares_as_the_stored_text_does() -> None:
    """The stored known_at is fixed-width UTC text: an instant a microsecond before an event's
    leaves it out, the event's own instant (in any offset) takes it."""
    events = _log()
    rows = SubjectRows(_marked_rows(events), _decoder(events, []), marked=True)
    day3 = T0 + timedelta(days=3)
    assert 4 == len(rows.known_by(day3 - timedelta(microseconds=1)))
    # (an offset west of UTC: the local zone of a machine set to UTC would compare as UTC)
    west = timezone(timedelta(hours=-5))
    assert 5 == len(rows.known_by(day3.astimezone(west)))
    assert 4 == len(rows.known_by((day3 - timedelta(microseconds=1)).astimezone(west)))


def test_unmarked_rows_and_upto_decode_every_row_they_hold() -> None:
    events = _log()
    decoded: list[int] = []
    rows = SubjectRows(_marked_rows(events), _decoder(events, decoded))
    assert 5 == len(rows.known_by(T0))
    decoded.clear()
    first_three = rows.upto(3)
    assert 3 == len(first_three)
    assert rows is rows.upto(5)
    assert events[:3] == [e for _, _, e in first_three.events()]
    assert [1, 2, 3] == decoded
