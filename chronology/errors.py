"""The exceptions :mod:`chronology` raises.

Every refusal is a :class:`ChronologyError`, so ``except ChronologyError`` catches all of them.
Each subclass says *what* was wrong and *where* (a field, a line number, a record position),
and a refused operation leaves the chronicle exactly as it was.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import datetime, timedelta

__all__ = [
    "ChronologyError",
    "ClockSkewError",
    "EventError",
    "FormatVersionError",
    "HeadError",
    "ImportLineError",
    "IntegrityError",
    "KindError",
    "NotAChronicleError",
    "PluginError",
    "ReadOnlyError",
    "RetractionError",
    "RowError",
    "SchemaIntegrityError",
    "SettingError",
    "StoreError",
    "TimeError",
    "UnitError",
    "UnknownCueError",
    "UnknownEventTypeError",
    "UnknownSubjectError",
    "VaguePhraseError",
    "WindowError",
]


class ChronologyError(Exception):
    """Base class of every error raised by :mod:`chronology`."""


class TimeError(ChronologyError, ValueError):
    """An instant could not be understood (naive, malformed, or of the wrong type), or two
    instants are out of order (as in ``chronicle.diff(a, b)`` with ``b`` before ``a``).

    Example:
        >>> from chronology.time import to_instant
        >>> to_instant("2024-04-03T12:00:00")
        Traceback (most recent call last):
        ...
        chronology.errors.TimeError: '2024-04-03T12:00:00' has no UTC offset; ...
    """


class UnknownSubjectError(ChronologyError, KeyError):
    """No expectation, or no event at all, is known about a subject.

    It is a :class:`KeyError` too, so code that catches ``KeyError`` around ``view[subject]``
    keeps working. The message suggests the known subjects closest to the one asked for.

    Attributes:
        subject: the subject asked for.
        suggestions: the known subjects closest to it, best first (possibly none).
    """

    def __init__(self, message: str, subject: str, suggestions: tuple[str, ...] = ()) -> None:
        self.subject = subject
        self.suggestions = suggestions
        super().__init__(message)

    @classmethod
    def among(cls, what: str, subject: str, known: Sequence[str]) -> UnknownSubjectError:
        """The error for ``subject``, suggesting the closest of the ``known`` subjects.

        Args:
            what: what is missing, as the message's opening words (``"no events about"``).
            subject: the subject asked for.
            known: the subjects that exist.

        Example:
            >>> e = UnknownSubjectError.among("no events about", "visit/lavrof", ["visit/lavrov"])
            >>> str(e)
            "no events about subject 'visit/lavrof'; did you mean 'visit/lavrov'?"
        """
        close = tuple(difflib.get_close_matches(subject, known, n=3, cutoff=0.6))
        message = f"{what} subject {subject!r}"
        if close:
            message += f"; did you mean {', '.join(map(repr, close))}?"
        elif not known:
            message += "; the chronicle is empty"
        return cls(message, subject, close)

    def __str__(self) -> str:
        # KeyError would show its message quoted, as a key; this one is a sentence.
        return str(self.args[0])


class WindowError(ChronologyError, ValueError):
    """A :class:`~chronology.time.Window` is invalid (end before start) or cannot be parsed."""


class VaguePhraseError(WindowError):
    """A vague phrase is not in the lexicon used to turn it into a window."""


class UnknownCueError(ChronologyError, ValueError):
    """No hedge cue known to :meth:`~chronology.hedges.Likelihood.from_cue` occurs in a text."""


class EventError(ChronologyError, ValueError):
    """An event, or one of its fields, is invalid. The message names the field."""


class UnknownEventTypeError(EventError):
    """A serialized event carries a ``type`` tag that no registered event class owns."""


class KindError(ChronologyError, ValueError):
    """A kind of expectation is unknown, or is registered badly (see
    :func:`chronology.registry.register_kind`). The message names the kind and what is wrong."""


class PluginError(ChronologyError):
    """An installed plugin (an entry point of the ``chronology.events`` group) failed to load.
    The message names the entry point and the error its import raised."""


class RowError(EventError):
    """A row given to a bulk path (:meth:`~chronology.Chronicle.extend_rows`,
    :meth:`~chronology.Chronicle.extend_table`) holds no valid event; nothing was appended.

    Attributes:
        row: the row's index, counted from 0 in the order given.
        reason: what is wrong there (naming the field).
    """

    def __init__(self, row: int, reason: str) -> None:
        self.row = row
        self.reason = reason
        super().__init__(f"row {row}: {reason}")


class RetractionError(ChronologyError):
    """A :class:`~chronology.events.Retracted` names a target that does not exist,
    or whose subject differs from the retraction's.

    Attributes:
        index: the index of the offending event in the batch being appended, when known.
    """

    def __init__(self, message: str, index: int | None = None) -> None:
        self.index = index
        super().__init__(message)


class ImportLineError(ChronologyError):
    """A line of a JSONL file is malformed, truncated, or holds an invalid event.

    Attributes:
        path: the file being read.
        line: the 1-based number of the offending line.
        reason: what is wrong on that line.
    """

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"{path}: line {line}: {reason}")


class IntegrityError(ChronologyError):
    """The record log fails verification: a record was altered, removed or reordered, or an
    index kept beside the records disagrees with them.

    Attributes:
        position: the position of the record that fails: the first one in the log, or the first
            one a given index disagrees about.
        reason: what is wrong with it.
    """

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"record at position {position}: {reason}")


class SchemaIntegrityError(IntegrityError):
    """An SQLite chronicle's schema is not exactly the chronicle's own: a table or index was
    dropped or redefined, or a trigger, view, table or index was added, which could change
    what queries answer without touching a record.

    Attributes:
        name: the schema object (table, index, trigger or view) that is wrong.
        position: always 0: the fault is in no record.
        reason: what is wrong with it.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.position = 0
        self.reason = reason
        Exception.__init__(self, f"schema object {name!r}: {reason}")


