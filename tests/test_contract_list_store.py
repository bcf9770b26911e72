"""The store contract, run against the list store of the "write a store" how-to."""

from list_store import ListBackend

from chronology.stores import Store
from chronology.testing import ChronicleContract


class TestListStoreContract(ChronicleContract):
    """Every contract test on the store over ``ListBackend`` (tests/list_store.py), the
    how-to's example: a backend that implements only what
    :class:`~chronology.stores.backend.Backend` requires."""

    def new_store(self) -> Store:
        return Store(ListBackend())
