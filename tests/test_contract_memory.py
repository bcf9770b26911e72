"""The store contract, run against the in-memory store."""

from chronology.stores import MemoryStore, Store
from chronology.testing import ChronicleContract


class TestMemoryContract(ChronicleContract):
    """Every contract test on :class:`~chronology.stores.MemoryStore`."""

    def new_store(self) -> Store:
        return MemoryStore()
