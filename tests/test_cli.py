"""The ``chronology`` command: through click's CliRunner, and as the installed executable."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from cli_helpers import (
    COMMANDS,
    ESPO,
    SEABORNE,
    SEED,
    SOKOL,
    VISIT,
    demo_file,
    demo_sections,
    invoke,
    one_line_error,
)
from click.testing import CliRunner

from chronology import Chronicle, Window
from chronology.cli import DB_ENV, DEFAULT_DB, DEMO_DATES, cli, seed_path
from chronology.render import expectation_to_dict, key_figure, number_text, window_text


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A chronicle file holding the seed case (read-only use)."""
    return demo_file(tmp_path_factory)


# -- demo -----------------------------------------------------------------------------------------


def test_demo_shows_what_was_expected_at_each_key_date(tmp_path: Path) -> None:
    db = tmp_path / "seed.db"
    result = invoke(["demo", "--db", str(db)])
    assert f"Chronicle: {db.resolve()}" in result.stdout
    assert "Seed case: 13 events, 13 new (13 records in the file)" in result.stdout
    sections = demo_sections(result.stdout)
    assert list(DEMO_DATES) == list(sections)
    assert {} == sections["2024-03-10"]
    assert "nothing expected yet" in result.stdout
    projected = ("projected", "2024-03")
    assert {ESPO: projected, SEABORNE: projected, SOKOL: projected} == sections["2024-03-19"]
    assert ("announced", "soon (~2024-04-03/2024-05-03)") == sections["2024-04-04"][VISIT]
    assert ("scheduled", "2024-04-08/2024-04-09") == sections["2024-04-07"][VISIT]
    assert ("occurred", "2024-04-08/2024-04-09") == sections["2024-04-10"][VISIT]
    assert ("reported", "2024-03") == sections["2024-04-21"][SEABORNE]
    # March is over and no ESPO figure was reported: it awaits its report.
    assert ("awaiting_report", "2024-03") == sections["2024-04-21"][ESPO]
    # The key figures: the projection against the same-scope report, with its error.
    assert "1.7M bbl/d, reported 1.82M (+6.6%, prelim.), +2 in other scopes" in result.stdout
    assert "379k bbl/d, reported 440k (+13.9%, prelim.)" in result.stdout
    assert "new: visit.scheduled (Dawn), statement.made (Dawn)" in result.stdout
    assert "new: trade.reported x4 (Dawn), statement.made (Dawn)" in result.stdout
    with Chronicle.open(db, read_only=True) as chronicle:
        assert 13 == len(chronicle)
        assert 13 == chronicle.verify()


def test_demo_twice_stores_nothing_new(tmp_path: Path) -> None:
    db = str(tmp_path / "seed.db")
    first = invoke(["demo", "--db", db])
    second = invoke(["demo", "--db", db])
    assert "Seed case: 13 events, 0 new (13 records in the file)" in second.stdout
    assert demo_sections(first.stdout) == demo_sections(second.stdout)
    with Chronicle.open(db, read_only=True) as chronicle:
        assert 13 == len(chronicle)


def test_demo_writes_its_own_file_by_default_not_the_configured_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["demo"], env={DB_ENV: "mine.db"})
    assert 0 == result.exit_code, result.stderr
    assert Path("chronology-demo.db").is_file()
    assert not Path("mine.db").exists()
    assert f"Chronicle: {Path('chronology-demo.db').resolve()}" in result.stdout


def test_packaged_seed_is_the_seed_file() -> None:
    assert SEED.read_bytes() == seed_path().read_bytes()


# -- import and export ----------------------------------------------------------------------------


def test_import_appends_files_and_is_idempotent(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    lines = SEED.read_text().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[:5]))
    second.write_text("".join(lines[3:]))
    result = invoke(["import", str(first), str(second), "--db", db])
    assert [
        f"{first}: 5 events, 5 new",
        f"{second}: 10 events, 8 new",
        f"{db}: 13 records",
    ] == result.stdout.splitlines()
    again = invoke(["import", str(SEED), "--db", db])
    assert f"{SEED}: 13 events, 0 new" == again.stdout.splitlines()[0]


