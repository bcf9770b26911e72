"""Views as columns (chronology.view_records.view_batches): the Arrow table and the pandas
frame are built column by column, in batches, never from the records; they must hold exactly
the records' cells, in the same order, for any view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import as_of_questions, events

from chronology import Chronicle, Source
from chronology.events import Event, TradeProjected, VisitAnnounced
from chronology.expectations import Expectation
from chronology.frames import (
    batches_to_columns,
    batches_to_records,
    columns_to_arrow,
)
from chronology.quantity import Quantity
from chronology.testing import FakeClock
from chronology.view_records import VIEW_COLUMNS, VIEW_TYPES, view_batches

_TICK = timedelta(microseconds=1)
# The descriptive fields, read as they are (tuples joined): the columns between the counts and
# the hedge.
_TEXT_COLUMNS = VIEW_COLUMNS[VIEW_COLUMNS.index("reports") + 1 : VIEW_COLUMNS.index("likelihood")]


def _text(value: Any) -> str | None:
    if isinstance(value, tuple):
        return "; ".join(value) if value else None
    return value  # type: ignore[no-any-return]


def _plain_record(e: Expectation) -> dict[str, Any]:
    """The documented columns of one expectation, read field by field: the plain rule the
    batched, compiled reading must agree with."""
    window = e.window
    quantity = getattr(e, "quantity", None)
    scope = getattr(e, "scope", None)
    report = e.report(scope) if hasattr(e, "report") else None
    return {
        "subject": e.subject,
        "kind": e.kind,
        "status": e.status.value,
        "partial": e.partial,
        "window_start": None if window is None else window.start,
        "window_end": None if window is None else window.end,
        "window_last_day": None
        if window is None or window.end is None
        else (window.end - _TICK).date(),
        "window_label": None if window is None else window.label,
        "window_approximate": None if window is None else window.approximate,
        "window_uncertain": None if window is None else window.uncertain,
        "value": None if quantity is None else quantity.value,
        "unit": None if quantity is None else quantity.unit,
        "low": None if quantity is None else quantity.low,
        "high": None if quantity is None else quantity.high,
        "approximate": None if quantity is None else quantity.approximate,
        "scope": scope,
        "reported_value": None if report is None else report.quantity.value,
        "reported_unit": None if report is None else report.quantity.unit,
        "reported_preliminary": None if report is None else report.preliminary,
        "reported_known_at": None if report is None else report.known_at,
        "projections": len(e.projections) if hasattr(e, "projections") else None,
        "reports": len(e.reports) if hasattr(e, "reports") else None,
        **{name: _text(getattr(e, name, None)) for name in _TEXT_COLUMNS},
        "likelihood": None if e.likelihood is None else e.likelihood.value,
        "probability": e.probability,
        "sources": "; ".join(dict.fromkeys(s.name for s in e.sources)),
        "first_known_at": e.first_known_at,
        "updated_at": e.updated_at,
    }


def _chronicle(content: list[Event]) -> Chronicle:
    c = Chronicle(clock=FakeClock())
    for event in content:
        c.append(event)
    return c


@settings(max_examples=40, deadline=None)
@given(
    content=st.lists(events(), min_size=1, max_size=14),
    when=as_of_questions(),
    size=st.integers(1, 4),
)
def test_the_batched_columns_are_the_documented_records(
    content: list[Event], when: datetime | date | str, size: int
) -> None:
    view = _chronicle(content).as_of(when)
    expected = [_plain_record(e) for e in view.expectations()]
    if expected:
        assert list(VIEW_COLUMNS) == list(expected[0])  # the plain rule states every column
    assert expected == view.to_records()
    # Small batches: several of them, and batches of mixed kinds put back in order.
    batches = list(view_batches(view.expectations(), size=size))
    assert expected == batches_to_records(batches, VIEW_COLUMNS)
    columns = batches_to_columns(view_batches(view.expectations(), size=size), VIEW_COLUMNS)
    assert {c: [r[c] for r in expected] for c in VIEW_COLUMNS} == columns


@settings(max_examples=40, deadline=None)
@given(content=st.lists(events(), min_size=1, max_size=14), when=as_of_questions())
def test_to_arrow_holds_the_records_cells(
    content: list[Event], when: datetime | date | str
) -> None:
    pytest.importorskip("pyarrow")
    view = _chronicle(content).as_of(when)
    records = view.to_records()
    table = view.to_arrow()
    assert list(VIEW_COLUMNS) == table.schema.names
    # The documented mapping: instants come back as the same instants in UTC, days as days,
    # text, numbers and flags as they are.
    assert records == table.to_pylist()
    instants = [c for c, kind in VIEW_TYPES.items() if kind == "instant"]

    def stamps(rows: list[dict[str, Any]]) -> list[list[str | None]]:
        return [
            [None if r[c] is None else r[c].astimezone(UTC).isoformat() for c in instants]
            for r in rows
        ]

    assert stamps(records) == stamps(table.to_pylist())


@settings(max_examples=25, deadline=None)
@given(content=st.lists(events(), min_size=1, max_size=14), when=as_of_questions())
def test_to_pandas_is_the_frame_of_the_records(
    content: list[Event], when: datetime | date | str
) -> None:
    pandas = pytest.importorskip("pandas")
    view = _chronicle(content).as_of(when)
    expected = pandas.DataFrame.from_records(view.to_records(), columns=list(VIEW_COLUMNS))
    pandas.testing.assert_frame_equal(expected, view.to_pandas())


def test_a_batch_of_several_kinds_keeps_the_order_of_the_view() -> None:
    c = Chronicle()
    for i in range(5):
        c.append(
            VisitAnnounced(
                subject=f"s/{i}a", known_at="2024-04-03T12:00Z", window=f"2024-05-0{i + 1}"
            )
        )
        c.append(
            TradeProjected(
                subject=f"s/{i}b",
                known_at="2024-04-03T12:00Z",
                period="2024-05",
                quantity=Quantity(i, "Mt"),
            )
        )
    view = c.as_of("2024-04-04")
    expectations = view.expectations()
    for size in (1, 3, 4, 1024):
        batches = list(view_batches(expectations, size=size))
        records = batches_to_records(batches, VIEW_COLUMNS)
        expected = [
            (f"s/{i}{k}", kind) for i in range(5) for k, kind in (("a", "visit"), ("b", "trade"))
        ]
        assert expected == [(r["subject"], r["kind"]) for r in records]
        assert [None, 0.0, None, 1.0] == [r["value"] for r in records[:4]]
    assert [] == list(view_batches([]))


def test_instants_reach_arrow_as_pyarrow_would_convert_them() -> None:
    pyarrow = pytest.importorskip("pyarrow")
    cells = [
        datetime(2024, 4, 8, 12, 30, 1, 123456, tzinfo=UTC),
        None,
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime.fromisoformat("2024-04-08T12:00:00+05:45"),
    ]
    table = columns_to_arrow({"at": cells}, {"at": "instant"})
    expected = pyarrow.array(cells, type=pyarrow.timestamp("us", "UTC"))
    assert expected.to_pylist() == table.column("at").to_pylist()
    assert "timestamp[us, tz=UTC]" == str(table.schema.field("at").type)


def test_sources_of_one_name_are_named_once() -> None:
    c = Chronicle()
    reuters = Source("Reuters")
    c.append(VisitAnnounced(subject="v/1", known_at="2024-04-03T12:00Z", source=reuters))
    c.append(
        VisitAnnounced(
            subject="v/1",
            known_at="2024-04-04T12:00Z",
            source=Source("Reuters", url="https://example.org/a"),
        )
    )
    c.append(VisitAnnounced(subject="v/2", known_at="2024-04-03T12:00Z", source=reuters))
    c.append(VisitAnnounced(subject="v/2", known_at="2024-04-04T12:00Z", source=Source("TASS")))
    c.append(VisitAnnounced(subject="v/3", known_at="2024-04-04T12:00Z", source=Source("TASS")))
    c.append(VisitAnnounced(subject="v/3", known_at="2024-04-05T12:00Z", source=reuters))
    c.append(VisitAnnounced(subject="v/3", known_at="2024-04-06T12:00Z", source=Source("AP")))
    view = c.as_of("2024-04-07")
    assert 2 == len(view["v/1"].sources)
    expected = ["Reuters", "Reuters; TASS", "TASS; Reuters; AP"]
    assert expected == [r["sources"] for r in view.to_records()]
