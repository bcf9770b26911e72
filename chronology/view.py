"""Views: the answer to "what was expected as of X (as recorded by Y)?"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, cast

import attrs

from chronology._collector import collector_paused
from chronology._fastinit import builder_class, set_class
from chronology.errors import UnknownSubjectError
from chronology.events import Event, StatementMade
from chronology.expectations import (
    Expectation,
    Figured,
    Planned,
    SourceTrack,
    Status,
    TradeExpectation,
    VisitExpectation,
)
from chronology.fold import fold_expectations
from chronology.frames import (
    Cell,
    batches_to_arrow,
    batches_to_records,
    columns_to_arrow,
    columns_to_pandas,
)
from chronology.record import Record
from chronology.registry import expectation_kind
from chronology.snapshots import Snapshots
from chronology.stores.subject_rows import SubjectRows
from chronology.subject_snapshots import SubjectSnapshots
from chronology.time import Window, end_instant, to_instant
from chronology.view_records import (
    HISTORY_COLUMNS,
    HISTORY_TYPES,
    VIEW_COLUMNS,
    VIEW_TYPES,
    history_rows,
    rows_to_columns,
    rows_to_records,
    view_batches,
    view_columns,
)
from chronology.visibility import effective_records

if TYPE_CHECKING:
    from chronology.stores.base import Store

__all__ = ["Change", "Diff", "History", "Projection", "View", "fold", "new_change"]

S = TypeVar("S")


class Projection(Protocol[S]):
    """A user-defined fold over the events a view sees (:meth:`View.project`).

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


def fold(events: Iterable[Event], initial: S, apply: Callable[[S, Event], S]) -> S:
    """Fold ``apply`` over ``events`` from ``initial``."""
    state = initial
    for event in events:
        state = apply(state, event)
    return state


@attrs.frozen(kw_only=True)
class Change:
    """One event's effect on an expectation, as listed by :meth:`.Chronicle.history`.

    Attributes:
        known_at: when the event was made public.
        recorded_at: when this chronicle stored it.
        event_id: the event's id.
        event: the event.
        before: the expectation before the event (``None`` for the first).
        after: the expectation after it, its derived status taken at ``known_at``.
    """

    known_at: datetime
    recorded_at: datetime
    event_id: str
    event: Event
    before: Expectation | None
    after: Expectation | None


#: Changes are filled in as instances of this class, then turned into :class:`Change` (a
#: frozen slotted class always has one; were it not, filling one in would raise).
_CHANGE_BUILDER: Final = builder_class(Change) or Change


def new_change(
    known_at: datetime,
    recorded_at: datetime,
    event_id: str,
    event: Event,
    before: Expectation | None,
    after: Expectation | None,
) -> Change:
    """``Change(known_at=..., ...)``, filled in slot by slot (a history makes one per event)."""
    change: Any = object.__new__(_CHANGE_BUILDER)
    # Plain slot stores on the builder instance, then the class is set.
    change.known_at, change.recorded_at, change.event_id = known_at, recorded_at, event_id
    change.event, change.before, change.after = event, before, after
    set_class(change, Change)
    made: Change = change
    return made


