"""The SQLite store runs the shared store contract, on a fresh temporary file per store."""

from __future__ import annotations

import itertools

from chronology.stores.base import Store
from chronology.stores.sqlite import SQLiteStore
from chronology.testing import ChronicleContract

_numbers = itertools.count()


class TestSQLiteContract(ChronicleContract):
    """Every contract test, against a chronicle in an SQLite file."""

    def new_store(self) -> Store:
        return SQLiteStore(self.tmp_dir / f"chronicle-{next(_numbers)}.db")
