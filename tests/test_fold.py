"""The built-in projection: what each event does to an expectation, and the conflict rules."""

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from chronology import Chronicle, Projection, Quantity, Source, Status, Window
from chronology.events import (
    AgendaChanged,
    Event,
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
from chronology.expectations import TradeExpectation, VisitExpectation
from chronology.fold import ExpectationFold

V = "visit/lavrov-china-2024-04"
T = "trade/crude-2024-03"
SOON = Window.vague("soon", anchor="2024-04-03T12:00:00Z")
DATES = Window.parse("2024-04-08/2024-04-09")
LATER = Window.parse("2024-04-15/2024-04-16")
SEABORNE = "seaborne exports (ship-tracking)"
CUSTOMS = "imports incl. pipeline (customs)"


def day(d: int, hour: int = 12) -> datetime:
    return datetime(2024, 4, d, hour, tzinfo=UTC)


def fold(events: Sequence[Event], as_of: str = "2024-04-30") -> dict[str, object]:
    c = Chronicle()
    c.extend(events)
    return {e.subject: e for e in c.as_of(as_of)}


def visit(events: Sequence[Event], as_of: str = "2024-04-30") -> VisitExpectation:
    value = fold(events, as_of)[V]
    assert isinstance(value, VisitExpectation)
    return value


def trade(events: Sequence[Event], as_of: str = "2024-04-30") -> TradeExpectation:
    value = fold(events, as_of)[T]
    assert isinstance(value, TradeExpectation)
    return value


def announce(d: int = 3, **kw: object) -> VisitAnnounced:
    fields: dict[str, object] = {
        "visitor": "Sergei Lavrov",
        "host": "China",
        "counterparts": ("Wang Yi",),
        "window": SOON,
        "agenda": ("SCO", "BRICS"),
        "likelihood": "probable",
    }
    fields.update(kw)
    return VisitAnnounced(subject=V, known_at=day(d), **fields)  # type: ignore[arg-type]


# -- visits -------------------------------------------------------------------------------------


def test_announcement_creates_the_expectation() -> None:
    reuters = Source("Reuters")
    v = visit([announce(source=reuters, purpose="talks", probability=0.8)], as_of="2024-04-04")
    assert Status.ANNOUNCED == v.status
    assert (V, "Sergei Lavrov", "China", ("Wang Yi",), "talks") == (
        v.subject,
        v.visitor,
        v.host,
        v.counterparts,
        v.purpose,
    )
    assert (SOON, SOON) == (v.window, v.first_window)
    assert ("SCO", "BRICS") == v.agenda
    assert ("probable", 0.8) == (v.likelihood, v.probability)
    assert (reuters,) == v.sources
    assert (day(3), day(3)) == (v.first_known_at, v.updated_at)
    assert not v.partial
    assert 1 == len(v.event_ids)
    assert "visit" == v.kind


def test_schedule_fixes_the_dates_and_keeps_the_first_window() -> None:
    v = visit([announce(), VisitScheduled(subject=V, known_at=day(7), window=DATES)], "2024-04-07")
    assert (Status.SCHEDULED, DATES, SOON) == (v.status, v.window, v.first_window)
    assert (day(3), day(7)) == (v.first_known_at, v.updated_at)


def test_reschedule_moves_the_window_and_gives_a_reason() -> None:
    events = [
        announce(),
        VisitScheduled(subject=V, known_at=day(5), window=DATES),
        VisitRescheduled(subject=V, known_at=day(6), window=LATER, reason="weather"),
    ]
    v = visit(events, "2024-04-07")
    assert (Status.SCHEDULED, LATER, "weather") == (v.status, v.window, v.reason)


def test_postponement_replaces_the_window_even_with_none() -> None:
    events = [announce(), VisitPostponed(subject=V, known_at=day(5), reason="illness")]
    v = visit(events)
    assert (Status.POSTPONED, None, "illness") == (v.status, v.window, v.reason)
    later = [*events[:1], VisitPostponed(subject=V, known_at=day(5), window=LATER)]
    assert LATER == visit(later).window


def test_cancellation_and_occurrence() -> None:
    cancelled = visit([announce(), VisitCancelled(subject=V, known_at=day(5), reason="row")])
    assert (Status.CANCELLED, "row", SOON) == (cancelled.status, cancelled.reason, cancelled.window)
    occurred = visit(
        [announce(), VisitOccurred(subject=V, known_at=day(8), window=DATES, place="Beijing")]
    )
    assert (Status.OCCURRED, DATES, "Beijing") == (occurred.status, occurred.window, occurred.place)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (VisitOccurred(subject=V, known_at=day(8), window=DATES), Status.OCCURRED),
        (VisitCancelled(subject=V, known_at=day(8)), Status.CANCELLED),
    ],
)
@pytest.mark.parametrize(
    "later",
    [
        VisitAnnounced(subject=V, known_at=day(9), visitor="S. Lavrov", window=LATER),
        VisitScheduled(subject=V, known_at=day(9), window=LATER, host="PRC"),
        VisitRescheduled(subject=V, known_at=day(9), window=LATER),
        VisitPostponed(subject=V, known_at=day(9), reason="late report"),
    ],
)
def test_outcome_is_not_undone_by_a_later_expectation_event(
    outcome: Event, status: Status, later: Event
) -> None:
    v = visit([announce(), outcome, later])
    assert status == v.status
    assert LATER != v.window
    assert day(9) == v.updated_at
    assert 3 == len(v.event_ids)


