"""Fold snapshots: the built-in projection folded up to an instant, kept so that full views fold
only the records after it.

A :class:`Snapshot` holds every expectation folded from the records known by its instant;
:class:`Snapshots` keeps a few per store and folds each full view on from the nearest one. Which
records a fold takes is :mod:`chronology.visibility`'s rule, the one views use.

Snapshots outlive the process where the store keeps a shelf
(:meth:`~chronology.stores.backend.Backend.snapshot_shelf`; an SQLite file has one): the
first full view starts from the snapshot shelved there, once its header names the hash of
the record at its ``valid_to`` in this log (:mod:`chronology.snapshot_text`), and a full view
that had to fold much leaves a new one there (see :class:`Snapshots` for the rule).

("Checkpoint", in this library, means only SQLite's copying of its write-ahead log into the
main file: see :mod:`chronology.stores.sqlite`.)
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from chronology._collector import promote_young
from chronology._vintages import bundle
from chronology.errors import SettingError, StoreError
from chronology.events import Event, Retracted, StatementMade
from chronology.expectations import Expectation
from chronology.fold import ExpectationFold, due_at, past_due, shown_at
from chronology.record import Record
from chronology.snapshot_text import (
    ShelvedSnapshot,
    SnapshotTextError,
    read_header,
    read_snapshot,
    snapshot_text,
)
from chronology.visibility import left_out_ids

if TYPE_CHECKING:
    from chronology.stores.base import Store

__all__ = ["SHELVE_FROM", "Snapshot", "Snapshots"]

#: The smallest log whose full views leave a snapshot on the store's shelf (a smaller one
#: folds from its first record in well under a tenth of a second).
SHELVE_FROM = 20_000

#: A snapshot of the automatic grid is left only when the subjects it makes a new value of
#: (changed since an earlier snapshot already held one) are at most one in this many of the
#: records folded since the last: each such subject costs a new frozen value (and its derived
#: variant) to make, to keep beside the old one, and for the collector to walk. In a backfill
#: every stretch of assertion time touches every subject again, and a grid a sixteenth of the
#: log apart held the whole projection sixteen times over: a first view of 100,000 such events
#: (10 a subject) took four times as long as one of the same events said in order, half of it
#: collecting garbage, and one of 200,000 kept 120 MiB more. Views at random instants of such a
#: log fold further from a sparser grid (see the changelog for both, measured).
_RECORDS_PER_CHANGE = 16


class Snapshot:
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
        parent: Snapshot | None = None,
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
        # here once: a chain of snapshots derives them in steps from its parent, never by a
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


class Snapshots:
    """Snapshots of the built-in projection for one store, so full views fold only the tail.

    A full view as of ``X`` starts from the latest snapshot at or before ``X`` that answers
    for it, folds the records known after the snapshot and by ``X``, and thaws only the
    subjects those records touch. Folding a stretch leaves snapshots behind it (every
    ``every`` records, and at ``X`` after a few hundred), so the next view starts close by.

    Snapshots follow the store: before use, the records appended since are scanned. A record
    known at or before a snapshot's instant (a late arrival) drops that snapshot; so does a
    retraction whose effect reaches back to it (the event it finally restores or removes is
    known at or before it).

    Two kinds are kept apart, each with its own bound and least recently used first out: the
    snapshots left every ``every`` records (the grid that bounds how far any view folds), and
    those left at the instants views asked about (so asking again is cheap). Views at many
    instants replace each other, never the grid.

    **The shelf.** When the store keeps a shelf (an SQLite file does), the first full view
    starts from the snapshot shelved there, if the record at its ``valid_to`` has the hash
    its header names (otherwise it is ignored, and replaced later; a first view before its
    instant leaves it undecoded for the first later view it can answer); the records appended
    since are scanned as above, so a late arrival or a retraction reaching back before it
    drops it, and it is folded on from like any other. A full view of the log as recorded now
    shelves its state, at the latest ``known_at`` it folded, when the log holds at least
    ``shelve_from`` records and either no shelved snapshot is still good, or this view folded
    an eighth of the log, or the log has grown by an eighth since the snapshot shelved (and
    the new one is at a later instant). Writes never shelve: a batch costs what it costs
    without a shelf; the view that shelves pays for writing the text (a fraction of what it
    folded). A store opened read-only loads but never shelves.

    Args:
        store: the store the views read.
        every: fold this many records between snapshots (``None``: a sixteenth of the log,
            at least 4,096, and further apart when a stretch makes new values of more subjects
            held already than a quarter of its records, as in a backfill).
        keep: keep at most this many snapshots of the grid.
        keep_views: keep at most this many snapshots at views' instants.
        shelve_from: shelve snapshots of logs of at least this many records (``None``: never
            use the store's shelf, neither to load nor to save).

    Raises:
        SettingError: ``every`` is below 1.
    """

    def __init__(
        self,
        store: Store,
        *,
        every: int | None = None,
        keep: int = 16,
        keep_views: int = 4,
        shelve_from: int | None = SHELVE_FROM,
    ) -> None:
        if every is not None and every < 1:
            raise SettingError(
                f"every must be at least 1 (or None: the automatic grid), got {every}"
            )
        self._store = store
        self._every = every
        self._keep = max(1, keep)
        self._keep_views = max(1, keep_views)
        self._synced = 0
        # Least recently used first.
        self._points: list[Snapshot] = []
        self._lock = threading.Lock()
        self._shelf = None if shelve_from is None else store.snapshot_shelf()
        self._shelve_from = 0 if shelve_from is None else max(0, shelve_from)
        #: Whether the shelf was looked at (on the first full view).
        self._loaded = False
        #: ``(valid_to, at)`` of the snapshot on the shelf while it is still good.
        self._shelved: tuple[int, datetime] | None = None
        #: ``(valid_to, at)`` of a shelved snapshot passed over by a view before its instant:
        #: decoded by the first later view that it can answer, while it is still good.
        self._deferred: tuple[int, datetime] | None = None

    def __len__(self) -> int:
        """How many snapshots are kept."""
        return len(self._points)

    @property
    def store(self) -> Store:
        """The store the snapshots follow."""
        return self._store

    def points(self) -> list[Snapshot]:
        """The snapshots kept, by instant."""
        with self._lock:
            return sorted(self._points, key=lambda c: c.at)

    def _sync(self, upto: int) -> None:
        """Scan the records appended since the last scan, up to ``upto``; drop what they undo."""
        if upto <= self._synced:
            return
        if not self._points and self._shelved is None:
            # nothing to invalidate: no need to read the new records
            self._synced = upto
            return
        earliest: datetime | None = None
        for r in self._store.records_after(self._synced):
            if r.position > upto:
                break
            at = self._reach(r)
            if at is None:
                self._points = []
                self._shelved = None
                earliest = None
                break
            if earliest is None or at < earliest:
                earliest = at
        if earliest is not None:
            self._points = [c for c in self._points if c.at < earliest]
            if self._shelved is not None and self._shelved[1] >= earliest:
                self._shelved = None
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
            if not self._loaded:
                self._loaded = True
                self._load(upto, as_of)
            self._sync(upto)
            if self._deferred is not None:
                self._load_deferred(upto, as_of)
            base: Snapshot | None = None
            for c in self._points:
                if c.at <= as_of and c.answers(upto) and (base is None or c.at > base.at):
                    base = c
            if base is not None:
                # Most recently used last: eviction takes from the front.
                self._points.remove(base)
                self._points.append(base)
            shown, statements = self._fold_on(base, as_of, upto)
        bundle(shown.values())  # the answer's vintages are made together, if ever read
        # What a large fold made lasts: out of the young generation without a walk (a view
        # folds with the collector paused; see chronology._collector).
        promote_young()
        return shown, statements

    def _load(self, upto: int, as_of: datetime) -> None:
        """Start from the newest snapshot on the shelf that belongs to this log's first
        ``upto`` records, if there is one (a first view, with no snapshot kept yet). One
        folded past ``as_of`` cannot answer this view: it is not decoded, only remembered
        (so that this view does not shelve an earlier state over it)."""
        shelf = self._shelf
        if shelf is None or self._points or self._synced:
            return
        try:
            kept = shelf.load()
        except StoreError:
            return
        for valid_to, text in reversed(kept):
            try:
                header = read_header(text)
            except SnapshotTextError:
                continue
            if header.valid_to != valid_to or not 0 < valid_to <= upto:
                continue
            rows = self._store.backend.rows_at([valid_to])
            if not rows or rows[0][4] != header.hash:
                continue  # folded from other records: never trusted
            if header.at > as_of:
                # Decoding it would cost a fifth of the fold this view needs anyway; a later
                # view it can answer decodes it (_load_deferred).
                self._synced = valid_to
                self._shelved = self._deferred = (valid_to, header.at)
                return
            try:
                found = read_snapshot(text)
            except SnapshotTextError:
                continue
            values = dict(found.values)
            point = Snapshot(found.at, found.needs, valid_to, values, found.statements)
            self._add(point, at_view=False)
            self._synced = valid_to
            self._shelved = (valid_to, found.at)
            return

    def _load_deferred(self, upto: int, as_of: datetime) -> None:
        """Decode the shelved snapshot a view before its instant passed over, for a view at or
        after that instant, if no record since has reached back before it (``_sync`` keeps
        ``_shelved`` for that) and the shelf still holds it; forget it otherwise."""
        deferred = self._deferred
        if deferred is None or as_of < deferred[1]:
            return
        self._deferred = None
        valid_to, at = deferred
        shelf = self._shelf
        if shelf is None or self._shelved != deferred or valid_to > upto:
            return
        try:
            kept = dict(shelf.load())
        except StoreError:
            return
        text = kept.get(valid_to)
        if text is None:
            return
        try:
            header = read_header(text)
            rows = self._store.backend.rows_at([valid_to])
            if header.at != at or not rows or rows[0][4] != header.hash:
                return  # replaced meanwhile by a snapshot of other records: never trusted
            found = read_snapshot(text)
        except SnapshotTextError:
            return
        point = Snapshot(found.at, found.needs, valid_to, dict(found.values), found.statements)
        point.valid_to = upto  # _sync scanned the records after it up to here
        self._add(point, at_view=False)

    def _shelve(
        self,
        last: datetime,
        needs: int,
        upto: int,
        values: dict[str, Expectation],
        statements: tuple[StatementMade, ...],
        folded: int,
    ) -> None:
        """Put the state at ``last`` on the shelf, if the rule in the class documentation
        says so."""
        shelf = self._shelf
        if shelf is None or upto < self._shelve_from or self._store.read_only:
            return
        shelved = self._shelved
        if shelved is not None:
            valid_to, at = shelved
            grown = upto - valid_to >= valid_to // 8
            if last <= at or not (grown or folded >= upto // 8):
                return
        rows = self._store.backend.rows_at([upto])
        if not rows:
            return
        text = snapshot_text(ShelvedSnapshot(last, needs, upto, rows[0][4], values, statements))
        if text is None:  # a kind with no text form: not shelved in this process
            self._shelf = None
            return
        try:
            shelf.save(upto, text)
        except StoreError:
            self._shelf = None  # cannot write: not tried again in this process
            return
        self._shelved = (upto, last)

    def _fold_on(
        self, base: Snapshot | None, as_of: datetime, upto: int
    ) -> tuple[dict[str, Expectation], tuple[StatementMade, ...]]:
        store = self._store
        retractions = [r for r in store.retractions() if r.position <= upto]
        left_out = left_out_ids(retractions)
        needs = max((r.position for r in retractions), default=0)
        if base is not None:
            needs = max(needs, base.needs)
        values: dict[str, Expectation] = {} if base is None else base.values
        statements: tuple[StatementMade, ...] = () if base is None else base.statements
        # The tail is streamed, not listed: a first view of a large log would otherwise keep
        # every decoded record alive until the end of the fold (and the collector would walk
        # them all again and again). A snapshot is left between two instants: before folding
        # a record known later than the one folded last.
        current = upto == self._synced
        every = self._every or max(4096, upto // 16)
        # Explicit spacing is kept as asked; the automatic grid weighs what a snapshot costs:
        # the subjects of ``values`` the stretch thawed (made a new value of) against its size.
        share = _RECORDS_PER_CHANGE if self._every is None else 0
        state = ExpectationFold(values)
        state.needs = needs
        rows: Iterator[tuple[int, str, Event]] = iter(
            store.ordered_events_between(None if base is None else base.at, as_of)
        )
        folded = 0
        stop_after = every if current else None
        held: tuple[int, str, Event] | None = None
        while True:
            held = state.fold_rows(rows, upto, left_out, stop_after, held)
            if held is None:
                break
            since = state.count
            if state.thawed * share > since:
                stop_after = since + 1  # asked again before the next later instant
                continue
            last = state.last
            assert last is not None
            needs = state.needs
            dirty = set(state.touched())
            values = _merge(values, state, dirty)
            statements = (*statements, *state.statements)
            base = Snapshot(last, needs, upto, values, statements, parent=base, changed=dirty)
            self._add(base, at_view=False)
            state = state.continued(values)
            folded += since
            stop_after = every
        since = state.count
        last = state.last
        needs = state.needs
        folded += since
        dirty = set(state.touched())
        plain = _merge(values, state, dirty)
        statements = (*statements, *state.statements)
        if current and last is not None:
            # Every record known by ``last`` is folded, and none known after it by ``as_of``:
            # the state at ``as_of`` is the state at ``last``.
            self._shelve(last, needs, upto, plain, statements, folded)
        if current and (base is None or since >= min(every, 256)):
            point = Snapshot(as_of, needs, upto, plain, statements, parent=base, changed=dirty)
            self._add(point, at_view=True)
            return _shown(point, as_of, plain, set()), statements
        if base is None:
            return _shown(None, as_of, plain, set(plain)), statements
        return _shown(base, as_of, plain, dirty), statements

    def _add(self, point: Snapshot, *, at_view: bool) -> None:
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
    point: Snapshot | None, as_of: datetime, plain: dict[str, Expectation], fresh: set[str]
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
