"""The store contract: one test suite that every :class:`~chronology.stores.Store` must pass.

Subclass :class:`ChronicleContract` and implement :meth:`~ChronicleContract.new_store`; pytest
collects the subclass (name it ``Test...``) and runs every test below against your store:

* unit tests of the semantics, through :class:`~chronology.Chronicle`: positions, duplicates,
  atomic batches, ``recorded_at`` under a stuck or backward clock, ``as_of`` and
  ``recorded_by`` bounds, late arrivals, retractions, history, diff, derived statuses,
  verification and JSONL interchange;
* chunked writes (:mod:`chronology.testing.chunks`): a batch written three events a chunk
  gives what one batch gives, and a failing last chunk appends nothing;
* a comparison with the in-memory store: the same appends under the same clock must
  give the same records (positions, ids, ``recorded_at``, hashes) and the same answers;
* the state machine of :mod:`chronology.testing.machine`, which appends random events,
  batches, duplicates, retractions and retractions of retractions while a fake clock jumps
  back and forth, and checks every answer against the naive model of
  :mod:`chronology.testing.model`: a plain list of records, filtered, sorted and folded from
  scratch for each question, and the design's fold rules written out on their own.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Final

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from chronology.chronicle import DEFAULT_MAX_SKEW, Chronicle
from chronology.errors import (
    ClockSkewError,
    ImportLineError,
    RetractionError,
    TimeError,
    UnknownSubjectError,
)
from chronology.events import (
    AgendaChanged,
    Event,
    Likelihood,
    Quantity,
    Retracted,
    Source,
    StatementMade,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitScheduled,
)
from chronology.expectations import Status, TradeExpectation, VisitExpectation
from chronology.record import Record
from chronology.serialization import event_to_dict
from chronology.stores.base import Store
from chronology.testing import strategies as cst
from chronology.testing.chunks import ChunkedWritesContract
from chronology.testing.clock import TICK, FakeClock
from chronology.testing.machine import chronicle_machine
from chronology.testing.model import event_id, record_key
from chronology.time import Window

# FakeClock and chronicle_machine are re-exported: they were first defined here.
__all__ = ["ChronicleContract", "FakeClock", "chronicle_machine", "scenario"]

# -- a small scenario for the unit tests --------------------------------------------------------

VISIT: Final = "visit/lavrov-china-2024-04"
TRADE: Final = "trade/russia-china-crude-2024-03"
_SEABORNE: Final = "seaborne exports (ship-tracking)"
_CUSTOMS: Final = "imports incl. pipeline (customs)"
_REUTERS: Final = Source("Reuters", kind="news", via=(Source("Russian MFA", kind="statement"),))


def _announced(**changes: Any) -> VisitAnnounced:
    fields: dict[str, Any] = {
        "subject": VISIT,
        "known_at": "2024-04-03T12:00:00+00:00",
        "source": _REUTERS,
        "visitor": "Sergei Lavrov",
        "host": "China",
        "counterparts": ("Wang Yi",),
        "window": Window.vague("soon", anchor="2024-04-03T12:00:00+00:00"),
        "agenda": ("SCO", "BRICS"),
        "likelihood": Likelihood.PROBABLE,
    }
    fields.update(changes)
    return VisitAnnounced(**fields)


def _scheduled(**changes: Any) -> VisitScheduled:
    fields: dict[str, Any] = {
        "subject": VISIT,
        "known_at": "2024-04-07T12:00:00+00:00",
        "window": Window.parse("2024-04-08/2024-04-09"),
    }
    fields.update(changes)
    return VisitScheduled(**fields)


def scenario() -> list[Event]:
    """A small history touching every kind of event (used by the contract's unit tests)."""
    return [
        TradeProjected(
            subject=TRADE,
            known_at="2024-03-18T12:00:00+00:00",
            exporter="Russia",
            importer="China",
            commodity="crude oil",
            period="2024-03",
            quantity=Quantity(1_700_000, "bbl/d"),
            scope=_SEABORNE,
            claims=("record monthly volume",),
            likelihood="probable",
        ),
        _announced(),
        StatementMade(
            subject=VISIT,
            known_at="2024-04-03T12:05:00+00:00",
            speaker="Maria Zakharova",
            summary="Lavrov will travel to China soon.",
        ),
        AgendaChanged(
            subject=VISIT, known_at="2024-04-05T09:00:00+03:00", added=("regional security",)
        ),
        _scheduled(),
        VisitOccurred(
            subject=VISIT, known_at="2024-04-08T12:00:00+00:00", window="2024-04-08/2024-04-09"
        ),
        TradeProjectionRevised(
            subject=TRADE, known_at="2024-04-02T12:00:00+00:00", quantity=Quantity(1.75e6, "bbl/d")
        ),
        TradeReported(
            subject=TRADE,
            known_at="2024-04-20T12:00:00+00:00",
            quantity=Quantity(10.81, "Mt"),
            scope=_CUSTOMS,
            period="2024-03",
        ),
        TradeReported(
            subject=TRADE,
            known_at="2024-04-20T12:00:00+00:00",
            quantity=Quantity(1.82e6, "bbl/d"),
            scope=_SEABORNE,
            period="2024-03",
            preliminary=True,
        ),
    ]


# -- the contract -------------------------------------------------------------------------------


class ChronicleContract(ChunkedWritesContract):
    """The tests every store must pass. Subclass it and implement :meth:`new_store`.

    Attributes:
        tmp_dir: a fresh directory for each test, for stores that live in files.
        state_machine_settings: hypothesis settings for the state machine; ``None`` uses the
            active profile (with no deadline).

    Example:
        ::

            class TestSQLiteContract(ChronicleContract):
                def new_store(self) -> Store:
                    return SQLiteStore(self.tmp_dir / f"{uuid.uuid4().hex}.db")
    """

    tmp_dir: Path
    state_machine_settings: ClassVar[settings | None] = None
    _opened: list[Chronicle]

    def new_store(self) -> Store:
        """A fresh, empty store: each call must return a new one."""
        raise NotImplementedError("subclass ChronicleContract and implement new_store()")

    @pytest.fixture(autouse=True)
    def _contract_resources(self, tmp_path: Path) -> Iterator[None]:
        self.tmp_dir = tmp_path
        self._opened = []
        yield
        for chronicle in reversed(self._opened):
            chronicle.close()

    def chronicle(
        self,
        clock: Callable[[], datetime] | None = None,
        *,
        max_skew: timedelta | None = DEFAULT_MAX_SKEW,
    ) -> Chronicle:
        """A chronicle on a fresh store, with a :class:`FakeClock` unless one is given."""
        c = Chronicle(
            store=self.new_store(),
            clock=FakeClock() if clock is None else clock,
            max_skew=max_skew,
        )
        self._opened.append(c)
        return c

    # -- appending ------------------------------------------------------------------------------

    def test_new_store_is_empty(self) -> None:
        c = self.chronicle()
        assert 0 == len(c)
        assert [] == list(c)
        assert () == c.as_of("2024-04-30").expectations()
        assert 0 == c.verify()

    def test_append_returns_record_at_position_one(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        event = _announced()
        rec = c.append(event)
        assert isinstance(rec, Record)
        assert (1, event, clock()) == (rec.position, rec.event, rec.recorded_at)
        assert event_id(event) == rec.event_id
        assert 64 == len(rec.hash)
        assert rec == c.record(rec.event_id)
        assert [rec] == list(c)

    def test_extend_positions_are_contiguous_from_one(self) -> None:
        c = self.chronicle()
        events = scenario()
        first = c.extend(events[:4])
        second = c.extend(events[4:])
        assert list(range(1, len(events) + 1)) == [r.position for r in first + second]
        assert events == [r.event for r in first + second]
        assert [r.position for r in c] == list(range(1, len(events) + 1))

    def test_extend_of_nothing_appends_nothing(self) -> None:
        c = self.chronicle()
        assert [] == c.extend([])
        assert 0 == len(c)

    def test_duplicate_event_returns_existing_record(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        first = c.append(_announced())
        clock.advance()
        c.append(_scheduled())
        clock.advance()
        assert first == c.append(_announced())
        batch = c.extend([_scheduled(known_at="2024-04-07T13:00:00Z"), _announced(), _announced()])
        assert [3, 1, 1] == [r.position for r in batch]
        assert first == batch[1] == batch[2]
        assert 3 == len(c)

    def test_extend_is_atomic(self) -> None:
        c = self.chronicle()
        c.append(_announced())
        good = _scheduled()
        bad = Retracted(subject=VISIT, known_at="2024-04-08T00:00:00Z", target="0" * 32)
        later = VisitCancelled(subject=VISIT, known_at="2024-04-08T00:00:00Z")
        with pytest.raises(RetractionError, match=r"events\[1\].*'0{32}' is not in the chronicle"):
            c.extend([good, bad, later])
        assert 1 == len(c)
        assert c.record(event_id(good)) is None
        assert c.record(event_id(later)) is None
        assert Status.ANNOUNCED == c.as_of("2024-04-30")[VISIT].status
        assert 2 == c.append(later).position
        assert 2 == c.verify()

    def test_recorded_at_strictly_increases_when_clock_is_stuck(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        records = [*c.extend(scenario()[:3]), c.append(_scheduled())]
        assert [clock() + n * TICK for n in range(4)] == [r.recorded_at for r in records]

    def test_recorded_at_strictly_increases_when_clock_goes_back(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock, max_skew=None)
        first = c.append(_announced())
        clock.advance(-timedelta(days=1))
        second = c.append(_scheduled())
        assert first.recorded_at + TICK == second.recorded_at
        clock.set(first.recorded_at + timedelta(hours=1))
        third = c.append(scenario()[0])
        assert clock() == third.recorded_at
        assert UTC.utcoffset(None) == third.recorded_at.utcoffset()
        assert 3 == c.verify()

    def test_a_clock_far_behind_the_last_record_is_refused(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        first = c.append(_announced())
        clock.advance(-timedelta(minutes=4))
        assert first.recorded_at + TICK == c.append(_scheduled()).recorded_at
        clock.advance(-timedelta(minutes=2))
        with pytest.raises(ClockSkewError) as refusal:
            c.extend(scenario()[:2])
        assert (2, 2) == (refusal.value.position, len(c))

    # -- reading --------------------------------------------------------------------------------

    def test_as_of_a_date_means_the_end_of_that_day(self) -> None:
        c = self.chronicle()
        c.append(_announced(known_at="2024-04-03T23:30:00+00:00"))
        for day in ("2024-04-03", date(2024, 4, 3), "2024-04-03T23:30:00Z"):
            assert [VISIT] == [e.subject for e in c.as_of(day)]
        for before in (
            "2024-04-02",
            date(2024, 4, 2),
            "2024-04-03T23:29:59.999999+00:00",
            datetime(2024, 4, 4, 2, 29, tzinfo=cst.ZONES[1]),  # 23:29 UTC, written at +03:00
            datetime(2024, 4, 3, 12, 0, tzinfo=UTC),
        ):
            assert () == c.as_of(before).expectations()

    def test_as_of_accepts_any_zone(self) -> None:
        c = self.chronicle()
        c.append(_announced(known_at="2024-04-03T12:00:00+00:00"))
        at = datetime(2024, 4, 3, 20, 0, tzinfo=cst.ZONES[2])  # 12:00 UTC, written at +08:00
        assert [VISIT] == [e.subject for e in c.as_of(at)]
        assert () == c.as_of(at - TICK).expectations()

    def test_recorded_by_is_an_inclusive_bound(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        rec = c.append(_announced())
        clock.advance()
        c.append(_scheduled())
        assert Status.ANNOUNCED == c.as_of("2024-04-07", recorded_by=rec.recorded_at)[VISIT].status
        assert () == c.as_of("2024-04-07", recorded_by=rec.recorded_at - TICK).expectations()
        assert Status.SCHEDULED == c.as_of("2024-04-07")[VISIT].status
        day = rec.recorded_at.date()
        assert Status.SCHEDULED == c.as_of("2024-04-07", recorded_by=day)[VISIT].status

    def test_late_arrival_changes_now_but_not_an_older_answer(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        scheduled = c.append(_scheduled())
        clock.advance()
        before_late = c.as_of("2024-04-07").expectations()
        # The announcement, made public before the schedule, is ingested afterwards.
        c.append(_announced())
        now = c.as_of("2024-04-07")[VISIT]
        assert isinstance(now, VisitExpectation)
        assert (Status.SCHEDULED, False, "Sergei Lavrov") == (now.status, now.partial, now.visitor)
        assert Window.parse("2024-04-08/2024-04-09") == now.window
        assert Status.ANNOUNCED == c.as_of("2024-04-04")[VISIT].status
        old = c.as_of("2024-04-07", recorded_by=scheduled.recorded_at)
        assert before_late == old.expectations()
        assert old[VISIT].partial
        assert () == c.as_of("2024-04-04", recorded_by=scheduled.recorded_at).expectations()

    def test_ties_in_known_at_fold_in_position_order(self) -> None:
        c = self.chronicle()
        c.append(_scheduled(known_at="2024-04-07T12:00:00Z"))
        c.append(VisitPostponed(subject=VISIT, known_at="2024-04-07T15:00:00+03:00"))
        assert Status.POSTPONED == c.as_of("2024-04-07")[VISIT].status

    @pytest.mark.parametrize("first_read", ["get", "other subject", "expectations"])
    def test_a_view_sees_the_log_as_of_its_first_read(self, first_read: str) -> None:
        """Making a view reads nothing; its first read (of any subject, or of them all)
        fixes its end: every later read sees what was stored before it, nothing after."""
        c = self.chronicle()
        c.append(_announced())
        view = c.as_of("2024-04-07")
        c.append(_scheduled())  # before the first read: seen
        if first_read == "expectations":
            view.expectations()
        else:
            view.get(VISIT if first_read == "get" else "visit/nobody")
        c.append(VisitCancelled(subject=VISIT, known_at="2024-04-06T09:00:00Z"))  # not seen
        c.append(_announced(subject="visit/later"))  # not seen
        assert Status.SCHEDULED == view[VISIT].status
        assert [VISIT] == [e.subject for e in view]
        assert Status.CANCELLED == c.as_of("2024-04-07")[VISIT].status

    def test_get_and_getitem(self) -> None:
        c = self.chronicle()
        c.extend(scenario())
        view = c.as_of("2024-04-04")
        assert view.get("visit/nobody") is None
        assert "visit/nobody" not in view
        with pytest.raises(KeyError):
            view["visit/nobody"]
        with pytest.raises(UnknownSubjectError, match=f"did you mean '{VISIT}'") as typo:
            view[VISIT + "x"]
        assert (VISIT,) == typo.value.suggestions
        with pytest.raises(UnknownSubjectError, match="has events about it"):
            c.as_of("2024-03-01")[VISIT]
        assert sorted({e.subject for e in scenario()}) == c.store.subjects()
        assert VISIT in view
        assert {e.subject: e for e in view.expectations()}[VISIT] == view[VISIT]

    def test_visits_trades_statements(self) -> None:
        c = self.chronicle()
        c.extend(scenario())
        view = c.as_of("2024-04-30")
        assert [VISIT] == [v.subject for v in view.visits()]
        assert [TRADE] == [t.subject for t in view.trades()]
        assert ["Maria Zakharova"] == [s.speaker for s in view.statements()]
        assert () == view.statements(TRADE)
        assert () == c.as_of("2024-04-02").statements()

    # -- retractions ----------------------------------------------------------------------------

    def test_retract_and_retract_the_retraction(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        c.append(_announced())
        wrong = c.append(VisitCancelled(subject=VISIT, known_at="2024-04-04T12:00:00Z"))
        clock.advance()
        retraction = c.append(
            Retracted(
                subject=VISIT,
                known_at="2024-04-05T12:00:00Z",
                target=wrong.event_id,
                reason="entered for the wrong visit",
            )
        )
        clock.advance()
        assert Status.ANNOUNCED == c.as_of("2024-04-06")[VISIT].status
        as_recorded = c.as_of("2024-04-06", recorded_by=wrong.recorded_at)
        assert Status.CANCELLED == as_recorded[VISIT].status
        # Appending the retracted event again returns its (still retracted) record.
        assert wrong == c.append(wrong.event)
        assert Status.ANNOUNCED == c.as_of("2024-04-06")[VISIT].status
        restore = c.append(
            Retracted(subject=VISIT, known_at="2024-04-06T12:00:00Z", target=retraction.event_id)
        )
        assert Status.CANCELLED == c.as_of("2024-04-06")[VISIT].status
        retracted_view = c.as_of("2024-04-06", recorded_by=restore.recorded_at - TICK)
        assert Status.ANNOUNCED == retracted_view[VISIT].status
        assert 4 == c.verify()

    def test_retraction_of_an_event_in_the_same_batch(self) -> None:
        c = self.chronicle()
        wrong = VisitCancelled(subject=VISIT, known_at="2024-04-04T12:00:00Z")
        c.extend(
            [
                _announced(),
                wrong,
                Retracted(subject=VISIT, known_at="2024-04-04T13:00:00Z", target=event_id(wrong)),
            ]
        )
        assert Status.ANNOUNCED == c.as_of("2024-04-06")[VISIT].status

    def test_retraction_of_a_missing_event_is_refused(self) -> None:
        c = self.chronicle()
        c.append(_announced())
        with pytest.raises(RetractionError, match=r"'f{32}' is not in the chronicle") as info:
            c.append(Retracted(subject=VISIT, known_at="2024-04-05T00:00:00Z", target="f" * 32))
        assert 0 == info.value.index
        assert 1 == len(c)

    def test_retraction_about_another_subject_is_refused(self) -> None:
        c = self.chronicle()
        rec = c.append(_announced())
        with pytest.raises(RetractionError, match=r"subject 'visit/other' differs.*'visit/lavrov"):
            c.append(
                Retracted(
                    subject="visit/other", known_at="2024-04-05T00:00:00Z", target=rec.event_id
                )
            )
        assert 1 == len(c)

    # -- history, diff, derived statuses --------------------------------------------------------

    def test_history_is_in_assertion_time_order(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        events = scenario()
        c.extend(reversed(events))
        changes = c.history(VISIT)
        visit_events = [e for e in events if e.subject == VISIT]
        assert visit_events == [ch.event for ch in changes]
        assert [ch.event.known_at for ch in changes] == sorted(ch.known_at for ch in changes)
        assert changes[0].before is None
        for previous, change in itertools.pairwise(changes):
            assert previous.after == change.before
        statuses = [ch.after.status for ch in changes if ch.after is not None]
        assert [
            Status.ANNOUNCED,
            Status.ANNOUNCED,
            Status.ANNOUNCED,
            Status.SCHEDULED,
            Status.OCCURRED,
        ] == statuses
        assert c.as_of("2024-04-30")[VISIT] == changes[-1].after
        assert all(c.record(ch.event_id) is not None for ch in changes)
        with pytest.raises(UnknownSubjectError, match="no events about subject 'visit/nobody'"):
            c.history("visit/nobody")

    def test_history_leaves_out_retracted_events(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        c.append(_announced())
        wrong = c.append(VisitCancelled(subject=VISIT, known_at="2024-04-04T12:00:00Z"))
        clock.advance()
        c.append(Retracted(subject=VISIT, known_at="2024-04-05T00:00:00Z", target=wrong.event_id))
        assert [VisitAnnounced] == [type(ch.event) for ch in c.history(VISIT)]
        as_recorded = c.history(VISIT, recorded_by=wrong.recorded_at)
        assert [VisitAnnounced, VisitCancelled] == [type(ch.event) for ch in as_recorded]

    def test_diff(self) -> None:
        c = self.chronicle()
        c.extend(scenario())
        diff = c.diff("2024-03-01", "2024-03-20")
        assert ([TRADE], [], []) == (
            [e.subject for e in diff.added],
            [e.subject for e in diff.removed],
            list(diff.changed),
        )
        diff = c.diff("2024-04-04", "2024-04-07")
        assert ((), ()) == (diff.added, diff.removed)
        [(before, after)] = diff.changed
        assert (Status.ANNOUNCED, Status.SCHEDULED) == (before.status, after.status)
        assert not c.diff("2024-04-04", "2024-04-04")
        with pytest.raises(
            TimeError,
            match=r"b \(2024-03-01T23:59:59.999999\+00:00\) is before a \(2024-04-30T23:59",
        ):
            c.diff("2024-04-30", "2024-03-01")

    def test_expected_between(self) -> None:
        c = self.chronicle()
        c.extend(scenario()[:5])
        view = c.as_of("2024-04-07")
        assert [VISIT] == [e.subject for e in view.expected_between("2024-04-09", "2024-04-09")]
        assert [] == [e.subject for e in view.expected_between("2024-04-10", "2024-04-20")]
        assert [TRADE] == [e.subject for e in view.expected_between("2024-03-31", "2024-04-07")]
        assert [TRADE, VISIT] == [
            e.subject for e in view.expected_between(date(2024, 3, 31), date(2024, 4, 8))
        ]
        c.append(VisitCancelled(subject=VISIT, known_at="2024-04-07T18:00:00Z"))
        assert () == c.as_of("2024-04-07").expected_between("2024-04-08", "2024-04-09")

    def test_overdue_is_derived_at_the_as_of_instant(self) -> None:
        c = self.chronicle()
        c.extend([_announced(), _scheduled()])
        assert Status.SCHEDULED == c.as_of("2024-04-09")[VISIT].status
        assert Status.SCHEDULED == c.as_of("2024-04-09T23:59:59.999999Z")[VISIT].status
        assert Status.OVERDUE == c.as_of("2024-04-10T00:00:00Z")[VISIT].status
        assert Status.OVERDUE == c.as_of("2024-05-01")[VISIT].status
        c.append(VisitOccurred(subject=VISIT, known_at="2024-04-12T00:00:00Z"))
        assert Status.OVERDUE == c.as_of("2024-04-11")[VISIT].status
        assert Status.OCCURRED == c.as_of("2024-04-12")[VISIT].status

    def test_trade_reports_are_kept_by_scope(self) -> None:
        c = self.chronicle()
        c.extend(scenario())
        trade = c.as_of("2024-04-30")[TRADE]
        assert isinstance(trade, TradeExpectation)
        assert Status.REPORTED == trade.status
        assert Quantity(1.75e6, "bbl/d") == trade.quantity
        customs, seaborne = trade.report(_CUSTOMS), trade.report(_SEABORNE)
        assert customs is not None
        assert seaborne is not None
        assert (Quantity(10.81, "Mt"), False) == (customs.quantity, customs.preliminary)
        assert (Quantity(1.82e6, "bbl/d"), True) == (seaborne.quantity, seaborne.preliminary)

    # -- integrity and interchange --------------------------------------------------------------

    def test_verify_counts_every_record(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock, max_skew=None)
        for event in scenario():
            c.append(event)
            clock.advance(timedelta(minutes=-5))
        assert len(scenario()) == c.verify()

    def test_export_import_round_trip(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        for event in scenario():
            c.append(event)
            clock.advance()
        path = self.tmp_dir / "export.jsonl"
        assert len(c) == c.export_jsonl(path)
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert [(r.position, r.event_id, r.recorded_at.isoformat(), r.hash) for r in c] == [
            (d["position"], d["event_id"], d["recorded_at"], d["hash"]) for d in lines
        ]
        other = self.chronicle(FakeClock(datetime(2025, 1, 1, tzinfo=UTC)))
        imported = other.import_jsonl(path)
        assert [r.event for r in c] == [r.event for r in imported]
        assert [r.event_id for r in c] == [r.event_id for r in imported]
        for when in ("2024-03-19", "2024-04-04", "2024-04-07", "2024-04-30"):
            assert c.as_of(when).expectations() == other.as_of(when).expectations()
            assert c.as_of(when).statements() == other.as_of(when).statements()
        assert imported == other.import_jsonl(path)
        assert len(c) == len(other) == other.verify()
        assert list(c) == c.import_jsonl(path)  # its own export: every event already stored
        assert len(scenario()) == len(c)

    def test_import_refuses_a_bad_line_and_appends_nothing(self) -> None:
        c = self.chronicle()
        c.append(_announced())
        path = self.tmp_dir / "bad.jsonl"
        good = json.dumps(event_to_dict(_scheduled()))
        path.write_text(f"{good}\n\n{good[:-9]}\n", encoding="utf-8")
        with pytest.raises(ImportLineError, match="line 3: malformed JSON") as info:
            c.import_jsonl(path)
        assert 3 == info.value.line
        assert 1 == len(c)

    def test_answers_exactly_as_the_memory_store(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        reference = Chronicle(clock=clock)
        events = scenario()
        first = events[2]
        wrong = VisitPostponed(subject=VISIT, known_at="2024-04-06T00:00:00Z", reason="typo")
        batches: list[list[Event]] = [
            events[:3],
            [first, wrong],
            events[3:6],
            [Retracted(subject=VISIT, known_at="2024-04-06T01:00:00Z", target=event_id(wrong))],
            events[6:],
        ]
        for step, batch in enumerate(batches):
            assert [record_key(r) for r in reference.extend(batch)] == [
                record_key(r) for r in c.extend(batch)
            ]
            clock.advance(timedelta(seconds=-30 if step % 2 else 90))
        assert [record_key(r) for r in reference] == [record_key(r) for r in c]
        stamps = [r.recorded_at for r in c]
        for when in ("2024-03-01", "2024-03-19", "2024-04-04", "2024-04-06", "2024-04-30"):
            for by in (None, stamps[3], stamps[5]):
                mine, theirs = c.as_of(when, recorded_by=by), reference.as_of(when, recorded_by=by)
                assert theirs.expectations() == mine.expectations()
                assert theirs.statements() == mine.statements()
                assert [r.event_id for r in theirs.records()] == [
                    r.event_id for r in mine.records()
                ]
        assert reference.history(VISIT) == c.history(VISIT)

    # -- the state machine ----------------------------------------------------------------------

    def test_state_machine(self) -> None:
        machine = chronicle_machine(self.new_store)
        base = self.state_machine_settings or settings()
        run_state_machine_as_test(  # type: ignore[no-untyped-call,unused-ignore]
            machine, settings=settings(base, deadline=None)
        )
