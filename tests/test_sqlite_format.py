"""The SQLite file format: version 2's indexes, lookups by id, and files of format version 1.

Format 2 keeps no index in the random order of ``event_id``: duplicates are refused by the
``(subject, known_at, event_id)`` index, and lookups by id go through ``event_ids``, filled on
demand. A format-1 file is read as it is when opened read-only and upgraded when opened for
writing.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chronology import Chronicle
from chronology.events import AgendaChanged, Retracted, VisitCancelled, VisitScheduled
from chronology.serialization import event_id_of, payload_of
from chronology.stores.sqlite import FORMAT_VERSION, PAGE_SIZE, SQLiteStore

BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _events(n: int, *, subjects: int = 7) -> list[AgendaChanged]:
    return [
        AgendaChanged(
            subject=f"visit/{i % subjects}", known_at=BASE + timedelta(minutes=i), added=(f"{i}",)
        )
        for i in range(n)
    ]


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


def _v1_schema() -> str:
    spec = importlib.util.spec_from_file_location(
        "make_v1_chronicle", Path(__file__).parent / "data" / "make_v1_chronicle.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    schema: str = module.SCHEMA
    return schema


def _as_format_1(source: Path, target: Path) -> None:
    """Write ``source``'s records into a new file laid out as format 1 stored them."""
    src = sqlite3.connect(source)
    rows = src.execute(
        "SELECT position, event_id, recorded_at, known_at, subject, payload, hash FROM records"
        " ORDER BY position"
    ).fetchall()
    head = src.execute("SELECT head_position, head_hash, head_recorded_at FROM meta").fetchone()
    src.close()
    dst = sqlite3.connect(target)
    dst.executescript(_v1_schema())
    dst.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(p, e, r, k, s, json.loads(body)["type"], body, h) for p, e, r, k, s, body, h in rows],
    )
    dst.execute("INSERT INTO meta VALUES (1, 1, ?, ?, ?)", head)
    dst.commit()
    dst.close()


@pytest.fixture
def with_retraction(tmp_path: Path) -> Path:
    """A format-2 file of 5 records, the fourth retracting the second."""
    path = tmp_path / "v2.db"
    with Chronicle.open(path) as c:
        records = c.extend(_events(3))
        c.append(
            Retracted(
                subject=records[1].subject,
                known_at=BASE + timedelta(days=1),
                target=records[1].event_id,
            )
        )
        c.append(VisitCancelled(subject="visit/0", known_at=BASE + timedelta(days=2)))
    return path


