"""The in-memory store: the reference implementation of the store contract."""

from __future__ import annotations

import bisect
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime

from chronology.events import Retracted
from chronology.record import Head, Pending, Record, seal
from chronology.stores.base import RawRecord, Store

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """Records in a Python list, with indexes by event id, subject and assertion time.

    Thread-safe for appends: a lock makes each batch one transaction.
    """

    def __init__(self) -> None:
        self._records: list[Record] = []
        self._payloads: list[str] = []
        self._by_id: dict[str, Record] = {}
        self._by_subject: dict[str, list[Record]] = {}
        self._retractions: list[Record] = []
        # (known_at, position) keys and their records, kept sorted.
        self._order_keys: list[tuple[datetime, int]] = []
        self._ordered: list[Record] = []
        self._lock = threading.Lock()

    def _find(self, ids: Collection[str]) -> dict[str, Record]:
        return {i: self._by_id[i] for i in ids if i in self._by_id}

    def append(self, batch: Sequence[Pending], clock: Callable[[], datetime]) -> list[Record]:
        with self._lock:
            last = self._records[-1] if self._records else None
            head = Head(last.position, last.hash, last.recorded_at) if last else None
            sealed = seal(batch, head, self._find, clock)
            self._insert(sealed.new, sealed.payloads)
            return sealed.results

    def _insert(self, new: list[Record], payloads: list[str]) -> None:
        if not new:
            return
        self._records.extend(new)
        self._payloads.extend(payloads)
        tail_key = self._order_keys[-1] if self._order_keys else None
        in_order = True
        for r in new:
            self._by_id[r.event_id] = r
            self._by_subject.setdefault(r.event.subject, []).append(r)
            if isinstance(r.event, Retracted):
                self._retractions.append(r)
            key = (r.event.known_at, r.position)
            if tail_key is not None and key < tail_key:
                in_order = False
            tail_key = key
        if in_order:
            self._order_keys.extend((r.event.known_at, r.position) for r in new)
            self._ordered.extend(new)
        elif len(new) > 64:
            merged = sorted(self._ordered + new, key=lambda r: (r.event.known_at, r.position))
            self._ordered = merged
            self._order_keys = [(r.event.known_at, r.position) for r in merged]
        else:
            for r in new:
                key = (r.event.known_at, r.position)
                i = bisect.bisect_right(self._order_keys, key)
                self._order_keys.insert(i, key)
                self._ordered.insert(i, r)

    def __len__(self) -> int:
        return len(self._records)

    def records(self) -> Iterator[Record]:
        return iter(self._records[:])

    def ordered(self, until: datetime | None = None) -> Iterable[Record]:
        if until is None:
            return self._ordered[:]
        # Every key (t, p) with t <= until sorts before (until, maxsize).
        end = bisect.bisect_right(self._order_keys, (until, sys.maxsize))
        return self._ordered[:end]

    def subject_records(self, subject: str) -> list[Record]:
        return list(self._by_subject.get(subject, ()))

    def retractions(self) -> list[Record]:
        return list(self._retractions)

    def raw(self) -> Iterator[RawRecord]:
        with self._lock:
            records, payloads = self._records[:], self._payloads[:]
        for r, payload in zip(records, payloads, strict=True):
            yield RawRecord(r.position, r.event_id, r.recorded_at.isoformat(), payload, r.hash)

    def get(self, event_id: str) -> Record | None:
        return self._by_id.get(event_id)
