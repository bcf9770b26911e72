"""The SQLite store: files and refusals.

The semantics every store shares are in the contract (``test_contract_sqlite.py``); this module
covers what is particular to a file: reopening, recognising what is not a chronicle, read-only
files. Tampering behind the library's back is in ``test_sqlite_tampering.py``; real processes
(several writers at once, a writer killed in the middle of a batch) in
``test_sqlite_processes.py``.
"""

from __future__ import annotations

import os
import pickle
import pwd
import random
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology import Chronicle
from chronology.errors import (
    FormatVersionError,
    NotAChronicleError,
    ReadOnlyError,
    StoreError,
)
from chronology.events import (
    Event,
    Retracted,
    StatementMade,
    VisitCancelled,
    VisitPostponed,
)
from chronology.serialization import canonical_json, event_id_of, event_to_dict
from chronology.stores.memory import MemoryStore
from chronology.stores.sqlite import (
    APPLICATION_ID,
    FORMAT_VERSION,
    SQLiteBackend,
    SQLiteStore,
    known_at_text,
)
from chronology.testing import FakeClock

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "russia-china-2024.jsonl"
VISIT = "visit/lavrov-china-2024-04"


def _event_id(event: Event) -> str:
    return event_id_of(canonical_json(event_to_dict(event)))


def _history(chronicle: Chronicle, clock: FakeClock) -> None:
    """The seed case, then a correction and a late arrival, each batch a minute apart."""
    chronicle.import_jsonl(SEEDS)
    clock.advance(timedelta(minutes=1))
    wrong = VisitPostponed(subject=VISIT, known_at="2024-04-05T09:00:00Z", reason="misread")
    chronicle.append(wrong)
    clock.advance(timedelta(minutes=1))
    chronicle.append(Retracted(subject=VISIT, known_at="2024-04-06", target=_event_id(wrong)))
    clock.advance(timedelta(minutes=1))
    chronicle.append(
        StatementMade(subject=VISIT, known_at="2024-04-02T08:00:00Z", summary="a late article")
    )


def _answers(chronicle: Chronicle, step: int = 1) -> list[Any]:
    """The questions worth asking of a small chronicle (every ``step`` days), with answers."""
    out: list[Any] = []
    bounds = [None, *(r.recorded_at for r in chronicle)]
    day = datetime(2024, 3, 15, tzinfo=UTC)
    while day < datetime(2024, 4, 25, tzinfo=UTC):
        for by in bounds:
            view = chronicle.as_of(day.date(), recorded_by=by)
            out.append((day, by, view.expectations(), view.statements()))
        day += timedelta(days=step)
    for subject in ("visit/lavrov-china-2024-04", "trade/russia-china-crude-seaborne-2024-03"):
        out.append(chronicle.history(subject))
    return out


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "chronicle.db"


@pytest.fixture
def seeded(path: Path) -> Path:
    """A closed chronicle file holding the seed case: 13 records."""
    with Chronicle.open(path, clock=FakeClock()) as c:
        c.import_jsonl(SEEDS)
    return path


# -- the file -----------------------------------------------------------------------------------


def test_open_creates_a_recognisable_file(path: Path) -> None:
    with Chronicle.open(path) as c:
        assert 0 == len(c)
    conn = sqlite3.connect(path)
    try:
        assert APPLICATION_ID == conn.execute("PRAGMA application_id").fetchone()[0]
        assert FORMAT_VERSION == conn.execute("PRAGMA user_version").fetchone()[0]
        assert "wal" == conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert (FORMAT_VERSION, 0) == conn.execute(
            "SELECT format_version, head_position FROM meta"
        ).fetchone()
    finally:
        conn.close()


def test_reopening_answers_every_question_as_before(path: Path) -> None:
    clock = FakeClock()
    c = Chronicle.open(path, clock=clock)
    _history(c, clock)
    before_records, before_answers = list(c), _answers(c)
    c.close()
    with Chronicle.open(path) as again:
        assert before_records == list(again)
        assert before_answers == _answers(again)
        assert len(before_records) == again.verify()
    with Chronicle.open(path, read_only=True) as reader:
        assert before_answers == _answers(reader)


