"""Issue 14, integrity: clock skew, published heads, and tampering an SQLite file in ways the
hash chain alone cannot see (columns beside the payload, the sealed head, the schema)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from chronology import (
    Chronicle,
    ClockSkewError,
    Head,
    HeadError,
    IntegrityError,
    SchemaIntegrityError,
)
from chronology.cli import cli
from chronology.events import VisitCancelled
from chronology.record import GENESIS_HASH, chain_hash
from chronology.serialization import event_id_of
from chronology.testing import FakeClock

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "russia-china-2024.jsonl"
START = datetime(2024, 5, 1, tzinfo=UTC)
TICK = timedelta(microseconds=1)
Open = Callable[..., Chronicle]


def _cancel(i: int) -> VisitCancelled:
    return VisitCancelled(subject=f"visit/{i}", known_at=START - timedelta(days=30 - i))


@pytest.fixture(params=["memory", "sqlite"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Open]:
    """Opens a chronicle of either store (the same file each time, for SQLite)."""
    opened: list[Chronicle] = []

    def open_(**kwargs: object) -> Chronicle:
        if request.param == "memory":
            c = Chronicle(**kwargs)  # type: ignore[arg-type]
        else:
            c = Chronicle.open(tmp_path / "c.db", **kwargs)  # type: ignore[arg-type]
        opened.append(c)
        return c

    yield open_
    for c in opened:
        c.close()


# -- clock skew ---------------------------------------------------------------------------------


def test_a_clock_far_behind_the_head_is_refused_naming_both_instants(make: Open) -> None:
    clock = FakeClock(START)
    c = make(clock=clock)
    c.append(_cancel(1))
    head = c.append(_cancel(2))
    clock.set(START - timedelta(hours=1))
    with pytest.raises(ClockSkewError) as caught:
        c.extend([_cancel(3), _cancel(4)])
    assert 2 == len(c)
    error = caught.value
    assert (START - timedelta(hours=1), head.recorded_at, 2, timedelta(minutes=5)) == (
        error.clock,
        error.head_recorded_at,
        error.position,
        error.max_skew,
    )
    message = str(error)
    assert "2024-04-30T23:00:00+00:00" in message
    assert head.recorded_at.isoformat() in message
    assert "position 2" in message


def test_a_small_skew_takes_the_last_recorded_at_plus_a_microsecond(make: Open) -> None:
    clock = FakeClock(START)
    c = make(clock=clock)
    head = c.append(_cancel(1))
    clock.set(START - timedelta(minutes=4, seconds=59))
    assert head.recorded_at + TICK == c.append(_cancel(2)).recorded_at


def test_max_skew_is_a_keyword_and_none_disables_the_check(make: Open) -> None:
    clock = FakeClock(START)
    strict = make(clock=clock, max_skew=timedelta(seconds=1))
    head = strict.append(_cancel(1))
    clock.set(START - timedelta(seconds=2))
    with pytest.raises(ClockSkewError):
        strict.append(_cancel(2))
    lenient = Chronicle(strict.store, clock=clock, max_skew=None)
    clock.set(START - timedelta(days=365))
    assert head.recorded_at + TICK == lenient.append(_cancel(2)).recorded_at


def test_a_writer_that_runs_fast_does_not_drag_a_slow_one_into_its_future(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.db"
    with Chronicle.open(path, clock=FakeClock(START + timedelta(days=7))) as fast:
        fast.append(_cancel(1))
    with Chronicle.open(path, clock=FakeClock(START)) as slow:
        with pytest.raises(ClockSkewError) as caught:
            slow.append(_cancel(2))
        assert 1 == caught.value.position
        assert 1 == len(slow)


def test_cli_import_refuses_a_skewed_clock_unless_told_not_to(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Chronicle.open(db, clock=FakeClock(datetime(2999, 1, 1, tzinfo=UTC))) as c:
        c.append(_cancel(1))
    runner = CliRunner()
    refused = runner.invoke(cli, ["import", str(SEEDS), "--db", str(db)])
    assert 1 == refused.exit_code
    assert "position 1" in refused.output
    allowed = runner.invoke(cli, ["import", str(SEEDS), "--db", str(db), "--no-skew-check"])
    assert 0 == allowed.exit_code, allowed.output
    loose = runner.invoke(cli, ["import", str(SEEDS), "--db", str(db), "--max-skew", "1e12"])
    assert 0 == loose.exit_code, loose.output


# -- heads --------------------------------------------------------------------------------------


def test_an_empty_chronicle_has_the_genesis_head(make: Open) -> None:
    c = make()
    assert Head(0, GENESIS_HASH) == c.head()
    assert f"0:{GENESIS_HASH}" == str(c.head())
    assert 0 == c.verify(expected_head=c.head())


def test_the_head_names_the_last_record(make: Open) -> None:
    c = make(clock=FakeClock(START))
    records = c.extend(_cancel(i) for i in range(5))
    assert Head(5, records[-1].hash) == c.head()
    assert Head.parse(str(c.head())) == c.head()


def test_a_log_extends_a_head_published_before_later_appends(make: Open) -> None:
    c = make(clock=FakeClock(START))
    c.extend(_cancel(i) for i in range(3))
    published = str(c.head())
    c.extend(_cancel(i) for i in range(3, 6))
    assert 6 == c.verify(expected_head=published)
    assert 6 == c.verify(expected_head=Head.parse(published))


def test_a_head_past_the_end_of_the_log_is_refused(make: Open) -> None:
    c = make(clock=FakeClock(START))
    c.extend(_cancel(i) for i in range(3))
    with pytest.raises(IntegrityError) as caught:
        c.verify(expected_head=Head(7, "a" * 64))
    assert 7 == caught.value.position
    assert "past the end of the log (position 3)" in caught.value.reason


def test_a_head_with_another_hash_is_refused_at_its_position(make: Open) -> None:
    c = make(clock=FakeClock(START))
    c.extend(_cancel(i) for i in range(3))
    with pytest.raises(IntegrityError) as caught:
        c.verify(expected_head=f"2:{'b' * 64}")
    assert 2 == caught.value.position
    assert "the log was rewritten up to here" in caught.value.reason


@pytest.mark.parametrize(
    "text",
    ["", "12", "x:" + "a" * 64, "-1:" + "a" * 64, "3:" + "A" * 64, "3:abc", "0:" + "a" * 64],
)
def test_a_malformed_head_is_refused(text: str) -> None:
    with pytest.raises(HeadError):
        Head.parse(text)


def _forge(path: Path, position: int, old: str, new: str) -> None:
    """Rewrite one payload, then compute every id and hash again and reseal the head: what
    someone with write access to the file can do."""
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT position, event_id, recorded_at, payload FROM records ORDER BY position"
    ).fetchall()
    previous = GENESIS_HASH
    for pos, event_id, recorded_at, payload in rows:
        if pos == position:
            assert old in payload
            payload = payload.replace(old, new)
            event_id = event_id_of(payload)
        previous = chain_hash(previous, pos, event_id, recorded_at, payload)
        conn.execute(
            "UPDATE records SET event_id = ?, payload = ?, hash = ? WHERE position = ?",
            (event_id, payload, previous, pos),
        )
    conn.execute("DELETE FROM event_ids")
    conn.execute("UPDATE meta SET head_hash = ?, ids_through = 0", (previous,))
    conn.commit()
    conn.close()


def test_a_forged_log_passes_verify_but_not_against_a_published_head(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Chronicle.open(path, clock=FakeClock(START)) as c:
        c.import_jsonl(SEEDS)
        published = c.head()
    _forge(path, 5, "Zakharova", "Zaharova")
    with Chronicle.open(path, read_only=True) as c:
        assert 13 == c.verify()  # the chain alone cannot tell
        with pytest.raises(IntegrityError) as caught:
            c.verify(expected_head=published)
    assert 13 == caught.value.position


def test_cli_head_and_verify_against_it(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    runner = CliRunner()
    assert 0 == runner.invoke(cli, ["import", str(SEEDS), "--db", str(db)]).exit_code
    printed = runner.invoke(cli, ["head", "--db", str(db)])
    assert 0 == printed.exit_code
    with Chronicle.open(db, read_only=True) as c:
        assert f"{c.head()}\n" == printed.output
    ok = runner.invoke(cli, ["verify", "--db", str(db), "--head", printed.output.strip()])
    assert 0 == ok.exit_code, ok.output
    assert f"extends {printed.output.strip()}" in ok.output
    bad = runner.invoke(cli, ["verify", "--db", str(db), "--head", f"5:{'c' * 64}"])
    assert 1 == bad.exit_code
    assert "record at position 5" in bad.output
    malformed = runner.invoke(cli, ["verify", "--db", str(db), "--head", "five"])
    assert 1 == malformed.exit_code
    assert "POSITION:HASH" in malformed.output


# -- tampering an SQLite file -------------------------------------------------------------------


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A closed chronicle file holding the seed case: 13 records."""
    path = tmp_path / "seeded.db"
    with Chronicle.open(path, clock=FakeClock(START)) as c:
        c.import_jsonl(SEEDS)
        assert 13 == c.verify()
    return path


