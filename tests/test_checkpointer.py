"""The SQLite writer folds its WAL into the main file on a thread of its own.

What a user relies on: pages reach the main file while the writer is still open (so the WAL
does not wait for SQLite's 1,000-page checkpoint inside a commit), closing the chronicle ends
the thread, a chronicle dropped unclosed does not leave it running, read-only chronicles never
start one, and every record written while checkpoints run is there, chained, afterwards.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chronology import Chronicle
from chronology.events import AgendaChanged, Event
from chronology.stores import sqlite as sqlite_store

BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _batch(n: int, offset: int) -> list[Event]:
    return [
        AgendaChanged(
            subject=f"visit/{i % 50}",
            known_at=BASE + timedelta(minutes=i),
            added=(f"item {i} " + "x" * 200,),
        )
        for i in range(offset, offset + n)
    ]


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("chronology checkpoint")]


def _eventually(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _write(c: Chronicle, batches: int, size: int = 200) -> None:
    for b in range(batches):
        c.extend(_batch(size, b * size))


@pytest.fixture(autouse=True)
def _no_thread_left() -> object:
    yield None
    gc.collect()
    assert _eventually(lambda: not _checkpoint_threads())


def test_pages_reach_the_main_file_while_the_writer_is_open(tmp_path: Path) -> None:
    path = tmp_path / "fold.db"
    with Chronicle.open(path) as c:
        empty = path.stat().st_size
        _write(c, 10)  # about 700 KB of rows: well under SQLite's own 1,000 pages of 16 KiB
        assert 1 == len(_checkpoint_threads())
        assert _eventually(lambda: path.stat().st_size > empty + 500_000)


def test_without_it_the_pages_stay_in_the_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: the same writes, with the checkpointer never asked."""
    monkeypatch.setattr(sqlite_store, "_CHECKPOINT_BYTES", 1 << 62)
    path = tmp_path / "stay.db"
    with Chronicle.open(path) as c:
        empty = path.stat().st_size
        _write(c, 10)
        time.sleep(0.2)
        assert [] == _checkpoint_threads()
        assert empty == path.stat().st_size
        assert os.path.getsize(f"{path}-wal") > 500_000


def test_closing_ends_the_thread_and_folds_everything(tmp_path: Path) -> None:
    path = tmp_path / "close.db"
    c = Chronicle.open(path)
    _write(c, 5)
    assert 1 == len(_checkpoint_threads())
    c.close()
    assert [] == _checkpoint_threads()
    assert not Path(f"{path}-wal").exists()
    c.close()  # again: nothing to do


def test_a_chronicle_dropped_unclosed_ends_its_thread(tmp_path: Path) -> None:
    c = Chronicle.open(tmp_path / "dropped.db")
    _write(c, 5)
    assert 1 == len(_checkpoint_threads())
    del c
    gc.collect()
    assert _eventually(lambda: not _checkpoint_threads())


def test_small_appends_and_read_only_chronicles_start_no_thread(tmp_path: Path) -> None:
    path = tmp_path / "small.db"
    with Chronicle.open(path) as c:
        for i in range(20):
            c.append(_batch(1, i)[0])
        assert [] == _checkpoint_threads()
    with Chronicle.open(path, read_only=True) as r:
        assert 20 == r.verify()
        assert [] == _checkpoint_threads()


def test_records_written_while_checkpoints_run_are_all_there_and_chained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "_CHECKPOINT_BYTES", 1)  # ask after every batch
    path = tmp_path / "busy.db"
    written = []
    with Chronicle.open(path) as c:
        for b in range(40):
            written += c.extend(_batch(100, b * 100))
            if b % 10 == 9:  # a reader in the middle of it all
                with Chronicle.open(path, read_only=True) as r:
                    assert len(written) == r.verify()
    with Chronicle.open(path, read_only=True) as r:
        assert 4_000 == r.verify()
        assert written == list(r)
