"""``chronology outcomes``, ``chronology score`` and ``chronology as-of --status``: the numbers of
Chronicle.outcomes, as a table, JSON or CSV; bad input is a usage error (exit 2)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chronology import Chronicle, VisitOutcome
from chronology.cli import cli
from chronology.outcome_records import ERROR_COLUMNS, OUTCOME_COLUMNS
from chronology.scores import SCORE_COLUMNS

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BLINKEN = "visit/blinken-china-2023"
OPEC = "figure/world-oil-demand-growth-2024/opec"


def invoke(args: Sequence[str], *, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert code == result.exit_code, (result.stdout, result.stderr, result.exception)
    return result


@pytest.fixture(scope="module")
def cases_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A chronicle file with the Blinken visit and the oil-demand forecasts."""
    path = tmp_path_factory.mktemp("cases") / "cases.db"
    with Chronicle.open(path) as c:
        c.import_jsonl(SEEDS / "blinken-china-2023.jsonl")
        c.import_jsonl(SEEDS / "oil-demand-2024.jsonl")
    return str(path)


def test_outcomes_json_gives_the_library_records(cases_db: str) -> None:
    data = json.loads(
        invoke(["outcomes", "--as-of", "2025-03-01", "--db", cases_db, "--format", "json"]).stdout
    )
    assert "2025-03-01T23:59:59.999999+00:00" == data["as_of"]
    rows = {r["subject"]: r for r in data["outcomes"]}
    assert [list(OUTCOME_COLUMNS)] * len(rows) == [list(r) for r in data["outcomes"]]
    blinken = rows[BLINKEN]
    with Chronicle.open(cases_db, read_only=True) as c:
        o = c.outcomes(as_of="2025-03-01")[BLINKEN]
    assert isinstance(o, VisitOutcome)
    assert o.lead_time is not None
    assert o.notice is not None
    assert o.slippage is not None
    expected = {
        "resolution": "occurred",
        "timing": "on_time",
        "lead_time": round(o.lead_time.total_seconds() / 86_400, 11),
        "notice": round(o.notice.total_seconds() / 86_400, 11),
        "slippage": round(o.slippage.total_seconds() / 86_400, 11),
        "windows": o.windows,
        "actual_last_day": "2023-06-19",
    }
    assert expected == {k: blinken[k] for k in expected}


def test_outcomes_sees_nothing_known_later(cases_db: str) -> None:
    rows = {
        r["subject"]: r
        for r in json.loads(
            invoke(
                ["outcomes", "--as-of", "2023-06-01", "--db", cases_db, "--format", "json"]
            ).stdout
        )["outcomes"]
    }
    assert ("open", None) == (rows[BLINKEN]["resolution"], rows[BLINKEN]["lead_time"])
    assert OPEC not in rows  # its first forecast came in July 2023


def test_outcomes_table_and_errors_csv(cases_db: str) -> None:
    table = invoke(["outcomes", "--as-of", "2025-03-01", "--db", cases_db]).stdout
    line = next(x for x in table.splitlines() if x.startswith(BLINKEN))
    assert ["visit", "occurred", "on_time"] == line.split()[1:4]
    assert line.split()[4].endswith("d")
    text = invoke(
        ["outcomes", "--as-of", "2025-03-01", "--db", cases_db, "--errors", "--format", "csv"]
    ).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(ERROR_COLUMNS) == list(rows[0])
    last = [r for r in rows if r["subject"] == OPEC][-1]
    expected = {"projected_value": "1.61", "projected_unit": "mb/d", "reported_value": "0.87"}
    assert expected == {k: last[k] for k in expected}
    assert pytest.approx((0.87 - 1.61) / 0.87) == float(last["relative"])


