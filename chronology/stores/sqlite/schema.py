"""The file format of an SQLite chronicle: its schema, how a file is recognised, and the check of
a file's schema against the chronicle's own (the stored form of instants, :func:`known_at_text`,
is the one all SQL backends share: :mod:`chronology.stores.sql`).

Queries trust more than the records: an index replaced by a partial or non-unique one, a
column redefined with another collation, a trigger that deletes what is inserted, can all change
what a chronicle answers (or lets in) without touching a record, so the hash chain cannot see
them. :meth:`.Chronicle.verify` compares the definitions SQLite keeps (``sqlite_master``) with
the chronicle's, object by object (:func:`schema_fault`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from chronology.record import GENESIS_HASH
from chronology.stores.sql import known_at_text, padded

__all__ = [
    "APPLICATION_ID",
    "FORMAT_VERSION",
    "IDENTIFY",
    "PAGE_SIZE",
    "SCHEMA",
    "SQLITE_MAGIC",
    "TABLES",
    "UPGRADE_FROM_1",
    "join_sql",
    "known_at_text",
    "normalized_sql",
    "padded",
    "schema_fault",
]

#: ``PRAGMA application_id`` of a chronicle file: the bytes ``b"Chrn"``.
APPLICATION_ID: Final = 0x4368726E
#: The page size of a new file, in bytes (SQLite's default is 4096; with pages of 16 KiB, a
#: batch of 1,000 records is written with a quarter of the system calls, and writes ran about
#: 20% faster in the benchmarks).
PAGE_SIZE: Final = 16384
#: The version of the file format this module writes (``PRAGMA user_version``).
FORMAT_VERSION: Final = 2

RECORDS_TABLE: Final = """CREATE TABLE {name} (
        position    INTEGER PRIMARY KEY,
        event_id    TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        known_at    TEXT NOT NULL,
        subject     TEXT NOT NULL,
        payload     TEXT NOT NULL,
        hash        TEXT NOT NULL
    )"""
INDEXES_AND_TABLES: Final = (
    "CREATE UNIQUE INDEX records_subject ON records (subject, known_at, event_id)",
    "CREATE INDEX records_known_at ON records (known_at, position)",
    "CREATE TABLE retractions (position INTEGER PRIMARY KEY)",
    """CREATE TABLE event_ids (
        event_id TEXT PRIMARY KEY,
        position INTEGER NOT NULL
    ) WITHOUT ROWID""",
)
#: The statements that make a new chronicle file (format version
#: :data:`~chronology.stores.sqlite.FORMAT_VERSION`).
SCHEMA: Final = (
    RECORDS_TABLE.format(name="records"),
    *INDEXES_AND_TABLES,
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
UPGRADE_FROM_1: Final = (
    RECORDS_TABLE.format(name="records_v2"),
    "INSERT INTO records_v2 SELECT position, event_id, recorded_at, known_at, subject, payload,"
    " hash FROM records ORDER BY position",
    "CREATE TABLE retractions_v2 (position INTEGER PRIMARY KEY)",
    "INSERT INTO retractions_v2 SELECT position FROM records WHERE type IN ({tags})",
    "DROP TABLE records",
    "ALTER TABLE records_v2 RENAME TO records",
    *(sql for sql in INDEXES_AND_TABLES if "retractions" not in sql),
    "ALTER TABLE retractions_v2 RENAME TO retractions",
    "ALTER TABLE meta ADD COLUMN ids_through INTEGER NOT NULL DEFAULT 0",
    "UPDATE meta SET format_version = 2",
    "PRAGMA user_version = 2",
)
#: The first bytes of every SQLite database file.
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
#: The query that tells what a file is, in one statement (application id, format version,
#: table names, and the names of the other objects of its schema, each after its type).
IDENTIFY: Final = (
    "SELECT (SELECT application_id FROM pragma_application_id),"
    " (SELECT user_version FROM pragma_user_version),"
    " (SELECT group_concat(name, char(31)) FROM sqlite_master WHERE type = 'table'),"
    " (SELECT group_concat(type || ' ' || name, char(31)) FROM sqlite_master"
    " WHERE type <> 'table')"
)
#: The tables a file of each format version has.
TABLES: Final = {
    1: frozenset({"records", "meta"}),
    2: frozenset({"records", "meta", "retractions", "event_ids"}),
}


def join_sql(count: int, on: str, *, width: int = 2) -> str:
    """The query of the records matching any of ``count`` keys of ``width`` values each (bound
    to ``k.a``, ``k.b``, ``k.c``, joined ``on`` a condition that starts with
    ``r.subject = k.a``).

    ``INDEXED BY records_subject``: without statistics, SQLite's planner guesses that a list
    of a few hundred keys is worth an automatic index built from the whole table, on every
    call, which made re-importing stored events cost quadratic time.
    """
    names = ", ".join("abc"[:width])
    row = "(" + ", ".join(["?"] * width) + ")"
    values = ",".join([row] * count)
    return (
        f"WITH k({names}) AS (VALUES {values}) SELECT DISTINCT"
        " r.position, r.event_id, r.recorded_at, r.payload, r.hash"
        " FROM k JOIN records AS r INDEXED BY records_subject ON " + on
    )


_SPACE: Final = re.compile(r"\s+")
_AROUND_PUNCTUATION: Final = re.compile(r"\s*([(),=])\s*")


def normalized_sql(sql: str) -> str:
    """``sql`` with its layout and name quoting taken out, so that two definitions compare
    equal when SQLite reads them alike: a table renamed by ``ALTER TABLE`` (which quotes the
    new name) or given a column by ``ALTER TABLE ... ADD COLUMN`` matches one created whole.

    Example:
        >>> normalized_sql('CREATE TABLE "t" (\\n  a  INTEGER ,\\n b TEXT\\n)')
        'CREATE TABLE t(a INTEGER,b TEXT)'
    """
    text = _SPACE.sub(" ", sql.replace('"', "")).strip()
    return _AROUND_PUNCTUATION.sub(r"\1", text)


def _name_of(statement: str) -> str | None:
    """The object a ``CREATE`` statement makes, if it is one."""
    words = normalized_sql(statement).replace("(", " ").split()
    if not words or words[0] != "CREATE":
        return None
    rest = words[1:]
    if rest[:1] == ["UNIQUE"]:
        rest = rest[1:]
    return rest[1] if len(rest) > 1 else None


def schema_fault(
    objects: Iterable[tuple[str, str, str | None]], expected: Iterable[str] | None
) -> tuple[str, str] | None:
    """The first schema object that is not the chronicle's own, and what is wrong with it.

    Args:
        objects: the ``(type, name, sql)`` rows of ``sqlite_master``.
        expected: the chronicle's ``CREATE`` statements (other statements are skipped), or
            ``None`` to check only that there are no triggers or views (a file of an older
            format, read as it is).

    Returns:
        ``(name, reason)``, or ``None`` if the schema is exactly the chronicle's.
    """
    wanted: dict[str, str] = {}
    for statement in expected or ():
        name = _name_of(statement)
        if name is not None:
            wanted[name] = normalized_sql(statement)
    found: dict[str, str] = {}
    for kind, name, sql in sorted(objects, key=lambda row: (row[1], row[0])):
        if kind in ("trigger", "view"):
            return (
                name,
                f"a {kind} the chronicle does not define (it could change what is read or stored)",
            )
        if name.startswith("sqlite_"):
            # SQLite's own: statistics from ANALYZE, and the indexes of UNIQUE and PRIMARY KEY
            # constraints (which follow from a table's definition, checked below).
            continue
        if expected is None:
            continue
        if name not in wanted:
            return name, f"a {kind} the chronicle does not define"
        found[name] = normalized_sql(sql or "")
    for name, definition in wanted.items():
        if name not in found:
            return name, f"missing: the chronicle defines it as {definition!r}"
        if found[name] != definition:
            return name, f"defined as {found[name]!r}, but the chronicle defines {definition!r}"
    return None
