"""Views and histories as flat records, for pandas, Arrow, DuckDB or a CSV writer.

:meth:`.View.to_records` gives one row per expectation, with the :data:`VIEW_COLUMNS`;
:meth:`.History.to_records` one row per event of a subject's history (long format: what each
source said, when, about which target period, with which figure), with the
:data:`HISTORY_COLUMNS`. The columns are stable: a kind of expectation leaves empty the
columns it has no field for. Cells are plain values: instants are aware datetimes (UTC),
windows are exact closed-open bounds beside the inclusive last day, quantities are a
``value`` and a ``unit`` column (with ``low`` and ``high`` when the source gave a range),
tuples of names are joined with ``"; "``. :data:`VIEW_TYPES` and :data:`HISTORY_TYPES` give
each column's type, so that Arrow tables keep one schema whatever the rows.

Example:
    >>> from chronology import Chronicle
    >>> from chronology.events import VisitAnnounced
    >>> c = Chronicle()
    >>> _ = c.append(VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00Z",
    ...                             window="2024-04-08/2024-04-09", visitor="Lavrov"))
    >>> row = c.as_of("2024-04-04").to_records()[0]
    >>> row["status"], row["window_last_day"], row["visitor"], row["value"]
    ('announced', datetime.date(2024, 4, 9), 'Lavrov', None)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

import attrs

from chronology.events import Event
from chronology.expectations import Expectation
from chronology.frames import Cell, ColumnType
from chronology.quantity import Quantity
from chronology.time import Window

__all__ = [
    "EVENT_TYPES",
    "HISTORY_COLUMNS",
    "HISTORY_TYPES",
    "VIEW_COLUMNS",
    "VIEW_TYPES",
    "ChangeLike",
    "event_cells",
    "expectation_row",
    "history_rows",
    "rows_to_columns",
    "rows_to_records",
    "view_rows",
]


def _window_types(prefix: str) -> dict[str, ColumnType]:
    return {
        f"{prefix}_start": "instant",
        f"{prefix}_end": "instant",
        f"{prefix}_last_day": "date",
        f"{prefix}_label": "text",
        f"{prefix}_approximate": "bool",
        f"{prefix}_uncertain": "bool",
    }


_QUANTITY_TYPES: Final[dict[str, ColumnType]] = {
    "value": "float",
    "unit": "text",
    "low": "float",
    "high": "float",
    "approximate": "bool",
}

# The text fields read from an expectation as they are (or joined, for tuples), in order.
_TEXT_FIELDS: Final = (
    "visitor",
    "host",
    "what",
    "actors",
    "counterparts",
    "place",
    "purpose",
    "agenda",
    "reason",
    "exporter",
    "importer",
    "commodity",
    "grade",
    "measure",
    "area",
    "claims",
)

#: The type of each column of :data:`VIEW_COLUMNS` (see :data:`chronology.frames.ColumnType`).
VIEW_TYPES: Final[dict[str, ColumnType]] = {
    "subject": "text",
    "kind": "text",
    "status": "text",
    "partial": "bool",
    **_window_types("window"),
    **_QUANTITY_TYPES,
    "scope": "text",
    "reported_value": "float",
    "reported_unit": "text",
    "reported_preliminary": "bool",
    "reported_known_at": "instant",
    "projections": "int",
    "reports": "int",
    **dict.fromkeys(_TEXT_FIELDS, "text"),
    "likelihood": "text",
    "probability": "float",
    "sources": "text",
    "first_known_at": "instant",
    "updated_at": "instant",
}

#: The columns of :meth:`.View.to_records`, in order: the expectation's ``subject``, ``kind``,
#: ``status`` and ``partial`` flag; its window (a visit's or plan's dates, a figure's period)
#: as ``window_start`` and ``window_end`` (exact bounds) beside ``window_last_day`` (inclusive),
#: ``window_label``, ``window_approximate``, ``window_uncertain``; a figure's latest projection
#: as ``value``, ``unit``, ``low``, ``high``, ``approximate`` and its ``scope``; the latest
#: report of that scope as ``reported_value``, ``reported_unit``, ``reported_preliminary``,
#: ``reported_known_at``; the counts of ``projections`` and ``reports``; the descriptive
#: fields (``visitor``, ``host``, ``what``, ``actors``, ``counterparts``, ``place``,
#: ``purpose``, ``agenda``, ``reason``, ``exporter``, ``importer``, ``commodity``, ``grade``,
#: ``measure``, ``area``, ``claims``); and ``likelihood``, ``probability``, ``sources``,
#: ``first_known_at``, ``updated_at``.
VIEW_COLUMNS: Final[tuple[str, ...]] = tuple(VIEW_TYPES)

#: The columns of :func:`event_cells` and their types.
EVENT_TYPES: Final[dict[str, ColumnType]] = {
    **_window_types("target"),
    **_QUANTITY_TYPES,
    "scope": "text",
    "preliminary": "bool",
    "likelihood": "text",
    "probability": "float",
}

#: The type of each column of :data:`HISTORY_COLUMNS`.
HISTORY_TYPES: Final[dict[str, ColumnType]] = {
    "known_at": "instant",
    "recorded_at": "instant",
    "event_id": "text",
    "type": "text",
    "subject": "text",
    "source": "text",
    "kind": "text",
    "status": "text",
    **EVENT_TYPES,
}

#: The columns of :meth:`.History.to_records`, in order: when it was said (``known_at``) and
#: stored (``recorded_at``), the ``event_id`` and its ``type`` (the wire tag), the ``subject``
#: and the ``source`` name; the expectation's ``kind`` and ``status`` after the event; the
#: target period the event gave (``target_start``, ``target_end``, ``target_last_day``,
#: ``target_label``, ``target_approximate``, ``target_uncertain``; the expectation's window
#: after the event when the event gave none); the figure the event gave (``value``, ``unit``,
#: ``low``, ``high``, ``approximate``), its ``scope`` and whether it was ``preliminary``; its
#: ``likelihood`` and ``probability``.
HISTORY_COLUMNS: Final[tuple[str, ...]] = tuple(HISTORY_TYPES)


class ChangeLike(Protocol):
    """What :func:`history_rows` reads of a change (:class:`~chronology.view.Change` is one)."""

    @property
    def known_at(self) -> datetime:
        """When the event was made public."""

    @property
    def recorded_at(self) -> datetime:
        """When the chronicle stored it."""

    @property
    def event_id(self) -> str:
        """The event's id."""

    @property
    def event(self) -> Event:
        """The event."""

    @property
    def after(self) -> Expectation | None:
        """The expectation after the event."""


