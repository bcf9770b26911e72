"""``ExpectationFold.fold_rows`` (the view's loop) folds as ``apply`` does event by event,
stops only between two instants, and a builder's sources read as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import events

from chronology import Chronicle, Quantity, Source, Window
from chronology.events import Event, TradeProjected, TradeProjectionRevised
from chronology.fold import ExpectationFold

START = datetime(2024, 3, 1, tzinfo=UTC)

Row = tuple[int, str, Event]


def _rows(log: list[Event]) -> list[Row]:
    """The rows a view's fold reads, of a chronicle holding ``log``."""
    c = Chronicle()
    c.extend(log)
    return list(c.store.ordered_events_between(None, None))


def _applied(rows: list[Row]) -> ExpectationFold:
    """``rows`` folded by ``apply``, one by one."""
    state = ExpectationFold()
    for _, event_id, event in rows:
        state.apply(event, event_id)
    return state


@settings(max_examples=80, deadline=None)
@given(st.lists(events(), max_size=30), st.data())
def test_fold_rows_folds_as_apply_does_and_stops_between_instants(
    log: list[Event], data: st.DataObject
) -> None:
    rows = _rows(log)
    upto = data.draw(st.integers(0, len(rows)), label="upto")
    left_out = set(data.draw(st.lists(st.sampled_from([r[1] for r in rows]))) if rows else ())
    visible = [r for r in rows if r[0] <= upto and r[1] not in left_out]
    plain = _applied(visible)

    streamed = ExpectationFold()
    stream = iter(rows)
    held = None
    while True:
        stop_after = data.draw(st.none() | st.integers(0, 4), label="stop_after")
        before = streamed.count
        held = streamed.fold_rows(stream, upto, left_out, stop_after, held)
        if held is None:
            break
        assert stop_after is not None
        assert streamed.count >= stop_after
        assert streamed.last is not None
        assert held[2].known_at > streamed.last
        assert held in visible
        if stop_after > before:
            assert streamed.count > before

    assert plain.freeze(None) == streamed.freeze(None)
    assert plain.statements == streamed.statements
    assert len(visible) == streamed.count
    assert max((r[0] for r in visible), default=0) == streamed.needs
    assert (visible[-1][2].known_at if visible else None) == streamed.last


def test_a_figure_lists_each_source_once_in_order_of_first_appearance() -> None:
    kpler, vortexa, customs = Source("Kpler"), Source("Vortexa"), Source("Customs")
    said = [kpler, vortexa, Source("Kpler"), vortexa, None, customs, kpler, Source("Customs")]
    first: Event = TradeProjected(
        subject="trade/x",
        known_at=START,
        source=kpler,
        period=Window.parse("2024-03"),
        quantity=Quantity(1.0, "kt"),
    )
    log = [first] + [
        TradeProjectionRevised(
            subject="trade/x",
            known_at=START + timedelta(days=d + 1),
            source=source,
            quantity=Quantity(2.0 + d, "kt"),
        )
        for d, source in enumerate(said)
    ]
    c = Chronicle()
    c.extend(log)
    (value,) = c.as_of(START + timedelta(days=30)).expectations()
    assert (kpler, vortexa, customs) == value.sources
    changes = c.history("trade/x")
    after = changes[2].after
    assert after is not None
    assert (kpler, vortexa) == after.sources


@settings(max_examples=60, deadline=None)
@given(st.lists(events(), max_size=30), st.integers(0, 30))
def test_a_continued_fold_equals_one_fold_and_leaves_the_values_it_froze_as_they_were(
    log: list[Event], cut: int
) -> None:
    rows = _rows(log)
    plain = _applied(rows)
    first_half = _applied(rows[:cut])

    state = ExpectationFold()
    state.fold_rows(iter(rows[:cut]), len(rows), set())
    frozen = state.freeze(None)
    continued = state.continued(frozen)
    continued.fold_rows(iter(rows[cut:]), len(rows), set())
    whole = dict(frozen)
    whole.update({s: continued.freeze_one(s, None) for s in continued.touched()})  # type: ignore[misc]

    assert plain.freeze(None) == {s: whole[s] for s in sorted(whole)}
    assert first_half.freeze(None) == frozen
