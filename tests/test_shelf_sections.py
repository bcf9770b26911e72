"""A shelved snapshot whose sections (event ids, vintages: decoded only when first read) are
damaged: ``verify`` names it in an :class:`IntegrityError`, as for a header or values line that
cannot be read."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chronology import Chronicle, Quantity, Source, Window
from chronology.errors import ChronologyError, IntegrityError
from chronology.events import Event, TradeProjected, TradeProjectionRevised
from chronology.snapshot_text import SnapshotTextError
from chronology.snapshots import Snapshots

T0 = datetime(2024, 4, 1, tzinfo=UTC)


def _figures(days: int, vintages: int) -> list[Event]:
    out: list[Event] = []
    for day in range(days):
        subject = f"trade/{day}"
        period = Window(T0 + timedelta(days=30 + day), T0 + timedelta(days=31 + day))
        out.append(
            TradeProjected(
                subject=subject,
                known_at=T0 + timedelta(days=day),
                period=period,
                quantity=Quantity(100.0, "kt"),
                source=Source(name="Vortexa"),
            )
        )
        out += [
            TradeProjectionRevised(
                subject=subject,
                known_at=T0 + timedelta(days=day, hours=v),
                quantity=Quantity(100.0 + v, "kt"),
                source=Source(name="Kpler"),
            )
            for v in range(1, vintages)
        ]
    return out


def _shelved(path: Path) -> tuple[int, list[str]]:
    """A file whose shelf holds the state of all its records: its valid_to and text lines."""
    with Chronicle.open(path) as c:
        c.extend(_figures(6, 10))
        c.snapshots = Snapshots(c.store, shelve_from=1)
        c.as_of(T0 + timedelta(days=200)).expectations()
    with sqlite3.connect(path) as conn:
        [(valid_to, text)] = conn.execute("SELECT valid_to, text FROM snapshots").fetchall()
    return valid_to, text.split("\n")


def _vintage_sections(lines: list[str]) -> list[int]:
    """The places of the sections that hold a block of vintages (JSON objects)."""
    return [k for k in range(2, len(lines)) if lines[k].startswith('{"I":')]


def test_the_shelved_file_has_sections_of_vintages(tmp_path: Path) -> None:
    valid_to, lines = _shelved(tmp_path / "c.db")
    assert 60 == valid_to
    assert [2, 3] == _vintage_sections(lines)  # projections, then reports


@pytest.mark.parametrize("place", [2, 3])
def test_verify_names_a_shelved_snapshot_whose_block_of_vintages_cannot_be_read(
    tmp_path: Path, place: int
) -> None:
    path = tmp_path / "c.db"
    valid_to, lines = _shelved(path)
    lines[place] = lines[place][: len(lines[place]) // 2]  # cut short: not JSON any more
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE snapshots SET text = ?", ("\n".join(lines),))
    with Chronicle.open(path, read_only=True) as c, pytest.raises(IntegrityError) as caught:
        c.verify()
    assert valid_to == caught.value.position
    message = str(caught.value)
    assert f"the shelved snapshot folded from the first {valid_to} records cannot be read" in (
        message
    )
    assert "a shelved block of values" in message


def test_a_view_through_a_damaged_block_of_vintages_raises_when_they_are_first_read(
    tmp_path: Path,
) -> None:
    """What ``SnapshotTextError`` says: the values come back (their vintages not decoded yet),
    and the first read of one value's vintages raises it, naming the block."""
    path = tmp_path / "c.db"
    _, lines = _shelved(path)
    lines[2] = lines[2][: len(lines[2]) // 2]  # the projections' block, cut short
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE snapshots SET text = ?", ("\n".join(lines),))
    with Chronicle.open(path, read_only=True) as c:
        c.snapshots = Snapshots(c.store, shelve_from=1)
        trades = c.as_of(T0 + timedelta(days=200)).trades()
        assert [f"trade/{day}" for day in range(6)] == [t.subject for t in trades]
        with pytest.raises(SnapshotTextError) as caught:
            _ = trades[0].projections
        assert isinstance(caught.value, ChronologyError)
        assert "a shelved block of values" in str(caught.value)
