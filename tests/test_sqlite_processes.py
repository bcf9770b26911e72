"""The SQLite store under real processes: several writers at once, processes creating one file
together, and a writer killed in the middle of a batch (split from ``test_sqlite.py``).
"""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from child_processes import expect_line, python_child

from chronology import Chronicle
from chronology.errors import (
    NotAChronicleError,
)
from chronology.events import (
    Event,
    StatementMade,
    VisitCancelled,
)
from chronology.serialization import canonical_json, event_id_of, event_to_dict
from chronology.testing import FakeClock

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "russia-china-2024.jsonl"


def _event_id(event: Event) -> str:
    return event_id_of(canonical_json(event_to_dict(event)))


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A closed chronicle file holding the seed case (13 records), as a writer finds it."""
    target = tmp_path / "chronicle.db"
    with Chronicle.open(target, clock=FakeClock()) as c:
        c.import_jsonl(SEEDS)
    return target


# -- real processes -----------------------------------------------------------------------------


_WRITER = r"""
import json, sys, time
from pathlib import Path
from chronology import Chronicle
from chronology.events import StatementMade

path, me, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])

def events(j):
    yield StatementMade(subject=f"writer/{me}", known_at=f"2024-04-{1 + j % 28:02d}T00:00:00Z",
                        summary=f"{me}:{j}")
    if j % 10 == 0:  # the same event from every writer: stored once
        yield StatementMade(subject="shared", known_at="2024-04-01T00:00:00Z", summary=f"s{j}")

print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
out = []
with Chronicle.open(path) as c:  # every writer races to create the file, too
    i, size = 0, 1
    while i < count:
        batch = [e for j in range(i, min(count, i + size)) for e in events(j)]
        out += [(r.position, r.event_id, r.recorded_at.isoformat()) for r in c.extend(batch)]
        i, size = i + size, size % 7 + 1
print(json.dumps(out), flush=True)
"""


def _writer_events(me: int, count: int) -> list[StatementMade]:
    out = []
    for j in range(count):
        out.append(
            StatementMade(
                subject=f"writer/{me}",
                known_at=f"2024-04-{1 + j % 28:02d}T00:00:00Z",
                summary=f"{me}:{j}",
            )
        )
        if j % 10 == 0:
            out.append(
                StatementMade(subject="shared", known_at="2024-04-01T00:00:00Z", summary=f"s{j}")
            )
    return out


@pytest.mark.slow
def test_concurrent_writers_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    path = tmp_path / "chronicle.db"
    writers, count = 3, 200
    go = path.with_suffix(".go")
    procs = [
        python_child(_WRITER, str(path), str(me), str(count), str(go)) for me in range(writers)
    ]
    for proc in procs:
        expect_line(proc, "ready")
    go.touch()
    # Verify while they write: the chain must hold at every moment.
    deadline = time.monotonic() + 60
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        if path.exists():
            try:
                with Chronicle.open(path) as watcher:
                    watcher.verify()
            except NotAChronicleError:
                pass  # not created yet
        time.sleep(0.01)
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert 0 == proc.returncode, err
        results.append(json.loads(out))

    expected = {_event_id(e) for me in range(writers) for e in _writer_events(me, count)}
    with Chronicle.open(path, read_only=True) as c:
        records = list(c)
        assert len(expected) == len(c) == c.verify()
    assert list(range(1, len(expected) + 1)) == [r.position for r in records]
    assert expected == {r.event_id for r in records}
    stamps = [r.recorded_at for r in records]
    assert all(a < b for a, b in itertools.pairwise(stamps))
    stored = {r.event_id: (r.position, r.event_id, r.recorded_at.isoformat()) for r in records}
    for result in results:
        assert [stored[event_id] for _, event_id, _ in result] == [tuple(r) for r in result]


_OPENER = r"""
import sys, time
from pathlib import Path
from chronology import Chronicle
from chronology.events import VisitCancelled

directory, me, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for k in range(rounds):
    print(f"ready {k}", flush=True)
    while not (directory / f"go-{k}").exists():
        time.sleep(0.001)
    with Chronicle.open(directory / f"{k}.db") as c:
        c.append(VisitCancelled(subject=f"v/{me}", known_at="2024-04-05"))
