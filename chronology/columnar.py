"""Tables stored column by column: the path of :meth:`.Chronicle.extend_table`.

A pandas ``DataFrame`` or a pyarrow ``Table`` holds one event a row, as
:func:`chronology.bulk.rows_from_table` reads it (the tag under ``type``, nested fields in
columns named with dots, ``quantity.value``, ``period.start``, ``source.name``; an empty cell
leaves its field out). Here the rows of each event type are taken together and each field is
checked, converted and written for the whole column at once:

- text, flags and likelihood names: each distinct value is checked once, by the field's own
  converter and validator (so the refusals are the constructor's), and its JSON text made once;
- instants: an aware timestamp column is written by numpy; a text column in the canonical form
  (``2024-04-03T10:00:00+00:00``, or with ``Z``) is matched and parsed in C;
- numbers: checked and written a column at a time (``float.__repr__``, as JSON writes them);
- windows, quantities and sources: each distinct window and source is built once by its
  class's constructor; quantities are built from checked columns.

The canonical payload of each event is then one ``str.format`` of its fields' texts, in the
order of its keys: the same bytes as :func:`chronology.serialization.payload_of` (a property
test holds it to that for every built-in event type). Events are filled in through a builder
class (``chronology._fastinit.builder_class``), with no check left to do.

A cell the column checks do not take (another spelling of an instant, a window given as EDTF
text, a quantity with bounds, a source with more than a name, a value of another type, an
invalid value) sends its row to the row path, :func:`chronology.bulk.read_row`, which gives the
same event as :meth:`.Chronicle.extend_rows`, or its error: a :class:`~chronology.errors.RowError`
naming the first bad row (counted from 0) and, when the column checks found it, the column.
Nothing is appended then.

Example:
    >>> import pandas as pd
    >>> from chronology import Chronicle
    >>> frame = pd.DataFrame({
    ...     "type": ["trade.projection_revised"] * 2,
    ...     "subject": ["trade/a", "trade/a"],
    ...     "known_at": pd.to_datetime(["2024-03-01T12:00:00Z", "2024-03-02T12:00:00Z"]),
    ...     "quantity.value": [900.5, 910.0],
    ...     "quantity.unit": ["kt", "kt"],
    ... })
    >>> [r.position for r in Chronicle().extend_table(frame)]
    [1, 2]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import repeat
from operator import itemgetter
from typing import Any, Final

import attrs

from chronology._codecs import ENCODER, instant_text
from chronology._collector import collector_paused
from chronology._fastinit import builder_class, set_class
from chronology.bulk import read_row, rows_of_columns
from chronology.column_writers import (
    FIELD_WRITERS,
    Bad,
    ColumnField,
    FieldColumns,
    refuse_filled,
)
from chronology.errors import RowError
from chronology.events import Event
from chronology.hedges import Likelihood
from chronology.quantity import Quantity
from chronology.record import Batch
from chronology.registry import RECORD_KEYS, find_event_class
from chronology.serialization import event_ids_of
from chronology.table_columns import TableColumns, table_columns
from chronology.time import Window
from chronology.values import Source

__all__ = ["prepare_columns", "prepare_table"]

#: The converter of ``Event.known_at``: a field with it takes an instant column.
_KNOWN_AT: Final = attrs.fields(Event).known_at.converter


def prepare_table(table: Any) -> Batch:
    """A pandas ``DataFrame`` or a pyarrow ``Table`` as a batch ready to store (what
    :meth:`.Chronicle.extend_table` stores): each event with its canonical payload, id and
    ``known_at`` text.

    Raises:
        RowError: naming the first bad row (from 0), what is wrong there and, when known,
            the column.
        EventError: if ``table`` is neither.
    """
    return prepare_columns(table_columns(table))


def prepare_columns(columns: TableColumns) -> Batch:
    """The batch of a table already read as columns (see :func:`prepare_table`).

    Raises:
        RowError: as :func:`prepare_table`.
    """
    n = columns.count
    if n == 0:
        return Batch([], [], [], [])
    with collector_paused():  # every object made here lasts, and none is in a cycle
        return _prepare(columns, n)


def _prepare(columns: TableColumns, n: int) -> Batch:
    np = importlib.import_module("numpy")  # there is a table: its library needs numpy
    parts: list[tuple[Sequence[int], list[Any], list[str], list[str]]] = []
    slow: dict[int, str] = {}
    for tag, idx in _groups(np, columns.cells.get("type"), n).items():
        plan = _plan(find_event_class(tag)) if tag is not None else None
        if plan is None:
            slow.update(dict.fromkeys(range(n) if idx is None else idx, "type"))
            continue
        made, texts, instants, bad = _group(plan, columns, idx)
        rows: Sequence[int] = range(n) if idx is None else idx
        if bad:
            slow.update({rows[j]: column for j, column in bad.items()})
            rows = [i for j, i in enumerate(rows) if j not in bad]
        parts.append((rows, made, texts, instants))
    events, payloads, known = _in_row_order(np, n, parts, sorted(slow))
    for i, row in rows_of_columns(columns.cells, sorted(slow)):
        try:
            event, payload = read_row(row, i)
        except RowError as exc:
            column = slow[i]
            if column.split(".", 1)[0] in exc.reason:
                raise RowError(i, f"{exc.reason} (column {column!r})") from None
            raise
        events[i], payloads[i], known[i] = event, payload, instant_text(event.known_at)
    return Batch(events, payloads, event_ids_of(payloads), known)


def _in_row_order(
    np: Any,
    n: int,
    parts: list[tuple[Sequence[int], list[Any], list[str], list[str]]],
    slow: list[int],
) -> tuple[list[Any], list[Any], list[Any]]:
    """The events, payloads and ``known_at`` texts of the groups (each with its rows), put
    in the table's row order, with ``None`` in the rows of ``slow``."""
    if len(parts) == 1 and not slow and len(parts[0][0]) == n:  # one group of every row
        return parts[0][1], parts[0][2], parts[0][3]
    rows: list[int] = []
    columns: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for where, *made in parts:
        rows += where
        for column, values in zip(columns, made, strict=True):
            column += values
    rows += slow
    for column in columns:
        column += [None] * len(slow)
    if n == 1:
        return columns
    # The place in ``rows`` of each row of the table: a permutation, read out by one getter.
    get = itemgetter(*np.argsort(np.array(rows, dtype=np.intp), kind="stable").tolist())
    return list(get(columns[0])), list(get(columns[1])), list(get(columns[2]))


