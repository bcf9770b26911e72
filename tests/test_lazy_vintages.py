"""Vintages made when first read (chronology._vintages): a folded figure holds a cut of the
fold's log of vintages until its ``projections`` or ``reports`` are read, and reads exactly as
a value made with its tuples: by every path (views from snapshots at any spacing, at any
instant, history, subject reads), in any order of any kind of event, with retractions, and
against vintages worked out here from the events alone."""

from __future__ import annotations

import copy
import pickle
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import events, known_ats, retractions_of

from chronology import Chronicle, Quantity, Source, Window
from chronology import registry as reg
from chronology._vintages import VintageCut, VintageLog, held_count, raw_reader, read_lazily
from chronology.events import (
    Event,
    FigureEvent,
    PlanEvent,
    Retracted,
    TradeEvent,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitEvent,
    event_type,
)
from chronology.expectations import FigureExpectation, Status, TradeExpectation, Vintage
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.fold import ExpectationFold
from chronology.lifecycle import projection
from chronology.snapshots import Snapshots
from chronology.visibility import retracted_ids

T = "trade/crude-2024-03"
START = datetime(2024, 3, 1, tzinfo=UTC)
END_OF_TIME = datetime.max.replace(tzinfo=UTC)
LAZY = ("projections", "reports")


def _figure(revisions: int, subject: str = T) -> list[Event]:
    """A figure projected once, revised ``revisions`` times a day apart, then reported."""
    out: list[Event] = [
        TradeProjected(
            subject=subject,
            known_at=START,
            source=Source("Kpler"),
            period=Window.parse("2024-03"),
            quantity=Quantity(1.7, "mb/d"),
            scope="seaborne",
        )
    ]
    out += [
        TradeProjectionRevised(
            subject=subject,
            known_at=START + timedelta(days=d),
            source=Source("Vortexa" if d % 2 else "Kpler"),
            quantity=Quantity(1.7 + d / 100, "mb/d"),
        )
        for d in range(1, revisions + 1)
    ]
    out.append(
        TradeReported(
            subject=subject,
            known_at=START + timedelta(days=revisions + 30),
            source=Source("Customs"),
            quantity=Quantity(1.8, "mb/d"),
            scope="customs",
            preliminary=True,
        )
    )
    return out


def _held(value: Any, name: str) -> Any:
    return raw_reader(type(value), name)(value)


def _pickled(value: Any) -> Any:
    return pickle.loads(pickle.dumps(value))


def _eager(value: Any) -> Any:
    """The same value made through its class, every field given as read."""
    return type(value)(**{f.name: getattr(value, f.name) for f in attrs.fields(type(value))})


# -- vintages worked out from the events alone ---------------------------------------------------

_FAMILIES = (VisitEvent, TradeEvent, PlanEvent, FigureEvent)
_PROJECTED = (TradeProjected, FigureProjected)
_REVISED = (TradeProjectionRevised, FigureRevised)
_REPORTED = (TradeReported, FigureReported)


def _family(event: Event) -> type | None:
    return next((f for f in _FAMILIES if isinstance(event, f)), None)


def _naive_vintages(folded: list[Event]) -> dict[str, tuple[list[Vintage], list[Vintage]]]:
    """``(projections, reports)`` of every figure or trade subject, from the events a view
    folds, in its order, by the design's rules: every projection or revision that gives a
    quantity is a vintage, with the latest scope given by then and its own period (a
    projection) or the figure's period then (a revision: the latest projection's, else the
    first report's); every report is one, with its own scope, period and flag."""
    by_subject: dict[str, list[Event]] = {}
    for e in folded:
        by_subject.setdefault(e.subject, []).append(e)
    out: dict[str, tuple[list[Vintage], list[Vintage]]] = {}
    for subject, mine in by_subject.items():
        family = next((f for e in mine if (f := _family(e)) is not None), None)
        if family not in (TradeEvent, FigureEvent):
            continue
        projections: list[Vintage] = []
        reports: list[Vintage] = []
        scope: str | None = None
        period: Window | None = None
        period_from_projection = False
        for e in mine:
            if _family(e) is not family:
                continue
            if isinstance(e, (*_PROJECTED, *_REVISED)):
                scope = e.scope if e.scope is not None else scope
                if isinstance(e, _PROJECTED) and e.period is not None:
                    period, period_from_projection = e.period, True
                if e.quantity is not None:
                    given = e.period if isinstance(e, _PROJECTED) else period
                    projections.append(_vintage(e, scope, given, False))
            elif isinstance(e, _REPORTED):
                if period is None and not period_from_projection and e.period is not None:
                    period = e.period
                reports.append(_vintage(e, e.scope, e.period, e.preliminary))
        out[subject] = (projections, reports)
    return out


