"""Fold snapshots of single subjects, so that a point read of a long-lived subject folds a few
of its events instead of all of them.

A point read (``chronicle.as_of(X).get(subject)``) folds the subject's records known by ``X``.
A subject followed for months has hundreds or thousands of them. :class:`SubjectSnapshots`
keeps, for the subjects read recently, their records in fold order and the built-in
projection's value after every so many of them; a read bisects for ``X`` and folds on from the
nearest snapshot before it.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from chronology.errors import SettingError
from chronology.events import Event, Retracted
from chronology.expectations import Expectation
from chronology.fold import ExpectationFold
from chronology.stores.subject_rows import SubjectEvents, SubjectRows
from chronology.visibility import retracted_ids

if TYPE_CHECKING:
    from chronology.stores.base import Store

# SubjectEvents is defined in chronology.stores.subject_rows; importable from here as before.
__all__ = ["SubjectEvent", "SubjectEvents", "SubjectSnapshots"]


class SubjectEvent(NamedTuple):
    """A subject's record as :func:`~chronology.visibility.retracted_ids` reads it."""

    position: int
    event_id: str
    event: Event


class _Subject:
    """One subject's records as a view of the log's first records folds them, with the values
    of the fold after every ``every`` of them."""

    __slots__ = ("events", "ids", "known", "last", "snapshots")

    def __init__(self, known: list[datetime], ids: list[str], events: list[Event], last: int):
        self.known = known
        self.ids = ids
        self.events = events
        #: The highest position among the subject's records (retractions included).
        self.last = last
        #: ``snapshots[q]``: the value after the first ``q * every`` events (``as_of=None``);
        #: ``None`` when the projection holds nothing for the subject yet.
        self.snapshots: list[Expectation | None] = [None]


