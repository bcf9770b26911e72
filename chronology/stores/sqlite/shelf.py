"""The snapshot shelf of an SQLite chronicle: fold snapshots kept in the file between runs.

A table of its own, beside the records::

    CREATE TABLE snapshots (
        valid_to INTEGER PRIMARY KEY,   -- folded from the first valid_to records
        text     TEXT NOT NULL          -- the snapshot (chronology.snapshot_text)
    );

It is no part of the record log: nothing in it is hashed, and the chronicle's answers never
depend on it (a snapshot whose header does not match the record at its ``valid_to`` is never
used; :meth:`.Chronicle.verify` refolds every one). Deleting its rows is always safe
(``chronology verify --drop-snapshots`` does), and so is a file without the table: the format
version is unchanged. A new file gets the table with the rest of the schema; a file of the
same format without it gets it when opened for writing; a file opened read-only without it has
no shelf.

The shelf keeps one snapshot, the one folded from the most records: saving another replaces
it, unless the one kept was folded from more records (another process may have shelved a
later one meanwhile).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol

from chronology.stores.backend import SnapshotShelf

__all__ = ["SHELF_TABLE", "SQLiteShelf", "ShelfFile", "open_shelf"]

#: The table that holds the shelf (its ``CREATE`` statement, as the schema check compares it).
SHELF_TABLE: Final = """CREATE TABLE snapshots (
        valid_to INTEGER PRIMARY KEY,
        text     TEXT NOT NULL
    )"""


class ShelfFile(Protocol):
    """What the shelf needs of the file it lives in (:class:`.SQLiteBackend` gives it)."""

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        ...

    def select(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of a query (``{s}`` stands for no prefix)."""
        ...

    def transaction(self, action: Callable[[sqlite3.Connection], object]) -> None:
        """Run ``action`` in a write transaction of its own, committed if it returns."""
        ...


def open_shelf(file: ShelfFile) -> SQLiteShelf | None:
    """The shelf of ``file``: the table is created if missing in a file open for writing;
    ``None`` for a file opened read-only without it."""
    found = file.select("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'snapshots'")
    if not found:
        if file.read_only:
            return None

        def create(conn: sqlite3.Connection) -> None:
            conn.execute(SHELF_TABLE.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))

        file.transaction(create)
    return SQLiteShelf(file)


class SQLiteShelf(SnapshotShelf):
    """The ``snapshots`` table of an SQLite chronicle (see the module documentation).

    Args:
        file: the open file.
    """

    def __init__(self, file: ShelfFile) -> None:
        self._file = file

    def load(self) -> list[tuple[int, str]]:
        """Every snapshot kept (at most one), oldest first."""
        rows = self._file.select("SELECT valid_to, text FROM snapshots ORDER BY valid_to")
        return [(int(valid_to), str(text)) for valid_to, text in rows]

    def save(self, valid_to: int, text: str) -> None:
        """Keep this snapshot instead of the one kept, unless that one was folded from more
        records.

        Raises:
            StoreError: if the file cannot be written.
        """

        def replace(conn: sqlite3.Connection) -> None:
            newest = conn.execute("SELECT max(valid_to) FROM snapshots").fetchone()[0]
            if newest is not None and newest > valid_to:
                return
            conn.execute("DELETE FROM snapshots")
            conn.execute("INSERT INTO snapshots (valid_to, text) VALUES (?, ?)", (valid_to, text))

        self._file.transaction(replace)

    def clear(self) -> None:
        """Drop every snapshot kept.

        Raises:
            StoreError: if the file cannot be written.
        """
        self._file.transaction(lambda conn: conn.execute("DELETE FROM snapshots"))
