"""The schema of a chronicle in PostgreSQL, and the check of a schema against it.

A chronicle lives in one PostgreSQL schema (``public`` unless another is named), so several
chronicles can share one database. Its tables (format version 1)::

    CREATE TABLE records (
        position    bigint PRIMARY KEY,             -- 1, 2, 3, ... contiguous
        event_id    text COLLATE "C" NOT NULL,      -- derived from the payload
        recorded_at text COLLATE "C" NOT NULL,      -- the exact text the hash chain covers
        known_at    text COLLATE "C" NOT NULL,      -- UTC, fixed width: text order is time order
        subject     text COLLATE "C" NOT NULL,
        payload     text COLLATE "C" NOT NULL,      -- the event's canonical JSON, never rewritten
        hash        text COLLATE "C" NOT NULL       -- chains the previous record's hash
    );
    CREATE UNIQUE INDEX records_event_id ON records (event_id);
    CREATE INDEX records_known_at ON records (known_at, position);
    CREATE INDEX records_subject ON records (subject, position);
    CREATE TABLE retractions (position bigint PRIMARY KEY);  -- the Retracted records
    CREATE TABLE meta (                                       -- a single row
        id               integer PRIMARY KEY CHECK (id = 1),
        format_version   integer NOT NULL,
        head_position    bigint NOT NULL,                     -- the sealed head: the count,
        head_hash        text COLLATE "C" NOT NULL,           -- the last hash,
        head_recorded_at text COLLATE "C"                     -- and its recorded_at
    );

Text columns use the ``"C"`` collation: the database's own collation may order text by
language rules, which need not be the order of code points that the ``known_at`` bounds and
the sorted subject list rely on.

:func:`schema_fault` compares what the catalog holds for the schema (tables, columns,
constraints, indexes, and any trigger, rule, view, function, sequence or row-level policy)
with this definition, object by object, for :meth:`.Chronicle.verify`: each of them could
change what queries answer, or what an insert stores, without touching a record.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CATALOG_QUERY",
    "FORMAT_VERSION",
    "MARK",
    "TABLES",
    "create_statements",
    "schema_fault",
]

#: The version of the layout this module writes (in ``meta.format_version``).
FORMAT_VERSION: Final = 1
#: The comment on the ``meta`` table that marks a schema as a chronicle's.
MARK: Final = "chronology chronicle"
#: The tables of a chronicle.
TABLES: Final = frozenset({"records", "retractions", "meta"})

_C: Final = 'COLLATE "C"'
_TABLE_SQL: Final = (
    f"""CREATE TABLE {{s}}.records (
        position    bigint PRIMARY KEY,
        event_id    text {_C} NOT NULL,
        recorded_at text {_C} NOT NULL,
        known_at    text {_C} NOT NULL,
        subject     text {_C} NOT NULL,
        payload     text {_C} NOT NULL,
        hash        text {_C} NOT NULL
    )""",
    "CREATE UNIQUE INDEX records_event_id ON {s}.records (event_id)",
    "CREATE INDEX records_known_at ON {s}.records (known_at, position)",
    "CREATE INDEX records_subject ON {s}.records (subject, position)",
    "CREATE TABLE {s}.retractions (position bigint PRIMARY KEY)",
    f"""CREATE TABLE {{s}}.meta (
        id               integer PRIMARY KEY CHECK (id = 1),
        format_version   integer NOT NULL,
        head_position    bigint NOT NULL,
        head_hash        text {_C} NOT NULL,
        head_recorded_at text {_C}
    )""",
    f"COMMENT ON TABLE {{s}}.meta IS '{MARK}'",
)


def create_statements(schema: str, genesis: str) -> list[str]:
    """The statements that create a chronicle in ``schema`` (a quoted identifier)."""
    return [
        *(sql.format(s=schema) for sql in _TABLE_SQL),
        f"INSERT INTO {schema}.meta VALUES (1, {FORMAT_VERSION}, 0, '{genesis}', NULL)",
    ]


#: Every column: table, name, type, NOT NULL, collation (``-`` for none), default.
_COLUMNS: Final = frozenset(
    {
        *(
            ("records", name, "text", True, "C", "")
            for name in ("event_id", "recorded_at", "known_at", "subject", "payload", "hash")
        ),
        ("records", "position", "bigint", True, "-", ""),
        ("retractions", "position", "bigint", True, "-", ""),
        ("meta", "id", "integer", True, "-", ""),
        ("meta", "format_version", "integer", True, "-", ""),
        ("meta", "head_position", "bigint", True, "-", ""),
        ("meta", "head_hash", "text", True, "C", ""),
        ("meta", "head_recorded_at", "text", False, "C", ""),
    }
)
#: Every constraint: table, definition (names are left out: PostgreSQL chooses them).
_CONSTRAINTS: Final = frozenset(
    {
        ("records", 'PRIMARY KEY ("position")'),
        ("retractions", 'PRIMARY KEY ("position")'),
        ("meta", "PRIMARY KEY (id)"),
        ("meta", "CHECK ((id = 1))"),
    }
)
#: Every index that is not a constraint's: name, definition after ``ON <schema>.``.
_INDEXES: Final = frozenset(
    {
        ("records_event_id", "UNIQUE records USING btree (event_id)"),
        ("records_known_at", 'records USING btree (known_at, "position")'),
        ("records_subject", 'records USING btree (subject, "position")'),
    }
)

#: What the catalog holds for a schema (``%(schema)s``): one row per object, as
#: ``(kind, table, name, detail...)`` texts.
CATALOG_QUERY: Final = """
SELECT 'relation', c.relname, c.relkind::text, c.relrowsecurity::text, ''
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %(schema)s AND c.relkind NOT IN ('i', 'I')
UNION ALL
SELECT 'column', c.relname, a.attname,
       format_type(a.atttypid, a.atttypmod) || '|' || a.attnotnull::text || '|'
       || coalesce(co.collname, '-'),
       coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0
       AND co.collname <> 'default'
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = %(schema)s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', c.relname, k.conname, pg_get_constraintdef(k.oid), ''
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %(schema)s
UNION ALL
SELECT 'index', c.relname, i.relname,
       replace(pg_get_indexdef(x.indexrelid), ' ON ' || quote_ident(%(schema)s) || '.', ' ON '),
       (x.indisprimary
        OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid))::text
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %(schema)s
UNION ALL
SELECT 'trigger', c.relname, t.tgname, '', ''
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %(schema)s AND NOT t.tgisinternal
UNION ALL
SELECT 'rule', r.tablename, r.rulename, '', '' FROM pg_rules r WHERE r.schemaname = %(schema)s
UNION ALL
SELECT 'policy', p.tablename, p.policyname, '', ''
  FROM pg_policies p WHERE p.schemaname = %(schema)s
