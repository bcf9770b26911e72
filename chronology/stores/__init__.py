"""Stores: where a chronicle keeps its records.

Every store implements the narrow :class:`~chronology.stores.base.Store` interface and passes
the same contract test suite (:mod:`chronology.testing`).
"""

from chronology.stores.base import RawRecord, Store
from chronology.stores.memory import MemoryStore
from chronology.stores.sqlite import SQLiteStore

__all__ = ["MemoryStore", "RawRecord", "SQLiteStore", "Store"]
