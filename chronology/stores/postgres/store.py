"""The PostgreSQL store: one chronicle shared by writers on many machines.

Every batch is one transaction. It first locks the single ``meta`` row (``SELECT ... FOR
UPDATE``), which orders writers one after the other, whatever machine they run on, while
readers go on reading; then, still inside the transaction, it reads the head's record and the
server's clock (``clock_timestamp()``) in one statement; the shared store looks up the stored
targets of the batch's retractions and seals the batch (:func:`chronology.record.seal`); the
rows are copied in (``COPY``), and the head moved and the followers told in one statement. The
batch's own events are not looked up first (only its first, outside the transaction, which
finds a re-import): the unique index on ``event_id`` refuses a stored one, the transaction is
rolled back, and the store seals the batch again with its stored copies found. Positions
therefore stay contiguous, the hash chain stays whole, and ``recorded_at`` strictly increases
across every writer: each one is decided after the previous batch was committed, from one
clock, the server's (a client's clock may be used instead, for replays and tests:
``server_clock=False``). The skew rule holds as for SQLite: a
clock reading more than ``max_skew`` behind the last record refuses the batch with
:class:`~chronology.errors.ClockSkewError`. A batch that fails, or whose client dies, is rolled
back whole by the server.

``payload`` and ``recorded_at`` are stored as the exact text the hash covers; see
:mod:`chronology.stores.postgres.schema` for the tables. Every read is one of the SQL backends'
shared queries (:class:`~chronology.stores.sql.SQLRows`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from chronology.errors import (
    FormatVersionError,
    IntegrityError,
    NotAChronicleError,
    SchemaIntegrityError,
    StoreError,
)
from chronology.record import GENESIS_HASH, Sealed
from chronology.stores.backend import DuplicateRowError, Key, Row, Sealer
from chronology.stores.base import Store
from chronology.stores.postgres.schema import (
    CATALOG_QUERY,
    FORMAT_VERSION,
    MARK,
    TABLES,
    create_statements,
    schema_fault,
)
from chronology.stores.sql import COLUMNS, SQLRows, padded

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresBackend", "PostgresStore", "is_postgres_url"]

_SCHEMES: Final = ("postgresql://", "postgres://")
#: The columns of a :data:`~chronology.stores.backend.Row` of the records table ``r``.
_HEAD: Final = ", ".join(f"r.{name}" for name in COLUMNS.split(", "))


def is_postgres_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL database (``postgresql://`` or ``postgres://``).

    Example:
        >>> is_postgres_url("postgresql://alice@db.example.org/chronicles"), is_postgres_url("c.db")
        (True, False)
    """
    return isinstance(target, str) and target.startswith(_SCHEMES)


def split_url(url: str) -> tuple[str, str | None]:
    """The connection URL without the ``schema`` parameter, and that parameter (if given)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in query if k == "schema"]
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), (schemas[-1] if schemas else None)


def shown_url(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "a chronicle on PostgreSQL needs psycopg 3: "
            "pip install 'expectation-chronology[postgres]'"
        ) from None
    return psycopg


class PostgresStore(Store):
    """Records in a PostgreSQL schema; see the module documentation for the guarantees.

    Most code opens one through :meth:`chronology.Chronicle.open` with a URL.

    Args:
        url: ``postgresql://user:password@host:port/dbname`` (any libpq parameter may follow
            ``?``); a ``schema`` parameter names the schema, as ``schema`` does.
        schema: the PostgreSQL schema holding the chronicle (``public`` by default); several
            chronicles can share one database in schemas of their own. Created, with the
            tables, when missing (unless ``read_only``).
        read_only: never write, on a connection whose transactions are read-only: a role with
            only ``USAGE`` on the schema and ``SELECT`` on its tables can read. Appending
            raises :class:`ReadOnlyError`.
        server_clock: take ``recorded_at`` from the server's clock inside each append's
            transaction (the default); ``False`` uses the clock the chronicle passes (a
            replay with a clock of one's own, or a test's fake clock).

    Raises:
        NotAChronicleError: the schema holds anything else than a chronicle's tables.
        FormatVersionError: the chronicle was written by a newer format version.
        StoreError: the server cannot be reached or refuses the connection, or ``read_only``
            is set and there is no chronicle in the schema; the message names the URL
            (without its password) and the schema.
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        read_only: bool = False,
        server_clock: bool = True,
    ) -> None:
        self._server = PostgresBackend(
            url, schema=schema, read_only=read_only, server_clock=server_clock
        )
        super().__init__(self._server)

    @property
    def schema(self) -> str:
        """The PostgreSQL schema holding the chronicle."""
        return self._server.schema


