"""A large batch in memory is prepared and sealed in chunks inside its one transaction: it gives
the records one batch would give (duplicates and retraction targets in earlier chunks
included), refuses exactly as one batch would, and a failure in any chunk appends nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import events, known_ats, retractions_of

from chronology import Chronicle, Record
from chronology.errors import EventError, RetractionError
from chronology.events import AgendaChanged, Event, Retracted
from chronology.record import prepare
from chronology.stores import MemoryBackend, MemoryStore
from chronology.stores.base import Store

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _fixed_clock() -> datetime:
    return T0


def _chronicle(chunk_size: int) -> Chronicle:
    store = Store(MemoryBackend(), chunk_size=chunk_size)
    return Chronicle(store, clock=_fixed_clock, max_skew=None)


def _agenda(subject: str, at: datetime, item: str) -> AgendaChanged:
    return AgendaChanged(subject=subject, known_at=at, added=(item,))


def _backend(c: Chronicle) -> MemoryBackend:
    backend = c.store.backend
    assert isinstance(backend, MemoryBackend)
    return backend


def _everything(c: Chronicle) -> dict[str, Any]:
    store = c.store
    return {
        "records": list(store.records()),
        "ordered": list(store.ordered()),
        "raw": list(store.raw()),
        "retractions": store.retractions(),
        "subjects": store.subjects(),
        "head": c.head(),
    }


@st.composite
def _batches(draw: st.DrawFn) -> list[Event]:
    """A batch with events repeated from anywhere earlier in it, and retractions of earlier
    events (and of retractions) of the same batch."""
    items = draw(st.lists(st.tuples(known_ats(), events()), min_size=1, max_size=25))
    batch: list[Event] = []
    retracted: set[str] = set()
    for at, event in items:
        batch.append(attrs.evolve(event, known_at=at))
        if draw(st.booleans()):
            batch.append(draw(st.sampled_from(batch)))
        if draw(st.booleans()):
            target = draw(st.sampled_from(batch))
            (target_id,) = prepare([target]).ids
            if target_id not in retracted:
                retracted.add(target_id)
                batch.append(draw(retractions_of(target, target_id)))
    return batch


@given(_batches(), st.integers(1, 6), st.integers(0, 3))
def test_chunked_and_whole_batches_give_the_same_records(
    batch: list[Event], chunk_size: int, stored_first: int
) -> None:
    """Any batch, split in chunks of any size, after a few records stored (or none): the same
    records returned, the same records, hashes, positions and recorded_at stored."""
    whole, chunked = _chronicle(10_000), _chronicle(chunk_size)
    for c in (whole, chunked):
        c.extend(batch[:stored_first])
    expected = whole.extend(batch)
    actual = chunked.extend(batch)
    assert expected == actual
    assert _everything(whole) == _everything(chunked)
    assert whole.verify() == chunked.verify()


def _log(n: int, at: datetime, item: str) -> list[Event]:
    return [_agenda(f"visit/{i % 7}", at + timedelta(minutes=i), item) for i in range(n)]


def test_a_duplicate_and_a_retraction_reach_back_to_an_earlier_chunk() -> None:
    c = _chronicle(3)
    batch = _log(8, T0, "a")
    (target_id,) = prepare([batch[1]]).ids
    retraction = Retracted(subject="visit/1", known_at=T0 + timedelta(days=1), target=target_id)
    records = c.extend([*batch, batch[0], retraction])
    assert 10 == len(records)
    assert records[0] == records[8]  # the duplicate: the record of chunk one
    assert [*range(1, 9), 1, 9] == [r.position for r in records]
    assert [records[9]] == c.store.retractions()
    assert target_id not in {r.event_id for r in c.as_of(T0 + timedelta(days=2)).records()}


def test_the_batch_reads_the_clock_once() -> None:
    readings: list[datetime] = []

    def clock() -> datetime:
        readings.append(T0 + timedelta(seconds=len(readings)))
        return readings[-1]

    c = Chronicle(Store(MemoryBackend(), chunk_size=2), clock=clock)
    records = c.extend(_log(7, T0, "a"))
    assert 1 == len(readings)
    assert [T0 + timedelta(microseconds=k) for k in range(7)] == [r.recorded_at for r in records]


@pytest.mark.parametrize(
    ("bad_at", "error", "message"),
    [
        (7, EventError, "events[7]: expected a chronology Event, got str"),
        (9, RetractionError, "events[9] (retracted): target 'no such id' is not in the chronicle"),
    ],
)
def test_a_bad_event_in_a_later_chunk_appends_nothing(
    bad_at: int, error: type[Exception], message: str
) -> None:
    c = _chronicle(3)
    c.extend(_log(4, T0, "a"))
    before = _everything(c)
    batch: list[Any] = _log(12, T0 + timedelta(days=1), "b")
    batch[bad_at] = (
        "not an event"
        if error is EventError
        else Retracted(subject="visit/0", known_at=T0, target="no such id")
    )
    with pytest.raises(error) as raised:
        c.extend(batch)
    assert message == str(raised.value)
    if isinstance(raised.value, RetractionError):
        assert bad_at == raised.value.index
    assert before == _everything(c)
    assert 4 == c.verify()


@pytest.mark.parametrize("late", [False, True])
def test_an_interrupted_chunk_takes_back_the_whole_batch(late: bool) -> None:
    """Ctrl-C while the third chunk is stored: the two chunks before it are taken back too,
    and the next batch chains on from the last whole batch."""
    c = _chronicle(4)
    c.extend(_log(6, T0, "a"))
    before = _everything(c)
    batch = _log(11, T0 + timedelta(days=-1 if late else 1), "b")
    backend = _backend(c)
    order = backend._order
    calls: list[int] = []

    def interrupted(indexes: list[int], known: list[datetime]) -> None:
        calls.append(len(indexes))
        order(indexes, known)
        if len(calls) == 3:
            raise KeyboardInterrupt

    backend._order = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        c.extend(batch)
    del backend._order
    assert [4, 4, 3] == calls
    assert before == _everything(c)
    assert all(c.record(i) is None for i in prepare(batch).ids)
    again = c.extend(batch)
    assert list(range(7, 18)) == [r.position for r in again]
    assert 17 == c.verify()
    c.store.check_indexes(17)


def test_readers_see_none_of_the_chunks_until_the_batch_is_stored() -> None:
    """Another thread reading while the second chunk is stored sees the store as it was; the
    writing thread's own look-ups see the chunks stored before."""
    store = MemoryStore(chunk_size=5)
    c = Chronicle(store)
    c.extend(_log(3, T0, "a"))
    before = _everything(c)
    batch = _log(12, T0 + timedelta(days=1), "b")
    ids = prepare(batch).ids
    backend = _backend(c)
    order = backend._order
    seen: list[tuple[dict[str, Any], int, int]] = []

    def reader() -> None:
        found = sum(store.get(i) is not None for i in ids)
        seen.append((_everything(c), len(store), found))

    def spying(indexes: list[int], known: list[datetime]) -> None:
        order(indexes, known)
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join()
        assert indexes[0] == len(store)  # the writer sees the chunks before, not this one

    backend._order = spying  # type: ignore[method-assign]
    records: list[Record] = c.extend(batch)
    del backend._order
    assert [(before, 3, 0)] * 3 == seen
    assert 15 == len(store) == c.verify()
    assert records == [store.get(i) for i in ids]
