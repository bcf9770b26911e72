"""The id table of an SQLite chronicle: ``event_ids``, which finds a record by its ``event_id``.

Appends do not index ids (a unique index on content hashes made every batch rewrite pages all
over it); the table is brought up to date in one sorted pass by a lookup that finds it more
than a few thousand records behind, and covers the records up to ``meta.ids_through``. The
records it does not cover yet are scanned. :func:`check_tables` is what
:meth:`.Chronicle.verify` checks of it, and of the other tables kept beside the records.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from chronology.errors import IntegrityError
from chronology.stores.sqlite.file import rollback

__all__ = ["check_tables", "index_ids", "row_by_id"]


def row_by_id(
    conn: sqlite3.Connection, columns: str, event_id: str, *, catch_up: int | None
) -> Any:
    """The row (``columns``) of the record of ``event_id``, or ``None``.

    Args:
        conn: the connection (of a file of format version 2 or later).
        columns: the columns to select.
        event_id: the id.
        catch_up: bring the table up to date first (in a transaction of its own) if it covers
            more than this many records fewer than the log; ``None`` never writes (a read-only
            file, or a lookup inside an append's transaction).
    """
    through, head = conn.execute("SELECT ids_through, head_position FROM meta").fetchone()
    if catch_up is not None and head - through > catch_up:
        through = index_ids(conn)
    row = conn.execute(
        f"SELECT {columns} FROM records WHERE position ="
        " (SELECT position FROM event_ids WHERE event_id = ?) AND event_id = ?",
        (event_id, event_id),
    ).fetchone()
    if row is None:
        row = conn.execute(
            f"SELECT {columns} FROM records WHERE position > ? AND event_id = ?",
            (through, event_id),
        ).fetchone()
    if (
        row is None
        and conn.execute("SELECT 1 FROM event_ids WHERE event_id = ?", (event_id,)).fetchone()
    ):
        # The id table points elsewhere (edited behind the library's back): scan.
        row = conn.execute(
            f"SELECT {columns} FROM records WHERE event_id = ?", (event_id,)
        ).fetchone()
    return row


def index_ids(conn: sqlite3.Connection) -> int:
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
        rollback(conn)
        raise
    return int(head)


def check_tables(conn: sqlite3.Connection) -> None:
    """Check the tables kept beside the records, in one snapshot: the head's ``recorded_at``
    in ``meta`` is the last record's, no position in ``retractions`` lies past the log, and
    ``event_ids`` covers exactly the records up to its bound ``ids_through``, each entry
    naming the record at its position (a lookup by id trusts a missing entry).

    Raises:
        IntegrityError: naming a position in doubt: the first one, for each table.
    """
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
        # so ``through`` matching pairs and ``through`` entries leave none astray. The records
        # side is read from an index that holds their ids, not from their rows.
        (entries,) = conn.execute("SELECT count(*) FROM event_ids").fetchone()
        (matched,) = conn.execute(
            "SELECT count(*) FROM records AS r INDEXED BY records_subject"
            " JOIN event_ids AS e ON e.event_id = r.event_id"
            " WHERE r.position <= ? AND e.position = r.position",
            (through,),
        ).fetchone()
        if entries == matched == through:
            return
        raise _first_wrong_id(conn, through)
    finally:
        rollback(conn)


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
