"""An SQLite chronicle file: looked at, recognised, opened, created or upgraded, and the connection
the store reads and writes through (see :mod:`chronology.stores.sqlite`)."""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from chronology._paths import kind_of
from chronology.errors import (
    FormatVersionError,
    NotAChronicleError,
    ReadOnlyError,
    StoreError,
)
from chronology.events import Retracted, event_class, registered_tags
from chronology.stores.sqlite.schema import (
    APPLICATION_ID,
    FORMAT_VERSION,
    IDENTIFY,
    PAGE_SIZE,
    SCHEMA,
    SQLITE_MAGIC,
    TABLES,
    UPGRADE_FROM_1,
)

__all__ = ["SQLiteFile", "has_content", "rollback"]

_T = TypeVar("_T")


class SQLiteFile:
    """An open chronicle file and its connection: the part of
    :class:`~chronology.stores.sqlite.SQLiteStore` that finds, recognises and opens the file
    (see the module documentation of :mod:`chronology.stores.sqlite` for what is refused and
    how a file is read).

    Args:
        path: the file.
        read_only: open for reading only (see :class:`~chronology.stores.sqlite.SQLiteStore`).
        timeout: how many seconds to wait for another connection's lock.

    Attributes:
        path: the file.
    """

    #: Whether writes are refused.
    read_only: bool = False
    #: SQLite's page cache of each connection, in KiB (``PRAGMA cache_size``; SQLite's default
    #: is 2,000). A batch of events in random assertion-time order inserts into both secondary
    #: indexes at scattered places; once the indexes outgrow the cache, every row read its
    #: leaf pages back from the operating system and spilled dirty ones to the WAL before the
    #: commit (see :mod:`chronology.stores.sqlite`). The cache fills only as pages are read.
    page_cache_kib: int = 32 * 1024

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool, timeout: float) -> None:
        self.path = Path(path)
        self._name = os.fspath(path)
        self._timeout = timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._format = FORMAT_VERSION
        #: Fixed now, so that a later ``os.chdir`` moves neither connection to another file.
        self._absolute = self.path.absolute()
        self._conn = self._open(read_only)

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
                head = f.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise StoreError(f"{self._name}: cannot read: {exc.strerror}") from None
        if head and head != SQLITE_MAGIC:
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
            if not (self.read_only and code in NO_SHM and not has_content(self._wal)):
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
            conn.execute(f"PRAGMA cache_size = {-int(self.page_cache_kib)}")
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
                    for statement in UPGRADE_FROM_1:
                        conn.execute(statement.format(tags=quoted))
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise

        try:
            self._patiently(upgrade)
        except sqlite3.Error as exc:
            raise self._error("cannot upgrade the chronicle to the current format", exc) from None
        self._format = FORMAT_VERSION

    @property
    def format_version(self) -> int:
        """The file format version of the file as open now
        (:data:`~chronology.stores.sqlite.FORMAT_VERSION`, unless an older file was opened
        read-only)."""
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
        if not has_content(self.path):
            return  # an empty file, where a new chronicle is created
        try:
            conn = self._connect("ro", immutable=not self._wal.exists())
        except StoreError:
            return
        try:
            found = conn.execute(IDENTIFY).fetchone()
        except sqlite3.Error:
            return
        finally:
            conn.close()
        self._judge(*found)

    def _identify(self, conn: sqlite3.Connection) -> str:
        """``"chronicle"`` or ``"empty"``; raises for anything else."""
        try:
            # One statement, so one snapshot: another process may be creating the schema.
            found = conn.execute(IDENTIFY).fetchone()
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise NotAChronicleError(
                    f"{self._name}: not a chronicle (not a readable SQLite database: {exc})"
                ) from None
            raise
        return self._judge(*found)

    def _judge(self, app: int, version: int, names: str | None, others: str | None) -> str:
        """What :data:`IDENTIFY` found: ``"chronicle"`` or ``"empty"`` (a database holding
        nothing at all, where a chronicle may be created); raises for anything else."""
        tables = names.split("\x1f") if names else []
        if app == APPLICATION_ID:
            if version > FORMAT_VERSION:
                raise FormatVersionError(
                    f"{self._name}: written in chronicle format version {version}; this version "
                    f"of chronology reads format versions up to {FORMAT_VERSION}: upgrade it"
                )
            needed = TABLES.get(version)
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
                    for statement in SCHEMA:
                        conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
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

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            conn = self._connection()
            try:
                return self._patiently(lambda: conn.execute(sql, params).fetchall())
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from None


#: SQLite error names for a WAL file whose shared-memory file cannot be created.
NO_SHM: Final = frozenset({"SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN", "SQLITE_READONLY"})


def has_content(path: Path) -> bool:
    """Whether ``path`` is a file with something in it (``False`` if it cannot be looked at)."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the connection's open transaction, if any."""
    if conn.in_transaction:
        # If ROLLBACK fails too, the transaction is gone already: nothing was committed.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
