"""Snapshots of full views: folding on from one answers exactly what a fold from scratch does.

Every view here is checked against a naive view of the same records (no snapshots), with
snapshots made as often as possible (``every=1``) so that late arrivals and retractions land
before, between and after them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from strategies import as_of_questions, events, known_ats, retractions_of

from chronology import Chronicle, View, Window
from chronology.errors import StoreError
from chronology.events import (
    AgendaChanged,
    Event,
    Retracted,
    StatementMade,
    VisitAnnounced,
    VisitOccurred,
    VisitScheduled,
)
from chronology.record import Record
from chronology.snapshots import Snapshots
from chronology.stores import MemoryStore
from chronology.stores.base import Store
from chronology.time import as_of_instant

T0 = datetime(2024, 4, 1, tzinfo=UTC)


def _eager(c: Chronicle, *, every: int = 1, keep: int = 64) -> Chronicle:
    """Make ``c`` snapshot after every record (the tests want many)."""
    c.snapshots = Snapshots(c.store, every=every, keep=keep, keep_views=keep)
    return c


def _naive(c: Chronicle, at: datetime, upto: int | None = None) -> View:
    return View(c.store, as_of=at, recorded_by=None, upto=len(c) if upto is None else upto)


def _same(expected: View, actual: View) -> None:
    assert expected.expectations() == actual.expectations()
    assert [e.subject for e in expected.expectations()] == [
        e.subject for e in actual.expectations()
    ]
    assert expected.statements() == actual.statements()
    assert [type(e) for e in expected.expectations()] == [type(e) for e in actual.expectations()]


def _visit(i: int, minutes: int, **kw: object) -> VisitAnnounced:
    return VisitAnnounced(
        subject=f"visit/{i}",
        known_at=T0 + timedelta(minutes=minutes),
        visitor="V",
        window=Window(T0 + timedelta(days=1), T0 + timedelta(days=2)),
        **kw,  # type: ignore[arg-type]
    )


def _log(n: int) -> list[Event]:
    """``n`` events on a few subjects, one minute apart."""
    out: list[Event] = []
    for k in range(n):
        i = k % 5
        if k < 5:
            out.append(_visit(i, k))
        elif k % 3 == 0:
            out.append(
                VisitScheduled(
                    subject=f"visit/{i}",
                    known_at=T0 + timedelta(minutes=k),
                    window=Window(T0 + timedelta(hours=k), T0 + timedelta(hours=k + 2)),
                )
            )
        else:
            out.append(
                AgendaChanged(
                    subject=f"visit/{i}", known_at=T0 + timedelta(minutes=k), added=(f"{k}",)
                )
            )
    return out


def test_snapshots_are_tuned_through_the_public_property() -> None:
    c = Chronicle()
    default = c.snapshots
    with pytest.raises(StoreError, match="snapshots: they follow another store"):
        c.snapshots = Snapshots(MemoryStore(), every=1)
    assert default is c.snapshots
    c.snapshots = Snapshots(c.store, every=1)
    c.extend(_log(3))
    c.as_of(T0 + timedelta(days=1)).expectations()
    assert 0 == len(default)
    assert 3 <= len(c.snapshots)


def test_warm_views_use_snapshots_and_agree() -> None:
    c = _eager(Chronicle(), every=10)
    c.extend(_log(100))
    end = T0 + timedelta(minutes=99)
    _same(_naive(c, end), c.as_of(end))
    assert len(c.snapshots) > 1
    for minutes in (0, 3, 17, 50, 98, 99, 500):
        at = T0 + timedelta(minutes=minutes)
        _same(_naive(c, at), c.as_of(at))


def test_a_late_arrival_invalidates_the_snapshots_it_precedes() -> None:
    c = _eager(Chronicle(), every=10)
    c.extend(_log(100))
    end = T0 + timedelta(minutes=99)
    c.as_of(end).expectations()
    late_at = T0 + timedelta(minutes=42, seconds=30)
    before = [p.at for p in c.snapshots.points()]
    assert any(at >= late_at for at in before)
    assert any(at < late_at for at in before)
    c.append(AgendaChanged(subject="visit/1", known_at=late_at, added=("late",)))
    view = c.as_of(end)
    _same(_naive(c, end), view)
    assert "late" in view["visit/1"].agenda  # type: ignore[union-attr]
    kept = [p.at for p in c.snapshots.points()]
    # The survivors from before are those said strictly before the late event.
    assert [at for at in before if at < late_at] == [at for at in kept if at in before]


def test_a_late_arrival_at_a_snapshots_instant_invalidates_it() -> None:
    c = _eager(Chronicle(), every=1)
    c.extend(_log(20))
    at = T0 + timedelta(minutes=10)
    c.as_of(at).expectations()
    assert at in [p.at for p in c.snapshots.points()]
    c.append(AgendaChanged(subject="visit/0", known_at=at, added=("same instant",)))
    _same(_naive(c, at), c.as_of(at))
    assert "same instant" in c.as_of(at)["visit/0"].agenda  # type: ignore[union-attr]


def test_a_retraction_invalidates_the_snapshots_after_its_target() -> None:
    c = _eager(Chronicle(), every=5)
    records = c.extend(_log(60))
    end = T0 + timedelta(minutes=59)
    c.as_of(end).expectations()
    target = records[30]
    retraction = c.append(
        Retracted(subject=target.subject, known_at=T0 + timedelta(days=9), target=target.event_id)
    )
    _same(_naive(c, end), c.as_of(end))
    assert target.event_id not in c.as_of(end)[target.subject].event_ids
    assert all(p.at < target.known_at for p in c.snapshots.points() if p.needs < len(c))
    # Retracting the retraction restores the target, and again agrees with a naive fold.
    c.append(
        Retracted(
            subject=target.subject, known_at=T0 + timedelta(days=10), target=retraction.event_id
        )
    )
    _same(_naive(c, end), c.as_of(end))
    assert target.event_id in c.as_of(end)[target.subject].event_ids


def test_an_old_view_evaluated_after_later_appends_keeps_its_answer() -> None:
    c = _eager(Chronicle(), every=3)
    c.extend(_log(30))
    end = T0 + timedelta(minutes=100)
    c.as_of(end).expectations()
    pinned = c.as_of(end)  # made now, evaluated later
    pinned.get("visit/1")  # its first read fixes its end: a point read, no full fold
    upto = len(c)
    c.extend(_log(30)[::-1])  # duplicates: nothing new
    c.append(AgendaChanged(subject="visit/2", known_at=T0, added=("early",)))
    c.append(_visit(9, 1))
    c.as_of(end).expectations()  # snapshots move on to the longer log
    _same(_naive(c, end, upto), pinned)
    assert "early" not in pinned["visit/2"].agenda  # type: ignore[union-attr]


def test_overdue_is_derived_per_view_from_snapshoted_values() -> None:
    c = _eager(Chronicle(), every=1)
    c.append(_visit(1, 0))
    c.append(_visit(2, 1))
    c.append(VisitOccurred(subject="visit/2", known_at=T0 + timedelta(minutes=2)))
    for at in (T0 + timedelta(minutes=5), T0 + timedelta(days=3), T0 + timedelta(hours=30)):
        _same(_naive(c, at), c.as_of(at))
    assert "overdue" == c.as_of(T0 + timedelta(days=3))["visit/1"].status
    assert "announced" == c.as_of(T0 + timedelta(minutes=5))["visit/1"].status


def test_statements_come_through_snapshots() -> None:
    c = _eager(Chronicle(), every=2)
    for k in range(12):
        c.append(
            StatementMade(
                subject=f"visit/{k % 3}",
                known_at=T0 + timedelta(minutes=k),
                speaker="S",
                summary=f"said {k}",
            )
        )
        c.as_of(T0 + timedelta(minutes=k)).expectations()
    c.append(
        StatementMade(
            subject="visit/0", known_at=T0 - timedelta(minutes=1), speaker="S", summary="late"
        )
    )
    end = T0 + timedelta(hours=1)
    _same(_naive(c, end), c.as_of(end))
    assert "late" == c.as_of(end).statements("visit/0")[0].summary


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_recorded_by_views_fold_on_from_snapshots_and_agree(kind: str, tmp_path: Path) -> None:
    """A view recorded by an instant is a view of the records stored by then, so it folds on
    from snapshots; it answers what a fold of those records from scratch does, at every
    instant, with late arrivals and a retraction (and its retraction) stored in between."""
    base = Chronicle() if kind == "memory" else Chronicle.open(tmp_path / "c.db")
    c = _eager(base, every=2)
    records = c.extend(_log(20))
    c.as_of(T0 + timedelta(hours=1)).expectations()  # leaves snapshots
    late = c.append(AgendaChanged(subject="visit/1", known_at=T0, added=("late",)))
    wrong = c.append(Retracted(subject=records[6].subject, known_at=T0, target=records[6].event_id))
    c.append(Retracted(subject=wrong.subject, known_at=T0, target=wrong.event_id))
    c.extend(_log(24)[20:])
    stored = list(c)
    starts: list[datetime | None] = []
    fold_from = c.store.ordered_events_between

    def spying(after: datetime | None, until: datetime | None) -> Iterable[tuple[int, str, Event]]:
        starts.append(after)
        return fold_from(after, until)

    c.store.ordered_events_between = spying  # type: ignore[method-assign]
    tick = timedelta(microseconds=1)
    instants = [stored[0].recorded_at - tick, late.recorded_at - tick]
    instants += [r.recorded_at for r in stored]
    for by in instants:
        for minutes in (0, 7, 15, 60):
            at = T0 + timedelta(minutes=minutes)
            plain = View(c.store, as_of=at, recorded_by=by, upto=len(c))
            _same(plain, c.as_of(at, recorded_by=by))
    assert any(after is not None for after in starts)  # some folded on from a snapshot
    c.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_recorded_through_counts_the_records_stored_by_an_instant(
    kind: str, tmp_path: Path
) -> None:
    c = Chronicle() if kind == "memory" else Chronicle.open(tmp_path / "c.db")
    c.extend(_log(5))
    c.extend(_log(12)[5:])
    stored = list(c)
    store = c.store
    tick = timedelta(microseconds=1)
    for through in (store.recorded_through, lambda i, u: Store.recorded_through(store, i, u)):
        assert 0 == through(stored[0].recorded_at - tick, len(c))
        for r in stored:
            assert r.position == through(r.recorded_at, len(c))
            assert r.position - 1 == through(r.recorded_at - tick, len(c))
            assert min(r.position, 4) == through(r.recorded_at, 4)  # never past ``upto``
        assert len(c) == through(stored[-1].recorded_at + timedelta(days=1), len(c))
        assert 0 == through(stored[-1].recorded_at, 0)
    c.close()


# -- properties ---------------------------------------------------------------------------------


@st.composite
def _batches(draw: st.DrawFn) -> list[list[Event]]:
    items = draw(st.lists(st.tuples(known_ats(), events()), min_size=1, max_size=30))
    evs = [attrs.evolve(e, known_at=k) for k, e in items]
    cuts = sorted(draw(st.lists(st.integers(0, len(evs)), max_size=4)))
    out, start = [], 0
    for cut in [*cuts, len(evs)]:
        if cut > start:
            out.append(evs[start:cut])
            start = cut
    return out


@given(_batches(), st.lists(as_of_questions(), min_size=1, max_size=6), st.integers(1, 5))
@settings(deadline=None)
def test_views_between_batches_agree_with_a_naive_fold(
    batches: list[list[Event]], questions: list[object], every: int
) -> None:
    """Batches in any order (late arrivals included), views asked between them."""
    c = _eager(Chronicle(), every=every, keep=4)
    for i, batch in enumerate(batches):
        c.extend(batch)
        for q in questions[i % len(questions) :]:
            at = as_of_instant(q)  # type: ignore[arg-type]
            _same(_naive(c, at), c.as_of(at))


class SnapshotMachine(RuleBasedStateMachine):
    """Appends, late arrivals, retractions (and retractions of retractions) and views, in any
    order; every view agrees with a naive fold of the same records."""

    records = Bundle("records")

    @initialize(every=st.integers(1, 4), keep=st.integers(1, 6))
    def start(self, every: int, keep: int) -> None:
        self.chronicle = _eager(Chronicle(), every=every, keep=keep)
        self.pinned: list[tuple[View, datetime, int]] = []

    @rule(target=records, event=events(), at=known_ats())
    def append(self, event: Event, at: datetime) -> Record:
        return self.chronicle.append(attrs.evolve(event, known_at=at))

    @rule(target=records, record=records, data=st.data())
    def retract(self, record: Record, data: st.DataObject) -> Record:
        retraction = data.draw(retractions_of(record.event, record.event_id))
        return self.chronicle.append(retraction)

    @rule(question=as_of_questions())
    def view(self, question: object) -> None:
        at = as_of_instant(question)  # type: ignore[arg-type]
        _same(_naive(self.chronicle, at), self.chronicle.as_of(at))

    @rule(question=as_of_questions())
    def pin(self, question: object) -> None:
        at = as_of_instant(question)  # type: ignore[arg-type]
        self.pinned.append((self.chronicle.as_of(at), at, len(self.chronicle)))

    @invariant()
    def pinned_views_keep_their_answers(self) -> None:
        for view, at, upto in self.pinned[-2:]:
            _same(_naive(self.chronicle, at, upto), view)

    @invariant()
    def snapshots_sit_before_every_record_they_did_not_fold(self) -> None:
        """No snapshot answers for the present log if a record it did not fold is known at
        or before its instant."""
        c = self.chronicle
        for point in c.snapshots.points():
            if not point.answers(len(c)):
                continue
            naive = _naive(c, point.at)
            plain = {e.subject: e for e in naive.expectations()}
            for subject, value in point.values.items():
                shown = plain[subject]
                assert shown == value or shown.status in ("overdue", "awaiting_report")


TestSnapshotMachine = SnapshotMachine.TestCase


# -- stores -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_store_ranges_match_their_definitions(kind: str, tmp_path: Path) -> None:
    """``ordered_between``, ``ordered_events_between`` and ``records_after`` answer what
    ``ordered`` and ``records`` do."""
    c = Chronicle() if kind == "memory" else Chronicle.open(tmp_path / "c.db")
    log = _log(40)
    c.extend(log[::2])
    c.extend(log[1::2][::-1])  # late arrivals, out of order
    everything = list(c.store.ordered())
    instants = [None, T0 - timedelta(days=1), *(r.known_at for r in everything[::7])]
    for after in instants:
        for until in instants:
            expected = [
                r
                for r in everything
                if (after is None or r.known_at > after) and (until is None or r.known_at <= until)
            ]
            assert expected == list(c.store.ordered_between(after, until))
            assert [(r.position, r.event_id, r.event) for r in expected] == list(
                c.store.ordered_events_between(after, until)
            )
    records = list(c)
    for position in (0, 1, 17, len(records), len(records) + 3):
        assert records[position:] == list(c.store.records_after(position))
    c.close()


def test_sqlite_views_fold_on_from_snapshots(tmp_path: Path) -> None:
    c = _eager(Chronicle.open(tmp_path / "c.db"), every=7)
    records = c.extend(_log(60))
    end = T0 + timedelta(hours=2)
    _same(_naive(c, end), c.as_of(end))
    assert len(c.snapshots) > 2
    c.append(AgendaChanged(subject="visit/3", known_at=T0 + timedelta(minutes=20), added=("x",)))
    c.append(Retracted(subject=records[40].subject, known_at=end, target=records[40].event_id))
    for minutes in (5, 20, 45, 120):
        at = T0 + timedelta(minutes=minutes)
        _same(_naive(c, at), c.as_of(at))
    # Another process appends a late arrival; this chronicle's snapshots see it.
    with Chronicle.open(tmp_path / "c.db") as other:
        other.append(AgendaChanged(subject="visit/4", known_at=T0, added=("elsewhere",)))
    _same(_naive(c, end), c.as_of(end))
    assert "elsewhere" in c.as_of(end)["visit/4"].agenda  # type: ignore[union-attr]
    c.close()


def test_views_at_many_instants_do_not_push_the_grid_out() -> None:
    c = Chronicle()
    c.extend(
        VisitScheduled(
            subject=f"visit/{i % 40}",
            known_at=T0 + timedelta(hours=i),
            window=Window(T0 + timedelta(days=30), T0 + timedelta(days=31)),
        )
        for i in range(400)
    )
    c.snapshots = Snapshots(c.store, every=40, keep=12, keep_views=3)
    end = T0 + timedelta(hours=399)
    c.as_of(end).expectations()
    grid = [p.at for p in c.snapshots.points() if p.at != end]
    assert 9 == len(grid)
    for hours in range(5, 400, 37):  # views between the grid's instants
        at = T0 + timedelta(hours=hours, minutes=30)
        _same(_naive(c, at), c.as_of(at))
    points = [p.at for p in c.snapshots.points()]
    assert set(grid) <= set(points)  # every view folded at most 40 records from the grid
    assert 1 <= len(points) - len(grid) <= 3


def _subjects_log(subjects: int, each: int, *, backfill: bool) -> list[Event]:
    """``subjects`` visits of ``each`` events, written subject by subject; said in that order,
    or (``backfill``) interleaved: event ``j`` of subject ``i`` at minute ``j * subjects + i``,
    so that every stretch of assertion time touches every subject."""
    out: list[Event] = []
    for i in range(subjects):
        for j in range(each):
            minutes = j * subjects + i if backfill else i * each + j
            if j == 0:
                out.append(_visit(i, minutes))
            else:
                at = T0 + timedelta(minutes=minutes)
                out.append(AgendaChanged(subject=f"visit/{i}", known_at=at, added=(f"{j}",)))
    return out


@pytest.mark.parametrize(("backfill", "grid"), [(False, 2), (True, 1)])
def test_the_automatic_grid_skips_snapshots_that_would_remake_every_subject(
    backfill: bool, grid: int
) -> None:
    """10,000 events on 1,000 subjects: in order, the grid leaves a snapshot every 4,096
    records; in a backfill every later stretch makes new values of all 1,000 subjects, more
    than one in sixteen of its records, so only the first (which makes them) is left. The views
    agree."""
    c = Chronicle()
    for start in range(0, 10_000, 1_000):
        c.extend(_subjects_log(1_000, 10, backfill=backfill)[start : start + 1_000])
    end = T0 + timedelta(minutes=9_999)
    _same(_naive(c, end), c.as_of(end))
    assert grid == len([p for p in c.snapshots.points() if not p.at_view])
    at = T0 + timedelta(minutes=6_000)
    _same(_naive(c, at), c.as_of(at))
