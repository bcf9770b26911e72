"""The SQLite writer folds its WAL into the main file on a thread of its own.

What a user relies on: pages reach the main file while the writer is still open (so the WAL
does not wait for SQLite's 1,000-page checkpoint inside a commit), closing the chronicle ends
the thread, a chronicle dropped unclosed does not leave it running, read-only chronicles never
start one, every record written while checkpoints run is there, chained, afterwards, a process
that cannot start the thread still appends, and changing directory after opening a relative
path does not point the checkpoints at another file.

The threads counted are only those named after a file under the test's own ``tmp_path``, so
checkpointers of other chronicles in the process do not disturb the counts.
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
from chronology.errors import ReadOnlyError
from chronology.events import AgendaChanged, Event
from chronology.stores.sqlite import store as sqlite_store
from chronology.stores.sqlite.wal import WalFlusher

BASE = datetime(2024, 1, 1, tzinfo=UTC)
#: Batches of 200 records the page tests write: about 1.4 MB of rows and 2.4 MB of pages,
#: well under SQLite's own checkpoint at 1,000 pages of 16 KiB (16 MiB of WAL).
BATCHES = 20


def _batch(n: int, offset: int) -> list[Event]:
    return [
        AgendaChanged(
            subject=f"visit/{i % 50}",
            known_at=BASE + timedelta(minutes=i),
            added=(f"item {i} " + "x" * 200,),
        )
        for i in range(offset, offset + n)
    ]


def _checkpoint_threads(under: Path) -> list[threading.Thread]:
    """The live checkpointer threads of chronicles whose file is under ``under``."""
    prefix = f"chronology checkpoint {under}{os.sep}"
    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


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
def _no_thread_left(tmp_path: Path) -> object:
    yield None
    gc.collect()
    assert _eventually(lambda: not _checkpoint_threads(tmp_path))


def test_pages_reach_the_main_file_while_the_writer_is_open(tmp_path: Path) -> None:
    path = tmp_path / "fold.db"
    with Chronicle.open(path) as c:
        empty = path.stat().st_size
        _write(c, BATCHES)
        assert 1 == len(_checkpoint_threads(tmp_path))
        # Everything written before the last request (at least 1.1 MB of rows, about 2 MB of
        # pages) reaches the main file; without requests, nothing does (the next test).
        assert _eventually(lambda: path.stat().st_size > empty + 500_000)


def test_without_it_the_pages_stay_in_the_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: the same writes, with the checkpointer never asked."""
    monkeypatch.setattr(sqlite_store, "FLUSH_BYTES", 1 << 62)
    path = tmp_path / "stay.db"
    with Chronicle.open(path) as c:
        empty = path.stat().st_size
        _write(c, BATCHES)
        time.sleep(0.2)
        assert [] == _checkpoint_threads(tmp_path)
        assert empty == path.stat().st_size
        assert os.path.getsize(f"{path}-wal") > 500_000


def test_closing_ends_the_thread_and_folds_everything(tmp_path: Path) -> None:
    path = tmp_path / "close.db"
    c = Chronicle.open(path)
    _write(c, 5)
    assert 1 == len(_checkpoint_threads(tmp_path))
    c.close()
    assert [] == _checkpoint_threads(tmp_path)
    assert not Path(f"{path}-wal").exists()
    c.close()  # again: nothing to do


def test_a_chronicle_dropped_unclosed_ends_its_thread(tmp_path: Path) -> None:
    c = Chronicle.open(tmp_path / "dropped.db")
    _write(c, 5)
    assert 1 == len(_checkpoint_threads(tmp_path))
    del c
    gc.collect()
    assert _eventually(lambda: not _checkpoint_threads(tmp_path))


def test_small_appends_and_read_only_chronicles_start_no_thread(tmp_path: Path) -> None:
    path = tmp_path / "small.db"
    with Chronicle.open(path) as c:
        for i in range(20):
            c.append(_batch(1, i)[0])
        assert [] == _checkpoint_threads(tmp_path)
    with Chronicle.open(path, read_only=True) as r:
        assert 20 == r.verify()
        with pytest.raises(ReadOnlyError):
            r.extend(_batch(2_000, 20))  # far more than one checkpoint's worth
        assert 20 == len(r)
        assert [] == _checkpoint_threads(tmp_path)


def test_records_written_while_checkpoints_run_are_all_there_and_chained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "FLUSH_BYTES", 1)  # ask after every batch
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


def test_appends_succeed_when_no_thread_can_be_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As at interpreter shutdown or at the thread limit: the thread is tried once, not on
    every append, and SQLite's own checkpoint is left to fold the WAL."""
    monkeypatch.setattr(sqlite_store, "FLUSH_BYTES", 1)  # ask after every batch
    attempts: list[str] = []
    start = threading.Thread.start

    def refuse(thread: threading.Thread) -> None:
        if not thread.name.startswith("chronology checkpoint"):
            start(thread)
            return
        attempts.append(thread.name)
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    path = tmp_path / "threadless.db"
    written = []
    with Chronicle.open(path) as c:
        for b in range(10):
            written += c.extend(_batch(100, b * 100))
        assert [f"chronology checkpoint {path}"] == attempts
        assert [] == _checkpoint_threads(tmp_path)
    with Chronicle.open(path, read_only=True) as r:
        assert 1_000 == r.verify()
        assert written == list(r)


def test_a_relative_path_is_checkpointed_after_changing_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    path = here / "relative.db"
    monkeypatch.chdir(here)
    with Chronicle.open("relative.db") as c:
        empty = path.stat().st_size
        monkeypatch.chdir(elsewhere)
        _write(c, BATCHES)
        assert [f"chronology checkpoint {path}"] == [t.name for t in _checkpoint_threads(here)]
        assert _eventually(lambda: path.stat().st_size > empty + 500_000)
    assert [] == list(elsewhere.iterdir())
    assert not Path(f"{path}-wal").exists()


def test_closing_closes_the_file_even_if_stopping_the_thread_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stop = WalFlusher.stop

    def stop_then_fail(checkpointer: WalFlusher) -> None:
        stop(checkpointer)
        raise OSError("stopping failed")

    path = tmp_path / "failing.db"
    c = Chronicle.open(path)
    _write(c, 5)
    assert 1 == len(_checkpoint_threads(tmp_path))
    # Patched only now: the finalizer registered with the thread keeps the real stop.
    monkeypatch.setattr(WalFlusher, "stop", stop_then_fail)
    with pytest.raises(OSError, match="stopping failed"):
        c.close()
    # The last connection closed: SQLite folded the WAL into the main file and removed it.
    assert not Path(f"{path}-wal").exists()
    with Chronicle.open(path, read_only=True) as r:
        assert 1_000 == r.verify()
