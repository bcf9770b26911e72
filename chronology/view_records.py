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

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol, TypeAlias

import attrs

from chronology._vintages import raw_reader
from chronology.events import Event, Likelihood
from chronology.expectations import Expectation, Status
from chronology.frames import Batch, Cell, ColumnType, batches_to_columns
from chronology.quantity import Quantity
from chronology.time import Window

__all__ = [
    "BATCH_ROWS",
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
    "view_batches",
    "view_columns",
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


def _source_names(sources: tuple[Any, ...]) -> str:
    """The distinct names of some sources, joined."""
    return "; ".join(dict.fromkeys(s.name for s in sources))


def _latest_report(e: Any) -> Any:
    """The report the ``reported_*`` columns show: the latest of the projection's scope."""
    scope = e.scope
    return e.report(scope) if scope is not None else e.report()


def _joined(values: tuple[Any, ...]) -> str | None:
    if not values:
        return None
    try:
        return "; ".join(values)  # text already, as the events' fields are
    except TypeError:
        return "; ".join(map(str, values))


def _level(likelihood: Any) -> str | None:
    return None if likelihood is None else str(likelihood.value)


_STATUS_TEXT: Final[dict[object, str]] = {s: s.value for s in Status}
_LEVEL_TEXT: Final[dict[object, str | None]] = {None: None, **{k: k.value for k in Likelihood}}

# The cells of a window, a quantity and a report, each an expression over ``x`` (not ``None``).
_WINDOW_CELLS: Final = (
    "x.start",
    "x.end",
    "None if x.end is None else (x.end - _DAY_TICK).date()",
    "x.label",
    "x.approximate",
    "x.uncertain",
)
_QUANTITY_CELLS: Final = ("x.value", "x.unit", "x.low", "x.high", "x.approximate")
_REPORT_CELLS: Final = ("x.quantity.value", "x.quantity.unit", "x.preliminary", "x.known_at")

#: What a column function gives: each column's cells, or ``None`` for a column the kind has no
#: field for (empty throughout).
_Columns: TypeAlias = list[list[Cell] | None]

# How a kind of expectation fills the columns: compiled once per class into one function that
# reads a list of expectations of that class one column at a time, each with one list
# comprehension (a view of 100,000 expectations is read with no call and no tuple per row).
_COLUMN_FUNCTIONS: dict[type, Callable[[Sequence[Any]], _Columns]] = {}


def _column_function(cls: type) -> Callable[[Sequence[Any]], _Columns]:
    names = {f.name: f for f in attrs.fields(cls)} if attrs.has(cls) else {}

    def has(name: str) -> bool:
        return name in names or (not names and hasattr(cls, name))

    def text(name: str) -> str | None:
        if not has(name):
            return None
        field = names.get(name)
        if field is not None and field.default == ():
            return f"_joined(e.{name})"
        if field is not None and field.type in ("str | None", "str"):
            return f"e.{name}"  # text already: read it as it is
        return f"_text(getattr(e, {name!r}, None))"

    lines = ["def columns(es):"]
    cells: list[str | None] = []  # each column: an expression giving its cells, or None

    def each(expression: str | None) -> None:
        cells.append(None if expression is None else f"[{expression} for e in es]")

    def part(name: str, source: str, parts: tuple[str, ...], present: bool) -> None:
        if not present:
            cells.extend([None] * len(parts))
            return
        lines.append(f"    {name} = [{source} for e in es]")
        cells.extend(f"[None if x is None else ({p}) for x in {name}]" for p in parts)

    constant_kind = "kind" not in names and isinstance(getattr(cls, "kind", None), str)
    each("e.subject")
    cells.append("[_kind] * len(es)" if constant_kind else "[e.kind for e in es]")
    each("_STATUS_TEXT.get(e.status) or e.status.value")
    each("e.partial")
    part("_window", "e.window", _WINDOW_CELLS, hasattr(cls, "window"))
    part("_quantity", "e.quantity", _QUANTITY_CELLS, has("quantity"))
    each("e.scope" if has("scope") else None)
    part("_report", "_latest_report(e)", _REPORT_CELLS, has("scope") and hasattr(cls, "report"))
    # Counted as held: vintages not made yet are not made for a count (see _vintages).
    each("len(_held_projections(e))" if has("projections") else None)
    each("len(_held_reports(e))" if has("reports") else None)
    for name in _TEXT_FIELDS:
        each(text(name))
    lines.append("    _level_of = [getattr(e, 'likelihood', None) for e in es]")
    cells.append("[_LEVEL_TEXT[x] if x in _LEVEL_TEXT else _level(x) for x in _level_of]")
    each("getattr(e, 'probability', None)")
    lines.append("    _sources = [e.sources for e in es]")
    cells.append(  # one or two sources inline: a call for each would double the table's time
        "[x[0].name if len(x) == 1 else x[0].name + '; ' + x[1].name"
        " if len(x) == 2 and x[0].name != x[1].name else _source_names(x) for x in _sources]"
    )
    each("e.first_known_at")
    each("e.updated_at")
    lines.append("    return [" + ", ".join(str(c) for c in cells) + "]")
    scope: dict[str, Any] = {
        "_held_projections": raw_reader(cls, "projections"),
        "_held_reports": raw_reader(cls, "reports"),
        "_DAY_TICK": _DAY_TICK,
        "_LEVEL_TEXT": _LEVEL_TEXT,
        "_STATUS_TEXT": _STATUS_TEXT,
        "_joined": _joined,
        "_kind": getattr(cls, "kind", None),
        "_latest_report": _latest_report,
        "_level": _level,
        "_source_names": _source_names,
        "_text": _text,
    }
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<chronology columns of {cls.__qualname__}>", "exec"), scope)
    function: Callable[[Sequence[Any]], _Columns] = scope["columns"]
    return function


#: The most expectations in a batch of :func:`view_batches`. Few enough that their objects stay
#: in the processor's cache while each column is read from them and pyarrow converts the cells
#: (reading a column of 100,000 expectations at once costs ten times as much a cell).
BATCH_ROWS: Final = 1024


def view_batches(expectations: Iterable[Expectation], *, size: int = BATCH_ROWS) -> Iterator[Batch]:
    """The columns of :meth:`.View.to_records`, read in batches of ``size`` expectations
    in the order given, each kind column by column (no row is built): the fast
    way to a table. Each batch is read when the iterator reaches it, so that its cells can be
    converted while they are still in the processor's cache.

    Args:
        expectations: expectations of any kinds (a kind without a field leaves its column
            empty).
        size: the most expectations in a batch.

    Returns:
        The batches (an iterator, read once), each with the cells of :data:`VIEW_COLUMNS`.
    """
    values = list(expectations)
    for start in range(0, len(values), size):
        part = values[start : start + size]
        classes = [type(e) for e in part]
        first = classes[0]
        if classes.count(first) == len(part):
            yield len(part), _columns_of(first)(part)
        else:
            yield len(part), _mixed_columns(part, classes)


def _columns_of(cls: type) -> Callable[[Sequence[Any]], _Columns]:
    function = _COLUMN_FUNCTIONS.get(cls)
    if function is None:
        function = _COLUMN_FUNCTIONS[cls] = _column_function(cls)
    return function


def _mixed_columns(part: list[Any], classes: list[type]) -> _Columns:
    """The columns of expectations of several kinds: each kind's, end to end, then in order."""
    groups: dict[type, list[Any]] = {cls: [] for cls in classes}
    places: dict[type, list[int]] = {cls: [] for cls in classes}
    for i, (cls, e) in enumerate(zip(classes, part, strict=True)):
        groups[cls].append(e)
        places[cls].append(i)
    placed = [i for positions in places.values() for i in positions]
    reorder = operator.itemgetter(*sorted(range(len(part)), key=placed.__getitem__))
    columns = [_columns_of(cls)(group) for cls, group in groups.items()]
    out: _Columns = []
    for cells in zip(*columns, strict=True):
        if all(c is None for c in cells):
            out.append(None)
            continue
        joined: list[Cell] = []
        for c, group in zip(cells, groups.values(), strict=True):
            joined += [None] * len(group) if c is None else c
        out.append(list(reorder(joined)))
    return out


def view_columns(expectations: Iterable[Expectation]) -> dict[str, list[Cell]]:
    """The columns of :meth:`.View.to_records`: each of :data:`VIEW_COLUMNS`, in order, with
    its cells, one per expectation in the order given (see :func:`view_batches`).

    Args:
        expectations: expectations of any kinds.
    """
    return batches_to_columns(view_batches(expectations), VIEW_COLUMNS)


def expectation_row(e: Expectation) -> tuple[Cell, ...]:
    """The cells of one expectation, in the order of :data:`VIEW_COLUMNS`.

    Args:
        e: an expectation of any kind (a kind without a field leaves its column empty).
    """
    return view_rows([e])[0]


def view_rows(expectations: Iterable[Expectation]) -> list[tuple[Cell, ...]]:
    """The rows of :meth:`.View.to_records`, as tuples in the order of :data:`VIEW_COLUMNS`."""
    return list(zip(*view_columns(expectations).values(), strict=True))


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
