"""What the SQL backends share: the stored form of ``known_at`` and the queries over the
``records``, ``retractions`` and ``meta`` tables that SQLite and PostgreSQL run alike.

:class:`SQLRows` implements every read of the backend protocol on those tables; a backend on
another SQL engine gives it one method, :meth:`SQLRows.select`, and writes its own
:meth:`~chronology.stores.backend.Backend.write` and lookup by id.
"""

from __future__ import annotations

import abc
import operator
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from chronology.errors import IntegrityError, NotAChronicleError
from chronology.events import Event
from chronology.serialization import instant_text
from chronology.stores.backend import Backend, FoldRow, RawRecord, Row
from chronology.time import to_instant

__all__ = ["COLUMNS", "SQLRows", "known_at_text", "padded"]

#: The columns of a :data:`~chronology.stores.backend.Row`, in its order.
COLUMNS: Final = "position, event_id, recorded_at, payload, hash"
#: Sorts after every stored ``known_at``.
_END_OF_TIME: Final = "9999-12-31T23:59:59.999999+00:00"
#: Greater than every position.
_AFTER_ANY_POSITION: Final = 2**63 - 1
#: The ``(known_at, position)`` order of rows ``(position, event_id, payload, known_at)``.
_BY_KNOWN_AT: Final = operator.itemgetter(3, 0)
#: A subject's rows up to the head, each followed by the head's position: one statement.
_SUBJECT_WITH_COUNT: Final = (
    "SELECT r.position, r.event_id, r.recorded_at, r.payload, r.hash, m.head_position"
    " FROM {s}meta AS m LEFT JOIN {s}records AS r"
    " ON r.subject = ? AND r.position <= m.head_position"
    " WHERE m.id = 1 ORDER BY r.position"
)
#: The same, each row marked (:attr:`.Backend.marks_subject_rows`) before the head's position:
#: its stored ``known_at``, or an empty text for a retraction. ``EXISTS`` in the select list,
#: not a join: PostgreSQL hashed a subject's wide rows to join them with ``retractions``
#: (5 to 10 ms for 1,000 rows, against under 1 ms), where the subquery is probed or hashed
#: on its own.
_MARKED_SUBJECT_WITH_COUNT: Final = (
    "SELECT r.position, r.event_id, r.recorded_at, r.payload, r.hash,"
    " CASE WHEN EXISTS (SELECT 1 FROM {s}retractions AS t WHERE t.position = r.position)"
    " THEN '' ELSE r.known_at END, m.head_position"
    " FROM {s}meta AS m LEFT JOIN {s}records AS r"
    " ON r.subject = ? AND r.position <= m.head_position"
    " WHERE m.id = 1 ORDER BY r.position"
)


def padded(texts: Sequence[str]) -> list[str]:
    """The stored ``known_at`` of instants given as
    :func:`~chronology.serialization.instant_text` wrote them (UTC): the text of a whole
    second gets its six zero digits, so that every value has the same width. The one
    definition of that padding (:func:`known_at_text` uses it)."""
    return [t if len(t) == 32 else t[:19] + ".000000" + t[19:] for t in texts]


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
    # instant_text: isoformat(timespec="microseconds") takes four times as long.
    return padded((instant_text(instant),))[0]


