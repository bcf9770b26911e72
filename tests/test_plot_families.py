"""Plans drawn like visits, figures like trade flows: what chronology.plot and ``chronology plot``
draw of the general families (issue 20), read back from the axes' data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")

import numpy as np
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from chronology import Chronicle, Quantity, Window
from chronology.cli import cli
from chronology.events import VisitScheduled
from chronology.expectations import Status
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.plans import PlanAnnounced, PlanOccurred, PlanPostponed
from chronology.plot import NothingToPlotError, overview, timeline, trade_figures
from chronology.plot.common import STATUS_COLOURS, num

ROOT = Path(__file__).resolve().parent.parent
OIL = ROOT / "seeds" / "oil-demand-2024.jsonl"
PLAN = "plan/output-increase"
GROWTH = "figure/world-oil-demand-growth"
JUNE = Window.parse("2024-06")
SEPTEMBER = Window.parse("2024-09")
MBD = "mb/d"


def plan_chronicle() -> Chronicle:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(
                subject=PLAN,
                known_at="2024-05-02T12:00Z",
                what="output increase",
                window=JUNE,
            ),
            PlanPostponed(
                subject=PLAN, known_at="2024-05-20T12:00Z", reason="weak prices", window=SEPTEMBER
            ),
        ]
    )
    return c


def bands(figure: Figure) -> list[tuple[str, float, float, float, float]]:
    """Every band drawn: its element id, left, right, top and bottom (date numbers)."""
    return [
        (
            p.get_gid() or "",
            p.get_x(),
            p.get_x() + p.get_width(),
            p.get_y(),
            p.get_y() + p.get_height(),
        )
        for ax in figure.axes
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_gid()
    ]


def test_a_plan_s_windows_are_drawn_like_a_visit_s() -> None:
    figure = timeline(plan_chronicle(), as_of="2024-10-15")
    assert "Expected plans, as of 2024-10-15" == figure.get_suptitle()
    (ax,) = figure.axes
    assert "output increase (plan/output-increase): overdue" == ax.get_title(loc="left")
    announced = num(datetime(2024, 5, 2, 12, tzinfo=UTC))
    postponed = num(datetime(2024, 5, 20, 12, tzinfo=UTC))
    june, july = num(datetime(2024, 6, 1, tzinfo=UTC)), num(datetime(2024, 7, 1, tzinfo=UTC))
    september = num(datetime(2024, 9, 1, tzinfo=UTC))
    october = num(datetime(2024, 10, 1, tzinfo=UTC))
    as_of = num(datetime(2024, 10, 16, tzinfo=UTC))
    expected = [
        # June, believed from the announcement until the postponement ...
        (f"window:{PLAN}:0", june, july, announced, postponed),
        # ... then September, from the postponement until September is over ...
        (f"window:{PLAN}:1", september, october, postponed, october),
        # ... and overdue from then on, down to the as-of line.
        (f"overdue:{PLAN}:1", september, october, october, as_of),
    ]
    actual = bands(figure)
    assert [e[0] for e in expected] == [a[0] for a in actual]
    for want, got in zip(expected, actual, strict=True):
        assert want[1:] == pytest.approx(got[1:], abs=1e-6)
    fills = [to_hex(p.get_facecolor()) for p in ax.patches if p.get_gid()]
    assert [
        STATUS_COLOURS[Status.ANNOUNCED],
        STATUS_COLOURS[Status.POSTPONED],
        STATUS_COLOURS[Status.OVERDUE],
    ] == fills
    marks = [line.get_gid() for line in ax.get_lines() if (line.get_gid() or "").startswith("ev")]
    assert [f"event:announced:{PLAN}:0", f"event:postponed:{PLAN}:1"] == marks
    assert ["  announced: 2024-06", "postponed: 2024-09  "] == [t.get_text() for t in ax.texts][:2]


def test_an_occurred_plan_is_starred_at_its_dates() -> None:
    c = plan_chronicle()
    c.append(PlanOccurred(subject=PLAN, known_at="2024-09-03T12:00Z", window="2024-09-02"))
    (ax,) = timeline(c, as_of="2024-10-15").axes
    assert "output increase (plan/output-increase): occurred" == ax.get_title(loc="left")
    (star,) = [line for line in ax.get_lines() if line.get_gid() == f"event:occurred:{PLAN}:2"]
    assert "*" == star.get_marker()
    middle = num(datetime(2024, 9, 2, 12, tzinfo=UTC))
    assert [middle] == pytest.approx(np.asarray(star.get_xdata(), dtype=float).tolist())
    assert [] == [b for b in bands(timeline(c, as_of="2024-10-15")) if b[0].startswith("overdue")]


def figure_chronicle() -> Chronicle:
    c = Chronicle()
    scope = "world demand growth"
    c.extend(
        [
            FigureProjected(
                subject=GROWTH,
                known_at="2024-07-10T00:00Z",
                period="2024",
                quantity=Quantity(2.25, "mb/d"),
                scope=scope,
            ),
            FigureRevised(
                subject=GROWTH, known_at="2024-08-12T00:00Z", quantity=Quantity(2.11, "mb/d")
            ),
            FigureRevised(
                subject=GROWTH, known_at="2024-09-10T00:00Z", quantity=Quantity(2.03, "mb/d")
            ),
            FigureReported(
                subject=GROWTH,
                known_at="2025-01-15T00:00Z",
                quantity=Quantity(940, "kb/d"),
                scope=scope,
                preliminary=True,
            ),
        ]
    )
    return c


def test_a_figure_s_vintages_are_drawn_like_a_trade_flow_s() -> None:
    figure = trade_figures(figure_chronicle(), as_of="2025-01-31")
    assert "Projections and reports, as of 2025-01-31" == figure.get_suptitle()
    (ax,) = figure.axes
    bars = [
        (p.get_gid(), round(float(p.get_width()), 6))
        for p in ax.patches
        if isinstance(p, Rectangle)
    ]
    assert [
        (f"bar:projected:{GROWTH}", 2.03),
        (f"bar:reported:{GROWTH}:world-demand-growth", 0.94),
    ] == bars
    notes = [t.get_text() for t in ax.texts]
    assert " 2.03 mb/d (earlier: 2.25, 2.11)" in notes
    assert any(n.startswith(" 0.94 mb/d (given as 940 kb/d) (") for n in notes)
    assert "quantity (mb/d)" == ax.get_xlabel()
    # The reported bar is hatched: preliminary.
    assert ["", "//"] == [p.get_hatch() or "" for p in ax.patches]


def test_the_overview_draws_every_kind() -> None:
    c = plan_chronicle()
    for record in figure_chronicle():
        c.append(record.event)
    c.append(VisitScheduled(subject="visit/x", known_at="2024-05-03T00:00Z", window="2024-06-10"))
    figure = overview(c, as_of="2025-01-31")
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert [
        "output increase (plan/output-increase): overdue",
        "visit/x: overdue",
        "Projections against reported figures (mb/d), as of 2025-01-31",
    ] == titles


def test_nothing_to_plot_names_the_kinds() -> None:
    with pytest.raises(NothingToPlotError, match="no visit or plan expectation 'figure/x'"):
        timeline(figure_chronicle(), ["figure/x"])
    with pytest.raises(NothingToPlotError, match=f"no trade or figure expectation '{PLAN}'"):
        trade_figures(plan_chronicle(), [PLAN])
    with pytest.raises(NothingToPlotError, match="no visit or plan expectations to plot"):
        timeline(figure_chronicle())


def test_plot_command_draws_the_oil_demand_case(tmp_path: Path) -> None:
    """The seed of figures only: the command once said there was nothing to plot."""
    db = tmp_path / "oil.db"
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", str(OIL), "--db", str(db)])
    assert 0 == imported.exit_code, imported.stderr
    out = tmp_path / "oil.png"
    result = runner.invoke(
        cli, ["plot", "--db", str(db), "--out", str(out), "--as-of", "2025-02-14"]
    )
    assert 0 == result.exit_code, result.stderr
    assert f"{out}: written" == result.stdout.strip()
    assert b"\x89PNG\r\n\x1a\n" == out.read_bytes()[:8]
