"""The backend protocol: the few row operations a storage engine gives the shared store.

A :class:`Backend` stores and fetches rows, and nothing else: it knows no event type, decodes no
payload, seals nothing and never retries. The one :class:`~chronology.stores.base.Store` that
chronicles use wraps a backend and does the rest (decoding, caching, sealing, the bookkeeping of
retractions, duplicates). The memory, SQLite and PostgreSQL stores are backends; the how-to
"Write a store" shows a whole one in a few dozen lines.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeAlias

import attrs

from chronology.events import Event
from chronology.record import Sealed
from chronology.serialization import instant_text, payload_of

__all__ = [
    "Backend",
    "DuplicateRowError",
    "FoldRow",
    "Key",
    "RawRecord",
    "Row",
    "Sealer",
    "SnapshotShelf",
]

#: The tuple ``(position, event_id, recorded_at, payload, hash)`` in which a backend gives a
#: stored record back. ``recorded_at`` and ``payload`` are the exact texts that were hashed
#: (``Sealed.recorded_texts`` and ``Sealed.payloads``), or, for a backend that
#: :attr:`~Backend.holds_events`, the ``recorded_at`` instant and the event itself. A scan may
#: give longer tuples (a query's other columns after these five): the store reads the first
#: five.
Row: TypeAlias = tuple[int, str, Any, Any, str]

#: ``(position, event_id, payload)``: what a fold reads of a row (see
#: :meth:`Backend.fold_rows`); longer tuples are read for their first three.
FoldRow: TypeAlias = tuple[int, str, Any]

#: ``(subject, known_at text or None)``: where a wanted row is, if stored (see
#: :meth:`Backend.rows_by_id`).
Key: TypeAlias = tuple[str, str | None]

#: What :meth:`Backend.write` calls inside its transaction: given the last stored row (``None``
#: when the backend is empty) and the backend's own clock reading (``None``: the chronicle's
#: clock is used), it returns the sealed batch to store.
Sealer: TypeAlias = Callable[[Row | None, datetime | None], Sealed]


@attrs.frozen
class RawRecord:
    """A record exactly as stored, for verification and export: nothing is re-serialized."""

    position: int
    event_id: str
    recorded_at: str
    payload: str
    hash: str
    #: The values a backend keeps beside the payload for its queries, as stored (an SQLite
    #: file's ``known_at`` and ``subject``), for :meth:`Backend.check_columns`.
    columns: tuple[str, ...] = ()


class DuplicateRowError(Exception):
    """Raised by :meth:`Backend.write` of a backend that :attr:`~Backend.refuses_duplicates`
    when its unique index refuses a row: the transaction is rolled back, and the store seals
    the batch again with its stored copies looked up."""


class SnapshotShelf(abc.ABC):
    """Where a backend keeps fold snapshots between runs: an optional capability
    (:meth:`Backend.snapshot_shelf`). A snapshot is opaque here: the text its owner wrote, kept
    with the number of records it was folded from; a shelf never interprets it.
    """

    @abc.abstractmethod
    def load(self) -> list[tuple[int, str]]:
        """Every snapshot kept: ``(valid_to, text)`` pairs, oldest first."""

    @abc.abstractmethod
    def save(self, valid_to: int, text: str) -> None:
        """Keep a snapshot folded from the first ``valid_to`` records."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Drop every snapshot kept."""


