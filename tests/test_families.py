"""The general families: plans (visits are one kind) and figures (trade flows are one kind)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from chronology import (
    Chronicle,
    FigureExpectation,
    PlanExpectation,
    Quantity,
    Source,
    Status,
    TradeExpectation,
    VisitExpectation,
    Window,
)
from chronology.errors import EventError, ImportLineError
from chronology.events import (
    FigureEvent,
    PlanEvent,
    TradeEvent,
    TradeProjected,
    VisitAnnounced,
    VisitEvent,
    VisitOccurred,
    event_class,
)
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)

ROOT = Path(__file__).resolve().parent.parent
PLAN = "plan/opec-output-increase"
GROWTH = "figure/world-oil-demand-growth-2024/opec"

#: The event ids of the Russia-China seed, as the code before the general families gave them:
#: visits and trade flows keep their tags and payloads, so their ids never move.
SEED_IDS = [
    "baebb54b844cebc5e1cb4c923efa7037",
    "b156f733638b35b2cb0e85618f707c37",
    "35030401229eb0596bd694d0ddbc048d",
    "284e74614bc4c965830fd94afe5432e4",
    "dd968afee7c3936c272078b38101d0f4",
    "80cd24120af737fde53161e37f3f5f1c",
    "1e572e0eca1f4e43c018cc29b25ec3d8",
    "6c33a7c3042ce0664011b504847cfd5d",
    "41ba27a3c4469f489616e89770466352",
    "868ce79686eec73b82e1954e98f8e976",
    "37bb288b22d1d1b670bb49a301156f3a",
    "fcba22e0e4676d44ff86e0d76e4c4b8c",
    "a8c4bce979a5a2e6bca8689ffac77cb9",
]


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def plan(c: Chronicle, when: str) -> PlanExpectation:
    value = c.as_of(when)[PLAN]
    assert isinstance(value, PlanExpectation)
    return value


def figure(c: Chronicle, when: str) -> FigureExpectation:
    value = c.as_of(when)[GROWTH]
    assert isinstance(value, FigureExpectation)
    return value


def test_visits_and_trade_flows_are_kinds_of_plans_and_figures() -> None:
    assert issubclass(VisitEvent, PlanEvent)
    assert issubclass(TradeEvent, FigureEvent)
    assert not issubclass(PlanAnnounced, VisitEvent)
    assert "visit.announced" == VisitAnnounced.tag
    assert "trade.projected" == TradeProjected.tag
    assert PlanAnnounced is event_class("plan.announced")
    assert FigureReported is event_class("figure.reported")


def test_seed_event_ids_are_unchanged() -> None:
    c = Chronicle()
    records = c.import_jsonl(ROOT / "seeds" / "russia-china-2024.jsonl")
    assert SEED_IDS == [r.event_id for r in records]


def test_a_plan_postponed_twice_then_held() -> None:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(
                subject=PLAN,
                known_at="2024-06-02T12:00Z",
                what="output increase of 180 kb/d",
                actors=("OPEC+",),
                window="2024-10",
                likelihood="probable",
            ),
            PlanPostponed(
                subject=PLAN, known_at="2024-09-05T12:00Z", reason="prices", window="2024-12"
            ),
            PlanPostponed(subject=PLAN, known_at="2024-12-05T12:00Z", reason="demand"),
            PlanRescheduled(subject=PLAN, known_at="2025-03-03T12:00Z", window="2025-04"),
            PlanOccurred(
                subject=PLAN, known_at="2025-04-01T12:00Z", window="2025-04", place="Vienna"
            ),
        ]
    )
    first = plan(c, "2024-06-03")
    assert (Status.ANNOUNCED, Window.parse("2024-10")) == (first.status, first.window)
    assert ("output increase of 180 kb/d", ("OPEC+",)) == (first.what, first.actors)
    assert "probable" == first.likelihood
    put_off = plan(c, "2024-09-06")
    assert (Status.POSTPONED, "prices") == (put_off.status, put_off.reason)
    assert Window.parse("2024-12") == put_off.window
    again = plan(c, "2024-12-06")
    assert (Status.POSTPONED, "demand", None) == (again.status, again.reason, again.window)
    moved = plan(c, "2025-03-04")
    # reason is the reason for the current status: the rescheduling gave none
    assert (Status.SCHEDULED, None) == (moved.status, moved.reason)
    assert Window.parse("2024-10") == moved.first_window
    held = plan(c, "2025-04-02")
    assert (Status.OCCURRED, "Vienna") == (held.status, held.place)
    assert 5 == len(held.event_ids)
    assert not held.partial


def test_a_plan_whose_window_passed_is_overdue() -> None:
    c = Chronicle()
    c.append(
        PlanScheduled(subject=PLAN, known_at="2024-01-02T12:00Z", window="2024-02-01/2024-02-02")
    )
    assert Status.SCHEDULED == plan(c, "2024-02-02").status
    assert Status.OVERDUE == plan(c, "2024-02-03").status
    late = plan(c, "2024-02-03")
    assert late.partial  # no announcement is known


def test_a_plan_postponed_to_dates_that_passed_is_overdue() -> None:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(subject=PLAN, known_at="2024-01-02T12:00Z", window="2024-03"),
            PlanPostponed(subject=PLAN, known_at="2024-02-01T12:00Z", window="2024-06"),
        ]
    )
    assert Status.POSTPONED == plan(c, "2024-06-30").status
    assert Status.OVERDUE == plan(c, "2024-07-01").status


def test_a_figure_whose_period_is_over_awaits_its_report() -> None:
    c = Chronicle()
    c.append(
        FigureProjected(
            subject=GROWTH,
            known_at="2024-01-02T12:00Z",
            period="2024-03",
            quantity=Quantity(1, "%"),
        )
    )
    assert Status.PROJECTED == figure(c, "2024-03-31").status
    assert Status.AWAITING_REPORT == figure(c, "2024-04-01").status


def test_plan_hedges_and_what_each_source_said() -> None:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(
                subject=PLAN,
                known_at="2024-01-02T12:00Z",
                source=Source("Ministry"),
                likelihood="certain",
            ),
            PlanScheduled(
                subject=PLAN,
                known_at="2024-01-05T12:00Z",
                source=Source("Paper"),
                window="2024-02-01",
                probability=0.6,
            ),
        ]
    )
    value = plan(c, "2024-01-06")
    # the latest hedge replaces both likelihood and probability
    assert (None, 0.6) == (value.likelihood, value.probability)
    tracks = value.by_source()
    assert ["Ministry", "Paper"] == list(tracks)
    assert (Status.ANNOUNCED, "certain") == (
        tracks["Ministry"].status,
        tracks["Ministry"].likelihood,
    )
    assert (Status.SCHEDULED, Window.parse("2024-02-01")) == (
        tracks["Paper"].status,
        tracks["Paper"].window,
    )


def test_a_cancellation_holds_against_a_later_announcement() -> None:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(subject=PLAN, known_at="2024-01-02T12:00Z", window="2024-03"),
            PlanCancelled(subject=PLAN, known_at="2024-02-01T12:00Z", reason="called off"),
            PlanAnnounced(subject=PLAN, known_at="2024-02-05T12:00Z", actors=("A",)),
        ]
    )
    value = plan(c, "2024-04-01")
    assert (Status.CANCELLED, "called off", ("A",)) == (value.status, value.reason, value.actors)


def test_who_took_part_once_it_occurred_holds() -> None:
    c = Chronicle()
    c.extend(
        [
            PlanOccurred(
                subject=PLAN, known_at="2024-03-02T12:00Z", counterparts=("B",), place="Rome"
            ),
            PlanAnnounced(
                subject=PLAN, known_at="2024-03-03T12:00Z", counterparts=("C",), place="Paris"
            ),
        ]
    )
    value = plan(c, "2024-03-04")
    assert (Status.OCCURRED, ("B",), "Rome") == (value.status, value.counterparts, value.place)


def test_figure_vintages_and_a_preliminary_then_revised_report() -> None:
    c = Chronicle()
    c.extend(
        [
            FigureProjected(
                subject=GROWTH,
                known_at="2024-09-10T12:00Z",
                measure="world oil demand growth",
                area="world",
                period="2024",
                scope="annual average growth",
                quantity=Quantity(2.03, "mb/d"),
            ),
            FigureRevised(
                subject=GROWTH, known_at="2024-10-14T12:00Z", quantity=Quantity(1.93, "mb/d")
            ),
            FigureReported(
                subject=GROWTH,
                known_at="2025-01-15T12:00Z",
                scope="annual average growth",
                quantity=Quantity(940, "kb/d"),
                preliminary=True,
            ),
            FigureReported(
                subject=GROWTH,
                known_at="2025-02-13T12:00Z",
                scope="annual average growth",
                quantity=Quantity(870, "kb/d"),
            ),
            FigureRevised(
                subject=GROWTH, known_at="2025-03-01T12:00Z", quantity=Quantity(1.5, "mb/d")
            ),
        ]
    )
    revised = figure(c, "2024-10-15")
    assert (Status.REVISED, Quantity(1.93, "mb/d")) == (revised.status, revised.quantity)
    assert Window.parse("2024") == revised.window
    assert ["2024-09-10", "2024-10-14"] == [
        p.known_at.date().isoformat() for p in revised.projections
    ]
    assert Window.parse("2024") == revised.projections[1].period
    early = figure(c, "2025-01-16")
    report = early.report("annual average growth", unit="mb/d")
    assert report is not None
    assert (Status.REPORTED, True) == (early.status, report.preliminary)
    later = figure(c, "2025-03-02")
    last = later.report("annual average growth", unit="mb/d")
    assert last is not None
    assert (Quantity(870, "kb/d"), False) == (last.quantity, last.preliminary)
    assert 0.87 == pytest.approx(last.quantity.to("mb/d").value)
    # a report is an outcome: a revision known later adds its vintage, the status holds
    assert (Status.REPORTED, 3) == (later.status, len(later.projections))


def test_views_list_plans_and_figures_with_their_kinds() -> None:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(subject="plan/a", known_at="2024-01-02T12:00Z"),
            VisitAnnounced(subject="visit/b", known_at="2024-01-02T12:00Z"),
            FigureProjected(subject="figure/c", known_at="2024-01-02T12:00Z"),
            TradeProjected(subject="trade/d", known_at="2024-01-02T12:00Z"),
        ]
    )
    view = c.as_of("2024-01-03")
    assert ["plan/a", "visit/b"] == [e.subject for e in view.plans()]
    assert ["figure/c", "trade/d"] == [e.subject for e in view.figures()]
    assert ["plan/a"] == [e.subject for e in view.of_kind("plan")]
    assert ["figure/c", "trade/d"] == [e.subject for e in view.of_kind("figure", "trade")]
    assert isinstance(view["visit/b"], VisitExpectation)
    assert isinstance(view["trade/d"], TradeExpectation)
    assert ["plan", "visit", "figure", "trade"] == [
        view[s].kind for s in ("plan/a", "visit/b", "figure/c", "trade/d")
    ]


def test_a_subject_keeps_the_kind_of_its_first_event() -> None:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(subject=PLAN, known_at="2024-01-02T12:00Z", window="2024-02"),
            VisitOccurred(subject=PLAN, known_at="2024-01-03T12:00Z", place="Rome"),
        ]
    )
    value = plan(c, "2024-01-04")
    assert (Status.ANNOUNCED, None, 1) == (value.status, value.place, len(value.event_ids))


def test_plans_and_figures_round_trip_through_jsonl(tmp_path: Path) -> None:
    events = [
        PlanAnnounced(
            subject=PLAN,
            known_at="2024-01-02T12:00Z",
            what="summit",
            actors=("A", "B"),
            window="2024-02",
            probability=0.6,
        ),
        PlanPostponed(subject=PLAN, known_at="2024-01-20T12:00Z", reason="weather"),
        FigureProjected(
            subject=GROWTH,
            known_at="2024-01-02T12:00Z",
            period="2024",
            quantity=Quantity(2.25, "mb/d"),
            claims=("unchanged",),
        ),
        FigureReported(
            subject=GROWTH,
            known_at="2025-01-15T12:00Z",
            quantity=Quantity(940, "kb/d"),
            preliminary=True,
        ),
    ]
    c = Chronicle()
    c.extend(events)
    out = tmp_path / "families.jsonl"
    c.export_jsonl(out)
    again = Chronicle()
    again.import_jsonl(out)
    assert events == [r.event for r in again]
    assert [r.event_id for r in c] == [r.event_id for r in again]
    assert '"type":"plan.announced"' in out.read_text(encoding="utf-8").splitlines()[0]


def test_bad_family_events_are_refused_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(EventError, match=r"PlanScheduled\.window"):
        PlanScheduled(subject=PLAN, known_at="2024-01-02T12:00Z", window=None)  # type: ignore[arg-type]
    with pytest.raises(EventError, match=r"FigureReported\.quantity"):
        FigureReported(subject=GROWTH, known_at="2024-01-02T12:00Z", quantity=2.0)  # type: ignore[arg-type]
    with pytest.raises(EventError, match=r"PlanAnnounced\.likelihood"):
        PlanAnnounced(subject=PLAN, known_at="2024-01-02T12:00Z", likelihood="sure")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"type": "plan.announced", "subject": "p", "known_at": "2024-01-02T12:00:00Z"}\n'
        '{"type": "figure.projected", "subject": "f", "known_at": "2024-01-02T12:00:00Z",'
        ' "period": "2024-13"}\n',
        encoding="utf-8",
    )
    c = Chronicle()
    with pytest.raises(ImportLineError, match="line 2"):
        c.import_jsonl(bad)
    assert 0 == len(c)