def _groups(np: Any, types: list[Any] | None, n: int) -> dict[str | None, list[int] | None]:
    """The rows of each tag (``None`` for all rows; the tag ``None`` for rows without one),
    in order."""
    if types is None:
        return {None: None}
    first = types[0]
    if first.__class__ is str and types.count(first) == n:
        return {first: None}
    try:
        distinct = dict.fromkeys(types)
    except TypeError:  # an unhashable cell (a list, say): it names no tag either
        types = [t if t.__class__ is str else None for t in types]
        distinct = dict.fromkeys(types)
    code = {cell: k for k, cell in enumerate(distinct)}
    codes = np.fromiter(map(code.__getitem__, types), dtype=np.intp, count=n)
    order = np.argsort(codes, kind="stable").tolist()
    ends = np.cumsum(np.bincount(codes, minlength=len(code))).tolist()
    groups: dict[str | None, list[int]] = {}
    start = 0
    for cell, end in zip(code, ends, strict=True):
        tag = cell if cell.__class__ is str else None
        groups.setdefault(tag, []).extend(order[start:end])
        start = end
    if None in groups:  # cells of several kinds: their rows in order
        groups[None].sort()
    return dict(groups)


# -- a class's plan --------------------------------------------------------------------------


class _Plan:
    """How the column path builds and writes the events of one class."""

    __slots__ = ("build", "by_name", "cls", "fields", "order", "probe", "template", "version")

    def __init__(
        self, cls: type, fields: list[ColumnField], template: list[str | None], build: Any
    ) -> None:
        self.cls = cls
        self.version: int = getattr(cls, "version", 1)
        self.fields = fields
        #: The payload's constant texts in key order, ``None`` where a field's text goes.
        self.template = template
        #: The fields' places in the payload's key order (that of the template's slots).
        self.order = sorted(range(len(fields)), key=lambda i: fields[i].name)
        self.by_name = {f.name: f for f in fields}
        self.build: Callable[..., list[Any]] = build
        #: An instance with no field set: what validators are given (for its class's name).
        self.probe: Any = object.__new__(cls)


_PLANS: dict[type, _Plan | None] = {}


def _plan(cls: type | None) -> _Plan | None:
    if cls is None:
        return None
    if cls not in _PLANS:
        _PLANS[cls] = _make_plan(cls)
    return _PLANS[cls]


