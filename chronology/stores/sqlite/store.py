"""The SQLite store: appends and reads over an open chronicle file (see
:mod:`chronology.stores.sqlite`)."""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from chronology.errors import (
    ChronologyError,
    IntegrityError,
    ReadOnlyError,
    SchemaIntegrityError,
)
from chronology.events import Event, Retracted, event_class, registered_tags
from chronology.record import Batch, Record, Sealed, Tip, new_record, seal
from chronology.serialization import event_from_payload, instant_text
from chronology.stores.base import RawRecord, Store
from chronology.stores.sqlite import ids
from chronology.stores.sqlite.file import SQLiteFile, rollback
from chronology.stores.sqlite.schema import (
    FORMAT_VERSION,
    SCHEMA,
    join_sql,
    known_at_text,
    padded,
    schema_fault,
)
from chronology.stores.sqlite.wal import WalFlusher

__all__ = ["FLUSH_BYTES", "SQLiteStore"]

_COLUMNS: Final = "position, event_id, recorded_at, payload, hash"
_INSERT: Final = (
    "INSERT INTO records (position, event_id, recorded_at, known_at, subject, payload, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_MOVE_HEAD: Final = (
    "UPDATE meta SET head_position = ?, head_hash = ?, head_recorded_at = ? WHERE id = 1"
)
#: Rows fetched per query when streaming records.
_PAGE: Final = 2000
#: Bound parameters per lookup; below the 999 of old SQLite builds.
_CHUNK: Final = 900
#: How many records ``event_ids`` may lag behind before a lookup brings it up to date.
_ID_CATCH_UP: Final = 2048
#: Roughly how many bytes of rows (payloads and the other columns) an append writes before it
#: asks the WAL flusher to fold the WAL back into the main file.
FLUSH_BYTES: Final = 256 * 1024
#: What a row adds besides its payload, in the table and its indexes (an estimate).
_ROW_BYTES: Final = 300
#: Greater than every position.
_AFTER_ANY_POSITION: Final = 2**63 - 1
#: Sorts after every stored ``known_at``.
_END_OF_TIME: Final = "9999-12-31T23:59:59.999999+00:00"

_Row = tuple[int, str, str, str, str]
_from_iso: Final = datetime.fromisoformat


def _bounds(after: datetime | None, until: datetime | None) -> tuple[str, tuple[str, int]]:
    """The ``known_at`` bound and the index key to start after: ``after < known_at <= until``."""
    bound = _END_OF_TIME if until is None else known_at_text(until)
    key = ("", 0) if after is None else (known_at_text(after), _AFTER_ANY_POSITION)
    return bound, key


