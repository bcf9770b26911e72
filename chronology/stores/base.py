"""The store: the one layer between a chronicle and a backend's rows.

:class:`Store` is what :class:`~chronology.Chronicle` reads and writes. It wraps a
:class:`~chronology.stores.backend.Backend` (rows in memory, in an SQLite file, on a PostgreSQL
server) and owns what every backend would otherwise repeat: sealing a batch inside the backend's
transaction (:func:`chronology.record.seal`), looking up duplicates and retraction targets,
retrying a batch its backend's unique index refused, decoding rows into records, keeping the
records read one subject or one id at a time, and listing the retractions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Final

from chronology.errors import ChronologyError, IntegrityError, ReadOnlyError, SettingError
from chronology.events import Event, Retracted
from chronology.record import Batch, Record, Sealed, Tip, new_record, prepare, seal
from chronology.serialization import event_from_payload
from chronology.stores.backend import (
    Backend,
    DuplicateRowError,
    FoldRow,
    Key,
    RawRecord,
    Row,
    Sealer,
    SnapshotShelf,
)
from chronology.stores.subject_rows import SubjectRows

# RawRecord is documented in chronology.stores.backend; importable from here as before.
__all__ = ["Store"]

_from_iso: Final = datetime.fromisoformat

#: How many events of a large batch are prepared and sealed at once, by default, in a backend
#: that :attr:`~chronology.stores.backend.Backend.writes_chunks`.
CHUNK_SIZE: Final = 20_000


class Store:
    """Where a chronicle's records live: a backend's rows, read and written as records.

    Args:
        backend: the rows (see :class:`~chronology.stores.backend.Backend` for the rules it
            keeps). :class:`~chronology.stores.MemoryStore`,
            :class:`~chronology.stores.SQLiteStore` and
            :class:`~chronology.stores.postgres.PostgresStore` are stores over the shipped
            backends.
        cache_size: how many records read one subject or one id at a time (and retractions)
            to keep decoded, least recently used first out; ``0`` keeps none. By default, the
            backend's :attr:`~chronology.stores.backend.Backend.cache_size`. A backend that
            :attr:`~chronology.stores.backend.Backend.holds_events` needs none.
        chunk_size: how many events of a batch :meth:`extend` prepares and seals at once, in a
            backend that :attr:`~chronology.stores.backend.Backend.writes_chunks` (the batch
            stays one transaction; only one chunk's payload texts are alive at a time).

    Raises:
        SettingError: ``chunk_size`` is below 1.

    Example:
        >>> from chronology import Chronicle
        >>> from chronology.stores import Store
        >>> from chronology.stores.memory import MemoryBackend
        >>> len(Chronicle(Store(MemoryBackend())))
        0
    """

    def __init__(
        self, backend: Backend, *, cache_size: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> None:
        if chunk_size < 1:
            raise SettingError(f"chunk_size must be at least 1, got {chunk_size}")
        self._backend = backend
        self._chunk_size = chunk_size
        self._events_held = backend.holds_events
        self._cache: OrderedDict[int, Record] = OrderedDict()
        size = backend.cache_size if cache_size is None else cache_size
        self._cache_size = 0 if backend.holds_events else max(0, size)
        self._cache_lock = threading.Lock()

    @property
    def backend(self) -> Backend:
        """The backend holding the rows."""
        return self._backend

    @property
    def read_only(self) -> bool:
        """Whether appends are refused."""
        return self._backend.read_only

    # -- writing --------------------------------------------------------------------------------

    def append(
        self,
        batch: Batch,
        clock: Callable[[], datetime],
        *,
        max_skew: timedelta | None = None,
    ) -> list[Record]:
        """Store a prepared batch, all or nothing; return one record per input event (the
        stored one for an event already stored, or repeated in the batch).

        The batch is sealed inside the backend's transaction. A backend whose unique index
        refuses duplicates is first tried with only the retraction targets looked up (a batch
        whose first event is stored already, most likely a re-import, has its duplicates looked
        up at once); if the index refuses a row, the batch is sealed again with them.

        Args:
            batch: the prepared events.
            clock: the chronicle's clock, used unless the backend reads its own.
            max_skew: goes to :func:`chronology.record.seal`: a clock reading further behind
                the last record's ``recorded_at`` raises
                :class:`~chronology.errors.ClockSkewError`.

        Raises:
            ReadOnlyError: if the backend is read-only.
            RetractionError: for a retraction whose target is missing or about another subject.
        """
        backend = self._backend
        if backend.read_only:
            raise ReadOnlyError(f"{backend}: opened read-only; cannot append")
        look_up = not backend.refuses_duplicates or self._first_stored(batch)

        def sealer(last: Row | None, now: datetime | None) -> Sealed:
            find = self._find if look_up else self._find_targets
            tick = clock if now is None else (lambda: now)
            return seal(batch, self._tip(last), find, tick, max_skew)

        try:
            sealed = backend.write(sealer)
        except DuplicateRowError:
            look_up = True
            sealed = backend.write(sealer)
        return sealed.results

    def extend(
        self,
        events: Sequence[Event],
        clock: Callable[[], datetime],
        *,
        max_skew: timedelta | None = None,
    ) -> list[Record]:
        """Prepare and store a batch of events, all or nothing: :meth:`append` of
        :func:`~chronology.record.prepare` ``(events)``, with the same records and errors.

        In a backend that :attr:`~chronology.stores.backend.Backend.writes_chunks`, a batch
        longer than the store's ``chunk_size`` is prepared and sealed a chunk at a time inside
        the backend's one transaction (:meth:`.Backend.write_chunks`), so that the payload texts
        of one chunk only are alive at once. The chain runs on from chunk to chunk, the clock is
        read once for the whole batch, and duplicates and retraction targets in an earlier chunk
        are found as in one batch: the records are those one batch would give.

        Raises:
            EventError: naming the index of the first item that cannot be stored.
            ReadOnlyError, RetractionError, ClockSkewError: as :meth:`append`.
        """
        backend = self._backend
        size = self._chunk_size
        if len(events) <= size or not backend.writes_chunks:
            return self.append(prepare(events), clock, max_skew=max_skew)
        if backend.read_only:
            raise ReadOnlyError(f"{backend}: opened read-only; cannot append")
        results: list[Record] = []
        reading: list[datetime] = []  # the batch's one clock reading, once taken

        def chunk_sealer(batch: Batch) -> Sealer:
            def sealer(last: Row | None, now: datetime | None) -> Sealed:
                if reading:
                    # Later chunks follow on the previous one's last recorded_at (plus one
                    # microsecond each), as the rest of one batch would; the skew was checked.
                    first, skew = reading[0], None
                else:
                    first, skew = clock() if now is None else now, max_skew
                    reading.append(first)
                sealed = seal(batch, self._tip(last), self._find, lambda: first, skew)
                results.extend(sealed.results)
                return sealed

            return sealer

        def sealers() -> Iterator[Sealer]:
            for start in range(0, len(events), size):
                yield chunk_sealer(prepare(events[start : start + size], start=start))

        backend.write_chunks(sealers())
        return results

    def _tip(self, row: Row | None) -> Tip | None:
        if row is None:
            return None
        return Tip(row[0], row[4], self._instant(row[0], row[2]))

    def _first_stored(self, batch: Batch) -> bool:
        """Whether the batch's first event is stored (a hint, read outside the transaction)."""
        key = (batch.events[0].subject, batch.known_at_texts[0])
        return bool(self._backend.rows_by_id(batch.ids[:1], [key]))

    def _find(self, batch: Batch) -> dict[str, Record]:
        """The stored records of the batch's events and of its retractions' targets.

        A stored copy of an event has its subject and ``known_at`` (part of the content its id
        derives from); the batch's own event stands for the stored one (the same id is the
        same content), so no stored payload is decoded.
        """
        found = self._find_targets(batch)
        if not self._backend.count():
            return found  # nothing stored: the batch's own repeats are the sealer's to find
        events = batch.events
        wanted = dict(zip(batch.ids, events, strict=True))
        keys = [(e.subject, text) for e, text in zip(events, batch.known_at_texts, strict=True)]
        cache = self._cache
        for row in self._backend.rows_by_id(batch.ids, keys):
            event_id = row[1]
            event = wanted.get(event_id)
            if event is None or event_id in found:
                continue
            cached = cache.get(row[0])
            found[event_id] = (
                cached
                if cached is not None
                else new_record(row[0], event_id, self._instant(row[0], row[2]), event, row[4])
            )
        return found

    def _find_targets(self, batch: Batch) -> dict[str, Record]:
        """The stored targets of the batch's retractions (none for most batches); a target
        stored under another subject is found too, for the error to say so."""
        targets = {e.target: e.subject for e in batch.events if isinstance(e, Retracted)}
        if not targets:
            return {}
        backend = self._backend
        ids = list(targets)
        keys: list[Key] = [(targets[t], None) for t in ids]
        found = {row[1]: self._decode(row) for row in backend.rows_by_id(ids, keys)}
        astray = [t for t in ids if t not in found]
        if astray:
            found.update((row[1], self._decode(row)) for row in backend.rows_by_id(astray))
        return found

    # -- decoding -------------------------------------------------------------------------------

    @staticmethod
    def _instant(position: int, value: object) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return _from_iso(str(value))
        except ValueError:
            raise IntegrityError(position, f"bad recorded_at {value!r}") from None

    def _event(self, position: int, payload: object) -> Event:
        if self._events_held:
            return payload  # type: ignore[return-value]
        try:
            return event_from_payload(str(payload))
        except (ChronologyError, ValueError) as exc:
            raise IntegrityError(position, f"stored event is unreadable: {exc}") from None

    def _decode(self, row: Row, *, remember: bool = True) -> Record:
        """The record of a row: from the cache, or decoded (and kept if ``remember``: scans of
        many rows leave the cache to the records read one subject or one id at a time)."""
        position = row[0]
        if self._events_held:
            return new_record(position, row[1], row[2], row[3], row[4])
        cache = self._cache
        cached = cache.get(position)
        if cached is not None:
            if remember:
                with self._cache_lock:
                    if position in cache:
                        cache.move_to_end(position)
            return cached
        record = new_record(
            position,
            row[1],
            self._instant(position, row[2]),
            self._event(position, row[3]),
            row[4],
        )
        if remember and self._cache_size:
            with self._cache_lock:
                cache[position] = record
                if len(cache) > self._cache_size:
                    cache.popitem(last=False)
        return record

    def _records(self, rows: Iterable[Row], *, remember: bool = True) -> list[Record]:
        if self._events_held:
            return [new_record(row[0], row[1], row[2], row[3], row[4]) for row in rows]
        decode = self._decode
        return [decode(row, remember=remember) for row in rows]

    # -- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        """The number of records."""
        return self._backend.count()

    def records(self) -> Iterator[Record]:
        """Every record, in position order: :meth:`records_after` ``(0)``."""
        return self.records_after(0)

    def records_after(self, position: int) -> Iterator[Record]:
        """The records after ``position``, in position order, as stored when the call was
        made (streamed: snapshots and followers catch up through it)."""
        rows = self._backend.rows_after(position, self._backend.count())
        if self._events_held:
            return (new_record(row[0], row[1], row[2], row[3], row[4]) for row in rows)
        decode = self._decode
        return (decode(row, remember=False) for row in rows)

    def ordered(self, until: datetime | None = None) -> Iterable[Record]:
        """The records with ``known_at <= until`` (all when ``None``), in ``(known_at,
        position)`` order: :meth:`ordered_between` ``(None, until)``."""
        return self.ordered_between(None, until)

    def ordered_between(self, after: datetime | None, until: datetime | None) -> Iterable[Record]:
        """The records with ``after < known_at <= until``, in ``(known_at, position)`` order,
        as stored when the call was made (``None`` leaves that side open)."""
        backend = self._backend
        rows = backend.rows_between(after, until, backend.count())
        if self._events_held:
            return self._records(rows)
        decode = self._decode
        return (decode(row, remember=False) for row in rows)

    def ordered_events_between(
        self, after: datetime | None, until: datetime | None
    ) -> Iterable[tuple[int, str, Event]]:
        """``(position, event_id, event)`` of each record :meth:`ordered_between` gives, in
        its order: what a fold needs, without building records."""
        backend = self._backend
        rows = backend.fold_rows(after, until, backend.count())
        if self._events_held:
            return rows
        return self._fold_events(rows)

    def _fold_events(self, rows: Iterable[FoldRow]) -> Iterator[tuple[int, str, Event]]:
        cache = self._cache
        event = self._event
        for row in rows:
            position = row[0]
            cached = cache.get(position)
            yield (
                position,
                row[1],
                cached.event if cached is not None else event(position, row[2]),
            )

    def subject_records(self, subject: str) -> list[Record]:
        """The records about one subject, in position order."""
        return self._records(self._backend.subject_rows(subject))

    def subject_events(self, subject: str) -> list[tuple[int, str, Event]]:
        """``(position, event_id, event)`` of each record about ``subject``, in position order:
        :meth:`subject_records` without building records (decoded records kept are used;
        none is kept)."""
        return self._events(self._backend.subject_rows(subject))

    def subject_rows(self, subject: str) -> SubjectRows:
        """The rows about ``subject``, in position order, decoded when asked for (every row
        is decoded: :meth:`subject_rows_with_count` gives marked rows)."""
        return SubjectRows(self._backend.subject_rows(subject), self._events)

    def subject_rows_with_count(self, subject: str) -> tuple[int, SubjectRows]:
        """The number of records, and the rows about ``subject`` among them, read as one state
        of the store (one statement on a server: see :meth:`.Backend.subject_rows_with_count`),
        decoded when asked for: only as far as a fold as of an instant needs, when the backend
        :attr:`~chronology.stores.backend.Backend.marks_subject_rows`."""
        backend = self._backend
        count, rows = backend.subject_rows_with_count(subject)
        if self._events_held:
            return count, SubjectRows(rows, self._events)
        many = len(rows)
        return count, SubjectRows(
            rows, lambda some: self._events(some, many), marked=backend.marks_subject_rows
        )

    def _events(self, rows: Sequence[Row], of: int | None = None) -> list[tuple[int, str, Event]]:
        """The events of some of a subject's rows (``of``: how many the subject has; ``rows``
        are all of them by default). A short subject's are decoded into records and kept (its
        next read finds them); a subject of more than a sixty-fourth of the cache is decoded
        without building or keeping records: its records would push out many others, and a
        long-lived subject is held by the per-subject snapshots once read."""
        if self._events_held:
            return [(row[0], row[1], row[3]) for row in rows]
        if (len(rows) if of is None else of) <= self._cache_size // 64:
            return [(r.position, r.event_id, r.event) for r in self._records(rows)]
        return list(self._fold_events([(row[0], row[1], row[3]) for row in rows]))

    def subjects(self) -> list[str]:
        """Every subject with a record, sorted (used to suggest a subject when one asked for is
        unknown)."""
        listed = self._backend.subjects()
        if listed is not None:
            return listed
        return sorted({r.event.subject for r in self.records()})

    def retractions(self) -> list[Record]:
        """The records marked as retractions, in position order."""
        backend = self._backend
        positions = backend.retraction_positions(backend.count())
        if not positions:
            return []
        cache = self._cache
        have: dict[int, Record] = {}
        for p in positions:
            cached = cache.get(p)
            if cached is not None:
                have[p] = cached
        missing = [p for p in positions if p not in have]
        if missing:
            for row in backend.rows_at(missing):
                have[row[0]] = self._decode(row)
        # A marked position past the rows (an index edited behind the library's back) has no
        # record: verification names it.
        return [have[p] for p in positions if p in have]

    def get(self, event_id: str) -> Record | None:
        """The record of an event id, if stored."""
        rows = self._backend.rows_by_id((event_id,))
        return self._decode(rows[0]) if rows else None

    def recorded_through(self, instant: datetime, upto: int) -> int:
        """How many of the first ``upto`` records were stored by ``instant`` (``recorded_at <=
        instant``). ``recorded_at`` strictly increases with position, so they are the first
        that many, and a view recorded by ``instant`` is a view of them."""
        return self._backend.recorded_through(instant, upto)

    # -- integrity and the rest -----------------------------------------------------------------

    def raw(self) -> Iterator[RawRecord]:
        """Every record as stored, in position order."""
        backend = self._backend
        return backend.raw(backend.count())

    def sealed_head(self) -> tuple[int, str] | None:
        """The ``(count, last hash)`` the backend keeps apart from its rows, if it keeps one."""
        return self._backend.sealed_head()

    def check_schema(self) -> None:
        """Check that the backend's structure is its own (see
        :meth:`.Backend.check_schema`)."""
        self._backend.check_schema()

    def check_columns(self, raw: RawRecord, event: Event) -> str | None:
        """What is wrong with the columns kept beside a payload, or ``None`` (see
        :meth:`.Backend.check_columns`)."""
        return self._backend.check_columns(raw, event)

    def check_indexes(self, upto: int) -> None:
        """Check the backend's own indexes against the first ``upto`` records at least (see
        :meth:`.Backend.check_indexes`)."""
        self._backend.check_indexes(upto)

    def snapshot_shelf(self) -> SnapshotShelf | None:
        """Where the backend keeps fold snapshots between runs, if it does."""
        return self._backend.snapshot_shelf()

    def wait_for_records(self, after: int, timeout: float) -> None:
        """Return when the store may hold records past position ``after``, or after
        ``timeout`` seconds at most, for :meth:`.Chronicle.follow`."""
        self._backend.wait_for_records(after, timeout)

    def close(self) -> None:
        """Release the backend; the cache is dropped."""
        self._cache.clear()
        self._backend.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._backend!r}>"