def test_answers_and_records_equal_the_memory_store(path: Path) -> None:
    clock = FakeClock()
    with Chronicle.open(path, clock=clock) as c:
        _history(c, clock)
        reference_clock = FakeClock()
        reference = Chronicle(clock=reference_clock)
        _history(reference, reference_clock)
        assert list(reference) == list(c)
        assert [r.hash for r in reference.store.raw()] == [r.hash for r in c.store.raw()]
        assert _answers(reference) == _answers(c)


def test_raw_recorded_at_is_the_hashed_text(path: Path) -> None:
    clock = FakeClock(datetime(2024, 5, 1, tzinfo=UTC))  # microsecond 0: the short ISO form
    with Chronicle.open(path, clock=clock) as c:
        first = c.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
        second = c.append(VisitCancelled(subject="v/2", known_at="2024-04-05"))
        raws = list(c.store.raw())
    assert [first.recorded_at.isoformat(), second.recorded_at.isoformat()] == [
        r.recorded_at for r in raws
    ]
    assert "2024-05-01T00:00:00+00:00" == raws[0].recorded_at
    assert "2024-05-01T00:00:00.000001+00:00" == raws[1].recorded_at


@pytest.mark.parametrize(
    ("back", "max_skew"),
    [(timedelta(minutes=4), timedelta(minutes=5)), (timedelta(days=1), None)],
)
def test_recorded_at_keeps_increasing_across_reopening_with_a_clock_set_back(
    path: Path, back: timedelta, max_skew: timedelta | None
) -> None:
    with Chronicle.open(path, clock=FakeClock(datetime(2024, 5, 2, tzinfo=UTC))) as c:
        last = c.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
    clock = FakeClock(datetime(2024, 5, 2, tzinfo=UTC) - back)
    with Chronicle.open(path, clock=clock, max_skew=max_skew) as c:
        rec = c.append(VisitCancelled(subject="v/2", known_at="2024-04-05"))
        assert last.recorded_at + timedelta(microseconds=1) == rec.recorded_at
        assert 2 == c.verify()


def test_two_connections_in_one_process_see_each_other(path: Path) -> None:
    with Chronicle.open(path) as writer, Chronicle.open(path) as reader:
        writer.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
        view = reader.as_of("2024-04-30")
        assert 1 == len(reader)
        assert ["v/1"] == [e.subject for e in view.expectations()]
        writer.append(VisitCancelled(subject="v/2", known_at="2024-04-04"))
        assert ["v/1"] == [e.subject for e in view.expectations()]  # a view is a value
        assert ["v/1", "v/2"] == [e.subject for e in reader.as_of("2024-04-30").expectations()]
        assert 2 == reader.verify()