def test_later_expectation_events_still_add_information() -> None:
    occurred = VisitOccurred(subject=V, known_at=day(8), window=DATES)
    v = visit(
        [announce(), occurred, VisitScheduled(subject=V, known_at=day(9), window=LATER, host="PRC")]
    )
    assert ("PRC", DATES) == (v.host, v.window)


def test_only_a_later_outcome_or_cancellation_changes_an_outcome() -> None:
    occurred = VisitOccurred(subject=V, known_at=day(9), window=DATES)
    cancelled = VisitCancelled(subject=V, known_at=day(8), reason="call off")
    assert Status.OCCURRED == visit([announce(), cancelled, occurred]).status
    cancelled_later = VisitCancelled(subject=V, known_at=day(10))
    assert Status.CANCELLED == visit([announce(), occurred, cancelled_later]).status


def test_fold_order_is_assertion_time_not_append_order() -> None:
    occurred = VisitOccurred(subject=V, known_at=day(8), window=DATES)
    assert Status.OCCURRED == visit([occurred, announce()]).status
    assert Status.ANNOUNCED == visit([occurred, announce()], "2024-04-07").status


def test_agenda_changes() -> None:
    events = [
        announce(),
        AgendaChanged(subject=V, known_at=day(4), added=("G20", "SCO"), removed=("BRICS",)),
        AgendaChanged(subject=V, known_at=day(5), added=("BRICS",), removed=("nothing",)),
    ]
    assert ("SCO", "G20", "BRICS") == visit(events).agenda


def test_events_before_any_announcement_build_a_partial_expectation() -> None:
    v = visit([VisitScheduled(subject=V, known_at=day(7), window=DATES)], "2024-04-07")
    assert (Status.SCHEDULED, True, None) == (v.status, v.partial, v.visitor)
    agenda_only = visit([AgendaChanged(subject=V, known_at=day(4), added=("SCO",))])
    assert (Status.UNKNOWN, True, ("SCO",)) == (
        agenda_only.status,
        agenda_only.partial,
        agenda_only.agenda,
    )
    both = visit(
        [VisitScheduled(subject=V, known_at=day(7), window=DATES), announce()], "2024-04-07"
    )
    assert (Status.SCHEDULED, False, "Sergei Lavrov") == (both.status, both.partial, both.visitor)


def test_missing_values_do_not_erase_known_ones() -> None:
    v = visit([announce(probability=0.7), announce(d=4, visitor=None, likelihood=None, agenda=())])
    assert ("Sergei Lavrov", "probable", 0.7, ("SCO", "BRICS")) == (
        v.visitor,
        v.likelihood,
        v.probability,
        v.agenda,
    )