class Backend(abc.ABC):
    """Rows in a storage engine: what the shared :class:`~chronology.stores.base.Store` needs.

    The rules a backend keeps (the contract suite, :mod:`chronology.testing`, checks them
    through the store that wraps it):

    * **One transaction per batch.** :meth:`.Backend.write` reads the last row, calls the
      sealer with it (and with its own clock reading, or ``None``), and stores the rows the
      sealer returns, all in one transaction: positions and ``recorded_at`` are decided
      inside it, never before, so that several writers never interleave. Reads the sealer
      makes meanwhile (it looks up duplicates and retraction targets through
      :meth:`.Backend.rows_by_id`) run in that same transaction. A failure leaves the backend
      unchanged.
    * **The exact hashed text.** Each new row's ``payload`` is ``Sealed.payloads[i]`` and its
      ``recorded_at`` is ``Sealed.recorded_texts[i]``, stored and given back unchanged
      (:meth:`.Chronicle.verify` recomputes the chain from them). A backend that
      :attr:`.Backend.holds_events` keeps the event and the instant instead, and writes the
      texts again with :func:`~chronology.serialization.payload_of` and
      :func:`~chronology.serialization.instant_text`, which give the same texts.
    * **Positions contiguous from 1**, in the order the sealer gave them, and ``recorded_at``
      strictly increasing with position (the sealer sees to it, given the last row).
    * **Whole batches.** A read made while a batch is being stored sees none of it; every read
      is bounded by a count the store took before (``end``).
    * **Retractions.** :meth:`.Backend.retraction_positions` lists exactly the positions
      ``Sealed.retractions`` named, whatever the events are.

    Implement the abstract methods; the others are optional, with defaults built on them.
    """

    #: Whether writes are refused (a read-only file or role).
    read_only: bool = False
    #: Rows carry the event and the ``recorded_at`` instant, not their texts (a store in
    #: memory, where decoding would only cost).
    holds_events: ClassVar[bool] = False
    #: :meth:`.Backend.write` raises :class:`DuplicateRowError` when a row's event is stored
    #: already (a unique index on the content): the store then seals without looking
    #: duplicates up first.
    refuses_duplicates: ClassVar[bool] = False
    #: How many decoded records the store keeps, for reads of one subject or one id.
    cache_size: int = 0
    #: :meth:`.Backend.write_chunks` stores a large batch sealed chunk by chunk in one
    #: transaction (the store then prepares and seals it a chunk at a time, so that only one
    #: chunk's payload texts are alive at once).
    writes_chunks: ClassVar[bool] = False
    #: Each row :meth:`.Backend.subject_rows_with_count` gives carries, after the five of a
    #: :data:`Row`, its mark: the stored ``known_at`` text (UTC, fixed width, as
    #: :func:`~chronology.stores.sql.known_at_text` writes it), or an empty text for a
    #: retraction. A point read then decodes only the events its fold needs.
    marks_subject_rows: ClassVar[bool] = False

    @abc.abstractmethod
    def write(self, seal: Sealer) -> Sealed:
        """Seal a batch and store its rows, in one transaction; return what ``seal`` returned.

        Store ``Sealed.new`` (each row's position, ``Sealed.ids[i]``,
        ``Sealed.recorded_texts[i]``, ``Sealed.payloads[i]``, ``Sealed.hashes[i]``, and the
        event's subject and ``Sealed.known_at_texts[i]`` for the scans by subject and assertion
        time) and mark ``Sealed.retractions`` as retractions.

        The store never calls it on a backend that is :attr:`.Backend.read_only`.

        Raises:
            DuplicateRowError: only if :attr:`.Backend.refuses_duplicates`.
        """

    @abc.abstractmethod
    def count(self) -> int:
        """The number of rows (the last position)."""

    @abc.abstractmethod
    def rows_after(self, after: int, end: int) -> Iterator[Row]:
        """The rows with ``after < position <= end``, in position order."""

    @abc.abstractmethod
    def rows_between(
        self, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[Row]:
        """The rows with ``after < known_at <= until`` and ``position <= end``, in ``(known_at,
        position)`` order (``None`` leaves that side open): the scan by assertion time."""

    @abc.abstractmethod
    def subject_rows(self, subject: str) -> list[Row]:
        """The rows about ``subject``, in position order."""

    @abc.abstractmethod
    def rows_by_id(self, ids: Sequence[str], keys: Sequence[Key] | None = None) -> list[Row]:
        """The rows whose ``event_id`` is in ``ids``, in any order.

        ``keys``, when given, is parallel to ``ids``: ``keys[i]`` is ``(subject, known_at)``
        of the row of ``ids[i]``, if there is one (``known_at`` as in its payload, or ``None``
        when unknown), for a backend that finds rows by subject and assertion time faster than
        by id. A row under another subject than its key says need not be found.
        """

    @abc.abstractmethod
    def retraction_positions(self, end: int) -> list[int]:
        """The positions marked as retractions, up to ``end``, in order."""

    # -- optional, with defaults ----------------------------------------------------------------

    def subject_rows_with_count(self, subject: str) -> tuple[int, list[Row]]:
        """The number of rows, and the rows about ``subject`` among them (in position
        order), as one state of the backend: what the first read of a view that reads one
        subject needs (its end and that subject's rows). The default reads the count, then the
        subject's rows, leaving out any stored past that count meanwhile; a server backend
        reads both in one statement, one round trip."""
        end = self.count()
        return end, [row for row in self.subject_rows(subject) if row[0] <= end]

    def write_chunks(self, sealers: Iterable[Sealer]) -> None:
        """Seal and store several chunks of one batch, all in one transaction, all or nothing.

        For a backend that :attr:`.Backend.writes_chunks`: like :meth:`.Backend.write`, once
        per sealer, in order, each one called with the last row stored before it (the
        previous chunk's last row, from the second on) and the backend's clock reading (or
        ``None``). Reads the sealers make through :meth:`.Backend.rows_by_id` and
        :meth:`.Backend.count` see the chunks stored before them (as a transaction sees its own
        writes); other readers see none of them until every chunk is stored. A failure in any
        chunk, or while pulling the next sealer, leaves the backend unchanged. The default
        refuses (the store never calls it unless the backend :attr:`.Backend.writes_chunks`).

        Raises:
            NotImplementedError: unless overridden.
        """
        raise NotImplementedError(f"{type(self).__name__} does not write batches in chunks")

    def rows_at(self, positions: Sequence[int]) -> list[Row]:
        """The rows at ``positions`` (sorted), in that order. The default reads them one at a
        time through :meth:`.Backend.rows_after`."""
        return [row for p in positions for row in self.rows_after(p - 1, p)]

    def fold_rows(
        self, after: datetime | None, until: datetime | None, end: int
    ) -> Iterator[FoldRow]:
        """``(position, event_id, payload)`` of each row :meth:`.Backend.rows_between` gives:
        all a fold reads. A backend may skip reading the other columns."""
        return ((r[0], r[1], r[3]) for r in self.rows_between(after, until, end))

    def raw(self, end: int) -> Iterator[RawRecord]:
        """The first ``end`` rows exactly as stored, for verification and export, in position
        order; the default takes them from :meth:`.Backend.rows_after` (writing the texts again
        when the backend :attr:`.Backend.holds_events`)."""
        for position, event_id, recorded_at, payload, hash_ in self.rows_after(0, end):
            if self.holds_events:
                recorded_at, payload = instant_text(recorded_at), payload_of(payload)
            yield RawRecord(position, event_id, recorded_at, payload, hash_)

    def recorded_through(self, instant: datetime, upto: int) -> int:
        """How many of the first ``upto`` rows were stored by ``instant``: a binary search
        (``recorded_at`` increases with position), a few one-row reads whatever the size."""
        low, high = 0, upto  # the answer is in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            row = next(self.rows_after(middle - 1, middle), None)
            if row is None:
                high = middle - 1
                continue
            at = row[2] if self.holds_events else datetime.fromisoformat(row[2])
            if at <= instant:
                low = middle
            else:
                high = middle - 1
        return low

    def subjects(self) -> list[str] | None:
        """Every subject with a row, sorted; ``None`` (the default) if the backend keeps no
        index on subjects: the store then reads them from the events."""
        return None

    def snapshot_shelf(self) -> SnapshotShelf | None:
        """Where fold snapshots may be kept between runs, if the backend keeps them; ``None``
        (the default) keeps them in memory only."""
        return None

    def sealed_head(self) -> tuple[int, str] | None:
        """The ``(count, last hash)`` kept apart from the rows, if one is kept (the default
        keeps none); :meth:`.Chronicle.verify` compares it with the chain."""
        return None

    def check_schema(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Check that the structure is the backend's own, before verification reads a row.

        Raises:
            SchemaIntegrityError: naming the object that is not the backend's.
        """

    def check_columns(self, raw: RawRecord, event: Event) -> str | None:
        """What is wrong with ``raw.columns`` given the event its payload holds, or ``None``
        (the default keeps no columns)."""
        return None

    def check_indexes(self, upto: int) -> None:  # noqa: B027 - optional hook, not abstract
        """Check the indexes kept beside the rows, at least for the first ``upto``.

        Raises:
            IntegrityError: naming a row an index disagrees about (within an index, the first).
        """

    def wait_for_records(self, after: int, timeout: float) -> None:
        """Return when there may be rows past ``after``, or after ``timeout`` seconds at most.
        The default sleeps ``timeout`` seconds unless rows are there already."""
        if self.count() <= after:
            time.sleep(timeout)

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release resources. The default does nothing."""
