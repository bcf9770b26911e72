"""The one store over any backend: what it does for every backend (sealing inside the backend's
write, the backend's own clock, duplicates refused by a unique index, read-only backends, the
decoded-record cache, the optional snapshot shelf)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from list_store import ListBackend

from chronology import Chronicle
from chronology.errors import ReadOnlyError
from chronology.events import Retracted, VisitCancelled
from chronology.record import Sealed
from chronology.stores import MemoryStore, Store
from chronology.stores.backend import DuplicateRowError, Row, Sealer, SnapshotShelf
from chronology.testing.clock import FakeClock

T0 = datetime(2024, 4, 3, 12, tzinfo=UTC)


def _cancelled(i: int) -> VisitCancelled:
    return VisitCancelled(subject=f"visit/{i % 3}", known_at=T0 + timedelta(hours=i), reason="r")


class UniqueBackend(ListBackend):
    """A list backend with a unique index: a row whose event is stored is refused."""

    refuses_duplicates = True

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.refused = 0

    def write(self, seal: Sealer) -> Sealed:
        self.writes += 1

        def checked(last: Row | None, now: datetime | None) -> Sealed:
            sealed = seal(last, now)
            stored = {row[1] for row in self._rows}
            if any(event_id in stored for event_id in sealed.ids):
                self.refused += 1
                raise DuplicateRowError("records_subject")
            return sealed

        return super().write(checked)


def test_a_batch_the_unique_index_refuses_is_sealed_again_with_its_duplicates() -> None:
    backend = UniqueBackend()
    c = Chronicle(Store(backend), clock=FakeClock())
    first = c.extend([_cancelled(i) for i in range(4)])
    assert (1, 0) == (backend.writes, backend.refused)  # nothing looked up, nothing refused
    again = c.extend([_cancelled(5), _cancelled(2), _cancelled(6)])
    assert (3, 1) == (backend.writes, backend.refused)  # refused once, then sealed again
    assert [5, 3, 6] == [r.position for r in again]
    assert first[2] == again[1]
    assert 6 == len(c) == c.verify()


def test_a_batch_whose_first_event_is_stored_looks_duplicates_up_at_once() -> None:
    backend = UniqueBackend()
    c = Chronicle(Store(backend), clock=FakeClock())
    first = c.extend([_cancelled(i) for i in range(4)])
    assert first == c.extend([_cancelled(i) for i in range(4)])
    assert (2, 0) == (backend.writes, backend.refused)


class ServerClockBackend(ListBackend):
    """A list backend that reads its own clock inside each write, as a server does."""

    def __init__(self, now: datetime) -> None:
        super().__init__()
        self.now = now

    def write(self, seal: Sealer) -> Sealed:
        return super().write(lambda last, _: seal(last, self.now))


def test_a_backend_with_its_own_clock_decides_recorded_at() -> None:
    server = datetime(2030, 1, 1, tzinfo=UTC)
    c = Chronicle(Store(ServerClockBackend(server)), clock=FakeClock())
    records = c.extend([_cancelled(0), _cancelled(1)])
    assert [server, server + timedelta(microseconds=1)] == [r.recorded_at for r in records]
    assert 2 == c.verify()


class ReadOnlyBackend(ListBackend):
    read_only = True

    def write(self, seal: Sealer) -> Sealed:
        raise AssertionError("the store wrote to a read-only backend")

    def __str__(self) -> str:
        return "archive.db"


def test_the_store_refuses_to_write_to_a_read_only_backend() -> None:
    c = Chronicle(Store(ReadOnlyBackend()))
    with pytest.raises(ReadOnlyError, match=r"^archive\.db: opened read-only; cannot append$"):
        c.append(_cancelled(0))
    assert 0 == len(c)


def test_records_read_one_at_a_time_are_kept_decoded_up_to_the_cache_size() -> None:
    backend = ListBackend()
    cached, uncached = Store(backend, cache_size=2), Store(backend, cache_size=0)
    records = Chronicle(cached, clock=FakeClock()).extend([_cancelled(i) for i in range(4)])
    assert records[1] == cached.get(records[1].event_id) == uncached.get(records[1].event_id)
    assert cached.get(records[1].event_id) is cached.get(records[1].event_id)
    assert uncached.get(records[1].event_id) is not uncached.get(records[1].event_id)
    for r in records:  # the two least recently used fall out
        cached.get(r.event_id)
    kept = cached.get(records[3].event_id)
    assert kept is cached.get(records[3].event_id)
    first = cached.get(records[0].event_id)
    cached.get(records[2].event_id)
    cached.get(records[3].event_id)
    assert first is not cached.get(records[0].event_id)


def test_retractions_are_listed_from_the_positions_the_backend_marks() -> None:
    c = Chronicle(Store(ListBackend()), clock=FakeClock())
    stored = c.extend([_cancelled(i) for i in range(3)])
    undo = Retracted(
        subject=stored[1].subject, known_at=T0 + timedelta(days=1), target=stored[1].event_id
    )
    retraction = c.append(undo)
    assert [retraction] == c.store.retractions()
    assert [4] == c.store.backend.retraction_positions(len(c))


class Shelf(SnapshotShelf):
    def __init__(self) -> None:
        self.kept: list[tuple[int, str]] = []

    def load(self) -> list[tuple[int, str]]:
        return list(self.kept)

    def save(self, valid_to: int, text: str) -> None:
        self.kept.append((valid_to, text))

    def clear(self) -> None:
        self.kept.clear()


class ShelvedBackend(ListBackend):
    def __init__(self) -> None:
        super().__init__()
        self.shelf = Shelf()

    def snapshot_shelf(self) -> SnapshotShelf:
        return self.shelf


def test_a_backend_may_offer_a_shelf_for_snapshots() -> None:
    assert MemoryStore().snapshot_shelf() is None
    backend = ShelvedBackend()
    assert backend.shelf is Store(backend).snapshot_shelf()
