"""The fold's fast paths give what the plain ones give: values set slot by slot, vintages kept
in lists while folding, the collector paused while a view folds, changes set slot by slot."""

from __future__ import annotations

import gc
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import events

from chronology import Chronicle, Quantity, Source, Window
from chronology import registry as reg
from chronology._collector import collector_paused
from chronology.events import Event, TradeProjected, TradeProjectionRevised, event_type
from chronology.expectations import FigureExpectation, TradeExpectation, VisitExpectation
from chronology.fold import ExpectationFold, freeze_value
from chronology.view import Change, new_change

T = "trade/crude-2024-03"
START = datetime(2024, 3, 1, tzinfo=UTC)
COMMON = ("status", "sources", "first_known_at", "updated_at", "event_ids")


def _figure(revisions: int) -> list[Event]:
    """A trade figure projected once and revised ``revisions`` times, a day apart."""
    first: Event = TradeProjected(
        subject=T,
        known_at=START,
        source=Source("Kpler"),
        period=Window.parse("2024-03"),
        quantity=Quantity(1.7, "mb/d"),
        scope="seaborne",
    )
    return [first] + [
        TradeProjectionRevised(
            subject=T,
            known_at=START + timedelta(days=d),
            source=Source("Vortexa" if d % 2 else "Kpler"),
            quantity=Quantity(1.7 + d / 100, "mb/d"),
        )
        for d in range(1, revisions + 1)
    ]


def _fields(value: Any, *, lists: bool, drop_defaults: bool) -> dict[str, Any]:
    """The fields a builder would hold for ``value``: its own (not the common ones), tuples
    as lists when ``lists``, fields equal to their default left out when ``drop_defaults``."""
    out: dict[str, Any] = {}
    for f in attrs.fields(type(value)):
        if f.name in COMMON:
            continue
        v = getattr(value, f.name)
        if drop_defaults and f.default is not attrs.NOTHING and v == f.default:
            continue
        out[f.name] = list(v) if lists and isinstance(v, tuple) else v
    return out


def _freeze(value: Any, fields: dict[str, Any]) -> Any:
    return freeze_value(
        type(value),
        fields,
        value.status,
        {s: s for s in value.sources},
        value.first_known_at,
        value.updated_at,
        list(value.event_ids),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(events(), max_size=25))
def test_values_set_slot_by_slot_equal_the_class_built_ones(log: list[Event]) -> None:
    c = Chronicle()
    c.extend(log)
    for value in c.as_of(datetime.max.replace(tzinfo=UTC)):
        for lists in (False, True):
            for drop in (False, True):
                fields = _fields(value, lists=lists, drop_defaults=drop)
                frozen = _freeze(value, fields)
                assert value == frozen
                assert type(value) is type(frozen)
                # Lists are frozen as tuples; the builder's lists are not taken.
                assert all(
                    not isinstance(getattr(frozen, f.name), list) for f in attrs.fields(type(value))
                )


@pytest.mark.parametrize("cls", [TradeExpectation, FigureExpectation, VisitExpectation])
def test_a_field_the_value_class_lacks_is_refused_as_the_class_refuses_it(cls: type) -> None:
    with pytest.raises(TypeError, match="no_such_field"):
        freeze_value(cls, {"subject": "s", "no_such_field": 1}, "revised", {}, START, START, [])


def test_a_history_keeps_each_vintage_tuple_as_it_was() -> None:
    c = Chronicle()
    c.extend(_figure(5))
    history = c.history(T)
    counts = [len(change.after.projections) for change in history]  # type: ignore[union-attr]
    assert [1, 2, 3, 4, 5, 6] == counts
    for earlier, later in itertools.pairwise(history):
        assert earlier.after is later.before
        assert isinstance(later.after.projections, tuple)  # type: ignore[union-attr]
    expected = [1.7 + d / 100 for d in range(6)]
    last = history[-1].after
    assert isinstance(last, TradeExpectation)
    assert expected == [v.quantity.value for v in last.projections]
    assert ("Kpler", "Vortexa") == tuple(s.name for s in last.sources)


def test_a_fold_continued_from_a_frozen_value_appends_to_its_vintages() -> None:
    log = _figure(4)
    state = ExpectationFold()
    for i, event in enumerate(log[:2]):
        state.apply(event, f"id{i}")
    base = state.freeze_one(T, None)
    assert base is not None
    more = ExpectationFold({T: base})
    for i, event in enumerate(log[2:], start=2):
        more.apply(event, f"id{i}")
    whole = ExpectationFold()
    for i, event in enumerate(log):
        whole.apply(event, f"id{i}")
    assert whole.freeze_one(T, None) == more.freeze_one(T, None)
    assert 2 == len(base.projections)  # type: ignore[union-attr]


@event_type("test.fold_paths.probe")
@attrs.frozen(kw_only=True)
class CollectorProbe(Event):
    """An event whose handler notes whether the collector runs while it is folded."""


SEEN: list[bool] = []


def _probe(fields: dict[str, Any], event: Any) -> None:
    SEEN.append(gc.isenabled())


reg.register_fold_handler(CollectorProbe, _probe)


@pytest.mark.parametrize("enabled", [True, False])
def test_a_view_folds_with_the_collector_paused_and_leaves_it_as_it_was(enabled: bool) -> None:
    c = Chronicle()
    c.extend([*_figure(2), CollectorProbe(subject=T, known_at=START + timedelta(days=9))])
    SEEN.clear()
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        assert 1 == len(c.as_of(START + timedelta(days=10)).expectations())
        assert [False] == SEEN
        assert enabled == gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_the_collector_comes_back_on_after_an_error() -> None:
    seen: list[bool] = []

    def fail() -> None:
        with collector_paused():
            seen.append(gc.isenabled())
            raise ZeroDivisionError

    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        fail()
    assert [False] == seen
    assert gc.isenabled()


def test_a_change_set_slot_by_slot_equals_the_class_built_one() -> None:
    event = _figure(0)[0]
    args: dict[str, Any] = {
        "known_at": START,
        "recorded_at": START + timedelta(seconds=1),
        "event_id": "abc",
        "event": event,
        "before": None,
        "after": None,
    }
    assert Change(**args) == new_change(**args)
