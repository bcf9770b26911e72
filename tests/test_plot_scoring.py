"""Pictures of outcomes and scores (chronology.plot.scoring): rendered to PNG with the Agg
backend, and checked by what the axes hold, not only by the file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from chronology import Chronicle, ChronologyError, Quantity, Source
from chronology.cli import cli
from chronology.events import (
    Event,
    TradeProjected,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
)
from chronology.plot import NothingToPlotError, errors_by_horizon, reliability, save, vintages
from chronology.plot.common import gid
from chronology.time import UTC

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
OPEC = "figure/world-oil-demand-growth-2024/opec"
IEA = "figure/world-oil-demand-growth-2024/iea"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def lines(fig: Figure) -> dict[str, Line2D]:
    """The lines of a one-panel figure, by their gid."""
    (ax,) = fig.axes
    return {str(line.get_gid()): line for line in ax.get_lines()}


def xy(line: Line2D) -> list[list[float]]:
    """The points of a line, as plain lists."""
    points: list[list[float]] = cast(Any, line.get_xydata()).tolist()
    return points


def ys(line: Line2D) -> list[float]:
    """The y values of a line."""
    return [y for _, y in xy(line)]


def rendered(fig: Figure, tmp_path: Path) -> Path:
    path = tmp_path / "picture.png"
    save(fig, path)
    assert PNG_SIGNATURE == path.read_bytes()[:8]
    return path


@pytest.fixture(scope="module")
def cases() -> Chronicle:
    c = Chronicle()
    c.import_jsonl(SEEDS / "oil-demand-2024.jsonl")
    c.import_jsonl(SEEDS / "blinken-china-2023.jsonl")
    return c


def _hedged() -> Chronicle:
    """Four visits said with a probability: two held in their window, one cancelled, one
    lapsed; and one still open, left out."""
    c = Chronicle()
    events: list[Event] = []
    for n, (p, end) in enumerate([(0.9, "held"), (0.9, "held"), (0.3, "cancelled"), (0.3, None)]):
        subject = f"visit/{n}"
        events.append(
            VisitAnnounced(
                subject=subject,
                known_at="2024-01-02T12:00Z",
                source=Source("A"),
                window="2024-02-01/2024-02-02",
                probability=p,
            )
        )
        if end == "held":
            events.append(
                VisitOccurred(subject=subject, known_at="2024-02-01T12:00Z", window="2024-02-01")
            )
        elif end == "cancelled":
            events.append(VisitCancelled(subject=subject, known_at="2024-01-20T12:00Z"))
    events.append(
        VisitAnnounced(
            subject="visit/open",
            known_at="2024-01-02T12:00Z",
            source=Source("B"),
            window="2024-06-01",
            probability=0.5,
        )
    )
    c.extend(events)
    return c


def test_reliability_diagram_points_are_the_calibration_table(tmp_path: Path) -> None:
    fig = reliability(_hedged().outcomes(as_of="2024-03-01"), bins=10)
    rendered(fig, tmp_path)
    drawn = lines(fig)
    # 0.3 twice, neither happened; 0.9 twice, both happened. The open one (B) is left out.
    assert [[0.3, 0.0], [0.9, 1.0]] == xy(drawn["calibration:all"])
    assert [[0.0, 0.0], [1.0, 1.0]] == xy(drawn["diagonal"])
    assert {"2"} == {t.get_text() for t in fig.axes[0].texts}  # the count of each bucket


def test_reliability_by_source_draws_a_line_a_group(tmp_path: Path) -> None:
    res = _hedged().outcomes(as_of="2024-12-31")  # B's visit lapsed by then
    fig = reliability(res, by="source")
    rendered(fig, tmp_path)
    drawn = lines(fig)
    assert {"calibration:A", "calibration:B", "diagonal"} == set(drawn)
    assert [[0.5, 0.0]] == xy(drawn["calibration:B"])


def test_reliability_with_nothing_resolved_says_so() -> None:
    with pytest.raises(NothingToPlotError, match="no resolved hedged forecast"):
        reliability(_hedged().outcomes(as_of="2024-01-03"))
    with pytest.raises(ChronologyError, match="by: expected"):
        reliability(_hedged().outcomes(as_of="2024-03-01"), by="who")  # type: ignore[arg-type]


def test_errors_by_horizon_one_series_a_source(cases: Chronicle, tmp_path: Path) -> None:
    res = cases.outcomes(as_of="2025-03-01")
    fig = errors_by_horizon(res)
    rendered(fig, tmp_path)
    drawn = lines(fig)
    expected: dict[str, list[tuple[float, float]]] = {}
    for r in res.error_records():
        horizon, relative = r["horizon"], r["relative"]
        assert isinstance(horizon, timedelta)
        assert isinstance(relative, float)
        days = horizon.total_seconds() / 86_400
        key = gid("errors", str(r["source"]))  # "errors:CNBC-Africa"
        expected.setdefault(key, []).append((days, 100 * relative))
    for series in expected.values():
        series.sort(reverse=True)
    actual = {k: [tuple(p) for p in xy(v)] for k, v in drawn.items() if k != "zero"}
    assert expected == actual
    # OPEC's last vintage, 20.5 days out: 1.61 mb/d against 0.87 reported, -85.1 %.
    last = tuple(xy(drawn["errors:OPEC"])[-1])
    assert pytest.approx((20.5, 100 * (0.87 - 1.61) / 0.87)) == last
    assert fig.axes[0].xaxis_inverted()


def test_errors_by_horizon_with_no_report_says_so(cases: Chronicle) -> None:
    with pytest.raises(NothingToPlotError, match="no figure vintage with a comparable report"):
        errors_by_horizon(cases.outcomes(as_of="2024-06-01"))


def test_vintages_step_through_the_projections_with_the_reports(
    cases: Chronicle, tmp_path: Path
) -> None:
    from matplotlib import dates as mdates

    fig = vintages(cases, [OPEC, IEA])
    rendered(fig, tmp_path)
    drawn = lines(fig)
    opec = drawn[f"vintages:{OPEC}"]
    assert "steps-post" == opec.get_drawstyle()
    assert [2.25, 2.25, 2.25, 2.11, 2.03, 1.93, 1.82, 1.61] == ys(opec)
    first = mdates.num2date(xy(opec)[0][0], tz=UTC)
    assert (2023, 7, 31) == (first.year, first.month, first.day)
    # The IEA's figure, given in kb/d, is drawn in OPEC's mb/d.
    assert [0.86] == ys(drawn[f"vintages:{IEA}"])
    # The reports: 940 kb/d preliminary (dashed), then 870 kb/d.
    assert ([0.94, 0.94], "--") == (
        ys(drawn[f"reported:{OPEC}:0"]),
        drawn[f"reported:{OPEC}:0"].get_linestyle(),
    )
    assert ([0.87, 0.87], "-") == (
        ys(drawn[f"reported:{OPEC}:1"]),
        drawn[f"reported:{OPEC}:1"].get_linestyle(),
    )
    assert "mb/d" == fig.axes[0].get_ylabel()


def test_vintages_as_of_show_only_what_was_known(cases: Chronicle) -> None:
    drawn = lines(vintages(cases, OPEC, as_of="2024-09-30"))
    assert [2.25, 2.25, 2.25, 2.11, 2.03] == ys(drawn[f"vintages:{OPEC}"])
    assert not [k for k in drawn if k.startswith("reported")]


def test_vintages_refuse_what_is_not_a_comparable_figure(cases: Chronicle) -> None:
    with pytest.raises(NothingToPlotError, match="no figure with a projection or report"):
        vintages(cases, "visit/blinken-china-2023")
    c = Chronicle()
    c.extend(
        [
            TradeProjected(subject="a", known_at="2024-03-18", quantity=Quantity(1.7, "mb/d")),
            TradeReported(subject="b", known_at="2024-04-20", quantity=Quantity(10.8, "Mt")),
        ]
    )
    with pytest.raises(NothingToPlotError, match="Mt and mb/d measure different dimensions"):
        vintages(c, ["a", "b"])


def test_plot_command_draws_each_picture(tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    with Chronicle.open(db) as c:
        c.import_jsonl(SEEDS / "oil-demand-2024.jsonl")
        c.import_jsonl(SEEDS / "blinken-china-2023.jsonl")
    runner = CliRunner()
    for picture, more in [
        ("reliability", ["--by", "cue"]),
        ("horizons", []),
        ("vintages", ["--subject", OPEC, "--subject", IEA]),
    ]:
        out = tmp_path / f"{picture}.png"
        args = ["plot", "--db", str(db), "--out", str(out), "--picture", picture, *more]
        result = runner.invoke(cli, [*args, "--as-of", "2025-03-01"])
        assert 0 == result.exit_code, (result.stdout, result.stderr)
        assert PNG_SIGNATURE == out.read_bytes()[:8]
    refused = runner.invoke(
        cli, ["plot", "--db", str(db), "--out", str(tmp_path / "v.png"), "--picture", "vintages"]
    )
    assert 2 == refused.exit_code
    assert "--subject" in refused.stderr
    wrong = runner.invoke(
        cli, ["plot", "--db", str(db), "--out", str(tmp_path / "x.png"), "--picture", "pie"]
    )
    assert 2 == wrong.exit_code
    assert "Traceback" not in wrong.stderr
