"""A whole store in a few dozen lines: records in a Python list, for docs/howto/write-a-store.md.

tests/test_contract_list_store.py runs the shipped contract (:mod:`chronology.testing`) on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta

from chronology.events import Retracted
from chronology.record import Batch, Record, Tip, seal
from chronology.stores.base import RawRecord, Store


class ListStore(Store):
    """Records in a list (position ``p`` at index ``p - 1``), with the exact hashed texts."""

    def __init__(self) -> None:
        self._records: list[Record] = []
        self._texts: list[tuple[str, str]] = []  # (recorded_at, payload), exactly as hashed
        self._by_id: dict[str, Record] = {}
        self._retractions: list[int] = []
        self._lock = threading.Lock()

    def append(
        self, batch: Batch, clock: Callable[[], datetime], *, max_skew: timedelta | None = None
    ) -> list[Record]:
        with self._lock:  # one transaction: read the head, seal, store
            last = self._records[-1] if self._records else None
            head = None if last is None else Tip(last.position, last.hash, last.recorded_at)
            sealed = seal(batch, head, self._find, clock, max_skew)
            texts = zip(sealed.recorded_texts, sealed.payloads, strict=True)
            # Readers take the list as it is: replacing it whole shows them whole batches only.
            self._texts = [*self._texts, *texts]
            self._by_id.update((r.event_id, r) for r in sealed.new)
            self._retractions = [*self._retractions, *sealed.retractions]
            self._records = [*self._records, *sealed.new]
            return sealed.results

    def _find(self, batch: Batch) -> Mapping[str, Record]:
        """The stored records of the batch's events and of its retractions' targets."""
        wanted = [*batch.ids, *(e.target for e in batch.events if isinstance(e, Retracted))]
        return {i: self._by_id[i] for i in wanted if i in self._by_id}

    def __len__(self) -> int:
        return len(self._records)

    def records_after(self, position: int) -> Iterator[Record]:
        return iter(self._records[max(position, 0) :])

    def ordered_between(self, after: datetime | None, until: datetime | None) -> list[Record]:
        chosen = [
            r
            for r in self._records
            if (after is None or r.known_at > after) and (until is None or r.known_at <= until)
        ]
        return sorted(chosen, key=lambda r: (r.known_at, r.position))

    def subject_records(self, subject: str) -> list[Record]:
        return [r for r in self._records if r.subject == subject]

    def retractions(self) -> list[Record]:
        records = self._records
        return [records[p - 1] for p in self._retractions if p <= len(records)]

    def raw(self) -> Iterator[RawRecord]:
        records, texts = self._records, self._texts
        for r, (recorded_at, payload) in zip(records, texts[: len(records)], strict=True):
            yield RawRecord(r.position, r.event_id, recorded_at, payload, r.hash)

    def get(self, event_id: str) -> Record | None:
        record = self._by_id.get(event_id)  # left out if its batch is still being stored
        return record if record is not None and record.position <= len(self._records) else None
