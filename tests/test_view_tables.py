"""Views and histories as tables (chronology.view_records), and the Parquet export of the log
(chronology.parquet): stable columns, plain values, typed Arrow schemas, atomic files."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

from chronology import (
    Chronicle,
    History,
    MissingExtraError,
    Quantity,
    Record,
    Source,
    Status,
    StoreError,
)
from chronology.events import (
    Likelihood,
    Retracted,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitOccurred,
)
from chronology.parquet import PARQUET_COLUMNS
from chronology.view_records import (
    HISTORY_COLUMNS,
    VIEW_COLUMNS,
    VIEW_TYPES,
    expectation_row,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


def _chronicle() -> Chronicle:
    c = Chronicle()
    c.extend(
        [
            VisitAnnounced(
                subject="visit/x",
                known_at="2024-04-03T12:00Z",
                source=Source("Reuters"),
                visitor="Lavrov",
                host="China",
                counterparts=("Wang Yi", "Xi Jinping"),
                window="2024-04-08/2024-04-09",
                likelihood="probable",
            ),
            TradeProjected(
                subject="trade/y",
                known_at="2024-03-18T12:00Z",
                source=Source("Kpler"),
                period="2024-03",
                quantity=Quantity(1.7, "mb/d"),
                scope="sea",
            ),
            TradeProjectionRevised(
                subject="trade/y",
                known_at="2024-03-25T12:00Z",
                source=Source("Kpler"),
                quantity=Quantity(1.75, "mb/d"),
                scope="sea",
            ),
            TradeReported(
                subject="trade/y",
                known_at="2024-04-20T12:00Z",
                source=Source("Kpler"),
                period="2024-03",
                quantity=Quantity(1_820, "kb/d"),
                scope="sea",
                preliminary=True,
            ),
        ]
    )
    return c


def test_a_view_is_one_row_per_expectation_with_stable_columns() -> None:
    rows = _chronicle().as_of("2024-04-21").to_records()
    assert [list(VIEW_COLUMNS)] * 2 == [list(r) for r in rows]
    trade, visit = rows
    expected_trade = {
        "subject": "trade/y",
        "kind": "trade",
        "status": "reported",
        "window_start": datetime(2024, 3, 1, tzinfo=UTC),
        "window_end": datetime(2024, 4, 1, tzinfo=UTC),
        "window_last_day": date(2024, 3, 31),
        "value": 1.75,
        "unit": "mb/d",
        "scope": "sea",
        "reported_value": 1820.0,
        "reported_unit": "kb/d",
        "reported_preliminary": True,
        "reported_known_at": _at("2024-04-20"),
        "projections": 2,
        "reports": 1,
        "visitor": None,
        "sources": "Kpler",
    }
    assert expected_trade == {k: trade[k] for k in expected_trade}
    expected_visit = {
        "subject": "visit/x",
        "kind": "visit",
        "status": "overdue",
        "window_start": datetime(2024, 4, 8, tzinfo=UTC),
        "window_end": datetime(2024, 4, 10, tzinfo=UTC),
        "window_last_day": date(2024, 4, 9),
        "window_label": None,
        "value": None,
        "unit": None,
        "projections": None,
        "visitor": "Lavrov",
        "host": "China",
        "counterparts": "Wang Yi; Xi Jinping",
        "likelihood": "probable",
        "first_known_at": _at("2024-04-03"),
        "updated_at": _at("2024-04-03"),
    }
    assert expected_visit == {k: visit[k] for k in expected_visit}


def test_a_history_is_long_format_one_row_per_event() -> None:
    history = _chronicle().history("trade/y")
    assert isinstance(history, History)
    assert isinstance(history, tuple)  # still the tuple of changes it was
    rows = history.to_records()
    assert [list(HISTORY_COLUMNS)] * 3 == [list(r) for r in rows]
    expected = [
        ("trade.projected", _at("2024-03-18"), 1.7, "mb/d", "projected", None),
        ("trade.projection_revised", _at("2024-03-25"), 1.75, "mb/d", "revised", None),
        ("trade.reported", _at("2024-04-20"), 1820.0, "kb/d", "reported", True),
    ]
    actual = [
        (r["type"], r["known_at"], r["value"], r["unit"], r["status"], r["preliminary"])
        for r in rows
    ]
    assert expected == actual
    # The revision gave no period: the target is the expectation's period after it.
    assert [date(2024, 3, 31)] * 3 == [r["target_last_day"] for r in rows]
    assert ["Kpler"] * 3 == [r["source"] for r in rows]
    stamps = [r["recorded_at"] for r in rows]
    assert all(isinstance(t, datetime) and t.tzinfo is not None for t in stamps)


def test_the_oil_demand_vintages_are_one_groupby_away() -> None:
    pytest.importorskip("pandas")
    c = Chronicle()
    c.import_jsonl(SEEDS / "oil-demand-2024.jsonl")
    frame = c.history("figure/world-oil-demand-growth-2024/opec").to_pandas()
    projected = frame[frame["type"] != "figure.reported"]
    last = projected.groupby("source")["value"].last().to_dict()
    assert {"Business Standard": 1.93, "CNBC Africa": 2.03, "OPEC": 1.61, "Reuters": 2.11} == last
    assert [2.25, 2.11, 2.03, 1.93, 1.82, 1.61] == sorted(set(projected["value"]), reverse=True)


def test_arrow_schemas_are_typed_even_when_every_cell_is_empty() -> None:
    pytest.importorskip("pyarrow")
    empty = Chronicle().as_of("2024-01-01").to_arrow()
    full = _chronicle().as_of("2024-04-21").to_arrow()
    assert empty.schema == full.schema
    assert list(VIEW_COLUMNS) == empty.schema.names
    assert "timestamp[us, tz=UTC]" == str(full.schema.field("window_start").type)
    assert "date32[day]" == str(full.schema.field("window_last_day").type)
    assert [1.75, None] == full.column("value").to_pylist()
    history = _chronicle().history("visit/x").to_arrow()
    assert list(HISTORY_COLUMNS) == history.schema.names
    assert [datetime(2024, 4, 8, tzinfo=UTC)] == history.column("target_start").to_pylist()


def test_pandas_frames_of_views_keep_the_columns() -> None:
    pytest.importorskip("pandas")
    frame = _chronicle().as_of("2024-04-21").to_pandas()
    assert list(VIEW_COLUMNS) == list(frame.columns)
    assert ["trade/y", "visit/x"] == list(frame["subject"])


def test_a_kind_without_some_fields_leaves_their_columns_empty() -> None:
    @attrs.frozen(kw_only=True)
    class Petition:
        subject: str
        status: Status
        signatures: int
        likelihood: Likelihood | None = None
        sources: tuple[Source, ...] = ()
        first_known_at: datetime
        updated_at: datetime
        partial: bool = False
        kind = "petition"

    at = _at("2024-01-02")
    value = Petition(
        subject="p", status=Status.ANNOUNCED, signatures=3, first_known_at=at, updated_at=at
    )
    row = dict(zip(VIEW_COLUMNS, expectation_row(value), strict=True))  # type: ignore[arg-type]
    assert ("p", "petition", "announced") == (row["subject"], row["kind"], row["status"])
    assert [] == [k for k, v in row.items() if v is not None and k not in VIEW_TYPES]
    empty = {"window_start", "value", "visitor", "reported_value", "projections", "likelihood"}
    assert dict.fromkeys(empty) == {k: row[k] for k in empty}


def test_export_parquet_round_trips_records(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    c = _chronicle()
    first = next(iter(c))
    c.append(
        Retracted(
            subject="visit/x", known_at="2024-04-05T12:00Z", target=first.event_id, reason="typo"
        )
    )
    path = tmp_path / "log.parquet"
    assert 5 == c.export_parquet(path)
    table = pq.read_table(path)
    assert list(PARQUET_COLUMNS) == table.schema.names
    rows = table.to_pylist()
    records = list(c)
    assert [r.position for r in records] == [row["position"] for row in rows]
    assert [r.hash for r in records] == [row["hash"] for row in rows]
    assert [r.recorded_at for r in records] == [row["recorded_at"] for row in rows]
    assert [type(r.event).tag for r in records] == [row["type"] for row in rows]
    exported = json.loads(c.store.raw().__next__().payload)
    assert exported == json.loads(rows[0]["payload"])
    third = rows[2]
    expected = {
        "subject": "trade/y",
        "source": "Kpler",
        "known_at": _at("2024-03-25"),
        "value": 1.75,
        "unit": "mb/d",
        "scope": "sea",
        "target_start": None,
    }
    assert expected == {k: third[k] for k in expected}
    assert (first.event_id, "typo") == (rows[4]["target_event"], rows[4]["reason"])
    assert date(2024, 4, 9) == rows[0]["target_last_day"]


def test_export_parquet_of_an_empty_chronicle_has_the_schema(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "empty.parquet"
    assert 0 == Chronicle().export_parquet(path)
    assert (0, list(PARQUET_COLUMNS)) == (pq.read_table(path).num_rows, pq.read_schema(path).names)


def test_export_parquet_from_sqlite(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    with Chronicle.open(tmp_path / "c.db") as c:
        c.import_jsonl(SEEDS / "blinken-china-2023.jsonl")
        count = c.export_parquet(tmp_path / "c.parquet")
        assert len(c) == count
        assert [r.event_id for r in c] == pq.read_table(tmp_path / "c.parquet")[
            "event_id"
        ].to_pylist()


def test_export_parquet_refuses_a_directory_and_keeps_an_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    with pytest.raises(StoreError, match="a directory, not a regular file"):
        _chronicle().export_parquet(tmp_path)
    old = tmp_path / "old.parquet"
    old.write_bytes(b"old")
    c = _chronicle()
    c.append(VisitOccurred(subject="visit/x", known_at="2024-04-08T12:00Z", window="2024-04-08"))
    calls = 0
    real = c.store.records

    def failing() -> Iterator[Record]:
        nonlocal calls
        for record in real():
            calls += 1
            if calls == 3:
                raise StoreError("read failed")
            yield record

    monkeypatch.setattr(c.store, "records", failing)
    with pytest.raises(StoreError, match="read failed"):
        c.export_parquet(old)
    assert b"old" == old.read_bytes()
    assert [old] == list(tmp_path.iterdir())  # no temporary file left behind


def test_export_parquet_names_the_arrow_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A None in sys.modules makes importing that name fail, as if it were not installed.
    for name in ("pyarrow", "pyarrow.parquet", "pandas"):
        monkeypatch.setitem(sys.modules, name, None)
    c = _chronicle()
    with pytest.raises(MissingExtraError, match=r"expectation-chronology\[arrow\]"):
        c.export_parquet(tmp_path / "x.parquet")
    assert [] == list(tmp_path.iterdir())
    with pytest.raises(MissingExtraError, match=r"\[arrow\]"):
        c.as_of("2024-04-21").to_arrow()
    with pytest.raises(MissingExtraError, match=r"\[pandas\]"):
        c.history("trade/y").to_pandas()