print("done", flush=True)
"""


@pytest.mark.slow
def test_processes_creating_one_file_together(tmp_path: Path) -> None:
    """Each round, four processes open the same missing file at the same moment."""
    openers, rounds = 4, 25
    procs = [python_child(_OPENER, str(tmp_path), str(me), str(rounds)) for me in range(openers)]
    for k in range(rounds):
        for proc in procs:
            expect_line(proc, f"ready {k}")
        (tmp_path / f"go-{k}").touch()
    for proc in procs:
        expect_line(proc, "done")
        proc.communicate(timeout=30)
    for k in range(rounds):
        with Chronicle.open(tmp_path / f"{k}.db", read_only=True) as c:
            assert openers == len(c) == c.verify()
            assert {f"v/{me}" for me in range(openers)} == {r.subject for r in c}


_STALL_AT_COMMIT = r"""
import sqlite3, sys, time
from chronology import Chronicle
from chronology.events import StatementMade

armed = False

class Stalling(sqlite3.Connection):
    def execute(self, sql, *args):
        if armed and sql == "COMMIT":
            print("committing", flush=True)
            time.sleep(60)
        return super().execute(sql, *args)

connect = sqlite3.connect
sqlite3.connect = lambda *a, **k: connect(*a, factory=Stalling, **k)
with Chronicle.open(sys.argv[1]) as c:
    batch = [StatementMade(subject=f"s/{i % 50}", known_at="2024-04-02", summary=str(i))
             for i in range(int(sys.argv[2]))]
    armed = True
    c.extend(batch)
print("committed", flush=True)
"""


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert -signal.SIGKILL == proc.returncode


def _after_kill(path: Path, before: list[Any], batch: int) -> int:
    """Check the file after a writer died: whole batches only, a valid chain, still writable."""
    with Chronicle.open(path) as c:
        count = len(c)
        assert before == list(itertools.islice(c, len(before)))
        added = count - len(before)
        assert added in (0, batch)
        assert count == c.verify()
        rec = c.append(VisitCancelled(subject="after/kill", known_at="2024-04-05"))
        assert count + 1 == rec.position
        assert count + 1 == len(c) == sum(1 for _ in c.store.raw())
        assert rec == c.record(rec.event_id)
    return added


@pytest.mark.slow
def test_writer_killed_after_inserting_but_before_commit_leaves_nothing(seeded: Path) -> None:
    with Chronicle.open(seeded) as c:
        before = list(c)
    proc = python_child(_STALL_AT_COMMIT, str(seeded), "20000")
    expect_line(proc, "committing")  # every row inserted, the head moved, COMMIT not yet run
    with Chronicle.open(seeded, read_only=True) as reader:  # readers see committed batches only
        assert before == list(reader)
        assert before == [r for r in reader.store.ordered() if r.position <= len(before)]
        assert len(before) == reader.verify()
    _kill(proc)
    assert 0 == _after_kill(seeded, before, 20000)


_KILL_AT = r"""
import os, signal, sqlite3, sys
from datetime import UTC, datetime
from chronology import Chronicle
from chronology.events import StatementMade

path, size, point = sys.argv[1], int(sys.argv[2]), sys.argv[3]
armed = False
inserted = 0


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def clock():  # called inside the transaction, once the write lock is held
    if point == "sealing":
        die()
    return datetime.now(UTC)


def trace(conn, sql):  # called as each statement starts
    global inserted
    if not armed:
        return
    if sql.startswith("INSERT INTO records "):
        # Rows go in 128 a statement. A progress handler set now runs from the next
        # statement on (SQLite reads it as a statement starts), every 1,000 steps: the
        # process dies part-way through the batch's second statement.
        inserted += 1
        if point == "inserting" and inserted == 1:
            conn.set_progress_handler(die, 1000)
    elif sql.startswith("UPDATE meta SET head_position") and point == "moving the head":
        die()
    elif sql == "COMMIT" and inserted and point == "committing":
        die()


