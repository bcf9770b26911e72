"""Outcome arithmetic (chronology.outcomes) and the layer the faces share (chronology.render,
chronology.tables): one definition of a projection's error, used by the command and the plots."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from chronology import Chronicle, Quantity, Source, Vintage, Window
from chronology.events import TradeProjected, TradeReported, VisitAnnounced
from chronology.expectations import Expectation
from chronology.outcomes import Incomparable, ProjectionError, Why, projection_error
from chronology.render import error_text, key_figure, register_key_figure
from chronology.resolution import FigureOutcome
from chronology.tables import EXPECTATION_COLUMNS, expectation_cells, expectation_record

MARCH = Window.parse("2024-03")


def vintage(
    q: Quantity,
    scope: str | None = "sea",
    day: int = 18,
    *,
    period: Window | None = None,
    source: Source | None = None,
    preliminary: bool = False,
) -> Vintage:
    return Vintage(
        quantity=q,
        scope=scope,
        known_at=datetime(2024, 3, day, tzinfo=UTC),
        period=period,
        source=source,
        preliminary=preliminary,
    )


def test_projection_error_converts_the_report_into_the_projection_unit() -> None:
    said = vintage(Quantity(1.7, "mb/d"), period=MARCH, source=Source("Kpler"))
    seen = vintage(Quantity(1_820, "kb/d"), day=20, preliminary=True)
    expected = ProjectionError(
        known_at=datetime(2024, 3, 18, tzinfo=UTC),
        source=Source("Kpler"),
        projected=Quantity(1.7, "mb/d"),
        reported=Quantity(1.82, "mb/d"),
        error=Quantity(0.12, "mb/d"),
        relative=(1.82 - 1.7) / 1.82,  # over the report
        horizon=timedelta(days=14),  # 18 March to the end of March
        preliminary=True,
    )
    actual = projection_error(said, seen)
    assert isinstance(actual, ProjectionError)
    assert pytest.approx(expected.relative) == actual.relative
    assert expected == attrs.evolve(actual, relative=expected.relative)
    assert "+6.6%" == error_text(actual)


def test_rates_in_percent_differ_in_percentage_points() -> None:
    actual = projection_error(Quantity(5, "%"), Quantity(4.5, "%"))
    assert isinstance(actual, ProjectionError)
    assert Quantity(-0.5, "pp") == actual.error
    assert actual.in_points
    assert "-0.5 pp" == error_text(actual)


def test_other_dimension_is_incomparable_and_says_why() -> None:
    expected = Incomparable(
        projected=Quantity(1.7, "mb/d"),
        reported=Quantity(8.7, "Mt"),
        why=Why.DIMENSION,
        reason="mb/d and Mt measure different dimensions",
    )
    assert expected == projection_error(Quantity(1.7, "mb/d"), Quantity(8.7, "Mt"))
    assert "not comparable with mb/d" == error_text(expected)


def test_other_scope_is_incomparable_and_says_why() -> None:
    actual = projection_error(
        vintage(Quantity(1.7, "mb/d")), vintage(Quantity(2.4, "mb/d"), scope="all modes")
    )
    assert isinstance(actual, Incomparable)
    assert Why.SCOPE == actual.why
    assert "the scopes differ ('sea' against 'all modes')" == actual.reason
    assert "other scope" == error_text(actual)


def test_zero_report_has_an_error_but_no_relative_error() -> None:
    actual = projection_error(Quantity(10, "kb/d"), Quantity(0, "kb/d"))
    assert isinstance(actual, ProjectionError)
    assert (Quantity(-10, "kb/d"), None, None) == (actual.error, actual.relative, actual.horizon)
    assert "" == error_text(actual)


def test_zero_projection_has_a_relative_error_over_the_report() -> None:
    actual = projection_error(Quantity(0, "kb/d"), Quantity(10, "kb/d"))
    assert isinstance(actual, ProjectionError)
    assert 1.0 == actual.relative
    assert "+100.0%" == error_text(actual)


def test_relative_error_has_one_definition_for_outcomes_and_faces() -> None:
    """The vintage errors of outcomes and the faces' projection error agree: error over
    the report (1.61 mb/d projected, 870 kb/d reported: -85.1%, not -46.0%)."""
    c = Chronicle()
    c.extend(
        [
            TradeProjected(
                subject="f", known_at="2024-12-11T12:00Z", quantity=Quantity(1.61, "mb/d")
            ),
            TradeReported(
                subject="f", known_at="2025-02-13T12:00Z", quantity=Quantity(870, "kb/d")
            ),
        ]
    )
    outcome = c.outcomes(as_of="2025-03-01")["f"]
    assert isinstance(outcome, FigureOutcome)
    face = projection_error(Quantity(1.61, "mb/d"), Quantity(870, "kb/d"))
    assert isinstance(face, ProjectionError)
    assert pytest.approx((0.87 - 1.61) / 0.87) == outcome.errors[0].relative
    assert face.relative == outcome.errors[0].relative
    assert "-85.1%" == error_text(face)


def test_key_figure_of_a_kind_nobody_registered_then_registered() -> None:
    c = Chronicle()
    c.append(VisitAnnounced(subject="v", known_at="2024-04-03T12:00Z", visitor="Lavrov"))
    visit = c.as_of("2024-04-04")["v"]
    assert "Lavrov" == key_figure(visit)
    fake = type("Summit", (), {"kind": "summit-test"})()
    assert "-" == key_figure(fake)

    def summit(e: Expectation) -> str:
        return f"summit of {e.kind}"

    register_key_figure("summit-test", summit)
    assert "summit of summit-test" == key_figure(fake)


def test_expectation_record_is_the_csv_row_by_column() -> None:
    c = Chronicle()
    c.extend(
        [
            TradeProjected(
                subject="t",
                known_at="2024-03-18T12:00Z",
                scope="sea",
                quantity=Quantity(1.7, "mb/d"),
            ),
            TradeReported(
                subject="t",
                known_at="2024-04-20T12:00Z",
                scope="sea",
                quantity=Quantity(1_820, "kb/d"),
            ),
        ]
    )
    trade = c.as_of("2024-04-21")["t"]
    record = expectation_record(trade)
    assert list(EXPECTATION_COLUMNS) == list(record)
    assert expectation_cells(trade) == list(record.values())
    expected = ("trade", "reported", 1.7, "mb/d", 1820.0, "kb/d", "", "")
    actual = tuple(
        record[k]
        for k in (
            "kind",
            "status",
            "quantity",
            "unit",
            "reported",
            "reported_unit",
            "visitor",
            "host",
        )
    )
    assert expected == actual


def test_the_plots_do_not_import_the_command() -> None:
    """The faces never import each other: chronology.plot takes its text from render."""
    code = (
        "import sys, chronology.plot, chronology.render, chronology.outcomes, chronology.tables; "
        "print(sorted(m for m in sys.modules if m.startswith('chronology.cli')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "[]" == out.strip()
