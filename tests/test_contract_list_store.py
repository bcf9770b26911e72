"""The store contract, run against the list store of the "write a store" how-to."""

from list_store import ListStore

from chronology.stores import Store
from chronology.testing import ChronicleContract


class TestListStoreContract(ChronicleContract):
    """Every contract test on ``ListStore`` (tests/list_store.py), the how-to's example: a store
    that implements only what :class:`~chronology.stores.Store` requires."""

    def new_store(self) -> Store:
        return ListStore()
