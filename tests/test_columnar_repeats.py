"""The columnar path where a column repeats its values (chronology.columnar): each distinct
value is read and written once, and the batch is still the one extend makes, whatever the
repeats: zeros of both signs, several units, instants spelt with Z and with +00:00 or given as
aware datetimes, event types interleaved and rows without one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronology import Chronicle, Quantity, RowError, Source, Window
from chronology.columnar import prepare_table
from chronology.events import Event, TradeProjected, TradeProjectionRevised, TradeReported
from chronology.record import prepare
from chronology.serialization import payload_of

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

_START = datetime(2024, 3, 1, tzinfo=UTC)
#: Few values, so that columns repeat them: both zeros, exact and inexact floats.
_VALUES = st.sampled_from([0.0, -0.0, 1.0, 900.5, 0.1, -3.25, 1e22, 2.5e-8])
_UNITS = st.sampled_from(["kt", "bbl/d", "Mt"])
_INSTANTS = st.builds(
    lambda hours, us: _START + timedelta(hours=hours, microseconds=us),
    st.integers(0, 5),
    st.sampled_from([0, 1, 500_000]),
)


@st.composite
def _figure(draw: st.DrawFn) -> Event:
    subject = f"trade/f-{draw(st.integers(0, 2))}"
    known_at = draw(_INSTANTS)
    quantity = Quantity(draw(_VALUES), draw(_UNITS))
    source = Source(draw(st.sampled_from(["Kpler", "Vortexa"])))
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return TradeProjectionRevised(
            subject=subject, known_at=known_at, source=source, quantity=quantity
        )
    period = Window(_START, draw(_INSTANTS) + timedelta(days=1))
    if kind == 1:
        return TradeProjected(
            subject=subject, known_at=known_at, exporter="Russia", period=period, quantity=quantity
        )
    return TradeReported(subject=subject, known_at=known_at, period=period, quantity=quantity)


def _columns(found: list[Event]) -> dict[str, list[Any]]:
    flat: list[dict[str, Any]] = []
    for event in found:
        row: dict[str, Any] = {}
        for key, value in json.loads(payload_of(event)).items():
            if isinstance(value, dict):
                row.update({f"{key}.{k}": v for k, v in value.items()})
            else:
                row[key] = value
        flat.append(row)
    names = sorted({name for row in flat for name in row})
    return {name: [row.get(name) for row in flat] for name in names}


def _assert_same_batch(found: list[Event], table: Any) -> None:
    """The table's batch is extend's: payloads, ids, known_at texts and events."""
    made = [prepare(found), prepare_table(table)]
    expected, actual = ((b.payloads, b.ids, b.known_at_texts, b.events) for b in made)
    assert expected == actual


@settings(max_examples=150, deadline=None)
@given(st.lists(_figure(), min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_repeated_values_give_the_batch_of_extend(found: list[Event], random: Any) -> None:
    columns = _columns(found)
    # The same instants spelt two ways, or given as aware datetimes, in one column.
    spelt = [
        None if t is None else random.choice([t, t.replace("+00:00", "Z"), _aware(t)])
        for t in columns["known_at"]
    ]
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    frame["known_at"] = pd.Series(spelt, dtype=object)
    _assert_same_batch(found, frame)
    _assert_same_batch(found, pd.DataFrame(columns))  # (numbers in a float64 column)
    _assert_same_batch(found, pa.table(columns))
    stamped = pd.DataFrame(columns)  # instants as aware timestamps, NaT where empty
    for name in ("known_at", "period.start", "period.end"):
        if name in columns:
            texts = pd.Series(columns[name], dtype=object)
            stamped[name] = pd.to_datetime(texts, utc=True, format="ISO8601")
    _assert_same_batch(found, stamped)


def _aware(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_zero_keeps_its_sign_beside_the_other_zero() -> None:
    found: list[Event] = [
        TradeProjectionRevised(subject="trade/a", known_at=_START, quantity=Quantity(value, "kt"))
        for value in (0.0, -0.0, 5.0, -0.0)
    ]
    actual = prepare_table(pd.DataFrame(_columns(found)))
    assert ['"value":0.0', '"value":-0.0', '"value":5.0', '"value":-0.0'] == [
        p[p.index('"value"') : p.index("}", p.index('"value"'))] for p in actual.payloads
    ]
    _assert_same_batch(found, pd.DataFrame(_columns(found)))


def test_repeated_quantities_are_equal_values_of_their_rows() -> None:
    found = [
        TradeProjectionRevised(subject="trade/a", known_at=_START, quantity=Quantity(value, unit))
        for value, unit in [(1.5, "kt"), (1.5, "Mt"), (1.5, "kt"), (2.0, "kt")]
    ]
    events: list[Any] = prepare_table(pd.DataFrame(_columns(list(found)))).events
    assert [e.quantity for e in found] == [e.quantity for e in events]


def test_type_cells_that_are_not_text_go_to_the_row_path_naming_their_row() -> None:
    found: list[Event] = [
        TradeProjectionRevised(subject="trade/a", known_at=_START, quantity=Quantity(1.0, "kt"))
    ] * 3
    columns = _columns(found)
    columns["type"][2] = ["trade.projection_revised"]  # unhashable: no tag
    with pytest.raises(RowError) as caught:
        Chronicle().extend_table(pd.DataFrame(columns))
    assert 2 == caught.value.row