_DAY_TICK: Final = timedelta(microseconds=1)
_NONE_ROW: Final[tuple[Cell, ...]] = (None, None, None, None, None, None)


def _window(window: Window | None) -> tuple[Cell, ...]:
    if window is None:
        return _NONE_ROW
    end = window.end
    return (
        window.start,
        end,
        None if end is None else (end - _DAY_TICK).date(),
        window.label,
        window.approximate,
        window.uncertain,
    )


def _quantity(q: Quantity | None) -> tuple[Cell, ...]:
    if q is None:
        return (None, None, None, None, None)
    return (q.value, q.unit, q.low, q.high, q.approximate)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


@functools.lru_cache(maxsize=4096)
def _sources(sources: tuple[Any, ...]) -> str:
    """The distinct names of some sources, joined (cached: many expectations share theirs)."""
    return "; ".join(dict.fromkeys(s.name for s in sources))


def _report(e: Any) -> tuple[Cell, ...]:
    scope = e.scope
    report = e.report(scope) if scope is not None else e.report()
    if report is None:
        return (None, None, None, None)
    return (report.quantity.value, report.quantity.unit, report.preliminary, report.known_at)


def _joined(values: tuple[Any, ...]) -> str | None:
    return "; ".join(str(v) for v in values) if values else None


def _level(likelihood: Any) -> str | None:
    return None if likelihood is None else str(likelihood.value)


# How to read each column of a kind of expectation: an expression over ``e``, compiled once
# per class into one function (a view of 100,000 expectations is read without a call per cell).
_ROW_FUNCTIONS: dict[type, Callable[[Any], tuple[Cell, ...]]] = {}


