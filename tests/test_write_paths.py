"""The write path's shortcuts give what the plain definitions give.

``seal`` derives each ``recorded_at`` text from the previous one (only the microseconds move),
and stores insert parallel lists instead of one object per event; these tests pin the results to
``datetime.isoformat`` and to the chain's definition, across second boundaries and duplicates.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology import Chronicle
from chronology.errors import RetractionError
from chronology.events import AgendaChanged, Event, Retracted
from chronology.record import GENESIS_HASH, Tip, chain_hash, prepare, recorded_texts, seal
from chronology.serialization import event_id_of, instant_text, payload_of
from chronology.stores.sqlite import known_at_text

BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _events(n: int, offset: int = 0) -> list[Event]:
    return [
        AgendaChanged(subject=f"visit/{i % 3}", known_at=BASE + timedelta(hours=i), added=(str(i),))
        for i in range(offset, offset + n)
    ]


def _stores(tmp_path: Path, clock: datetime) -> list[Chronicle]:
    return [
        Chronicle(clock=lambda: clock),
        Chronicle.open(tmp_path / "w.db", clock=lambda: clock),
    ]


@pytest.mark.parametrize(
    "clock",
    [
        datetime(2024, 5, 1, 12, 0, 59, 999_997, tzinfo=UTC),  # rolls into the next minute
        datetime(2024, 5, 1, 23, 59, 59, 999_999, tzinfo=UTC),  # and the next day
        datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC),  # a whole second first
        datetime(2024, 5, 1, 12, 0, 0, 1, tzinfo=UTC),
    ],
)
def test_recorded_at_texts_are_isoformat_across_second_boundaries(
    tmp_path: Path, clock: datetime
) -> None:
    for c in _stores(tmp_path, clock):
        with c:
            first = c.extend(_events(4))
            second = c.extend(_events(4, offset=4))  # the clock stands still: head + 1 us on
            records = first + second
            assert [clock + timedelta(microseconds=i) for i in range(8)] == [
                r.recorded_at for r in records
            ]
            raw = list(c.store.raw())
            assert [r.recorded_at.isoformat() for r in records] == [x.recorded_at for x in raw]
            previous = GENESIS_HASH
            for r, x in zip(records, raw, strict=True):
                previous = chain_hash(previous, r.position, r.event_id, x.recorded_at, x.payload)
                assert previous == r.hash
            assert 8 == c.verify()


@given(
    picks=st.lists(st.integers(min_value=0, max_value=11), min_size=1, max_size=30),
    stored=st.integers(min_value=0, max_value=12),
)
def test_a_batch_with_duplicates_stores_each_new_event_once_in_order(
    picks: list[int], stored: int
) -> None:
    pool = _events(12)
    c = Chronicle(clock=lambda: BASE)
    c.extend(pool[:stored])
    records = c.extend([pool[i] for i in picks])
    expected_new = list(dict.fromkeys(i for i in picks if i >= stored))
    assert stored + len(expected_new) == len(c)
    assert [pool[i] for i in expected_new] == [r.event for r in list(c)[stored:]]
    assert [pool[i] for i in picks] == [r.event for r in records]
    assert [event_id_of(payload_of(pool[i])) for i in picks] == [r.event_id for r in records]
    assert len(c) == c.verify()


def test_prepare_gives_each_event_its_payload_and_id() -> None:
    events = _events(5)
    batch = prepare(iter(events))
    assert 5 == len(batch)
    assert events == batch.events
    assert [payload_of(e) for e in events] == batch.payloads
    assert [event_id_of(payload_of(e)) for e in events] == batch.ids


def test_sqlite_stores_known_at_as_fixed_width_utc_text(tmp_path: Path) -> None:
    instants = [
        BASE,
        BASE + timedelta(microseconds=7),
        datetime(2024, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2024, 3, 1, 23, 59, 59, 999_999, tzinfo=UTC),
    ]
    events = [
        AgendaChanged(subject="visit/k", known_at=k, added=(str(i),))
        for i, k in enumerate(instants)
    ]
    with Chronicle.open(tmp_path / "k.db") as c:
        c.extend(events)
    conn = sqlite3.connect(tmp_path / "k.db")
    stored = [k for (k,) in conn.execute("SELECT known_at FROM records ORDER BY position")]
    conn.close()
    assert [known_at_text(k) for k in instants] == stored
    assert [k.astimezone(UTC).isoformat(timespec="microseconds") for k in instants] == stored


def test_prepare_gives_each_event_the_known_at_text_of_its_payload() -> None:
    events = [
        *_events(3),
        AgendaChanged(subject="visit/k", known_at=BASE + timedelta(microseconds=5), added=("x",)),
    ]
    batch = prepare(events)
    assert [e.known_at.isoformat() for e in events] == batch.known_at_texts
    for text, payload in zip(batch.known_at_texts, batch.payloads, strict=True):
        assert f'"known_at":"{text}"' in payload


@given(
    instants=st.lists(
        st.datetimes(
            min_value=datetime(1, 1, 2),
            max_value=datetime(9999, 12, 30),
            timezones=st.just(UTC),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_instant_texts_are_isoformat(instants: list[datetime]) -> None:
    events = [
        AgendaChanged(subject="visit/t", known_at=k, added=(str(i),))
        for i, k in enumerate(instants)
    ]
    assert [k.isoformat() for k in instants] == [instant_text(k) for k in instants]
    assert [k.isoformat() for k in instants] == prepare(events).known_at_texts
    assert [payload_of(e) for e in events] == prepare(events).payloads


@given(
    picks=st.lists(st.integers(min_value=0, max_value=11), min_size=1, max_size=30),
    clock=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2024, 1, 2), timezones=st.just(UTC)
    ),
)
def test_sealing_without_checks_gives_what_the_checked_loop_gives(
    picks: list[int], clock: datetime
) -> None:
    """A batch with nothing to look for (nothing stored, no repeats, no retraction) skips the
    per-event checks; a batch that must be checked goes through them. Forcing the checks on
    an unchecked batch (``find`` reports a record the batch does not contain) changes nothing."""
    pool = _events(12)
    batch = prepare([pool[i] for i in dict.fromkeys(picks)])
    unrelated = Chronicle(clock=lambda: clock).append(AgendaChanged(subject="x", known_at=BASE))
    head = Tip(3, "f" * 64, clock - timedelta(microseconds=1))
    plain = seal(batch, head, lambda b: {}, lambda: clock)
    checked = seal(batch, head, lambda b: {unrelated.event_id: unrelated}, lambda: clock)
    assert checked.new == plain.new
    assert checked.results == plain.results
    assert checked.recorded_texts == plain.recorded_texts
    assert checked.hashes == plain.hashes
    assert [r.recorded_at.isoformat() for r in plain.new] == plain.recorded_texts
    assert [] == plain.retractions == checked.retractions


@given(
    first=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2024, 1, 2), timezones=st.just(UTC)
    ),
    count=st.integers(min_value=0, max_value=40),
    near=st.sampled_from([0, 1, 999_990, 999_999, None]),
)
def test_recorded_texts_are_the_instant_text_of_each_microsecond(
    first: datetime, count: int, near: int | None
) -> None:
    """Made a second at a time, the texts stay those of each instant across seconds, whole
    seconds (no digits) included."""
    if near is not None:  # near a whole second, where the texts change shape
        first = first.replace(microsecond=near)
    expected = [instant_text(first + timedelta(microseconds=i)) for i in range(count)]
    assert expected == recorded_texts(first, count)


def test_a_batch_with_repeats_stored_events_and_retractions_seals_in_order() -> None:
    """The checked path: an event repeated in the batch and one already stored give their one
    record; retractions of a stored event and of one earlier in the batch take the positions
    their records take; the chain runs over the new records only."""
    stored, a, b = _events(3)
    c = Chronicle(clock=lambda: BASE)
    (kept,) = c.extend([stored])
    drop_stored = Retracted(subject=stored.subject, known_at=BASE, target=kept.event_id)
    batch = prepare([a, stored, b, a, drop_stored])
    drop_a = Retracted(subject=a.subject, known_at=BASE, target=batch.ids[0])
    batch = prepare([a, stored, b, a, drop_stored, drop_a])
    head = Tip(1, kept.hash, kept.recorded_at)
    sealed = seal(batch, head, lambda _: {kept.event_id: kept}, lambda: BASE)
    assert [2, 3, 4, 5] == [r.position for r in sealed.new]
    assert [a, b, drop_stored, drop_a] == [r.event for r in sealed.new]
    assert [4, 5] == sealed.retractions
    new = sealed.new
    assert [new[0], kept, new[1], new[0], new[2], new[3]] == sealed.results
    assert sealed.results[3] is sealed.results[0]
    previous = kept.hash
    for record, text, payload in zip(new, sealed.recorded_texts, sealed.payloads, strict=True):
        assert instant_text(record.recorded_at) == text
        previous = chain_hash(previous, record.position, record.event_id, text, payload)
        assert previous == record.hash
    assert [r.hash for r in new] == sealed.hashes
    assert [r.event_id for r in new] == sealed.ids
    assert [BASE + timedelta(microseconds=i) for i in range(1, 5)] == [r.recorded_at for r in new]


def test_a_retraction_of_an_event_of_another_subject_earlier_in_the_batch_is_refused() -> None:
    a, b = _events(2)  # visit/0 and visit/1
    first = prepare([a])
    batch = prepare([a, b, Retracted(subject=b.subject, known_at=BASE, target=first.ids[0])])
    with pytest.raises(RetractionError) as caught:
        seal(batch, None, lambda _: {}, lambda: BASE)
    assert 2 == caught.value.index
    assert "differs from its target's 'visit/0'" in str(caught.value)