def _kind(attribute: Any) -> str | None:
    tp = attribute.type
    args = getattr(tp, "__args__", ())
    if len(args) == 2 and type(None) in args and tp != tuple[str, ...]:
        tp = next(a for a in args if a is not type(None))
    if tp is datetime:
        return "instant" if attribute.converter is _KNOWN_AT else None
    kinds: dict[Any, str] = {
        str: "text",
        float: "float",
        bool: "bool",
        Likelihood: "likelihood",
        Window: "window",
        Quantity: "quantity",
        Source: "source",
    }
    if tp == tuple[str, ...]:
        return "strings"
    return kinds.get(tp)


def _make_plan(cls: type) -> _Plan | None:
    """The plan of an event class, or ``None`` when its rows go to the row path (a field of
    a type the columns do not write, or a class that cannot be filled by a builder)."""
    try:
        attributes = attrs.fields(attrs.resolve_types(cls))
    except (TypeError, NameError, attrs.exceptions.NotAnAttrsClassError):
        return None
    builder = builder_class(cls)
    tag: str = getattr(cls, "tag", "")
    version: int = getattr(cls, "version", 1)
    if builder is None or not tag or getattr(cls, "__attrs_post_init__", None):
        return None
    fields: list[ColumnField] = []
    for a in attributes:
        kind = _kind(a)
        if kind is None or not a.init or a.alias != a.name or isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            return None
        fields.append(ColumnField(a, kind))
    # The keys in order, as the generated writer puts them: pieces before the first key that
    # is always written carry a comma after them, the others one before.
    parts: list[tuple[str, ColumnField | str]] = [(f.name, f) for f in fields]
    parts.append(("type", '"type":' + ENCODER.encode(tag)))
    if version != 1:
        parts.append(("v", f'"v":{version}'))
    parts.sort(key=lambda part: part[0])
    first = next(i for i, (_, p) in enumerate(parts) if isinstance(p, str) or p.required)
    template: list[str | None] = ["{"]  # the constant texts, and None for each field's slot
    for i, (name, part) in enumerate(parts):
        before, after = ("," if i > first else ""), ("," if i < first else "")
        if isinstance(part, str):
            template.append(before + part + after)
            continue
        part.prefix, part.suffix = before + ENCODER.encode(name) + ":", after
        template.append(None)
    template.append("}")
    return _Plan(cls, fields, template, _builder_function(cls, builder, fields))


def _builder_function(
    cls: type, builder: type, fields: list[ColumnField]
) -> Callable[..., list[Any]]:
    """``build(count, *columns)``: an instance of ``cls`` per row (``count`` of them) of the
    fields' value columns (a column given as an ``itertools.repeat`` of the field's default:
    the default in every row, set without being zipped)."""
    made: dict[tuple[bool, ...], Callable[..., list[Any]]] = {}

    def build(count: int, *columns: Any) -> list[Any]:
        constant = tuple(isinstance(c, repeat) for c in columns)
        function = made.get(constant)
        if function is None:
            function = made[constant] = _rows_builder(cls, builder, fields, constant)
        given = [c for c, k in zip(columns, constant, strict=True) if not k]
        return function(*given) if given else function(range(count))

    return build


def _rows_builder(
    cls: type, builder: type, fields: list[ColumnField], constant: tuple[bool, ...]
) -> Callable[..., list[Any]]:
    """The generated loop of :func:`_builder_function` for one choice of constant fields."""
    names = [f"v{i}" for i, k in enumerate(constant) if not k] or ["_"]  # (rows to count)
    defaults = "".join(f", _d{i}=_d{i}" for i, k in enumerate(constant) if k)
    lines = [
        f"def build({', '.join(names)}{defaults}):",
        "    out = []",
        "    add = out.append",
        f"    for {', '.join(names)}, in zip({', '.join(names)}):",
        "        o = _new(_B)",
        *(
            f"        o.{f.name} = {'_d' if k else 'v'}{i}"
            for i, (f, k) in enumerate(zip(fields, constant, strict=True))
        ),
        "        _set_class(o, _C)",
        "        add(o)",
        "    return out",
    ]
    ns: dict[str, Any] = {"_new": object.__new__, "_B": builder, "_C": cls, "_set_class": set_class}
    ns.update(
        {f"_d{i}": f.default for i, (f, k) in enumerate(zip(fields, constant, strict=True)) if k}
    )
    code = compile("\n".join(lines) + "\n", f"<chronology columns {cls.__qualname__}>", "exec")
    exec(code, ns)
    function: Callable[..., list[Any]] = ns["build"]
    return function


# -- a group of rows -------------------------------------------------------------------------


