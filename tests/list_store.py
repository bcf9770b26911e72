"""A whole backend in a few dozen lines: rows in Python lists, for docs/howto/write-a-store.md.

tests/test_contract_list_store.py runs the shipped contract (:mod:`chronology.testing`) on the
store over it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime

from chronology.record import Sealed
from chronology.stores.backend import Backend, Key, Row, Sealer


class ListBackend(Backend):
    """Rows in a list (position ``p`` at index ``p - 1``), with the exact hashed texts."""

    def __init__(self) -> None:
        self._rows: list[Row] = []  # (position, event_id, recorded_at, payload, hash)
        self._known: list[datetime] = []  # each row's known_at, for the scan by assertion time
        self._subjects: list[str] = []  # each row's subject
        self._retractions: list[int] = []
        self._lock = threading.Lock()

    def write(self, seal: Sealer) -> Sealed:
        with self._lock:  # one transaction: read the last row, seal, store
            sealed = seal(self._rows[-1] if self._rows else None, None)
            rows = [
                (r.position, r.event_id, recorded_at, payload, r.hash)
                for r, recorded_at, payload in zip(
                    sealed.new, sealed.recorded_texts, sealed.payloads, strict=True
                )
            ]
            # Readers take the lists as they are: the rows list is replaced last, whole, so
            # readers see whole batches only.
            self._known = [*self._known, *(r.event.known_at for r in sealed.new)]
            self._subjects = [*self._subjects, *(r.event.subject for r in sealed.new)]
            self._retractions = [*self._retractions, *sealed.retractions]
            self._rows = [*self._rows, *rows]
            return sealed

    def count(self) -> int:
        return len(self._rows)

    def rows_after(self, after: int, end: int) -> Iterator[Row]:
        return iter(self._rows[max(after, 0) : end])

    def rows_between(
        self, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[Row]:
        known = self._known
        chosen = [
            row
            for row in self._rows[:end]
            if (after is None or known[row[0] - 1] > after)
            and (until is None or known[row[0] - 1] <= until)
        ]
        return iter(sorted(chosen, key=lambda row: (known[row[0] - 1], row[0])))

    def subject_rows(self, subject: str) -> list[Row]:
        rows, subjects = self._rows, self._subjects
        return [row for row in rows if subjects[row[0] - 1] == subject]

    def rows_by_id(self, ids: Sequence[str], keys: Sequence[Key] | None = None) -> list[Row]:
        wanted = set(ids)
        return [row for row in self._rows if row[1] in wanted]

    def retraction_positions(self, end: int) -> list[int]:
        return [p for p in self._retractions if p <= end]
