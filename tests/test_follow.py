"""chronicle.follow() (existing records, then new ones as they land, on memory and SQLite,
polled), copying with history, and the follow and copy commands. PostgreSQL's LISTEN/NOTIFY
and copies to and from a server are tested in tests/test_postgres.py."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from chronology import Chronicle
from chronology.cli import cli
from chronology.copying import copy_chronicle
from chronology.errors import ImportLineError, StoreError
from chronology.events import Retracted, StatementMade
from chronology.serialization import event_to_dict


def _statement(i: int) -> StatementMade:
    return StatementMade(subject="s", known_at="2024-04-02T00:00:00Z", summary=str(i))


def test_follow_after_a_position_gives_the_rest_then_stops_when_idle() -> None:
    c = Chronicle()
    c.extend([_statement(i) for i in range(5)])
    assert [3, 4, 5] == [r.position for r in c.follow(after=2, poll=0.01, idle=0.05)]


def test_follow_yields_records_another_writer_appends(tmp_path: Path) -> None:
    """Another connection to the same SQLite file appends while this one follows."""
    path = tmp_path / "c.db"
    with Chronicle.open(path) as c:
        c.append(_statement(0))

    def write() -> None:
        with Chronicle.open(path) as other:
            for i in range(1, 4):
                time.sleep(0.05)
                other.append(_statement(i))

    writer = threading.Thread(target=write)
    seen: list[str] = []
    with Chronicle.open(path, read_only=True) as follower:
        writer.start()
        for record in follower.follow(poll=0.02, idle=2.0):
            seen.append(record.event.summary)  # type: ignore[attr-defined]
            if len(seen) == 4:
                break
    writer.join()
    assert ["0", "1", "2", "3"] == seen


def _log(path: Path) -> list[tuple[int, str, str]]:
    with Chronicle.open(path, read_only=True) as c:
        return [(r.position, r.recorded_at.isoformat(), r.hash) for r in c]


def _source(path: Path) -> None:
    with Chronicle.open(path) as c:
        c.extend([_statement(i) for i in range(3)])
        c.append(_statement(3))
        c.append(
            Retracted(
                subject="s",
                known_at="2024-04-03T00:00:00Z",
                target=c.extend([_statement(1)])[0].event_id,
            )
        )


def test_copy_keeps_positions_recorded_at_and_hashes_through_sqlite_and_jsonl(
    tmp_path: Path,
) -> None:
    _source(tmp_path / "a.db")
    assert 5 == copy_chronicle(tmp_path / "a.db", tmp_path / "b.db")
    assert 5 == copy_chronicle(tmp_path / "b.db", tmp_path / "backup.jsonl")
    assert 5 == copy_chronicle(tmp_path / "backup.jsonl", tmp_path / "c.db")
    expected = _log(tmp_path / "a.db")
    assert expected == _log(tmp_path / "b.db") == _log(tmp_path / "c.db")
    with Chronicle.open(tmp_path / "a.db") as a, Chronicle.open(tmp_path / "c.db") as c:
        assert a.head() == c.head()


def test_copy_refuses_a_destination_with_records(tmp_path: Path) -> None:
    _source(tmp_path / "a.db")
    _source(tmp_path / "b.db")
    with pytest.raises(StoreError, match="holds 5 records"):
        copy_chronicle(tmp_path / "a.db", tmp_path / "b.db")


def test_copy_refuses_event_lines_without_their_record(tmp_path: Path) -> None:
    lines = tmp_path / "events.jsonl"
    lines.write_text(json.dumps(event_to_dict(_statement(1))) + "\n")
    with pytest.raises(ImportLineError, match="line 1"):
        copy_chronicle(lines, tmp_path / "c.db")


def test_follow_and_copy_commands(tmp_path: Path) -> None:
    _source(tmp_path / "a.db")
    runner = CliRunner()
    result = runner.invoke(cli, ["copy", str(tmp_path / "a.db"), str(tmp_path / "b.db")])
    assert (0, "Copied 5 records") == (result.exit_code, result.output[:16]), result.output
    result = runner.invoke(
        cli,
        ["follow", str(tmp_path / "b.db"), "--after", "3", "--idle", "0.05", "--format", "json"],
    )
    assert 0 == result.exit_code, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(4, "statement.made"), (5, "retracted")] == [
        (line["position"], line["type"]) for line in lines
    ]
    table = runner.invoke(cli, ["follow", str(tmp_path / "b.db"), "--idle", "0"])
    assert 5 == len(table.output.splitlines()), table.output
