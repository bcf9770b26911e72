"""Re-importing events already stored in an SQLite file: the duplicates are looked up through
the ``records_subject`` index, never through an index SQLite builds on the fly."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from chronology import Chronicle
from chronology.events import Event, VisitCancelled


def _events(count: int) -> list[Event]:
    return [
        VisitCancelled(
            subject=f"visit/{i % 997:04d}",
            known_at=f"2024-04-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            reason=f"reason {i}",
        )
        for i in range(count)
    ]


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement run by the connections opened meanwhile, with its values bound."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn: sqlite3.Connection = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    return seen


def test_reimport_looks_duplicates_up_through_the_subject_index(
    tmp_path: Path, statements: list[str]
) -> None:
    path = tmp_path / "c.db"
    events = _events(5000)
    with Chronicle.open(path) as chronicle:
        first = chronicle.extend(events)
        del statements[:]
        again = chronicle.extend(events)
        assert [r.position for r in first] == [r.position for r in again]
        assert 5000 == len(chronicle)
    lookups = [s for s in statements if s.startswith("WITH k(a, b, c)")]
    assert lookups
    conn = sqlite3.connect(path)
    try:
        for sql in lookups:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
            searches = [step for step in plan if step.startswith("SEARCH r ")]
            expected = (
                "SEARCH r USING INDEX records_subject (subject=? AND known_at=? AND event_id=?)"
            )
            assert [expected] == searches
    finally:
        conn.close()


def test_reimport_returns_the_stored_records(tmp_path: Path) -> None:
    events = _events(300)
    with Chronicle.open(tmp_path / "c.db") as chronicle:
        first = chronicle.extend(events[:200])
        again = chronicle.extend(events)
        assert first == again[:200]
        assert list(range(201, 301)) == [r.position for r in again[200:]]
        assert 300 == chronicle.verify()