def _group(
    plan: _Plan, columns: TableColumns, idx: list[int] | None
) -> tuple[list[Any], list[str], list[str], Bad]:
    """The events, payloads and ``known_at`` texts of the rows ``idx`` (``None``: every row)
    of one class, leaving out the bad rows (returned, by their place in ``idx``)."""
    np = importlib.import_module("numpy")  # there is a table: its library needs numpy
    cells = columns.cells
    m = columns.count if idx is None else len(idx)
    pick = None if idx is None or len(idx) < 2 else itemgetter(*idx)
    taken: dict[str, list[Any]] = {}

    def take(name: str) -> list[Any]:
        found = taken.get(name)
        if found is None:
            column = cells[name]
            if idx is None:
                found = column
            elif name in columns.empty:
                found = [None] * m
            elif pick is None:  # (itemgetter of one index gives the item itself)
                found = [column[i] for i in idx]
            else:
                found = list(pick(column))
            taken[name] = found
        return found

    rows: Any = None  # ``idx`` as a numpy array, once asked for

    def floats(name: str) -> Any:
        nonlocal rows
        array = columns.floats.get(name)
        if array is None or idx is None:
            return array
        if rows is None:
            rows = np.fromiter(idx, dtype=np.intp, count=m)
        return array[rows]

    given: dict[str, dict[str | None, str]] = {}  # field: its sub-keys' column names
    bad: Bad = {}
    for name in cells:
        path = name.split(".", 1)
        if name == "type" or name in RECORD_KEYS:
            continue
        if name == "v":  # the payload's version: other versions are upcast by the row path
            _refuse_other_versions(take(name), plan.version, bad)
            continue
        if path[0] in plan.by_name:
            given.setdefault(path[0], {})[path[1] if len(path) > 1 else None] = name
            continue
        refuse_filled(take(name), name, bad)  # no such field: the row path says so
    values: list[Any] = []
    pieces: list[list[str] | str] = []  # each field's texts, or one text for every row
    known: list[str] = []
    for field in plan.fields:
        subs = given.get(field.name)
        # An optional field whose columns are empty in these rows takes its default, which
        # the payload leaves out (what its writer would give, found sooner).
        if (
            subs is not None
            and not field.required
            and all(_unfilled(take(name)) for name in subs.values())
        ):
            subs = None
        if subs is None:
            if field.required:
                bad.update(dict.fromkeys(range(m), field.name))
            values.append(repeat(field.default))
            pieces.append("")
            continue
        got = FIELD_WRITERS[field.kind](
            FieldColumns(field, subs, take, columns.instants, bad, plan.probe, m, floats)
        )
        values.append(got[0])
        pieces.append(got[1])
        if field.kind == "instant":
            known = got[2]
    if "v" not in cells and plan.version != 1:
        bad.update(dict.fromkeys(range(m), "v"))  # payloads of version 1, to upcast
    if len(bad) == m:
        return [], [], [], bad
    payloads = _join(plan.template, [pieces[i] for i in plan.order], m)
    if bad:
        keep = [j for j in range(m) if j not in bad]
        payloads = [payloads[j] for j in keep]
        known = [known[j] for j in keep]
        values = [v if isinstance(v, repeat) else [v[j] for j in keep] for v in values]
    return plan.build(len(payloads), *values), payloads, known, bad


def _unfilled(cells: list[Any]) -> bool:
    """Whether every cell is ``None`` (the first cell looked at first: a column with values
    mostly has one there)."""
    return not cells or (cells[0] is None and cells.count(None) == len(cells))


def _join(template: list[str | None], slots: list[list[str] | str], m: int) -> list[str]:
    """Each row's payload: the template's texts with each ``None`` replaced by the next
    slot's text for that row (a slot given as one text holds it for every row)."""
    columns: list[list[str]] = []
    constant: list[str] = []  # the texts since the last column
    filled = iter(slots)
    for text in template:
        part = next(filled) if text is None else text
        if isinstance(part, str):
            constant.append(part)
            continue
        if constant:
            columns.append(repeat("".join(constant)))  # type: ignore[arg-type]
            constant = []
        columns.append(part)
    if not columns:
        return ["".join(constant)] * m
    if constant:
        columns.append(repeat("".join(constant)))  # type: ignore[arg-type]
    return list(map("".join, zip(*columns, strict=False)))  # (the constants repeat)


def _refuse_other_versions(cells: list[Any], version: int, bad: Bad) -> None:
    """Send the rows of another version than ``version`` to the row path."""
    for j, cell in enumerate(cells):
        if not (cell is None if version == 1 else cell.__class__ is int and cell == version):
            bad.setdefault(j, "v")
