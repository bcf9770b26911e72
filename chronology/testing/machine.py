"""The contract's state machine: random appends checked against the naive model after each step.

:func:`chronicle_machine` builds a :class:`~hypothesis.stateful.RuleBasedStateMachine` for a
store. It appends random events, batches, duplicates, retractions and retractions of
retractions while a fake clock jumps back and forth, and checks every answer twice: against
the model's records folded by the real fold (every field), and against the naive fold rules of
:mod:`chronology.testing.model` (kind, status, window). A twin chronicle on the in-memory
store must store the same records and answer the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Final

import pytest
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chronology.chronicle import Chronicle
from chronology.errors import RetractionError, UnknownSubjectError
from chronology.events import Event, Retracted
from chronology.stores.base import Store
from chronology.stores.memory import MemoryStore
from chronology.testing import strategies as cst
from chronology.testing.clock import TICK, FakeClock
from chronology.testing.model import (
    Answer,
    ModelRecord,
    Refused,
    event_id,
    model_answer,
    model_key,
    model_plan,
    model_records,
    outline,
    record_key,
)
from chronology.view import View

__all__ = ["chronicle_machine"]

# Rules draw events through ``st.data()`` rather than taking them as arguments: hypothesis
# describes a rule's argument strategies in full, and the event strategy is large.
_BATCH: Final = st.lists(cst.events(), max_size=4)
_BEFORE: Final = st.lists(cst.events(), min_size=1, max_size=3)
_AROUND: Final = st.lists(cst.events(), max_size=2)
_INDEX: Final = st.integers(0, 2**16)
_SUBJECTS: Final = st.sampled_from(cst.ALL_SUBJECTS)
_READ_NOW: Final = st.booleans()
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
            # The model knows the one-microsecond rule, not the skew allowance (its own test).
            self.chronicle = Chronicle(store=new_store(), clock=self.clock, max_skew=None)
            self.twin = Chronicle(store=MemoryStore(), clock=self.clock, max_skew=None)
            self.model: list[ModelRecord] = []
            self.snapshots: list[tuple[datetime | date | str, datetime, Answer]] = []
            #: Views made earlier, with the answer of their first read if it was made.
            self.pinned: list[tuple[View, datetime | date | str, Answer | None]] = []

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
            assert [model_key(m) for m in results] == [model_key(r) for r in real]
            assert [record_key(t) for t in twin] == [record_key(r) for r in real]
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
            return known_at - TICK if kind == "just before" else known_at

        def _bound(self, data: st.DataObject) -> datetime | None:
            """A system-time bound: none, a stored ``recorded_at`` or a microsecond either side."""
            shift = data.draw(_SHIFTS)
            if not self.model or shift is None:
                return None
            return self._pick(data).recorded_at + shift * TICK

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
            self._check_whole(view, expected)

        def _check_whole(self, view: View, expected: Answer) -> None:
            expectations = view.expectations()
            assert tuple(expected.expectations.values()) == expectations
            assert expected.statements == view.statements()
            # The fold rules, against the naive model's.
            assert expected.outlines == {e.subject: outline(e) for e in expectations}

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
            retraction = self._retraction(data, target, event_id(target))
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
                taken = stored | {event_id(e) for e in before}
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
                id_ = event_id(event)
                if id_ not in stored:
                    assert self.chronicle.record(id_) is None

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
            """A view made now, and read now or not: its first read (here, of one subject)
            fixes its end, so that later reads answer as of that read, whatever came since."""
            when = self._question(data)
            view = self.chronicle.as_of(when)
            expected = None
            if data.draw(_READ_NOW):
                view.get(data.draw(_SUBJECTS))
                expected = model_answer(self.model, when, None)
            self.pinned.append((view, when, expected))

        @precondition(lambda self: bool(self.pinned))
        @rule()
        def read_pinned(self) -> None:
            """A view read first now sees the log as it stands now."""
            view, when, expected = self.pinned.pop(0)
            if expected is None:
                expected = model_answer(self.model, when, None)
            self._check(view, expected)

        @rule(data=st.data())
        def check_history(self, data: st.DataObject) -> None:
            subject = data.draw(_SUBJECTS)
            by = self._bound(data)
            if all(r.event.subject != subject for r in self.model):
                with pytest.raises(UnknownSubjectError):
                    self.chronicle.history(subject, recorded_by=by)
                return
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
            assert model_key(wanted) == model_key(found)
            unknown = data.draw(st.text("0123456789abcdef", min_size=32, max_size=32))
            if all(m.event_id != unknown for m in self.model):
                assert self.chronicle.record(unknown) is None

        @rule()
        def check_log(self) -> None:
            assert [model_key(m) for m in self.model] == [model_key(r) for r in self.chronicle]
            assert [record_key(t) for t in self.twin] == [record_key(r) for r in self.chronicle]
            assert len(self.model) == self.chronicle.verify()

        @invariant()
        def same_length(self) -> None:
            assert len(self.model) == len(self.chronicle) == len(self.twin)

        @invariant()
        def past_answers_hold(self) -> None:
            for when, by, expected in self.snapshots:
                self._check_whole(self.chronicle.as_of(when, recorded_by=by), expected)

    return ChronicleMachine