class History(tuple[Change, ...]):
    """A subject's history, as :meth:`.Chronicle.history` gives it: a tuple of
    :class:`Change`, one per event in assertion-time order, with table forms in long format
    (one row per event: what each source said when, about which target, with which figure).

    Example:
        >>> from chronology import Chronicle, Quantity
        >>> from chronology.events import TradeProjected
        >>> c = Chronicle()
        >>> _ = c.extend([TradeProjected(subject="f", known_at=f"2024-0{m}-10T12:00Z",
        ...                              period="2024", quantity=Quantity(q, "mb/d"))
        ...               for m, q in ((7, 2.25), (8, 2.11))])
        >>> [(r["known_at"].month, r["value"], r["unit"]) for r in c.history("f").to_records()]
        [(7, 2.25, 'mb/d'), (8, 2.11, 'mb/d')]
    """

    __slots__ = ()

    def to_records(self) -> list[dict[str, Cell]]:
        """One flat dict per event, with the
        :data:`~chronology.view_records.HISTORY_COLUMNS` (instants as aware datetimes, the
        event's figure as ``value`` and ``unit``, its target as exact bounds beside the
        inclusive last day)."""
        return rows_to_records(history_rows(self), HISTORY_COLUMNS)

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a ``pandas.DataFrame`` (the ``pandas`` extra)."""
        return columns_to_pandas(rows_to_columns(history_rows(self), HISTORY_COLUMNS))

    def to_arrow(self) -> Any:
        """:meth:`to_records` as a ``pyarrow.Table`` with the
        :data:`~chronology.view_records.HISTORY_TYPES` (the ``arrow`` extra)."""
        return columns_to_arrow(rows_to_columns(history_rows(self), HISTORY_COLUMNS), HISTORY_TYPES)


@attrs.frozen(kw_only=True)
class Diff:
    """What changed between two views, as computed by :meth:`.Chronicle.diff`.

    Attributes:
        added: expectations present in the later view only.
        removed: expectations present in the earlier view only.
        changed: ``(before, after)`` pairs of expectations that differ.
    """

    added: tuple[Expectation, ...] = ()
    removed: tuple[Expectation, ...] = ()
    changed: tuple[tuple[Expectation, Expectation], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _range_start(value: datetime | date | str) -> datetime:
    return to_instant(value, field="start")


def _range_end(value: datetime | date | str) -> datetime | None:
    """A date (or date string) ends with its day; a date-time ends where it says."""
    return end_instant(value, field="end")


#: A record's ``known_at`` (read in C by the sort).
_known_at_of: Final = attrgetter("event.known_at")


class View:
    """The expectations as of an assertion-time instant, as recorded by a system-time instant.

    A view is a value: its first read fixes its end, the number of records it sees (the log
    as it stands at that read), and every later read of the view answers from those records
    only, so later appends never change its answers, and :meth:`get`, ``len()``, iteration
    and :meth:`expectations` always agree. A view made, then left unread while records are
    appended, sees those records: making one reads nothing, and its first :meth:`get` takes
    the end and the subject's records in one statement (one round trip on a server). Reading
    one subject folds that subject's events only; the whole projection is folded once, on
    first need.

    Build views with :meth:`.Chronicle.as_of`, not directly.

    Args:
        store: the store to read.
        as_of: the assertion-time instant.
        recorded_by: the system-time bound (inclusive), or ``None``.
        upto: the end, if fixed already (the number of records the view sees, before
            ``recorded_by`` bounds them); ``None`` fixes it at the first read.
        snapshots: fold snapshots a full view folds on from.
        subjects: per-subject snapshots point reads fold on from.
    """

    #: Fixes the end of views read from several threads at once: the first to fix it wins.
    _pin_lock: Final = threading.Lock()

    def __init__(
        self,
        store: Store,
        *,
        as_of: datetime,
        recorded_by: datetime | None,
        upto: int | None = None,
        snapshots: Snapshots | None = None,
        subjects: SubjectSnapshots | None = None,
    ) -> None:
        self._store = store
        self._subjects = subjects
        self._as_of = as_of
        self._recorded_by = recorded_by
        self._upto = upto
        self._snapshots = snapshots
        self._seen: int | None = None
        self._records: list[Record] | None = None
        self._frozen: dict[str, Expectation] | None = None
        self._statements: tuple[StatementMade, ...] | None = None

    @property
    def as_of(self) -> datetime:
        """The assertion-time instant; events with ``known_at`` up to it are folded."""
        return self._as_of

    @property
    def recorded_by(self) -> datetime | None:
        """The system-time bound (inclusive); ``None``: as recorded when the view's end was
        fixed (its first read)."""
        return self._recorded_by

    def _end(self) -> int:
        """The number of records in the log this view reads: fixed by its first read."""
        upto = self._upto
        return self._pin(len(self._store)) if upto is None else upto

    def _pin(self, count: int) -> int:
        """Fix the end at ``count`` unless a read fixed it already; return the end."""
        with self._pin_lock:
            if self._upto is None:
                self._upto = count
            return self._upto

    def _stored(self) -> int:
        """How many records this view sees: the first ``upto``, or as many of them as were
        stored by ``recorded_by`` (the first so many: ``recorded_at`` increases with
        position). Fixes the end first, if no read has (so call it before reading records)."""
        if self._seen is None:
            by = self._recorded_by
            upto = self._end()
            self._seen = upto if by is None else self._store.recorded_through(by, upto)
        return self._seen

    def records(self) -> tuple[Record, ...]:
        """The records this view folds, in ``(known_at, position)`` order."""
        if self._records is None:
            seen = self._stored()  # the end fixed before the reads: they hold at least as many
            self._records = effective_records(
                self._store.ordered(self._as_of), self._store.retractions(), seen
            )
        return tuple(self._records)

    def events(self) -> tuple[Event, ...]:
        """The events this view folds, in assertion-time order."""
        return tuple(r.event for r in self.records())

    def _expectations(self) -> dict[str, Expectation]:
        if self._frozen is None:
            # A fold makes many lasting objects and no cycles: the collector would walk the
            # whole heap for nothing (see chronology._collector).
            with collector_paused():
                if self._snapshots is not None:
                    # Fold on from the nearest snapshot rather than from the start of the log.
                    self._frozen, self._statements = self._snapshots.answer(
                        self._as_of, self._stored()
                    )
                else:
                    state = fold_expectations((r.event, r.event_id) for r in self.records())
                    self._frozen = state.freeze(self._as_of)
                    self._statements = tuple(state.statements)
        return self._frozen

    def expectations(self) -> tuple[Expectation, ...]:
        """Every expectation, sorted by subject."""
        return tuple(self._expectations().values())

    def visits(self) -> tuple[VisitExpectation, ...]:
        """The visit expectations, sorted by subject: ``of_kind("visit")``."""
        return cast(tuple[VisitExpectation, ...], self.of_kind("visit"))

    def trades(self) -> tuple[TradeExpectation, ...]:
        """The trade expectations, sorted by subject: ``of_kind("trade")``."""
        return cast(tuple[TradeExpectation, ...], self.of_kind("trade"))

    def plans(self) -> tuple[Planned, ...]:
        """The expectations of planned happenings, sorted by subject: plans, and visits (a
        visit is one kind of plan): ``of_kind("plan", "visit")``."""
        return cast(tuple[Planned, ...], self.of_kind("plan", "visit"))

    def figures(self) -> tuple[Figured, ...]:
        """The expectations of figures, sorted by subject: figures, and trade flows (a trade
        flow is one kind of figure): ``of_kind("figure", "trade")``."""
        return cast(tuple[Figured, ...], self.of_kind("figure", "trade"))

    def of_kind(self, *kinds: str) -> tuple[Expectation, ...]:
        """The expectations of the given kinds, sorted by subject.

        Args:
            kinds: names of registered kinds (:func:`chronology.registry.register_kind`):
                ``"visit"``, ``"plan"``, ``"trade"``, ``"figure"``, or one a user or a plugin
                registered, whose values are of that kind's own class.

        Raises:
            KindError: for a name no kind has, naming the kinds known.

        Example:
            >>> from chronology import Chronicle
            >>> from chronology.events import VisitAnnounced
            >>> c = Chronicle()
            >>> _ = c.append(VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00Z"))
            >>> [e.subject for e in c.as_of("2024-04-04").of_kind("visit")]
            ['visit/x']
        """
        for kind in kinds:
            expectation_kind(kind)
        return tuple(e for e in self._expectations().values() if e.kind in kinds)

    def statements(self, subject: str | None = None) -> tuple[StatementMade, ...]:
        """The statements known, in assertion-time order; only one subject's when given."""
        self._expectations()
        assert self._statements is not None
        return tuple(s for s in self._statements if subject is None or s.subject == subject)

    def get(self, subject: str) -> Expectation | None:
        """The expectation of ``subject``, or ``None``. Costs that subject's events only.

        As the view's first read, it fixes the view's end in the same statement that reads
        the subject's records (see :class:`View`).
        """
        if self._frozen is not None:
            return self._frozen.get(subject)
        subjects = self._subjects
        if subjects is not None:
            read: SubjectRows | None = None  # the subject's rows up to the end, if read
            if self._upto is None and subject not in subjects:
                count, read = self._store.subject_rows_with_count(subject)
                upto = self._pin(count)
                if upto < count:  # another thread's read fixed the end first, at fewer records
                    read = read.upto(upto)
                elif upto > count:  # ... or at more: read again
                    read = None
            end = self._end()
            answered, value = subjects.get(subject, self._as_of, end, self._stored(), read)
            if answered:
                return value
        state = fold_expectations((r.event, r.event_id) for r in self.subject_records(subject))
        return state.freeze_one(subject, self._as_of)

    def by_source(self, subject: str) -> dict[str, SourceTrack]:
        """What each source last said about ``subject``, by source name: the window or period,
        figure, hedge, claims and status it gave, and when it last spoke. Empty when the view
        has no expectation of ``subject``; see :meth:`.VisitExpectation.by_source`.

        Example:
            Two outlets on one visit, one hedged, one not::

                view.by_source("visit/blinken-china-2023")["AP"].likelihood
        """
        value = self.get(subject)
        return {} if value is None else value.by_source()

    def subject_records(self, subject: str) -> list[Record]:
        """The records of one subject this view folds, in ``(known_at, position)`` order."""
        seen = self._stored()  # the end fixed before the reads: they hold at least as many
        as_of = self._as_of
        candidates = [r for r in self._store.subject_records(subject) if r.event.known_at <= as_of]
        # The store lists them in position order, and the sort is stable: by known_at alone.
        candidates.sort(key=_known_at_of)
        return effective_records(candidates, self._store.retractions(), seen)

    def __getitem__(self, subject: str) -> Expectation:
        """The expectation of ``subject``.

        Raises:
            UnknownSubjectError: this view has no expectation about ``subject`` (a
                :class:`KeyError` too); the message suggests the closest subjects, or says
                that the chronicle has events about it which this view does not fold.
        """
        value = self.get(subject)
        if value is None:
            what = f"no expectation as of {self._as_of.isoformat()} about"
            if self._store.subject_records(subject):
                raise UnknownSubjectError(
                    f"{what} subject {subject!r}; the chronicle has events about it, but none "
                    "that gives an expectation in this view (known or recorded after it, "
                    "retracted, or statements only)",
                    subject,
                )
            raise UnknownSubjectError.among(what, subject, self._store.subjects())
        return value

    def __contains__(self, subject: object) -> bool:
        return isinstance(subject, str) and self.get(subject) is not None

    def __iter__(self) -> Iterator[Expectation]:
        return iter(self.expectations())

    def __len__(self) -> int:
        return len(self._expectations())

    def expected_between(
        self, start: datetime | date | str, end: datetime | date | str
    ) -> tuple[Expectation, ...]:
        """Expectations not cancelled whose window (or period) overlaps ``[start, end)``.

        Every kind is listed by its target time: a visit or plan by its current window, a trade
        flow or figure by the period its figure covers. The status does not matter beyond
        cancellation, derived statuses included: an ``overdue`` visit is still what was expected
        in its window, and an ``awaiting_report`` figure still the figure expected for its
        period (its report, not its period, is what is late). An expectation with no window or
        period overlaps nothing.

        Dates run from the start of the first day to the end of the last day:
        ``expected_between("2024-04-08", "2024-04-09")`` covers both days.
        """
        span = Window(_range_start(start), _range_end(end))
        return tuple(
            e
            for e in self._expectations().values()
            if e.status is not Status.CANCELLED and e.window is not None and e.window.overlaps(span)
        )

    def to_records(self) -> list[dict[str, Cell]]:
        """One flat dict per expectation, sorted by subject, with the
        :data:`~chronology.view_records.VIEW_COLUMNS` (stable whatever the kinds: a kind
        leaves empty the columns it has no field for)."""
        return batches_to_records(view_batches(self.expectations()), VIEW_COLUMNS)

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a ``pandas.DataFrame`` (the ``pandas`` extra), built from
        the columns, never from the records."""
        return columns_to_pandas(view_columns(self.expectations()))

    def to_arrow(self) -> Any:
        """:meth:`to_records` as a ``pyarrow.Table`` with the
        :data:`~chronology.view_records.VIEW_TYPES` (the ``arrow`` extra), built column by
        column from batches of expectations, never from the records
        (see :func:`~chronology.view_records.view_batches`)."""
        return batches_to_arrow(view_batches(self.expectations()), VIEW_TYPES)

    def project(self, projection: Projection[S]) -> S:
        """Fold a custom projection over this view's events, in assertion-time order."""
        return fold(self.events(), projection.initial(), projection.apply)

    def fold(self, initial: S, apply: Callable[[S, Event], S]) -> S:
        """Fold a function over this view's events from ``initial``."""
        return fold(self.events(), initial, apply)

    def __repr__(self) -> str:
        by = "now" if self._recorded_by is None else self._recorded_by.isoformat()
        return f"<View as_of={self._as_of.isoformat()} recorded_by={by}>"
