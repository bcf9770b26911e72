"""The in-memory store: records kept in Python lists, for a chronicle that lives as long as its
process (the default of :class:`~chronology.Chronicle`).

:class:`MemoryBackend` holds the rows; :class:`MemoryStore` is the shared
:class:`~chronology.stores.base.Store` over a new one.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Final

from chronology.errors import IntegrityError
from chronology.events import Event
from chronology.record import Sealed
from chronology.stores.backend import Backend, FoldRow, Key, Row, Sealer
from chronology.stores.base import CHUNK_SIZE, Store
from chronology.stores.columns import Hashes
from chronology.stores.order_index import OrderIndex

__all__ = ["MemoryBackend", "MemoryStore"]

#: How many rows a scan in position order makes at a time.
_BLOCK: Final = 1024


class MemoryStore(Store):
    """The shared :class:`~chronology.stores.base.Store` over a new, empty
    :class:`MemoryBackend`.

    Args:
        chunk_size: how many events of a large batch are prepared and sealed at once (see
            :meth:`.Store.extend`).
    """

    def __init__(self, *, chunk_size: int = CHUNK_SIZE) -> None:
        super().__init__(MemoryBackend(), chunk_size=chunk_size)


class MemoryBackend(Backend):
    """Rows in Python lists, with indexes by event id, subject and assertion time.

    Thread-safe for writes: a lock makes each batch one transaction. The backend keeps the
    events themselves, not their text (it :attr:`.Backend.holds_events`): :meth:`.Backend.raw`
    derives each payload again from its frozen event (serialization is deterministic, so it is
    the text that was hashed; an event changed in place since would fail
    :meth:`Chronicle.verify <chronology.Chronicle.verify>`).

    A row is kept as its parts, in parallel columns (events, ids and ``recorded_at`` in lists,
    hashes as 32-byte digests in one buffer: :class:`~chronology.stores.columns.Hashes`), and
    the indexes hold list indexes, not rows: a row (its hash text with it) is made when one is
    read. Python's cyclic
    garbage collector walks every container object kept, again and again as the log grows;
    kept this way a record adds its event (and the event's window or quantity) and nothing
    else, and a million-event chronicle stays well inside a gigabyte. A fold
    (:meth:`.Backend.fold_rows`) reads the parts directly.
    """

    holds_events = True
    writes_chunks = True

    def __init__(self) -> None:
        # Record i (0-based) has position i + 1.
        self._events: list[Event] = []
        self._ids: list[str] = []
        self._recorded: list[datetime] = []
        self._hashes = Hashes()
        #: How many records are whole: set after every list has its batch.
        self._count = 0
        self._by_id: dict[str, int] = {}
        self._by_subject: dict[str, list[int]] = {}
        self._retractions: list[int] = []
        # Indexes in (known_at, position) order; late batches cost a logarithmic insert each.
        self._order_index = OrderIndex(self._known_at_of)
        self._lock = threading.Lock()
        #: During :meth:`write_chunks`: the thread writing, and how many records are stored
        #: with the chunks it stored so far (what its own reads see).
        self._writer: int | None = None
        self._staged = 0

    # Readers take no lock (but the order index's own, held briefly). Each list is only ever
    # extended at its end, and ``_count`` moves last: an index at or past the count a reader
    # took first belongs to a batch still being stored, and is left out.

    def _known_at_of(self, i: int) -> datetime:
        return self._events[i].known_at

    def _row(self, i: int) -> Row:
        return (i + 1, self._ids[i], self._recorded[i], self._events[i], self._hashes.text(i))

    def _rows(self, indexes: list[int]) -> list[Row]:
        events, ids, recorded = self._events, self._ids, self._recorded
        hashes = self._hashes.texts(indexes)
        return [
            (i + 1, ids[i], recorded[i], events[i], h) for i, h in zip(indexes, hashes, strict=True)
        ]

    def write(self, seal: Sealer) -> Sealed:
        with self._lock:
            start = self._count
            sealed = seal(self._row(start - 1) if start else None, None)
            if sealed.new:
                self._stage(sealed, start)
                self._count = start + len(sealed.new)
            return sealed

    def write_chunks(self, sealers: Iterable[Sealer]) -> None:
        with self._lock:
            start = staged = self._count
            self._staged = start
            self._writer = threading.get_ident()
            try:
                for seal in sealers:
                    sealed = seal(self._row(staged - 1) if staged else None, None)
                    if sealed.new:
                        self._add(sealed, staged)
                        staged += len(sealed.new)
                        self._staged = staged
                    del sealed  # the chunk's texts go before the next chunk is prepared
            except BaseException:
                self._take_back(start)
                raise
            finally:
                self._writer = None
            self._count = staged

    def _visible(self) -> int:
        """How many records the calling thread sees: the chunks a :meth:`write_chunks` stored
        so far too, for the thread writing them (its sealers look duplicates up)."""
        if self._writer is not None and self._writer == threading.get_ident():
            return self._staged
        return self._count

    def _stage(self, sealed: Sealed, start: int) -> None:
        """Store a sealed batch's parts from list index ``start``, all but the count; if
        interrupted half-way (Ctrl-C, MemoryError), take back every part from ``start``."""
        try:
            self._add(sealed, start)
        except BaseException:
            self._take_back(start)
            raise

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

    def _take_back(self, start: int) -> None:
        """Undo everything stored from list index ``start`` on that the count does not cover
        yet (readers never saw it), however far :meth:`_add` went: the parts are extended
        first, so they name every entry the indexes may hold."""
        for event_id in self._ids[start:]:
            self._by_id.pop(event_id, None)
        for event in self._events[start:]:
            subject_list = self._by_subject.get(event.subject)
            if subject_list is None:
                continue
            while subject_list and subject_list[-1] >= start:
                subject_list.pop()
            if not subject_list:
                del self._by_subject[event.subject]
        del self._events[start:]
        del self._ids[start:]
        del self._recorded[start:]
        self._hashes.cut(start)
        while self._retractions and self._retractions[-1] >= start:
            self._retractions.pop()
        # The index may have been stopped half-way through an insert: rebuilt from the parts.
        self._order_index.reset(start)

    def _order(self, indexes: list[int], known: list[datetime]) -> None:
        """Put a batch's indexes into the ``(known_at, position)`` order."""
        self._order_index.add(indexes, known)

    def count(self) -> int:
        return self._visible()

    def rows_after(self, after: int, end: int) -> Iterator[Row]:
        # Nothing below the count is ever removed, so indexes below it keep their rows.
        return self._span(max(after, 0), min(end, self._count))

    def _span(self, start: int, stop: int) -> Iterator[Row]:
        """The rows from list index ``start`` up to ``stop``, made a block at a time."""
        events, ids, recorded, hashes = self._events, self._ids, self._recorded, self._hashes
        for block in range(start, stop, _BLOCK):
            end = min(block + _BLOCK, stop)
            texts = hashes.span(block, end)
            yield from (
                (i + 1, ids[i], recorded[i], events[i], h)
                for i, h in zip(range(block, end), texts, strict=True)
            )

    def rows_between(
        self, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[Row]:
        return iter(self._rows(self._order_index.slice(after, until, min(end, self._count))))

    def fold_rows(
        self, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[FoldRow]:
        events, ids = self._events, self._ids
        indexes = self._order_index.slice(after, until, min(end, self._count))
        return ((i + 1, ids[i], events[i]) for i in indexes)

    def subject_rows(self, subject: str) -> list[Row]:
        count = self._count
        return self._rows([i for i in self._by_subject.get(subject, ()) if i < count])

    def rows_by_id(self, ids: Sequence[str], keys: Sequence[Key] | None = None) -> list[Row]:
        by_id, count = self._by_id, self._visible()
        found = [by_id.get(event_id) for event_id in ids]
        return self._rows([i for i in found if i is not None and i < count])

    def rows_at(self, positions: Sequence[int]) -> list[Row]:
        count = self._count
        return self._rows([p - 1 for p in positions if 0 < p <= count])

    def retraction_positions(self, end: int) -> list[int]:
        end = min(end, self._count)
        return [i + 1 for i in self._retractions if i < end]

    def subjects(self) -> list[str]:
        count = self._count
        # A copy first: a writer adds subjects while this runs, and a dict must not change size
        # under a Python-level loop over it (``dict.copy`` runs without letting a writer in).
        held = self._by_subject.copy()
        return sorted(s for s, at in held.items() if at and at[0] < count)

    def recorded_through(self, instant: datetime, upto: int) -> int:
        return bisect.bisect_right(self._recorded, instant, 0, min(upto, self._count))

    def __repr__(self) -> str:
        return f"<MemoryBackend records={self._count}>"

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