def test_threads_sharing_one_chronicle_and_threads_with_their_own(path: Path) -> None:
    shared = Chronicle.open(path)

    def write(me: int) -> None:
        own = Chronicle.open(path) if me % 2 else shared
        for i in range(25):
            own.extend(
                [
                    VisitCancelled(subject=f"t/{me}", known_at="2024-04-05", reason=f"{i}/{j}")
                    for j in range(i % 3 + 1)
                ]
            )
        if own is not shared:
            own.close()

    threads = [threading.Thread(target=write, args=(me,)) for me in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with shared:
        assert 4 * sum(i % 3 + 1 for i in range(25)) == len(shared) == shared.verify()
        assert list(range(1, len(shared) + 1)) == [r.position for r in shared]


@pytest.mark.parametrize("name", ["with space.db", "q?and#hash.db", "ünï%20cødé.db"])
def test_paths_that_need_quoting_in_a_uri(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    with Chronicle.open(target) as c:
        c.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
    assert [name] == [p.name for p in tmp_path.iterdir()]
    with Chronicle.open(str(target), read_only=True) as c:
        assert 1 == len(c)


def test_an_empty_file_becomes_a_chronicle(path: Path) -> None:
    path.touch()
    with Chronicle.open(path) as c:
        c.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
        assert 1 == c.verify()


def test_context_manager_closes_and_close_is_idempotent(path: Path) -> None:
    with Chronicle.open(path) as c:
        c.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
    c.close()
    with pytest.raises(StoreError, match=r"chronicle\.db: the chronicle is closed"):
        len(c)
    with pytest.raises(StoreError, match="closed"):
        c.append(VisitCancelled(subject="v/2", known_at="2024-04-05"))
    assert "closed" in repr(c.store)


def test_paging_and_cache_sizes_do_not_change_answers(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads page through the indexes; small pages split ties in ``known_at``."""
    clock = FakeClock()
    with Chronicle.open(path, clock=clock) as c:
        _history(c, clock)
        expected_records, expected_answers = list(c), _answers(c, step=4)
        memory = MemoryStore()
        Chronicle(memory, clock=FakeClock()).extend(r.event for r in expected_records)
    monkeypatch.setattr(SQLiteBackend, "page", 3)
    for cache_size in (0, 2, 10_000):
        store = SQLiteStore(path, cache_size=cache_size)
        with Chronicle(store) as c:
            assert expected_records == list(c)
            assert expected_answers == _answers(c, step=4)
            assert len(expected_records) == c.verify()
            for until in (None, *(r.known_at for r in expected_records)):
                assert [r.event_id for r in memory.ordered(until)] == [
                    r.event_id for r in store.ordered(until)
                ]


@pytest.mark.parametrize("sort_limit", [0, 65_536])
def test_a_first_fold_sorted_in_memory_answers_as_the_index_walk(
    path: Path, monkeypatch: pytest.MonkeyPatch, sort_limit: int
) -> None:
    """A fold from the first record of a small log reads the table and sorts it; the order and
    the answers are those of the walk over the ``(known_at, position)`` index (ties in
    ``known_at`` by position, late arrivals in their place)."""
    clock = FakeClock()
    with Chronicle.open(path, clock=clock) as c:
        _history(c, clock)
        tied = [
            StatementMade(subject=f"visit/tie-{i}", known_at="2024-04-03T00:00:00Z", summary="t")
            for i in range(5)
        ]
        c.extend(tied[::-1])
        memory = MemoryStore()
        Chronicle(memory, clock=FakeClock()).extend(r.event for r in c)
        expected = _answers(c, step=3)
    monkeypatch.setattr(SQLiteBackend, "sort_limit", sort_limit)
    with Chronicle.open(path, read_only=True) as c:
        for until in (None, *(r.known_at for r in memory.records())):
            assert list(memory.ordered_events_between(None, until)) == list(
                c.store.ordered_events_between(None, until)
            )
        assert expected == _answers(c, step=3)


def test_ordered_takes_any_zone(seeded: Path) -> None:
    moscow = timezone(timedelta(hours=3))
    with Chronicle.open(seeded) as c:
        utc = [r.position for r in c.store.ordered(datetime(2024, 4, 3, 12, tzinfo=UTC))]
        local = [r.position for r in c.store.ordered(datetime(2024, 4, 3, 15, tzinfo=moscow))]
        assert [1, 2, 3, 4, 5] == utc
        assert utc == local


@given(
    a=st.datetimes(timezones=st.just(UTC)),
    b=st.datetimes(timezones=st.just(UTC)),
)
def test_known_at_text_orders_as_time_does(a: datetime, b: datetime) -> None:
    ta, tb = known_at_text(a), known_at_text(b)
    assert 32 == len(ta) == len(tb)
    assert (a < b) == (ta < tb)
    assert a == datetime.fromisoformat(ta)


# -- refusals -----------------------------------------------------------------------------------


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAChronicleError, match=r"is a directory, not a chronicle file"):
        Chronicle.open(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(random.Random(7).randbytes(10_000), id="random-bytes"),
        pytest.param(b"position,event\n1,visit\n", id="csv-text"),
        pytest.param(b"SQLite format 3\x00" + bytes(84), id="sqlite-header-then-zeros"),
    ],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    with pytest.raises(NotAChronicleError, match=rf"{path.name}: not a chronicle"):
        Chronicle.open(path)
    assert content == path.read_bytes()
    assert [path.name] == [p.name for p in path.parent.iterdir()]


def test_another_applications_database_is_refused_and_left_alone(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    with pytest.raises(NotAChronicleError, match=r"an SQLite database with other tables: invoices"):
        Chronicle.open(path)
    assert content == path.read_bytes()
    assert [path.name] == [p.name for p in path.parent.iterdir()]


def test_a_database_with_another_application_id_is_refused(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1299148630")  # 0x4D6F6F56
    conn.execute("CREATE TABLE records (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAChronicleError, match=r"another application, application_id 0x4d6f6f56"):
        Chronicle.open(path)


def test_a_newer_format_version_is_refused(seeded: Path) -> None:
    conn = sqlite3.connect(seeded)
    conn.execute(f"PRAGMA user_version = {FORMAT_VERSION + 1}")
    conn.execute("UPDATE meta SET format_version = format_version + 1")
    conn.commit()
    conn.close()
    message = rf"format version {FORMAT_VERSION + 1}; .* up to {FORMAT_VERSION}: upgrade"
    with pytest.raises(FormatVersionError, match=message):
        Chronicle.open(seeded)
    with pytest.raises(FormatVersionError):
        Chronicle.open(seeded, read_only=True)


def test_a_chronicle_missing_its_tables_is_refused(seeded: Path) -> None:
    conn = sqlite3.connect(seeded)
    conn.execute("DROP TABLE meta")
    conn.commit()
    conn.close()
    message = r"a damaged chronicle .*tables: event_ids, records, retractions"
    with pytest.raises(NotAChronicleError, match=message):
        Chronicle.open(seeded)


def test_a_missing_directory_is_refused_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "chronicle.db"
    with pytest.raises(StoreError, match=rf"{target}: cannot create .*nowhere does not exist"):
        Chronicle.open(target)
    assert not target.parent.exists()


def test_a_file_in_place_of_the_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    target = tmp_path / "notes.txt" / "chronicle.db"
    with pytest.raises(StoreError, match=r"notes\.txt is not a directory"):
        Chronicle.open(target)


def test_read_only_does_not_create_a_missing_file(path: Path) -> None:
    with pytest.raises(StoreError, match=rf"{path}: no such chronicle \(opened read-only"):
        Chronicle.open(path, read_only=True)
    assert not path.exists()


def test_read_only_refuses_to_append_and_changes_nothing(seeded: Path) -> None:
    with Chronicle.open(seeded, read_only=True) as c:
        assert c.store.read_only
        with pytest.raises(ReadOnlyError, match=r"chronicle\.db: opened read-only; cannot append"):
            c.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
        assert 13 == len(c)
        assert 13 == c.verify()
    with Chronicle.open(seeded) as c:
        assert 13 == len(c)


def test_the_pinned_file_opens_read_only_in_place_without_being_touched() -> None:
    pinned = ROOT / "tests" / "data" / "visit-announced-v1.db"
    before = pinned.read_bytes(), sorted(p.name for p in pinned.parent.iterdir())
    with Chronicle.open(pinned, read_only=True) as c:
        assert 3 == c.verify()
    assert before == (pinned.read_bytes(), sorted(p.name for p in pinned.parent.iterdir()))


# A read-only *file*: the superuser may write any file, so when the tests run as root the check
# runs in a forked child that has given up its privileges.


def _unprivileged(check: Callable[[], Any]) -> Any:
    """Run ``check`` as an unprivileged user and return what it returns (or raise its error)."""
    if os.geteuid() != 0:
        return check()
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root with no 'nobody' user to drop to")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            outcome: Any = ("ok", check())
        except BaseException as exc:
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        with os.fdopen(write, "wb") as out:
            pickle.dump(outcome, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    if kind == "error":
        raise AssertionError(value)
    return value


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory an unprivileged user can reach (pytest's own tmp dirs are private)."""
    directory = Path(tempfile.mkdtemp(prefix="chronology-ro-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        directory.chmod(0o755)
        for p in directory.iterdir():
            p.unlink()
        directory.rmdir()


def _read_only_check(target: Path) -> Callable[[], Any]:
    def check() -> Any:
        with Chronicle.open(target) as c:
            try:
                c.append(VisitCancelled(subject="v/1", known_at="2024-04-05"))
            except ReadOnlyError as exc:
                refusal = str(exc)
            else:
                refusal = "appended"
            status = c.as_of("2024-04-30")[VISIT].status.value
            return c.store.read_only, len(c), c.verify(), status, refusal

    return check


@pytest.mark.parametrize("directory_writable", [True, False], ids=["dir-writable", "dir-read-only"])
def test_a_read_only_file_opens_for_reading(shared_dir: Path, directory_writable: bool) -> None:
    target = shared_dir / "chronicle.db"
    with Chronicle.open(target, clock=FakeClock()) as c:
        c.import_jsonl(SEEDS)
    target.chmod(0o444)
    shared_dir.chmod(0o777 if directory_writable else 0o555)
    read_only, count, verified, status, refusal = _unprivileged(_read_only_check(target))
    assert (True, 13, 13, "occurred") == (read_only, count, verified, status)
    assert f"{target}: opened read-only; cannot append" == refusal
