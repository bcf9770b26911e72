"""The seed logs are permanent fixtures: every file in ``seeds/`` loads with the current code,
and the seed case answers what a reader of the reports expects, day by day."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chronology import Chronicle, Quantity, Status, Window
from chronology.events import (
    Retracted,
    StatementMade,
    VisitAnnounced,
    VisitOccurred,
    VisitPostponed,
    VisitScheduled,
)
from chronology.expectations import FigureExpectation, TradeExpectation, VisitExpectation
from chronology.testing import FakeClock

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.jsonl"))
CASE = ROOT / "seeds" / "russia-china-2024.jsonl"
BLINKEN_CASE = ROOT / "seeds" / "blinken-china-2023.jsonl"
OIL_CASE = ROOT / "seeds" / "oil-demand-2024.jsonl"

VISIT = "visit/lavrov-china-2024-04"
SEABORNE = "trade/russia-china-crude-seaborne-2024-03"
SOKOL = "trade/russia-china-crude-sokol-2024-03"
ESPO = "trade/russia-china-crude-espo-2024-03"
SHIP_TRACKING = "seaborne exports (ship-tracking)"
CUSTOMS = "imports, all modes incl. pipeline (customs)"
MARCH = Window.parse("2024-03")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.fixture(scope="module")
def case() -> Chronicle:
    c = Chronicle(clock=FakeClock(utc(2024, 5, 1)))
    c.import_jsonl(CASE)
    return c


def visit(c: Chronicle, when: str) -> VisitExpectation:
    value = c.as_of(when)[VISIT]
    assert isinstance(value, VisitExpectation)
    return value


def trade(c: Chronicle, when: str, subject: str = SEABORNE) -> TradeExpectation:
    value = c.as_of(when)[subject]
    assert isinstance(value, TradeExpectation)
    return value


# -- every seed loads ---------------------------------------------------------------------------


def test_there_are_seeds() -> None:
    assert {BLINKEN_CASE, CASE, OIL_CASE} <= set(SEEDS)


@pytest.mark.parametrize("path", SEEDS, ids=[p.name for p in SEEDS])
def test_every_seed_loads_verifies_and_round_trips(path: Path, tmp_path: Path) -> None:
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    c = Chronicle()
    records = c.import_jsonl(path)
    assert len(lines) == len(records) == len(c) == c.verify()
    assert list(c) == c.import_jsonl(path)  # loading it again adds nothing
    out = tmp_path / "export.jsonl"
    c.export_jsonl(out)
    again = Chronicle()
    again.import_jsonl(out)
    assert [r.event_id for r in c] == [r.event_id for r in again]
    for r in c:  # every seed event carries a citation
        assert r.event.source is not None


@pytest.mark.parametrize("path", SEEDS, ids=[p.name for p in SEEDS])
def test_the_packaged_copy_of_the_seed_is_the_seed(path: Path) -> None:
    packaged = ROOT / "chronology" / "data" / path.name
    assert path.read_bytes() == packaged.read_bytes()


# -- the case, day by day -----------------------------------------------------------------------


def test_before_the_projection_nothing_is_expected(case: Chronicle) -> None:
    view = case.as_of("2024-03-10")
    assert () == view.expectations()
    assert () == view.statements()
    assert 0 == len(view)


def test_19_march_a_record_projection(case: Chronicle) -> None:
    view = case.as_of("2024-03-19")
    assert [ESPO, SEABORNE, SOKOL] == [t.subject for t in view.trades()]
    assert () == view.visits()
    seaborne = trade(case, "2024-03-19")
    assert Status.PROJECTED == seaborne.status
    assert ("Russia", "China", "crude oil") == (
        seaborne.exporter,
        seaborne.importer,
        seaborne.commodity,
    )
    assert Quantity(1_700_000, "bbl/d") == seaborne.quantity
    assert SHIP_TRACKING == seaborne.scope
    assert any("record" in claim for claim in seaborne.claims)
    assert "Myanmar-bound flows counted as China" in seaborne.claims
    assert MARCH == seaborne.period
    assert (utc(2024, 3, 1), utc(2024, 4, 1)) == (seaborne.period.start, seaborne.period.end)
    assert "probable" == seaborne.likelihood
    [source] = seaborne.sources
    assert ("Bloomberg", ("Kpler",)) == (source.name, tuple(s.name for s in source.via))
    sokol = trade(case, "2024-03-19", SOKOL)
    assert (Quantity(379_000, "bbl/d"), "Sokol", MARCH) == (
        sokol.quantity,
        sokol.grade,
        sokol.period,
    )
    assert any("all-time high" in claim for claim in sokol.claims)
    espo = trade(case, "2024-03-19", ESPO)
    assert (Quantity(882_000, "bbl/d"), "ESPO") == (espo.quantity, espo.grade)


def test_4_april_the_visit_is_announced_soon(case: Chronicle) -> None:
    v = visit(case, "2024-04-04")
    assert Status.ANNOUNCED == v.status
    assert ("Sergei Lavrov", "China", ("Wang Yi",)) == (v.visitor, v.host, v.counterparts)
    assert v.window is not None
    assert ("soon", True) == (v.window.label, v.window.approximate)
    assert (utc(2024, 4, 3, 12), utc(2024, 5, 3, 12)) == (v.window.start, v.window.end)
    assert ("SCO", "BRICS", "UN", "G20", "practical cooperation", "regional security") == v.agenda
    assert "probable" == v.likelihood
    assert not v.partial
    [said] = case.as_of("2024-04-04").statements(VISIT)
    assert "Maria Zakharova" == said.speaker
    assert [VISIT] == [
        e.subject for e in case.as_of("2024-04-04").expected_between("2024-04-08", "2024-04-09")
    ]


def test_3_april_counts_the_whole_day(case: Chronicle) -> None:
    assert Status.ANNOUNCED == visit(case, "2024-04-03").status
    assert VISIT not in case.as_of("2024-04-03T11:59:59Z")


def test_7_april_the_dates_are_fixed(case: Chronicle) -> None:
    v = visit(case, "2024-04-07")
    assert Status.SCHEDULED == v.status
    assert Window(utc(2024, 4, 8), utc(2024, 4, 10)) == v.window
    assert "soon" == (v.first_window.label if v.first_window else None)
    speakers = [s.speaker for s in case.as_of("2024-04-07").statements(VISIT)]
    assert ["Maria Zakharova", "Mao Ning"] == speakers
    assert Status.ANNOUNCED == visit(case, "2024-04-07T11:59:59Z").status


def test_10_april_the_visit_occurred(case: Chronicle) -> None:
    v = visit(case, "2024-04-10")
    assert (Status.OCCURRED, "Beijing") == (v.status, v.place)
    assert Window.parse("2024-04-08/2024-04-09") == v.window


def test_21_april_the_reports_are_kept_apart_by_scope(case: Chronicle) -> None:
    seaborne = trade(case, "2024-04-21")
    assert Status.REPORTED == seaborne.status
    assert Quantity(1_700_000, "bbl/d") == seaborne.quantity  # the projection is not overwritten
    assert (CUSTOMS, SHIP_TRACKING) == seaborne.scopes
    customs = [f for f in seaborne.reports if f.scope == CUSTOMS]
    assert [Quantity(10.81, "Mt"), Quantity(2_550_000, "bbl/d")] == [f.quantity for f in customs]
    assert not any(f.preliminary for f in customs)
    latest_customs = seaborne.report(CUSTOMS)
    assert latest_customs is not None
    assert CUSTOMS == latest_customs.scope
    tonnes = seaborne.report(CUSTOMS, unit="Mt")
    assert tonnes is not None
    assert Quantity(10.81, "Mt") == tonnes.quantity
    assert seaborne.report(SHIP_TRACKING, unit="Mt") is None
    kpler = seaborne.report(SHIP_TRACKING)
    assert kpler is not None
    assert (Quantity(1_820_000, "bbl/d"), True, MARCH) == (
        kpler.quantity,
        kpler.preliminary,
        kpler.period,
    )
    assert kpler.source is not None
    assert "Kpler" in [s.name for s in kpler.source.via]
    sokol = trade(case, "2024-04-21", SOKOL)
    sokol_report = sokol.report(SHIP_TRACKING)
    assert sokol_report is not None
    assert (Status.REPORTED, Quantity(440_000, "bbl/d"), True) == (
        sokol.status,
        sokol_report.quantity,
        sokol_report.preliminary,
    )
    # No updated ESPO figure was reported: March is over, so it awaits its report.
    espo = trade(case, "2024-04-21", ESPO)
    assert (Status.AWAITING_REPORT, ()) == (espo.status, espo.reports)
    assert Status.PROJECTED == trade(case, "2024-03-31", ESPO).status
    [note] = case.as_of("2024-04-21").statements(SEABORNE)
    assert note.summary is not None
    assert "tonnes" in note.summary


def test_diff_between_announcement_and_schedule(case: Chronicle) -> None:
    diff = case.diff("2024-04-04", "2024-04-07")
    assert ((), ()) == (diff.added, diff.removed)
    [(before, after)] = diff.changed
    assert (VISIT, Status.ANNOUNCED, Status.SCHEDULED) == (
        before.subject,
        before.status,
        after.status,
    )


def test_history_of_the_visit(case: Chronicle) -> None:
    changes = case.history(VISIT)
    assert [VisitAnnounced, StatementMade, VisitScheduled, StatementMade, VisitOccurred] == [
        type(c.event) for c in changes
    ]
    assert [utc(2024, 4, 3, 12)] * 2 + [utc(2024, 4, 7, 12)] * 2 + [utc(2024, 4, 8, 12)] == [
        c.known_at for c in changes
    ]
    assert changes[0].before is None
    assert [
        Status.ANNOUNCED,
        Status.ANNOUNCED,
        Status.SCHEDULED,
        Status.SCHEDULED,
        Status.OCCURRED,
    ] == [c.after.status for c in changes if c.after is not None]
    assert changes[1].before == changes[1].after  # a statement changes no expectation


# -- a correction on top of the seed ------------------------------------------------------------


def test_retracting_a_wrongly_entered_event() -> None:
    clock = FakeClock(utc(2024, 5, 1))
    c = Chronicle(clock=clock)
    c.import_jsonl(CASE)
    clock.advance()
    # An analyst files a postponement that was about another visit.
    wrong = c.append(
        VisitPostponed(subject=VISIT, known_at="2024-04-05T09:00:00Z", reason="misfiled report")
    )
    clock.advance()
    assert Status.POSTPONED == visit(c, "2024-04-05").status
    assert Status.SCHEDULED == visit(c, "2024-04-07").status  # the schedule came later anyway
    fix = c.append(
        Retracted(
            subject=VISIT,
            known_at="2024-05-02T10:00:00Z",
            target=wrong.event_id,
            reason="the report was about another minister",
        )
    )
    clock.advance()
    # Corrected: as if it had never been recorded.
    assert Status.ANNOUNCED == visit(c, "2024-04-05").status
    assert [VisitAnnounced, StatementMade, VisitScheduled, StatementMade, VisitOccurred] == [
        type(ch.event) for ch in c.history(VISIT)
    ]
    # As recorded before the correction: the mistake shows, for the audit.
    assert wrong.recorded_at < fix.recorded_at
    before_fix = c.as_of("2024-04-05", recorded_by=wrong.recorded_at)
    assert Status.POSTPONED == before_fix[VISIT].status
    assert VisitPostponed in [
        type(ch.event) for ch in c.history(VISIT, recorded_by=wrong.recorded_at)
    ]
    # Before the mistake was entered, it was not there either.
    before_mistake = c.as_of(
        "2024-04-05", recorded_by=wrong.recorded_at - timedelta(microseconds=1)
    )
    assert Status.ANNOUNCED == before_mistake[VISIT].status
    # Re-entering the same mistake does not bring it back.
    assert wrong == c.append(wrong.event)
    assert Status.ANNOUNCED == visit(c, "2024-04-05").status
    assert len(c) == c.verify()


# -- the Blinken visit to China, 2023 ------------------------------------------------------------

BLINKEN = "visit/blinken-china-2023"


@pytest.fixture(scope="module")
def blinken_case() -> Chronicle:
    c = Chronicle(clock=FakeClock(utc(2023, 7, 1)))
    c.import_jsonl(BLINKEN_CASE)
    return c


def blinken(c: Chronicle, when: str) -> VisitExpectation:
    value = c.as_of(when)[BLINKEN]
    assert isinstance(value, VisitExpectation)
    return value


def test_blinken_agreed_at_bali_with_no_date(blinken_case: Chronicle) -> None:
    value = blinken(blinken_case, "2022-11-15")
    assert (Status.ANNOUNCED, None) == (value.status, value.window)
    assert ("Antony Blinken", "China") == (value.visitor, value.host)


def test_blinken_postponed_with_no_new_date(blinken_case: Chronicle) -> None:
    value = blinken(blinken_case, "2023-03-01")
    assert (Status.POSTPONED, None) == (value.status, value.window)
    assert value.reason is not None
    assert "balloon" in value.reason
    # the trip had been due on 5 February (Beijing time); the first window says so
    assert value.first_window is not None
    assert utc(2023, 2, 4, 16) == value.first_window.start
    # a postponement with no window never turns overdue, however long it lasts
    assert Status.POSTPONED == blinken(blinken_case, "2023-06-01").status


def test_blinken_anonymous_officials_give_a_hedged_date(blinken_case: Chronicle) -> None:
    value = blinken(blinken_case, "2023-06-10")
    assert Status.SCHEDULED == value.status
    assert Window.parse("2023-06-18", tz="Asia/Shanghai") == value.window
    assert "probable" == value.likelihood
    assert any(
        "Xi Jinping" in s.summary
        for s in blinken_case.as_of("2023-06-10").statements(BLINKEN)
        if s.summary
    )


def test_blinken_scheduled_for_18_19_june(blinken_case: Chronicle) -> None:
    value = blinken(blinken_case, "2023-06-15")
    assert Status.SCHEDULED == value.status
    assert Window.parse("2023-06-18/2023-06-19", tz="Asia/Shanghai") == value.window
    assert "certain" == value.likelihood
    assert value.reason is None  # the balloon is no longer the reason for anything


def test_blinken_occurred_and_met_xi(blinken_case: Chronicle) -> None:
    value = blinken(blinken_case, "2023-06-20")
    assert (Status.OCCURRED, "Beijing") == (value.status, value.place)
    assert ("Qin Gang", "Wang Yi", "Xi Jinping") == value.counterparts
    assert Window.parse("2023-06-18/2023-06-19", tz="Asia/Shanghai") == value.window


# -- world oil demand growth in 2024: OPEC and the IEA -------------------------------------------

OPEC = "figure/world-oil-demand-growth-2024/opec"
IEA = "figure/world-oil-demand-growth-2024/iea"
GROWTH_SCOPE = "world oil demand, annual average growth"


@pytest.fixture(scope="module")
def oil_case() -> Chronicle:
    c = Chronicle(clock=FakeClock(utc(2025, 3, 1)))
    c.import_jsonl(OIL_CASE)
    return c


def growth(c: Chronicle, when: str, subject: str = OPEC) -> FigureExpectation:
    value = c.as_of(when)[subject]
    assert isinstance(value, FigureExpectation)
    return value


def test_opec_held_its_first_forecast_into_2024(oil_case: Chronicle) -> None:
    value = growth(oil_case, "2024-02-14")
    assert (Status.PROJECTED, Quantity(2.25, "mb/d")) == (value.status, value.quantity)
    assert 3 == len(value.projections)
    assert Window.parse("2024") == value.period
    assert ("world oil demand growth", "world") == (value.measure, value.area)


def test_opec_forecast_as_of_1_october_2024(oil_case: Chronicle) -> None:
    value = growth(oil_case, "2024-10-01")
    assert (Status.REVISED, Quantity(2.03, "mb/d")) == (value.status, value.quantity)


def test_opec_cut_five_times(oil_case: Chronicle) -> None:
    value = growth(oil_case, "2024-12-12")
    assert [2.25, 2.25, 2.25, 2.11, 2.03, 1.93, 1.82, 1.61] == [
        p.quantity.value for p in value.projections
    ]
    assert 1610.0 == pytest.approx(value.quantity.to("kb/d").value if value.quantity else None)
    assert "fifth cut in a row" in value.claims


def test_the_iea_figure_was_roughly_half_opecs(oil_case: Chronicle) -> None:
    view = oil_case.as_of("2024-11-12")
    opec, iea = view[OPEC], view[IEA]
    assert isinstance(opec, FigureExpectation)
    assert isinstance(iea, FigureExpectation)
    assert opec.quantity is not None
    assert iea.quantity is not None
    assert Quantity(860, "kb/d") == iea.quantity
    assert 0.47 == pytest.approx(iea.quantity.to("mb/d").value / opec.quantity.value, abs=0.01)


def test_the_iea_outcome_preliminary_then_revised(oil_case: Chronicle) -> None:
    for subject in (IEA, OPEC):
        early = growth(oil_case, "2025-01-16", subject).report(GROWTH_SCOPE, unit="mb/d")
        assert early is not None
        assert (Quantity(940, "kb/d"), True) == (early.quantity, early.preliminary)
        final = growth(oil_case, "2025-02-14", subject)
        report = final.report(GROWTH_SCOPE, unit="mb/d")
        assert report is not None
        assert (Status.REPORTED, Quantity(870, "kb/d"), False) == (
            final.status,
            report.quantity,
            report.preliminary,
        )
        assert [True, False] == [r.preliminary for r in final.reports]
    # OPEC's last vintage against the outcome, in one unit
    opec = growth(oil_case, "2025-02-14")
    report = opec.report(GROWTH_SCOPE, unit="mb/d")
    assert opec.quantity is not None
    assert report is not None
    assert 0.74 == pytest.approx(opec.quantity.value - report.quantity.to("mb/d").value)
    assert Quantity(0.87, "mb/d") == report.quantity.to("mb/d")


def test_opec_awaits_the_outcome_once_2024_is_over(oil_case: Chronicle) -> None:
    assert Status.REVISED == growth(oil_case, "2024-12-31").status
    assert Status.AWAITING_REPORT == growth(oil_case, "2025-01-01").status
    assert Status.REPORTED == growth(oil_case, "2025-01-15").status


def test_what_each_source_said_about_opecs_forecast(oil_case: Chronicle) -> None:
    tracks = growth(oil_case, "2025-02-14").by_source()
    assert ["OPEC", "Reuters", "CNBC Africa", "Business Standard", "IEA"] == list(tracks)
    assert Quantity(1.61, "mb/d") == tracks["OPEC"].quantity
    assert Quantity(2.03, "mb/d") == tracks["CNBC Africa"].quantity
    assert (Status.REPORTED, Quantity(870, "kb/d")) == (
        tracks["IEA"].status,
        tracks["IEA"].quantity,
    )
    assert tracks == oil_case.as_of("2025-02-14").by_source(OPEC)


def test_the_oil_case_lists_figures_only(oil_case: Chronicle) -> None:
    view = oil_case.as_of("2025-03-01")
    assert [IEA, OPEC] == [e.subject for e in view.figures()]
    assert () == view.plans()
    assert () == view.trades()
