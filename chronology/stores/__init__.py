"""Stores: where a chronicle keeps its records.

Every store implements the narrow :class:`~chronology.stores.base.Store` interface and passes
the same contract test suite (:mod:`chronology.testing`).
"""

from chronology.stores.base import RawRecord, Store
from chronology.stores.memory import MemoryStore

__all__ = ["MemoryStore", "RawRecord", "Store"]
