"""Bulk paths (chronology.bulk): rows, JSONL and tables give the events the strict reader gives,
and a batch with any bad row appends nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import events

from chronology import Chronicle, Quantity, RowError, Source, Window
from chronology.bulk import event_from_row, events_from_rows, rows_from_table
from chronology.errors import EventError
from chronology.events import Event, TradeProjected, TradeProjectionRevised, VisitCancelled
from chronology.serialization import event_from_dict, event_to_dict, payload_of


def _row(event: Event) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(payload_of(event))
    return loaded


def _projected(subject: str = "trade/a", value: float = 900.5) -> TradeProjected:
    return TradeProjected(
        subject=subject,
        known_at="2024-03-01T12:00:00Z",
        source=Source("Kpler"),
        exporter="Russia",
        importer="China",
        period=Window.parse("2024-03"),
        quantity=Quantity(value, "kt"),
        claims=("record monthly volume",),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(events(), max_size=8))
def test_rows_of_canonical_payloads_give_the_same_events_and_records(found: list[Event]) -> None:
    expected = Chronicle(max_skew=None)
    expected_records = expected.extend(found)
    actual = Chronicle(max_skew=None)
    actual_records = actual.extend_rows([_row(e) for e in found])
    assert [r.event_id for r in expected_records] == [r.event_id for r in actual_records]
    assert [r.event for r in expected_records] == [r.event for r in actual_records]


@settings(max_examples=150, deadline=None)
@given(events())
def test_a_row_reads_as_the_strict_reader_reads_it(event: Event) -> None:
    row = event_to_dict(event)
    assert event_from_dict(row) == event_from_row(row)


def test_exported_record_keys_are_ignored() -> None:
    row = {**_row(_projected()), "position": 7, "recorded_at": "x", "event_id": "y", "hash": "z"}
    assert _projected() == event_from_row(row)


def test_other_spellings_take_the_strict_path_and_give_the_same_event() -> None:
    row = _row(_projected())
    row["known_at"] = "2024-03-01T14:00:00+02:00"  # not UTC: the generated reader declines
    row["claims"] = ("record monthly volume",)  # a tuple, not a list
    assert _projected() == event_from_row(row)


def test_a_string_where_a_list_belongs_is_not_split_into_letters() -> None:
    # The generated reader accepts any iterable of strings; the row must read back as the
    # event's canonical form, so this row goes to the strict reader, which refuses it.
    row = _row(_projected())
    row["claims"] = "record"
    with pytest.raises(EventError) as strict:
        event_from_dict(row)
    with pytest.raises(EventError) as bulk:
        event_from_row(row)
    assert str(strict.value) == str(bulk.value)


def test_an_integer_too_large_for_a_float_field_gets_the_strict_readers_error() -> None:
    # The generated reader overflows converting it; the strict reader names the field.
    row = _row(VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z"))
    row["type"] = "plan.postponed"
    row["subject"] = "plan/a"
    row["probability"] = 10**400
    with pytest.raises(EventError) as strict:
        event_from_dict(row)
    with pytest.raises(EventError) as bulk:
        event_from_row(row)
    assert str(strict.value) == str(bulk.value)


def test_the_constructor_checks_rows_in_canonical_form() -> None:
    # Canonical in shape, but the subject is empty: the class's own validator refuses it.
    row = _row(VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z"))
    row["subject"] = ""
    with pytest.raises(RowError) as caught:
        events_from_rows([_row(_projected()), row])
    assert 1 == caught.value.row
    assert "subject" in str(caught.value)
    assert str(caught.value).startswith("row 1: ")


def test_aware_datetimes_are_accepted_and_naive_ones_refused_naming_the_field() -> None:
    row = _row(VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z"))
    row["known_at"] = datetime(2024, 4, 5, tzinfo=UTC)
    assert VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z") == event_from_row(row)
    row["known_at"] = datetime(2024, 4, 5)
    with pytest.raises(RowError) as caught:
        Chronicle().extend_rows([row])
    assert "row 0: row.known_at: naive datetime" in str(caught.value)


def test_a_failed_bulk_appends_nothing() -> None:
    c = Chronicle()
    c.append(_projected("trade/first"))
    bad = {"type": "trade.projection_revised", "subject": "trade/a", "known_at": "soon"}
    with pytest.raises(RowError) as caught:
        c.extend_rows([_row(_projected()), _row(_projected("trade/b")), bad])
    assert 2 == caught.value.row
    assert 1 == len(c)
    with pytest.raises(RowError, match=r"row 0: expected a JSON object, got list"):
        c.extend_rows([["not", "a", "row"]])  # type: ignore[list-item]
    assert 1 == len(c)


def test_duplicates_in_rows_return_the_stored_record() -> None:
    c = Chronicle()
    first = c.append(_projected())
    records = c.extend_rows([_row(_projected()), _row(_projected())])
    assert [first.position, first.position] == [r.position for r in records]
    assert 1 == len(c)


def test_an_empty_bulk_stores_nothing() -> None:
    c = Chronicle()
    assert [] == c.extend_rows([])
    assert 0 == len(c)


def _table_rows() -> list[Event]:
    return [
        _projected(),
        TradeProjectionRevised(
            subject="trade/a",
            known_at="2024-03-05T06:30:00Z",
            source=Source("Vortexa"),
            quantity=Quantity(910.25, "kt"),
        ),
    ]


def _columns() -> dict[str, list[Any]]:
    return {
        "type": ["trade.projected", "trade.projection_revised"],
        "subject": ["trade/a", "trade/a"],
        "known_at": [
            datetime(2024, 3, 1, 12, tzinfo=UTC),
            datetime(2024, 3, 5, 6, 30, tzinfo=UTC),
        ],
        "source.name": ["Kpler", "Vortexa"],
        "exporter": ["Russia", None],
        "importer": ["China", None],
        "period.start": [datetime(2024, 3, 1, tzinfo=UTC), None],
        "period.end": [datetime(2024, 4, 1, tzinfo=UTC), None],
        "quantity.value": [900.5, 910.25],
        "quantity.unit": ["kt", "kt"],
        "claims": [["record monthly volume"], None],
    }


def test_a_pandas_table_gives_the_events_it_describes() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_columns())
    c = Chronicle()
    records = c.extend_table(frame)
    assert _table_rows() == [r.event for r in records]


def test_an_arrow_table_gives_the_events_it_describes() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table(_columns())
    assert _table_rows() == [r.event for r in Chronicle().extend_table(table)]


def test_a_naive_timestamp_column_is_refused_naming_row_and_column() -> None:
    pd = pytest.importorskip("pandas")
    columns = _columns()
    columns["known_at"] = [datetime(2024, 3, 1, 12), datetime(2024, 3, 5, 6, 30)]
    c = Chronicle()
    with pytest.raises(RowError) as caught:
        c.extend_table(pd.DataFrame(columns))
    assert 0 == caught.value.row
    assert "known_at: naive datetime" in str(caught.value)
    assert 0 == len(c)


def test_rows_from_table_refuses_what_is_not_a_table() -> None:
    with pytest.raises(EventError, match="expected a pandas DataFrame or a pyarrow Table"):
        rows_from_table([{"type": "visit.cancelled"}])
