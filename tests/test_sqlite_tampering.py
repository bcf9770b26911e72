"""The SQLite store, tampered with behind the library's back: ``verify()`` and reads name what
was changed (records, the head, the indexes, the id table)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chronology import Chronicle
from chronology.errors import (
    IntegrityError,
)
from chronology.events import (
    Retracted,
    VisitCancelled,
)
from chronology.stores.sqlite import (
    SQLiteStore,
)
from chronology.testing import FakeClock

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "russia-china-2024.jsonl"
VISIT = "visit/lavrov-china-2024-04"


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A closed chronicle file holding the seed case: 13 records."""
    path = tmp_path / "chronicle.db"
    with Chronicle.open(path, clock=FakeClock()) as c:
        c.import_jsonl(SEEDS)
    return path


# -- tampering ----------------------------------------------------------------------------------


def _tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("statements", "position", "reason"),
    [
        pytest.param(
            [
                "UPDATE records SET payload = replace(payload, 'Zakharova', 'Zaharova')"
                " WHERE position = 5"
            ],
            5,
            "event content does not match its event_id",
            id="payload",
        ),
        pytest.param(
            ["UPDATE records SET recorded_at = '2024-05-01T00:00:09+00:00' WHERE position = 9"],
            9,
            "hash does not match the chain",
            id="recorded_at",
        ),
        pytest.param(
            ["UPDATE records SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE position = 2"],
            2,
            "hash does not match the chain",
            id="hash",
        ),
        pytest.param(
            ["DELETE FROM records WHERE position = 7"],
            7,
            "expected position 7, found 8",
            id="delete-middle",
        ),
        pytest.param(
            ["DELETE FROM records WHERE position = 13"],
            13,
            "the log ends at position 12 but was sealed at position 13",
            id="delete-last",
        ),
        pytest.param(
            ["DELETE FROM records WHERE position >= 11", "UPDATE meta SET head_position = 10"],
            10,
            "the log was sealed at position 10 with another hash",
            id="delete-tail-and-head-count",
        ),
    ],
)
def test_tampering_is_caught_naming_the_position(
    seeded: Path, statements: list[str], position: int, reason: str
) -> None:
    _tamper(seeded, *statements)
    with Chronicle.open(seeded) as c, pytest.raises(IntegrityError) as caught:
        c.verify()
    assert position == caught.value.position
    assert reason == caught.value.reason[: len(reason)]
    assert str(caught.value).startswith(f"record at position {position}: ")


@pytest.fixture
def indexed(tmp_path: Path) -> Path:
    """Twelve records: ten cancellations, a retraction of the fourth (position 11), and one
    more (12). The id table covers the first eleven: every lookup brings it up to date."""
    path = tmp_path / "indexed.db"
    start = datetime(2024, 4, 1, tzinfo=UTC)
    with Chronicle(SQLiteStore(path, ids_lag=0), clock=FakeClock()) as c:
        records = c.extend(
            VisitCancelled(subject=f"visit/{i}", known_at=start + timedelta(hours=i))
            for i in range(10)
        )
        c.append(
            Retracted(
                subject="visit/3", known_at=start + timedelta(days=1), target=records[3].event_id
            )
        )
        assert records[5] == c.record(records[5].event_id)
        c.append(VisitCancelled(subject="visit/10", known_at=start + timedelta(days=2)))
        assert 12 == c.verify()
    return path


