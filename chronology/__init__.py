"""chronology: a bitemporal chronicle of expectations.

Announcements, planned visits and trade projections are recorded as immutable events in an
append-only, hash-chained log; views answer what was expected as of any date, as recorded by
any date.

Example:
    >>> from chronology import Chronicle
    >>> from chronology.events import VisitAnnounced
    >>> c = Chronicle()
    >>> _ = c.append(VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00Z"))
    >>> [e.subject for e in c.as_of("2024-04-03")]
    ['visit/x']
"""

from chronology import lifecycle  # noqa: F401  (registers the built-in kinds and fold rules)
from chronology.chronicle import Chronicle
from chronology.errors import (
    ChronologyError,
    ClockSkewError,
    EventError,
    FormatVersionError,
    HeadError,
    ImportLineError,
    IntegrityError,
    KindError,
    NotAChronicleError,
    PluginError,
    ReadOnlyError,
    RetractionError,
    RowError,
    SchemaIntegrityError,
    SettingError,
    StoreError,
    TimeError,
    UnitError,
    UnknownCueError,
    UnknownEventTypeError,
    UnknownSubjectError,
    VaguePhraseError,
    WindowError,
)
from chronology.events import Event, Likelihood, Quantity, Source, event_type
from chronology.expectations import (
    Expectation,
    FigureExpectation,
    PlanExpectation,
    Status,
    TradeExpectation,
    Vintage,
    VisitExpectation,
)
from chronology.frames import MissingExtraError
from chronology.integrity import Head
from chronology.record import Record
from chronology.resolution import FigureOutcome, Outcomes, Resolution, Timing, VisitOutcome
from chronology.scores import ScoreTable
from chronology.time import Window
from chronology.view import Change, Diff, History, Projection, View

__version__ = "0.1.0"

__all__ = [
    "Change",
    "Chronicle",
    "ChronologyError",
    "ClockSkewError",
    "Diff",
    "Event",
    "EventError",
    "Expectation",
    "FigureExpectation",
    "FigureOutcome",
    "FormatVersionError",
    "Head",
    "HeadError",
    "History",
    "ImportLineError",
    "IntegrityError",
    "KindError",
    "Likelihood",
    "MissingExtraError",
    "NotAChronicleError",
    "Outcomes",
    "PlanExpectation",
    "PluginError",
    "Projection",
    "Quantity",
    "ReadOnlyError",
    "Record",
    "Resolution",
    "RetractionError",
    "RowError",
    "SchemaIntegrityError",
    "ScoreTable",
    "SettingError",
    "Source",
    "Status",
    "StoreError",
    "TimeError",
    "Timing",
    "TradeExpectation",
    "UnitError",
    "UnknownCueError",
    "UnknownEventTypeError",
    "UnknownSubjectError",
    "VaguePhraseError",
    "View",
    "Vintage",
    "VisitExpectation",
    "VisitOutcome",
    "Window",
    "WindowError",
    "event_type",
]
