"""The store contract: one test suite that every :class:`~chronology.stores.Store` must pass.

Subclass :class:`ChronicleContract` and implement :meth:`~ChronicleContract.new_store`; pytest
collects the subclass (name it ``Test...``) and runs every test below against your store:

* unit tests of the semantics, through :class:`~chronology.Chronicle`: positions, duplicates,
  atomic batches, ``recorded_at`` under a stuck or backward clock, ``as_of`` and
  ``recorded_by`` bounds, late arrivals, retractions, history, diff, derived statuses,
  verification and JSONL interchange;
* a comparison with the in-memory reference store: the same appends under the same clock must
  give the same records (positions, ids, ``recorded_at``, hashes) and the same answers;
* a hypothesis state machine (:func:`chronicle_machine`) that appends random events, batches,
  duplicates, retractions and retractions of retractions while a fake clock jumps back and
  forth, and checks every answer against a naive model: a plain list of records, filtered,
  sorted and folded from scratch for each question.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Final

import attrs
import pytest
from hypothesis import assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chronology.chronicle import Chronicle
from chronology.errors import ImportLineError, RetractionError
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
from chronology.expectations import (
    Expectation,
    ExpectationFold,
    Status,
    TradeExpectation,
    VisitExpectation,
)
from chronology.record import Record
from chronology.serialization import canonical_json, event_id_of, event_to_dict
from chronology.stores.base import Store
from chronology.stores.memory import MemoryStore
from chronology.testing import strategies as cst
from chronology.time import Window
from chronology.view import View

__all__ = ["ChronicleContract", "FakeClock", "chronicle_machine"]

_TICK: Final = timedelta(microseconds=1)
_END_OF_DAY: Final = timedelta(days=1) - _TICK


class FakeClock:
    """A clock that only moves when told to, for reproducible ``recorded_at`` values.

    Pass it as ``Chronicle(clock=...)``. It can be set back, to check that ``recorded_at``
    still strictly increases.

    Args:
        start: the first reading.

    Example:
        >>> clock = FakeClock(datetime(2024, 5, 1, tzinfo=UTC))
        >>> clock.advance(timedelta(hours=1)).isoformat()
        '2024-05-01T01:00:00+00:00'
    """

    def __init__(self, start: datetime = datetime(2024, 5, 1, tzinfo=UTC)) -> None:
        self._now = start

    def __call__(self) -> datetime:
        """The current reading."""
        return self._now

    def advance(self, delta: timedelta = timedelta(seconds=1)) -> datetime:
        """Move the clock by ``delta`` (negative moves it back) and return the new reading."""
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Set the reading, forward or back."""
        self._now = when


# -- the naive model ----------------------------------------------------------------------------


def _event_id(event: Event) -> str:
    return event_id_of(canonical_json(event_to_dict(event)))


def _naive_instant(when: datetime | date | str) -> datetime:
    """The instant a question stands for, worked out without :mod:`chronology.time`."""
    if isinstance(when, str):
        when = date.fromisoformat(when)
    if isinstance(when, datetime):
        return when.astimezone(UTC)
    return datetime(when.year, when.month, when.day, tzinfo=UTC) + _END_OF_DAY


@attrs.frozen
class ModelRecord:
    """What the model expects the chronicle to have stored for one event."""

    position: int
    event_id: str
    recorded_at: datetime
    event: Event


@attrs.frozen
class Answer:
    """A view's answer, as the model computes it."""

    expectations: dict[str, Expectation]
    statements: tuple[StatementMade, ...]


class Refused(Exception):
    """The model expects the chronicle to refuse a batch."""

    def __init__(self, index: int) -> None:
        self.index = index
        super().__init__(index)


def model_plan(
    model: Sequence[ModelRecord], batch: Sequence[Event], now: datetime
) -> tuple[list[ModelRecord], list[ModelRecord]]:
    """The records a batch must produce: one result per event, and the new records.

    Raises:
        Refused: if the batch holds a retraction of a missing event or of another subject.
    """
    known = {r.event_id: r for r in model}
    last = model[-1].recorded_at if model else None
    results: list[ModelRecord] = []
    new: list[ModelRecord] = []
    for index, event in enumerate(batch):
        event_id = _event_id(event)
        if event_id in known:
            results.append(known[event_id])
            continue
        if isinstance(event, Retracted):
            target = known.get(event.target)
            if target is None or target.event.subject != event.subject:
                raise Refused(index)
        recorded_at = now if last is None or now > last else last + _TICK
        last = recorded_at
        record = ModelRecord(len(model) + len(new) + 1, event_id, recorded_at, event)
        known[event_id] = record
        new.append(record)
        results.append(record)
    return results, new