def test_score_by_source_cue_and_kind(cases_db: str) -> None:
    def scores(by: str, *more: str) -> dict[str, dict[str, object]]:
        out = invoke(
            [
                "score",
                "--as-of",
                "2025-03-01",
                "--by",
                by,
                "--db",
                cases_db,
                "--format",
                "json",
                *more,
            ]
        ).stdout
        data = json.loads(out)
        assert [list(SCORE_COLUMNS)] * len(data["scores"]) == [list(r) for r in data["scores"]]
        return {str(r["group"]): r for r in data["scores"]}

    with Chronicle.open(cases_db, read_only=True) as c:
        res = c.outcomes(as_of="2025-03-01")
    for by in ("source", "cue", "kind"):
        expected = {str(r.group): r.brier for r in res.scores(by)}
        assert expected == {g: r["brier"] for g, r in scores(by).items()}
    assert {"figure", "visit"} == set(scores("kind"))
    # Overriding a level's probability changes its Brier score: certain at 1.0 was right.
    assert 0.0 == scores("cue", "--probability", "certain=1")["certain"]["brier"]


def test_score_table_and_csv(cases_db: str) -> None:
    table = invoke(["score", "--as-of", "2025-03-01", "--db", cases_db]).stdout
    opec = next(x for x in table.splitlines() if x.startswith("OPEC "))
    assert "under_30d 85.1%" in opec
    rows = list(
        csv.DictReader(
            io.StringIO(
                invoke(
                    ["score", "--as-of", "2025-03-01", "--db", cases_db, "--format", "csv"]
                ).stdout
            )
        )
    )
    assert list(SCORE_COLUMNS) == list(rows[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["outcomes"], "Missing option '--as-of'"),
        (["outcomes", "--as-of", "2025-13-01"], "Invalid value for '--as-of'"),
        (["outcomes", "--as-of", "2025-03-01", "--format", "xml"], "Invalid value for '--format'"),
        (["score", "--as-of", "2025-03-01", "--by", "who"], "Invalid value for '--by'"),
        (["score", "--as-of", "2025-03-01", "--probability", "probable=2"], "'probable=2'"),
        (["score", "--as-of", "2025-03-01", "--probability", "sure=0.5"], "LEVEL one of"),
        (["as-of", "2025-03-01", "--status", "late"], "Invalid value for '--status'"),
    ],
)
def test_bad_input_is_a_usage_error(cases_db: str, args: list[str], message: str) -> None:
    result = invoke([*args, "--db", cases_db], code=2)
    assert "Traceback" not in result.stderr
    assert 1 == len(result.stderr.splitlines())
    assert message in result.stderr


def test_a_missing_chronicle_is_refused(tmp_path: Path) -> None:
    result = invoke(["score", "--as-of", "2025-03-01", "--db", str(tmp_path / "none.db")], code=1)
    assert "no such chronicle" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_as_of_status_filters(cases_db: str) -> None:
    def subjects(when: str, *statuses: str) -> list[str]:
        args = ["as-of", when, "--db", cases_db, "--format", "json"]
        for s in statuses:
            args += ["--status", s]
        return [e["subject"] for e in json.loads(invoke(args).stdout)["expectations"]]

    assert [BLINKEN] == subjects("2023-02-10", "postponed")
    assert [] == subjects("2023-02-10", "overdue")
    iea = "figure/world-oil-demand-growth-2024/iea"
    assert [iea, OPEC] == subjects("2025-01-01", "awaiting_report")
    assert [iea, OPEC, BLINKEN] == subjects("2025-01-01", "awaiting_report", "occurred")
    empty = invoke(["as-of", "2023-02-10", "--db", cases_db, "--status", "overdue"]).stdout
    assert "with status overdue" in empty


def test_the_commands_take_a_postgres_url(
    postgres_url: str, postgres_schemas: Callable[[], str]
) -> None:
    url = f"{postgres_url}?schema={postgres_schemas()}"
    with Chronicle.open(url) as c:
        c.import_jsonl(SEEDS / "blinken-china-2023.jsonl")
    data = json.loads(
        invoke(["outcomes", "--as-of", "2025-03-01", "--db", url, "--format", "json"]).stdout
    )
    assert ["occurred"] == [r["resolution"] for r in data["outcomes"]]
    scored = json.loads(
        invoke(["score", "--as-of", "2025-03-01", "--db", url, "--format", "json"]).stdout
    )
    assert {"AP", "Politico"} <= {r["group"] for r in scored["scores"]}
    listed = invoke(["as-of", "2023-02-10", "--db", url, "--status", "postponed"]).stdout
    assert BLINKEN in listed
