"""The fold engine: which records a question sees, in which order, and how they are folded.

A question ``as_of(X, recorded_by=Y)`` sees the records stored by ``Y`` (all when ``Y`` is
``None``) whose events were known by ``X``, minus the events retracted by ``Y``, in
``(known_at, position)`` order: assertion-time order, with the storage position breaking ties.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from chronology.errors import IntegrityError
from chronology.events import Event, Retracted, StatementMade
from chronology.expectations import (
    Expectation,
    ExpectationFold,
    due_at,
    past_due,
    shown_at,
)
from chronology.record import Record

if TYPE_CHECKING:
    from chronology.stores.base import Store

__all__ = ["Checkpoint", "Checkpoints", "Projection", "effective_records", "fold", "retracted_ids"]

S = TypeVar("S")


class Projection(Protocol[S]):
    """A user-defined fold over the events a view sees.

    Example:
        >>> class CountBySubject:
        ...     def initial(self) -> dict[str, int]:
        ...         return {}
        ...     def apply(self, state: dict[str, int], event: Event) -> dict[str, int]:
        ...         return {**state, event.subject: state.get(event.subject, 0) + 1}
    """

    def initial(self) -> S:
        """The state before any event."""
        ...

    def apply(self, state: S, event: Event) -> S:
        """The state after ``event``."""
        ...


#: What :func:`retracted_ids` and :meth:`.Chronicle.verify` say of a record that the store lists
#: as a retraction though its event is not one.
_NOT_A_RETRACTION = "listed as a retraction, but its event is not one"


def retracted_ids(retractions: Iterable[Record], recorded_by: datetime | None) -> frozenset[str]:
    """The ids of the events that count as never recorded, as of system time ``recorded_by``.

    ``retractions`` are the retraction records in position order. A retraction is in force
    unless it is itself retracted; since a retraction is always stored after its target,
    walking them from the last one back decides each before it is needed.

    Raises:
        IntegrityError: if the store lists as a retraction a record whose event is not one
            (an index edited behind the library's back).
    """
    visible = [r for r in retractions if recorded_by is None or r.recorded_at <= recorded_by]
    dead: set[str] = set()
    for r in reversed(visible):
        if r.event_id in dead:
            continue
        event = r.event
        if not isinstance(event, Retracted):
            raise IntegrityError(r.position, _NOT_A_RETRACTION)
        dead.add(event.target)
    return frozenset(dead)


def effective_records(
    ordered: Iterable[Record],
    retractions: Iterable[Record],
    *,
    recorded_by: datetime | None,
) -> list[Record]:
    """Filter records already in ``(known_at, position)`` order down to those a view folds.

    Drops records stored after ``recorded_by``, retraction records themselves, and the events
    they retract.
    """
    dead = retracted_ids(retractions, recorded_by)
    out: list[Record] = []
    append = out.append
    if recorded_by is None:
        for r in ordered:
            if r.event_id not in dead and not isinstance(r.event, Retracted):
                append(r)
    else:
        for r in ordered:
            if (
                r.recorded_at <= recorded_by
                and r.event_id not in dead
                and not isinstance(r.event, Retracted)
            ):
                append(r)
    return out


def fold(events: Iterable[Event], initial: S, apply: Callable[[S, Event], S]) -> S:
    """Fold ``apply`` over ``events`` from ``initial``."""
    state = initial
    for event in events:
        state = apply(state, event)
    return state


# -- checkpoints --------------------------------------------------------------------------------


class Checkpoint:
    """The built-in projection folded up to an assertion-time instant, kept to fold on from.

    It holds every expectation frozen with ``as_of=None`` (no ``overdue`` or ``awaiting_report``
    derived), from the records with ``known_at <= at`` among the first ``valid_to`` records, as
    corrected by the retractions among them. It answers for any view of the first ``P`` records with
    ``needs <= P <= valid_to``: ``needs`` is the highest position among the records it folded
    and the retractions, so such a view sees the same records up to ``at``.
    """

    __slots__ = ("_ends", "at", "at_view", "needs", "past_due", "statements", "valid_to", "values")

    def __init__(
        self,
        at: datetime,
        needs: int,
        valid_to: int,
        values: dict[str, Expectation],
        statements: tuple[StatementMade, ...],
        *,
        parent: Checkpoint | None = None,
        changed: Collection[str] = (),
    ) -> None:
        self.at = at
        #: Left at the instant a view asked about (not one of the grid's).
        self.at_view = False
        self.needs = needs
        self.valid_to = valid_to
        self.values = values
        self.statements = statements
        self._ends: list[tuple[datetime, str]]
        #: The derived variants (``overdue``, ``awaiting_report``) of the values that may read
        #: so.
        self.past_due: dict[str, Expectation]
        # The candidates (by window or period end) and their derived variants, made
        # here once: a chain of checkpoints derives them in steps from its parent, never by a
        # scan, and views only look them up.
        if parent is None:
            gone: Collection[str] = values.keys()
            ends: list[tuple[datetime, str]] = []
            shown: dict[str, Expectation] = {}
        else:
            gone = set(changed)
            ends = [e for e in parent._ends if e[1] not in gone]
            shown = {s: v for s, v in parent.past_due.items() if s not in gone}
        for subject in gone:
            value = values.get(subject)
            end = None if value is None else due_at(value)
            if value is not None and end is not None:
                ends.append((end, subject))
                shown[subject] = past_due(value)
        ends.sort()
        self._ends = ends
        self.past_due = shown

    def answers(self, upto: int) -> bool:
        """Whether a view of the first ``upto`` records may fold on from here."""
        return self.needs <= upto <= self.valid_to

    def ends(self) -> list[tuple[datetime, str]]:
        """``(window end, subject)`` of the values that read ``overdue`` (or ``awaiting_report``)
        from that end on, sorted."""
        return self._ends


class Checkpoints:
    """Checkpoints of the built-in projection for one store, so full views fold only the tail.

    A full view as of ``X`` starts from the latest checkpoint at or before ``X`` that answers
    for it, folds the records known after the checkpoint and by ``X``, and thaws only the
    subjects those records touch. Folding a stretch leaves checkpoints behind it (every
    ``every`` records, and at ``X`` after a few hundred), so the next view starts close by.

    Checkpoints follow the store: before use, the records appended since are scanned. A record
    known at or before a checkpoint's instant (a late arrival) drops that checkpoint; so does a
    retraction whose effect reaches back to it (the event it finally restores or removes is
    known at or before it).

    Two kinds are kept apart, each with its own bound and least recently used first out: the
    checkpoints left every ``every`` records (the grid that bounds how far any view folds), and
    those left at the instants views asked about (so asking again is cheap). Views at many
    instants replace each other, never the grid.

    Args:
        store: the store the views read.
        every: fold this many records between checkpoints (``None``: a sixteenth of the log,
            at least 4,096).
        keep: keep at most this many checkpoints of the grid.
        keep_views: keep at most this many checkpoints at views' instants.
    """

    def __init__(
        self, store: Store, *, every: int | None = None, keep: int = 16, keep_views: int = 4
    ) -> None:
        self._store = store
        self._every = every
        self._keep = max(1, keep)
        self._keep_views = max(1, keep_views)
        self._synced = 0
        # Least recently used first.
        self._points: list[Checkpoint] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many checkpoints are kept."""
        return len(self._points)

    @property
    def store(self) -> Store:
        """The store the checkpoints follow."""
        return self._store

    def points(self) -> list[Checkpoint]:
        """The checkpoints kept, by instant."""
        with self._lock:
            return sorted(self._points, key=lambda c: c.at)

    def _sync(self, upto: int) -> None:
        """Scan the records appended since the last scan, up to ``upto``; drop what they undo."""
        if upto <= self._synced:
            return
        if not self._points:  # nothing to invalidate: no need to read the new records
            self._synced = upto
            return
        earliest: datetime | None = None
        for r in self._store.records_after(self._synced):
            if r.position > upto:
                break
            at = self._reach(r)
            if at is None:
                self._points = []
                earliest = None
                break
            if earliest is None or at < earliest:
                earliest = at
        if earliest is not None:
            self._points = [c for c in self._points if c.at < earliest]
        for c in self._points:
            c.valid_to = upto
        self._synced = upto

    def _reach(self, r: Record) -> datetime | None:
        """The earliest ``known_at`` whose fold ``r`` changes (``None``: cannot tell)."""
        event = r.event
        seen = 0
        while isinstance(event, Retracted):
            target = self._store.get(event.target)
            seen += 1
            if target is None or seen > 10_000:
                return None
            event = target.event
        return event.known_at

    def answer(
        self, as_of: datetime, upto: int
    ) -> tuple[dict[str, Expectation], tuple[StatementMade, ...]]:
        """Every expectation as of ``as_of`` (sorted by subject) and the statements, for a view
        of the first ``upto`` records as recorded now."""
        with self._lock:
            self._sync(upto)
            base: Checkpoint | None = None
            for c in self._points:
                if c.at <= as_of and c.answers(upto) and (base is None or c.at > base.at):
                    base = c
            if base is not None:
                # Most recently used last: eviction takes from the front.
                self._points.remove(base)
                self._points.append(base)
            return self._fold_on(base, as_of, upto)

    def _fold_on(
        self, base: Checkpoint | None, as_of: datetime, upto: int
    ) -> tuple[dict[str, Expectation], tuple[StatementMade, ...]]:
        store = self._store
        retractions = [r for r in store.retractions() if r.position <= upto]
        dead = retracted_ids(retractions, None)
        needs = max((r.position for r in retractions), default=0)
        if base is not None:
            needs = max(needs, base.needs)
        values: dict[str, Expectation] = {} if base is None else base.values
        statements: tuple[StatementMade, ...] = () if base is None else base.statements
        # The tail is streamed, not listed: a first view of a large log would otherwise keep
        # every decoded record alive until the end of the fold (and the collector would walk
        # them all again and again). A checkpoint is left between two instants: before folding
        # a record known later than the one folded last.
        current = upto == self._synced
        every = self._every or max(4096, upto // 16)
        state = ExpectationFold(values)
        apply = state.apply
        dirty: set[str] = set()
        add = dirty.add
        since = 0
        last: datetime | None = None
        for position, event_id, event in store.ordered_events_between(
            None if base is None else base.at, as_of
        ):
            if position > upto or event_id in dead:
                continue
            if isinstance(event, Retracted):
                continue
            known_at = event.known_at
            if since >= every and current and last is not None and known_at > last:
                values = _merge(values, state, dirty)
                statements = (*statements, *state.statements)
                base = Checkpoint(last, needs, upto, values, statements, parent=base, changed=dirty)
                self._add(base, at_view=False)
                state = ExpectationFold(values)
                apply = state.apply
                dirty = set()
                add = dirty.add
                since = 0
            apply(event, event_id)
            add(event.subject)
            if position > needs:
                needs = position
            since += 1
            last = known_at
        plain = _merge(values, state, dirty)
        statements = (*statements, *state.statements)
        if current and (base is None or since >= min(every, 256)):
            point = Checkpoint(as_of, needs, upto, plain, statements, parent=base, changed=dirty)
            self._add(point, at_view=True)
            return _shown(point, as_of, plain, set()), statements
        if base is None:
            return _shown(None, as_of, plain, set(plain)), statements
        return _shown(base, as_of, plain, dirty), statements

    def _add(self, point: Checkpoint, *, at_view: bool) -> None:
        point.at_view = at_view
        points = self._points
        points.append(point)
        kind = [c for c in points if c.at_view == at_view]
        if len(kind) > (self._keep_views if at_view else self._keep):
            points.remove(kind[0])  # the least recently used of the same kind


def _merge(
    values: dict[str, Expectation], state: ExpectationFold, dirty: set[str]
) -> dict[str, Expectation]:
    """``values`` updated with the subjects ``state`` changed, sorted by subject."""
    if not dirty:
        return values
    out = dict(values)
    added = False
    for subject in dirty:
        value = state.freeze_one(subject, None)
        if value is None:  # only events the projection leaves out
            continue
        if subject not in out:
            added = True
        out[subject] = value
    if added:
        out = {s: out[s] for s in sorted(out)}
    return out


def _shown(
    point: Checkpoint | None, as_of: datetime, plain: dict[str, Expectation], fresh: set[str]
) -> dict[str, Expectation]:
    """``plain`` as a view at ``as_of`` shows it: ``overdue`` and ``awaiting_report`` derived.
    Values of subjects not in ``fresh`` are ``point``'s, whose derived variants it keeps."""
    shown = dict(plain)
    if point is not None:
        for end, subject in point.ends():
            if end > as_of:
                break
            if subject not in fresh:
                shown[subject] = point.past_due[subject]
    for subject in fresh:
        value = plain.get(subject)
        if value is not None:
            shown[subject] = shown_at(value, as_of)
    return shown