def model_records(
    model: Sequence[ModelRecord], at: datetime, recorded_by: datetime | None
) -> list[ModelRecord]:
    """The records a view folds, worked out from scratch over the model list.

    Keep the records stored by ``recorded_by``; work out which retractions are in force
    (a retraction is in force unless a retraction in force targets it); drop the retractions
    and their targets; keep ``known_at <= at``; sort by ``(known_at, position)``.
    """
    visible = [r for r in model if recorded_by is None or r.recorded_at <= recorded_by]
    retractions = [r for r in visible if isinstance(r.event, Retracted)]
    against: dict[str, list[ModelRecord]] = {}
    for r in retractions:
        assert isinstance(r.event, Retracted)
        against.setdefault(r.event.target, []).append(r)
    memo: dict[str, bool] = {}

    def in_force(r: ModelRecord) -> bool:
        if r.event_id not in memo:
            memo[r.event_id] = not any(in_force(x) for x in against.get(r.event_id, ()))
        return memo[r.event_id]

    dead = {r.event.target for r in retractions if isinstance(r.event, Retracted) and in_force(r)}
    kept = [
        r
        for r in visible
        if not isinstance(r.event, Retracted) and r.event_id not in dead and r.event.known_at <= at
    ]
    kept.sort(key=lambda r: (r.event.known_at, r.position))
    return kept


def model_answer(
    model: Sequence[ModelRecord], when: datetime | date | str, recorded_by: datetime | None
) -> Answer:
    """``as_of(when, recorded_by=recorded_by)``: :func:`model_records` folded by a fresh
    :class:`~chronology.expectations.ExpectationFold`."""
    at = _naive_instant(when)
    state = ExpectationFold()
    for r in model_records(model, at, recorded_by):
        state.apply(r.event, r.event_id)
    return Answer(state.freeze(at), tuple(state.statements))


def _record_key(r: Record) -> tuple[Any, ...]:
    return (r.position, r.event_id, r.recorded_at.isoformat(), r.hash, r.event)


def _model_key(r: ModelRecord | Record) -> tuple[Any, ...]:
    return (r.position, r.event_id, r.recorded_at.isoformat(), r.event)


# -- the state machine --------------------------------------------------------------------------


# Rules draw events through ``st.data()`` rather than taking them as arguments: hypothesis
# describes a rule's argument strategies in full, and the event strategy is large.
_BATCH: Final = st.lists(cst.events(), max_size=4)
_BEFORE: Final = st.lists(cst.events(), min_size=1, max_size=3)
_AROUND: Final = st.lists(cst.events(), max_size=2)
_INDEX: Final = st.integers(0, 2**16)
_SUBJECTS: Final = st.sampled_from(cst.ALL_SUBJECTS)
_QUESTION_KINDS: Final = st.sampled_from(("anywhere", "exactly at", "exactly at", "just before"))
_SHIFTS: Final = st.sampled_from((None, None, None, -1, 0, 0, 1))
_CLOCK_STEPS: Final = st.one_of(
    st.sampled_from((0, 1, -1, 1_000_000, 3_600_000_000, -86_400_000_000)),
    st.integers(-(10**11), 10**11),
)