UNION ALL
SELECT 'function', '', p.proname, '', ''
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(schema)s
"""

_RELATION_KINDS: Final = {
    "r": "table",
    "v": "view",
    "m": "materialized view",
    "S": "sequence",
    "f": "foreign table",
    "p": "partitioned table",
    "c": "type",
    "t": "TOAST table",
}


def schema_fault(rows: list[tuple[str, str, str, str, str]]) -> tuple[str, str] | None:
    """The first object of the schema that is not the chronicle's own, and what is wrong.

    Args:
        rows: what :data:`CATALOG_QUERY` returns for the schema.

    Returns:
        ``(object name, reason)``, or ``None`` if the schema is exactly the chronicle's.
    """
    columns: set[tuple[str, str, str, bool, str, str]] = set()
    constraints: set[tuple[str, str]] = set()
    indexes: set[tuple[str, str]] = set()
    for kind, table, name, detail, extra in sorted(rows):
        if kind == "relation":
            what = _RELATION_KINDS.get(name, f"relation of kind {name!r}")
            if name != "r" or table not in TABLES:
                return table, f"a {what} the chronicle does not define"
            if detail == "true":
                return table, "row-level security is enabled (policies could hide records)"
        elif kind in ("trigger", "rule", "policy", "function"):
            where = f" on {table}" if table else ""
            return (
                name,
                f"a {kind}{where} the chronicle does not define"
                " (it could change what is read or stored)",
            )
        elif kind == "column":
            type_, not_null, collation = detail.split("|")
            columns.add((table, name, type_, not_null == "true", collation, extra))
        elif kind == "constraint":
            constraints.add((table, detail))
        elif kind == "index" and extra != "true":
            unique = "UNIQUE " if detail.startswith("CREATE UNIQUE") else ""
            indexes.add((name, unique + detail.partition(" ON ")[2]))
    for found, wanted, what in (
        (columns, _COLUMNS, "column"),
        (constraints, _CONSTRAINTS, "constraint"),
        (indexes, _INDEXES, "index"),
    ):
        for items, reason in (
            (found - wanted, f"a {what} the chronicle does not define"),
            (wanted - found, f"missing or changed: the chronicle defines the {what}"),
        ):
            if items:
                item = min(items)
                label = f"{item[0]}.{item[1]}" if what == "column" else str(item[0])
                return label, f"{reason} {item!r}"
    return None