class SQLiteStore(SQLiteFile, Store):
    """Records in an SQLite file; see the module documentation for the schema.

    Most code opens one through :meth:`chronology.Chronicle.open`.

    Args:
        path: the file. It is created (with its schema) if missing; its directory must exist.
        read_only: open for reading only. A file the process may not write is opened this way
            whatever ``read_only`` says; appending then raises :class:`ReadOnlyError`.
            Reading leaves the directory as it was found (see the module documentation for
            when SQLite's companion files stay).
        timeout: how many seconds an append waits for another writer's lock.
        cache_size: how many records read one subject or one id at a time to keep in memory
            (least recently used first out); ``0`` keeps none. Scans and appends leave it as
            it is.
        ids_lag: how many records the ``event_ids`` table may fall behind the log before a
            lookup by id brings it up to date (the records it does not cover are scanned);
            ``0`` brings it up to date on every lookup.

    Attributes:
        path: the file.
        read_only: whether appends are refused.

    Raises:
        NotAChronicleError: the path is a directory, a device, a FIFO or a socket (looked at,
            never opened), or a file that is not a chronicle (not SQLite at all, or an SQLite
            database holding anything but a chronicle); such a file is left as it was.
        FormatVersionError: the file was written by a newer format version.
        StoreError: the file cannot be opened or created (a missing directory, no permission,
            or ``read_only`` on a missing file); the message names the path.

    Example:
        >>> import tempfile, os
        >>> from chronology import Chronicle
        >>> from chronology.events import VisitCancelled
        >>> path = os.path.join(tempfile.mkdtemp(), "example.db")
        >>> with Chronicle.open(path) as chronicle:
        ...     _ = chronicle.append(VisitCancelled(subject="visit/x", known_at="2024-04-05"))
        >>> with Chronicle.open(path, read_only=True) as chronicle:
        ...     len(chronicle), chronicle.verify()
        (1, 1)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        timeout: float = 30.0,
        cache_size: int = 8192,
        ids_lag: int = _ID_CATCH_UP,
    ) -> None:
        self._ids_lag = max(0, ids_lag)
        self._cache: OrderedDict[int, Record] = OrderedDict()
        self._cache_size = max(0, cache_size)
        super().__init__(path, read_only=read_only, timeout=timeout)
        self._flusher: WalFlusher | None = None
        #: Set when no flusher thread could be started: it is not tried again.
        self._no_flusher = False
        #: Bytes of rows appended since the flusher was last asked to run (an estimate).
        self._unfolded = 0

    # -- writing --------------------------------------------------------------------------------

    def append(
        self,
        batch: Batch,
        clock: Callable[[], datetime],
        *,
        max_skew: timedelta | None = None,
    ) -> list[Record]:
        """Store a prepared batch in one transaction, all or nothing.

        The batch is first sealed as if none of its events were stored yet (only retraction
        targets are looked up); if the unique index refuses a row, the transaction is rolled
        back and the batch sealed again with its stored duplicates looked up.

        Raises:
            ReadOnlyError: if the file was opened read-only.
            StoreError: if the file cannot be written (for instance, another writer held the
                lock longer than ``timeout``).
        """
        if self.read_only:
            raise ReadOnlyError(f"{self._name}: opened read-only; cannot append")
        with self._lock:
            conn = self._connection()
            # A batch whose first event is stored already is most likely a re-import: look its
            # duplicates up at once rather than after the index refuses the first attempt.
            sealed = None
            if not self._first_stored(conn, batch):
                try:
                    sealed = self._append(conn, batch, clock, self._find_targets, max_skew)
                except sqlite3.IntegrityError:
                    sealed = None
            if sealed is None:
                try:
                    sealed = self._append(conn, batch, clock, self._find, max_skew)
                except sqlite3.Error as exc:
                    raise self._error("cannot append", exc) from None
            if self._unfolded >= FLUSH_BYTES:
                self._unfolded = 0
                self._fold()
        return sealed.results

    def _first_stored(self, conn: sqlite3.Connection, batch: Batch) -> bool:
        """Whether the batch's first event is stored (a hint, read outside the transaction)."""
        if self._format < 2:
            return False
        try:
            row = conn.execute(
                "SELECT 1 FROM records INDEXED BY records_subject"
                " WHERE subject = ? AND known_at = ? AND event_id = ?",
                (batch.events[0].subject, padded(batch.known_at_texts[:1])[0], batch.ids[0]),
            ).fetchone()
        except sqlite3.Error:
            return False  # the append that follows reports what is wrong
        return row is not None

    def _fold(self) -> None:
        """Ask the WAL flusher (started on first use) to fold the WAL into the main file."""
        flusher = self._flusher
        if flusher is None:
            if self._no_flusher:
                return
            try:
                flusher = WalFlusher(self._uri("rw"), str(self._absolute))
            except RuntimeError:
                # No thread to be had (interpreter shutdown, thread limit). The batch is
                # committed already; SQLite's own checkpoint folds the WAL from now on.
                self._no_flusher = True
                return
            self._flusher = flusher
            # A store dropped without close() still stops its thread.
            weakref.finalize(self, flusher.stop)
        flusher.poke()

    def _append(
        self,
        conn: sqlite3.Connection,
        batch: Batch,
        clock: Callable[[], datetime],
        find: Callable[[Batch], dict[str, Record]],
        max_skew: timedelta | None,
    ) -> Sealed:
        """One attempt: seal and insert in one transaction; raises ``IntegrityError`` (after
        rolling back) if the index finds a duplicate that ``find`` did not report."""
        try:
            self._patiently(lambda: conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as exc:
            raise self._error("cannot start writing", exc) from None
        try:
            sealed = seal(batch, self._head(conn), find, clock, max_skew)
            new = sealed.new
            if new:
                first = new[0].position
                if len(new) == len(batch):
                    events, known = batch.events, batch.known_at_texts
                else:  # duplicates left out
                    events = [r.event for r in new]
                    known = [instant_text(e.known_at) for e in events]
                conn.executemany(
                    _INSERT,
                    zip(
                        range(first, first + len(new)),
                        sealed.ids,
                        sealed.recorded_texts,
                        padded(known),
                        [e.subject for e in events],
                        sealed.payloads,
                        sealed.hashes,
                        strict=True,
                    ),
                )
                self._unfolded += sum(map(len, sealed.payloads)) + _ROW_BYTES * len(new)
                if sealed.retractions:
                    conn.executemany(
                        "INSERT INTO retractions VALUES (?)", [(p,) for p in sealed.retractions]
                    )
                conn.execute(
                    _MOVE_HEAD, (new[-1].position, new[-1].hash, sealed.recorded_texts[-1])
                )
            conn.execute("COMMIT")
        except BaseException as exc:
            rollback(conn)
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                raise self._error("cannot append", exc) from None
            raise
        return sealed

    def _head(self, conn: sqlite3.Connection) -> Tip | None:
        """The sealed head, with the ``recorded_at`` of the record it names: the copy in
        ``meta`` is for :meth:`.Chronicle.verify` to check, never trusted to time an append
        (a value edited into the future would move every later record there)."""
        position, hash_ = conn.execute(
            "SELECT head_position, head_hash FROM meta WHERE id = 1"
        ).fetchone()
        if position == 0:
            return None
        row = conn.execute(
            "SELECT hash, recorded_at FROM records WHERE position = ?", (position,)
        ).fetchone()
        if row is None or row[0] != hash_:
            found = "no record" if row is None else "a record with another hash"
            raise IntegrityError(
                position,
                f"the head sealed in the meta table names this record, but the log holds {found}"
                " there; nothing was appended (run verify())",
            )
        try:
            return Tip(position, hash_, _from_iso(row[1]))
        except ValueError:
            raise IntegrityError(position, f"bad recorded_at {row[1]!r}") from None

    def _find(self, batch: Batch) -> dict[str, Record]:
        """The stored records of the batch's events and of its retraction targets.

        A stored copy of an event has the same ``subject`` and ``known_at`` (both are part of
        the content its id derives from), so the lookup goes through ``records_subject``.
        """
        events = batch.events
        # The batch's own event stands for the stored one: the same id is the same canonical
        # content, and decoding every stored payload again took most of a re-import's time.
        wanted = dict(zip(batch.ids, events, strict=True))
        known = padded(batch.known_at_texts)
        keys = list(set(zip([e.subject for e in events], known, strict=True)))
        found = self._find_targets(batch)
        cache = self._cache
        for row in self._join(keys, "r.subject = k.a AND r.known_at = k.b", payload=False):
            position, event_id = row[0], row[1]
            event = wanted.get(event_id)
            if event is None or event_id in found:
                continue
            cached = cache.get(position)
            if cached is not None:
                found[event_id] = cached
                continue
            try:
                recorded_at = _from_iso(row[2])
            except ValueError:
                raise IntegrityError(position, f"bad recorded_at {row[2]!r}") from None
            found[event_id] = new_record(position, event_id, recorded_at, event, row[4])
        return found

    def _find_targets(self, batch: Batch) -> dict[str, Record]:
        """The stored targets of the batch's retractions (none for most batches)."""
        targets = {(e.subject, e.target) for e in batch.events if isinstance(e, Retracted)}
        if not targets:
            return {}
        found = {
            row[1]: self._decode(row)
            for row in self._join(list(targets), "r.subject = k.a AND r.event_id = k.b")
        }
        # A target stored under another subject: found here only to say so in the error.
        for _, target in targets:
            if target not in found:
                record = self._by_id(target)
                if record is not None:
                    found[target] = record
        return found

    def _join(
        self, keys: list[tuple[str, str]], on: str, *, payload: bool = True
    ) -> Iterator[_Row]:
        """The records matching any of ``keys`` (pairs bound to ``k.a``, ``k.b`` in ``on``)."""
        conn = self._connection()
        for i in range(0, len(keys), _CHUNK // 2):
            chunk = keys[i : i + _CHUNK // 2]
            params = [item for key in chunk for item in key]
            yield from conn.execute(join_sql(len(chunk), on, payload=payload), params).fetchall()

    # -- reading --------------------------------------------------------------------------------

    def _decode(self, row: _Row, *, remember: bool = True) -> Record:
        """The record of a row: from the cache, or decoded (and cached if ``remember``; scans
        of many records leave the cache to the records read one subject at a time)."""
        position = row[0]
        cache = self._cache
        cached = cache.get(position)
        if cached is not None:
            if remember:
                cache.move_to_end(position)
            return cached
        event = self._event(position, row[3])
        try:
            recorded_at = _from_iso(row[2])
        except ValueError:
            raise IntegrityError(position, f"bad recorded_at {row[2]!r}") from None
        record = new_record(position, row[1], recorded_at, event, row[4])
        if remember:
            self._remember(record)
        return record

    @staticmethod
    def _event(position: int, payload: str) -> Event:
        try:
            return event_from_payload(payload)
        except (ChronologyError, ValueError) as exc:
            raise IntegrityError(position, f"stored event is unreadable: {exc}") from None

    def _remember(self, record: Record) -> None:
        if self._cache_size:
            self._cache[record.position] = record
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _records(self, sql: str, params: Sequence[Any] = ()) -> list[Record]:
        with self._lock:
            return [self._decode(row) for row in self._rows(sql, params)]

    def __len__(self) -> int:
        return int(self._rows("SELECT head_position FROM meta WHERE id = 1")[0][0])

    def recorded_through(self, instant: datetime, upto: int) -> int:
        """A binary search over positions (``recorded_at`` increases with them): a few
        lookups by primary key, whatever the size of the log."""
        low, high = 0, upto  # the answer is in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            rows = self._rows("SELECT recorded_at FROM records WHERE position = ?", (middle,))
            if rows and datetime.fromisoformat(rows[0][0]) <= instant:
                low = middle
            else:
                high = middle - 1
        return low

    def records_after(self, position: int) -> Iterator[Record]:
        """The records after ``position``, in position order, as stored when the call was
        made, a page at a time (memory stays bounded on a large log)."""
        return self._pages(len(self), position)

    def _pages(self, end: int, after: int = 0) -> Iterator[Record]:
        decode = self._decode
        while after < end:
            rows = self._rows(
                f"SELECT {_COLUMNS} FROM records WHERE position > ? AND position <= ?"
                " ORDER BY position LIMIT ?",
                (after, end, _PAGE),
            )
            if not rows:
                return
            for row in rows:
                yield decode(row, remember=False)
            after = rows[-1][0]

    def ordered_between(self, after: datetime | None, until: datetime | None) -> Iterator[Record]:
        """The records with ``after < known_at <= until``, in ``(known_at, position)`` order,
        walking the ``(known_at, position)`` index from ``after`` a page at a time; records
        appended after the call are not included."""
        return self._ordered(*_bounds(after, until), len(self))

    def _ordered(self, bound: str, key: tuple[str, int], end: int) -> Iterator[Record]:
        while True:
            with self._lock:
                rows = self._rows(
                    f"SELECT {_COLUMNS}, known_at FROM records"
                    " WHERE known_at <= ? AND (known_at, position) > (?, ?) AND position <= ?"
                    " ORDER BY known_at, position LIMIT ?",
                    (bound, key[0], key[1], end, _PAGE),
                )
            # Decoded one at a time as they are taken (and outside the lock): a fold that
            # streams them never holds a page of records.
            decode = self._decode
            for row in rows:
                yield decode(row, remember=False)
            if len(rows) < _PAGE:
                return
            key = (rows[-1][5], rows[-1][0])

    def ordered_events_between(
        self, after: datetime | None, until: datetime | None
    ) -> Iterator[tuple[int, str, Event]]:
        """As :meth:`ordered_between`, without reading or building what a fold does not use
        (``recorded_at``, ``hash``, the record objects)."""
        return self._ordered_events(*_bounds(after, until), len(self))

    def _ordered_events(
        self, bound: str, key: tuple[str, int], end: int
    ) -> Iterator[tuple[int, str, Event]]:
        cache = self._cache
        while True:
            with self._lock:
                rows = self._rows(
                    "SELECT position, event_id, payload, known_at FROM records"
                    " WHERE known_at <= ? AND (known_at, position) > (?, ?) AND position <= ?"
                    " ORDER BY known_at, position LIMIT ?",
                    (bound, key[0], key[1], end, _PAGE),
                )
            for position, event_id, payload, _ in rows:
                cached = cache.get(position)
                event = cached.event if cached is not None else self._event(position, payload)
                yield position, event_id, event
            if len(rows) < _PAGE:
                return
            key = (rows[-1][3], rows[-1][0])

    def subject_records(self, subject: str) -> list[Record]:
        """The records about ``subject``, in position order."""
        return self._records(
            f"SELECT {_COLUMNS} FROM records WHERE subject = ? ORDER BY position", (subject,)
        )

    def subjects(self) -> list[str]:
        """Every subject with a record, sorted: read from the subject index alone."""
        with self._lock:
            return [row[0] for row in self._rows("SELECT DISTINCT subject FROM records ORDER BY 1")]

    def retractions(self) -> list[Record]:
        """Every retraction record, in position order."""
        if self._format >= 2:
            return self._records(
                f"SELECT {_COLUMNS} FROM records"
                " WHERE position IN (SELECT position FROM retractions) ORDER BY position"
            )
        tags = [t for t in registered_tags() if issubclass(event_class(t), Retracted)]
        marks = ",".join("?" * len(tags))
        return self._records(
            f"SELECT {_COLUMNS} FROM records WHERE type IN ({marks}) ORDER BY position", tags
        )

    def raw(self) -> Iterator[RawRecord]:
        """Every row exactly as stored, in position order, a page at a time."""
        return self._raw(self._rows("SELECT coalesce(max(position), 0) FROM records")[0][0])

    def _raw(self, end: int) -> Iterator[RawRecord]:
        after = 0
        while after < end:
            rows = self._rows(
                f"SELECT {_COLUMNS}, known_at, subject FROM records"
                " WHERE position > ? AND position <= ? ORDER BY position LIMIT ?",
                (after, end, _PAGE),
            )
            if not rows:
                return
            for position, event_id, recorded_at, payload, hash_, known_at, subject in rows:
                yield RawRecord(
                    position, event_id, recorded_at, payload, hash_, (known_at, subject)
                )
            after = rows[-1][0]

    def check_columns(self, raw: RawRecord, event: Event) -> str | None:
        """Whether the ``known_at`` and ``subject`` columns, which every query by assertion
        time or subject (and the deduplication of appends) trusts, hold the event's."""
        if len(raw.columns) != 2:
            return None
        known_at, subject = raw.columns
        if subject != event.subject:
            return f"the subject column holds {subject!r}, but its event's is {event.subject!r}"
        expected = known_at_text(event.known_at)
        if known_at != expected:
            return f"the known_at column holds {known_at!r}, but its event's is {expected!r}"
        return None

    def get(self, event_id: str) -> Record | None:
        """The record of ``event_id``, or ``None``.

        Looks in the ``event_ids`` table (:mod:`chronology.stores.sqlite.ids`), first bringing
        it up to date (in one transaction, in sorted order) when more than a few thousand
        records were appended since it was; the records it does not cover yet are scanned. A
        read-only file is never written: its uncovered records are scanned.
        """
        with self._lock:
            try:
                return self._patiently(lambda: self._by_id(event_id, catch_up=True))
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from None

    def _by_id(self, event_id: str, *, catch_up: bool = False) -> Record | None:
        conn = self._connection()
        if self._format < 2:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM records WHERE event_id = ?", (event_id,)
            ).fetchone()
        else:
            lag = self._ids_lag if catch_up and not self.read_only else None
            row = ids.row_by_id(conn, _COLUMNS, event_id, catch_up=lag)
        return None if row is None else self._decode(row)

    def check_indexes(self, upto: int) -> None:
        """Check the tables kept beside the records, in one snapshot: no position in
        ``retractions`` lies past the log (the ones within it :meth:`.Chronicle.verify`
        compares with the events), and the ``event_ids`` table covers exactly the records up to
        its bound ``ids_through``, each entry naming the record at its position (a lookup by
        id trusts a missing entry). ``upto`` is not needed: the bound is read in the same
        snapshot as the records it covers.

        Raises:
            IntegrityError: naming a position in doubt: the first one, for each table.
        """
        if self._format < 2:
            return
        with self._lock:
            try:
                self._patiently(lambda: ids.check_tables(self._connection()))
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from None

    def check_schema(self) -> None:
        """Compare every table, index, trigger and view in the file with the chronicle's own
        schema (:func:`chronology.stores.sqlite.schema.schema_fault`); a file of an older
        format, read as it is, is only checked for triggers and views.

        Raises:
            SchemaIntegrityError: naming the first object that differs.
        """
        rows = self._rows("SELECT type, name, sql FROM sqlite_master")
        fault = schema_fault(rows, SCHEMA if self._format == FORMAT_VERSION else None)
        if fault is not None:
            raise SchemaIntegrityError(*fault)

    def sealed_head(self) -> tuple[int, str]:
        """The ``(count, last hash)`` that each append seals in the ``meta`` table."""
        position, hash_ = self._rows("SELECT head_position, head_hash FROM meta WHERE id = 1")[0]
        return int(position), str(hash_)

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; calling it again does nothing."""
        with self._lock:
            conn, self._conn = self._conn, None
            self._cache.clear()
            try:
                if self._flusher is not None:
                    self._flusher.stop()
            finally:
                if conn is not None:
                    conn.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "read-only" if self.read_only else "open"
        return f"<SQLiteStore {self._name!r} {state}>"