def _vintage(e: Any, scope: str | None, period: Window | None, preliminary: bool) -> Vintage:
    return Vintage(
        quantity=e.quantity,
        scope=scope,
        known_at=e.known_at,
        period=period,
        preliminary=preliminary,
        source=e.source,
    )


def _folded(c: Chronicle, at: datetime) -> list[Event]:
    """The events a view of ``c`` as of ``at`` folds, in its order (worked out here)."""
    records = list(c.store.records())
    dead = retracted_ids([r for r in records if isinstance(r.event, Retracted)])
    kept = [
        r
        for r in records
        if r.event_id not in dead and not isinstance(r.event, Retracted) and r.event.known_at <= at
    ]
    kept.sort(key=lambda r: (r.event.known_at, r.position))
    return [r.event for r in kept]


def _plain(c: Chronicle, at: datetime) -> dict[str, Any]:
    """The plain fold: one fresh fold of the events a view sees, frozen at ``at``."""
    records = list(c.store.records())
    dead = retracted_ids([r for r in records if isinstance(r.event, Retracted)])
    state = ExpectationFold()
    for r in sorted(records, key=lambda r: (r.event.known_at, r.position)):
        if r.event_id not in dead and not isinstance(r.event, Retracted) and r.event.known_at <= at:
            state.apply(r.event, r.event_id)
    return state.freeze(at)


# -- properties ----------------------------------------------------------------------------------


@st.composite
def _logs(draw: st.DrawFn) -> tuple[Chronicle, list[datetime]]:
    """A chronicle of any events (figures and trade flows mostly, kinds mixed on shared
    subjects), appended in any order in a few batches, some retracted (and some retractions
    retracted), and instants to ask about."""
    c = Chronicle()
    for _ in range(draw(st.integers(1, 3))):
        c.extend(draw(st.lists(events(), max_size=12)))
    records = list(c.store.records())
    for _ in range(draw(st.integers(0, 3))):
        if not records:
            break
        target = draw(st.sampled_from(records))
        retraction = draw(retractions_of(target.event, target.event_id))
        records.append(c.append(retraction))
    instants = draw(st.lists(known_ats(), min_size=1, max_size=4))
    return c, [*instants, END_OF_TIME]


@settings(max_examples=60, deadline=None)
@given(_logs(), st.sampled_from([1, 2, 3, 5, None]))
def test_views_at_any_spacing_equal_the_plain_fold_and_the_naive_vintages(
    log: tuple[Chronicle, list[datetime]], every: int | None
) -> None:
    c, instants = log
    c.snapshots = Snapshots(c.store, every=every, shelve_from=None)
    for at in instants:
        for _ in range(2):  # the second view folds on from the snapshots the first left
            view = c.as_of(at)
            got = {e.subject: e for e in view.expectations()}
            expected = _plain(c, at)
            assert list(expected) == list(got)
            naive = _naive_vintages(_folded(c, at))
            for subject, value in got.items():
                assert expected[subject] == value
                if subject in naive:
                    projections, reports = naive[subject]
                    assert tuple(projections) == value.projections  # type: ignore[union-attr]
                    assert tuple(reports) == value.reports  # type: ignore[union-attr]


@settings(max_examples=30, deadline=None)
@given(_logs())
def test_a_lazy_value_reads_as_the_value_made_with_its_tuples(
    log: tuple[Chronicle, list[datetime]],
) -> None:
    c, instants = log
    for at in instants:
        for make_it in (_eager, _pickled, copy.copy, copy.deepcopy, attrs.evolve):
            c.snapshots = Snapshots(c.store, every=2, shelve_from=None)
            for value in c.as_of(at).expectations():
                other = make_it(value)
                assert type(value) is type(other)
                # Each read through the other path first, the fresh value's fields as made.
                assert repr(other) == repr(value)
                assert hash(other) == hash(value)
                assert other == value
                assert attrs.asdict(other) == attrs.asdict(value)


