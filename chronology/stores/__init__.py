"""Stores: where a chronicle keeps its records.

A :class:`~chronology.stores.backend.Backend` keeps rows (in memory, in an SQLite file, on a
PostgreSQL server); the one :class:`~chronology.stores.base.Store` over it is what a chronicle
reads and writes. Every backend passes the same contract test suite (:mod:`chronology.testing`)
through it.
"""

from chronology.stores.backend import Backend, RawRecord
from chronology.stores.base import Store
from chronology.stores.memory import MemoryBackend, MemoryStore
from chronology.stores.sqlite import SQLiteBackend, SQLiteStore

__all__ = [
    "Backend",
    "MemoryBackend",
    "MemoryStore",
    "RawRecord",
    "SQLiteBackend",
    "SQLiteStore",
    "Store",
]
