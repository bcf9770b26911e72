"""The exceptions :mod:`chronology` raises.

Every refusal is a :class:`ChronologyError`, so ``except ChronologyError`` catches all of them.
Each subclass says *what* was wrong and *where* (a field, a line number, a record position),
and a refused operation leaves the chronicle exactly as it was.
"""

from __future__ import annotations

__all__ = [
    "ChronologyError",
    "EventError",
    "FormatVersionError",
    "ImportLineError",
    "IntegrityError",
    "NotAChronicleError",
    "ReadOnlyError",
    "RetractionError",
    "StoreError",
    "TimeError",
    "UnitError",
    "UnknownCueError",
    "UnknownEventTypeError",
    "VaguePhraseError",
    "WindowError",
]


class ChronologyError(Exception):
    """Base class of every error raised by :mod:`chronology`."""


class TimeError(ChronologyError, ValueError):
    """An instant could not be understood: naive, malformed, or of the wrong type.

    Example:
        >>> from chronology.time import to_instant
        >>> to_instant("2024-04-03T12:00:00")
        Traceback (most recent call last):
        ...
        chronology.errors.TimeError: '2024-04-03T12:00:00' has no UTC offset; ...
    """


class WindowError(ChronologyError, ValueError):
    """A :class:`~chronology.time.Window` is invalid (end before start) or cannot be parsed."""


class VaguePhraseError(WindowError):
    """A vague phrase is not in the lexicon used to turn it into a window."""


class UnknownCueError(ChronologyError, ValueError):
    """No hedge cue known to :meth:`~chronology.events.Likelihood.from_cue` occurs in a text."""


class EventError(ChronologyError, ValueError):
    """An event, or one of its fields, is invalid. The message names the field."""


class UnknownEventTypeError(EventError):
    """A serialized event carries a ``type`` tag that no registered event class owns."""


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


class StoreError(ChronologyError):
    """A store cannot be opened, read or written."""


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
