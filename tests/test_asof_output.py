"""``chronology as-of`` on a large chronicle (issue 19): the same output whether or not the
file keeps a shelved snapshot, and the table laid out column by column exactly as row by row.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.data import Shape, batches
from benchmarks.ours import events
from chronology import Chronicle, Quantity, View, Window
from chronology.cli import cli
from chronology.events import StatementMade, TradeProjected, VisitAnnounced
from chronology.render import instant_text, printable, window_text
from chronology.snapshot_text import read_header
from chronology.tables import table

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
T0 = datetime(2024, 4, 1, tzinfo=UTC)


def _old_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The table as laid out before it was made column by column: row by row."""
    shown = [[printable(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in shown:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in shown)])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(st.text(min_size=1, max_size=8), min_size=n, max_size=n),
            st.lists(st.lists(st.text(max_size=12), min_size=n, max_size=n), max_size=6),
        )
    )
)
def test_the_table_is_laid_out_as_row_by_row(
    table_data: tuple[list[str], list[list[str]]],
) -> None:
    headers, rows = table_data
    assert _old_table(headers, rows) == table(headers, rows)


def test_a_row_of_another_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 columns"):
        table(("a", "b"), [["x"]])


@pytest.mark.parametrize(
    ("window", "text"),
    [
        (
            Window("2024-04-03T12:05:00Z", "2024-04-05T06:00:00Z"),
            "2024-04-03 12:05/2024-04-05 06:00",
        ),
        (Window("2024-04-03T12:05:00Z", "2024-04-06T00:00:00Z"), "2024-04-03 12:05/2024-04-05"),
        (Window("2024-04-03T00:00:00Z", "2024-04-05T06:00:00Z"), "2024-04-03/2024-04-05 06:00"),
        (Window("2024-04-03T00:00:00Z", "2024-04-03T00:00:01Z"), "2024-04-03/2024-04-03 00:00"),
        (Window("0999-04-03T01:02:00Z", None), "999-04-03 01:02/.."),
        (Window("0999-04-01", "0999-05-01"), "999-04"),
        (Window("2024-12-01", "2025-01-01"), "2024-12"),
    ],
)
def test_window_text_without_strftime_writes_what_it_wrote(window: Window, text: str) -> None:
    assert text == window_text(window)


def test_instant_text_keeps_minutes_and_drops_seconds() -> None:
    assert "2024-04-03 12:05" == instant_text(datetime(2024, 4, 3, 12, 5, 59, 7, tzinfo=UTC))
    assert "2024-04-03" == instant_text(datetime(2024, 4, 3, tzinfo=UTC))


def _busy_file(path: Path) -> None:
    """A chronicle of every kind the command shows: the seed cases, the benchmark's visits
    (a third left open, overdue late on) and trades, a vague window, a statement, text that
    needs escapes."""
    with Chronicle.open(path) as c:
        for seed in sorted(SEEDS.glob("*.jsonl")):
            c.import_jsonl(seed)
        for batch in batches(Shape(60, 10)):
            c.extend(events(batch))
        c.extend(
            [
                VisitAnnounced(
                    subject="visit/vague",
                    known_at=T0,
                    visitor="Lavrov\x1b[31m",
                    host="China\u202e",
                    window=Window.vague("soon", anchor=T0),
                ),
                TradeProjected(
                    subject="trade/escaped\n",
                    known_at=T0,
                    quantity=Quantity(1_700_000, "bbl/d"),
                    period=Window.parse("2024-03"),
                ),
                StatementMade(subject="statement/x", known_at=T0, speaker="Zakharova"),
            ]
        )


def _as_of_outputs(path: Path) -> list[str]:
    runner = CliRunner()
    out = []
    for when in ("2020-01-01", "2020-01-03T12:00:00Z", "2024-04-04", "2030-01-01"):
        for extra in ([], ["--format", "json"], ["--format", "csv"], ["--status", "overdue"]):
            result = runner.invoke(cli, ["as-of", when, "--db", str(path), *extra])
            assert 0 == result.exit_code, result.output
            out.append(result.output)
    return out


def test_as_of_prints_the_same_with_and_without_the_shelf(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _busy_file(path)
    without = _as_of_outputs(path)
    assert "overdue" in without[3 * 4 + 3]
    result = CliRunner().invoke(cli, ["verify", "--db", str(path), "--rebuild-snapshots"])
    assert 0 == result.exit_code, result.output
    with sqlite3.connect(path) as conn:
        [(text,)] = conn.execute("SELECT text FROM snapshots").fetchall()
    with Chronicle.open(path, read_only=True) as c:
        c.as_of("2030-01-01").expectations()
        # The view started from the shelf.
        assert read_header(text).at in [p.at for p in c.snapshots.points()]
    assert without == _as_of_outputs(path)
    assert "Lavrov\\x1b[31m to China\\u202e" in without[-4]


_ONLY_WHAT_AS_OF_NEEDS = """
import sys
from click.testing import CliRunner
from chronology.cli import cli
result = CliRunner().invoke(cli, ["as-of", "--help"])
assert result.exit_code == 0, result.output
loaded = sorted(
    name
    for name in sys.modules
    if name.split(".")[0] in ("pandas", "pyarrow", "matplotlib", "numpy", "psycopg")
    or name in (
        "chronology.cli.demo",
        "chronology.cli.drawing",
        "chronology.cli.scoring",
        "chronology.cli.interchange",
        "chronology.cli.shared",
        "chronology.plot",
        "chronology.bulk",
        "chronology.columnar",
        "chronology.interchange",
        "chronology.parquet",
    )
)
print(loaded)
from chronology.cli import DEMO_DB, expectations_table, seed_path
print(DEMO_DB, callable(seed_path), callable(expectations_table))
"""


def test_as_of_loads_no_other_command_and_the_lazy_names_still_import() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _ONLY_WHAT_AS_OF_NEEDS],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert 0 == result.returncode, result.stderr
    assert ["[]", "chronology-demo.db True True"] == result.stdout.split("\n")[:2]


def test_as_of_runs_no_collection_while_its_values_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's view is freed before the collector is turned back on: no heap walk over
    its values (at a million events, a walk over millions of objects)."""
    path = tmp_path / "c.db"
    with Chronicle.open(path) as c:
        for batch in batches(Shape(300, 10)):
            c.extend(events(batch))
    alive: list[weakref.ref[View]] = []
    as_of = Chronicle.as_of

    def kept(self: Chronicle, *args: Any, **kwargs: Any) -> View:
        view = as_of(self, *args, **kwargs)
        alive.append(weakref.ref(view))
        return view

    monkeypatch.setattr(Chronicle, "as_of", kept)
    during: list[bool] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            during.append(bool(alive) and alive[0]() is not None)

    gc.callbacks.append(seen)
    try:
        result = CliRunner().invoke(cli, ["as-of", "2030-01-01", "--db", str(path)])
    finally:
        gc.callbacks.remove(seen)
    assert 0 == result.exit_code, result.output
    assert [None] == [ref() for ref in alive]
    assert True not in during
    assert gc.isenabled()