def _tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(";\n".join(statements))
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("statements", "position", "reason"),
    [
        pytest.param(
            ["UPDATE records SET known_at = '2023-01-01T00:00:00.000000+00:00' WHERE position = 4"],
            4,
            "the known_at column holds '2023-01-01T00:00:00.000000+00:00'",
            id="known_at",
        ),
        pytest.param(
            [
                "UPDATE records SET known_at = substr(known_at, 1, 19) || '+00:00'"
                " WHERE position = 6"
            ],
            6,
            "the known_at column holds",
            id="known_at-same-instant-other-text",
        ),
        pytest.param(
            ["UPDATE records SET subject = 'visit/elsewhere' WHERE position = 5"],
            5,
            "the subject column holds 'visit/elsewhere'",
            id="subject",
        ),
        pytest.param(
            ["UPDATE records SET event_id = 'x' || substr(event_id, 2) WHERE position = 7"],
            7,
            "event content does not match its event_id",
            id="event_id",
        ),
        pytest.param(
            ["UPDATE meta SET head_recorded_at = '2999-01-01T00:00:00+00:00'"],
            13,
            "the meta table gives the head's recorded_at as '2999-01-01T00:00:00+00:00'",
            id="head_recorded_at-far-future",
        ),
        pytest.param(
            ["UPDATE meta SET head_recorded_at = NULL"],
            13,
            "the meta table gives the head's recorded_at as None",
            id="head_recorded_at-null",
        ),
    ],
)
def test_a_column_queries_trust_is_checked(
    seeded: Path, statements: list[str], position: int, reason: str
) -> None:
    _tamper(seeded, *statements)
    with Chronicle.open(seeded, read_only=True) as c, pytest.raises(IntegrityError) as caught:
        c.verify()
    assert position == caught.value.position
    assert reason == caught.value.reason[: len(reason)]