def test_a_view_holds_cuts_until_a_field_is_read_then_the_tuple() -> None:
    c = Chronicle()
    c.extend(_figure(5))
    value = c.as_of(END_OF_TIME)[T]
    assert isinstance(value, TradeExpectation)
    assert isinstance(_held(value, "projections"), VintageCut)
    assert isinstance(_held(value, "reports"), VintageCut)
    assert 6 == held_count(value, "projections")
    assert 1 == held_count(value, "reports")
    projections = value.projections
    assert isinstance(projections, tuple)
    assert projections is _held(value, "projections")  # kept in the slot
    assert projections is value.projections
    assert [1.7 + d / 100 for d in range(6)] == [v.quantity.value for v in projections]
    assert {"seaborne"} == {v.scope for v in projections}
    assert isinstance(_held(value, "reports"), VintageCut)  # the other field is not made
    (report,) = value.reports
    expected = Vintage(
        quantity=Quantity(1.8, "mb/d"),
        scope="customs",
        known_at=START + timedelta(days=35),
        period=None,
        preliminary=True,
        source=Source("Customs"),
    )
    assert expected == report


def test_the_class_attribute_is_the_slot_and_setting_a_tuple_works() -> None:
    member = TradeExpectation.projections
    assert "member_descriptor" == type(member).__name__
    made = TradeExpectation(
        subject=T, status=Status.PROJECTED, first_known_at=START, updated_at=START, projections=()
    )
    assert () == made.projections
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.projections = ()  # type: ignore[misc]


def test_a_history_shares_one_set_of_vintages_between_its_changes() -> None:
    c = Chronicle()
    c.extend(_figure(4))
    history = c.history(T)
    afters = [change.after for change in history]
    assert [1, 2, 3, 4, 5, 5] == [len(a.projections) for a in afters]  # type: ignore[union-attr]
    last = afters[-1].projections  # type: ignore[union-attr]
    for a in afters:
        assert all(x is y for x, y in zip(a.projections, last, strict=False))  # type: ignore[union-attr]


def test_a_fold_continued_from_a_cut_leaves_the_cut_and_its_log_as_they_were() -> None:
    log = _figure(4)
    state = ExpectationFold()
    for i, event in enumerate(log[:2]):
        state.apply(event, f"id{i}")
    base = state.freeze_one(T, None)
    assert base is not None
    cut = _held(base, "projections")
    assert isinstance(cut, VintageCut)
    one, two = ExpectationFold({T: base}), ExpectationFold({T: base})
    for i, event in enumerate(log[2:], start=2):
        one.apply(event, f"id{i}")
    two.apply(log[2], "id2")
    assert 2 == len(cut)
    assert isinstance(cut.log, VintageLog)
    assert 2 == len(cut.log.events)
    assert 5 == len(one.freeze_one(T, None).projections)  # type: ignore[union-attr]
    assert 3 == len(two.freeze_one(T, None).projections)  # type: ignore[union-attr]
    assert 2 == len(base.projections)  # type: ignore[union-attr]


def test_a_log_starts_a_run_when_the_scope_or_period_changes() -> None:
    period = Window.parse("2024-03")
    events = [
        FigureProjected(
            subject="figure/x", known_at=START, quantity=Quantity(1, "t"), scope="a", period=period
        ),
        FigureRevised(subject="figure/x", known_at=START, quantity=Quantity(2, "t")),
        FigureRevised(subject="figure/x", known_at=START, quantity=Quantity(3, "t"), scope="b"),
        FigureRevised(subject="figure/x", known_at=START, quantity=None),
        FigureRevised(subject="figure/x", known_at=START, quantity=Quantity(4, "t")),
    ]
    state = ExpectationFold()
    for i, e in enumerate(events):
        state.apply(e, f"id{i}")
    value = state.freeze_one("figure/x", None)
    assert isinstance(value, FigureExpectation)
    log = _held(value, "projections").log
    assert [(0, "a", period, False), (2, "b", period, False)] == log.runs
    assert ["a", "a", "b", "b"] == [v.scope for v in value.projections]
    assert [1, 2, 3, 4] == [v.quantity.value for v in value.projections]