def chronicle_machine(new_store: Callable[[], Store]) -> type[RuleBasedStateMachine]:
    """A state machine checking a store against the naive model and the in-memory store.

    Args:
        new_store: returns a fresh, empty store on each call.

    Returns:
        A :class:`~hypothesis.stateful.RuleBasedStateMachine`; run it with
        :func:`~hypothesis.stateful.run_state_machine_as_test` or collect its ``TestCase``.
    """

    class ChronicleMachine(RuleBasedStateMachine):
        """Random appends in any order, checked against a plain list after every step."""

        def __init__(self) -> None:
            super().__init__()
            self.clock = FakeClock()
            self.chronicle = Chronicle(store=new_store(), clock=self.clock)
            self.twin = Chronicle(store=MemoryStore(), clock=self.clock)
            self.model: list[ModelRecord] = []
            self.snapshots: list[tuple[datetime | date | str, datetime, Answer]] = []
            self.pinned: list[tuple[View, Answer]] = []

        def teardown(self) -> None:
            self.chronicle.close()
            self.twin.close()

        # -- helpers ----------------------------------------------------------------------------

        def _append(self, batch: list[Event], *, single: bool = False) -> None:
            results, new = model_plan(self.model, batch, self.clock())
            if single:
                real = [self.chronicle.append(batch[0])]
                twin = [self.twin.append(batch[0])]
            else:
                real = self.chronicle.extend(batch)
                twin = self.twin.extend(batch)
            assert [_model_key(m) for m in results] == [_model_key(r) for r in real]
            assert [_record_key(t) for t in twin] == [_record_key(r) for r in real]
            self.model.extend(new)

        # Draws go through a few strategies made once: making strategies per draw is what
        # costs most in a state machine.

        def _pick(self, data: st.DataObject) -> ModelRecord:
            return self.model[data.draw(_INDEX) % len(self.model)]

        def _question(self, data: st.DataObject) -> datetime | date | str:
            """An as-of question: anywhere in the range, or exactly at (or a microsecond
            before) a stored ``known_at``: the boundaries are where bugs hide."""
            kind = data.draw(_QUESTION_KINDS)
            if not self.model or kind == "anywhere":
                return data.draw(cst.as_of_questions())
            known_at = self._pick(data).event.known_at
            return known_at - _TICK if kind == "just before" else known_at

        def _bound(self, data: st.DataObject) -> datetime | None:
            """A system-time bound: none, a stored ``recorded_at`` or a microsecond either side."""
            shift = data.draw(_SHIFTS)
            if not self.model or shift is None:
                return None
            return self._pick(data).recorded_at + shift * _TICK

        def _retraction(self, data: st.DataObject, target: Event, target_id: str) -> Retracted:
            return Retracted(
                subject=target.subject,
                known_at=data.draw(cst.known_ats()),
                target=target_id,
                reason=data.draw(cst.optional_texts()),
            )

        def _check(self, view: View, expected: Answer) -> None:
            # One subject at a time first (the view folds that subject's events only) ...
            for subject in cst.ALL_SUBJECTS:
                assert expected.expectations.get(subject) == view.get(subject)
            # ... then the whole projection, which must agree.
            assert tuple(expected.expectations.values()) == view.expectations()
            assert expected.statements == view.statements()

        # -- rules ------------------------------------------------------------------------------

        @rule(data=st.data())
        def append(self, data: st.DataObject) -> None:
            self._append([data.draw(cst.events())], single=True)

        @rule(data=st.data())
        def extend(self, data: st.DataObject) -> None:
            self._append(data.draw(_BATCH))

        @precondition(lambda self: bool(self.model))
        @rule(data=st.data())
        def append_again(self, data: st.DataObject) -> None:
            """Re-ingesting a stored event (retracted or not) returns its record."""
            self._append([self._pick(data).event], single=True)

        @precondition(lambda self: bool(self.model))
        @rule(data=st.data())
        def retract(self, data: st.DataObject) -> None:
            """Retract any stored record, retractions included (which restores their target)."""
            target = self._pick(data)
            self._append([self._retraction(data, target.event, target.event_id)])

        @rule(data=st.data())
        def extend_with_retraction(self, data: st.DataObject) -> None:
            """A batch that retracts one of its own earlier events."""
            before, after = data.draw(_BEFORE), data.draw(_AROUND)
            target = before[data.draw(_INDEX) % len(before)]
            retraction = self._retraction(data, target, _event_id(target))
            self._append([*before, retraction, *after])

        @rule(data=st.data())
        def refused_retraction(self, data: st.DataObject) -> None:
            """A bad retraction anywhere in a batch refuses the whole batch."""
            before, after = data.draw(_AROUND), data.draw(_AROUND)
            stored = {r.event_id for r in self.model}
            wrong_subject: bool = bool(self.model) and data.draw(st.booleans())
            if wrong_subject:
                target = self._pick(data)
                others = [s for s in cst.ALL_SUBJECTS if s != target.event.subject]
                bad = Retracted(
                    subject=others[data.draw(_INDEX) % len(others)],
                    known_at=data.draw(cst.known_ats()),
                    target=target.event_id,
                )
            else:
                taken = stored | {_event_id(e) for e in before}
                missing = data.draw(cst.event_ids())
                assume(missing not in taken)
                bad = Retracted(
                    subject=data.draw(_SUBJECTS),
                    known_at=data.draw(cst.known_ats()),
                    target=missing,
                )
            batch = [*before, bad, *after]
            with pytest.raises(Refused):
                model_plan(self.model, batch, self.clock())
            count = len(self.chronicle)
            with pytest.raises(RetractionError) as refusal:
                self.chronicle.extend(batch)
            assert len(before) == refusal.value.index
            assert count == len(self.chronicle)
            for event in before:
                event_id = _event_id(event)
                if event_id not in stored:
                    assert self.chronicle.record(event_id) is None

        @rule(micros=_CLOCK_STEPS)
        def move_clock(self, micros: int) -> None:
            self.clock.advance(timedelta(microseconds=micros))

        @rule(data=st.data())
        def check_view(self, data: st.DataObject) -> None:
            when = self._question(data)
            by = self._bound(data)
            expected = model_answer(self.model, when, by)
            self._check(self.chronicle.as_of(when, recorded_by=by), expected)
            twin = self.twin.as_of(when, recorded_by=by)
            assert twin.expectations() == self.chronicle.as_of(when, recorded_by=by).expectations()
            head = self.model[-1].recorded_at if self.model else None
            if by is not None and head is not None and by <= head:
                # Stored by an explicit bound in the past: this answer must never change.
                self.snapshots.append((when, by, expected))
                del self.snapshots[:-6]

        @rule(data=st.data())
        def pin_view(self, data: st.DataObject) -> None:
            """A view made now, read later: it answers as of when it was made."""
            when = self._question(data)
            self.pinned.append((self.chronicle.as_of(when), model_answer(self.model, when, None)))

        @precondition(lambda self: bool(self.pinned))
        @rule()
        def read_pinned(self) -> None:
            view, expected = self.pinned.pop(0)
            self._check(view, expected)

        @rule(data=st.data())
        def check_history(self, data: st.DataObject) -> None:
            subject = data.draw(_SUBJECTS)
            by = self._bound(data)
            changes = self.chronicle.history(subject, recorded_by=by)
            far = datetime(9999, 1, 1, tzinfo=UTC)
            expected = [r for r in model_records(self.model, far, by) if r.event.subject == subject]
            assert [r.event_id for r in expected] == [c.event_id for c in changes]
            assert [r.event for r in expected] == [c.event for c in changes]
            assert [r.recorded_at for r in expected] == [c.recorded_at for c in changes]
            if changes:
                assert changes[0].before is None
            for previous, change in itertools.pairwise(changes):
                assert previous.after == change.before
            if changes:
                last = changes[-1]
                at_last = model_answer(self.model, last.known_at, by).expectations.get(subject)
                assert at_last == last.after

        @precondition(lambda self: bool(self.model))
        @rule(data=st.data())
        def look_up(self, data: st.DataObject) -> None:
            """A stored event is found by its id, and an id never stored is not (a lookup may bring
            an id index up to date)."""
            wanted = self._pick(data)
            found = self.chronicle.record(wanted.event_id)
            assert found is not None
            assert _model_key(wanted) == _model_key(found)
            unknown = data.draw(st.text("0123456789abcdef", min_size=32, max_size=32))
            if all(m.event_id != unknown for m in self.model):
                assert self.chronicle.record(unknown) is None

        @rule()
        def check_log(self) -> None:
            assert [_model_key(m) for m in self.model] == [_model_key(r) for r in self.chronicle]
            assert [_record_key(t) for t in self.twin] == [_record_key(r) for r in self.chronicle]
            assert len(self.model) == self.chronicle.verify()

        @invariant()
        def same_length(self) -> None:
            assert len(self.model) == len(self.chronicle) == len(self.twin)

        @invariant()
        def past_answers_hold(self) -> None:
            for when, by, expected in self.snapshots:
                view = self.chronicle.as_of(when, recorded_by=by)
                assert tuple(expected.expectations.values()) == view.expectations()
                assert expected.statements == view.statements()

    return ChronicleMachine


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