def test_sources_are_listed_once_in_order_of_first_appearance() -> None:
    a, b = Source("Reuters"), Source("Dawn")
    events = [
        announce(source=a),
        VisitScheduled(subject=V, known_at=day(7), window=DATES, source=b),
        VisitOccurred(subject=V, known_at=day(8), source=a),
    ]
    assert (a, b) == visit(events).sources


@pytest.mark.parametrize(
    ("events", "as_of", "status"),
    [
        ([announce(window=DATES)], "2024-04-09", Status.ANNOUNCED),
        ([announce(window=DATES)], "2024-04-10", Status.OVERDUE),
        ([VisitScheduled(subject=V, known_at=day(7), window=DATES)], "2024-04-10", Status.OVERDUE),
        ([announce(window=Window.parse("2024-04-08/.."))], "2024-12-31", Status.ANNOUNCED),
        ([announce(window=None)], "2024-12-31", Status.ANNOUNCED),
        (
            [announce(), VisitPostponed(subject=V, known_at=day(5), window=DATES)],
            "2024-04-09",
            Status.POSTPONED,
        ),
        (
            [announce(), VisitPostponed(subject=V, known_at=day(5), window=DATES)],
            "2024-12-31",
            Status.OVERDUE,
        ),
        ([announce(), VisitPostponed(subject=V, known_at=day(5))], "2024-12-31", Status.POSTPONED),
        (
            [announce(), VisitCancelled(subject=V, known_at=day(5))],
            "2024-12-31",
            Status.CANCELLED,
        ),
        (
            [announce(window=DATES), VisitRescheduled(subject=V, known_at=day(5), window=LATER)],
            "2024-04-17",
            Status.OVERDUE,
        ),
        (
            [announce(), VisitOccurred(subject=V, known_at=day(8), window=DATES)],
            "2024-12-31",
            Status.OCCURRED,
        ),
    ],
)
def test_overdue_is_derived(events: list[Event], as_of: str, status: Status) -> None:
    assert status == visit(events, as_of).status


def test_overdue_derivation_uses_the_instant_not_the_stored_value() -> None:
    fold_ = ExpectationFold()
    fold_.apply(announce(window=DATES), "id")
    assert Status.ANNOUNCED == fold_.freeze_one(V, None).status  # type: ignore[union-attr]
    assert Status.OVERDUE == fold_.freeze_one(V, day(10, 0)).status  # type: ignore[union-attr]
    assert Status.ANNOUNCED == fold_.freeze_one(V, day(9, 23)).status  # type: ignore[union-attr]


# -- trade flows --------------------------------------------------------------------------------


def projected(**kw: object) -> TradeProjected:
    fields: dict[str, object] = {
        "exporter": "Russia",
        "importer": "China",
        "commodity": "crude oil",
        "period": "2024-03",
        "quantity": Quantity(1_700_000, "bbl/d"),
        "scope": SEABORNE,
        "claims": ("record monthly volume",),
        "likelihood": "probable",
    }
    fields.update(kw)
    return TradeProjected(subject=T, known_at=datetime(2024, 3, 18, 12, tzinfo=UTC), **fields)  # type: ignore[arg-type]


def test_projection_creates_the_trade_expectation() -> None:
    t = trade([projected()], "2024-03-31")
    assert Status.PROJECTED == t.status
    assert ("Russia", "China", "crude oil", Window.parse("2024-03")) == (
        t.exporter,
        t.importer,
        t.commodity,
        t.period,
    )
    assert (Quantity(1_700_000, "bbl/d"), SEABORNE) == (t.quantity, t.scope)
    assert t.window == t.period
    assert 1 == len(t.projections)
    assert SEABORNE == t.projections[0].scope
    assert () == t.reports
    assert t.report() is None
    assert "trade" == t.kind


def test_revision_replaces_the_figure_and_keeps_every_projection() -> None:
    revised = TradeProjectionRevised(
        subject=T,
        known_at=datetime(2024, 3, 25, tzinfo=UTC),
        quantity=Quantity(1.8e6, "bbl/d"),
        claims=("still a record",),
    )
    t = trade([projected(), revised], "2024-03-31")
    assert (Status.REVISED, Quantity(1.8e6, "bbl/d"), ("still a record",)) == (
        t.status,
        t.quantity,
        t.claims,
    )
    assert [Quantity(1.7e6, "bbl/d"), Quantity(1.8e6, "bbl/d")] == [
        f.quantity for f in t.projections
    ]
    assert [SEABORNE, SEABORNE] == [f.scope for f in t.projections]
    assert [Window.parse("2024-03")] * 2 == [f.period for f in t.projections]


