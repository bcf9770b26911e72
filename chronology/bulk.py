"""Many events at once: from rows (mappings in the wire form), JSON Lines, or a pandas or
Arrow table, with every guarantee of :meth:`.Chronicle.extend` (validation, ids, the chain,
all or nothing).

A row is what a JSONL line holds (see :doc:`/format`): the event's fields, its tag under
``"type"``; the keys of an exported record (``position``, ``recorded_at``, ``event_id``,
``hash``) are ignored. In a row given from Python, an instant may also be an aware
``datetime``; in a table, a nested field is a column named with dots (``quantity.value``,
``quantity.unit``, ``source.name``, ``period.start``), and an empty cell (``None``, ``NaN``,
``NaT``) leaves the field out.

Rows already in canonical form (an export of a chronicle, or a table of plain values) take a
fast path: the generated reader of the event's class builds the values, the class's own
constructor checks them, and the canonical text of the row must equal that of the event; any
row that does not (other spellings, other types, invalid values) is read by the strict reader,
:func:`~chronology.serialization.event_from_dict`, which gives the same event or the same
error as for a JSONL line.

Example:
    >>> from chronology import Chronicle
    >>> c = Chronicle()
    >>> rows = [
    ...     {"type": "visit.announced", "subject": "visit/a", "known_at": "2024-04-03T10:00:00Z",
    ...      "visitor": "Sergei Lavrov", "host": "China"},
    ...     {"type": "visit.cancelled", "subject": "visit/a", "known_at": "2024-04-05T00:00:00Z"},
    ... ]
    >>> [r.position for r in c.extend_rows(rows)]
    [1, 2]
    >>> c.as_of("2024-04-06")["visit/a"].status.value
    'cancelled'
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from json.scanner import make_scanner
from typing import Any, Final

import attrs

from chronology._codecs import instant_text, read_event
from chronology.errors import ChronologyError, EventError, RowError
from chronology.events import Event, Source
from chronology.record import Batch
from chronology.registry import RECORD_KEYS
from chronology.serialization import event_from_dict, event_id_of, payload_of

__all__ = [
    "event_from_row",
    "events_from_rows",
    "prepare_rows",
    "read_row",
    "rows_from_table",
    "rows_of_columns",
]

#: ``json.loads`` without its Python layers, for payloads this library wrote.
_scan: Final = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed

#: Field types whose values are kept as they are (the constructor still checks them).
_PLAIN: Final = frozenset({"str", "int", "float", "bool", "datetime", "None", "Likelihood"})

#: A rebuilder by class: ``rebuild(value, memo)``; ``None`` for a class that is not an attrs
#: class (its values are kept as they are).
_REBUILDERS: dict[type, Callable[[Any, dict[Any, Any]], Any] | None] = {
    str: None,
    int: None,
    float: None,
    bool: None,
    type(None): None,
    datetime: None,
}


def _plain(annotation: Any) -> bool:
    """Whether a field of this type never holds an attrs value: scalars, optional scalars,
    tuples of strings."""
    if isinstance(annotation, type):
        text = annotation.__name__
    elif isinstance(annotation, str):
        text = annotation
    else:
        text = repr(annotation)
    text = text.replace("typing.", "").replace("datetime.datetime", "datetime")
    text = text.replace("chronology.hedges.", "").replace("NoneType", "None")
    if text.startswith("tuple[str, ...]"):
        return True
    return all(part.strip() in _PLAIN for part in text.split("|"))


def _rebuilder(cls: type) -> Callable[[Any, dict[Any, Any]], Any] | None:
    """Generate ``rebuild(value, memo)`` for an attrs class: its constructor called with the
    value's fields, nested attrs values rebuilt the same way."""
    if cls is tuple or not attrs.has(cls):
        return None
    args = []
    for f in attrs.fields(cls):
        if not f.init:
            continue
        if _plain(f.type):
            args.append(f"{f.alias}=o.{f.name}")
        else:
            args.append(f"{f.alias}=_rebuilt(o.{f.name}, memo)")
    source = f"def rebuild(o, memo):\n    return _cls({', '.join(args)})\n"
    ns: dict[str, Any] = {"_cls": cls, "_rebuilt": _rebuilt}
    exec(compile(source, f"<chronology bulk {cls.__qualname__}>", "exec"), ns)
    rebuild: Callable[[Any, dict[Any, Any]], Any] = ns["rebuild"]
    return rebuild


