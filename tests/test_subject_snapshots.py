"""Point reads through per-subject fold snapshots give what folding the subject's records from
scratch gives: at every instant, after appends in any order (late ones included), retractions
and retractions of retractions, and in views of past states of the log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import ALL_SUBJECTS, events, known_ats, retractions_of

from chronology import Chronicle
from chronology.events import AgendaChanged, Event, Retracted, VisitAnnounced
from chronology.expectations import Expectation, VisitExpectation
from chronology.fold import ExpectationFold
from chronology.record import new_record
from chronology.serialization import event_from_payload
from chronology.stores import MemoryStore, base
from chronology.subject_snapshots import SubjectSnapshots
from chronology.time import Window
from chronology.view import View

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _scratch(c: Chronicle, subject: str, as_of: datetime, recorded_by: datetime | None) -> object:
    """The subject folded from scratch: a view that holds no snapshots."""
    view = View(c.store, as_of=as_of, recorded_by=recorded_by, upto=len(c))
    return view.get(subject)


def _instants(c: Chronicle) -> list[datetime]:
    known = sorted({r.known_at for r in c})
    return [known[0] - timedelta(days=1), *known, *(k + timedelta(seconds=1) for k in known)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(known_ats(), events()), min_size=1, max_size=40), st.data())
def test_snapshot_reads_equal_folds_from_scratch(
    items: list[tuple[datetime, Event]], data: st.DataObject
) -> None:
    c = Chronicle(MemoryStore())
    snapshots = SubjectSnapshots(c.store, every=2)
    pending = [attrs.evolve(e, known_at=k) for k, e in items]
    while pending:
        size = data.draw(st.integers(1, len(pending)))
        batch: list[Event] = pending[:size]
        pending = pending[size:]
        stored = list(c)
        retract = data.draw(st.booleans())
        if stored and retract:  # retract a record, maybe a retraction
            target = data.draw(st.sampled_from(stored))
            retracted = {r.event.target for r in stored if isinstance(r.event, Retracted)}
            if target.event_id not in retracted:
                batch.append(data.draw(retractions_of(target.event, target.event_id)))
        c.extend(batch)
        n = len(c)
        for _ in range(3):  # between batches: held subjects must follow the appends
            subject = data.draw(st.sampled_from(ALL_SUBJECTS))
            at = data.draw(st.sampled_from(_instants(c)))
            answered, value = snapshots.get(subject, at, n, n)
            assert answered
            assert _scratch(c, subject, at, None) == value
    n = len(c)
    for subject in ALL_SUBJECTS:
        for at in _instants(c):
            assert (True, _scratch(c, subject, at, None)) == snapshots.get(subject, at, n, n)
    # A view recorded by an instant sees the first records only: answered from what is held
    # when nothing of the subject came after them, otherwise left to the caller.
    for record in c:
        first = record.position
        for subject in ALL_SUBJECTS:
            at = _instants(c)[-1]
            answered, value = snapshots.get(subject, at, n, first)
            if answered:
                assert _scratch(c, subject, at, record.recorded_at) == value


def _followed(subject: str, count: int, start: datetime) -> list[Event]:
    """A visit announced, then its agenda changed ``count - 1`` times, a minute apart."""
    first: Event = VisitAnnounced(
        subject=subject,
        known_at=start,
        visitor="Wang Yi",
        host="Russia",
        window=Window(start + timedelta(days=30), start + timedelta(days=32)),
    )
    return [first] + [
        AgendaChanged(subject=subject, known_at=start + timedelta(minutes=i), added=(f"i{i}",))
        for i in range(1, count)
    ]


def test_a_long_lived_subject_is_read_from_snapshots_and_follows_late_arrivals() -> None:
    c = Chronicle()
    c.extend(_followed("visit/long", 300, T0))
    c.extend(_followed("visit/short", 5, T0))
    middle = T0 + timedelta(minutes=150)
    expected = _scratch(c, "visit/long", middle, None)
    assert isinstance(expected, Expectation)
    assert expected == c.as_of(middle)["visit/long"]
    snapshots = SubjectSnapshots(c.store)
    for subject in ("visit/long", "visit/short"):
        assert (True, _scratch(c, subject, middle, None)) == snapshots.get(
            subject, middle, len(c), len(c)
        )
    assert 1 == len(snapshots)  # the short one is folded whole, not held
    # A late arrival before the middle changes the answer there.
    c.append(AgendaChanged(subject="visit/long", known_at=T0 + timedelta(seconds=30), added=("x",)))
    later = c.as_of(middle)["visit/long"]
    assert isinstance(later, VisitExpectation)
    assert "x" in later.agenda
    assert _scratch(c, "visit/long", middle, None) == later
    # A view made before that append still answers as of its own records.
    assert expected == View(c.store, as_of=middle, recorded_by=None, upto=len(c) - 1).get(
        "visit/long"
    )


def test_a_retraction_drops_the_held_subject() -> None:
    c = Chronicle()
    records = c.extend(_followed("visit/long", 100, T0))
    at = T0 + timedelta(minutes=99)

    def agenda() -> tuple[str, ...]:
        value = c.as_of(at)["visit/long"]
        assert isinstance(value, VisitExpectation)
        return value.agenda

    assert "i50" in agenda()
    c.append(Retracted(subject="visit/long", known_at=at, target=records[50].event_id))
    assert "i50" not in agenda()
    assert _scratch(c, "visit/long", at, None) == c.as_of(at)["visit/long"]


def test_the_events_held_are_bounded() -> None:
    c = Chronicle()
    snapshots = SubjectSnapshots(c.store, every=4, keep=100)
    for s in range(5):
        c.extend(_followed(f"visit/{s}", 40, T0))
    n = len(c)
    for s in range(5):
        snapshots.get(f"visit/{s}", T0 + timedelta(hours=1), n, n)
    assert 2 == len(snapshots)  # 40 events each: two fit in a hundred


def test_a_point_read_folds_at_most_a_snapshots_worth_of_events() -> None:
    """Reading a subject with 300 events as of its 200th folds fewer than 32 of them, once
    its snapshots are left (the first read leaves them; without them every read folded 200)."""
    c = Chronicle()
    c.extend(_followed("visit/long", 300, T0))
    at = T0 + timedelta(minutes=199)
    first = c.as_of(at)["visit/long"]
    applied: list[Event] = []
    apply = ExpectationFold.apply

    def counting(self: ExpectationFold, event: Event, event_id: str) -> bool:
        applied.append(event)
        return apply(self, event, event_id)

    with mock.patch.object(ExpectationFold, "apply", counting):
        again = c.as_of(at)["visit/long"]
        nearby = c.as_of(at + timedelta(minutes=20))["visit/long"]
    assert first == again
    assert _scratch(c, "visit/long", at + timedelta(minutes=20), None) == nearby
    assert 0 < len(applied) < 2 * 32


def test_a_first_read_of_a_long_lived_subject_builds_and_keeps_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a file, a long-lived subject's first read decodes its events without building a
    record each or filling the store's cache with them (the snapshots hold the subject after);
    a short subject's records are kept, so that its next read decodes nothing."""
    with Chronicle.open(tmp_path / "c.db") as c:
        c.extend([*_followed("visit/long", 300, T0), *_followed("visit/short", 5, T0)])
    middle = T0 + timedelta(minutes=150)
    with Chronicle.open(tmp_path / "c.db", read_only=True) as c:
        expected = {s: _scratch(c, s, middle, None) for s in ("visit/long", "visit/short")}
    built: list[int] = []
    decoded: list[str] = []
    monkeypatch.setattr(base, "new_record", _counting(new_record, built))
    monkeypatch.setattr(base, "event_from_payload", _counting(event_from_payload, decoded))
    with Chronicle.open(tmp_path / "c.db", read_only=True) as c:
        for subject, made, reads in [("visit/long", 0, 300), ("visit/short", 5, 5)]:
            built.clear()
            decoded.clear()
            assert expected[subject] == c.as_of(middle).get(subject)
            assert (made, reads) == (len(built), len(decoded))
            decoded.clear()
            assert expected[subject] == c.as_of(middle).get(subject)
            assert [] == decoded  # held, or kept decoded


def _counting(function: Callable[..., Any], calls: list[Any]) -> Callable[..., Any]:
    def counted(*args: Any) -> Any:
        calls.append(args[0])
        return function(*args)

    return counted
