"""Shelved snapshots (issue 19): kept by the store between runs, never changing an answer.

The property: whatever the log (any arrival order, retractions, late arrivals after the
snapshot was shelved), a view through a shelved-and-reloaded snapshot equals a naive fold of
the same records, for any ``as_of`` and ``recorded_by``. The other tests pin the text form,
the SQLite table, the hash check, the shelving rule, ``verify`` and the CLI.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import as_of_questions, events, retractions_of

from chronology import Chronicle, Quantity, Source, View, Window
from chronology._vintages import VintageCut, raw_reader
from chronology.cli import cli
from chronology.errors import IntegrityError
from chronology.events import (
    Event,
    StatementMade,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
)
from chronology.expectations import Status, TradeExpectation, VisitExpectation
from chronology.fold import past_due
from chronology.snapshot_columns import (
    Sections,
    split_sizes,
    text_column,
    uninterned_column,
    untext_column,
)
from chronology.snapshot_text import (
    TEXT_FORMAT,
    ShelvedSnapshot,
    SnapshotTextError,
    read_header,
    read_snapshot,
    snapshot_text,
)
from chronology.snapshots import Snapshots
from chronology.stores import Store
from chronology.stores.backend import SnapshotShelf
from chronology.stores.memory import MemoryBackend
from chronology.testing.clock import FakeClock
from chronology.time import as_of_instant

T0 = datetime(2024, 4, 1, tzinfo=UTC)
DAY = timedelta(days=1)
KPLER = Source(name="Kpler", via=(Source(name="Bloomberg", kind="outlet"),))


class ListShelf(SnapshotShelf):
    """A shelf in a list (the SQLite one keeps only the newest; this one keeps them all)."""

    def __init__(self) -> None:
        self.kept: list[tuple[int, str]] = []

    def load(self) -> list[tuple[int, str]]:
        return sorted(self.kept)

    def save(self, valid_to: int, text: str) -> None:
        self.kept = [k for k in self.kept if k[0] != valid_to] + [(valid_to, text)]

    def clear(self) -> None:
        self.kept = []


class ShelvedMemory(MemoryBackend):
    """The memory backend with a shelf."""

    def __init__(self) -> None:
        super().__init__()
        self.shelf = ListShelf()

    def snapshot_shelf(self) -> SnapshotShelf:
        return self.shelf


def _shelving(c: Chronicle) -> Snapshots:
    """Fresh snapshots of ``c`` that shelve from the first record (as a new process would
    start with: nothing in memory)."""
    c.snapshots = Snapshots(c.store, shelve_from=1)
    return c.snapshots


def _naive(c: Chronicle, as_of: datetime, recorded_by: datetime | None = None) -> View:
    return View(c.store, as_of=as_of, recorded_by=recorded_by, upto=len(c))


def _same(expected: View, actual: View) -> None:
    assert expected.expectations() == actual.expectations()
    assert [type(e) for e in expected.expectations()] == [type(e) for e in actual.expectations()]
    assert expected.statements() == actual.statements()


def _figures(days: int, vintages: int) -> list[Event]:
    out: list[Event] = []
    for day in range(days):
        period = Window(T0 + timedelta(days=30 + day), T0 + timedelta(days=31 + day))
        subject = f"trade/{day}"
        for v in range(vintages):
            at = T0 + timedelta(days=day, hours=v)
            source = KPLER if v % 2 else Source(name="Vortexa")
            q = Quantity(100.0 + v, "kt")
            if v == 0:
                out.append(
                    TradeProjected(
                        subject=subject, known_at=at, period=period, quantity=q, source=source
                    )
                )
            else:
                out.append(
                    TradeProjectionRevised(subject=subject, known_at=at, quantity=q, source=source)
                )
        out.append(
            TradeReported(
                subject=subject,
                known_at=T0 + timedelta(days=60 + day),
                period=period,
                quantity=Quantity(99.5, "kt"),
                preliminary=True,
            )
        )
    out.append(
        StatementMade(
            subject="statement/1", known_at=T0, speaker="Zakharova", summary="soon", topics=("x",)
        )
    )
    return out


# -- the property ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    first=st.lists(events(), min_size=1, max_size=20),
    later=st.lists(events(), max_size=6),
    data=st.data(),
)
def test_a_view_through_a_shelved_snapshot_equals_a_refold(
    first: list[Event], later: list[Event], data: st.DataObject
) -> None:
    backend = ShelvedMemory()
    c = Chronicle(Store(backend), clock=FakeClock())
    records = c.extend(first)
    for r in data.draw(st.lists(st.sampled_from(records), max_size=3)):
        c.append(data.draw(retractions_of(r.event, r.event_id)))
    _shelving(c)
    shelved_at = as_of_instant(data.draw(as_of_questions()))
    _same(_naive(c, shelved_at), c.as_of(shelved_at))
    # Late arrivals and retractions (of anything, retractions included) after the shelf.
    c.extend(later)
    stored = list(c)
    for r in data.draw(st.lists(st.sampled_from(stored), max_size=2)):
        c.append(data.draw(retractions_of(r.event, r.event_id)))
    stored = list(c)
    loaded = _shelving(c)
    for _ in range(3):
        as_of = as_of_instant(data.draw(as_of_questions()))
        by = data.draw(st.none() | st.sampled_from([r.recorded_at for r in stored]))
        _same(_naive(c, as_of, by), c.as_of(as_of, recorded_by=by))
    if backend.shelf.kept and loaded.points():
        # The shelf was used, and what it holds refolds to itself.
        assert c.verify() == len(c)


# -- the text form --------------------------------------------------------------------------------


def test_the_text_form_round_trips_every_kind_of_value() -> None:
    c = Chronicle()
    c.extend(_figures(3, 5))
    c.append(
        VisitAnnounced(
            subject="visit/x",
            known_at=T0,
            visitor="Lavrov",
            window=Window(T0, T0 + timedelta(days=2), label="soon", approximate=True),
            agenda=("SCO", "BRICS"),
            source=KPLER,
            probability=0.7,
        )
    )
    view = c.as_of(T0 + timedelta(days=100))
    values = {e.subject: e for e in view.expectations()}
    shelved = ShelvedSnapshot(T0, 3, len(c), "ab" * 32, values, view.statements())
    text = snapshot_text(shelved)
    assert text is not None
    back = read_snapshot(text)
    assert shelved == back
    assert list(values) == list(back.values)
    header = read_header(text)
    assert (len(c), "ab" * 32, T0, 3) == (header.valid_to, header.hash, header.at, header.needs)


def test_a_read_snapshot_makes_event_ids_and_vintages_only_when_first_read() -> None:
    c = Chronicle()
    c.extend(_figures(3, 5))
    c.append(VisitAnnounced(subject="visit/x", known_at=T0, window=Window(T0, T0 + DAY * 200)))
    view = c.as_of(T0 + DAY * 100)
    values = {e.subject: e for e in view.expectations()}
    text = snapshot_text(ShelvedSnapshot(T0, 3, len(c), "ab" * 32, values, ()))
    assert text is not None
    back = read_snapshot(text).values
    fields = [("event_ids", VisitExpectation), ("projections", TradeExpectation)]
    fields += [("reports", TradeExpectation), ("event_ids", TradeExpectation)]
    for name, cls in fields:
        held = [raw_reader(cls, name)(v) for v in back.values() if type(v) is cls]
        assert held
        assert {VintageCut} == {type(h) for h in held}
    # a derived value (overdue) takes the cuts along, unmade
    overdue = past_due(back["visit/x"])
    assert VintageCut is type(raw_reader(VisitExpectation, "event_ids")(overdue))
    assert attrs.evolve(values["visit/x"], status=Status.OVERDUE) == overdue
    # read, every way, they are the values folded
    assert values == back
    assert [repr(v) for v in values.values()] == [repr(v) for v in back.values()]
    assert values == pickle.loads(pickle.dumps(back))
    assert values == {s: attrs.evolve(v) for s, v in back.items()}
    assert type(raw_reader(VisitExpectation, "event_ids")(back["visit/x"])) is tuple


_HEADER = (
    f'{{"format": {TEXT_FORMAT}, "valid_to": 1, "hash": "x", "needs": 1, "sections": 0, "at": '
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a snapshot's header"),
        ('{"format": 9}\n{}', "format 9"),
        ('{"format": 1}\n{}', "format 1; this version reads format 3"),
        ('{"format": 2}\n{}', "format 2; this version reads format 3"),
        (_HEADER + '"2024-01-01T00:00:00"}\n{}', "offset"),
        (_HEADER + '"2024-01-01T00:00:00Z"}\n[', "folded from 1 records"),
        (_HEADER + '"2024-01-01T00:00:00Z"}\n{"kinds": ["mine"]}', "mine"),
        (_HEADER + '"2024-01-01T00:00:00Z"}\n{"kinds": []}\na1 b2', "1 sections after the values"),
    ],
)
def test_a_text_that_is_not_a_snapshot_is_refused(text: str, message: str) -> None:
    with pytest.raises(SnapshotTextError, match=message):
        read_snapshot(text)


# -- SQLite ---------------------------------------------------------------------------------------


def _shelved_file(path: Path, days: int = 6, vintages: int = 10) -> tuple[list[Event], datetime]:
    log = _figures(days, vintages)
    end = T0 + timedelta(days=200)
    with Chronicle.open(path) as c:
        c.extend(log)
        _shelving(c)
        c.as_of(end).expectations()
    return log, end


def _shelf_rows(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT valid_to, text FROM snapshots").fetchall()


def test_a_full_view_shelves_its_state_in_the_file_and_the_next_open_starts_there(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.db"
    log, end = _shelved_file(path)
    [(valid_to, text)] = _shelf_rows(path)
    assert len(log) == valid_to
    assert T0 + timedelta(days=65) == read_header(text).at  # the last known_at folded
    with Chronicle.open(path, read_only=True) as c:
        loaded = _shelving(c)
        _same(_naive(c, end), c.as_of(end))
        assert [read_header(text).at] == [p.at for p in loaded.points()]
        assert c.verify() == len(log)


def test_a_snapshot_of_other_records_is_never_used(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    other = tmp_path / "other.db"
    with Chronicle.open(other) as c:
        c.extend(_figures(6, 10)[:-2])  # another log, of another length
        c.append(VisitCancelled(subject="visit/z", known_at=T0))
        c.append(VisitCancelled(subject="visit/y", known_at=T0))
        assert len(_figures(6, 10)) == len(c)
    [(valid_to, text)] = _shelf_rows(path)
    with sqlite3.connect(other) as conn:  # the shelf copied onto another file
        conn.execute("INSERT INTO snapshots VALUES (?, ?)", (valid_to, text))
    with Chronicle.open(other) as c:
        with pytest.raises(IntegrityError, match=f"position {valid_to}: the shelved snapshot"):
            c.verify()
        loaded = _shelving(c)
        _same(_naive(c, end), c.as_of(end))
        assert read_header(text).at not in [p.at for p in loaded.points()]
        # Refolded, and shelved again in its place.
        assert [text] != [t for _, t in _shelf_rows(other)]
        assert len(c) == c.verify()


def test_verify_refolds_every_shelved_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    [(valid_to, text)] = _shelf_rows(path)
    header, _, body = text.partition("\n")
    tampered = header + "\n" + body.replace("108.0", "1080.0", 1)
    assert tampered != text
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE snapshots SET text = ?", (tampered,))
    with Chronicle.open(path) as c:
        # The hash still matches: the shelf is trusted by views (verify is what checks it)...
        trade = {e.subject: e for e in c.as_of(end).expectations()}["trade/0"]
        assert 1080.0 in [v.quantity.value for v in trade.projections]  # type: ignore[union-attr]
        with pytest.raises(IntegrityError, match=f"position {valid_to}: the shelved snapshot"):
            c.verify()


def test_verify_drop_snapshots_empties_the_shelf(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE snapshots SET text = 'broken'")
    result = CliRunner().invoke(cli, ["verify", "--db", str(path), "--drop-snapshots"])
    assert 0 == result.exit_code, result.output
    assert [] == _shelf_rows(path)
    result = CliRunner().invoke(cli, ["verify", "--db", str(path), "--rebuild-snapshots"])
    assert 0 == result.exit_code, result.output
    [(valid_to, text)] = _shelf_rows(path)
    with Chronicle.open(path, read_only=True) as c:
        assert len(c) == valid_to
        loaded = _shelving(c)
        _same(_naive(c, end), c.as_of(end))
        assert [read_header(text).at] == [p.at for p in loaded.points()]
    result = CliRunner().invoke(cli, ["verify", "--db", str(tmp_path / "x.db"), "--drop-snapshots"])
    assert 1 == result.exit_code
    assert "no such chronicle" in result.output
    assert not (tmp_path / "x.db").exists()


def test_a_file_without_the_table_is_read_and_gets_it_when_opened_for_writing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE snapshots")
    with Chronicle.open(path, read_only=True) as c:
        assert c.store.snapshot_shelf() is None
        assert c.verify() > 0  # the schema check accepts the table absent
        _same(_naive(c, end), c.as_of(end))
    with Chronicle.open(path) as c:
        assert c.store.snapshot_shelf() is not None
        assert c.verify() > 0  # and present
    assert [] == _shelf_rows(path)


def test_writes_never_shelve_and_small_logs_are_not_shelved(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Chronicle.open(path) as c:
        c.extend(_figures(3, 10))
        c.snapshots = Snapshots(c.store, shelve_from=1_000)
        c.as_of(T0 + timedelta(days=200)).expectations()
        assert [] == _shelf_rows(path)
        _shelving(c)
        for day in range(5):
            c.extend(_figures(1, 3)[:1])
            c.append(VisitCancelled(subject=f"visit/{day}", known_at=T0 + timedelta(days=300)))
        assert [] == _shelf_rows(path)


def test_the_shelf_is_replaced_when_the_log_has_grown_by_an_eighth(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path, days=8)
    [(first, _)] = _shelf_rows(path)
    later = T0 + timedelta(days=300)
    with Chronicle.open(path) as c:
        _shelving(c)
        c.append(VisitCancelled(subject="visit/a", known_at=later))
        c.as_of(later).expectations()  # one record more: not worth shelving again
        assert [first] == [v for v, _ in _shelf_rows(path)]
        c.extend(
            VisitCancelled(subject=f"visit/{i}", known_at=later + timedelta(minutes=i))
            for i in range(first // 8)
        )
        c.as_of(later + timedelta(days=1)).expectations()
        assert [len(c)] == [v for v, _ in _shelf_rows(path)]
        _same(_naive(c, end), c.as_of(end))


def test_a_view_before_the_shelved_instant_neither_decodes_nor_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    _shelved_file(path)
    [(valid_to, text)] = _shelf_rows(path)
    earlier = read_header(text).at - timedelta(days=20)

    def refuse(text: str) -> None:
        raise AssertionError("a snapshot later than the view was decoded")

    monkeypatch.setattr("chronology.snapshots.read_snapshot", refuse)
    with Chronicle.open(path) as c:
        _shelving(c)
        _same(_naive(c, earlier), c.as_of(earlier))
    assert [(valid_to, text)] == _shelf_rows(path)  # the later state is kept


def test_a_late_arrival_before_the_shelved_instant_drops_it(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    with Chronicle.open(path) as c:
        c.append(VisitCancelled(subject="visit/late", known_at=T0 + timedelta(days=1)))
    with Chronicle.open(path) as c:
        loaded = _shelving(c)
        _same(_naive(c, end), c.as_of(end))
        assert "visit/late" in c.as_of(end)
        [(valid_to, text)] = _shelf_rows(path)
        assert len(c) == valid_to  # shelved again, from a refold
        assert loaded.points()
        assert json.loads(text.partition("\n")[0])["valid_to"] == len(c)


def test_a_snapshot_of_an_older_form_is_ignored_and_shelved_again(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    [(valid_to, text)] = _shelf_rows(path)
    header, _, body = text.partition("\n")
    old = json.dumps({**json.loads(header), "format": 1}) + "\n" + body
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE snapshots SET text = ?", (old,))
    with Chronicle.open(path, read_only=True) as c:
        loaded = _shelving(c)
        _same(_naive(c, end), c.as_of(end))
        assert read_header(text).at not in [p.at for p in loaded.points()]  # not used
    assert [(valid_to, old)] == _shelf_rows(path)  # a read-only process leaves it
    with Chronicle.open(path) as c:
        _shelving(c)
        _same(_naive(c, end), c.as_of(end))
    assert [(valid_to, text)] == _shelf_rows(path)  # folded again, and shelved in this form


# -- the columns ----------------------------------------------------------------------------------

_TEXTS = st.text(alphabet=st.sampled_from("ab \u00e9\n"), max_size=3)


def _read_texts(written: object, count: int, sections: list[str], lazy: bool) -> list[object]:
    found = list(untext_column(written, count, Sections("\n".join(["-", *sections]), 1), lazy=lazy))
    if not lazy or not found or type(found[0]) is tuple:
        return found
    assert {VintageCut} == {type(c) for c in found}  # split when first read
    return [c.vintages(str) for c in found]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_TEXTS, max_size=4).map(tuple), min_size=1, max_size=12), st.booleans())
def test_a_column_of_tuples_of_texts_round_trips(items: list[tuple[str, ...]], lazy: bool) -> None:
    sections: list[str] = []
    written = json.loads(json.dumps(text_column(items, sections)))
    assert "\n" not in "".join(sections)
    assert items == _read_texts(written, len(items), sections, lazy)


def test_a_column_of_distinct_tuples_of_ids_is_joined_and_split() -> None:
    items = [(f"{i:04x}", f"{i + 1:04x}") for i in range(0, 8, 2)] + [("ffff",)]
    sections = ["before"]
    written = text_column(items, sections)
    assert {"s": 1, "n": [2, 2, 2, 2, 1]} == written
    assert ["before", "0000 0001 0002 0003 0004 0005 0006 0007 ffff"] == sections
    assert items == _read_texts(written, len(items), sections, False)
    assert items == _read_texts(written, len(items), sections, True)
    assert [("a", "b"), ("c", "d")] == list(split_sizes(["a", "b", "c", "d"], {"all": 2}, 2))


def test_a_joined_column_that_does_not_cut_into_its_sizes_is_refused_before_any_read() -> None:
    with pytest.raises(ValueError, match="not 3 in all"):
        untext_column({"s": 0, "n": [1, 2]}, 2, Sections("a b", 0), lazy=True)
    with pytest.raises(ValueError, match="2 tuple sizes for 3"):
        untext_column({"s": 0, "n": [1, 2]}, 3, Sections("a b c", 0), lazy=True)


@pytest.mark.parametrize(
    ("flat", "sizes", "count"),
    [(["a"], {"all": 2}, 1), (["a", "b"], [1], 1), (["a"], [2, -1], 2), (["a"], [1, 0], 3)],
)
def test_sizes_that_do_not_cut_the_items_are_refused(
    flat: list[str], sizes: object, count: int
) -> None:
    with pytest.raises(ValueError, match="tuple"):
        list(split_sizes(flat, sizes, count))


def test_an_interned_column_naming_no_tuple_is_refused() -> None:
    with pytest.raises(IndexError):
        list(uninterned_column({"t": [["a"]], "i": [0, 1]}, 2))
    with pytest.raises(IndexError):
        list(uninterned_column({"t": [["a"]], "i": {"all": -1}}, 2))


def test_a_later_view_decodes_the_snapshot_an_earlier_view_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    [(valid_to, text)] = _shelf_rows(path)
    at = read_header(text).at
    decoded: list[datetime] = []
    real = read_snapshot

    def counting(text: str) -> ShelvedSnapshot:
        found = real(text)
        decoded.append(found.at)
        return found

    monkeypatch.setattr("chronology.snapshots.read_snapshot", counting)
    with Chronicle.open(path) as c:
        loaded = _shelving(c)
        _same(_naive(c, at - timedelta(days=20)), c.as_of(at - timedelta(days=20)))
        assert [] == decoded  # the first view cannot start from it
        _same(_naive(c, end), c.as_of(end))
        assert [at] == decoded  # the later one does, once
        assert at in [p.at for p in loaded.points()]
        _same(_naive(c, end), c.as_of(end))
        assert [at] == decoded
    assert [(valid_to, text)] == _shelf_rows(path)


def test_a_late_arrival_after_an_earlier_view_keeps_the_passed_over_snapshot_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    _, end = _shelved_file(path)
    [(_, text)] = _shelf_rows(path)
    at = read_header(text).at

    def refuse(text: str) -> None:
        raise AssertionError("a snapshot undone by a late arrival was decoded")

    monkeypatch.setattr("chronology.snapshots.read_snapshot", refuse)
    with Chronicle.open(path) as c:
        _shelving(c)
        c.as_of(at - timedelta(days=20)).expectations()
        c.append(VisitCancelled(subject="visit/late", known_at=T0 + timedelta(days=1)))
        _same(_naive(c, end), c.as_of(end))
        assert "visit/late" in c.as_of(end)
