"""``chronology demo --case``: every seed case can be built and shown by the command."""

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chronology import Chronicle
from chronology.cli import DEFAULT_CASE, DEMO_CASES, cli, seed_path

ROOT = Path(__file__).resolve().parent.parent
OPEC = "figure/world-oil-demand-growth-2024/opec"
IEA = "figure/world-oil-demand-growth-2024/iea"
BLINKEN = "visit/blinken-china-2023"
YEAR = "2024-01-01/2024-12-31"  # how the table shows the period 2024


def invoke(args: Sequence[str], *, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert code == result.exit_code, (result.stdout, result.stderr, result.exception)
    return result


def sections(output: str) -> dict[str, dict[str, list[str]]]:
    """Parse the demo's tables: date -> subject -> [status, window, key figure]."""
    found: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for line in output.splitlines():
        if line.startswith("As of "):
            current = found.setdefault(line.split()[2], {})
        elif current is not None and line.startswith(("  visit/", "  figure/", "  plan/")):
            cells = [c.strip() for c in line.strip().split("  ") if c.strip()]
            current[cells[0]] = cells[1:]
    return found


@pytest.mark.parametrize("case", sorted(DEMO_CASES))
def test_every_case_is_packaged_from_its_seed(case: str) -> None:
    assert (ROOT / "seeds" / f"{case}.jsonl").read_bytes() == seed_path(case).read_bytes()


def test_the_default_case_is_the_first_seed() -> None:
    assert "russia-china-2024" == DEFAULT_CASE
    assert seed_path() == seed_path(DEFAULT_CASE)


def test_demo_of_the_oil_demand_case(tmp_path: Path) -> None:
    db = tmp_path / "oil.db"
    result = invoke(["demo", "--case", "oil-demand-2024", "--db", str(db)])
    assert "Seed case: 14 events, 14 new (14 records in the file)" in result.stdout
    shown = sections(result.stdout)
    assert list(DEMO_CASES["oil-demand-2024"][0]) == list(shown)
    assert ["projected", YEAR, "2.25 mb/d"] == shown["2024-02-14"][OPEC]
    assert ["revised", YEAR, "2.03 mb/d"] == shown["2024-10-01"][OPEC]
    assert IEA not in shown["2024-10-01"]
    # the year is over and no outcome is known yet
    assert ["awaiting_report", YEAR, "1.61 mb/d"] == shown["2025-01-01"][OPEC]
    assert ["projected", YEAR, "860 kb/d"] == shown["2024-12-12"][IEA]
    assert ["reported", YEAR, "860 kb/d, reported 940 (+8.5%, prelim.)"] == shown["2025-01-16"][IEA]
    assert ["reported", YEAR, "1.61 mb/d, reported 870 kb/d (-85.1%)"] == shown["2025-02-14"][OPEC]
    assert f"chronology history {OPEC} --db {db}" in result.stdout
    with Chronicle.open(db, read_only=True) as chronicle:
        assert 14 == chronicle.verify()


def test_demo_of_the_blinken_case(tmp_path: Path) -> None:
    result = invoke(["demo", "--case", "blinken-china-2023", "--db", str(tmp_path / "b.db")])
    shown = sections(result.stdout)
    assert list(DEMO_CASES["blinken-china-2023"][0]) == list(shown)
    assert "announced" == shown["2022-11-15"][BLINKEN][0]
    assert "postponed" == shown["2023-03-01"][BLINKEN][0]
    # the window holds Beijing's days, which the table shows in UTC
    beijing_days = "2023-06-17 16:00/2023-06-19 16:00"
    assert ["scheduled", beijing_days] == shown["2023-06-15"][BLINKEN][:2]
    assert ["occurred", beijing_days, "Antony Blinken to China (Beijing)"] == shown["2023-06-20"][
        BLINKEN
    ]


def test_demo_refuses_an_unknown_case(tmp_path: Path) -> None:
    result = invoke(["demo", "--case", "nope", "--db", str(tmp_path / "x.db")], code=2)
    assert "oil-demand-2024" in result.stderr
    assert not (tmp_path / "x.db").exists()
