"""The Chronicle's own surface on the default in-memory store: construction, the system clock,
reading records, views as values, interchange details, concurrent appends.

The semantics every store shares (positions, duplicates, retractions, as-of questions, ...) are
in the store contract, :mod:`chronology.testing.contract`, run by ``test_contract_memory.py``.
"""

import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chronology import Chronicle, Diff, Record, Status, View, Window
from chronology.events import (
    StatementMade,
    VisitAnnounced,
    VisitCancelled,
    VisitScheduled,
)
from chronology.stores import MemoryStore
from chronology.testing import FakeClock

V = "visit/lavrov-china-2024-04"


def announced() -> VisitAnnounced:
    return VisitAnnounced(subject=V, known_at="2024-04-03T12:00:00Z", visitor="Sergei Lavrov")


def scheduled() -> VisitScheduled:
    return VisitScheduled(
        subject=V, known_at="2024-04-07T12:00:00Z", window=Window.parse("2024-04-08/2024-04-09")
    )


def test_a_new_chronicle_is_in_memory() -> None:
    c = Chronicle()
    assert isinstance(c.store, MemoryStore)
    assert "<Chronicle MemoryStore records=0>" == repr(c)
    c.append(announced())
    assert "<Chronicle MemoryStore records=1>" == repr(c)


def test_the_system_clock_gives_aware_utc_times() -> None:
    before = datetime.now(UTC)
    rec = Chronicle().append(announced())
    after = datetime.now(UTC)
    assert before <= rec.recorded_at <= after + timedelta(microseconds=1)
    assert timedelta(0) == rec.recorded_at.utcoffset()


def test_a_clock_in_another_zone_is_stored_in_utc() -> None:
    plus_three = timezone(timedelta(hours=3))
    c = Chronicle(clock=lambda: datetime(2024, 5, 1, 6, 0, tzinfo=plus_three))
    rec = c.append(announced())
    assert datetime(2024, 5, 1, 3, tzinfo=UTC) == rec.recorded_at
    assert "2024-05-01T03:00:00+00:00" == rec.recorded_at.isoformat()


def test_records_are_read_in_position_order() -> None:
    c = Chronicle(clock=FakeClock())
    records = c.extend(e for e in (scheduled(), announced()))  # any iterable
    assert records == list(c)
    assert [1, 2] == [r.position for r in c]
    first = records[0]
    assert isinstance(first, Record)
    assert (first.event.known_at, first.event.subject) == (first.known_at, first.subject)
    assert first == c.record(first.event_id)
    assert c.record("0" * 32) is None


def test_a_duplicate_in_one_batch_is_stored_once() -> None:
    c = Chronicle(clock=FakeClock())
    a, b = c.extend([announced(), announced()])
    assert a is b
    assert 1 == len(c)


def test_context_manager_closes_the_store() -> None:
    closed: list[bool] = []

    class Closing(MemoryStore):
        def close(self) -> None:
            closed.append(True)

    with Chronicle(Closing()) as c:
        c.append(announced())
    assert [True] == closed


def test_a_view_describes_its_question() -> None:
    clock = FakeClock()
    c = Chronicle(clock=clock)
    rec = c.append(announced())
    view = c.as_of("2024-04-03", recorded_by=rec.recorded_at)
    assert isinstance(view, View)
    assert datetime(2024, 4, 3, 23, 59, 59, 999_999, tzinfo=UTC) == view.as_of
    assert rec.recorded_at == view.recorded_by
    assert (
        "<View as_of=2024-04-03T23:59:59.999999+00:00 recorded_by=2024-05-01T00:00:00+00:00>"
        == repr(view)
    )
    assert c.as_of("2024-04-03").recorded_by is None
    assert "recorded_by=now>" in repr(c.as_of("2024-04-03"))


def test_a_view_lists_what_it_folds_in_assertion_time_order() -> None:
    c = Chronicle(clock=FakeClock())
    said = StatementMade(subject=V, known_at="2024-04-05T00:00:00Z", speaker="Mao Ning")
    c.extend([scheduled(), said, announced()])
    view = c.as_of("2024-04-30")
    assert (announced(), said, scheduled()) == view.events()
    assert [3, 2, 1] == [r.position for r in view.records()]
    assert [V] == [e.subject for e in view]
    assert 1 == len(view)


def test_diff_is_falsy_when_nothing_changed() -> None:
    c = Chronicle(clock=FakeClock())
    c.extend([announced(), scheduled()])
    assert not c.diff("2024-04-04", "2024-04-05")
    assert Diff() == c.diff("2024-04-04", "2024-04-05")
    changed = c.diff("2024-04-04", "2024-04-07")
    assert changed
    [(old, new)] = changed.changed
    assert (Status.ANNOUNCED, Status.SCHEDULED) == (old.status, new.status)


def test_diff_as_recorded_earlier() -> None:
    clock = FakeClock()
    c = Chronicle(clock=clock)
    first = c.append(announced())
    clock.advance()
    c.append(VisitCancelled(subject=V, known_at="2024-04-05T00:00:00Z"))
    assert c.diff("2024-04-04", "2024-04-06")
    assert not c.diff("2024-04-04", "2024-04-06", recorded_by=first.recorded_at)


def test_export_writes_one_record_a_line(tmp_path: Path) -> None:
    c = Chronicle(clock=FakeClock())
    c.extend([announced(), scheduled()])
    path = tmp_path / "out.jsonl"
    path.write_text("old content\n", encoding="utf-8")
    assert 2 == c.export_jsonl(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert 2 == len(lines)
    first = json.loads(lines[0])
    assert ["position", "recorded_at", "event_id", "hash"] == list(first)[:4]
    assert (1, "visit.announced", "2024-05-01T00:00:00+00:00") == (
        first["position"],
        first["type"],
        first["recorded_at"],
    )
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temporary file left


def test_import_reports_progress_over_the_whole_file(tmp_path: Path) -> None:
    c = Chronicle(clock=FakeClock())
    c.extend([announced(), scheduled()])
    path = tmp_path / "out.jsonl"
    c.export_jsonl(path)
    seen: list[int] = []
    Chronicle().import_jsonl(path, progress=seen.append)
    assert path.stat().st_size <= sum(seen) <= path.stat().st_size + 1


def test_concurrent_appends_keep_positions_contiguous() -> None:
    c = Chronicle()

    def writer(n: int) -> None:
        for i in range(40):
            c.append(
                VisitCancelled(subject=f"visit/{n}", known_at="2024-04-05T00:00:00Z", reason=str(i))
            )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert list(range(1, 161)) == [r.position for r in c]
    stamps = [r.recorded_at for r in c]
    assert sorted(set(stamps)) == stamps
    assert 160 == c.verify()


def test_refused_question_types() -> None:
    c = Chronicle()
    with pytest.raises(TypeError):
        c.as_of()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="as_of: expected a datetime, date or ISO string, got int"):
        c.as_of(20240403)  # type: ignore[arg-type]
