"""The check of an SQLite chronicle's schema against the chronicle's own.

Queries trust more than the records: an index replaced by a partial or non-unique one, a
column redefined with another collation, a trigger that deletes what is inserted, can all change
what a chronicle answers (or lets in) without touching a record, so the hash chain cannot see
them. :meth:`.Chronicle.verify` compares the definitions SQLite keeps (``sqlite_master``) with
the chronicle's, object by object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["normalized_sql", "schema_fault"]

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
