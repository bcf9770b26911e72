"""The SQLite store: a chronicle kept in one file, the embedded default.

The chronicle lives in the file you name (``Chronicle.open("chronicle.db")`` puts it in the
current directory; pass an absolute path to put it elsewhere). While it is open, SQLite keeps
two companion files beside it, ``<name>-wal`` and ``<name>-shm``; they belong to the chronicle
and are folded back into the main file, and removed, when the last connection closes. Copy or
move the chronicle only while nothing has it open.

A path is looked at before anything opens it: a directory, a device, a FIFO or a socket is
refused (opening a FIFO waits for a writer; SQLite leaves a ``-journal`` file beside a device).
An existing file is first read through a connection that cannot write (``immutable`` when no
``-wal`` file lies beside it, so that nothing is created or locked), and a file that is not a
chronicle is refused there, unmodified. Opened read-only, a file this process may write, with no
``-wal`` beside it, is read through a writable connection refused every write (``PRAGMA
query_only``): a connection opened read-only cannot remove the ``-wal`` and ``-shm`` files it
makes, and this one removes them as it closes, leaving the directory as it was found. Otherwise
(companion files already there, or a file the process may not write) a read-only connection
reads it, and the companion files stay, for the next writer to remove.

Schema (format version 2)::

    CREATE TABLE records (
        position    INTEGER PRIMARY KEY,   -- 1, 2, 3, ... contiguous
        event_id    TEXT NOT NULL,         -- derived from the payload
        recorded_at TEXT NOT NULL,         -- the exact text the hash chain covers
        known_at    TEXT NOT NULL,         -- UTC, fixed width: text order is time order
        subject     TEXT NOT NULL,
        payload     TEXT NOT NULL,         -- the event's canonical JSON, never rewritten
        hash        TEXT NOT NULL          -- chains the previous record's hash
    );
    CREATE UNIQUE INDEX records_subject ON records (subject, known_at, event_id);
    CREATE INDEX records_known_at ON records (known_at, position);
    CREATE TABLE retractions (position INTEGER PRIMARY KEY);  -- the Retracted records
    CREATE TABLE event_ids (                -- filled on demand by lookups by id
        event_id TEXT PRIMARY KEY,
        position INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE meta (
        id               INTEGER PRIMARY KEY CHECK (id = 1),  -- a single row
        format_version   INTEGER NOT NULL,
        head_position    INTEGER NOT NULL,  -- the sealed head: the number of records,
        head_hash        TEXT NOT NULL,     -- the hash of the last one,
        head_recorded_at TEXT,              -- and its recorded_at
        ids_through      INTEGER NOT NULL DEFAULT 0  -- event_ids covers positions up to this
    );

Every index that an append maintains grows in the order records usually arrive (by subject
and by assertion time), none in the random order of content hashes: a unique index on
``event_id`` made every batch rewrite pages all over that index, about 60% of the time of
inserting the rows. An event is stored once all the same: its ``event_id`` is derived from its
content, which includes its ``subject`` and ``known_at``, so ``records_subject`` refuses a second
copy. Looking a record up by ``event_id`` alone (:meth:`SQLiteStore.get`) uses ``event_ids``,
brought up to date in one sorted pass when many records have been appended since.

A file of format version 1 (``event_id`` unique, a ``type`` column and index) is read as it is
when opened read-only, and upgraded to version 2 in one transaction when opened for writing.

The file's header carries ``PRAGMA application_id`` (:data:`APPLICATION_ID`) and
``PRAGMA user_version`` (the format version), so a chronicle is recognised before any table is
read, and a file that is not one is never modified.

Durability and concurrency: the file is in WAL mode with ``synchronous=NORMAL``. Each batch is
one ``BEGIN IMMEDIATE`` transaction that reads the sealed head, seals the batch
(:func:`chronology.record.seal`), inserts its rows with one ``executemany`` and moves the head.
A committed batch survives the writing process being killed at any point; an uncommitted one
leaves no trace. (After a power loss or an operating-system crash, the last few committed
batches may be missing, whole; ``synchronous=FULL`` would close that window at the cost of an
fsync per batch.) Several processes may append to one file at once: SQLite's write lock orders
them, each waits up to ``timeout`` seconds for it, and because every system-time decision is
made inside the transaction, positions stay contiguous, the chain stays valid and
``recorded_at`` strictly increases across writers. Readers never block writers and see whole
batches only.

Checkpoints: committed pages go to the ``-wal`` file first and are copied into the main file by
a checkpoint. SQLite runs one inside the ``COMMIT`` that takes the WAL past 1,000 pages, and the
writer waits while it copies. A chronicle open for writing instead asks a thread of its own
(started by the first append that has written a few hundred KiB, named ``chronology checkpoint
<absolute path>``) to run a passive checkpoint every few hundred KiB, while the caller goes on
with the next batch; SQLite's own checkpoint stays on in case that thread falls behind. The
thread works on the file the chronicle was opened on, even if the process changes its current
directory later. If no thread can be started (the interpreter is shutting down, or the process
is at its thread limit), the append succeeds all the same, no thread is tried again for that
chronicle, and SQLite's own checkpoint does the folding. ``close()`` ends the thread, and so
does dropping the chronicle unclosed. Neither kind of checkpoint changes what is committed or
when: only where the committed pages sit.

Do not use a chronicle across ``os.fork()``: as SQLite requires of its connections, a child
process opens the file again. A forked child inherits no checkpointer thread; its copy of the
chronicle never wakes, or waits for, the thread it does not have, so dropping or closing the
copy neither hangs nor disturbs the parent's thread.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import stat
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

from chronology._paths import kind_of
from chronology.errors import (
    ChronologyError,
    FormatVersionError,
    IntegrityError,
    NotAChronicleError,
    ReadOnlyError,
    SchemaIntegrityError,
    StoreError,
)
from chronology.events import Event, Retracted, event_class, registered_tags
from chronology.record import GENESIS_HASH, Batch, Record, Sealed, Tip, new_record, seal
from chronology.serialization import _instant_text, event_from_payload
from chronology.stores.base import RawRecord, Store
from chronology.stores.sqlite_schema import schema_fault
from chronology.time import to_instant

__all__ = ["APPLICATION_ID", "FORMAT_VERSION", "PAGE_SIZE", "SQLiteStore", "known_at_text"]

#: ``PRAGMA application_id`` of a chronicle file: the bytes ``b"Chrn"``.
APPLICATION_ID: Final = 0x4368726E
#: The page size of a new file, in bytes (SQLite's default is 4096; with pages of 16 KiB, a
#: batch of 1,000 records is written with a quarter of the system calls, and writes ran about
#: 20% faster in the benchmarks).
PAGE_SIZE: Final = 16384
#: The version of the file format this module writes (``PRAGMA user_version``).
FORMAT_VERSION: Final = 2

_RECORDS_TABLE: Final = """CREATE TABLE {name} (
        position    INTEGER PRIMARY KEY,
        event_id    TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        known_at    TEXT NOT NULL,
        subject     TEXT NOT NULL,
        payload     TEXT NOT NULL,
        hash        TEXT NOT NULL
    )"""
_INDEXES_AND_TABLES: Final = (
    "CREATE UNIQUE INDEX records_subject ON records (subject, known_at, event_id)",
    "CREATE INDEX records_known_at ON records (known_at, position)",
    "CREATE TABLE retractions (position INTEGER PRIMARY KEY)",
    """CREATE TABLE event_ids (
        event_id TEXT PRIMARY KEY,
        position INTEGER NOT NULL
    ) WITHOUT ROWID""",
)
_SCHEMA: Final = (
    _RECORDS_TABLE.format(name="records"),
    *_INDEXES_AND_TABLES,
    """CREATE TABLE meta (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        format_version   INTEGER NOT NULL,
        head_position    INTEGER NOT NULL,
        head_hash        TEXT NOT NULL,
        head_recorded_at TEXT,
        ids_through      INTEGER NOT NULL DEFAULT 0
    )""",
    f"INSERT INTO meta VALUES (1, {FORMAT_VERSION}, 0, '{GENESIS_HASH}', NULL, 0)",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {FORMAT_VERSION}",
)
#: Format version 1 to 2, in one transaction (``{tags}``: the retraction tags, quoted).
_UPGRADE_FROM_1: Final = (
    _RECORDS_TABLE.format(name="records_v2"),
    "INSERT INTO records_v2 SELECT position, event_id, recorded_at, known_at, subject, payload,"
    " hash FROM records ORDER BY position",
    "CREATE TABLE retractions_v2 (position INTEGER PRIMARY KEY)",
    "INSERT INTO retractions_v2 SELECT position FROM records WHERE type IN ({tags})",
    "DROP TABLE records",
    "ALTER TABLE records_v2 RENAME TO records",
    *(sql for sql in _INDEXES_AND_TABLES if "retractions" not in sql),
    "ALTER TABLE retractions_v2 RENAME TO retractions",
    "ALTER TABLE meta ADD COLUMN ids_through INTEGER NOT NULL DEFAULT 0",
    "UPDATE meta SET format_version = 2",
    "PRAGMA user_version = 2",
)

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
#: asks the checkpointer to fold the WAL back into the main file.
_CHECKPOINT_BYTES: Final = 256 * 1024
#: What a row adds besides its payload, in the table and its indexes (an estimate).
_ROW_BYTES: Final = 300
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
#: What a file is, in one statement: application id, format version, table names, and the
#: names of the other objects of its schema (views, indexes, triggers), each after its type.
_IDENTIFY: Final = (
    "SELECT (SELECT application_id FROM pragma_application_id),"
    " (SELECT user_version FROM pragma_user_version),"
    " (SELECT group_concat(name, char(31)) FROM sqlite_master WHERE type = 'table'),"
    " (SELECT group_concat(type || ' ' || name, char(31)) FROM sqlite_master"
    " WHERE type <> 'table')"
)
#: The tables a file of each format version has.
_TABLES: Final = {
    1: frozenset({"records", "meta"}),
    2: frozenset({"records", "meta", "retractions", "event_ids"}),
}
#: Greater than every position.
_AFTER_ANY_POSITION: Final = 2**63 - 1
#: Sorts after every stored ``known_at``.
_END_OF_TIME: Final = "9999-12-31T23:59:59.999999+00:00"

_Row = tuple[int, str, str, str, str]
_from_iso: Final = datetime.fromisoformat
_T = TypeVar("_T")


def known_at_text(instant: datetime) -> str:
    """The stored form of an assertion-time instant: UTC, always with microseconds.

    Every value has the same width, so comparing the text compares the instants, and
    ``WHERE known_at <= ?`` can use the index.

    Example:
        >>> from datetime import UTC, datetime, timedelta
        >>> from chronology.stores.sqlite import known_at_text
        >>> known_at_text(datetime(2024, 4, 3, 12, tzinfo=UTC))
        '2024-04-03T12:00:00.000000+00:00'
    """
    if instant.tzinfo is not UTC:
        instant = to_instant(instant)
    text = _instant_text(instant)  # isoformat(timespec="microseconds") takes four times as long
    return text if instant.microsecond else f"{text[:19]}.000000{text[19:]}"


def _bounds(after: datetime | None, until: datetime | None) -> tuple[str, tuple[str, int]]:
    """The ``known_at`` bound and the index key to start after: ``after < known_at <= until``."""
    bound = _END_OF_TIME if until is None else known_at_text(until)
    key = ("", 0) if after is None else (known_at_text(after), _AFTER_ANY_POSITION)
    return bound, key


def _join_sql(count: int, on: str, *, payload: bool = True) -> str:
    """The query of the records matching any of ``count`` key pairs (``k.a``, ``k.b``, joined
    ``on`` a condition that starts with ``r.subject = k.a``); ``payload=False`` reads an empty
    text in place of each payload.

    ``INDEXED BY records_subject``: without statistics, SQLite's planner guesses that a list
    of a few hundred keys is worth an automatic index built from the whole table, on every
    call, which made re-importing stored events cost quadratic time.
    """
    values = ",".join(["(?, ?)"] * count)
    text = "r.payload" if payload else "''"
    return (
        f"WITH k(a, b) AS (VALUES {values}) SELECT DISTINCT"
        f" r.position, r.event_id, r.recorded_at, {text}, r.hash"
        f" FROM k JOIN records AS r INDEXED BY records_subject ON {on}"
    )


def _padded(texts: Sequence[str]) -> list[str]:
    """:func:`known_at_text` of instants given as ``_instant_text`` wrote them (UTC): only
    the padding of whole seconds is left to do."""
    return [t if len(t) == 32 else t[:19] + ".000000" + t[19:] for t in texts]


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
        self.path = Path(path)
        self._ids_lag = max(0, ids_lag)
        self._name = os.fspath(path)
        self._timeout = timeout
        self._cache: OrderedDict[int, Record] = OrderedDict()
        self._cache_size = max(0, cache_size)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._format = FORMAT_VERSION
        #: Fixed now, so that a later ``os.chdir`` moves neither connection to another file.
        self._absolute = self.path.absolute()
        self._conn = self._open(read_only)
        self._checkpointer: _Checkpointer | None = None
        #: Set when no checkpointer thread could be started: it is not tried again.
        self._no_checkpointer = False
        #: Bytes of rows appended since the checkpointer was last asked to run (an estimate).
        self._unfolded = 0

    # -- opening --------------------------------------------------------------------------------

    def _open(self, read_only: bool) -> sqlite3.Connection:
        path, name = self.path, self._name
        # Looked at before anything opens it: opening a FIFO waits for a writer, and SQLite
        # leaves a ``-journal`` file beside a device it tried to use.
        try:
            kind: int | None = path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            kind = None
        except OSError as exc:
            raise StoreError(f"{name}: cannot open: {exc.strerror}") from None
        if kind is not None and not stat.S_ISREG(kind):
            raise NotAChronicleError(f"{name}: is {kind_of(kind)}, not a chronicle file")
        exists = kind is not None
        if not exists:
            if read_only:
                raise StoreError(f"{name}: no such chronicle (opened read-only, so not created)")
            parent = path.absolute().parent
            if not parent.is_dir():
                what = "does not exist" if not parent.exists() else "is not a directory"
                raise StoreError(f"{name}: cannot create the chronicle: {parent} {what}")
        else:
            self._check_magic()
            self._inspect()
            if not read_only and not os.access(path, os.W_OK):
                read_only = True
        self.read_only = read_only
        if not exists:
            mode = "rwc"
        elif not read_only:
            mode = "rw"
        elif os.access(path, os.W_OK) and not self._wal.exists():
            # A connection that may not write cannot remove the ``-wal`` and ``-shm`` files
            # that reading a WAL file makes: a writable one, refused every write, removes
            # them when it closes, as the last one (see :meth:`_reader`).
            mode = "query"
        else:
            mode = "ro"
        conn = self._connect(mode)
        try:
            return self._prepare(conn)
        except BaseException:
            conn.close()
            raise

    def _check_magic(self) -> None:
        """Refuse a non-empty file that does not start like an SQLite database."""
        try:
            with self.path.open("rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise StoreError(f"{self._name}: cannot read: {exc.strerror}") from None
        if head and head != _SQLITE_MAGIC:
            raise NotAChronicleError(f"{self._name}: not a chronicle (not an SQLite database)")

    def _uri(self, mode: str) -> str:
        return f"{self._absolute.as_uri()}?mode={mode}"

    def _connect(self, mode: str, *, immutable: bool = False) -> sqlite3.Connection:
        """A connection in ``mode``: ``"ro"``, ``"rw"``, ``"rwc"`` (create the file), or
        ``"query"`` (``"rw"``, but refused every write by ``PRAGMA query_only``)."""
        uri = self._uri("rw" if mode == "query" else mode)
        if immutable:
            uri += "&immutable=1"
        try:
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self._name}: cannot open: {exc}") from None
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        if mode == "query":
            conn.execute("PRAGMA query_only = ON")
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """Recognise the file (creating the schema in an empty one) and set the pragmas.

        Returns the connection to use, which differs from ``conn`` only for a read-only file
        that has to be read as immutable.
        """
        try:
            state = self._patiently(lambda: self._identify(conn))
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorname", "")
            if not (self.read_only and code in _NO_SHM and not _has_content(self._wal)):
                raise self._error("cannot read", exc) from None
            # A read-only WAL file in a directory we may not write: no -shm can be made, and
            # with no -wal beside it the main file holds everything, so read it as immutable.
            conn.close()
            conn = self._connect("ro", immutable=True)
            try:
                return self._settle(conn, self._identify(conn))
            except BaseException:
                conn.close()
                raise
        return self._settle(conn, state)

    def _settle(self, conn: sqlite3.Connection, state: str) -> sqlite3.Connection:
        """Initialise an empty file, set the pragmas and check the meta table."""
        if state == "empty":
            if self.read_only:
                raise NotAChronicleError(
                    f"{self._name}: an empty file, not a chronicle (opened read-only, so not "
                    "initialised)"
                )
            self._initialise(conn)
        try:
            if not self.read_only:
                mode = self._patiently(
                    lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                )
                if str(mode).lower() != "wal":
                    raise StoreError(f"{self._name}: cannot switch to WAL mode (got {mode!r})")
            conn.execute("PRAGMA synchronous = NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            row = conn.execute("SELECT format_version FROM meta WHERE id = 1").fetchone()
        except sqlite3.Error as exc:
            raise self._error("cannot read", exc) from None
        if row is None or row[0] != version:
            raise NotAChronicleError(
                f"{self._name}: a damaged chronicle: its meta table does not match its header"
            )
        self._format = version
        if version < FORMAT_VERSION and not self.read_only:
            self._upgrade(conn)
        return conn

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Bring a file of an older format version to the current one, in one transaction
        (unless another process did it first)."""
        tags = [t for t in registered_tags() if issubclass(event_class(t), Retracted)]
        quoted = ", ".join("'" + t.replace("'", "''") + "'" for t in tags)

        def upgrade() -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] == 1:
                    for statement in _UPGRADE_FROM_1:
                        conn.execute(statement.format(tags=quoted))
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

        try:
            self._patiently(upgrade)
        except sqlite3.Error as exc:
            raise self._error("cannot upgrade the chronicle to the current format", exc) from None
        self._format = FORMAT_VERSION

    @property
    def format_version(self) -> int:
        """The file format version of the file as open now (:data:`FORMAT_VERSION`, unless an
        older file was opened read-only)."""
        return self._format

    @property
    def _wal(self) -> Path:
        return Path(f"{self.path}-wal")

    def _inspect(self) -> None:
        """Refuse a file that is not a chronicle before anything may write to it.

        The file is read through a connection that writes nothing: an ``immutable`` one when
        no ``-wal`` file lies beside it (the main file then holds everything, and nothing is
        created or locked), a read-only one otherwise. Only a definite answer counts: a file
        that cannot be read now (another process may be creating it) is judged once it is
        open, as every file is.
        """
        if not _has_content(self.path):
            return  # an empty file, where a new chronicle is created
        try:
            conn = self._connect("ro", immutable=not self._wal.exists())
        except StoreError:
            return
        try:
            found = conn.execute(_IDENTIFY).fetchone()
        except sqlite3.Error:
            return
        finally:
            conn.close()
        self._judge(*found)

    def _identify(self, conn: sqlite3.Connection) -> str:
        """``"chronicle"`` or ``"empty"``; raises for anything else."""
        try:
            # One statement, so one snapshot: another process may be creating the schema.
            found = conn.execute(_IDENTIFY).fetchone()
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise NotAChronicleError(
                    f"{self._name}: not a chronicle (not a readable SQLite database: {exc})"
                ) from None
            raise
        return self._judge(*found)

    def _judge(self, app: int, version: int, names: str | None, others: str | None) -> str:
        """What :data:`_IDENTIFY` found: ``"chronicle"`` or ``"empty"`` (a database holding
        nothing at all, where a chronicle may be created); raises for anything else."""
        tables = names.split("\x1f") if names else []
        if app == APPLICATION_ID:
            if version > FORMAT_VERSION:
                raise FormatVersionError(
                    f"{self._name}: written in chronicle format version {version}; this version "
                    f"of chronology reads format versions up to {FORMAT_VERSION}: upgrade it"
                )
            needed = _TABLES.get(version)
            if needed is None or not needed.issubset(tables):
                raise NotAChronicleError(
                    f"{self._name}: a damaged chronicle (format version {version}, "
                    f"tables: {', '.join(sorted(tables)) or 'none'})"
                )
            return "chronicle"
        if app != 0:
            raise NotAChronicleError(
                f"{self._name}: not a chronicle (an SQLite database of another application, "
                f"application_id {app:#010x})"
            )
        if tables or others:
            contents = sorted(others.split("\x1f")) if others else []
            if contents:
                listed = ", ".join([*(f"table {t}" for t in sorted(tables)), *contents])
                what = f"other contents: {listed}"
            else:
                what = f"other tables: {', '.join(sorted(tables))}"
            raise NotAChronicleError(
                f"{self._name}: not a chronicle (an SQLite database with {what})"
            )
        if version != 0:
            raise NotAChronicleError(
                f"{self._name}: not a chronicle (an SQLite database of another application, "
                f"user_version {version})"
            )
        return "empty"

    def _initialise(self, conn: sqlite3.Connection) -> None:
        """Create the schema, unless another process did it first."""

        def create() -> None:
            # Fixed when the first page is written: larger pages mean fewer writes per batch.
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self._identify(conn) == "empty":
                    for statement in _SCHEMA:
                        conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

        try:
            self._patiently(create)
        except sqlite3.Error as exc:
            raise self._error("cannot create the chronicle", exc) from None

    def _patiently(self, action: Callable[[], _T]) -> _T:
        """Run ``action``, retrying for up to ``timeout`` seconds while the file is busy.

        SQLite's busy timeout does not cover every lock: switching the journal mode, or a read
        lock that must be upgraded while another connection commits, fails at once with
        ``SQLITE_BUSY`` (waiting could deadlock), and so may a reader that meets another
        process recovering the WAL. These happen when several processes open a new file
        together, or share one; only statements that are safe to repeat are retried.
        """
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                busy = getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY")
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0.002, 0.02))

    def _error(self, what: str, exc: sqlite3.Error) -> StoreError:
        code = getattr(exc, "sqlite_errorname", "")
        if code.startswith("SQLITE_READONLY"):
            return ReadOnlyError(f"{self._name}: {what}: the file is read-only ({exc})")
        return StoreError(f"{self._name}: {what}: {exc}")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self._name}: the chronicle is closed")
        return self._conn

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
            if self._unfolded >= _CHECKPOINT_BYTES:
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
                (batch.events[0].subject, _padded(batch.known_at_texts[:1])[0], batch.ids[0]),
            ).fetchone()
        except sqlite3.Error:
            return False  # the append that follows reports what is wrong
        return row is not None

    def _fold(self) -> None:
        """Ask the checkpointer (started on first use) to fold the WAL into the main file."""
        checkpointer = self._checkpointer
        if checkpointer is None:
            if self._no_checkpointer:
                return
            try:
                checkpointer = _Checkpointer(self._uri("rw"), str(self._absolute))
            except RuntimeError:
                # No thread to be had (interpreter shutdown, thread limit). The batch is
                # committed already; SQLite's own checkpoint folds the WAL from now on.
                self._no_checkpointer = True
                return
            self._checkpointer = checkpointer
            # A store dropped without close() still stops its thread.
            weakref.finalize(self, checkpointer.stop)
        checkpointer.poke()

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
                    known = [_instant_text(e.known_at) for e in events]
                conn.executemany(
                    _INSERT,
                    zip(
                        range(first, first + len(new)),
                        sealed.ids,
                        sealed.recorded_texts,
                        _padded(known),
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
            _rollback(conn)
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
        known = _padded(batch.known_at_texts)
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
            yield from conn.execute(_join_sql(len(chunk), on, payload=payload), params).fetchall()

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

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            conn = self._connection()
            try:
                return self._patiently(lambda: conn.execute(sql, params).fetchall())
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from None

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

    def records(self) -> Iterator[Record]:
        """Every record, in position order, as stored when the call was made.

        Records are read a page at a time, so memory stays bounded on a large log.
        """
        return self._pages(len(self))

    def records_after(self, position: int) -> Iterator[Record]:
        """The records after ``position``, in position order, a page at a time."""
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

    def ordered(self, until: datetime | None = None) -> Iterator[Record]:
        """The records with ``known_at <= until``, in ``(known_at, position)`` order.

        Walks the ``(known_at, position)`` index a page at a time; records appended after the
        call are not included.
        """
        return self._ordered(*_bounds(None, until), len(self))

    def ordered_between(self, after: datetime | None, until: datetime | None) -> Iterator[Record]:
        """The records with ``after < known_at <= until``, in ``(known_at, position)`` order,
        starting in the index at ``after``."""
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

        Looks in the ``event_ids`` table, first bringing it up to date (in one transaction, in
        sorted order) when more than a few thousand records were appended since it was; the
        records it does not cover yet are scanned. A read-only file is never written: its
        uncovered records are scanned.
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
            return None if row is None else self._decode(row)
        through, head = conn.execute("SELECT ids_through, head_position FROM meta").fetchone()
        if catch_up and head - through > self._ids_lag and not self.read_only:
            through = self._index_ids(conn)
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM records WHERE position ="
            " (SELECT position FROM event_ids WHERE event_id = ?) AND event_id = ?",
            (event_id, event_id),
        ).fetchone()
        if row is None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM records WHERE position > ? AND event_id = ?",
                (through, event_id),
            ).fetchone()
        if (
            row is None
            and conn.execute("SELECT 1 FROM event_ids WHERE event_id = ?", (event_id,)).fetchone()
        ):
            # The id table points elsewhere (edited behind the library's back): scan.
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM records WHERE event_id = ?", (event_id,)
            ).fetchone()
        return None if row is None else self._decode(row)

    def _index_ids(self, conn: sqlite3.Connection) -> int:
        """Add the ids of the records ``event_ids`` does not cover yet; return its new bound."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            through, head = conn.execute("SELECT ids_through, head_position FROM meta").fetchone()
            conn.execute(
                "INSERT INTO event_ids SELECT event_id, position FROM records"
                " WHERE position > ? AND position <= ? ORDER BY event_id",
                (through, head),
            )
            conn.execute("UPDATE meta SET ids_through = ? WHERE id = 1", (head,))
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return int(head)

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
                self._patiently(self._check_tables)
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from None

    def check_schema(self) -> None:
        """Compare every table, index, trigger and view in the file with the chronicle's own
        schema (:func:`chronology.stores.sqlite_schema.schema_fault`); a file of an older
        format, read as it is, is only checked for triggers and views.

        Raises:
            SchemaIntegrityError: naming the first object that differs.
        """
        rows = self._rows("SELECT type, name, sql FROM sqlite_master")
        fault = schema_fault(rows, _SCHEMA if self._format == FORMAT_VERSION else None)
        if fault is not None:
            raise SchemaIntegrityError(*fault)

    def _check_tables(self) -> None:
        conn = self._connection()
        conn.execute("BEGIN")  # one snapshot for every query below
        try:
            through, head, head_at = conn.execute(
                "SELECT ids_through, head_position, head_recorded_at FROM meta"
            ).fetchone()
            last = conn.execute(
                "SELECT recorded_at FROM records WHERE position = ?", (head,)
            ).fetchone()
            if (None if last is None else last[0]) != head_at:
                raise IntegrityError(
                    head,
                    f"the meta table gives the head's recorded_at as {head_at!r}, but the"
                    f" record holds {None if last is None else last[0]!r}",
                )
            (stray,) = conn.execute(
                "SELECT min(position) FROM retractions WHERE position < 1 OR position > ?", (head,)
            ).fetchone()
            if stray is not None:
                raise IntegrityError(
                    stray, f"listed as a retraction, but the log has only {head} records"
                )
            if through > head:
                raise IntegrityError(
                    head + 1,
                    f"the id table says it covers {through} records, but the log has {head}",
                )
            # The healthy case in two counts: entries are unique by id and records by position,
            # so ``through`` matching pairs and ``through`` entries leave none astray. The
            # records side is read from an index that holds their ids, not from their rows.
            (entries,) = conn.execute("SELECT count(*) FROM event_ids").fetchone()
            (matched,) = conn.execute(
                "SELECT count(*) FROM records AS r INDEXED BY records_subject"
                " JOIN event_ids AS e ON e.event_id = r.event_id"
                " WHERE r.position <= ? AND e.position = r.position",
                (through,),
            ).fetchone()
            if entries == matched == through:
                return
            raise self._first_wrong_id(conn, through)
        finally:
            _rollback(conn)

    @staticmethod
    def _first_wrong_id(conn: sqlite3.Connection, through: int) -> IntegrityError:
        """The error naming the first position the ``event_ids`` table is wrong about."""
        (missing,) = conn.execute(
            "SELECT min(position) FROM records AS r WHERE position <= ? AND NOT EXISTS"
            " (SELECT 1 FROM event_ids AS e WHERE e.event_id = r.event_id"
            " AND e.position = r.position)",
            (through,),
        ).fetchone()
        wrong = conn.execute(
            "SELECT e.position, e.event_id, r.event_id FROM event_ids AS e"
            " LEFT JOIN records AS r ON r.position = e.position"
            " WHERE e.position > ? OR r.event_id IS NOT e.event_id"
            " ORDER BY e.position LIMIT 1",
            (through,),
        ).fetchone()
        if wrong is not None and (missing is None or wrong[0] < missing):
            position, listed, stored = wrong
            if stored == listed:
                reason = f"in the id table, which says it covers only the first {through}"
            else:
                what = "no record" if stored is None else f"{stored!r}"
                reason = f"the id table gives it the id {listed!r}, but it holds {what}"
            return IntegrityError(position, reason)
        return IntegrityError(
            missing if missing is not None else through,
            "missing from the id table, so a lookup by its id would not find it",
        )

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
                if self._checkpointer is not None:
                    self._checkpointer.stop()
            finally:
                if conn is not None:
                    conn.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "read-only" if self.read_only else "open"
        return f"<SQLiteStore {self._name!r} {state}>"


class _Checkpointer:
    """Folds the WAL back into the main file on a thread of its own.

    Left to itself, SQLite checkpoints inside the ``COMMIT`` that takes the WAL past 1,000
    pages, and the writer waits while the pages are copied: about a third of the time of
    inserting rows, in the benchmarks. Here an append that has written a few hundred KiB asks
    this thread to run a passive checkpoint, which copies the committed pages while the writer
    goes on preparing its next batch (the ``sqlite3`` module lets other threads run while
    SQLite works). A passive checkpoint never blocks a writer or a reader, and SQLite's own
    checkpoint stays on as a backstop should this thread fall behind or fail.

    The thread holds its own connection and nothing of the store, so a store that is dropped
    unclosed can be collected (its finalizer stops the thread).

    The thread exists only in the process that started it: in a child forked since, ``poke``
    and ``stop`` do nothing (the child's copy of ``_wake`` may even be locked for good, if the
    thread held its lock at the moment of the fork).

    Raises:
        RuntimeError: from :meth:`threading.Thread.start`, when no thread can be started.
    """

    def __init__(self, uri: str, name: str) -> None:
        self._uri = uri
        self._wake = threading.Event()
        self._stopping = False
        self._pid = os.getpid()
        self._thread = threading.Thread(
            target=self._run, name=f"chronology checkpoint {name}", daemon=True
        )
        self._thread.start()

    def poke(self) -> None:
        """Run a checkpoint soon (requests made while one runs are merged into one)."""
        if self._pid == os.getpid():
            self._wake.set()

    def _run(self) -> None:
        try:
            # timeout=0: a passive checkpoint that finds the file busy is skipped, not waited
            # for; the next request (or SQLite's own checkpoint) catches up.
            conn = sqlite3.connect(self._uri, uri=True, isolation_level=None, timeout=0)
        except sqlite3.Error:  # pragma: no cover - the writer opened the same file just now
            return  # SQLite's own checkpoints still run
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                # Busy (another process checkpointing) or failing: the backstop covers it.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def stop(self) -> None:
        """Let a running checkpoint finish, then end the thread (calling it again, or in a
        forked child, does nothing)."""
        if self._pid != os.getpid():
            return
        self._stopping = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


#: SQLite error names for a WAL file whose shared-memory file cannot be created.
_NO_SHM: Final = frozenset({"SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN", "SQLITE_READONLY"})


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        # If ROLLBACK fails too, the transaction is gone already: nothing was committed.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
