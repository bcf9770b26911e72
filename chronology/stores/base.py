"""The store interface: the few operations a chronicle needs from its storage."""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

import attrs

from chronology.events import Event
from chronology.record import Batch, Record

__all__ = ["RawRecord", "Store"]


@attrs.frozen
class RawRecord:
    """A record exactly as stored, for verification and export: nothing is re-serialized."""

    position: int
    event_id: str
    recorded_at: str
    payload: str
    hash: str
    #: The values a store keeps beside the payload for its queries, as stored (an SQLite
    #: file's ``known_at`` and ``subject``), for :meth:`Store.check_columns`.
    columns: tuple[str, ...] = ()


class Store(abc.ABC):
    """Where records live. The rules every store keeps (the contract suite,
    :mod:`chronology.testing`, checks them; the how-to "Write a store" shows a whole one):

    * ``append`` does, in one transaction: read the head (the last record), call
      :func:`chronology.record.seal` with it, and store what it returns. Positions, ``recorded_at``
      and hashes are decided there, inside the transaction, never before it: then several
      writers can never interleave. A failure leaves the store unchanged.
    * The store keeps the exact texts that were hashed: each record's ``payload``
      (``Sealed.payloads``) and ``recorded_at`` (``Sealed.recorded_texts``), and gives them back
      unchanged in :meth:`raw` (a store that keeps the event objects instead may write them again
      with :func:`~chronology.serialization.payload_of` and
      :func:`~chronology.serialization.instant_text`, which give the same texts).
    * Readers see whole batches only: a read made while a batch is being stored sees none of it.
    * It lists as retractions exactly the positions ``Sealed.retractions`` names.

    Implement the abstract methods; the others have efficient defaults built on them.
    """

    #: Whether appends are refused (a read-only file).
    read_only: bool = False

    @abc.abstractmethod
    def append(
        self,
        batch: Batch,
        clock: Callable[[], datetime],
        *,
        max_skew: timedelta | None = None,
    ) -> list[Record]:
        """Store a prepared batch, all or nothing; return one record per input event.

        ``max_skew`` goes to :func:`chronology.record.seal`: a clock reading further behind
        the last record's ``recorded_at`` raises :class:`~chronology.errors.ClockSkewError`.
        """

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of records."""

    def records(self) -> Iterator[Record]:
        """Every record, in position order: :meth:`records_after` ``(0)``."""
        return self.records_after(0)

    def ordered(self, until: datetime | None = None) -> Iterable[Record]:
        """The records with ``known_at <= until`` (all when ``None``), in
        ``(known_at, position)`` order: :meth:`ordered_between` ``(None, until)``."""
        return self.ordered_between(None, until)

    @abc.abstractmethod
    def ordered_between(self, after: datetime | None, until: datetime | None) -> Iterable[Record]:
        """The records with ``after < known_at <= until``, in ``(known_at, position)`` order,
        as stored when the call was made.

        ``None`` leaves that side open. The one assertion-time scan a store implements (an
        index on ``(known_at, position)`` lets it start at ``after``); :meth:`ordered` and
        :meth:`ordered_events_between` read through it by default.
        """

    def ordered_events_between(
        self, after: datetime | None, until: datetime | None
    ) -> Iterable[tuple[int, str, Event]]:
        """``(position, event_id, event)`` of each record :meth:`ordered_between` gives, in
        its order: what a fold needs. The default takes them from the records; a store that
        decodes records as it reads them overrides it to skip what a fold does not use."""
        return ((r.position, r.event_id, r.event) for r in self.ordered_between(after, until))

    @abc.abstractmethod
    def records_after(self, position: int) -> Iterator[Record]:
        """The records after ``position``, in position order, as stored when the call was
        made: the one scan by position a store implements (from ``position``, not from the
        first record: snapshots catch up through it after every append)."""

    @abc.abstractmethod
    def subject_records(self, subject: str) -> list[Record]:
        """The records about one subject, in position order."""

    def subjects(self) -> list[str]:
        """Every subject with a record, sorted.

        Used to suggest a subject when one asked for is unknown. The default reads every
        record; stores with an index on subject override it.
        """
        return sorted({r.event.subject for r in self.records()})

    @abc.abstractmethod
    def retractions(self) -> list[Record]:
        """Every record whose event is a :class:`~chronology.events.Retracted`, in position
        order."""

    @abc.abstractmethod
    def raw(self) -> Iterator[RawRecord]:
        """Every record as stored, in position order."""

    @abc.abstractmethod
    def get(self, event_id: str) -> Record | None:
        """The record of an event id, if stored."""

    def recorded_through(self, instant: datetime, upto: int) -> int:
        """How many of the first ``upto`` records were stored by ``instant`` (``recorded_at <=
        instant``). ``recorded_at`` strictly increases with position, so they are the first
        that many, and a view recorded by ``instant`` is a view of them.

        The default is a binary search: a few reads of one record through
        :meth:`records_after`, whatever the size of the log.
        """
        low, high = 0, upto  # the answer is in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            record = next(self.records_after(middle - 1), None)
            if record is not None and record.recorded_at <= instant:
                low = middle
            else:
                high = middle - 1
        return low

    def sealed_head(self) -> tuple[int, str] | None:
        """The ``(count, last hash)`` the store keeps apart from its records, if it keeps one.

        :meth:`.Chronicle.verify` compares it with the chain, which catches the removal of the
        last records. The default keeps none.
        """
        return None

    def check_schema(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Check that the store's structure is its own (an SQLite file's tables, indexes, and
        no triggers or views), before :meth:`.Chronicle.verify` reads a record. The default
        has none to check.

        Raises:
            SchemaIntegrityError: naming the object that is not the store's.
        """

    def check_columns(self, raw: RawRecord, event: Event) -> str | None:
        """What is wrong with ``raw.columns`` (the values kept beside the payload, which
        queries trust) given the event its payload holds, or ``None`` if they match. The
        default keeps none."""
        return None

    def check_indexes(self, upto: int) -> None:  # noqa: B027 - optional hook, not abstract
        """Check the indexes the store keeps beside its records, which lookups and views
        trust, against the records: at least the first ``upto`` (the ones
        :meth:`.Chronicle.verify` has just checked); a store may check the ones appended since
        too. The default keeps none to check.

        Raises:
            IntegrityError: naming a record an index disagrees about (within an index, the
                first one).
        """

    def wait_for_records(self, after: int, timeout: float) -> None:
        """Return when the store may hold records past position ``after``, or after
        ``timeout`` seconds at most, for :meth:`.Chronicle.follow` (which then reads what is
        new). A store that can be told of appends (PostgreSQL's ``LISTEN``) returns as soon as
        one commits; the default sleeps ``timeout`` seconds, unless records are there already.
        """
        if len(self) <= after:
            time.sleep(timeout)

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release resources. The default does nothing."""