def _row_function(cls: type) -> Callable[[Any], tuple[Cell, ...]]:
    names = {f.name: f for f in attrs.fields(cls)} if attrs.has(cls) else {}

    def has(name: str) -> bool:
        return name in names or (not names and hasattr(cls, name))

    def text(name: str) -> str:
        if not has(name):
            return "None"
        field = names.get(name)
        if field is not None and field.default == ():
            return f"_joined(e.{name})"
        if field is not None and field.type in ("str | None", "str"):
            return f"e.{name}"  # text already: read it as it is
        return f"_text(getattr(e, {name!r}, None))"

    parts = [
        "e.subject",
        "e.kind",
        "e.status.value",
        "e.partial",
        "*_window(e.window)" if hasattr(cls, "window") else "*_NONE_ROW",
        "*_quantity(e.quantity)" if has("quantity") else "*_NONE_ROW[:5]",
        "e.scope" if has("scope") else "None",
        "*_report(e)" if has("scope") and hasattr(cls, "report") else "*_NONE_ROW[:4]",
        "len(e.projections)" if has("projections") else "None",
        "len(e.reports)" if has("reports") else "None",
        *(text(name) for name in _TEXT_FIELDS),
        "_level(getattr(e, 'likelihood', None))",
        "getattr(e, 'probability', None)",
        "_sources(e.sources)",
        "e.first_known_at",
        "e.updated_at",
    ]
    source = "def row(e):\n    return (" + ", ".join(parts) + ",)\n"
    scope: dict[str, Any] = {
        "_window": _window,
        "_quantity": _quantity,
        "_report": _report,
        "_joined": _joined,
        "_text": _text,
        "_level": _level,
        "_sources": _sources,
        "_NONE_ROW": _NONE_ROW,
    }
    exec(compile(source, f"<chronology row of {cls.__qualname__}>", "exec"), scope)
    row: Callable[[Any], tuple[Cell, ...]] = scope["row"]
    return row


def expectation_row(e: Expectation) -> tuple[Cell, ...]:
    """The cells of one expectation, in the order of :data:`VIEW_COLUMNS`.

    Args:
        e: an expectation of any kind (a kind without a field leaves its column empty).
    """
    cls = type(e)
    row = _ROW_FUNCTIONS.get(cls)
    if row is None:
        row = _ROW_FUNCTIONS[cls] = _row_function(cls)
    return row(e)


def view_rows(expectations: Iterable[Expectation]) -> list[tuple[Cell, ...]]:
    """The rows of :meth:`.View.to_records`, as tuples in the order of :data:`VIEW_COLUMNS`."""
    functions = _ROW_FUNCTIONS
    rows: list[tuple[Cell, ...]] = []
    for e in expectations:
        row = functions.get(type(e))
        rows.append(expectation_row(e) if row is None else row(e))
    return rows


def event_cells(event: Event, fallback: Window | None = None) -> tuple[Cell, ...]:
    """What an event says, as the cells the long-format tables share: its target window
    (``target_start``, ``target_end``, ``target_last_day``, ``target_label``,
    ``target_approximate``, ``target_uncertain``; ``fallback`` when it gives none), its figure
    (``value``, ``unit``, ``low``, ``high``, ``approximate``), ``scope``, ``preliminary``,
    ``likelihood`` and ``probability``, each ``None`` where the event has no such field.

    Args:
        event: any event.
        fallback: the window to give when the event carries none.
    """
    target = getattr(event, "window", None) or getattr(event, "period", None)
    if not isinstance(target, Window):
        target = fallback
    quantity = getattr(event, "quantity", None)
    likelihood = getattr(event, "likelihood", None)
    return (
        *_window(target),
        *_quantity(quantity if isinstance(quantity, Quantity) else None),
        getattr(event, "scope", None),
        getattr(event, "preliminary", None),
        _level(likelihood),
        getattr(event, "probability", None),
    )


def _event_row(change: ChangeLike) -> tuple[Cell, ...]:
    event = change.event
    after = change.after
    return (
        change.known_at,
        change.recorded_at,
        change.event_id,
        type(event).tag,
        event.subject,
        None if event.source is None else event.source.name,
        None if after is None else after.kind,
        None if after is None else after.status.value,
        *event_cells(event, None if after is None else getattr(after, "window", None)),
    )


def history_rows(changes: Sequence[ChangeLike]) -> list[tuple[Cell, ...]]:
    """The rows of :meth:`.History.to_records`, as tuples in the order of
    :data:`HISTORY_COLUMNS`."""
    return [_event_row(c) for c in changes]


def rows_to_records(
    rows: Sequence[tuple[Cell, ...]], columns: Sequence[str]
) -> list[dict[str, Cell]]:
    """Rows of cells as flat dicts, one key per column."""
    return [dict(zip(columns, row, strict=True)) for row in rows]


def rows_to_columns(
    rows: Sequence[tuple[Cell, ...]], columns: Sequence[str]
) -> dict[str, list[Cell]]:
    """Rows of cells as columns: each column's name and its cells, in order."""
    if not rows:
        return {c: [] for c in columns}
    return {c: list(cells) for c, cells in zip(columns, zip(*rows, strict=True), strict=True)}
