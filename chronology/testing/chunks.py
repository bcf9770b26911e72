"""The contract of chunked writes: a large batch written a chunk at a time is one batch.

A store whose backend :attr:`~chronology.stores.backend.Backend.writes_chunks` prepares and
seals a batch longer than its ``chunk_size`` a chunk at a time, inside one transaction
(:meth:`.Store.extend`, :meth:`.Backend.write_chunks`). :class:`ChunkedWritesContract` (a
base of :class:`~chronology.testing.ChronicleContract`, so every store's contract runs it)
writes batches in chunks of three and checks that they give what one batch gives: the same
positions, ``recorded_at`` and hashes, duplicates and retraction targets found in earlier
chunks, and nothing at all stored when a later chunk fails. A backend that does not write in
chunks writes each batch whole, and passes as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest

from chronology.chronicle import Chronicle
from chronology.errors import EventError, RetractionError
from chronology.events import AgendaChanged, Event, Retracted, VisitAnnounced
from chronology.record import Record
from chronology.stores.base import Store
from chronology.testing.clock import TICK, FakeClock
from chronology.testing.model import event_id, record_key

__all__ = ["CHUNK", "ChunkedWritesContract"]

#: The chunk size of the contract's chunked stores (a batch of ten is four chunks).
CHUNK: Final = 3

_T0: Final = datetime(2024, 4, 1, 12, tzinfo=UTC)


def _log(count: int, start: datetime, item: str) -> list[Event]:
    """``count`` events about three subjects, a minute apart in assertion time."""
    return [
        AgendaChanged(
            subject=f"visit/{i % 3}", known_at=start + timedelta(minutes=i), added=(f"{item} {i}",)
        )
        for i in range(count)
    ]


def _state(c: Chronicle) -> dict[str, Any]:
    """Everything a chunked batch could leave behind: the records, the retractions, the
    subjects, the head, a view and a history."""
    store = c.store
    return {
        "records": [record_key(r) for r in c],
        "retractions": [record_key(r) for r in store.retractions()],
        "subjects": store.subjects(),
        "head": c.head(),
        "view": c.as_of("2030-01-01").expectations(),
        "history": c.history("visit/1"),
    }


class ChunkedWritesContract:
    """Chunked batches, against each store of the contract (see the module documentation).

    :meth:`new_chunked_store` makes the store written in chunks; by default it wraps the
    backend of :meth:`~chronology.testing.ChronicleContract.new_store` in a
    :class:`~chronology.stores.base.Store` with a ``chunk_size`` of :data:`CHUNK`.
    """

    new_store: Callable[[], Store]
    _opened: list[Chronicle]

    def new_chunked_store(self, chunk_size: int) -> Store:
        """A fresh, empty store whose :meth:`.Store.extend` writes ``chunk_size`` events a
        chunk (when its backend writes in chunks)."""
        return Store(self.new_store().backend, chunk_size=chunk_size)

    def _pair(self) -> tuple[Chronicle, Chronicle, FakeClock]:
        """A chronicle on a chunked store and one in memory (each batch whole), read by one
        clock."""
        clock = FakeClock()
        chunked = Chronicle(store=self.new_chunked_store(CHUNK), clock=clock, max_skew=None)
        self._opened.append(chunked)
        return chunked, Chronicle(clock=clock, max_skew=None), clock

    def test_a_chunked_batch_gives_the_records_of_one_batch(self) -> None:
        """Ten events a batch (four chunks), after a batch stored before: the records returned
        and stored, positions, ``recorded_at`` and hashes, are those of one batch, and the
        views and histories answer the same."""
        chunked, whole, clock = self._pair()
        for c in (chunked, whole):
            c.extend(_log(4, _T0, "early"))
        clock.advance()
        batch = _log(10, _T0 + timedelta(days=1), "late")
        expected = whole.extend(batch)
        actual = chunked.extend(batch)
        assert [record_key(r) for r in expected] == [record_key(r) for r in actual]
        assert [5 + k for k in range(10)] == [r.position for r in actual]
        assert [clock() + k * TICK for k in range(10)] == [r.recorded_at for r in actual]
        assert _state(whole) == _state(chunked)
        assert 14 == chunked.verify()

    def test_duplicates_and_retractions_reach_back_to_earlier_chunks(self) -> None:
        """A batch repeating an event of its first chunk and one stored before, and
        retracting an event of its second chunk: the repeats are the records already made, the
        retraction finds its target, as in one batch."""
        chunked, whole, clock = self._pair()
        stored = VisitAnnounced(subject="visit/0", known_at=_T0, visitor="V")
        for c in (chunked, whole):
            c.append(stored)
        clock.advance()
        batch = _log(7, _T0 + timedelta(days=1), "item")
        retraction = Retracted(
            subject="visit/1", known_at=_T0 + timedelta(days=2), target=event_id(batch[4])
        )
        batch += [batch[0], stored, retraction, batch[6]]
        expected = whole.extend(batch)
        actual = chunked.extend(batch)
        assert [record_key(r) for r in expected] == [record_key(r) for r in actual]
        assert actual[7] == actual[0]
        assert 1 == actual[8].position
        assert actual[10] == actual[6]
        assert [9] == [r.position for r in chunked.store.retractions()]
        assert _state(whole) == _state(chunked)
        assert event_id(batch[4]) not in {r.event_id for r in chunked.as_of("2030-01-01").records()}
        assert 9 == chunked.verify()

    @pytest.mark.parametrize("fault", ["retraction", "not an event"])
    def test_a_failing_last_chunk_appends_nothing(self, fault: str) -> None:
        """The tenth event of a batch (alone in the fourth chunk) is refused: the three chunks
        before it are not stored either, and the next batch follows the last one stored."""
        chunked, _, clock = self._pair()
        chunked.extend(_log(4, _T0, "early"))
        before = _state(chunked)
        batch: list[Any] = _log(10, _T0 + timedelta(days=1), "late")
        if fault == "retraction":
            batch[9] = Retracted(subject="visit/0", known_at=_T0, target="0" * 32)
            error: type[Exception] = RetractionError
            message = r"events\[9\] .*'0{32}' is not in the chronicle"
        else:
            batch[9] = "not an event"
            error, message = EventError, r"events\[9\]: expected a chronology Event, got str"
        with pytest.raises(error, match=message):
            chunked.extend(batch)
        assert before == _state(chunked)
        assert all(chunked.record(event_id(e)) is None for e in batch[:9])
        assert 4 == chunked.verify()
        clock.advance()
        again: list[Record] = chunked.extend(batch[:9])
        assert list(range(5, 14)) == [r.position for r in again]
        assert 13 == chunked.verify()