@pytest.mark.parametrize("value", ["'2999-01-01T00:00:00+00:00'", "NULL", "'garbage'"])
def test_an_append_does_not_trust_the_head_time_kept_in_meta(seeded: Path, value: str) -> None:
    _tamper(seeded, f"UPDATE meta SET head_recorded_at = {value}")
    clock = FakeClock(START + timedelta(days=1))
    with Chronicle.open(seeded, clock=clock) as c:
        record = c.append(_cancel(1))
    assert (14, START + timedelta(days=1)) == (record.position, record.recorded_at)


def test_an_append_refuses_a_head_that_names_another_record(seeded: Path) -> None:
    _tamper(seeded, f"UPDATE meta SET head_hash = '{'d' * 64}'")
    with Chronicle.open(seeded, clock=FakeClock(START)) as c:
        with pytest.raises(IntegrityError) as caught:
            c.append(_cancel(1))
        assert 13 == caught.value.position
        assert 13 == len(c)


@pytest.mark.parametrize(
    ("statements", "name", "reason"),
    [
        pytest.param(
            ["CREATE TRIGGER hide BEFORE INSERT ON records BEGIN SELECT RAISE(IGNORE); END"],
            "hide",
            "a trigger the chronicle does not define",
            id="trigger",
        ),
        pytest.param(
            ["CREATE VIEW latest AS SELECT * FROM records"],
            "latest",
            "a view the chronicle does not define",
            id="view",
        ),
        pytest.param(
            ["DROP INDEX records_known_at"],
            "records_known_at",
            "missing",
            id="dropped-index",
        ),
        pytest.param(
            [
                "DROP INDEX records_subject",
                "CREATE INDEX records_subject ON records (subject, known_at, event_id)",
            ],
            "records_subject",
            "defined as 'CREATE INDEX records_subject",
            id="non-unique-index",
        ),
        pytest.param(
            [
                "DROP INDEX records_subject",
                "CREATE UNIQUE INDEX records_subject ON records (subject, known_at, event_id)"
                " WHERE position < 5",
            ],
            "records_subject",
            "defined as",
            id="partial-index",
        ),
        pytest.param(
            [
                "DROP INDEX records_known_at",
                "CREATE INDEX records_known_at ON records (known_at DESC, position)",
            ],
            "records_known_at",
            "defined as",
            id="replaced-index",
        ),
        pytest.param(
            ["CREATE INDEX extra ON records (hash)"],
            "extra",
            "a index the chronicle does not define",
            id="extra-index",
        ),
        pytest.param(
            ["CREATE TABLE notes (x)"],
            "notes",
            "a table the chronicle does not define",
            id="extra-table",
        ),
        pytest.param(
            ["DROP TABLE retractions", "CREATE TABLE retractions (position INTEGER)"],
            "retractions",
            "defined as",
            id="redefined-table",
        ),
    ],
)
def test_the_schema_must_be_exactly_the_chronicles(
    seeded: Path, statements: list[str], name: str, reason: str
) -> None:
    _tamper(seeded, *statements)
    with Chronicle.open(seeded, read_only=True) as c, pytest.raises(SchemaIntegrityError) as caught:
        c.verify()
    assert name == caught.value.name
    assert reason == caught.value.reason[: len(reason)]
    assert str(caught.value).startswith(f"schema object {name!r}: ")


