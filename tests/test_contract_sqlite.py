"""The SQLite store runs the shared store contract, on a fresh temporary file per store."""

from __future__ import annotations

import itertools

from chronology.stores.base import Store
from chronology.stores.sqlite import SQLiteStore
from chronology.testing import ChronicleContract

_numbers = itertools.count()


class TestSQLiteContract(ChronicleContract):
    """Every contract test, the state machine included, against a chronicle in an SQLite file.

    The ``event_ids`` table may lag three records behind the log (rather than a few thousand):
    a run of the state machine then meets it empty, partly caught up and caught up, so lookups,
    duplicates and retractions go through the table and through the scan of the records it does
    not cover, and each ``verify()`` checks the table against the records. One run covers what
    the default lag and a lag of zero would each cover.
    """

    def new_store(self) -> Store:
        return SQLiteStore(self.tmp_dir / f"chronicle-{next(_numbers)}.db", ids_lag=3)