def test_vintages_read_from_many_threads_at_once_are_one_set() -> None:
    c = Chronicle()
    c.extend(_figure(200))
    history = c.history(T)
    seen: list[tuple[Vintage, ...]] = []
    barrier = threading.Barrier(4)

    def read(changes: list[Any]) -> None:
        barrier.wait()
        for change in changes:
            seen.append(change.after.projections)

    threads = [threading.Thread(target=read, args=(list(history)[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    longest = max(seen, key=len)
    assert 201 == len(longest)
    assert all(all(x is y for x, y in zip(s, longest, strict=False)) for s in seen)


def test_a_cut_makes_its_vintages_from_the_events_and_the_runs() -> None:
    log = VintageLog()
    log.turn("s", None, False)
    log.events.append(_figure(0)[0])
    cut = log.cut()
    expected = Vintage(
        quantity=Quantity(1.7, "mb/d"), scope="s", known_at=START, source=Source("Kpler")
    )
    assert (expected,) == cut.vintages(Vintage)
    assert (expected,) == VintageLog.continuing(cut).vintages(1, Vintage)


class YieldEvent(Event):
    """Base of a user's family of figures (not lazy: its value class is the user's)."""


@event_type("test.lazy_vintages.yield_projected")
@attrs.frozen(kw_only=True)
class YieldProjected(YieldEvent):
    period: Window | None = None
    quantity: Quantity | None = None
    scope: str | None = None
    claims: tuple[str, ...] = ()
    likelihood: Any = None
    probability: float | None = None


@attrs.frozen(kw_only=True)
class YieldExpectation:
    subject: str
    status: Any
    period: Window | None = None
    quantity: Quantity | None = None
    scope: str | None = None
    claims: tuple[str, ...] = ()
    likelihood: Any = None
    probability: float | None = None
    projections: tuple[Vintage, ...] = ()
    sources: tuple[Source, ...] = ()
    first_known_at: datetime
    updated_at: datetime
    event_ids: tuple[str, ...] = ()
    partial: bool = False

    kind: ClassVar[str] = "test.lazy_vintages.yield"


reg.register_kind("test.lazy_vintages.yield", events=YieldEvent, value=YieldExpectation)
reg.register_fold_handler(YieldProjected, projection())


def test_a_users_value_class_gets_its_vintages_as_a_tuple_at_once() -> None:
    c = Chronicle()
    c.extend(
        YieldProjected(
            subject="yield/wheat", known_at=START + timedelta(days=d), quantity=Quantity(d, "t")
        )
        for d in range(3)
    )
    value = c.as_of(END_OF_TIME)["yield/wheat"]
    assert isinstance(value, YieldExpectation)
    held = _held(value, "projections")
    assert tuple is type(held)
    assert [0, 1, 2] == [v.quantity.value for v in held]


def test_only_a_slot_can_be_read_lazily() -> None:
    @attrs.frozen
    class NoSlots:
        projections: tuple[Vintage, ...] = ()

    @attrs.define(slots=False)
    class Plain:
        projections: tuple[Vintage, ...] = ()

    with pytest.raises(TypeError, match="is not a slot"):
        read_lazily(Plain, Vintage, ["projections"])
    with pytest.raises(TypeError, match="frozen slotted"):
        read_lazily(NoSlots, Plain, ["projections"])


def test_the_first_read_of_a_views_vintages_makes_every_one_of_its_values_at_once() -> None:
    c = Chronicle()
    c.extend(e for k in range(5) for e in _figure(3, subject=f"trade/flow-{k}"))
    c.snapshots = Snapshots(c.store, every=4, shelve_from=None)  # values from several folds
    values = c.as_of(END_OF_TIME).expectations()
    held = [_held(v, name) for v in values for name in LAZY]
    assert all(isinstance(h, VintageCut) for h in held)
    assert all(len(h.log.made) < len(h) for h in held)
    first = values[0].projections  # type: ignore[union-attr]
    assert 4 == len(first)
    assert all(len(h.log.made) >= len(h) for h in held)  # made, not yet read
    assert all(isinstance(_held(v, "reports"), VintageCut) for v in values)
    assert [(1.8,)] * 5 == [tuple(r.quantity.value for r in v.reports) for v in values]  # type: ignore[union-attr]


def test_a_fold_frozen_whole_makes_its_values_vintages_together() -> None:
    state = ExpectationFold()
    for i, e in enumerate(e for k in range(3) for e in _figure(2, subject=f"trade/flow-{k}")):
        state.apply(e, f"id{i}")
    values = list(state.freeze(END_OF_TIME).values())
    assert 3 == len(values[-1].projections)  # type: ignore[union-attr]
    assert all(len(_held(v, "projections").log.made) == 3 for v in values[:-1])