def test_a_trigger_hiding_new_records_is_named_before_the_records_it_hid(seeded: Path) -> None:
    _tamper(seeded, "CREATE TRIGGER hide BEFORE INSERT ON records BEGIN SELECT RAISE(IGNORE); END")
    with Chronicle.open(seeded, clock=FakeClock(START + timedelta(days=1))) as c:
        c.append(_cancel(1))  # swallowed by the trigger; the head moves all the same
        with pytest.raises(IntegrityError):
            c.append(_cancel(2))  # the head names a record that is not there
        with pytest.raises(SchemaIntegrityError) as caught:
            c.verify()
    assert "hide" == caught.value.name


def test_a_file_upgraded_from_format_1_has_the_chronicles_schema(tmp_path: Path) -> None:
    source = ROOT / "tests" / "data" / "visit-announced-v1.db"
    path = tmp_path / "v1.db"
    path.write_bytes(source.read_bytes())
    with Chronicle.open(path) as c:
        assert len(c) == c.verify()


def test_the_exported_records_are_unchanged_by_the_extra_columns(seeded: Path) -> None:
    out = seeded.with_suffix(".jsonl")
    with Chronicle.open(seeded, read_only=True) as c:
        c.export_jsonl(out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert list(range(1, 14)) == [line["position"] for line in lines]
    assert "columns" not in lines[0]
