"""The memory store keeps records as their parts and makes a Record when one is read: every way
of reading gives back the records ``extend`` returned, and readers see whole batches."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st
from strategies import events, known_ats

from chronology import Chronicle, Record
from chronology.events import AgendaChanged, Event, Retracted
from chronology.stores import MemoryStore


@given(st.lists(st.tuples(known_ats(), events()), min_size=1, max_size=30), st.data())
def test_every_read_gives_the_records_extend_returned(
    items: list[tuple[datetime, Event]], data: st.DataObject
) -> None:
    c = Chronicle()
    pending = [attrs.evolve(e, known_at=k) for k, e in items]
    returned: dict[int, Record] = {}
    while pending:
        size = data.draw(st.integers(1, len(pending)))
        batch = pending[:size]
        if data.draw(st.booleans()):  # repeat an event: its stored record comes back
            batch.append(batch[0])
        for r in c.extend(batch):
            assert returned.setdefault(r.position, r) == r
        pending = pending[size:]
    store = c.store
    stored = [returned[p] for p in sorted(returned)]
    assert list(range(1, len(stored) + 1)) == [r.position for r in stored]
    assert len(stored) == len(store)
    assert stored == list(store.records())
    for r in stored:
        assert r == store.get(r.event_id)
        assert stored[r.position :] == list(store.records_after(r.position))
    for subject in {r.subject for r in stored}:
        assert [r for r in stored if r.subject == subject] == store.subject_records(subject)
    assert [r for r in stored if isinstance(r.event, Retracted)] == store.retractions()
    assert [(r.position, r.event_id, r.recorded_at.isoformat(), r.hash) for r in stored] == [
        (raw.position, raw.event_id, raw.recorded_at, raw.hash) for raw in store.raw()
    ]
    assert len(stored) == c.verify()


def test_a_record_read_twice_is_equal_not_shared() -> None:
    """Records are values made on read; nothing a caller does to one reaches the store."""
    c = Chronicle()
    (first,) = c.extend([AgendaChanged(subject="visit/1", known_at="2024-04-01", added=("a",))])
    again = c.record(first.event_id)
    assert first == again
    assert first.event is again.event  # the event itself is kept, not a copy
    assert c.store.get("no such id") is None


def test_readers_see_whole_batches_while_a_writer_appends() -> None:
    store = MemoryStore()
    c = Chronicle(store)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    batch_size, batches = 50, 60
    done = threading.Event()
    seen: list[int] = []
    failures: list[str] = []

    def reader() -> None:
        while not done.is_set():
            records = list(store.records())
            ordered = list(store.ordered())
            n = len(records)
            seen.append(n)
            if n % batch_size:
                failures.append(f"records() saw {n} records")
            if [r.position for r in records] != list(range(1, n + 1)):
                failures.append("records() out of position order")
            if len(ordered) % batch_size:
                failures.append(f"ordered() saw {len(ordered)} records")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for b in range(batches):
            # Every other batch arrives late: said before everything already stored.
            base = start + timedelta(days=b if b % 2 == 0 else -b)
            c.extend(
                AgendaChanged(
                    subject=f"visit/{i % 7}",
                    known_at=base + timedelta(minutes=i),
                    added=(f"{b}-{i}",),
                )
                for i in range(batch_size)
            )
    finally:
        done.set()
        thread.join()
    assert [] == failures
    assert seen  # the reader ran
    assert batch_size * batches == len(store) == c.verify()
    records = list(store.records())
    assert sorted(records, key=lambda r: (r.known_at, r.position)) == list(store.ordered())
