"""The SQLite store's write path: how a file is set up for appends, and what the rows hold
whichever way they were inserted."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chronology import Chronicle
from chronology.events import VisitCancelled
from chronology.serialization import instant_text, payload_of
from chronology.stores.sqlite import SQLiteBackend, known_at_text


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


@pytest.mark.parametrize("sizes", [(1,), (128,), (129, 1), (300, 257)])
def test_batches_of_any_size_store_every_column_of_every_row(
    tmp_path: Path, sizes: tuple[int, ...]
) -> None:
    # Rows are inserted 128 a statement, the last statement of a batch holding the rest.
    path = tmp_path / "c.db"
    start = datetime(2024, 4, 5, tzinfo=UTC)
    expected: list[tuple[object, ...]] = []
    with Chronicle.open(path) as chronicle:
        n = 0
        for size in sizes:
            events = [
                VisitCancelled(
                    subject=f"visit/{(n + i) % 7}",
                    known_at=start + timedelta(minutes=n + i),
                    reason=f"r{n + i}",
                )
                for i in range(size)
            ]
            records = chronicle.extend(events)
            n += size
            expected += [
                (
                    r.position,
                    r.event_id,
                    instant_text(r.recorded_at),
                    known_at_text(r.known_at),
                    r.subject,
                    payload_of(r.event),
                    r.hash,
                )
                for r in records
            ]
        assert sum(sizes) == chronicle.verify()
    conn = sqlite3.connect(path)
    try:
        stored = conn.execute("SELECT * FROM records ORDER BY position").fetchall()
    finally:
        conn.close()
    assert expected == stored
    assert list(range(1, sum(sizes) + 1)) == [row[0] for row in stored]
