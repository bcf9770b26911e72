"""The SQLite store: appends and reads over an open chronicle file (see
:mod:`chronology.stores.sqlite`)."""

from __future__ import annotations

import functools
import os
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from chronology.errors import (
    SchemaIntegrityError,
)
from chronology.events import Retracted, event_class, registered_tags
from chronology.record import Sealed
from chronology.stores.backend import (
    DuplicateRowError,
    Key,
    Row,
    Sealer,
    SnapshotShelf,
)
from chronology.stores.base import Store
from chronology.stores.sql import COLUMNS, SQLRows
from chronology.stores.sqlite import ids
from chronology.stores.sqlite.file import SQLiteFile, rollback
from chronology.stores.sqlite.schema import (
    FORMAT_VERSION,
    SCHEMA,
    join_sql,
    padded,
    schema_fault,
)
from chronology.stores.sqlite.shelf import SHELF_TABLE, SQLiteShelf, open_shelf
from chronology.stores.sqlite.wal import WalFlusher

__all__ = ["FLUSH_BYTES", "SQLiteBackend", "SQLiteStore"]

_INSERT: Final = (
    "INSERT INTO records (position, event_id, recorded_at, known_at, subject, payload, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
#: The columns of a row of ``records``.
_WIDTH: Final = 7
#: Rows inserted by one statement (their parameters below the 999 of old SQLite builds).
_ROWS_PER_INSERT: Final = 128


@functools.lru_cache(maxsize=8)
def _insert_rows(count: int) -> str:
    """The statement inserting ``count`` rows into ``records``."""
    return _INSERT + ", (?, ?, ?, ?, ?, ?, ?)" * (count - 1)


_MOVE_HEAD: Final = (
    "UPDATE meta SET head_position = ?, head_hash = ?, head_recorded_at = ? WHERE id = 1"
)
#: Bound parameters per lookup; below the 999 of old SQLite builds.
_CHUNK: Final = 900
#: How many records ``event_ids`` may lag behind before a lookup brings it up to date.
_ID_CATCH_UP: Final = 2048
#: Roughly how many bytes of rows (payloads and the other columns) an append writes before it
#: asks the WAL flusher to fold the WAL back into the main file.
FLUSH_BYTES: Final = 256 * 1024
#: What a row adds besides its payload, in the table and its indexes (an estimate).
_ROW_BYTES: Final = 300


class SQLiteStore(Store):
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
        self._file = SQLiteBackend(path, read_only=read_only, timeout=timeout)
        self._file.ids_lag = max(0, ids_lag)
        super().__init__(self._file, cache_size=cache_size)

    @property
    def path(self) -> Path:
        """The file."""
        return self._file.path

    @property
    def format_version(self) -> int:
        """The format version of the file as open now (see
        :attr:`SQLiteBackend.format_version`)."""
        return self._file.format_version


class SQLiteBackend(SQLiteFile, SQLRows):
    """Rows in an SQLite file (see :mod:`chronology.stores.sqlite` for the schema): the
    backend of :class:`SQLiteStore`.

    The unique index ``records_subject`` refuses a second copy of an event, so the backend
    :attr:`~chronology.stores.backend.Backend.refuses_duplicates`.

    Args:
        path: the file (created, with its schema, if missing).
        read_only: open for reading only (see :class:`SQLiteStore`).
        timeout: how many seconds a write waits for another writer's lock.
    """

    refuses_duplicates = True
    cache_size = 8192
    sort_limit = 65_536
    scan_hint = " NOT INDEXED"
    #: How many records the ``event_ids`` table may fall behind the log before a lookup by id
    #: brings it up to date.
    ids_lag: int = _ID_CATCH_UP
    _flusher: WalFlusher | None = None
    #: Set when no flusher thread could be started: it is not tried again.
    _no_flusher = False
    #: Bytes of rows appended since the flusher was last asked to run (an estimate).
    _unfolded = 0
    #: Set while a write's transaction is open: lookups then never write the id table.
    _writing = False
    #: The snapshot shelf, once looked for (``None``: the file has none).
    _shelf: SQLiteShelf | None = None
    _shelf_looked_for = False

    def select(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A query of :class:`~chronology.stores.sql.SQLRows` (tables unprefixed)."""
        return self._rows(sql.replace("{s}", ""), params)

    # -- writing --------------------------------------------------------------------------------

    def write(self, seal: Sealer) -> Sealed:
        """Seal and insert a batch in one ``BEGIN IMMEDIATE`` transaction, all or nothing.

        Raises:
            DuplicateRowError: if the unique index refuses a row (rolled back).
            StoreError: if the file cannot be written (for instance, another writer held the
                lock longer than ``timeout``).
        """
        with self._lock:
            conn = self._connection()
            try:
                self._patiently(lambda: conn.execute("BEGIN IMMEDIATE"))
            except sqlite3.Error as exc:
                raise self._error("cannot start writing", exc) from None
            self._writing = True
            try:
                position, hash_ = conn.execute(
                    "SELECT head_position, head_hash FROM meta WHERE id = 1"
                ).fetchone()
                sealed = seal(self.head_row(position, hash_), None)
                self._insert(conn, sealed)
                conn.execute("COMMIT")
            except BaseException as exc:
                rollback(conn)
                if isinstance(exc, sqlite3.IntegrityError):
                    raise DuplicateRowError(str(exc)) from None
                if isinstance(exc, sqlite3.Error):
                    raise self._error("cannot append", exc) from None
                raise
            finally:
                self._writing = False
            if self._unfolded >= FLUSH_BYTES:
                self._unfolded = 0
                self._fold()
        return sealed

    def _insert(self, conn: sqlite3.Connection, sealed: Sealed) -> None:
        new = sealed.new
        if not new:
            return
        count = len(new)
        first = new[0].position
        # The columns side by side in one flat list (slice assignments run in C), bound
        # _ROWS_PER_INSERT rows a statement: an executemany steps a statement and makes a
        # tuple for every row.
        params: list[Any] = [None] * (_WIDTH * count)
        params[0::_WIDTH] = range(first, first + count)
        params[1::_WIDTH] = sealed.ids
        params[2::_WIDTH] = sealed.recorded_texts
        params[3::_WIDTH] = padded(sealed.known_at_texts)
        params[4::_WIDTH] = [r.event.subject for r in new]
        params[5::_WIDTH] = sealed.payloads
        params[6::_WIDTH] = sealed.hashes
        step = _WIDTH * _ROWS_PER_INSERT
        for start in range(0, len(params), step):
            chunk = params[start : start + step]
            conn.execute(_insert_rows(len(chunk) // _WIDTH), chunk)
        self._unfolded += sum(map(len, sealed.payloads)) + _ROW_BYTES * count
        if sealed.retractions:
            conn.executemany(
                "INSERT INTO retractions VALUES (?)", [(p,) for p in sealed.retractions]
            )
        conn.execute(_MOVE_HEAD, (new[-1].position, new[-1].hash, sealed.recorded_texts[-1]))

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
            # A backend dropped without close() still stops its thread.
            weakref.finalize(self, flusher.stop)
        flusher.poke()

    # -- reading --------------------------------------------------------------------------------

    def retraction_positions(self, end: int) -> list[int]:
        if self._format >= 2:
            return super().retraction_positions(end)
        # A version 1 file, read as it is: its type column names the retractions.
        tags = [t for t in registered_tags() if issubclass(event_class(t), Retracted)]
        marks = ",".join("?" * len(tags))
        rows = self._rows(
            f"SELECT position FROM records WHERE type IN ({marks})"
            " AND position <= ? ORDER BY position",
            (*tags, end),
        )
        return [row[0] for row in rows]

    def rows_by_id(self, ids: Sequence[str], keys: Sequence[Key] | None = None) -> list[Row]:
        """Through ``records_subject`` when ``keys`` are given (by subject and ``known_at``,
        or by subject alone); else through the ``event_ids`` table (brought up to date first,
        in a transaction of its own, when more than ``ids_lag`` records behind: never inside
        a write, nor in a read-only file), scanning the records it does not cover."""
        with self._lock:
            try:
                if keys is None or self._format < 2:
                    return self._patiently(lambda: self._by_ids(ids))
                exact = [(s, t, i) for i, (s, t) in zip(ids, keys, strict=True) if t is not None]
                loose = [(s, i) for i, (s, t) in zip(ids, keys, strict=True) if t is None]
                found = list(self._join(loose, "r.subject = k.a AND r.event_id = k.b"))
                if exact:
                    texts = padded([t for _, t, _ in exact])
                    triples = [(s, t, i) for (s, _, i), t in zip(exact, texts, strict=True)]
                    found += self._join(
                        triples, "r.subject = k.a AND r.known_at = k.b AND r.event_id = k.c"
                    )
                return found
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from None

    def _by_ids(self, wanted: Sequence[str]) -> list[Row]:
        conn = self._connection()
        if self._format < 2:
            rows = [
                conn.execute(f"SELECT {COLUMNS} FROM records WHERE event_id = ?", (i,)).fetchone()
                for i in wanted
            ]
        else:
            lag = None if self.read_only or self._writing else self.ids_lag
            rows = [ids.row_by_id(conn, COLUMNS, i, catch_up=lag) for i in wanted]
        return [row for row in rows if row is not None]

    def _join(self, keys: Sequence[tuple[str, ...]], on: str) -> list[Row]:
        """The rows matching any of ``keys`` (tuples bound to ``k.a``, ``k.b``, ... in
        ``on``)."""
        if not keys:
            return []
        conn = self._connection()
        width = len(keys[0])
        step = _CHUNK // width
        found: list[Row] = []
        for i in range(0, len(keys), step):
            chunk = keys[i : i + step]
            params = [item for key in chunk for item in key]
            found += conn.execute(join_sql(len(chunk), on, width=width), params).fetchall()
        return found

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

    # -- the snapshot shelf ---------------------------------------------------------------------

    def snapshot_shelf(self) -> SnapshotShelf | None:
        """The file's ``snapshots`` table (:mod:`chronology.stores.sqlite.shelf`), created if
        missing in a file open for writing; ``None`` in a file opened read-only without it, or
        of an older format."""
        if not self._shelf_looked_for:
            self._shelf = open_shelf(self) if self._format == FORMAT_VERSION else None
            self._shelf_looked_for = True
        return self._shelf

    def transaction(self, action: Callable[[sqlite3.Connection], object]) -> None:
        """Run ``action`` in a ``BEGIN IMMEDIATE`` transaction of its own, committed if it
        returns, rolled back if it raises (for the tables beside the records).

        Raises:
            StoreError: if the file cannot be written.
        """
        with self._lock:
            conn = self._connection()

            def run() -> None:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    action(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    rollback(conn)
                    raise

            try:
                self._patiently(run)
            except sqlite3.Error as exc:
                raise self._error("cannot write", exc) from None

    def check_schema(self) -> None:
        """Compare every table, index, trigger and view in the file with the chronicle's own
        schema (:func:`chronology.stores.sqlite.schema.schema_fault`), the snapshot shelf's
        table included if there is one; a file of an older format, read as it is, is only
        checked for triggers and views.

        Raises:
            SchemaIntegrityError: naming the first object that differs.
        """
        rows = self._rows("SELECT type, name, sql FROM sqlite_master")
        expected: tuple[str, ...] | None = None
        if self._format == FORMAT_VERSION:
            shelved = any(kind == "table" and name == "snapshots" for kind, name, _ in rows)
            expected = (*SCHEMA, SHELF_TABLE) if shelved else SCHEMA
        fault = schema_fault(rows, expected)
        if fault is not None:
            raise SchemaIntegrityError(*fault)

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; calling it again does nothing."""
        with self._lock:
            conn, self._conn = self._conn, None
            try:
                if self._flusher is not None:
                    self._flusher.stop()
            finally:
                if conn is not None:
                    conn.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "read-only" if self.read_only else "open"
        return f"<SQLiteStore {self._name!r} {state}>"
