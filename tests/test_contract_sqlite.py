"""The SQLite store runs the shared store contract, on a fresh temporary file per store."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from chronology.stores import sqlite as sqlite_store
from chronology.stores.base import Store
from chronology.stores.sqlite import SQLiteStore
from chronology.testing import ChronicleContract, chronicle_machine

_numbers = itertools.count()


class TestSQLiteContract(ChronicleContract):
    """Every contract test, against a chronicle in an SQLite file."""

    def new_store(self) -> Store:
        return SQLiteStore(self.tmp_dir / f"chronicle-{next(_numbers)}.db")


def test_state_machine_with_ids_indexed_on_every_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract's state machine, with the ``event_ids`` table brought up to date by every
    lookup rather than every few thousand records: lookups, duplicates and retractions go
    through it, and each ``verify()`` checks it against the records."""
    monkeypatch.setattr(sqlite_store, "_ID_CATCH_UP", 0)
    machine = chronicle_machine(lambda: SQLiteStore(tmp_path / f"ids-{next(_numbers)}.db"))
    run_state_machine_as_test(  # type: ignore[no-untyped-call,unused-ignore]
        machine, settings=settings(deadline=None)
    )
