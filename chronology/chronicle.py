"""The chronicle: an append-only, hash-chained log of events, and the questions it answers."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Final, Self

from chronology._collector import collector_paused, promote_young
from chronology.errors import (
    StoreError,
    TimeError,
    UnknownSubjectError,
)
from chronology.events import Event
from chronology.fold import ExpectationFold
from chronology.integrity import Head, head_of, verify
from chronology.record import Record
from chronology.resolution import Outcomes, resolve
from chronology.snapshots import Snapshots
from chronology.stores.base import Store
from chronology.stores.memory import MemoryStore
from chronology.subject_snapshots import SubjectSnapshots
from chronology.time import as_of_instant
from chronology.tracks import watch
from chronology.view import Change, Diff, History, View, new_change

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
        self._snapshots = Snapshots(self._store)
        watch(self._store)  # so that expectations read from it can list what each source said
        self._subjects = SubjectSnapshots(self._store)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        clock: Callable[[], datetime] | None = None,
        max_skew: timedelta | None = DEFAULT_MAX_SKEW,
        schema: str | None = None,
    ) -> Chronicle:
        """Open the chronicle in an SQLite file, creating it if missing, or on a PostgreSQL
        server when ``path`` is a ``postgresql://`` URL.

        Args:
            path: the file; a relative path is relative to the current directory. Its
                directory must exist. See :mod:`chronology.stores.sqlite` for the schema.
                Or ``postgresql://user:password@host:port/dbname[?schema=NAME]``: a chronicle
                on a server (the ``postgres`` extra), created if missing; see
                :mod:`chronology.stores.postgres.store`.
            read_only: never write; appending raises :class:`~chronology.errors.ReadOnlyError`.
                A file this process may not write is opened read-only in any case; on
                PostgreSQL a read-only open needs only ``SELECT``.
            clock: as for :class:`Chronicle`. On PostgreSQL, ``recorded_at`` comes from the
                server's clock, inside each append's transaction, unless a clock is given here.
            max_skew: as for :class:`Chronicle`.
            schema: on PostgreSQL, the schema holding the chronicle (``public`` by default),
                so that several chronicles share a database; ``?schema=`` in the URL does the
                same. Not used for a file.

        Raises:
            NotAChronicleError: the path is a directory, a device, a FIFO or a socket, or a
                file that is not a chronicle (left unmodified); or a PostgreSQL schema holding
                anything but a chronicle.
            FormatVersionError: the file was written by a newer format version.
            StoreError: the path cannot be opened or created (naming it), or ``read_only`` is
                set and the file is missing; the server cannot be reached, or psycopg is not
                installed (the message names the ``postgres`` extra).
        """
        from chronology.stores.postgres import PostgresStore, is_postgres_url

        if is_postgres_url(path):
            store: Store = PostgresStore(
                str(path), schema=schema, read_only=read_only, server_clock=clock is None
            )
            return cls(store, clock=clock, max_skew=max_skew)
        from chronology.stores.sqlite import SQLiteStore

        return cls(SQLiteStore(path, read_only=read_only), clock=clock, max_skew=max_skew)

    @property
    def store(self) -> Store:
        """The store holding the records."""
        return self._store

    @property
    def snapshots(self) -> Snapshots:
        """The fold snapshots full views of this chronicle fold on from.

        Read it to see what is kept (``len()``, :meth:`~.Snapshots.points`); set it to a new
        :class:`~chronology.snapshots.Snapshots` over the same store to tune how often views
        leave them and how many are kept (the ones kept so far are dropped).

        Raises:
            StoreError: when set to snapshots of another store.

        Example:
            >>> from chronology.snapshots import Snapshots
            >>> c = Chronicle()
            >>> c.snapshots = Snapshots(c.store, every=100, keep=4)
            >>> len(c.snapshots)
            0
        """
        return self._snapshots

    @snapshots.setter
    def snapshots(self, snapshots: Snapshots) -> None:
        if snapshots.store is not self._store:
            raise StoreError("snapshots: they follow another store than this chronicle's")
        self._snapshots = snapshots

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
        already stored, or repeated in the batch). A large batch in memory is prepared and
        sealed in chunks inside its one transaction (:meth:`.Store.extend`): the same records,
        with the serialized texts of one chunk only alive at once.

        Raises:
            ClockSkewError: if the clock reads more than ``max_skew`` behind the last record.
        """
        listed = list(events)
        if not listed:
            return []
        return self._store.extend(listed, self._clock, max_skew=self._max_skew)

    def extend_rows(self, rows: Iterable[Mapping[str, Any]]) -> list[Record]:
        """Store many events given as rows (mappings in the wire form of a JSONL line),
        atomically: all of them, or none if any row or event is refused.

        Rows in canonical form (such as an export's lines) skip the strict reader; every row
        is still checked by its event class's constructor. See :mod:`chronology.bulk`.

        Returns:
            One record per row, in the order given (the existing record for an event already
            stored), as :meth:`extend` returns them.

        Raises:
            RowError: naming the first bad row's index (from 0) and what is wrong there.
            RetractionError: for a retraction whose target is missing or about another subject
                (``index`` is its row's).
            ClockSkewError: if the clock reads more than ``max_skew`` behind the last record.

        Example:
            >>> c = Chronicle()
            >>> recs = c.extend_rows([{"type": "visit.cancelled", "subject": "visit/x",
            ...                        "known_at": "2024-04-05T00:00:00Z"}])
            >>> recs[0].event.subject
            'visit/x'
        """
        from chronology import bulk  # imported when first used, as are the others below

        batch = bulk.prepare_rows(rows)
        if not batch:
            return []
        return self._store.append(batch, self._clock, max_skew=self._max_skew)

    def extend_table(self, table: Any) -> list[Record]:
        """Store one event per row of a pandas ``DataFrame`` or a pyarrow ``Table``,
        atomically: the events, ids and records :meth:`extend_rows` of
        :func:`chronology.bulk.rows_from_table` gives, read and written column by column
        (:mod:`chronology.columnar`).

        Columns are the wire form's fields (``type``, ``subject``, ``known_at``, ...), a nested
        field's named with dots (``quantity.value``, ``source.name``, ``period.start``); an
        empty cell leaves its field out; timestamps must carry a time zone.

        Raises:
            RowError: naming the first bad row's index (from 0) and what is wrong there (a
                naive timestamp names its column).
            EventError: if ``table`` is neither a pandas nor an Arrow table.
            RetractionError, ClockSkewError: as :meth:`extend_rows`.
        """
        from chronology import columnar

        with collector_paused():  # an event and a record per row, none in a cycle
            batch = columnar.prepare_table(table)
            if not batch:
                return []
            records = self._store.append(batch, self._clock, max_skew=self._max_skew)
            promote_young()  # lasting: out of the young generation without a walk
            return records

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

    def follow(
        self, after: int = 0, *, poll: float = 1.0, idle: float | None = None
    ) -> Iterator[Record]:
        """The records after position ``after``, in position order, then each new one as it
        is stored, by this process or any other writer.

        Nothing is missed or repeated: after every wait the store is read again from the last
        position yielded. On PostgreSQL the wait ends as soon as a batch commits (``LISTEN``
        / ``NOTIFY``, reconnecting when the connection is lost); SQLite and memory stores are
        polled every ``poll`` seconds.

        Args:
            after: the last position already seen (0: from the first record).
            poll: the longest wait, in seconds, before the store is read again.
            idle: stop after this many seconds with no new record; ``None`` follows until the
                caller stops iterating.

        Example:
            >>> from chronology.events import VisitCancelled
            >>> c = Chronicle()
            >>> _ = c.append(VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z"))
            >>> [r.position for r in c.follow(idle=0.01, poll=0.01)]
            [1]
        """
        store = self._store
        last = after
        quiet_since = time.monotonic()
        while True:
            for record in store.records_after(last):
                last = record.position
                quiet_since = time.monotonic()
                yield record
            if idle is not None and time.monotonic() - quiet_since >= idle:
                return
            wait = poll if idle is None else min(poll, idle)
            store.wait_for_records(last, wait)

    def as_of(self, when: When, *, recorded_by: When | None = None) -> View:
        """What was expected as of ``when``, as this chronicle recorded it by ``recorded_by``.

        Making the view reads nothing. Its first read fixes its end: it sees the records
        stored when that read is made, and no record appended after it, whichever of its
        methods later reads (see :class:`~chronology.view.View`). A point read,
        ``as_of(X).get(subject)``, is thus one statement on PostgreSQL: the subject's records
        and the log's length, read together.

        Args:
            when: the assertion-time instant. A plain date stands for the last instant of that
                day (UTC), so ``as_of("2024-04-03")`` includes everything said on 3 April.
            recorded_by: ignore records stored after this system-time instant (inclusive bound;
                a date means its last instant). ``None``: as recorded now.

        Raises:
            TimeError: for a naive or malformed instant.
        """
        return self._view(as_of_instant(when, field="as_of"), recorded_by, None)

    def _view(self, at: datetime, recorded_by: When | None, upto: int | None) -> View:
        """The view as of ``at``; its end fixed at ``upto`` records, or by its first read."""
        by = None if recorded_by is None else as_of_instant(recorded_by, field="recorded_by")
        return View(
            self._store,
            as_of=at,
            recorded_by=by,
            upto=upto,
            snapshots=self._snapshots,
            subjects=self._subjects,
        )

    def outcomes(
        self, as_of: When, *, recorded_by: When | None = None, reference: str | None = None
    ) -> Outcomes:
        """How every expectation turned out, with only what was known by ``as_of``.

        Args:
            as_of: the assertion-time instant (a date means its last instant).
            recorded_by: ignore records stored after this system-time instant; ``None``: now.
            reference: judge figures against the latest report of this scope or source name
                rather than of each projection's own scope.

        Returns:
            An :class:`~chronology.resolution.Outcomes` mapping subject to outcome; see
            :mod:`chronology.resolution`.

        Raises:
            TimeError: for a naive or malformed instant.
        """
        return resolve(self.as_of(as_of, recorded_by=recorded_by), reference=reference)

    def history(self, subject: str, *, recorded_by: When | None = None) -> History:
        """One :class:`~chronology.view.Change` per event on ``subject``, in assertion-time order.

        The answer is a :class:`~chronology.view.History`: a tuple of changes, with
        ``to_records()``, ``to_pandas()`` and ``to_arrow()`` in long format (one row per event).

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
        apply, freeze = state.apply, state.freeze_one
        before = None
        changes: list[Change] = []
        for r in records:
            event, event_id = r.event, r.event_id
            known_at = event.known_at
            apply(event, event_id)
            after = freeze(subject, known_at)
            changes.append(new_change(known_at, r.recorded_at, event_id, event, before, after))
            before = after
        return History(changes)

    def diff(self, a: When, b: When, *, recorded_by: When | None = None) -> Diff:
        """What changed in the expectations between as-of ``a`` and as-of ``b``.

        Args:
            a: the earlier assertion-time instant (a date stands for its last instant, UTC).
            b: the later one; equal to ``a`` gives an empty diff.
            recorded_by: as for :meth:`as_of`, for both views. Both see the same records:
                those stored when the diff starts reading.

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
        # Both views end at one length of the log: a record appended meanwhile is in neither.
        upto = len(self._store)
        old = {e.subject: e for e in self._view(start, recorded_by, upto)}
        new = {e.subject: e for e in self._view(end, recorded_by, upto)}
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
        return head_of(self._store)

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
        return verify(self._store, expected_head)

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

        from chronology import interchange

        return interchange.export_jsonl(self._store, path)

    def export_parquet(self, path: str | os.PathLike[str]) -> int:
        """Write every record to a Parquet file, atomically (all or nothing), for DuckDB,
        pandas or Spark; needs the ``arrow`` extra (pyarrow).

        One row per record, in position order: the record's position, id, hash and
        ``recorded_at``, the event's ``known_at``, type, subject and source, its commonest
        fields flattened (target bounds, figure, scope, hedge) and its canonical payload; the
        columns are listed in :data:`chronology.parquet.PARQUET_COLUMNS`. The file is written
        as :meth:`export_jsonl` writes its file: beside the target, then in its place.

        Returns:
            The number of records written.

        Raises:
            MissingExtraError: pyarrow is not installed; the message names the ``arrow``
                extra, and nothing is written.
            StoreError: naming the path, if it is not a regular file (nor a link to one), or
                the file cannot be written; whatever was at the path is left as it was.
        """
        from chronology import parquet

        return parquet.export_parquet(self._store, path)

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
        from chronology import interchange

        return interchange.import_jsonl(path, self.extend, progress=progress)

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