def _ids_through(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT ids_through FROM meta").fetchone()[0])
    finally:
        conn.close()


def test_a_lookup_brings_the_id_table_up_to_date_past_the_lag(tmp_path: Path) -> None:
    path = tmp_path / "lag.db"
    start = datetime(2024, 4, 1, tzinfo=UTC)
    with Chronicle(SQLiteStore(path, ids_lag=3), clock=FakeClock()) as c:
        records = c.extend(
            VisitCancelled(subject=f"visit/{i}", known_at=start + timedelta(hours=i))
            for i in range(3)
        )
        assert records[1] == c.record(records[1].event_id)  # three behind: scanned
        assert 0 == _ids_through(path)
        fourth = c.append(VisitCancelled(subject="visit/3", known_at=start))
        assert fourth == c.record(fourth.event_id)  # four behind: brought up to date
        assert 4 == _ids_through(path)
        assert 4 == c.verify()


@pytest.mark.parametrize(
    ("statements", "position", "reason"),
    [
        pytest.param(
            ["DELETE FROM event_ids WHERE position = 6"],
            6,
            "missing from the id table",
            id="id-removed",
        ),
        pytest.param(
            ["UPDATE event_ids SET position = 9 WHERE position = 6"],
            6,  # the record a lookup loses, before the entry that points at the wrong one
            "missing from the id table",
            id="id-moved",
        ),
        pytest.param(
            [f"INSERT INTO event_ids VALUES ('{'0' * 32}', 4)"],
            4,
            f"the id table gives it the id '{'0' * 32}', but it holds '",
            id="id-for-another-record",
        ),
        pytest.param(
            [f"INSERT INTO event_ids VALUES ('{'f' * 32}', 40)"],
            40,
            f"the id table gives it the id '{'f' * 32}', but it holds no record",
            id="id-past-the-log",
        ),
        pytest.param(
            ["UPDATE meta SET ids_through = 5"],
            6,
            "in the id table, which says it covers only the first 5",
            id="ids-past-their-bound",
        ),
        pytest.param(
            ["UPDATE meta SET ids_through = 40"],
            13,
            "the id table says it covers 40 records, but the log has 12",
            id="id-bound-past-the-log",
        ),
        pytest.param(
            ["DELETE FROM retractions"],
            11,
            "a retraction that the store does not list as one",
            id="retraction-unlisted",
        ),
        pytest.param(
            ["INSERT INTO retractions VALUES (2)"],
            2,
            "listed as a retraction, but its event is not one",
            id="not-a-retraction-listed",
        ),
        pytest.param(
            ["INSERT INTO retractions VALUES (40)"],
            40,
            "listed as a retraction, but the log has only 12 records",
            id="retraction-past-the-log",
        ),
    ],
)
def test_tampering_with_an_index_is_caught_naming_the_position(
    indexed: Path, statements: list[str], position: int, reason: str
) -> None:
    """The tables that views and lookups trust beside the records (which records are
    retractions, where each id is) are checked too, after the chain."""
    assert 11 == _ids_through(indexed)
    _tamper(indexed, *statements)
    with Chronicle.open(indexed) as c, pytest.raises(IntegrityError) as caught:
        c.verify()
    assert position == caught.value.position
    assert reason == caught.value.reason[: len(reason)]


def test_a_removed_id_entry_hides_a_record_until_verify_names_it(indexed: Path) -> None:
    with Chronicle.open(indexed) as c:
        sixth = list(c)[5]
    _tamper(indexed, "DELETE FROM event_ids WHERE position = 6")
    with Chronicle.open(indexed) as c:
        assert c.record(sixth.event_id) is None  # what the check is for
        with pytest.raises(IntegrityError, match=r"^record at position 6: missing from the id"):
            c.verify()


def test_a_view_names_a_record_listed_as_a_retraction_that_is_not_one(indexed: Path) -> None:
    _tamper(indexed, "INSERT INTO retractions VALUES (2)")
    with Chronicle.open(indexed) as c, pytest.raises(IntegrityError) as caught:
        c.as_of("2024-05-01").expectations()
    assert 2 == caught.value.position


def test_indexes_moved_on_by_another_writer_still_verify(indexed: Path) -> None:
    """A chronicle that read the log before another one appended and brought the id table up
    to date past it still verifies: the check reads the table's bound with what it covers."""
    start = datetime(2024, 5, 1, tzinfo=UTC)
    with Chronicle.open(indexed) as first, Chronicle(SQLiteStore(indexed, ids_lag=0)) as second:
        assert 12 == first.verify()
        added = second.extend(
            VisitCancelled(subject=f"visit/more-{i}", known_at=start + timedelta(minutes=i))
            for i in range(30)
        )
        assert added[-1] == second.record(added[-1].event_id)  # the table now covers 42
        assert 42 == _ids_through(indexed)
        first.store.check_indexes(12)  # what verify() runs after reading 12 records
        assert 42 == first.verify()


def test_an_unreadable_stored_event_is_reported_on_read(seeded: Path) -> None:
    _tamper(
        seeded, 'UPDATE records SET payload = \'{"type": "visit.nonsense"}\' WHERE position = 4'
    )
    with Chronicle.open(seeded) as c:
        with pytest.raises(IntegrityError, match=r"position 4: stored event is unreadable"):
            c.as_of("2024-04-30").expectations()
        with pytest.raises(IntegrityError) as caught:
            c.verify()
        assert 4 == caught.value.position
