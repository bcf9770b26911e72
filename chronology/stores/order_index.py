"""The memory store's index of records in assertion-time order.

Records arrive in any order of ``known_at``: live ingestion appends each one after everything
held, a backfill (an archive ingested one story at a time) lands every batch before records
already stored. :class:`OrderIndex` keeps both cheap: a late record costs one insert into a
``sortedcontainers.SortedKeyList`` (a list of sorted sublists: logarithmic in practice),
and records said after everything held extend a plain list, as fast as appending.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from sortedcontainers import SortedKeyList

from chronology.errors import IntegrityError

__all__ = ["OrderIndex"]


class _Sorted(SortedKeyList):  # type: ignore[misc]
    """A ``SortedKeyList`` of shorter sublists (its ``DEFAULT_LOAD_FACTOR``, 1,000 in
    sortedcontainers: sublists of 1,000 to 2,000): a late record is inserted into a sublist
    by moving the part after it, about a thousand pointers in two lists at the default, and
    that move was the costliest C function of a memory write in random order (sublists of 100 to
    200: about 3% fewer instructions for a memory write of 10,000 events in random order)."""

    DEFAULT_LOAD_FACTOR = 100


class OrderIndex:
    """List indexes of records (position minus one) in ``(known_at, position)`` order.

    The index holds two parts: the *early* part, a sorted list keyed by ``known_at``, and the
    *run*, a plain list of the records said at or after everything in the early part, in order.
    A batch said after everything held extends the run; a batch with late records moves the
    run into the early part (each record is moved once, however long it stays) and inserts its
    late records there. Ties in ``known_at`` keep position order: a record is always added
    after every record already held, and both parts put it after the records it ties with.

    Thread-safe: a lock makes each :meth:`add` whole to readers, who take the lock only to copy
    the slice they asked for.

    Args:
        known_at_of: the ``known_at`` of the record at a list index (it must answer for every
            index added, from the moment it is added).
    """

    def __init__(self, known_at_of: Callable[[int], datetime]) -> None:
        self._known_at_of = known_at_of
        self._early = _Sorted(key=known_at_of)
        self._run: list[int] = []
        self._run_known: list[datetime] = []
        #: The highest list index held, -1 when empty: indexes only ever grow.
        self._high = -1
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._early) + len(self._run)

    def add(self, indexes: Sequence[int], known: Sequence[datetime]) -> None:
        """Add a batch: ``indexes[k]`` was said at ``known[k]``.

        Every index must be higher than every index already held, and ``indexes`` ascending
        (a store adds the records of a batch in position order).
        """
        if not indexes:
            return
        with self._lock:
            self._add(indexes, known)
            self._high = indexes[-1]

    def _add(self, indexes: Sequence[int], known: Sequence[datetime]) -> None:
        run, run_known = self._run, self._run_known
        if list(known) != sorted(known):
            # Stable: ties keep their (ascending) index order.
            order = sorted(range(len(indexes)), key=known.__getitem__)
            indexes = [indexes[j] for j in order]
            known = [known[j] for j in order]
        early = self._early
        # The latest known_at held: the run's last, or the early part's when the run is empty.
        if run_known:
            last: datetime | None = run_known[-1]
        else:
            last = self._known_at_of(early[-1]) if early else None
        if last is None or last <= known[0]:
            run.extend(indexes)  # said after everything held (a tie goes after: higher index)
            run_known.extend(known)
            return
        # Late records: the run moves into the early part, which takes the late ones too; the
        # records said after everything held start a new run.
        early.update(run)
        run.clear()
        run_known.clear()
        cut = bisect.bisect_left(known, last)
        for i in indexes[:cut]:
            early.add(i)
        run.extend(indexes[cut:])
        run_known.extend(known[cut:])

    def slice(self, after: datetime | None, until: datetime | None, count: int) -> list[int]:
        """The indexes below ``count`` of records with ``after < known_at <= until``, in order.

        ``None`` leaves that side open. ``count`` leaves out a batch being stored (a store
        adds a batch here before its count says the batch is there).
        """
        with self._lock:
            chosen: list[int] = list(self._early.irange_key(after, until, inclusive=(False, True)))
            run_known = self._run_known
            start = 0 if after is None else bisect.bisect_right(run_known, after)
            end = len(run_known) if until is None else bisect.bisect_right(run_known, until)
            chosen += self._run[start:end]
            high = self._high
        if high >= count:
            chosen = [i for i in chosen if i < count]
        return chosen

    def reset(self, count: int) -> None:
        """Hold exactly the list indexes below ``count``, rebuilt from ``known_at_of``.

        For a batch taken back after an interruption: it may have stopped an insert half-way,
        so nothing held is trusted. Costs a sort of the whole log.
        """
        with self._lock:
            ordered = sorted(range(count), key=self._known_at_of)
            self._early = _Sorted(key=self._known_at_of)
            self._run = ordered
            self._run_known = [self._known_at_of(i) for i in ordered]
            self._high = count - 1

    def check(self, count: int) -> None:
        """Check that the index holds each of the ``count`` records once, in
        ``(known_at, position)`` order, with its ``known_at``. One pass; appends wait.

        Raises:
            IntegrityError: naming a record out of place, held past the log, or left out.
        """
        known_at_of = self._known_at_of
        with self._lock:
            # The early part keeps no known_at of its own beside the key it takes from the
            # record: None stands for "the record's own".
            held: list[tuple[datetime | None, int]] = [(None, i) for i in self._early]
            if len(self._run_known) != len(self._run):
                raise IntegrityError(
                    count,
                    f"the order index holds {len(self._run_known)} assertion times"
                    f" for {len(self._run)} records",
                )
            held += zip(self._run_known, self._run, strict=True)
        previous: tuple[datetime, int] | None = None
        for at, i in held:
            if not 0 <= i < count:
                raise IntegrityError(count, f"the order index holds a record {i + 1} past it")
            place = (known_at_of(i), i)
            if (at is not None and at != place[0]) or (previous is not None and place <= previous):
                raise IntegrityError(i + 1, "out of place in the order index")
            previous = place
        if len(held) != count:  # strictly in order, so each one held is held once
            indexes = {i for _, i in held}
            first = next(i for i in range(count) if i not in indexes)
            raise IntegrityError(first + 1, "left out of the order index")
