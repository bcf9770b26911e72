"""The in-memory store: records kept in Python lists, for a chronicle that lives as long as its
process (the default of :class:`~chronology.Chronicle`)."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from chronology.errors import IntegrityError
from chronology.events import Event, Retracted
from chronology.record import Batch, Record, Sealed, Tip, new_record, seal
from chronology.serialization import payload_of
from chronology.stores.base import RawRecord, Store
from chronology.stores.order_index import OrderIndex

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """Records in Python lists, with indexes by event id, subject and assertion time.

    Thread-safe for appends: a lock makes each batch one transaction. The store keeps the
    events themselves, not their text: :meth:`raw` derives each payload again from its frozen
    event (serialization is deterministic, so it is the text that was hashed; an event changed
    in place since would fail :meth:`Chronicle.verify <chronology.Chronicle.verify>`).

    A record is kept as its parts, in parallel lists (events, ids, ``recorded_at``, hashes),
    and the indexes hold list indexes, not records: a :class:`~chronology.record.Record` is
    made when one is read. Python's cyclic garbage collector walks every container object
    kept, again and again as the log grows; kept this way a record adds its event (and the
    event's window or quantity) and no ``Record`` object, and a million-event chronicle stays
    well inside a gigabyte. A fold (:meth:`ordered_events_between`) reads the parts directly.
    """

    def __init__(self) -> None:
        # Record i (0-based) has position i + 1.
        self._events: list[Event] = []
        self._ids: list[str] = []
        self._recorded: list[datetime] = []
        self._hashes: list[str] = []
        #: How many records are whole: set after every list has its batch.
        self._count = 0
        self._by_id: dict[str, int] = {}
        self._by_subject: dict[str, list[int]] = {}
        self._retractions: list[int] = []
        # Indexes in (known_at, position) order; late batches cost a logarithmic insert each.
        self._order_index = OrderIndex(self._known_at_of)
        self._lock = threading.Lock()

    # Readers take no lock (but the order index's own, held briefly). Each list is only ever
    # extended at its end, and ``_count`` moves last: an index at or past the count a reader
    # took first belongs to a batch still being stored, and is left out.

    def _known_at_of(self, i: int) -> datetime:
        return self._events[i].known_at

    def _record(self, i: int) -> Record:
        return new_record(i + 1, self._ids[i], self._recorded[i], self._events[i], self._hashes[i])

    def _records(self, indexes: Iterable[int]) -> list[Record]:
        events, ids, recorded, hashes = self._events, self._ids, self._recorded, self._hashes
        return [new_record(i + 1, ids[i], recorded[i], events[i], hashes[i]) for i in indexes]

    def _find(self, batch: Batch) -> dict[str, Record]:
        by_id = self._by_id
        if not by_id:
            return {}
        found = {i: self._record(by_id[i]) for i in filter(by_id.__contains__, batch.ids)}
        for event in batch.events:
            if isinstance(event, Retracted):
                target = by_id.get(event.target)
                if target is not None:
                    found[event.target] = self._record(target)
        return found

    def append(
        self,
        batch: Batch,
        clock: Callable[[], datetime],
        *,
        max_skew: timedelta | None = None,
    ) -> list[Record]:
        with self._lock:
            n = self._count
            head = Tip(n, self._hashes[n - 1], self._recorded[n - 1]) if n else None
            sealed = seal(batch, head, self._find, clock, max_skew)
            self._insert(sealed)
            return sealed.results

    def _insert(self, sealed: Sealed) -> None:
        new = sealed.new
        if not new:
            return
        start = self._count
        try:
            self._add(sealed, start)
        except BaseException:
            # Interrupted half-way (Ctrl-C, MemoryError): take every part of the batch back,
            # so that nothing of it stays and the next batch follows the last whole one.
            self._take_back(sealed, start)
            raise
        self._count = start + len(new)

    def _add(self, sealed: Sealed, start: int) -> None:
        """Store the parts of a sealed batch and index them (all but the count)."""
        new = sealed.new
        events = [r.event for r in new]
        ids = sealed.ids
        self._events.extend(events)
        self._ids.extend(ids)
        self._recorded.extend([r.recorded_at for r in new])
        self._hashes.extend(sealed.hashes)
        # One int object per index, shared by every index below.
        indexes = list(range(start, start + len(new)))
        self._by_id.update(zip(ids, indexes, strict=True))
        self._retractions.extend(position - 1 for position in sealed.retractions)
        by_subject = self._by_subject
        known = [e.known_at for e in events]
        for i, event in zip(indexes, events, strict=True):
            subject_list = by_subject.get(event.subject)
            if subject_list is None:
                by_subject[event.subject] = [i]
            else:
                subject_list.append(i)
        self._order(indexes, known)

    def _take_back(self, sealed: Sealed, start: int) -> None:
        """Undo a batch :meth:`_add` did not finish (readers never saw it: it is at or past
        the count)."""
        for part in (self._events, self._ids, self._recorded, self._hashes):
            del part[start:]
        for event_id in sealed.ids:
            self._by_id.pop(event_id, None)
        for r in sealed.new:
            subject_list = self._by_subject.get(r.event.subject)
            if subject_list is None:
                continue
            while subject_list and subject_list[-1] >= start:
                subject_list.pop()
            if not subject_list:
                del self._by_subject[r.event.subject]
        while self._retractions and self._retractions[-1] >= start:
            self._retractions.pop()
        # The index may have been stopped half-way through an insert: rebuilt from the parts.
        self._order_index.reset(start)

    def _order(self, indexes: list[int], known: list[datetime]) -> None:
        """Put a batch's indexes into the ``(known_at, position)`` order."""
        self._order_index.add(indexes, known)

    def __len__(self) -> int:
        return self._count

    def _iter(self, start: int, end: int) -> Iterator[Record]:
        # Nothing below the count is ever removed, so indexes below ``end`` keep their records.
        record = self._record
        return (record(i) for i in range(start, end))

    def _ordered_slice(self, after: datetime | None, until: datetime | None) -> list[int]:
        return self._order_index.slice(after, until, self._count)

    def ordered_between(self, after: datetime | None, until: datetime | None) -> Iterable[Record]:
        return self._records(self._ordered_slice(after, until))

    def ordered_events_between(
        self, after: datetime | None, until: datetime | None
    ) -> Iterable[tuple[int, str, Event]]:
        events, ids = self._events, self._ids
        return ((i + 1, ids[i], events[i]) for i in self._ordered_slice(after, until))

    def records_after(self, position: int) -> Iterator[Record]:
        return self._iter(max(position, 0), self._count)

    def subject_records(self, subject: str) -> list[Record]:
        count = self._count
        return self._records(i for i in self._by_subject.get(subject, ()) if i < count)

    def subjects(self) -> list[str]:
        count = self._count
        return sorted(s for s, at in self._by_subject.items() if at and at[0] < count)

    def retractions(self) -> list[Record]:
        count = self._count
        return self._records(i for i in self._retractions if i < count)

    def raw(self) -> Iterator[RawRecord]:
        n = self._count
        for i in range(n):
            yield RawRecord(
                i + 1,
                self._ids[i],
                self._recorded[i].isoformat(),
                payload_of(self._events[i]),
                self._hashes[i],
            )

    def recorded_through(self, instant: datetime, upto: int) -> int:
        return bisect.bisect_right(self._recorded, instant, 0, min(upto, self._count))

    def get(self, event_id: str) -> Record | None:
        count = self._count
        i = self._by_id.get(event_id)
        return None if i is None or i >= count else self._record(i)

    def check_indexes(self, upto: int) -> None:
        """Check the indexes by id, subject and assertion time against every record (``upto``
        and the ones appended since): each record is found by its id, listed under its
        subject once, and held in the order index once with its ``known_at``, in
        ``(known_at, position)`` order. (They can only go wrong through a bug, or code that
        edits the store's lists.) One pass over each index, with appends waiting.

        Raises:
            IntegrityError: naming a record an index disagrees about: within each index, the
                first one.
        """
        with self._lock:  # appends hold it: every index is whole while it is checked
            count = self._count
            events, ids, by_id = self._events, self._ids, self._by_id
            for i in range(count):
                if by_id.get(ids[i]) != i:
                    raise IntegrityError(i + 1, "the id index does not find it by its id")
            if len(by_id) != count:  # every record is found: some entry is not a record's
                stray = min(i for key, i in by_id.items() if not 0 <= i < count or ids[i] != key)
                raise IntegrityError(
                    _near(stray, count), "the id index holds an id no record has here"
                )
            listed = 0
            for subject, indexes in self._by_subject.items():
                for before, i in zip([-1, *indexes], indexes, strict=False):
                    if not before < i < count or events[i].subject != subject:
                        raise IntegrityError(
                            _near(i, count), f"wrongly listed under the subject {subject!r}"
                        )
                listed += len(indexes)
            if listed != count:  # each one listed is listed once: some are not listed
                seen = {i for indexes in self._by_subject.values() for i in indexes}
                first = next(i for i in range(count) if i not in seen)
                raise IntegrityError(first + 1, "not listed under its subject")
            self._order_index.check(count)


def _near(i: int, count: int) -> int:
    """The position of list index ``i``, or the nearest of the ``count`` records if it is none
    of them (an index entry that points past the records)."""
    return max(1, min(i + 1, count))