def test_reports_are_kept_apart_by_scope_and_never_overwrite_the_projection() -> None:
    customs = TradeReported(
        subject=T, known_at=day(20), quantity=Quantity(10.81, "Mt"), scope=CUSTOMS, period="2024-03"
    )
    kpler = TradeReported(
        subject=T,
        known_at=day(20, 13),
        quantity=Quantity(1.82e6, "bbl/d"),
        scope=SEABORNE,
        preliminary=True,
    )
    t = trade([projected(), customs, kpler])
    assert Status.REPORTED == t.status
    assert Quantity(1_700_000, "bbl/d") == t.quantity
    assert (CUSTOMS, SEABORNE) == t.scopes
    by_customs, by_kpler = t.report(CUSTOMS), t.report(SEABORNE)
    assert by_customs is not None
    assert by_kpler is not None
    assert (Quantity(10.81, "Mt"), False, day(20)) == (
        by_customs.quantity,
        by_customs.preliminary,
        by_customs.known_at,
    )
    assert (Quantity(1.82e6, "bbl/d"), True) == (by_kpler.quantity, by_kpler.preliminary)
    assert by_kpler == t.report()
    assert t.report("nobody's scope") is None


def test_a_report_is_an_outcome() -> None:
    report = TradeReported(subject=T, known_at=day(20), quantity=Quantity(1.82e6, "bbl/d"))
    revised_later = TradeProjectionRevised(
        subject=T, known_at=day(21), quantity=Quantity(2e6, "bbl/d")
    )
    t = trade([projected(), report, revised_later])
    assert (Status.REPORTED, Quantity(2e6, "bbl/d")) == (t.status, t.quantity)


def test_a_report_alone_gives_its_period() -> None:
    t = trade(
        [TradeReported(subject=T, known_at=day(20), quantity=Quantity(1, "t"), period="2024-03")]
    )
    assert (Status.REPORTED, True, Window.parse("2024-03")) == (t.status, t.partial, t.period)


# -- mixed subjects and statements --------------------------------------------------------------


def test_the_first_family_fixes_the_kind_and_the_other_is_left_out() -> None:
    events = [projected(), VisitAnnounced(subject=T, known_at=day(3), visitor="nobody")]
    t = trade(events)
    assert 1 == len(t.event_ids)
    visit_first = [announce(), TradeProjected(subject=V, known_at=day(4), exporter="Russia")]
    v = visit(visit_first)
    assert (Status.ANNOUNCED, 1) == (v.status, len(v.event_ids))


def test_statements_are_listed_not_folded() -> None:
    said = StatementMade(subject=V, known_at=day(3), speaker="Maria Zakharova", topics=("visit",))
    other = StatementMade(subject=T, known_at=day(2), speaker="Kpler analyst")
    c = Chronicle()
    c.extend([said, other])
    view = c.as_of("2024-04-30")
    assert () == view.expectations()
    assert (other, said) == view.statements()
    assert (said,) == view.statements(V)


# -- custom projections -------------------------------------------------------------------------


class CountBySubject:
    def initial(self) -> dict[str, int]:
        return {}

    def apply(self, state: dict[str, int], event: Event) -> dict[str, int]:
        return {**state, event.subject: state.get(event.subject, 0) + 1}


def test_custom_projection_sees_the_view_events_in_order() -> None:
    c = Chronicle()
    c.extend([announce(), projected(), VisitScheduled(subject=V, known_at=day(7), window=DATES)])
    projection: Projection[dict[str, int]] = CountBySubject()
    assert {V: 1, T: 1} == c.as_of("2024-04-05").project(projection)
    assert {V: 2, T: 1} == c.as_of("2024-04-30").project(projection)
    start: list[datetime] = []
    known = c.as_of("2024-04-30").fold(start, lambda acc, e: [*acc, e.known_at])
    assert sorted(known) == known
