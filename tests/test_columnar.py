"""The columnar path of extend_table (chronology.columnar): the same payloads, ids, events and
records as extend, every bad cell refused naming its row and column, nothing appended then."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import events

from chronology import Chronicle, Quantity, RowError, Source, Window
from chronology.columnar import prepare_table
from chronology.events import (
    Event,
    Retracted,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
)
from chronology.record import prepare
from chronology.serialization import payload_of

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict) and value:  # (an empty one, an open window, stays a cell)
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _columns(found: list[Event]) -> dict[str, list[Any]]:
    """The events' wire rows as a table's columns (nested fields named with dots)."""
    flat = [_flat(json.loads(payload_of(e))) for e in found]
    names = sorted({name for row in flat for name in row})
    return {name: [row.get(name) for row in flat] for name in names}


def _frame(columns: dict[str, list[Any]]) -> Any:
    # Object columns: pandas would otherwise make a column of ints and empty cells floats.
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def _assert_same_batch(found: list[Event], table: Any) -> None:
    expected = prepare(found)
    actual = prepare_table(table)
    assert expected.payloads == actual.payloads
    assert expected.ids == actual.ids
    assert expected.known_at_texts == actual.known_at_texts
    assert expected.events == actual.events
    assert [type(e) for e in expected.events] == [type(e) for e in actual.events]


@settings(max_examples=100, deadline=None)
@given(st.lists(events(), min_size=1, max_size=12))
def test_a_table_of_any_events_gives_the_payloads_ids_and_events_of_extend(
    found: list[Event],
) -> None:
    _assert_same_batch(found, _frame(_columns(found)))


@settings(max_examples=50, deadline=None)
@given(st.lists(events(), min_size=1, max_size=12))
def test_aware_timestamp_columns_give_the_same_batch(found: list[Event]) -> None:
    columns = _columns(found)
    frame = _frame(columns)
    frame["known_at"] = pd.to_datetime(pd.Series(columns["known_at"]), utc=True, format="ISO8601")
    _assert_same_batch(found, frame)


def _figures(n: int) -> list[Event]:
    out: list[Event] = []
    source = Source("Kpler")
    for i in range(n):
        subject = f"trade/f-{i // 3}"
        known_at = datetime(2024, 3, 1, 12, i % 60, i % 59, (i * 7919) % 1_000_000, tzinfo=UTC)
        quantity = Quantity(900.0 + i / 7, "kt")
        if i % 3 == 0:
            out.append(
                TradeProjected(
                    subject=subject,
                    known_at=known_at,
                    source=source,
                    exporter="Russia",
                    period=Window.parse("2024-03"),
                    quantity=quantity,
                )
            )
        elif i % 3 == 1:
            out.append(
                TradeProjectionRevised(
                    subject=subject, known_at=known_at, source=source, quantity=quantity
                )
            )
        else:
            out.append(
                TradeReported(
                    subject=subject,
                    known_at=known_at,
                    source=Source("Customs"),
                    quantity=quantity,
                    period=Window.parse("2024-03"),
                    preliminary=i % 2 == 0,
                )
            )
    return out


def test_pandas_and_arrow_tables_of_figures_store_the_records_of_extend() -> None:
    found = _figures(300)
    expected = Chronicle(clock=lambda: datetime(2025, 1, 1, tzinfo=UTC))
    expected_records = expected.extend(found)
    columns = _columns(found)
    for table in (pd.DataFrame(columns), pa.table(columns)):
        actual = Chronicle(clock=lambda: datetime(2025, 1, 1, tzinfo=UTC))
        records = actual.extend_table(table)
        assert expected_records == records
        assert expected.head() == actual.head()
        actual.verify()


def test_an_arrow_table_with_a_timestamp_column_gives_the_same_batch() -> None:
    found = _figures(30)
    columns = _columns(found)
    table = pa.table(columns)
    stamps = pa.array(
        [datetime.fromisoformat(t) for t in columns["known_at"]], pa.timestamp("ns", tz="UTC")
    )
    table = table.set_column(table.column_names.index("known_at"), "known_at", stamps)
    _assert_same_batch(found, table)


def test_z_offsets_and_other_zones_give_the_canonical_instants() -> None:
    found = _figures(6)
    columns = _columns(found)
    columns["known_at"] = [t.replace("+00:00", "Z") for t in columns["known_at"]]
    columns["known_at"][1] = "2024-03-01T14:01:01.007919+02:00"  # the same instant as row 1's
    assert found[1].known_at == datetime.fromisoformat(columns["known_at"][1])
    _assert_same_batch(found, pd.DataFrame(columns))


def test_a_version_column_of_the_class_version_takes_the_columns() -> None:
    found: list[Event] = [
        VisitAnnounced(
            subject=f"visit/{i}",
            known_at="2024-04-03T10:00:00Z",
            visitor="Sergei Lavrov",
            counterparts=("Wang Yi",),
            window=Window.parse("2024-04-08/2024-04-09"),
            likelihood="probable",
            probability=0.75,
        )
        for i in range(4)
    ]
    columns = _columns(found)
    assert [2, 2, 2, 2] == columns["v"]
    _assert_same_batch(found, _frame(columns))


def test_duplicates_and_retractions_are_stored_as_extend_stores_them() -> None:
    first = _figures(3)
    c = Chronicle()
    stored = c.extend(first)
    target = stored[1]
    retraction = Retracted(
        subject=target.subject, known_at="2024-03-02T00:00:00Z", target=target.event_id
    )
    again = [*first, retraction, retraction]
    records = c.extend_table(_frame(_columns(again)))
    assert [r.position for r in stored] == [r.position for r in records[:3]]
    assert [4, 4] == [records[3].position, records[4].position]
    assert 4 == len(c)


@pytest.mark.parametrize(
    ("column", "row", "cell", "says"),
    [
        ("known_at", 2, "2024-03-01T12:00:00", "has no UTC offset"),
        ("known_at", 1, "yesterday", "known_at"),
        ("known_at", 1, None, "known_at"),
        ("subject", 2, "  ", "subject"),
        ("subject", 1, 7, "subject"),
        ("quantity.value", 1, math.inf, "finite"),
        ("quantity.value", 2, "900", "quantity"),
        ("quantity.unit", 1, "", "unit"),
        ("period.end", 0, "2023-01-01T00:00:00+00:00", "period"),
        ("source.name", 4, "", "name"),
        ("preliminary", 2, 1, "preliminary"),
        ("type", 3, "trade.nonsense", "trade.nonsense"),
    ],
)
def test_a_bad_cell_is_refused_naming_its_row_and_nothing_is_stored(
    column: str, row: int, cell: Any, says: str
) -> None:
    columns = _columns(_figures(6))
    columns[column][row] = cell
    c = Chronicle()
    c.extend(_figures(1))
    with pytest.raises(RowError) as caught:
        c.extend_table(_frame(columns))
    assert row == caught.value.row
    assert says in str(caught.value)
    assert 1 == len(c)


def test_a_bad_cell_the_columns_found_names_its_column() -> None:
    columns = _columns(_figures(6))
    columns["quantity.value"][4] = math.inf
    with pytest.raises(RowError, match=r"row 4: .*finite.*\(column 'quantity\.value'\)"):
        Chronicle().extend_table(_frame(columns))


def test_the_first_bad_row_is_named_whatever_the_event_type() -> None:
    columns = _columns(_figures(6))
    columns["quantity.unit"][5] = ""  # a revision
    columns["subject"][3] = ""  # a projection, earlier
    with pytest.raises(RowError) as caught:
        Chronicle().extend_table(_frame(columns))
    assert 3 == caught.value.row


def test_a_cell_in_a_column_the_event_has_not_is_refused() -> None:
    columns = _columns(_figures(3))
    columns["exporter"][1] = "Russia"  # row 1 is a revision: it has no exporter
    with pytest.raises(RowError) as caught:
        Chronicle().extend_table(_frame(columns))
    assert 1 == caught.value.row
    assert "exporter" in str(caught.value)


def test_an_empty_table_stores_nothing() -> None:
    c = Chronicle()
    assert [] == c.extend_table(pd.DataFrame({"type": [], "subject": []}))
    assert 0 == len(c)