class ChronicleContract:
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

    def chronicle(self, clock: Callable[[], datetime] | None = None) -> Chronicle:
        """A chronicle on a fresh store, with a :class:`FakeClock` unless one is given."""
        c = Chronicle(store=self.new_store(), clock=FakeClock() if clock is None else clock)
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
        assert _event_id(event) == rec.event_id
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
        assert c.record(_event_id(good)) is None
        assert c.record(_event_id(later)) is None
        assert Status.ANNOUNCED == c.as_of("2024-04-30")[VISIT].status
        assert 2 == c.append(later).position
        assert 2 == c.verify()

    def test_recorded_at_strictly_increases_when_clock_is_stuck(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        records = [*c.extend(scenario()[:3]), c.append(_scheduled())]
        assert [clock() + n * _TICK for n in range(4)] == [r.recorded_at for r in records]

    def test_recorded_at_strictly_increases_when_clock_goes_back(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        first = c.append(_announced())
        clock.advance(-timedelta(days=1))
        second = c.append(_scheduled())
        assert first.recorded_at + _TICK == second.recorded_at
        clock.set(first.recorded_at + timedelta(hours=1))
        third = c.append(scenario()[0])
        assert clock() == third.recorded_at
        assert UTC.utcoffset(None) == third.recorded_at.utcoffset()
        assert 3 == c.verify()

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
        assert () == c.as_of(at - _TICK).expectations()

    def test_recorded_by_is_an_inclusive_bound(self) -> None:
        clock = FakeClock()
        c = self.chronicle(clock)
        rec = c.append(_announced())
        clock.advance()
        c.append(_scheduled())
        assert Status.ANNOUNCED == c.as_of("2024-04-07", recorded_by=rec.recorded_at)[VISIT].status
        assert () == c.as_of("2024-04-07", recorded_by=rec.recorded_at - _TICK).expectations()
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

    def test_view_answers_as_of_when_it_was_made(self) -> None:
        c = self.chronicle()
        c.append(_announced())
        view = c.as_of("2024-04-07")
        c.append(_scheduled())
        assert Status.ANNOUNCED == view[VISIT].status
        assert Status.SCHEDULED == c.as_of("2024-04-07")[VISIT].status

    def test_get_and_getitem(self) -> None:
        c = self.chronicle()
        c.extend(scenario())
        view = c.as_of("2024-04-04")
        assert view.get("visit/nobody") is None
        assert "visit/nobody" not in view
        with pytest.raises(KeyError):
            view["visit/nobody"]
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
        retracted_view = c.as_of("2024-04-06", recorded_by=restore.recorded_at - _TICK)
        assert Status.ANNOUNCED == retracted_view[VISIT].status
        assert 4 == c.verify()

    def test_retraction_of_an_event_in_the_same_batch(self) -> None:
        c = self.chronicle()
        wrong = VisitCancelled(subject=VISIT, known_at="2024-04-04T12:00:00Z")
        c.extend(
            [
                _announced(),
                wrong,
                Retracted(subject=VISIT, known_at="2024-04-04T13:00:00Z", target=_event_id(wrong)),
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
        assert () == c.history("visit/nobody")

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
        assert [TRADE, VISIT] == [e.subject for e in c.diff("2024-04-30", "2024-03-01").removed]

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
        c = self.chronicle(clock)
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
            [Retracted(subject=VISIT, known_at="2024-04-06T01:00:00Z", target=_event_id(wrong))],
            events[6:],
        ]
        for step, batch in enumerate(batches):
            assert [_record_key(r) for r in reference.extend(batch)] == [
                _record_key(r) for r in c.extend(batch)
            ]
            clock.advance(timedelta(seconds=-30 if step % 2 else 90))
        assert [_record_key(r) for r in reference] == [_record_key(r) for r in c]
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