class SubjectSnapshots:
    """Per-subject fold snapshots of the built-in projection, for point reads.

    A subject is taken in hand when it has more than ``every`` records: its records in
    ``(known_at, position)`` order, retracted ones and retractions left out, are listed once,
    and the fold's value is kept after every ``every`` of them as reads pass them. A read as of
    ``X`` folds on from the last snapshot at or before ``X``: at most ``every - 1`` events.

    It follows the store as :class:`~chronology.snapshots.Snapshots` do: before answering,
    it scans the records appended since, and a record about a subject held drops that subject
    (a retraction is always about its target's subject, so it drops it too). A subject listed
    from the first ``N`` records answers for a view of the first ``P`` records when no record
    of it lies between: its last record is at or before ``P`` and nothing of it came since.

    At most ``keep`` events are held, over all subjects, least recently read out first.

    Args:
        store: the store the views read.
        every: fold this many events between snapshots.
        keep: hold at most this many events' worth of subjects.

    Raises:
        SettingError: ``every`` is below 1.
    """

    def __init__(self, store: Store, *, every: int = 32, keep: int = 65_536) -> None:
        if every < 1:
            raise SettingError(f"every must be at least 1, got {every}")
        self._store = store
        self._every = every
        self._keep = keep
        self._held = 0
        self._synced = 0
        #: Least recently read first.
        self._subjects: OrderedDict[str, _Subject] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._subjects)

    def __contains__(self, subject: object) -> bool:
        """Whether ``subject`` is held: a read of it may need no record read."""
        return subject in self._subjects

    def get(
        self,
        subject: str,
        as_of: datetime,
        upto: int,
        first: int,
        records: SubjectRows | None = None,
    ) -> tuple[bool, Expectation | None]:
        """The expectation of ``subject`` as of ``as_of``, for a view of the first ``first``
        records of a log of ``upto`` (``first < upto`` for a view recorded by an instant).

        Args:
            subject: the subject read.
            as_of: the assertion-time instant.
            upto: the records in the log the view reads.
            first: the records the view sees (the first so many).
            records: the subject's rows among the first ``upto``, when the caller read
                them already; else they are read from the store if needed. A short
                subject's (folded whole) are decoded only as far as a fold as of ``as_of``
                needs (:meth:`.SubjectRows.known_by`).

        Returns:
            ``(True, value)`` when it could answer (``value`` is ``None`` when the projection
            has nothing for the subject), ``(False, None)`` when the caller must fold the
            subject itself: a view of a past state of the log (made before later appends, or
            recorded by an instant) about a subject not held for it.
        """
        with self._lock:
            self._sync(upto)
            held = self._subjects.get(subject)
            if held is not None and held.last <= first <= self._synced:
                self._subjects.move_to_end(subject)
            elif first == self._synced:
                if records is None:
                    records = self._store.subject_rows(subject)
                records = records.upto(first)
                if len(records) <= self._every:  # few: folded whole, as cheap as a snapshot
                    return True, _fold(records.known_by(as_of), subject, as_of)
                held = self._hold(subject, records.events())
            else:
                return False, None
            return True, self._value(held, subject, as_of)

    def _sync(self, upto: int) -> None:
        """Scan the records appended since the last scan, up to ``upto``; drop their subjects."""
        if upto <= self._synced:
            return
        if self._subjects:  # with nothing held, nothing to drop: no need to read them
            for r in self._store.records_after(self._synced):
                if r.position > upto:
                    break
                dropped = self._subjects.pop(r.event.subject, None)
                if dropped is not None:
                    self._held -= len(dropped.events)
        self._synced = upto

    def _hold(self, subject: str, records: SubjectEvents) -> _Subject:
        """Hold a subject's records (the first so many of the log, in position order)."""
        live = _live(records)
        events = [r[2] for r in live]
        held = _Subject([e.known_at for e in events], [r[1] for r in live], events, records[-1][0])
        dropped = self._subjects.pop(subject, None)
        if dropped is not None:
            self._held -= len(dropped.events)
        self._subjects[subject] = held
        self._held += len(held.events)
        while self._held > self._keep and len(self._subjects) > 1:
            _, out = self._subjects.popitem(last=False)
            self._held -= len(out.events)
        return held

    def _value(self, held: _Subject, subject: str, as_of: datetime) -> Expectation | None:
        """Fold on from the last snapshot before ``as_of``, leaving the snapshots it passes."""
        every, snapshots = self._every, held.snapshots
        end = bisect.bisect_right(held.known, as_of)
        q = min(end // every, len(snapshots) - 1)
        base = snapshots[q]
        state = ExpectationFold(None if base is None else {subject: base})
        apply = state.apply
        events, ids = held.events, held.ids
        for k in range(q * every, end):
            apply(events[k], ids[k])
            if (k + 1) % every == 0 and (k + 1) // every == len(snapshots):
                snapshots.append(state.freeze_one(subject, None))
        return state.freeze_one(subject, as_of)


def _known_at(entry: tuple[int, str, Event]) -> datetime:
    return entry[2].known_at


def _live(records: SubjectEvents) -> SubjectEvents:
    """A subject's records in position order, as a fold takes them: in ``(known_at,
    position)`` order, without retractions and the events they retract. (A retraction is about
    its target's subject, so the subject's own records say which of them are retracted.)"""
    retractions = [SubjectEvent(*r) for r in records if isinstance(r[2], Retracted)]
    if retractions:
        dead = retracted_ids(retractions)
        records = [r for r in records if r[1] not in dead and not isinstance(r[2], Retracted)]
    return sorted(records, key=_known_at)  # stable: ties stay in position order


def _fold(records: SubjectEvents, subject: str, as_of: datetime) -> Expectation | None:
    """The expectation of ``subject`` as of ``as_of``, folded from its ``records`` (all of
    them, or all but events said after ``as_of``)."""
    state = ExpectationFold()
    apply = state.apply
    for _, event_id, event in _live(records):
        if event.known_at <= as_of:
            apply(event, event_id)
    return state.freeze_one(subject, as_of)
