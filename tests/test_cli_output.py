"""The ``chronology`` command's output: values that changed, hostile text, CSV columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import attrs
import pytest
from cli_helpers import (
    SOKOL,
    VISIT,
    chronicle_file,
    demo_file,
    invoke,
    one_line_error,
)

from chronology import Quantity, Source, TradeExpectation, VisitExpectation, Window
from chronology.events import AgendaChanged, Event, TradeProjected, VisitAnnounced, VisitOccurred


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A chronicle file holding the seed case (read-only use)."""
    return demo_file(tmp_path_factory)


# -- diff and history: values, order, unknown subjects --------------------------------------------


def test_diff_table_shows_the_values_that_changed(tmp_path: Path) -> None:
    long_purpose = "talks on " + ", ".join(f"item {i}" for i in range(30))
    db = chronicle_file(
        tmp_path,
        [
            VisitAnnounced(
                subject="visit/v",
                known_at="2024-04-01T12:00:00Z",
                visitor="Lavrov",
                purpose="talks",
                agenda=("SCO", "G20"),
            ),
            VisitOccurred(subject="visit/v", known_at="2024-04-03T12:00:00Z", place="Beijing"),
            VisitOccurred(subject="visit/v", known_at="2024-04-05T12:00:00Z", place="Shanghai"),
            AgendaChanged(
                subject="visit/v", known_at="2024-04-05T12:00:00Z", added=("UN",), removed=("G20",)
            ),
            VisitAnnounced(
                subject="visit/v",
                known_at="2024-04-05T12:00:00Z",
                visitor="Lavrov",
                purpose=long_purpose,
            ),
        ],
    )
    table = invoke(["diff", "2024-04-04", "2024-04-06", "--db", db]).stdout
    [row] = table.splitlines()[2:]
    what = row.split("visit/v", 1)[1].strip()
    assert [
        "purpose: talks -> talks on item 0, item 1, item 2, item...",
        "agenda: +UN, -G20",
        "place: Beijing -> Shanghai",
    ] == what.split("; ")
    csv_out = invoke(["diff", "2024-04-04", "2024-04-06", "--db", db, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert [long_purpose] == [r["after"] for r in rows if r["field"] == "purpose"]


def test_diff_b_before_a_is_refused_naming_both(demo_db: str) -> None:
    result = invoke(["diff", "2024-04-10", "2024-04-04", "--db", demo_db], code=2)
    assert (
        "Error: B (2024-04-04T23:59:59.999999+00:00) is before"
        " A (2024-04-10T23:59:59.999999+00:00);"
        " give the earlier instant first (see 'chronology diff --help')"
    ) == one_line_error(result)


def test_history_unknown_subject_keeps_the_command_message(demo_db: str) -> None:
    result = invoke(["history", "visit/nobody-at-all", "--db", demo_db], code=1)
    assert one_line_error(result).startswith(
        "Error: no events about subject 'visit/nobody-at-all'; known subjects: "
    )


def test_history_of_a_subject_recorded_later(demo_db: str) -> None:
    result = invoke(["history", VISIT, "--db", demo_db, "--recorded-by", "2020-01-01"], code=1)
    assert (
        f"Error: no events about subject '{VISIT}' recorded by 2020-01-01T23:59:59.999999+00:00"
        " (its events were retracted, or stored later)"
    ) == one_line_error(result)


# -- output people paste: terminals and spreadsheets ----------------------------------------------

HOSTILE_SUBJECT = "visit/x\x1b]0;pwned\x07\n"
HOSTILE_VISITOR = '=HYPERLINK("http://x")\nB'
HOSTILE_HOST = "\u202eevil\x9b"


def hostile_events() -> list[Event]:
    return [
        VisitAnnounced(
            subject=HOSTILE_SUBJECT,
            known_at="2024-04-03T12:00:00Z",
            visitor=HOSTILE_VISITOR,
            host=HOSTILE_HOST,
            agenda=("-1+1", "@SUM(A1)"),
            source=Source(name="\tTab"),
        ),
        TradeProjected(
            subject="+trade/t",
            known_at="2024-04-03T12:00:00Z",
            scope="-sea",
            quantity=Quantity(-5, "@bbl", low=-6, high=-4, approximate=True),
            period=Window.parse("2024-03"),
        ),
    ]


def test_table_output_escapes_control_characters(tmp_path: Path) -> None:
    db = chronicle_file(tmp_path, hostile_events())
    for args in (
        ["as-of", "2024-04-04", "--db", db],
        ["history", HOSTILE_SUBJECT, "--db", db],
        ["diff", "2024-04-01", "2024-04-04", "--db", db],
    ):
        out = invoke(args).stdout
        assert [] == [c for c in out if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0]
        assert "\u202e" not in out
        assert "visit/x\\x1b]0;pwned\\x07\\n" in out or args[0] == "history"
    table = invoke(["as-of", "2024-04-04", "--db", db]).stdout
    assert 4 == len(table.splitlines())
    assert '=HYPERLINK("http://x")\\nB to \\u202eevil\\x9b' in table
    history = invoke(["history", HOSTILE_SUBJECT, "--db", db]).stdout
    assert "\\tTab" in history


def test_error_messages_escape_control_characters(tmp_path: Path) -> None:
    db = chronicle_file(tmp_path, hostile_events())
    line = one_line_error(invoke(["history", "visit/\x1b[2J", "--db", db], code=1))
    assert "\x1b" not in line


def test_csv_neutralises_formulas_in_text_columns_only(tmp_path: Path) -> None:
    db = chronicle_file(tmp_path, hostile_events())
    out = invoke(["as-of", "2024-04-04", "--db", db, "--format", "csv"]).stdout
    trade, visit = csv.DictReader(io.StringIO(out))
    assert ("'+trade/t", "'-sea", "'@bbl", "-5.0") == (
        trade["subject"],
        trade["scope"],
        trade["unit"],
        trade["quantity"],
    )
    assert ("2024-03-01T00:00:00+00:00", "2024-03-31") == (
        trade["period_start"],
        trade["period_last_day"],
    )
    assert ("-6.0", "-4.0", "true") == (
        trade["quantity_low"],
        trade["quantity_high"],
        trade["quantity_approximate"],
    )
    assert (HOSTILE_SUBJECT, f"'{HOSTILE_VISITOR}", HOSTILE_HOST, "'-1+1; @SUM(A1)") == (
        visit["subject"],
        visit["visitor"],
        visit["host"],
        visit["agenda"],
    )
    assert "'\tTab" == visit["sources"]
    history = invoke(["history", "+trade/t", "--db", db, "--format", "csv"]).stdout
    [row] = csv.DictReader(io.StringIO(history))
    assert ("'+trade/t", "'-sea", "-5.0") == (row["subject"], row["scope"], row["quantity"])
    diff = invoke(["diff", "2024-04-01", "2024-04-04", "--db", db, "--format", "csv"]).stdout
    assert ["'+trade/t", HOSTILE_SUBJECT] == [
        r["subject"] for r in csv.DictReader(io.StringIO(diff))
    ]


def test_json_output_stays_exact(tmp_path: Path) -> None:
    db = chronicle_file(tmp_path, hostile_events())
    data = json.loads(invoke(["as-of", "2024-04-04", "--db", db, "--format", "json"]).stdout)
    trade, visit = data["expectations"]
    assert (HOSTILE_SUBJECT, HOSTILE_VISITOR, HOSTILE_HOST) == (
        visit["subject"],
        visit["visitor"],
        visit["host"],
    )
    assert ("+trade/t", "-sea", -5.0) == (
        trade["subject"],
        trade["scope"],
        trade["quantity"]["value"],
    )


# -- CSV: every field, and the last day of each window --------------------------------------------


def test_as_of_csv_has_a_column_for_every_field(demo_db: str) -> None:
    out = invoke(["as-of", "2024-04-21", "--db", demo_db, "--format", "csv"]).stdout
    reader = csv.DictReader(io.StringIO(out))
    columns = reader.fieldnames or []
    fields = {f.name for kind in (VisitExpectation, TradeExpectation) for f in attrs.fields(kind)}
    assert [] == sorted(
        name for name in fields if not any(c == name or c.startswith(f"{name}_") for c in columns)
    )
    rows = {r["subject"]: r for r in reader}
    # Each row has exactly one cell per column (DictReader files the rest under None).
    assert [] == [s for s, r in rows.items() if None in r or None in r.values()]
    visit, sokol = rows[VISIT], rows[SOKOL]
    assert (
        "2024-04-08T00:00:00+00:00",
        "2024-04-10T00:00:00+00:00",
        "2024-04-09",
        "Sergei Lavrov",
        "China",
        "Wang Yi",
        "Beijing",
        "SCO; BRICS; UN; G20; practical cooperation; regional security",
        "",
    ) == (
        visit["window_start"],
        visit["window_end"],
        visit["window_last_day"],
        visit["visitor"],
        visit["host"],
        visit["counterparts"],
        visit["place"],
        visit["agenda"],
        visit["period_start"],
    )
    assert (
        "Russia",
        "China",
        "crude oil",
        "Sokol",
        "2024-03-31",
        "379000.0",
        "bbl/d",
        "seaborne exports (ship-tracking)",
        "all-time high for the grade; about three times the February volume",
        "440000.0",
        "probable",
        "",
    ) == (
        sokol["exporter"],
        sokol["importer"],
        sokol["commodity"],
        sokol["grade"],
        sokol["period_last_day"],
        sokol["quantity"],
        sokol["unit"],
        sokol["scope"],
        sokol["claims"],
        sokol["reported"],
        sokol["likelihood"],
        sokol["window_start"],
    )


def test_history_csv_gives_the_last_day_and_the_expectation(demo_db: str) -> None:
    out = invoke(["history", VISIT, "--db", demo_db, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    last = rows[-1]
    assert ("visit.occurred", "occurred", "2024-04-09", "Beijing") == (
        last["type"],
        last["status"],
        last["window_last_day"],
        last["place"],
    )
