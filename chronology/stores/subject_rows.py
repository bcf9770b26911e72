"""A subject's rows as a point read takes them: decoded only as far as its fold needs.

The first read of a view about one subject (``chronicle.as_of(X).get(subject)``) reads the
subject's rows, and folds those known by ``X``. Decoding a payload into an event is most of
that read's work on a server, and a read as of the middle of a subject's life needs half of
them. When the backend marks the rows it gives
(:attr:`~chronology.stores.backend.Backend.marks_subject_rows`: each row's stored
``known_at``, empty for a retraction), :meth:`SubjectRows.known_by` decodes only the
retractions (any of them may retract, whenever it was said) and the events known by ``X``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeAlias

from chronology.events import Event
from chronology.stores.backend import Row
from chronology.stores.sql import known_at_text

__all__ = ["SubjectEvents", "SubjectRows"]

#: ``(position, event_id, event)`` of each of a subject's records, in position order: what a
#: point read needs of a record, with no :class:`~chronology.record.Record` built.
SubjectEvents: TypeAlias = list[tuple[int, str, Event]]

#: Decodes some of a subject's rows into :data:`SubjectEvents` (the store's decoder, with its
#: cache).
Decoder: TypeAlias = Callable[[Sequence[Row]], SubjectEvents]


class SubjectRows:
    """The rows about one subject, in position order, as the store read them, with their
    events decoded when asked for.

    Args:
        rows: the rows (each a :data:`~chronology.stores.backend.Row`, followed by its mark
            when ``marked``: the stored ``known_at`` text, empty for a retraction).
        decode: turns some of these rows into ``(position, event_id, event)``.
        marked: whether the rows carry their mark; without it, every row is decoded.

    Example:
        >>> from chronology import Chronicle
        >>> from chronology.events import VisitAnnounced
        >>> c = Chronicle()
        >>> _ = c.append(VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00Z"))
        >>> count, rows = c.store.subject_rows_with_count("visit/x")
        >>> count, len(rows), [event.subject for _, _, event in rows.events()]
        (1, 1, ['visit/x'])
    """

    __slots__ = ("_decode", "_marked", "_rows")

    def __init__(self, rows: Sequence[Row], decode: Decoder, *, marked: bool = False) -> None:
        self._rows = rows
        self._decode = decode
        self._marked = marked

    def __len__(self) -> int:
        return len(self._rows)

    def upto(self, end: int) -> SubjectRows:
        """These rows at positions up to ``end``."""
        rows = self._rows
        if not rows or rows[-1][0] <= end:
            return self
        return SubjectRows([r for r in rows if r[0] <= end], self._decode, marked=self._marked)

    def events(self) -> SubjectEvents:
        """Every row's ``(position, event_id, event)``, in position order."""
        return self._decode(self._rows)

    def known_by(self, instant: datetime) -> SubjectEvents:
        """``(position, event_id, event)`` of the retractions and of the rows with ``known_at
        <= instant``, in position order: all a fold as of ``instant`` reads (every row, when
        the rows are not marked).

        A retraction said after ``instant`` still counts (it corrects the record, in system
        time), so every retraction is decoded; an event said after ``instant`` is left out,
        which changes nothing that a fold as of ``instant`` reads.
        """
        rows = self._rows
        if not self._marked:
            return self._decode(rows)
        bound = known_at_text(instant)
        # A retraction's mark is empty: before every bound.
        return self._decode([r for r in rows if r[5] <= bound])  # type: ignore[misc]