class SQLRows(Backend):
    """The reads of the backend protocol over the SQL tables every SQL backend keeps::

        records (position, event_id, recorded_at, known_at, subject, payload, hash)
        retractions (position)
        meta (id = 1, head_position, head_hash, head_recorded_at, ...)

    with an index on ``(known_at, position)`` and one on ``subject``. Queries are written with
    ``?`` for each parameter and ``{s}`` before each table name; :meth:`select` turns them into
    the engine's own (a schema prefix, another parameter style).
    """

    #: What messages call the backend (a file's path; a server's URL, without its password,
    #: and schema).
    _name: str = "an SQL backend"
    #: Rows fetched per query when streaming.
    page: int = 2000
    #: Parameters bound per query, at most.
    chunk: int = 900
    #: A fold from the first record over at most this many rows reads them in position order
    #: and sorts them by ``(known_at, position)`` in memory (:meth:`.SQLRows.fold_rows`);
    #: ``0`` always walks the index. The engine must then be told not to use an index
    #: (``scan_hint``).
    sort_limit: int = 0
    #: What follows the table name in that query to make the engine read the table itself.
    scan_hint: str = ""

    def __str__(self) -> str:
        return self._name

    @abc.abstractmethod
    def select(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Run a query written as the class documentation says; return its rows."""

    def point_select(self, sql: str, subject: str) -> list[Any]:
        """:meth:`select` of the point read's statement, with its one parameter (a subject):
        run at every first read of a view, so an engine may keep it prepared."""
        return self.select(sql, (subject,))

    def count(self) -> int:
        return int(self.meta_row("head_position")[0])

    def meta_row(self, columns: str) -> Sequence[Any]:
        """The ``columns`` (SQL, comma-separated) of the one row of the ``meta`` table.

        Raises:
            NotAChronicleError: if the table holds no row (a damaged chronicle).
        """
        rows = self.select(f"SELECT {columns} FROM {{s}}meta WHERE id = 1")
        if not rows:
            raise self.no_meta()
        row: Sequence[Any] = rows[0]
        return row

    def no_meta(self) -> NotAChronicleError:
        """The error for a chronicle whose ``meta`` table lost its row."""
        return NotAChronicleError(f"{self._name}: a damaged chronicle (its meta table is empty)")

    def head_row(
        self, position: int, hash_: str, rows: Sequence[Sequence[Any]] | None = None
    ) -> Row | None:
        """The row of the head sealed in ``meta`` (``position``, ``hash_``), read inside a
        write: the ``recorded_at`` copied in ``meta`` is for :meth:`.Chronicle.verify` to check,
        never trusted to time an append (a value edited into the future would move every later
        record there). ``rows``: the record at ``position`` (:data:`COLUMNS`; none if missing)
        when the write read it already, in the same transaction.

        Raises:
            IntegrityError: if the log holds no record with that hash there.
        """
        if position == 0:
            return None
        if rows is None:
            rows = self.select(
                f"SELECT {COLUMNS} FROM {{s}}records WHERE position = ?", (position,)
            )
        if not rows or rows[0][4] != hash_:
            found = "no record" if not rows else "a record with another hash"
            raise IntegrityError(
                position,
                f"the head sealed in the meta table names this record, but the log holds {found}"
                " there; nothing was appended (run verify())",
            )
        return tuple(rows[0])

    def recorded_through(self, instant: datetime, upto: int) -> int:
        """A binary search over positions (``recorded_at`` increases with them): a few
        lookups by primary key of one column, whatever the size of the log."""
        low, high = 0, upto  # the answer is in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            rows = self.select("SELECT recorded_at FROM {s}records WHERE position = ?", (middle,))
            if rows and datetime.fromisoformat(rows[0][0]) <= instant:
                low = middle
            else:
                high = middle - 1
        return low

    def rows_after(self, after: int, end: int) -> Iterator[Row]:
        """The rows after ``after`` up to ``end``, a page at a time (memory stays bounded on
        a large log)."""
        yield from self._pages(COLUMNS, after, end)

    def _pages(self, columns: str, after: int, end: int) -> Iterator[Any]:
        while after < end:
            rows = self.select(
                f"SELECT {columns} FROM {{s}}records WHERE position > ? AND position <= ?"
                " ORDER BY position LIMIT ?",
                (after, end, self.page),
            )
            if not rows:
                return
            yield from rows
            after = rows[-1][0]

    def rows_at(self, positions: Sequence[int]) -> list[Row]:
        found: list[Row] = []
        for i in range(0, len(positions), self.chunk):
            chunk = positions[i : i + self.chunk]
            marks = ",".join("?" * len(chunk))
            found += self.select(
                f"SELECT {COLUMNS} FROM {{s}}records WHERE position IN ({marks}) ORDER BY position",
                chunk,
            )
        return found

    def rows_between(
        self, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[Row]:
        """Walks the ``(known_at, position)`` index from ``after``, a page at a time (each
        row followed by its ``known_at``)."""
        return self._ordered(f"{COLUMNS}, known_at", after, until, end)

    def fold_rows(
        self, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[FoldRow]:
        """As :meth:`rows_between`, without reading ``recorded_at`` or ``hash``.

        A fold from the first record of a log of at most :attr:`sort_limit` rows (a first
        view) reads the table in position order and sorts the rows in memory: walking the
        ``(known_at, position)`` index reads the table's pages in assertion-time order, all
        over the file when records arrived out of it (a backfill), and took twice as long.
        """
        columns = "position, event_id, payload, known_at"
        if after is not None or end > self.sort_limit:
            return self._ordered(columns, after, until, end)
        bound = _END_OF_TIME if until is None else known_at_text(until)
        rows = self.select(
            f"SELECT {columns} FROM {{s}}records{self.scan_hint}"
            " WHERE position <= ? AND known_at <= ?",
            (end, bound),
        )
        rows.sort(key=_BY_KNOWN_AT)
        return iter(rows)

    def _ordered(
        self, columns: str, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[Any]:
        """Rows of ``columns`` (``known_at`` last) in ``(known_at, position)`` order, a page
        at a time."""
        bound = _END_OF_TIME if until is None else known_at_text(until)
        key = ("", 0) if after is None else (known_at_text(after), _AFTER_ANY_POSITION)
        while True:
            rows = self.select(
                f"SELECT {columns} FROM {{s}}records"
                " WHERE known_at <= ? AND (known_at, position) > (?, ?) AND position <= ?"
                " ORDER BY known_at, position LIMIT ?",
                (bound, key[0], key[1], end, self.page),
            )
            yield from rows
            if len(rows) < self.page:
                return
            key = (rows[-1][-1], rows[-1][0])

    def subject_rows(self, subject: str) -> list[Row]:
        return self.select(
            f"SELECT {COLUMNS} FROM {{s}}records WHERE subject = ? ORDER BY position", (subject,)
        )

    def subject_rows_with_count(self, subject: str) -> tuple[int, list[Row]]:
        """One statement, so one snapshot of the tables: the head's position in ``meta``
        joined with the subject's rows up to it (a subject with none gives one row of nulls
        beside the count). Each row is a :data:`Row`, then, if the backend
        :attr:`~chronology.stores.backend.Backend.marks_subject_rows`, the stored ``known_at``
        (empty for a retraction: the ``retractions`` table is looked up), then the count.

        Raises:
            NotAChronicleError: if the ``meta`` table holds no row (a damaged chronicle).
        """
        marked = self.marks_subject_rows
        rows = self.point_select(
            _MARKED_SUBJECT_WITH_COUNT if marked else _SUBJECT_WITH_COUNT, subject
        )
        if not rows:
            raise self.no_meta()
        count = int(rows[0][-1])
        if rows[0][0] is None:
            return count, []
        return count, rows

    def subjects(self) -> list[str]:
        """Every subject with a record, sorted: read from the subject index alone."""
        return [r[0] for r in self.select("SELECT DISTINCT subject FROM {s}records ORDER BY 1")]

    def retraction_positions(self, end: int) -> list[int]:
        rows = self.select(
            "SELECT position FROM {s}retractions WHERE position <= ? ORDER BY position", (end,)
        )
        return [row[0] for row in rows]

    def raw(self, end: int) -> Iterator[RawRecord]:
        """The rows exactly as stored, with their ``known_at`` and ``subject`` columns, a page
        at a time."""
        for position, event_id, recorded_at, payload, hash_, known_at, subject in self._pages(
            f"{COLUMNS}, known_at, subject", 0, end
        ):
            yield RawRecord(position, event_id, recorded_at, payload, hash_, (known_at, subject))

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

    def sealed_head(self) -> tuple[int, str]:
        """The ``(count, last hash)`` each append seals in the ``meta`` table."""
        position, hash_ = self.meta_row("head_position, head_hash")
        return int(position), str(hash_)
