"""A chronicle on a PostgreSQL server, shared by writers and readers on many machines.

Needs the ``postgres`` extra (psycopg 3); :mod:`chronology` imports psycopg only when a
chronicle on PostgreSQL is opened. See :mod:`chronology.stores.postgres.store` for the
guarantees and :mod:`chronology.stores.postgres.schema` for the tables.
"""

from chronology.stores.postgres.store import PostgresBackend, PostgresStore, is_postgres_url

__all__ = ["PostgresBackend", "PostgresStore", "is_postgres_url"]
