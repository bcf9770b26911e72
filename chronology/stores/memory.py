"""The in-memory store: the reference implementation of the store contract."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from chronology.events import Retracted
from chronology.record import Batch, Head, Record, seal
from chronology.serialization import payload_of
from chronology.stores.base import RawRecord, Store

__all__ = ["MemoryStore"]


#: Above this many late records in one batch, re-sorting beats inserting them one by one.
_MERGE_ABOVE = 256


def _known_at(r: Record) -> datetime:
    return r.event.known_at


class MemoryStore(Store):
    """Records in a Python list, with indexes by event id, subject and assertion time.

    Thread-safe for appends: a lock makes each batch one transaction. The store keeps the
    events themselves, not their text: :meth:`raw` derives each payload again from its frozen
    event (serialization is deterministic, so it is the text that was hashed; an event changed
    in place since would fail :meth:`Chronicle.verify <chronology.Chronicle.verify>`). That
    keeps a million-event chronicle well inside a gigabyte.
    """

    def __init__(self) -> None:
        self._records: list[Record] = []
        self._by_id: dict[str, Record] = {}
        self._by_subject: dict[str, list[Record]] = {}
        self._retractions: list[Record] = []
        # The records in (known_at, position) order, and their known_at in the same order. A
        # record is always stored after every record already held, so inserting it after the
        # last one with the same known_at keeps ties in position order.
        self._known: list[datetime] = []
        self._ordered: list[Record] = []
        self._lock = threading.Lock()

    def _find(self, batch: Batch) -> dict[str, Record]:
        by_id = self._by_id
        if not by_id:
            return {}
        found = {i: by_id[i] for i in filter(by_id.__contains__, batch.ids)}
        for event in batch.events:
            if isinstance(event, Retracted):
                target = by_id.get(event.target)
                if target is not None:
                    found[event.target] = target
        return found

    def append(self, batch: Batch, clock: Callable[[], datetime]) -> list[Record]:
        with self._lock:
            last = self._records[-1] if self._records else None
            head = Head(last.position, last.hash, last.recorded_at) if last else None
            sealed = seal(batch, head, self._find, clock)
            self._insert(sealed.new)
            return sealed.results

    def _insert(self, new: list[Record]) -> None:
        if not new:
            return
        self._records.extend(new)
        by_id = self._by_id
        by_subject = self._by_subject
        known = [r.event.known_at for r in new]
        for r in new:
            event = r.event
            by_id[r.event_id] = r
            subject_list = by_subject.get(event.subject)
            if subject_list is None:
                by_subject[event.subject] = [r]
            else:
                subject_list.append(r)
            if isinstance(event, Retracted):
                self._retractions.append(r)
        tail = self._known[-1] if self._known else None
        if (tail is None or tail <= known[0]) and sorted(known) == known:
            self._known.extend(known)
            self._ordered.extend(new)
            return
        order = sorted(range(len(new)), key=known.__getitem__)  # stable: ties keep positions
        # Records said before the last one held are late: they go inside the order, the rest
        # after it (a record said at the same instant as the last goes after it: its position
        # is higher).
        cut = 0 if tail is None else bisect.bisect_left([known[i] for i in order], tail)
        late, fresh = order[:cut], order[cut:]
        if len(late) > _MERGE_ABOVE:
            # Timsort merges the two sorted runs in one pass, cheaper than many inserts.
            merged = self._ordered + [new[i] for i in late]
            merged.sort(key=_known_at)
            self._ordered = merged
            self._known = [r.event.known_at for r in merged]
        else:
            for i in late:
                at = bisect.bisect_right(self._known, known[i])
                self._known.insert(at, known[i])
                self._ordered.insert(at, new[i])
        self._known.extend(known[i] for i in fresh)
        self._ordered.extend(new[i] for i in fresh)

    def __len__(self) -> int:
        return len(self._records)

    def records(self) -> Iterator[Record]:
        return iter(self._records[:])

    def ordered(self, until: datetime | None = None) -> Iterable[Record]:
        if until is None:
            return self._ordered[:]
        return self._ordered[: bisect.bisect_right(self._known, until)]

    def ordered_between(self, after: datetime | None, until: datetime | None) -> Iterable[Record]:
        known = self._known
        start = 0 if after is None else bisect.bisect_right(known, after)
        end = len(known) if until is None else bisect.bisect_right(known, until)
        return self._ordered[start:end]

    def records_after(self, position: int) -> Iterator[Record]:
        return iter(self._records[position:])

    def subject_records(self, subject: str) -> list[Record]:
        return list(self._by_subject.get(subject, ()))

    def retractions(self) -> list[Record]:
        return list(self._retractions)

    def raw(self) -> Iterator[RawRecord]:
        with self._lock:
            records = self._records[:]
        for r in records:
            yield RawRecord(
                r.position, r.event_id, r.recorded_at.isoformat(), payload_of(r.event), r.hash
            )

    def get(self, event_id: str) -> Record | None:
        return self._by_id.get(event_id)