class Traced(sqlite3.Connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_trace_callback(lambda sql: trace(self, sql))


connect = sqlite3.connect
sqlite3.connect = lambda *a, **k: connect(*a, factory=Traced, **k)
batch = [StatementMade(subject=f"s/{i % 50}", known_at="2024-04-02", summary=str(i))
         for i in range(size)]
c = Chronicle.open(path, clock=clock)
armed = True
c.extend(batch)
if point == "committed":  # the batch committed, the file neither closed nor checkpointed
    die()
c.close()
print("the child was not killed", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "kept"),
    [
        ("sealing", False),  # the write lock held, nothing inserted yet
        ("inserting", False),  # half the rows inserted
        ("moving the head", False),  # every row inserted, the head not moved yet
        ("committing", False),  # the head moved, COMMIT not run yet
        ("committed", True),  # extend() returned
    ],
)
def test_writer_killed_at_each_point_of_a_batch_leaves_all_or_nothing(
    seeded: Path, point: str, kept: bool
) -> None:
    """A child process kills itself (SIGKILL) at a chosen point of appending one batch: the
    file holds the whole batch if it committed, and nothing of it otherwise."""
    with Chronicle.open(seeded) as c:
        before = list(c)
    size = 2000
    proc = python_child(_KILL_AT, str(seeded), str(size), point)
    out, err = proc.communicate(timeout=120)
    assert (-signal.SIGKILL, "") == (proc.returncode, out), err
    assert (size if kept else 0) == _after_kill(seeded, before, size)


_MANY_BATCHES = r"""
import os, signal, sqlite3, sys
from chronology import Chronicle
from chronology.events import StatementMade

path, last, row = sys.argv[1], int(sys.argv[2]), sys.argv[3]
batch = 0
inserting = False


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def trace(conn, sql):  # called as each statement starts
    global inserting
    if batch != last:
        return
    if sql.startswith("BEGIN") and row == "middle":
        # SQLite reads the progress handler as a statement starts: set before the insert,
        # it ends the process part-way through it (every 300 steps; 50 rows take 1,500).
        conn.set_progress_handler(lambda: inserting and die(), 300)
    elif sql.startswith("INSERT INTO records "):  # a batch of 50 rows is one statement
        inserting = True
        if row == "first":
            die()
    elif sql.startswith("UPDATE meta SET head_position") and row == "last":
        die()  # every row inserted


class Traced(sqlite3.Connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_trace_callback(lambda sql: trace(self, sql))


connect = sqlite3.connect
sqlite3.connect = lambda *a, **k: connect(*a, factory=Traced, **k)
with Chronicle.open(path) as c:
    while True:
        batch += 1
        c.extend(StatementMade(subject=f"s/{batch}", known_at="2024-04-02", summary=str(i))
                 for i in range(50))
        if batch == last and row == "committed":
            os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("last", "row", "kept"),
    [
        (6, "first", 5),  # as the sixth batch starts inserting
        (8, "middle", 7),  # part-way through the eighth
        (10, "last", 9),  # once every row of the tenth is inserted
        (12, "committed", 12),  # once the twelfth is committed
    ],
)
def test_writer_killed_between_and_during_batches_keeps_whole_batches(
    seeded: Path, last: int, row: str, kept: int
) -> None:
    """A writer appending batch after batch (its checkpointer folding the WAL meanwhile) kills
    itself in or after one of them: the batches committed before are kept whole, no more."""
    with Chronicle.open(seeded) as c:
        before = list(c)
    proc = python_child(_MANY_BATCHES, str(seeded), str(last), row)
    _, err = proc.communicate(timeout=120)
    assert -signal.SIGKILL == proc.returncode, err
    with Chronicle.open(seeded) as c:
        records = list(c)
        assert before == records[: len(before)]
        assert kept * 50 == len(records) - len(before)
        assert [f"s/{n}" for n in range(1, kept + 1)] == sorted(
            {r.subject for r in records[len(before) :]}, key=lambda s: int(s[2:])
        )
        assert len(records) == c.verify()
