"""The memory store keeps records as their parts and makes a Record when one is read: every way
of reading gives back the records ``extend`` returned, readers see whole batches, and a batch
interrupted half-way leaves nothing behind."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import events, known_ats, retractions_of

from chronology import Chronicle, Record
from chronology.events import AgendaChanged, Event, Retracted, VisitCancelled
from chronology.record import prepare
from chronology.stores import MemoryBackend, MemoryStore

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _agenda(subject: str, at: datetime, item: str) -> AgendaChanged:
    return AgendaChanged(subject=subject, known_at=at, added=(item,))


def _reads(store: MemoryStore, ids: list[str], subjects: set[str]) -> dict[str, Any]:
    """Everything a reader can ask the store, as plain values."""
    return {
        "len": len(store),
        "records": list(store.records()),
        "ordered": list(store.ordered()),
        "between": list(store.ordered_events_between(None, None)),
        "after": list(store.records_after(1)),
        "subjects": {s: store.subject_records(s) for s in sorted(subjects)},
        "retractions": store.retractions(),
        "get": [store.get(i) for i in ids],
        "raw": list(store.raw()),
    }


def _check_reads(store: MemoryStore, returned: dict[int, Record]) -> None:
    """Every read of ``store`` agrees with the records ``extend`` returned."""
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
    by_order = sorted(stored, key=lambda r: (r.known_at, r.position))
    assert by_order == list(store.ordered())
    assert [(r.position, r.event_id, r.event) for r in by_order] == list(
        store.ordered_events_between(None, None)
    )
    assert [(r.position, r.event_id, r.recorded_at.isoformat(), r.hash) for r in stored] == [
        (raw.position, raw.event_id, raw.recorded_at, raw.hash) for raw in store.raw()
    ]


@given(st.lists(st.tuples(known_ats(), events()), min_size=1, max_size=30), st.data())
def test_every_read_gives_the_records_extend_returned(
    items: list[tuple[datetime, Event]], data: st.DataObject
) -> None:
    """Batches of any size, with events repeated from the same or an earlier batch, late
    arrivals, and retractions of stored events (and of retractions)."""
    store = MemoryStore()
    c = Chronicle(store=store)
    pending = [attrs.evolve(e, known_at=k) for k, e in items]
    returned: dict[int, Record] = {}
    while pending:
        size = data.draw(st.integers(1, len(pending)))
        batch: list[Event] = pending[:size]
        stored = [returned[p] for p in sorted(returned)]
        if bool(stored) and data.draw(st.booleans()):  # an event stored by an earlier batch
            batch.append(data.draw(st.sampled_from(stored)).event)
        if data.draw(st.booleans()):  # an event repeated in the same batch
            batch.append(batch[0])
        if bool(stored) and data.draw(st.booleans()):  # retract a stored record, maybe a retraction
            target = data.draw(st.sampled_from(stored))
            retracted = {r.event.target for r in stored if isinstance(r.event, Retracted)} | {
                e.target for e in batch if isinstance(e, Retracted)
            }
            if target.event_id not in retracted:
                batch.append(data.draw(retractions_of(target.event, target.event_id)))
        for r in c.extend(batch):
            assert returned.setdefault(r.position, r) == r
        pending = pending[size:]
    _check_reads(store, returned)
    assert len(returned) == c.verify()


def test_late_records_tied_with_stored_ones_follow_them() -> None:
    """A late record said at the same instant as a stored one comes after it (higher
    position), for small and large late batches."""
    for late in (10, 600):
        c = Chronicle()
        first = c.extend(
            _agenda(f"visit/{i % 7}", T0 + timedelta(hours=i), "a") for i in range(late)
        )
        second = c.extend(
            _agenda(f"visit/{i % 5}", T0 + timedelta(hours=i), "b") for i in range(late - 1, -1, -1)
        )
        ordered = list(c.store.ordered())
        assert 2 * late == len(ordered)
        assert sorted([*first, *second], key=lambda r: (r.known_at, r.position)) == ordered
        for stored, arrived in zip(ordered[::2], ordered[1::2], strict=True):
            assert stored.known_at == arrived.known_at
            assert stored.position <= late < arrived.position


def test_a_record_read_twice_is_equal_not_shared() -> None:
    """Records are values made on read; the event inside is the one stored."""
    c = Chronicle()
    (first,) = c.extend([_agenda("visit/1", T0, "a")])
    again = c.record(first.event_id)
    assert first == again
    assert first is not again
    assert again is not None
    assert first.event is again.event
    assert c.store.get("no such id") is None
    assert [first] == list(c.store.records_after(-3))  # as the SQLite store: every record


def _rows_of(store: MemoryStore) -> MemoryBackend:
    backend = store.backend
    assert isinstance(backend, MemoryBackend)
    return backend


def _during_insert(store: MemoryStore, look: Callable[[], None]) -> None:
    """Call ``look`` twice in the middle of every batch stored: once the parts and the id and
    subject indexes have it, and again once the order index has it too; the count not yet."""
    order = _rows_of(store)._order

    def spying(indexes: list[int], known: list[datetime]) -> None:
        look()
        order(indexes, known)
        look()

    _rows_of(store)._order = spying  # type: ignore[method-assign]


@pytest.mark.parametrize("late", [False, True])
def test_a_batch_being_stored_is_invisible_to_readers(late: bool) -> None:
    store = MemoryStore()
    c = Chronicle(store)
    c.extend(_agenda(f"visit/{i % 3}", T0 + timedelta(hours=i), "a") for i in range(20))
    start = T0 + timedelta(hours=-30 if late else 30)
    batch = [_agenda(f"visit/{i % 4}", start + timedelta(minutes=i), "b") for i in range(10)]
    retraction = Retracted(
        subject="visit/0", known_at=start, target=next(iter(store.records())).event_id
    )
    ids = [r.event_id for r in store.records()] + prepare([*batch, retraction]).ids
    subjects = {f"visit/{i}" for i in range(4)}
    before = _reads(store, ids, subjects)
    seen: list[dict[str, Any]] = []
    _during_insert(store, lambda: seen.append(_reads(store, ids, subjects)))
    new = c.extend([*batch, retraction])
    assert [before, before] == seen
    assert 31 == len(store)
    assert all(r == store.get(r.event_id) for r in new)


@pytest.mark.parametrize("late", [False, True])
def test_an_interrupted_batch_leaves_nothing_behind(late: bool) -> None:
    """Ctrl-C (or a MemoryError) half-way through storing a batch: the store is as it was,
    and the next batch chains on from the last whole one."""
    store = MemoryStore()
    c = Chronicle(store)
    c.extend(_agenda(f"visit/{i % 3}", T0 + timedelta(hours=i), "a") for i in range(20))
    stored = list(store.records())
    target = stored[4]
    start = T0 + timedelta(hours=-30 if late else 30)
    batch: list[Event] = [
        _agenda(f"visit/{i % 5}", start + timedelta(minutes=i), "b") for i in range(12)
    ]
    batch.append(Retracted(subject=target.subject, known_at=start, target=target.event_id))
    ids = [r.event_id for r in stored]
    subjects = {f"visit/{i}" for i in range(5)}
    before = _reads(store, ids, subjects)
    order = _rows_of(store)._order

    def interrupted(indexes: list[int], known: list[datetime]) -> None:
        order(indexes, known)  # the order index has it too: all but the count
        raise KeyboardInterrupt

    _rows_of(store)._order = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        c.extend(batch)
    del _rows_of(store)._order
    assert before == _reads(store, ids, subjects)
    assert all(store.get(i) is None for i in prepare(batch).ids)
    again = c.extend(batch)
    assert [r.position for r in again] == list(range(21, 34))
    assert 33 == c.verify()
    returned = {r.position: r for r in [*stored, *again]}
    _check_reads(store, returned)
    folded = c.as_of(start + timedelta(days=99)).records()
    assert target.event_id not in {r.event_id for r in folded}


def test_readers_see_whole_batches_while_a_writer_appends() -> None:
    store = MemoryStore()
    c = Chronicle(store)
    batch_size, batches = 50, 60
    done = threading.Event()
    seen: set[int] = set()
    failures: list[str] = []

    def reader() -> None:
        while not done.is_set():
            n = len(store)
            records = list(store.records())
            ordered = list(store.ordered())
            late = list(store.ordered_events_between(None, T0 - timedelta(hours=1)))
            seen.add(len(records))
            for name, got in (("records", records), ("ordered", ordered)):
                if len(got) % batch_size or len(got) < n:
                    failures.append(f"{name}() saw {len(got)} records after len() said {n}")
            if [r.position for r in records] != list(range(1, len(records) + 1)):
                failures.append("records() out of position order")
            if sorted(ordered, key=lambda r: r.position)[: len(records)] != records:
                failures.append("ordered() and records() disagree")
            if len(late) % batch_size:
                failures.append(f"ordered_events_between() saw {len(late)} late records")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for b in range(batches):
            # Every other batch arrives late: said before everything already stored.
            base = T0 + timedelta(days=b if b % 2 == 0 else -b)
            c.extend(
                _agenda(f"visit/{i % 7}", base + timedelta(minutes=i), f"{b}-{i}")
                for i in range(batch_size)
            )
    finally:
        done.set()
        thread.join()
    assert [] == failures
    assert len(seen) > 2  # the reader saw the store between batches, not only at the ends
    assert batch_size * batches == len(store) == c.verify()
    records = list(store.records())
    assert sorted(records, key=lambda r: (r.known_at, r.position)) == list(store.ordered())


def test_subjects_can_be_listed_while_a_writer_adds_subjects() -> None:
    """``subjects()`` (what an unknown subject's suggestion reads) walked the store's dict of
    subjects while another thread's batches added to it: "dictionary changed size during
    iteration". Threads switch often here so that the two overlap within the time given."""
    chronicle = Chronicle()
    errors: list[BaseException] = []
    done = threading.Event()

    def write() -> None:
        for i in range(4_000):
            if done.is_set():
                return
            chronicle.extend(
                VisitCancelled(subject=f"visit/{i}-{j}", known_at="2024-01-01") for j in range(5)
            )

    def read() -> None:
        while not done.is_set():
            try:
                chronicle.store.subjects()
            except RuntimeError as exc:
                errors.append(exc)
                return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=write), threading.Thread(target=read)]
        for thread in threads:
            thread.start()
        threads[0].join(timeout=3)
        done.set()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert [] == errors
    assert sorted({r.event.subject for r in chronicle}) == chronicle.store.subjects()
