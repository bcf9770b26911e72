"""A view's end (how many records of the log it reads) is fixed by its first read, not when it
is made: a point read needs no read of the log's length of its own. (The contract suite checks
the rule on every store; these tests check its corners on memory and SQLite.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chronology import Chronicle
from chronology.events import AgendaChanged, VisitAnnounced, VisitCancelled
from chronology.expectations import Expectation, Status
from chronology.stores import MemoryStore, SQLiteStore
from chronology.view import View

VISIT = "visit/x"


def _announced(subject: str = VISIT) -> VisitAnnounced:
    return VisitAnnounced(subject=subject, known_at="2024-04-03T12:00:00Z", visitor="V")


def _agenda(i: int, subject: str = VISIT) -> AgendaChanged:
    known_at = f"2024-04-04T{i // 60 % 24:02}:{i % 60:02}:00Z"
    return AgendaChanged(subject=subject, known_at=known_at, added=(f"item {i}",))


@pytest.fixture(params=["memory", "sqlite"])
def chronicle(request: pytest.FixtureRequest, tmp_path: Path) -> Chronicle:
    if request.param == "memory":
        return Chronicle(MemoryStore())
    return Chronicle(SQLiteStore(tmp_path / "c.db"))


@pytest.mark.parametrize("events_a_subject", [1, 100])
def test_records_appended_before_the_first_read_are_seen_and_after_it_never(
    chronicle: Chronicle, events_a_subject: int
) -> None:
    """The same with a subject of a few events and one the per-subject snapshots hold."""
    with chronicle as c:
        c.extend([_announced(), *(_agenda(i) for i in range(events_a_subject - 1))])
        c.as_of("2024-04-05").get(VISIT)  # an earlier point read: the snapshots hold the subject
        view = c.as_of("2024-04-05")
        c.append(_agenda(999))
        first = view[VISIT]
        assert "item 999" in first.agenda  # type: ignore[union-attr]
        c.append(VisitCancelled(subject=VISIT, known_at="2024-04-04T23:59:00Z"))
        c.append(_announced("visit/y"))
        assert first == view[VISIT]
        assert (first,) == view.expectations()
        assert Status.CANCELLED == c.as_of("2024-04-05")[VISIT].status


def test_a_view_recorded_by_an_instant_is_bounded_by_it_whenever_it_is_first_read(
    chronicle: Chronicle,
) -> None:
    with chronicle as c:
        (stored,) = c.extend([_announced()])
        view = c.as_of("2024-04-05", recorded_by=stored.recorded_at)
        c.append(_agenda(1))
        assert () == view[VISIT].agenda  # type: ignore[union-attr]


def test_a_first_read_that_loses_the_race_to_fix_the_end_keeps_to_the_end_fixed(
    chronicle: Chronicle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads read a new view at once: the one whose end is fixed first wins, and the
    other leaves out the records it read past that end. Played here in one thread: the
    other read fixes the end while the point read's statement is on its way."""
    with chronicle as c:
        c.append(_announced())
        view = c.as_of("2024-04-05")
        store = c.store
        read: Callable[[str], Any] = store.subject_rows_with_count

        def raced(subject: str) -> Any:
            assert 1 == len(view)  # the other thread: fixes the end at 1 record
            c.append(_agenda(1))  # then a writer
            return read(subject)  # the point read reads 2 records

        monkeypatch.setattr(store, "subject_rows_with_count", raced)
        assert () == view[VISIT].agenda  # type: ignore[union-attr]
        monkeypatch.undo()
        assert ("item 1",) == c.as_of("2024-04-05")[VISIT].agenda  # type: ignore[union-attr]


def test_a_diff_compares_both_instants_in_one_state_of_the_log(
    chronicle: Chronicle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record appended (by another writer) while diff reads its first view is seen by
    neither view: the difference is between the two instants, not between two logs."""
    with chronicle as c:
        c.append(_announced())
        expectations = View.expectations
        appended: list[bool] = []

        def reading(view: View) -> tuple[Expectation, ...]:
            answer = expectations(view)
            if not appended:
                appended.append(True)
                c.append(_announced("visit/late"))  # known before both instants
            return answer

        monkeypatch.setattr(View, "expectations", reading)
        diff = c.diff("2024-04-04", "2024-04-05")
        monkeypatch.undo()
        assert [True] == appended
        assert ((), (), ()) == (diff.added, diff.removed, diff.changed)
        later = c.diff("2024-04-02", "2024-04-05")
        assert ["visit/late", VISIT] == [e.subject for e in later.added]