def test_a_new_file_is_format_2_without_an_index_on_event_id(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with Chronicle.open(path) as c:
        c.extend(_events(10))
    conn = sqlite3.connect(path)
    indexed = {
        column
        for (index,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        for (_, _, column) in conn.execute(f"PRAGMA index_info({index!r})")
        if not index.startswith("sqlite_autoindex_event_ids")
    }
    conn.close()
    assert 2 == FORMAT_VERSION
    assert {"subject", "known_at", "event_id", "position"} == indexed
    assert {"records", "retractions", "event_ids", "meta"} <= _tables(path)


def test_a_new_file_has_large_pages_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "pages.db"
    Chronicle.open(path).close()
    conn = sqlite3.connect(path)
    assert (PAGE_SIZE,) == conn.execute("PRAGMA page_size").fetchone()
    assert ("wal",) == conn.execute("PRAGMA journal_mode").fetchone()
    conn.close()


def test_a_batch_with_stored_duplicates_keeps_positions_contiguous(tmp_path: Path) -> None:
    events = _events(40)
    with Chronicle.open(tmp_path / "dup.db") as c:
        first = c.extend(events[:25])
        # Stored ones, new ones and a repeat inside the batch, mixed.
        again = c.extend([events[3], *events[25:], events[10], events[30]])
        assert [r.position for r in first] == list(range(1, 26))
        assert first[3] == again[0]
        assert list(range(26, 41)) == [r.position for r in again[1:16]]
        assert first[10] == again[16]
        assert again[6] == again[17]
        assert 40 == len(c)
        assert 40 == c.verify()


def test_the_same_event_twice_in_other_batches_is_stored_once(tmp_path: Path) -> None:
    event = VisitScheduled(subject="visit/a", known_at=BASE, window="2024-02-01/2024-02-03")
    with Chronicle.open(tmp_path / "once.db") as c:
        a = c.append(event)
        c.extend(_events(5))
        b = c.append(event)
        assert a == b
        assert 6 == len(c)


def test_lookups_by_id_fill_the_id_table_once_many_records_are_uncovered(tmp_path: Path) -> None:
    path = tmp_path / "ids.db"
    events = _events(5000, subjects=50)
    with Chronicle.open(path) as c:
        records = c.extend(events[:100])
        # Few uncovered records: scanned, nothing written.
        assert records[42] == c.record(records[42].event_id)
        assert (0,) == sqlite3.connect(path).execute("SELECT ids_through FROM meta").fetchone()
        records += c.extend(events[100:])
        assert records[4321] == c.record(records[4321].event_id)
        assert records[7] == c.record(records[7].event_id)
        assert c.record("0" * 32) is None
    conn = sqlite3.connect(path)
    assert (5000,) == conn.execute("SELECT ids_through FROM meta").fetchone()
    assert (5000,) == conn.execute("SELECT count(*) FROM event_ids").fetchone()
    conn.close()
    with Chronicle.open(path) as c:
        late = c.append(VisitCancelled(subject="visit/z", known_at=BASE))
        assert late == c.record(late.event_id)  # not covered yet: scanned


def test_a_read_only_file_is_looked_up_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    with Chronicle.open(path) as c:
        records = c.extend(_events(3000))
    before = path.read_bytes()
    with Chronicle.open(path, read_only=True) as c:
        assert records[2999] == c.record(records[2999].event_id)
        assert records[0] == c.record(records[0].event_id)
    assert before == path.read_bytes()


def test_a_format_1_file_opened_read_only_is_read_as_it_is(
    with_retraction: Path, tmp_path: Path
) -> None:
    old = tmp_path / "v1.db"
    _as_format_1(with_retraction, old)
    before = old.read_bytes()
    with Chronicle.open(with_retraction, read_only=True) as new:
        expected = list(new)
        expected_view = new.as_of("2024-02-01").expectations()
    with Chronicle.open(old, read_only=True) as c:
        assert expected == list(c)
        assert 5 == c.verify()
        assert [expected[3]] == c.store.retractions()
        assert expected[1] == c.record(expected[1].event_id)
        assert expected_view == c.as_of("2024-02-01").expectations()
    assert before == old.read_bytes()
    assert "retractions" not in _tables(old)


def test_a_format_1_file_opened_for_writing_is_upgraded(
    with_retraction: Path, tmp_path: Path
) -> None:
    old = tmp_path / "v1.db"
    _as_format_1(with_retraction, old)
    with Chronicle.open(with_retraction, read_only=True) as new:
        expected = list(new)
    with Chronicle.open(old) as c:
        assert expected == list(c)
        assert [expected[3]] == c.store.retractions()
        assert expected[2] == c.append(expected[2].event)  # still stored once
        c.append(VisitCancelled(subject="visit/9", known_at=BASE))
        assert 6 == c.verify()
    conn = sqlite3.connect(old)
    assert (2,) == conn.execute("PRAGMA user_version").fetchone()
    assert (2, 6) == conn.execute("SELECT format_version, head_position FROM meta").fetchone()
    columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    conn.close()
    assert "type" not in columns
    assert {"records", "retractions", "event_ids", "meta"} <= _tables(old)


def test_the_store_reports_its_format(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "f.db")
    try:
        assert FORMAT_VERSION == store.format_version
    finally:
        store.close()


def test_a_wrong_entry_in_the_id_table_does_not_give_another_record(tmp_path: Path) -> None:
    path = tmp_path / "ids.db"
    with Chronicle.open(path) as c:
        records = c.extend(_events(3000))
        assert records[5] == c.record(records[5].event_id)  # fills the id table
    conn = sqlite3.connect(path)
    conn.execute("UPDATE event_ids SET position = 9 WHERE position = 6")
    conn.commit()
    conn.close()
    with Chronicle.open(path) as c:
        assert records[5] == c.record(records[5].event_id)
        assert records[8] == c.record(records[8].event_id)


def test_the_retractions_table_lists_the_retractions_of_a_batch_with_duplicates(
    tmp_path: Path,
) -> None:
    """A batch sealed again because of its duplicates still records the positions of its
    retractions (not of the events around them)."""
    path = tmp_path / "r.db"
    events = _events(4)
    with Chronicle.open(path) as c:
        stored = c.extend(events[:2])
        new = events[2]
        batch = [
            events[0],  # already stored
            new,
            Retracted(
                subject=new.subject,
                known_at=BASE + timedelta(days=1),
                target=event_id_of(payload_of(new)),
            ),
            events[1],  # already stored
            Retracted(
                subject=stored[0].subject,
                known_at=BASE + timedelta(days=2),
                target=stored[0].event_id,
            ),
        ]
        records = c.extend(batch)
        kept = [r.position for r in c if isinstance(r.event, Retracted)]
    conn = sqlite3.connect(path)
    listed = [p for (p,) in conn.execute("SELECT position FROM retractions ORDER BY position")]
    conn.close()
    assert [4, 5] == kept == listed
    assert [stored[0], records[1], records[2], stored[1], records[4]] == records