def _rebuilt(value: Any, memo: dict[Any, Any]) -> Any:
    """``value`` made again through its class's constructor (and so its converters and
    validators), nested attrs values and tuples of them included. ``memo`` keeps the values
    already rebuilt that rows share (a source named in every row): equal values rebuild to
    equal values."""
    cls = value.__class__
    try:
        rebuild = _REBUILDERS[cls]
    except KeyError:
        rebuild = _REBUILDERS[cls] = _rebuilder(cls)
    if rebuild is None:
        if cls is tuple:
            return tuple([_rebuilt(v, memo) for v in value])
        return value
    if cls is Source:
        found = memo.get(value)
        if found is None:
            found = memo[value] = rebuild(value, memo)
        return found
    return rebuild(value, memo)


def _wire(value: Any, where: str) -> Any:
    """``value`` with every ``datetime`` in it written as an instant's text (aware ones only)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise EventError(f"{where}: naive datetime {value.isoformat()}: give a time zone")
        if value.__class__ is not datetime:  # a pandas Timestamp, say: to microseconds
            value = datetime(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
                tzinfo=value.tzinfo,
            )
        return instant_text(value)
    if isinstance(value, Mapping):
        return {k: _wire(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _fast(body: dict[str, Any], memo: dict[Any, Any]) -> tuple[Event, str] | None:
    """The event of a row in canonical form and its payload, or ``None`` when the row is not
    in that form or holds an invalid value (the strict reader then says what is wrong)."""
    try:
        event = read_event(body)
        if event is None:
            return None
        event = _rebuilt(event, memo)
        payload = payload_of(event)
        # The row must be the event's canonical form, read back: then the strict reader would
        # have read the same event from it (the generated reader is lenient about shapes it
        # never writes, such as a string where a list of strings belongs).
        if _scan(payload, 0)[0] != body:
            return None
    except (ChronologyError, ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
        # (ArithmeticError: an integer too large for a float field overflows in the reader.)
        return None
    return event, payload


def _body(row: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(row, dict) and RECORD_KEYS.isdisjoint(row):
        return row
    return {k: v for k, v in row.items() if k not in RECORD_KEYS}


def _read(row: Any, memo: dict[Any, Any]) -> tuple[Event, str]:
    if not isinstance(row, Mapping):
        return event_from_dict(row), ""  # raises, saying what it got
    body = _body(row)
    found = _fast(body, memo)
    if found is not None:
        return found
    event = event_from_dict(_wire(body, "row"))
    return event, payload_of(event)


def _read_at(row: Any, index: int, memo: dict[Any, Any]) -> tuple[Event, str]:
    try:
        return _read(row, memo)
    except EventError as exc:
        raise RowError(index, str(exc)) from None


def event_from_row(row: Mapping[str, Any]) -> Event:
    """The event a row describes: what :func:`~chronology.serialization.event_from_dict`
    gives (the same event, or the same error), faster for rows in canonical form, and with
    aware ``datetime`` values accepted for instants.

    Raises:
        UnknownEventTypeError: if ``"type"`` is missing or names no registered class.
        EventError: if a field is missing, unknown or invalid (the message names it), an
            instant is a naive ``datetime``, or ``row`` is not a mapping.
    """
    return _read(row, {})[0]


def events_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Event]:
    """The events of some rows, in order (see :func:`event_from_row`).

    Raises:
        RowError: naming the first bad row's index (from 0) and what is wrong there.
    """
    memo: dict[Any, Any] = {}
    return [_read_at(row, i, memo)[0] for i, row in enumerate(rows)]


def prepare_rows(rows: Iterable[Mapping[str, Any]]) -> Batch:
    """The rows as a batch ready to store (what :meth:`.Chronicle.extend_rows` stores): each
    event with its canonical payload, id and ``known_at`` text, each computed once.

    Raises:
        RowError: naming the first bad row's index (from 0) and what is wrong there.
    """
    events: list[Event] = []
    payloads: list[str] = []
    memo: dict[Any, Any] = {}
    for i, row in enumerate(rows):
        event, payload = _read_at(row, i, memo)
        events.append(event)
        payloads.append(payload)
    ids = [event_id_of(p) for p in payloads]
    texts = [instant_text(e.known_at) for e in events]
    return Batch(events, payloads, ids, texts)


# -- tables --------------------------------------------------------------------------------------

_NESTED_SEP: Final = "."


def _is_empty(cell: Any) -> bool:
    if cell is None:
        return True
    if cell.__class__ is float:
        return math.isnan(cell)
    # pandas' NaT and NA: not equal to themselves, or of a type named so.
    name = type(cell).__name__
    return name in ("NaTType", "NAType")


def _columns(table: Any) -> dict[str, list[Any]]:
    """A pandas DataFrame's or an Arrow table's columns, as lists of Python values."""
    module = type(table).__module__.split(".", 1)[0]
    if module == "pandas":
        return {str(name): table[name].tolist() for name in table.columns}
    if module == "pyarrow":
        return {str(name): table.column(name).to_pylist() for name in table.column_names}
    raise EventError(f"expected a pandas DataFrame or a pyarrow Table, got {type(table).__name__}")


def rows_from_table(table: Any) -> list[dict[str, Any]]:
    """The rows of a pandas ``DataFrame`` or a pyarrow ``Table`` (one event a row): a column
    named with dots fills a nested field, an empty cell leaves its field out, and instants are
    written as text (an aware timestamp column, such as ``datetime64[ns, UTC]`` or an Arrow
    ``timestamp`` with a time zone).

    Raises:
        RowError: naming the row and the column of a naive timestamp.
        EventError: if ``table`` is neither.
    """
    columns = _columns(table)
    count = len(next(iter(columns.values()))) if columns else 0
    layout = _layout(columns)
    return [_row_at(layout, i) for i in range(count)]


#: A table's columns laid out for reading rows: each column's path, cells and name.
_Layout = list[tuple[tuple[str, ...], Sequence[Any], str]]


def _layout(columns: Mapping[str, Sequence[Any]]) -> _Layout:
    return [(tuple(name.split(_NESTED_SEP)), cells, name) for name, cells in columns.items()]


def _row_at(layout: _Layout, i: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for path, column, name in layout:
        cell = column[i]
        if _is_empty(cell):
            continue
        if isinstance(cell, datetime | date):
            cell = _cell_instant(cell, i, name)
        if len(path) == 1:
            row[name] = cell
            continue
        into = row
        for key in path[:-1]:
            into = into.setdefault(key, {})
        into[path[-1]] = cell
    return row


def rows_of_columns(
    columns: Mapping[str, Sequence[Any]], indexes: Iterable[int]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Some rows of a table given as its columns' cells, each with its index: what
    :func:`rows_from_table` gives for those rows (nested fields from dotted names, empty cells
    left out, instants as text).

    Raises:
        RowError: naming the row and the column of a naive timestamp.
    """
    layout = _layout(columns)
    for i in indexes:
        yield i, _row_at(layout, i)


def read_row(row: Mapping[str, Any], index: int) -> tuple[Event, str]:
    """The event of a row and its canonical payload, as :meth:`.Chronicle.extend_rows` reads
    it.

    Raises:
        RowError: naming ``index`` and what is wrong in the row.
    """
    return _read_at(row, index, {})


def _cell_instant(cell: date, index: int, column: str) -> Any:
    if not isinstance(cell, datetime):
        return cell.isoformat()  # a date: the wire form of a day
    try:
        return _wire(cell, column)
    except EventError as exc:
        raise RowError(index, str(exc)) from None
