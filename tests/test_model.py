"""The contract's naive model of the fold rules (chronology.testing.model), on its own and
against the real fold."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
from hypothesis import given
from hypothesis import strategies as st
from strategies import as_of_questions, events, figure_events, plan_events

from chronology.events import (
    AgendaChanged,
    Event,
    Likelihood,
    Quantity,
    StatementMade,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.expectations import Status
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.fold import ExpectationFold
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)
from chronology.testing.clock import TICK
from chronology.testing.model import Outline, event_id, naive_instant, naive_outlines, outline
from chronology.time import Window

V = "visit/x"
T = "trade/x"
SOON = Window.parse("2024-04-05/2024-04-06")
LATER = Window.parse("2024-04-20/2024-04-21")
MARCH = Window.parse("2024-03")
APRIL = Window.parse("2024-04")
END = datetime(2024, 4, 30, tzinfo=UTC)


def at(day: int) -> datetime:
    return datetime(2024, 4, day, 12, tzinfo=UTC)


def visit(events: list[Event], when: datetime = END) -> Outline:
    return naive_outlines(events, when)[V]


def test_a_visit_follows_its_latest_expectation_event() -> None:
    announced = VisitAnnounced(subject=V, known_at=at(1), window=SOON)
    scheduled = VisitScheduled(subject=V, known_at=at(2), window=LATER)
    assert Outline("visit", Status.ANNOUNCED, SOON, False) == visit([announced], at(1))
    assert Outline("visit", Status.SCHEDULED, LATER, False) == visit([announced, scheduled], at(2))
    moved = VisitRescheduled(subject=V, known_at=at(3), window=SOON)
    assert Outline("visit", Status.SCHEDULED, SOON, True) == visit([scheduled, moved], at(3))


def test_a_postponement_replaces_the_window_even_with_none() -> None:
    scheduled = VisitScheduled(subject=V, known_at=at(1), window=SOON)
    postponed = VisitPostponed(subject=V, known_at=at(2))
    assert Outline("visit", Status.POSTPONED, None, True) == visit([scheduled, postponed])


def test_an_outcome_or_cancellation_is_not_undone_by_later_expectation_events() -> None:
    occurred = VisitOccurred(subject=V, known_at=at(6), window=SOON)
    later = [
        VisitAnnounced(subject=V, known_at=at(7), window=LATER),
        VisitScheduled(subject=V, known_at=at(8), window=LATER),
        VisitPostponed(subject=V, known_at=at(9)),
    ]
    assert Outline("visit", Status.OCCURRED, SOON, False) == visit([occurred, *later])
    cancelled = VisitCancelled(subject=V, known_at=at(4))
    scheduled = VisitScheduled(subject=V, known_at=at(2), window=LATER)
    assert Outline("visit", Status.CANCELLED, LATER, False) == visit([scheduled, cancelled, *later])
    # Only a later outcome or cancellation changes it; an occurrence without dates keeps the
    # window the status-setting events gave.
    undated = VisitOccurred(subject=V, known_at=at(10))
    assert Outline("visit", Status.OCCURRED, LATER, False) == visit(
        [scheduled, cancelled, *later, undated]
    )


def test_overdue_is_derived_at_the_instant_the_window_ends() -> None:
    scheduled = VisitScheduled(subject=V, known_at=at(1), window=SOON)
    assert SOON.end is not None
    assert Status.SCHEDULED == visit([scheduled], SOON.end - TICK).status
    assert Status.OVERDUE == visit([scheduled], SOON.end).status
    occurred = VisitOccurred(subject=V, known_at=at(7))
    assert Status.OCCURRED == visit([scheduled, occurred]).status
    agenda_only = AgendaChanged(subject=V, known_at=at(1), added=("SCO",))
    assert Outline("visit", Status.UNKNOWN, None, True) == visit([agenda_only])


def test_a_postponement_with_dates_becomes_overdue_too() -> None:
    postponed = VisitPostponed(subject=V, known_at=at(1), window=SOON)
    assert SOON.end is not None
    assert Status.POSTPONED == visit([postponed], SOON.end - TICK).status
    assert Status.OVERDUE == visit([postponed], SOON.end).status
    undated = VisitPostponed(subject=V, known_at=at(2))
    assert Status.POSTPONED == visit([postponed, undated]).status


def test_a_figure_awaits_its_report_once_its_period_is_over() -> None:
    projected = TradeProjected(subject=T, known_at=at(1), period=APRIL)
    assert APRIL.end is not None
    assert Status.PROJECTED == naive_outlines([projected], APRIL.end - TICK)[T].status
    assert Status.AWAITING_REPORT == naive_outlines([projected], APRIL.end)[T].status
    reported = TradeReported(subject=T, known_at=at(29), quantity=Quantity(1, "Mt"))
    assert Status.REPORTED == naive_outlines([projected, reported], APRIL.end)[T].status


def test_a_trade_period_is_the_latest_projection_s_or_else_the_first_report_s() -> None:
    projected = TradeProjected(subject=T, known_at=at(1), period=MARCH)
    revised = TradeProjectionRevised(subject=T, known_at=at(2))
    reported = TradeReported(subject=T, known_at=at(3), quantity=Quantity(1, "Mt"), period=APRIL)
    outlines = naive_outlines([projected, revised], at(2))
    assert Outline("trade", Status.AWAITING_REPORT, MARCH, False) == outlines[T]
    outlines = naive_outlines([reported, projected], END)
    assert Outline("trade", Status.REPORTED, MARCH, False) == outlines[T]
    assert Outline("trade", Status.REPORTED, APRIL, True) == naive_outlines([reported], END)[T]


def test_the_first_family_fixes_the_kind_and_statements_make_nothing() -> None:
    said = StatementMade(subject=V, known_at=at(1), summary="soon")
    projected = TradeProjected(subject=V, known_at=at(2), period=APRIL)
    cancelled = VisitCancelled(subject=V, known_at=at(3))
    assert {} == naive_outlines([said], END)
    assert Outline("trade", Status.PROJECTED, APRIL, False) == visit([said, projected, cancelled])


@given(st.lists(st.tuples(st.sampled_from((V, T)), events()), max_size=10), as_of_questions())
def test_the_real_fold_follows_the_naive_rules(
    drawn: list[tuple[str, Event]], question: datetime | date | str
) -> None:
    """The fold engine, without a chronicle: any events (crowded onto two subjects, so that
    rules meet), in view order, outlined alike."""
    when = naive_instant(question)
    crowded = [attrs.evolve(e, subject=subject) for subject, e in drawn]
    ordered = sorted((e for e in crowded if e.known_at <= when), key=lambda e: e.known_at)
    state = ExpectationFold()
    for event in ordered:
        state.apply(event, event_id(event))
    actual = {s: outline(e) for s, e in state.freeze(when).items()}
    assert naive_outlines(ordered, when) == actual


P = "plan/x"
F = "figure/x"


def test_a_plan_follows_a_visit_s_life_cycle() -> None:
    announced = PlanAnnounced(subject=P, known_at=at(1), window=SOON, likelihood="probable")
    postponed = PlanPostponed(subject=P, known_at=at(2), reason="a crisis")
    moved = PlanRescheduled(subject=P, known_at=at(3), window=LATER)
    probable = Likelihood.PROBABLE
    assert (
        Outline("plan", Status.POSTPONED, None, False, reason="a crisis", likelihood=probable)
        == naive_outlines([announced, postponed], at(2))[P]
    )
    # Rescheduled without a reason: the postponement's reason no longer explains the status.
    assert (
        Outline("plan", Status.SCHEDULED, LATER, False, likelihood=probable)
        == (naive_outlines([announced, postponed, moved], at(3))[P])
    )
    assert LATER.end is not None
    assert Status.OVERDUE == naive_outlines([announced, postponed, moved], LATER.end)[P].status
    cancelled = PlanCancelled(subject=P, known_at=at(4), reason="called off")
    occurred = PlanOccurred(subject=P, known_at=at(5))
    again = PlanScheduled(subject=P, known_at=at(6), window=SOON, likelihood="certain")
    assert (
        Outline("plan", Status.CANCELLED, LATER, False, reason="called off", likelihood=probable)
        == naive_outlines([announced, moved, cancelled], END)[P]
    )
    # An outcome holds against a later expectation event, which still gives its hedge.
    assert (
        Outline("plan", Status.OCCURRED, LATER, False, likelihood=Likelihood.CERTAIN)
        == naive_outlines([announced, moved, cancelled, occurred, again], END)[P]
    )


def test_a_figure_follows_a_trade_flow_s_life_cycle() -> None:
    projected = FigureProjected(
        subject=F, known_at=at(1), period=MARCH, quantity=Quantity(2.25, "mb/d")
    )
    revised = FigureRevised(subject=F, known_at=at(2), quantity=Quantity(2.11, "mb/d"))
    undated = FigureRevised(subject=F, known_at=at(3), likelihood="possible", probability=0.4)
    reported = FigureReported(subject=F, known_at=at(4), quantity=Quantity(940, "kb/d"))
    assert (
        Outline("figure", Status.AWAITING_REPORT, MARCH, False, quantity=Quantity(2.11, "mb/d"))
        == naive_outlines([projected, revised], at(2))[F]
    )
    assert (
        Outline(
            "figure",
            Status.REPORTED,
            MARCH,
            False,
            likelihood=Likelihood.POSSIBLE,
            probability=0.4,
            quantity=Quantity(2.11, "mb/d"),
        )
        == naive_outlines([projected, revised, undated, reported], END)[F]
    )
    assert Outline("figure", Status.REPORTED, None, True) == naive_outlines([reported], END)[F]


def test_each_kind_keeps_to_its_own_events_and_statements_hedge_what_exists() -> None:
    hedged = StatementMade(subject=P, known_at=at(1), likelihood="unlikely")
    announced = PlanAnnounced(subject=P, known_at=at(2), window=LATER)
    visit_event = VisitCancelled(subject=P, known_at=at(3))
    figure_event = FigureReported(subject=P, known_at=at(3), quantity=Quantity(1, "t"))
    later = StatementMade(subject=P, known_at=at(4), likelihood="ruled_out", probability=0.01)
    assert (
        Outline("plan", Status.ANNOUNCED, LATER, False)
        == (naive_outlines([hedged, announced, visit_event, figure_event], at(5))[P])
    )
    assert (
        Outline(
            "plan",
            Status.ANNOUNCED,
            LATER,
            False,
            likelihood=Likelihood.RULED_OUT,
            probability=0.01,
        )
        == naive_outlines([hedged, announced, visit_event, later], at(5))[P]
    )


@given(
    st.lists(
        st.tuples(st.sampled_from((P, F)), st.one_of(plan_events(), figure_events(), events())),
        max_size=10,
    ),
    as_of_questions(),
)
def test_the_real_fold_follows_the_naive_rules_for_plans_and_figures(
    drawn: list[tuple[str, Event]], question: datetime | date | str
) -> None:
    """Plans and figures crowded onto two subjects (other families among them)."""
    when = naive_instant(question)
    crowded = [attrs.evolve(e, subject=subject) for subject, e in drawn]
    ordered = sorted((e for e in crowded if e.known_at <= when), key=lambda e: e.known_at)
    state = ExpectationFold()
    for event in ordered:
        state.apply(event, event_id(event))
    actual = {s: outline(e) for s, e in state.freeze(when).items()}
    assert naive_outlines(ordered, when) == actual
