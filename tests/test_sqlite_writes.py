"""The SQLite store's write path: how a file is set up for appends, and what the rows hold
whichever way they were inserted."""

from __future__ import annotations

from pathlib import Path

from chronology import Chronicle
from chronology.events import VisitCancelled
from chronology.stores.sqlite import SQLiteBackend


def _backend(chronicle: Chronicle) -> SQLiteBackend:
    backend = chronicle.store.backend
    assert isinstance(backend, SQLiteBackend)
    return backend


def test_every_connection_keeps_a_page_cache_of_32_mib(tmp_path: Path) -> None:
    # SQLite's default (2,000 KiB) made random-order appends re-read index pages from the
    # operating system once the indexes outgrew it.
    path = tmp_path / "c.db"
    with Chronicle.open(path) as chronicle:
        chronicle.append(VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z"))
        assert [(-32 * 1024,)] == _backend(chronicle).select("PRAGMA cache_size")
    with Chronicle.open(path, read_only=True) as chronicle:
        assert [(-32 * 1024,)] == _backend(chronicle).select("PRAGMA cache_size")