def test_import_uses_the_configured_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert 0 == runner.invoke(cli, ["import", str(SEED)]).exit_code
    assert Path(DEFAULT_DB).is_file()
    result = runner.invoke(cli, ["import", str(SEED)], env={DB_ENV: "other.db"})
    assert 0 == result.exit_code
    assert "other.db: 13 records" == result.stdout.splitlines()[-1]


def test_import_progress_bar_goes_to_stderr(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    result = invoke(["import", str(SEED), "--db", db, "--progress"])
    assert "importing" in result.stderr
    assert "importing" not in result.stdout
    quiet = invoke(["import", str(SEED), "--db", db, "--no-progress"])
    assert "" == quiet.stderr


def test_import_progress_counts_every_byte(tmp_path: Path) -> None:
    seen: list[int] = []
    with Chronicle() as chronicle:
        chronicle.import_jsonl(SEED, progress=seen.append)
    assert len(SEED.read_text().splitlines()) <= len(seen)
    assert SEED.stat().st_size <= sum(seen) <= SEED.stat().st_size + 1


def test_import_bad_line_refuses_that_file_only(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    good = tmp_path / "good.jsonl"
    good.write_text(SEED.read_text().splitlines()[0] + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SEED.read_text().splitlines()[3] + "\n" + '{"type": "visit.announced", \n')
    result = invoke(["import", str(good), str(bad), "--db", db], code=1)
    message = one_line_error(result)
    assert message.startswith(f"Error: {bad}: line 2: malformed JSON")
    with Chronicle.open(db, read_only=True) as chronicle:
        assert 1 == len(chronicle)  # good.jsonl stays; nothing from bad.jsonl


def test_import_unknown_type_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('\n{"type": "visit.teleported", "subject": "x", "known_at": "2024-01-01"}\n')
    result = invoke(["import", str(bad), "--db", str(tmp_path / "c.db")], code=1)
    assert "line 2: unknown event type 'visit.teleported'" in one_line_error(result)


def test_import_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    result = invoke(["import", str(missing), "--db", str(tmp_path / "c.db")], code=2)
    message = one_line_error(result)
    assert "nope.jsonl" in message
    assert "does not exist" in message
    assert not (tmp_path / "c.db").exists()


def test_export_to_stdout_round_trips(demo_db: str, tmp_path: Path) -> None:
    result = invoke(["export", "--db", demo_db])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(range(1, 14)) == [r["position"] for r in records]
    dump = tmp_path / "dump.jsonl"
    dump.write_text(result.stdout)
    copy = str(tmp_path / "copy.db")
    invoke(["import", str(dump), "--db", copy])
    with Chronicle.open(copy, read_only=True) as chronicle:
        assert [r["event_id"] for r in records] == [r.event_id for r in chronicle]


def test_export_to_file(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = invoke(["export", str(out), "--db", demo_db])
    assert f"{out}: 13 records" == result.stdout.strip()
    assert invoke(["export", "--db", demo_db]).stdout == out.read_text()


# -- as-of ----------------------------------------------------------------------------------------


def test_as_of_table(demo_db: str) -> None:
    result = invoke(["as-of", "2024-04-07", "--db", demo_db])
    lines = result.stdout.splitlines()
    assert ["subject", "status", "window", "/", "period", "key", "figure"] == lines[0].split()
    rows = {line.split()[0]: line.split()[1:3] for line in lines[2:]}
    # March is over, and none of its figures is reported yet.
    assert {
        ESPO: ["awaiting_report", "2024-03"],
        SEABORNE: ["awaiting_report", "2024-03"],
        SOKOL: ["awaiting_report", "2024-03"],
        VISIT: ["scheduled", "2024-04-08/2024-04-09"],
    } == rows


def test_as_of_before_anything(demo_db: str) -> None:
    result = invoke(["as-of", "2024-01-01", "--db", demo_db])
    assert "nothing expected as of 2024-01-01T23:59:59.999999+00:00" == result.stdout.strip()


def test_as_of_json(demo_db: str) -> None:
    result = invoke(["as-of", "2024-04-04T12:00:00+02:00", "--db", demo_db, "--format", "json"])
    data = json.loads(result.stdout)
    assert "2024-04-04T10:00:00+00:00" == data["as_of"]
    assert data["recorded_by"] is None
    by_subject = {e["subject"]: e for e in data["expectations"]}
    assert [ESPO, SEABORNE, SOKOL, VISIT] == list(by_subject)
    visit = by_subject[VISIT]
    assert ("visit", "announced") == (visit["kind"], visit["status"])
    assert {
        "start": "2024-04-03T12:00:00+00:00",
        "end": "2024-05-03T12:00:00+00:00",
        "label": "soon",
        "approximate": True,
    } == visit["window"]
    assert ["Wang Yi"] == visit["counterparts"]
    assert {"value": 1_700_000.0, "unit": "bbl/d"} == by_subject[SEABORNE]["quantity"]


def test_as_of_kind_filter(demo_db: str) -> None:
    visits = json.loads(
        invoke(
            ["as-of", "2024-04-21", "--db", demo_db, "--kind", "visit", "--format", "json"]
        ).stdout
    )
    trades = json.loads(
        invoke(
            ["as-of", "2024-04-21", "--db", demo_db, "--kind", "trade", "--format", "json"]
        ).stdout
    )
    assert [VISIT] == [e["subject"] for e in visits["expectations"]]
    assert [ESPO, SEABORNE, SOKOL] == [e["subject"] for e in trades["expectations"]]
    seaborne = trades["expectations"][1]
    assert [
        ("imports, all modes incl. pipeline (customs)", 10.81, "Mt"),
        ("imports, all modes incl. pipeline (customs)", 2_550_000.0, "bbl/d"),
        ("seaborne exports (ship-tracking)", 1_820_000.0, "bbl/d"),
    ] == [(r["scope"], r["quantity"]["value"], r["quantity"]["unit"]) for r in seaborne["reports"]]


def test_as_of_csv(demo_db: str) -> None:
    result = invoke(["as-of", "2024-04-21", "--db", demo_db, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [ESPO, SEABORNE, SOKOL, VISIT] == [r["subject"] for r in rows]
    seaborne = rows[1]
    assert ("reported", "1700000.0", "bbl/d") == (
        seaborne["status"],
        seaborne["quantity"],
        seaborne["unit"],
    )
    assert ("1820000.0", "bbl/d") == (seaborne["reported"], seaborne["reported_unit"])
    visit = rows[3]
    assert ("visit", "occurred", "2024-04-08T00:00:00+00:00", "2024-04-10T00:00:00+00:00") == (
        visit["kind"],
        visit["status"],
        visit["window_start"],
        visit["window_end"],
    )


def test_as_of_recorded_by_ignores_later_records(demo_db: str) -> None:
    early = invoke(
        ["as-of", "2024-04-21", "--db", demo_db, "--recorded-by", "2000-01-01", "--format", "json"]
    )
    assert [] == json.loads(early.stdout)["expectations"]
    assert "2000-01-01T23:59:59.999999+00:00" == json.loads(early.stdout)["recorded_by"]


# -- history and diff -----------------------------------------------------------------------------


def test_history_table(demo_db: str) -> None:
    result = invoke(["history", VISIT, "--db", demo_db])
    lines = result.stdout.splitlines()
    assert ["known", "at", "event", "status"] == lines[0].split()[:4]
    assert [
        ("visit.announced", "announced"),
        ("statement.made", "announced"),
        ("visit.scheduled", "scheduled"),
        ("statement.made", "scheduled"),
        ("visit.occurred", "occurred"),
    ] == [(line.split()[2], line.split()[3]) for line in lines[2:]]
    assert "statement by Mao Ning" in result.stdout
    assert lines[-1].rstrip().endswith("report.az")


def test_history_json(demo_db: str) -> None:
    data = json.loads(invoke(["history", SOKOL, "--db", demo_db, "--format", "json"]).stdout)
    assert SOKOL == data["subject"]
    changes = data["changes"]
    assert ["trade.projected", "trade.reported"] == [c["event"]["type"] for c in changes]
    assert changes[0]["before"] is None
    assert "projected" == changes[0]["after"]["status"]
    assert changes[1]["before"] == changes[0]["after"]
    assert "reported" == changes[1]["after"]["status"]
    assert {"value": 440_000.0, "unit": "bbl/d"} == changes[1]["event"]["quantity"]
    assert "2024-04-20T12:00:00+00:00" == changes[1]["known_at"]


def test_history_csv(demo_db: str) -> None:
    result = invoke(["history", SEABORNE, "--db", demo_db, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert ["trade.projected"] + ["trade.reported"] * 3 + ["statement.made"] == [
        r["type"] for r in rows
    ]
    assert {"Bloomberg", "Dawn"} == {r["source"] for r in rows}
    assert all(len(r["event_id"]) == 32 for r in rows)


def test_history_unknown_subject_suggests(demo_db: str) -> None:
    result = invoke(["history", "visit/lavrov", "--db", demo_db], code=1)
    assert f"did you mean {VISIT}?" in one_line_error(result)


def test_diff_table(demo_db: str) -> None:
    result = invoke(["diff", "2024-04-04", "2024-04-10", "--db", demo_db])
    lines = result.stdout.splitlines()
    assert ["change", "subject", "what"] == lines[0].split()
    assert 3 == len(lines)
    assert lines[2].startswith(f"changed  {VISIT}")
    assert "status: announced -> occurred" in lines[2]
    assert "window: soon (~2024-04-03/2024-05-03) -> 2024-04-08/2024-04-09" in lines[2]


def test_diff_json(demo_db: str) -> None:
    data = json.loads(
        invoke(["diff", "2024-03-10", "2024-04-21", "--db", demo_db, "--format", "json"]).stdout
    )
    assert "2024-03-10T23:59:59.999999+00:00" == data["from"]
    assert [ESPO, SEABORNE, SOKOL, VISIT] == [e["subject"] for e in data["added"]]
    assert [] == data["removed"] == data["changed"]
    later = json.loads(
        invoke(["diff", "2024-04-04", "2024-04-21", "--db", demo_db, "--format", "json"]).stdout
    )
    changed = {c["subject"]: c for c in later["changed"]}
    assert [SEABORNE, SOKOL, VISIT] == list(changed)
    assert "status" in changed[VISIT]["fields"]
    assert ("announced", "occurred") == (
        changed[VISIT]["before"]["status"],
        changed[VISIT]["after"]["status"],
    )


def test_diff_csv(demo_db: str) -> None:
    result = invoke(["diff", "2024-04-04", "2024-04-07", "--db", demo_db, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    status = [r for r in rows if r["field"] == "status"]
    assert [("changed", VISIT, "announced", "scheduled")] == [
        (r["change"], r["subject"], r["before"], r["after"]) for r in status
    ]


def test_diff_nothing(demo_db: str) -> None:
    result = invoke(["diff", "2024-04-11", "2024-04-12", "--db", demo_db])
    assert result.stdout.startswith("no change between")


# -- verify ---------------------------------------------------------------------------------------


def test_verify_ok(demo_db: str) -> None:
    result = invoke(["verify", "--db", demo_db])
    assert f"{demo_db}: ok, 13 records, hash chain intact" == result.stdout.strip()


def test_verify_names_the_tampered_position(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    invoke(["import", str(SEED), "--db", str(db)])
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE records SET payload = replace(payload, 'Beijing', 'Moscow') WHERE position = 8"
        )
    conn.close()
    result = invoke(["verify", "--db", str(db)], code=1)
    assert "record at position 8" in one_line_error(result)


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "why"),
    [
        ("2024-13-01", "not a valid date"),
        ("2024-04-04T10:00:00", "has no UTC offset"),
        ("yesterday", "is not an ISO 8601 date"),
    ],
)
def test_bad_date_is_a_usage_error(demo_db: str, when: str, why: str) -> None:
    result = invoke(["as-of", when, "--db", demo_db], code=2)
    message = one_line_error(result)
    assert why in message
    assert repr(when) in message
    assert "(see 'chronology as-of --help')" in message


def test_bad_recorded_by_date(demo_db: str) -> None:
    result = invoke(["history", VISIT, "--db", demo_db, "--recorded-by", "2024-02-30"], code=2)
    assert "--recorded-by" in one_line_error(result)


def test_missing_chronicle_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    for args in (
        ["as-of", "2024-04-04"],
        ["history", VISIT],
        ["diff", "2024-04-01", "2024-04-02"],
        ["verify"],
        ["export"],
        ["plot", "--out", str(tmp_path / "x.png")],
    ):
        result = invoke([*args, "--db", str(db)], code=1)
        assert f"{db}: no such chronicle" in one_line_error(result)
    assert not db.exists()


def test_not_a_chronicle(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not a chronicle\n" * 100)
    result = invoke(["verify", "--db", str(text)], code=1)
    assert str(text) in one_line_error(result)
    assert "these are my notes" in text.read_text()


def test_unknown_option_and_command() -> None:
    assert "No such option" in one_line_error(invoke(["as-of", "--frobnicate"], code=2))
    assert "No such command" in one_line_error(invoke(["frobnicate"], code=2))


def test_bad_format_choice(demo_db: str) -> None:
    result = invoke(["as-of", "2024-04-04", "--db", demo_db, "--format", "xml"], code=2)
    assert "'xml' is not one of" in one_line_error(result)


# -- help -----------------------------------------------------------------------------------------


def test_root_help_documents_the_default_file() -> None:
    result = invoke(["--help"])
    for command in COMMANDS:
        assert command in result.stdout
    assert DB_ENV in result.stdout
    assert DEFAULT_DB in result.stdout
    assert "chronology demo" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = invoke([command, "--help"])
    assert result.stdout.startswith(f"Usage: chronology {command} ")
    # The \b block keeps the example lines as written, one per line.
    example = result.stdout.split("Example:", 1)[1].splitlines()
    assert example[1].strip().startswith(f"chronology {command}")
    text = " ".join(result.stdout.split())
    assert (command != "demo") == (f"env var: {DB_ENV}" in text)


def test_version() -> None:
    from chronology import __version__

    assert f"chronology, version {__version__}" == invoke(["--version"]).stdout.strip()


# -- the text and data helpers --------------------------------------------------------------------


def test_window_text() -> None:
    assert "2024-03" == window_text(Window.parse("2024-03"))
    assert "2024-04-08" == window_text(Window.parse("2024-04-08"))
    assert "2024-04-08/2024-04-09" == window_text(Window.parse("2024-04-08/2024-04-09"))
    assert "~2024-04-08/2024-04-09?" == window_text(Window.parse("2024-04-08~/2024-04-09?"))
    assert "2024-04-01/.." == window_text(Window.parse("2024-04/.."))
    assert "2024-04-03 12:00/2024-04-03 13:30" == window_text(
        Window("2024-04-03T12:00:00Z", "2024-04-03T13:30:00Z")
    )
    soon = Window.vague("soon", anchor="2024-04-03T12:00:00Z")
    assert "soon (~2024-04-03/2024-05-03)" == window_text(soon)
    assert "-" == window_text(None)


def test_number_text() -> None:
    assert ["2.55M", "882k", "10.81", "-1.5M", "0"] == [
        number_text(v) for v in (2_550_000, 882_000, 10.81, -1_500_000, 0)
    ]


def test_expectation_to_dict_is_json_and_stable() -> None:
    with Chronicle() as chronicle:
        chronicle.import_jsonl(SEED)
        view = chronicle.as_of("2024-04-21")
        for expectation in view:
            data = expectation_to_dict(expectation)
            assert data == json.loads(json.dumps(data))
            assert expectation.kind == data["kind"]
            assert expectation.status.value == data["status"]
            assert expectation.updated_at.isoformat() == data["updated_at"]
        assert "Sergei Lavrov to China (Beijing)" == key_figure(view[VISIT])
        assert "882k bbl/d" == key_figure(view[ESPO])