class PostgresBackend(SQLRows):
    """Rows in a PostgreSQL schema: the backend of :class:`PostgresStore`, which takes the same
    arguments (see the module documentation for the guarantees)."""

    #: The unique index on ``event_id`` refuses a second copy of an event: a batch is sealed
    #: without looking its events up first (:class:`~chronology.stores.backend.DuplicateRowError`).
    refuses_duplicates = True
    #: The point read's statement joins the ``retractions`` table and reads ``known_at``: a
    #: first read decodes only the events its fold needs.
    marks_subject_rows = True
    cache_size = 8192
    page = 5000

    def __init__(
        self, url: str, *, schema: str | None, read_only: bool, server_clock: bool
    ) -> None:
        pg = _psycopg()
        conninfo, from_url = split_url(url)
        self.schema = schema or from_url or "public"
        self.read_only = read_only
        self._server_clock = server_clock
        self._name = f"{shown_url(conninfo)} (schema {self.schema})"
        self._lock = threading.RLock()
        self._errors = pg.Error
        self._pg = pg
        self._conninfo = conninfo
        #: ``LISTEN``/``NOTIFY`` channel of this chronicle (any schema name fits in 63 bytes).
        self._channel = "chronology_" + hashlib.sha256(self.schema.encode()).hexdigest()[:32]
        self._listener: psycopg.Connection[Any] | None = None
        try:
            conn = pg.connect(conninfo, autocommit=True)
        except pg.Error as exc:
            raise StoreError(f"{self._name}: cannot connect: {_first_line(exc)}") from None
        self._conn: psycopg.Connection[Any] | None = conn
        #: The cursor every read runs on (under the lock): a cursor made per statement cost
        #: about a tenth of a point read's time in the client.
        self._reader: psycopg.Cursor[Any] = conn.cursor()
        try:
            if read_only:
                conn.execute("SET default_transaction_read_only = on")
            self._s = pg.sql.Identifier(self.schema).as_string(conn)
            self._settle(conn)
        except BaseException:
            conn.close()
            raise

    # -- opening --------------------------------------------------------------------------------

    def _settle(self, conn: psycopg.Connection[Any]) -> None:
        """Recognise the schema, creating the chronicle in a missing or empty one."""
        try:
            state = self._identify(conn)
            if state == "empty":
                if self.read_only:
                    raise StoreError(
                        f"{self._name}: no chronicle there (opened read-only, so not created)"
                    )
                with conn.transaction():
                    # Two writers creating one chronicle at once: the second waits, then finds it.
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._name,))
                    if self._identify(conn) == "empty":
                        exists = conn.execute(
                            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)
                        ).fetchone()
                        if exists is None:
                            conn.execute(f"CREATE SCHEMA {self._s}")
                        for statement in create_statements(self._s, GENESIS_HASH):
                            conn.execute(statement)
        except self._errors as exc:
            raise self._error("cannot open", exc) from None

    def _identify(self, conn: psycopg.Connection[Any]) -> str:
        """``"chronicle"`` or ``"empty"``; raises for anything else."""
        rows = conn.execute(
            "SELECT c.relname, c.relkind::text, obj_description(c.oid, 'pg_class')"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind NOT IN ('i', 'I', 'S')",
            (self.schema,),
        ).fetchall()
        if not rows:
            return "empty"
        tables = {name for name, kind, _ in rows if kind == "r"}
        marked = any(name == "meta" and comment == MARK for name, _, comment in rows)
        if not marked:
            listed = ", ".join(sorted(name for name, _, _ in rows))
            raise NotAChronicleError(f"{self._name}: not a chronicle (the schema holds {listed})")
        if not TABLES.issubset(tables):
            raise NotAChronicleError(
                f"{self._name}: a damaged chronicle (tables: {', '.join(sorted(tables))})"
            )
        row = conn.execute(f"SELECT format_version FROM {self._s}.meta WHERE id = 1").fetchone()
        if row is None:
            raise self.no_meta()
        if row[0] > FORMAT_VERSION:
            raise FormatVersionError(
                f"{self._name}: written in chronicle format version {row[0]}; this version of "
                f"chronology reads format versions up to {FORMAT_VERSION}: upgrade it"
            )
        return "chronicle"

    def _error(self, what: str, exc: BaseException) -> StoreError:
        return StoreError(f"{self._name}: {what}: {_first_line(exc)}")

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            raise StoreError(f"{self._name}: the chronicle is closed")
        return self._conn

    # -- writing --------------------------------------------------------------------------------

    def write(self, seal: Sealer) -> Sealed:
        """Seal and store a batch in one transaction, after every batch committed before it
        (see the module documentation).

        Raises:
            DuplicateRowError: if the unique index on ``event_id`` refuses a row (the
                transaction is rolled back; the store seals the batch again with its stored
                copies looked up).
            StoreError: if the server refuses the transaction.
        """
        s = self._s
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    # The lock that orders writers, and the head sealed in meta.
                    head = conn.execute(
                        f"SELECT head_position, head_hash FROM {s}.meta WHERE id = 1 FOR UPDATE"
                    ).fetchone()
                    if head is None:
                        raise self.no_meta()
                    position, hash_ = head
                    # Then, in one round trip, the record the head names and the clock. A
                    # statement of its own, once the lock is held: it reads a snapshot taken
                    # after the writer before committed (a join in the locking statement would
                    # read its records in the snapshot of before the wait), and the clock after
                    # every earlier batch.
                    now, *record = conn.execute(
                        f"SELECT clock_timestamp(), {_HEAD} FROM (VALUES (1)) AS one"
                        f" LEFT JOIN {s}.records AS r ON r.position = %s",
                        (position,),
                    ).fetchone()  # type: ignore[misc]
                    last = self.head_row(position, hash_, [] if record[0] is None else [record])
                    sealed = seal(last, now if self._server_clock else None)
                    if sealed.new:
                        self._insert(conn, sealed)
            except self._pg.errors.UniqueViolation as exc:
                if exc.diag.constraint_name == "records_event_id":
                    raise DuplicateRowError(_first_line(exc)) from None
                raise self._error("cannot append", exc) from None
            except self._errors as exc:
                raise self._error("cannot append", exc) from None
        return sealed

    def _insert(self, conn: psycopg.Connection[Any], sealed: Sealed) -> None:
        s = self._s
        new = sealed.new
        first = new[0].position
        known_at = padded(sealed.known_at_texts)
        with conn.cursor().copy(
            f"COPY {s}.records (position, event_id, recorded_at, known_at,"
            " subject, payload, hash) FROM STDIN"
        ) as copy:
            for i, record in enumerate(new):
                copy.write_row(
                    (
                        first + i,
                        sealed.ids[i],
                        sealed.recorded_texts[i],
                        known_at[i],
                        record.event.subject,
                        sealed.payloads[i],
                        sealed.hashes[i],
                    )
                )
        if sealed.retractions:
            conn.cursor().executemany(
                f"INSERT INTO {s}.retractions VALUES (%s)", [(p,) for p in sealed.retractions]
            )
        # The head moved, and followers told: delivered when (and only if) the batch commits.
        conn.execute(
            f"UPDATE {s}.meta SET head_position = %s, head_hash = %s, head_recorded_at = %s"
            " WHERE id = 1 RETURNING pg_notify(%s, %s)",
            (
                new[-1].position,
                new[-1].hash,
                sealed.recorded_texts[-1],
                self._channel,
                str(new[-1].position),
            ),
        )

    # -- reading --------------------------------------------------------------------------------

    def select(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A query of :class:`~chronology.stores.sql.SQLRows`: tables in this schema,
        psycopg's parameters."""
        return self._rows(sql.replace("?", "%s").replace("{s}", self._s + "."), params)

    def point_select(self, sql: str, subject: str) -> list[Any]:
        """The point read's statement, prepared on the server from its first run on this
        connection (not from the fifth, psycopg's default): it runs at every first read of a
        view."""
        return self._rows(
            sql.replace("?", "%s").replace("{s}", self._s + "."), (subject,), prepare=True
        )

    def _rows(
        self, sql: str, params: Sequence[Any] = (), *, prepare: bool | None = None
    ) -> list[Any]:
        with self._lock:
            self._connection()
            reader = self._reader
            try:
                reader.execute(sql.replace("{s}", self._s), params, prepare=prepare)
                rows: list[Any] = reader.fetchall()
                return rows
            except self._errors as exc:
                raise self._error("cannot read", exc) from None

    def rows_by_id(self, ids: Sequence[str], keys: Sequence[Key] | None = None) -> list[Row]:
        """Through the unique index on ``event_id`` (``keys`` are not needed)."""
        return self._rows(
            f"SELECT {COLUMNS} FROM {{s}}.records WHERE event_id = ANY(%s)", (list(ids),)
        )

    # -- integrity ------------------------------------------------------------------------------

    def check_schema(self) -> None:
        """Compare the schema's tables, columns, constraints and indexes with the chronicle's,
        and refuse any trigger, rule, view, function, sequence or row-level security there.

        Raises:
            SchemaIntegrityError: naming the first object that differs.
        """
        fault = schema_fault(self._rows(CATALOG_QUERY, {"schema": self.schema}))  # type: ignore[arg-type]
        if fault is not None:
            raise SchemaIntegrityError(*fault)

    def check_indexes(self, upto: int) -> None:
        """Check, in one snapshot, that the head's ``recorded_at`` in ``meta`` is the last
        record's and that no position in ``retractions`` lies past the log.

        Raises:
            IntegrityError: naming the position in doubt.
        """
        rows = self._rows(
            "SELECT m.head_position, m.head_recorded_at,"
            " (SELECT recorded_at FROM {s}.records WHERE position = m.head_position),"
            " (SELECT min(position) FROM {s}.retractions"
            "  WHERE position < 1 OR position > m.head_position)"
            " FROM {s}.meta AS m WHERE id = 1"
        )
        head, head_at, last, stray = rows[0]
        if head_at != last:
            raise IntegrityError(
                head,
                f"the meta table gives the head's recorded_at as {head_at!r}, but the record "
                f"holds {last!r}",
            )
        if stray is not None:
            raise IntegrityError(
                stray, f"listed as a retraction, but the log has only {head} records"
            )

    # -- following ------------------------------------------------------------------------------

    def wait_for_records(self, after: int, timeout: float) -> None:
        """Return as soon as a batch past ``after`` commits (``LISTEN`` on a connection of its
        own, opened on first use), or after ``timeout`` seconds. A lost connection is opened
        again on the next call; :meth:`.Chronicle.follow` reads from its last position after
        every wait, so nothing committed meanwhile is missed."""
        try:
            listener = self._listen()
            if self.count() > after:  # committed before LISTEN took effect
                return
            for _ in listener.notifies(timeout=timeout, stop_after=1):
                pass
        except self._errors:
            with self._lock:
                lost, self._listener = self._listener, None
            if lost is not None:
                lost.close()
            time.sleep(timeout)

    def _listen(self) -> psycopg.Connection[Any]:
        with self._lock:
            if self._conn is None:
                raise StoreError(f"{self._name}: the chronicle is closed")
            if self._listener is None:
                listener = self._pg.connect(self._conninfo, autocommit=True)
                listener.execute(f"LISTEN {self._channel}")
                self._listener = listener
            return self._listener

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; calling it again does nothing."""
        with self._lock:
            conn, self._conn = self._conn, None
            listener, self._listener = self._listener, None
        for connection in (conn, listener):
            if connection is not None:
                connection.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "read-only" if self.read_only else "open"
        return f"<PostgresStore {self._name!r} {state}>"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
