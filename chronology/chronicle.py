"""The chronicle: an append-only, hash-chained log of events, and the questions it answers."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final, Self, TextIO

from chronology._jsonline import read_line
from chronology._paths import write_atomically
from chronology.errors import (
    ChronologyError,
    EventError,
    ImportLineError,
    IntegrityError,
    RetractionError,
    StoreError,
    TimeError,
    UnknownSubjectError,
)
from chronology.events import Event, Retracted
from chronology.expectations import ExpectationFold
from chronology.integrity import Head
from chronology.projection import _NOT_A_RETRACTION, Checkpoints
from chronology.record import GENESIS_HASH, Record, chain_hash, prepare
from chronology.serialization import event_from_dict, event_id_of
from chronology.stores.base import Store
from chronology.stores.memory import MemoryStore
from chronology.time import as_of_instant
from chronology.tracks import watch
from chronology.view import Change, Diff, View

__all__ = ["DEFAULT_MAX_SKEW", "Chronicle", "Record"]

When = datetime | date | str

#: How far behind the last record's ``recorded_at`` a writer's clock may read by default.
DEFAULT_MAX_SKEW: Final = timedelta(minutes=5)


def _system_clock() -> datetime:
    return datetime.now(UTC)


class Chronicle:
    """An append-only log of events, answering what was expected as of any date.

    Args:
        store: where records live; a fresh in-memory store by default. Use
            :meth:`Chronicle.open` for an SQLite file.
        clock: the source of ``recorded_at`` (returns an aware datetime); the system clock by
            default. ``recorded_at`` strictly increases even if the clock does not.
        max_skew: how far the clock may read behind the last record's ``recorded_at``. A
            little (writers whose clocks are a little apart) and the new records take the last
            value plus one microsecond; more, and the append raises
            :class:`~chronology.errors.ClockSkewError` rather than give the new records a
            system time in this writer's future. ``None`` disables the check (replaying or
            copying history with a clock of your own).

    Example:
        >>> from chronology import Chronicle, Window
        >>> from chronology.events import VisitAnnounced, VisitScheduled
        >>> c = Chronicle()
        >>> _ = c.append(VisitAnnounced(subject="visit/a", known_at="2024-04-03T10:00:00Z",
        ...                             visitor="Sergei Lavrov", host="China"))
        >>> _ = c.append(VisitScheduled(subject="visit/a", known_at="2024-04-07T10:00:00Z",
        ...                             window=Window.parse("2024-04-08/2024-04-09")))
        >>> c.as_of("2024-04-04")["visit/a"].status
        <Status.ANNOUNCED: 'announced'>
        >>> c.as_of("2024-04-07")["visit/a"].status
        <Status.SCHEDULED: 'scheduled'>
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        max_skew: timedelta | None = DEFAULT_MAX_SKEW,
    ) -> None:
        self._store: Store = MemoryStore() if store is None else store
        self._clock = _system_clock if clock is None else clock
        self._max_skew = max_skew
        self._checkpoints = Checkpoints(self._store)
        watch(self._store)  # so that expectations read from it can list what each source said

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        clock: Callable[[], datetime] | None = None,
        max_skew: timedelta | None = DEFAULT_MAX_SKEW,
    ) -> Chronicle:
        """Open the chronicle in an SQLite file, creating it if missing.

        Args:
            path: the file; a relative path is relative to the current directory. Its
                directory must exist. See :mod:`chronology.stores.sqlite` for the schema.
            read_only: never write; appending raises :class:`~chronology.errors.ReadOnlyError`.
                A file this process may not write is opened read-only in any case.
            clock: as for :class:`Chronicle`.
            max_skew: as for :class:`Chronicle`.

        Raises:
            NotAChronicleError: the path is a directory, a device, a FIFO or a socket, or a
                file that is not a chronicle (left unmodified).
            FormatVersionError: the file was written by a newer format version.
            StoreError: the path cannot be opened or created (naming it), or ``read_only`` is
                set and the file is missing.
        """
        from chronology.stores.sqlite import SQLiteStore

        return cls(SQLiteStore(path, read_only=read_only), clock=clock, max_skew=max_skew)

    @property
    def store(self) -> Store:
        """The store holding the records."""
        return self._store

    @property
    def checkpoints(self) -> Checkpoints:
        """The checkpoints full views of this chronicle fold on from.

        Read it to see what is kept (``len()``, :meth:`~.Checkpoints.points`); set it to a new
        :class:`~chronology.projection.Checkpoints` over the same store to tune how often views
        leave them and how many are kept (the ones kept so far are dropped).

        Raises:
            StoreError: when set to checkpoints of another store.

        Example:
            >>> from chronology.projection import Checkpoints
            >>> c = Chronicle()
            >>> c.checkpoints = Checkpoints(c.store, every=100, keep=4)
            >>> len(c.checkpoints)
            0
        """
        return self._checkpoints

    @checkpoints.setter
    def checkpoints(self, checkpoints: Checkpoints) -> None:
        if checkpoints.store is not self._store:
            raise StoreError("checkpoints: they follow another store than this chronicle's")
        self._checkpoints = checkpoints

    # -- writing --------------------------------------------------------------------------------

    def append(self, event: Event) -> Record:
        """Store one event and return its record.

        Appending an event already stored (same content) returns the existing record.

        Raises:
            EventError: if ``event`` is not a registered event.
            RetractionError: for a retraction whose target is missing or about another subject.
            ReadOnlyError: if the chronicle was opened read-only.
            ClockSkewError: if the clock reads more than ``max_skew`` behind the last record.
        """
        return self.extend((event,))[0]

    def extend(self, events: Iterable[Event]) -> list[Record]:
        """Store a batch of events atomically: all of them, or none if any is refused.

        Returns one record per event, in the order given (the existing record for an event
        already stored, or repeated in the batch).

        Raises:
            ClockSkewError: if the clock reads more than ``max_skew`` behind the last record.
        """
        batch = prepare(events)
        if not batch:
            return []
        return self._store.append(batch, self._clock, max_skew=self._max_skew)

    # -- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[Record]:
        """Every record, in position order."""
        return self._store.records()

    def record(self, event_id: str) -> Record | None:
        """The record of an event id, or ``None``.

        In an SQLite file, appends do not index ids; the first lookup after a few thousand
        appends indexes the new ones in one sorted pass (see :mod:`chronology.stores.sqlite`).
        """
        return self._store.get(event_id)

    def as_of(self, when: When, *, recorded_by: When | None = None) -> View:
        """What was expected as of ``when``, as this chronicle recorded it by ``recorded_by``.

        Args:
            when: the assertion-time instant. A plain date stands for the last instant of that
                day (UTC), so ``as_of("2024-04-03")`` includes everything said on 3 April.
            recorded_by: ignore records stored after this system-time instant (inclusive bound;
                a date means its last instant). ``None``: as recorded now.

        Raises:
            TimeError: for a naive or malformed instant.
        """
        at = as_of_instant(when, field="as_of")
        by = None if recorded_by is None else as_of_instant(recorded_by, field="recorded_by")
        return View(
            self._store,
            as_of=at,
            recorded_by=by,
            upto=len(self._store),
            checkpoints=self._checkpoints,
        )

    def history(self, subject: str, *, recorded_by: When | None = None) -> tuple[Change, ...]:
        """One :class:`~chronology.view.Change` per event on ``subject``, in assertion-time order.

        Retracted events (and the retractions themselves) are not listed: the history is that
        of the record as corrected by ``recorded_by`` (now, by default). A subject whose events
        were all retracted, or all recorded after ``recorded_by``, has an empty history.

        Raises:
            UnknownSubjectError: the chronicle holds no record at all about ``subject`` (a
                :class:`KeyError` too); the message suggests the closest subjects.
            TimeError: for a naive or malformed ``recorded_by``.
        """
        by = None if recorded_by is None else as_of_instant(recorded_by, field="recorded_by")
        end_of_time = datetime.max.replace(tzinfo=UTC)
        view = View(self._store, as_of=end_of_time, recorded_by=by, upto=len(self._store))
        records = view.subject_records(subject)
        if not records and not self._store.subject_records(subject):
            raise UnknownSubjectError.among("no events about", subject, self._store.subjects())
        state = ExpectationFold()
        before = None
        changes: list[Change] = []
        for r in records:
            state.apply(r.event, r.event_id)
            after = state.freeze_one(subject, r.event.known_at)
            changes.append(
                Change(
                    known_at=r.event.known_at,
                    recorded_at=r.recorded_at,
                    event_id=r.event_id,
                    event=r.event,
                    before=before,
                    after=after,
                )
            )
            before = after
        return tuple(changes)

    def diff(self, a: When, b: When, *, recorded_by: When | None = None) -> Diff:
        """What changed in the expectations between as-of ``a`` and as-of ``b``.

        Args:
            a: the earlier assertion-time instant (a date stands for its last instant, UTC).
            b: the later one; equal to ``a`` gives an empty diff.
            recorded_by: as for :meth:`as_of`, for both views.

        Raises:
            TimeError: ``b`` is before ``a`` (the message names both), or an instant is naive
                or malformed.
        """
        start = as_of_instant(a, field="a")
        end = as_of_instant(b, field="b")
        if end < start:
            raise TimeError(
                f"diff: b ({end.isoformat()}) is before a ({start.isoformat()}); "
                "give the earlier instant first"
            )
        old = {e.subject: e for e in self.as_of(start, recorded_by=recorded_by)}
        new = {e.subject: e for e in self.as_of(end, recorded_by=recorded_by)}
        return Diff(
            added=tuple(new[s] for s in sorted(new.keys() - old.keys())),
            removed=tuple(old[s] for s in sorted(old.keys() - new.keys())),
            changed=tuple(
                (old[s], new[s]) for s in sorted(old.keys() & new.keys()) if old[s] != new[s]
            ),
        )

    # -- integrity ------------------------------------------------------------------------------

    def head(self) -> Head:
        """The position and hash of the last record, to publish (``str(head)`` gives
        ``POSITION:HASH``); ``Head(0, GENESIS_HASH)`` for an empty chronicle.

        A log that still extends a published head (see :meth:`verify`) was not rewritten up
        to it, even by someone who recomputed every hash.
        """
        count = len(self._store)
        if count == 0:
            return Head(0, GENESIS_HASH)
        last = next(self._store.records_after(count - 1))
        return Head(last.position, last.hash)

    def verify(self, *, expected_head: Head | str | None = None) -> int:
        """Re-check the whole log: positions, ids, system times and the hash chain, and the
        columns a store keeps beside each payload (an SQLite file's ``known_at`` and
        ``subject``); then the indexes kept beside the records (which records are
        retractions, and the store's own, such as the id table, the sealed head and the
        schema of an SQLite file), which views and lookups trust.

        The chain cannot tell a rewritten log from the original if every hash was computed
        again: pass a head published earlier (:meth:`head`) to check that the log still
        extends it.

        Args:
            expected_head: a :class:`~chronology.integrity.Head`, or its ``POSITION:HASH``
                text: the record at that position must have that hash.

        Returns:
            The number of records verified.

        Raises:
            IntegrityError: naming the position of the first record that fails, or of a
                record an index disagrees about (the first one, within that index), or the
                position of the published head the log does not extend.
            SchemaIntegrityError: naming a schema object of an SQLite file that is not the
                chronicle's own.
            HeadError: if ``expected_head`` is malformed.
        """
        published = Head.parse(expected_head) if isinstance(expected_head, str) else expected_head
        # Read the seal first: records that other writers append meanwhile only extend the
        # chain past it, so a growing log verifies while its records stay intact.
        self._store.check_schema()
        sealed = self._store.sealed_head()
        at_seal = GENESIS_HASH
        previous = GENESIS_HASH
        last: datetime | None = None
        count = 0
        retractions: list[int] = []
        for raw in self._store.raw():
            count += 1
            if raw.position != count:
                raise IntegrityError(count, f"expected position {count}, found {raw.position}")
            if event_id_of(raw.payload) != raw.event_id:
                raise IntegrityError(raw.position, "event content does not match its event_id")
            if (
                published is not None
                and raw.position == published.position
                and raw.hash != published.hash
            ):
                raise IntegrityError(
                    raw.position,
                    f"its hash {raw.hash} is not the published head's {published.hash}: "
                    "the log was rewritten up to here",
                )
            try:
                recorded_at = datetime.fromisoformat(raw.recorded_at)
            except ValueError:
                raise IntegrityError(raw.position, f"bad recorded_at {raw.recorded_at!r}") from None
            if last is not None and recorded_at <= last:
                raise IntegrityError(raw.position, "recorded_at does not increase")
            last = recorded_at
            expected = chain_hash(
                previous, raw.position, raw.event_id, raw.recorded_at, raw.payload
            )
            if expected != raw.hash:
                raise IntegrityError(raw.position, "hash does not match the chain")
            try:
                event = event_from_dict(json.loads(raw.payload))
            except (ChronologyError, ValueError) as exc:
                raise IntegrityError(raw.position, f"stored event is unreadable: {exc}") from None
            wrong = self._store.check_columns(raw, event)
            if wrong is not None:
                raise IntegrityError(raw.position, wrong)
            if isinstance(event, Retracted):
                retractions.append(raw.position)
            previous = raw.hash
            if sealed is not None and raw.position == sealed[0]:
                at_seal = raw.hash
        if sealed is not None and sealed[0] > count:
            raise IntegrityError(
                count + 1,
                f"the log ends at position {count} but was sealed at position {sealed[0]}: "
                "records were removed or the head was altered",
            )
        if sealed is not None and sealed[1] != at_seal:
            raise IntegrityError(
                sealed[0],
                f"the log was sealed at position {sealed[0]} with another hash: "
                "records were replaced or the head was altered",
            )
        if published is not None and published.position > count:
            raise IntegrityError(
                published.position,
                f"the published head {published} is past the end of the log (position "
                f"{count}): records were removed",
            )
        self._verify_retractions(retractions, count)
        self._store.check_indexes(count)
        return count

    def _verify_retractions(self, retractions: list[int], count: int) -> None:
        """Compare the retractions found in the first ``count`` records with the ones the
        store lists (the records that views take back)."""
        listed = [r.position for r in self._store.retractions() if r.position <= count]
        if listed == retractions:
            return
        # The first place where the two (sorted) lists part: the smaller of the two positions
        # there is the first record they disagree about.
        for stored, found in itertools.zip_longest(listed, retractions):
            if stored == found:
                continue
            if stored is not None and (found is None or stored < found):
                reason = (
                    "listed as a retraction more than once"
                    if stored in retractions
                    else _NOT_A_RETRACTION
                )
                raise IntegrityError(stored, reason)
            if found is not None:
                raise IntegrityError(
                    found,
                    "a retraction that the store does not list as one (views would ignore it)",
                )

    # -- interchange ----------------------------------------------------------------------------

    def export_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write every record as one JSON object a line, atomically (all or nothing).

        Each line holds the event's fields, its tag under ``"type"``, and the record's
        ``position``, ``recorded_at``, ``event_id`` and ``hash``.

        The file is written beside its target and then takes its place, with the permissions
        the process umask gives (``0644`` under umask ``022``). A symbolic link is followed
        (the file it names is replaced, the link kept); a directory, device, FIFO or socket
        is refused before anything is opened.

        Returns:
            The number of records written.

        Raises:
            StoreError: naming the path, if it is not a regular file (nor a link to one), or
                the file cannot be written; whatever was at the path is left as it was.
        """

        def write(out: TextIO) -> int:
            count = 0
            for raw in self._store.raw():
                head = json.dumps(
                    {
                        "position": raw.position,
                        "recorded_at": raw.recorded_at,
                        "event_id": raw.event_id,
                        "hash": raw.hash,
                    },
                    ensure_ascii=False,
                )
                out.write(f"{head[:-1]}, {raw.payload[1:]}\n")
                count += 1
            return count

        return write_atomically(path, write)

    def import_jsonl(
        self,
        path: str | os.PathLike[str],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> list[Record]:
        """Append the events of a JSONL file as new records, atomically.

        Accepts exported files and hand-written event lines alike (blank lines are skipped).
        Events already stored are not duplicated.

        Args:
            path: the file to read.
            progress: called with the number of bytes of each line once it is read, for a
                progress bar over a large file (the file is stored in one batch at the end).

        Raises:
            ImportLineError: naming ``line N`` and what is wrong there (malformed JSON, unknown
                tag, invalid field, a retraction of a missing event); nothing is appended.
            StoreError: if the file cannot be read.
        """
        name = os.fspath(path)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise StoreError(f"{name}: cannot read: {exc.strerror}") from None
        events: list[Event] = []
        lines: list[int] = []
        for number, raw_line in enumerate(data.split(b"\n"), start=1):
            if progress is not None:
                progress(len(raw_line) + 1)
            if not raw_line.strip():
                continue
            try:
                text = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ImportLineError(name, number, f"not UTF-8 text ({exc.reason})") from None
            obj = read_line(text, name, number)
            try:
                events.append(event_from_dict(obj))
            except EventError as exc:
                raise ImportLineError(name, number, str(exc)) from None
            lines.append(number)
        try:
            return self.extend(events)
        except RetractionError as exc:
            if exc.index is None:
                raise
            raise ImportLineError(name, lines[exc.index], str(exc)) from None

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the store. The chronicle cannot be used afterwards."""
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Chronicle {type(self._store).__name__} records={len(self._store)}>"