class HeadError(ChronologyError, ValueError):
    """A published head (:class:`~chronology.integrity.Head`) is malformed: not
    ``POSITION:HASH``, a negative position, or not a SHA-256 hash in lowercase hex."""


class StoreError(ChronologyError):
    """A store cannot be opened, read or written."""


class SettingError(ChronologyError, ValueError):
    """A setting given to a store or a snapshot cache is out of its range (a chunk of no
    events, snapshots every zero records); the message names the setting and the value.

    Example:
        >>> from chronology.stores import Store
        >>> from chronology.stores.memory import MemoryBackend
        >>> Store(MemoryBackend(), chunk_size=0)
        Traceback (most recent call last):
        ...
        chronology.errors.SettingError: chunk_size must be at least 1, got 0
    """


class NotAChronicleError(StoreError):
    """A path exists but does not hold a chronicle (a directory, or another kind of file)."""


class FormatVersionError(StoreError):
    """A chronicle was written by a newer format version than this library understands."""


class ReadOnlyError(StoreError):
    """An append was attempted on a chronicle opened read-only."""


class UnitError(ChronologyError, ValueError):
    """A unit string is not in the unit table, or a conversion crosses dimensions (tonnes to
    barrels, a monthly total to a daily rate) without the factor it needs.

    Example:
        >>> from chronology import Quantity
        >>> Quantity(10.81, "Mt").to("bbl")
        Traceback (most recent call last):
        ...
        chronology.errors.UnitError: cannot convert 'Mt' (mass) to 'bbl' (volume) without ...
    """


class ClockSkewError(StoreError):
    """The appending writer's clock reads further behind the last record's ``recorded_at``
    than the chronicle allows (``max_skew``): storing the batch would give it system times in
    this writer's future. Nothing was appended.

    Attributes:
        clock: what this writer's clock read.
        head_recorded_at: the ``recorded_at`` of the last record.
        position: the position of the last record.
        max_skew: the largest lag allowed.
    """

    def __init__(
        self, clock: datetime, head_recorded_at: datetime, position: int, max_skew: timedelta
    ) -> None:
        self.clock = clock
        self.head_recorded_at = head_recorded_at
        self.position = position
        self.max_skew = max_skew
        super().__init__(
            f"the clock reads {clock.isoformat()}, {head_recorded_at - clock} behind the "
            f"recorded_at {head_recorded_at.isoformat()} of the record at position {position} "
            f"(at most {max_skew} allowed): this writer's clock is slow, or that record was "
            "stored by a clock running fast; nothing was appended"
        )
