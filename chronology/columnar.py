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
class (:func:`chronology._fastinit.builder_class`), with no check left to do.

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
import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import repeat
from typing import Any, Final

import attrs

from chronology._checks import finite
from chronology._codecs import ENCODER, instant_text
from chronology._collector import collector_paused
from chronology._fastinit import builder_class, set_class
from chronology.bulk import read_row, rows_of_columns
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

_INSTANT: Final = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(?!000000)\d{6})?"
#: An instant's text in the canonical form, or with ``Z`` for the offset.
_CANONICAL: Final = re.compile(_INSTANT + r"(?:\+00:00|Z)", re.ASCII)
#: Canonical texts joined with newlines: a column is checked in one match.
_CANONICAL_RUN: Final = re.compile(f"(?:{_INSTANT}\\+00:00\n)*{_INSTANT}\\+00:00", re.ASCII)
_PLACEHOLDER: Final = "1970-01-01T00:00:00+00:00"
_from_iso: Final = datetime.fromisoformat
_NONE: Final = type(None)
#: The converter of ``Event.known_at``: a field with it takes an instant column.
_KNOWN_AT: Final = attrs.fields(Event).known_at.converter
#: Bad rows of a group: the row (in the group) and the column that refused it.
Bad = dict[int, str]


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
    events: Any = None
    payloads: Any = None
    known: Any = None
    slow: dict[int, str] = {}
    for tag, idx in _groups(np, columns.cells.get("type"), n).items():
        plan = _plan(find_event_class(tag)) if tag is not None else None
        if plan is None:
            slow.update(dict.fromkeys(range(n) if idx is None else idx, "type"))
            continue
        made, texts, instants, bad = _group(plan, columns, idx)
        if idx is None and not bad:
            events, payloads, known = made, texts, instants
            continue
        if events is None:
            events, payloads, known = (np.empty(n, dtype=object) for _ in range(3))
        rows = range(n) if idx is None else idx
        if bad:
            slow.update({rows[j]: column for j, column in bad.items()})
            rows = [i for j, i in enumerate(rows) if j not in bad]
        where = np.fromiter(rows, dtype=np.intp, count=len(rows))
        events[where], payloads[where], known[where] = made, texts, instants
    if not isinstance(events, list):
        events, payloads, known = events.tolist(), payloads.tolist(), known.tolist()
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


def _groups(np: Any, types: list[Any] | None, n: int) -> dict[str | None, list[int] | None]:
    """The rows of each tag (``None`` for all rows; the tag ``None`` for rows without one),
    in order."""
    if types is None:
        return {None: None}
    first = types[0]
    if first.__class__ is str and types.count(first) == n:
        return {first: None}
    tags = np.array([t if t.__class__ is str else None for t in types], dtype=object)
    groups: dict[str | None, list[int] | None] = {}
    for tag in dict.fromkeys(tags.tolist()):
        groups[tag] = np.flatnonzero(tags == tag).tolist()
    return groups


# -- a class's plan --------------------------------------------------------------------------


class _Field:
    """A field of an event class as the column path writes it."""

    __slots__ = ("attribute", "default", "kind", "name", "prefix", "required", "suffix")

    def __init__(self, attribute: Any, kind: str) -> None:
        self.attribute = attribute
        self.name: str = attribute.name
        self.kind = kind
        self.required = attribute.default is attrs.NOTHING
        self.default: Any = None if self.required else attribute.default
        self.prefix = ""  # the comma before the key, the key and the colon
        self.suffix = ""  # the comma after the value, for keys before the first written one

    def piece(self, value: Any, text: str) -> str:
        """The field's part of the payload: empty when the codec leaves the value out."""
        if not self.required and (value is None if self.default is None else value == self.default):
            return ""
        return self.prefix + text + self.suffix

    def accept(self, value: Any, probe: Any) -> Any:
        """``value`` converted and checked as the class's constructor does it."""
        attribute = self.attribute
        convert = attribute.converter
        if convert is not None:
            if isinstance(convert, attrs.Converter):
                args: list[Any] = [value]
                if getattr(convert, "takes_self", False):
                    args.append(probe)
                if getattr(convert, "takes_field", False):
                    args.append(attribute)
                value = getattr(convert, "converter")(*args)  # noqa: B009  # (untyped in attrs)
            else:
                value = convert(value)
        validate = attribute.validator
        if validate is not None and not attrs.validators.get_disabled():
            validate(probe, attribute, value)
        return value


class _Plan:
    """How the column path builds and writes the events of one class."""

    __slots__ = ("build", "by_name", "cls", "fields", "order", "probe", "template", "version")

    def __init__(
        self, cls: type, fields: list[_Field], template: list[str | None], build: Any
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
    fields: list[_Field] = []
    for a in attributes:
        kind = _kind(a)
        if kind is None or not a.init or a.alias != a.name or isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            return None
        fields.append(_Field(a, kind))
    # The keys in order, as the generated writer puts them: pieces before the first key that
    # is always written carry a comma after them, the others one before.
    parts: list[tuple[str, _Field | str]] = [(f.name, f) for f in fields]
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


def _builder_function(cls: type, builder: type, fields: list[_Field]) -> Callable[..., list[Any]]:
    """``build(*columns)``: an instance of ``cls`` per row of the fields' value columns."""
    names = [f"v{i}" for i in range(len(fields))]
    lines = [
        f"def build({', '.join(names)}):",
        "    out = []",
        "    add = out.append",
        f"    for {', '.join(names)}, in zip({', '.join(names)}):",
        "        o = _new(_B)",
        *(f"        o.{f.name} = v{i}" for i, f in enumerate(fields)),
        "        _set_class(o, _C)",
        "        add(o)",
        "    return out",
    ]
    ns: dict[str, Any] = {"_new": object.__new__, "_B": builder, "_C": cls, "_set_class": set_class}
    exec(compile("\n".join(lines) + "\n", f"<chronology columns {cls.__qualname__}>", "exec"), ns)
    build: Callable[..., list[Any]] = ns["build"]
    return build


# -- a group of rows -------------------------------------------------------------------------


def _group(
    plan: _Plan, columns: TableColumns, idx: list[int] | None
) -> tuple[list[Any], list[str], list[str], Bad]:
    """The events, payloads and ``known_at`` texts of the rows ``idx`` (``None``: every row)
    of one class, leaving out the bad rows (returned, by their place in ``idx``)."""
    cells = columns.cells
    m = columns.count if idx is None else len(idx)

    def take(name: str) -> list[Any]:
        column = cells[name]
        return column if idx is None else list(map(column.__getitem__, idx))

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
        _refuse_filled(take(name), name, bad)  # no such field: the row path says so
    values: list[Any] = []
    pieces: list[Any] = []
    known: list[str] = []
    for field in plan.fields:
        subs = given.get(field.name)
        if subs is None:
            if field.required:
                bad.update(dict.fromkeys(range(m), field.name))
            values.append(repeat(field.default))
            pieces.append(repeat(""))
            continue
        got = _FIELD_WRITERS[field.kind](field, subs, take, columns.instants, bad, plan.probe, m)
        values.append(got[0])
        pieces.append(got[1])
        if field.kind == "instant":
            known = got[2]
    if "v" not in cells and plan.version != 1:
        bad.update(dict.fromkeys(range(m), "v"))  # payloads of version 1, to upcast
    if len(bad) == m:
        return [], [], [], bad
    slots = iter([pieces[i] for i in plan.order])
    parts = [repeat(text) if text is not None else next(slots) for text in plan.template]
    payloads = list(map("".join, zip(*parts, strict=False)))  # (constants repeat)
    if bad:
        keep = [j for j in range(m) if j not in bad]
        payloads = [payloads[j] for j in keep]
        known = [known[j] for j in keep]
        values = [v if isinstance(v, repeat) else [v[j] for j in keep] for v in values]
    return plan.build(*values), payloads, known, bad


def _refuse_other_versions(cells: list[Any], version: int, bad: Bad) -> None:
    """Send the rows of another version than ``version`` to the row path."""
    for j, cell in enumerate(cells):
        if not (cell is None if version == 1 else cell.__class__ is int and cell == version):
            bad.setdefault(j, "v")


def _refuse_filled(cells: list[Any], column: str, bad: Bad) -> None:
    """Send the rows with a value in ``cells`` to the row path."""
    if cells.count(None) != len(cells):
        for j, cell in enumerate(cells):
            if cell is not None:
                bad.setdefault(j, column)


def _refuse_others(
    subs: dict[str | None, str], allowed: Iterable[str | None], take: Any, bad: Bad
) -> None:
    """Send the rows with a value in a column of ``subs`` not ``allowed`` to the row path."""
    for sub, name in subs.items():
        if sub not in allowed:
            _refuse_filled(take(name), name, bad)


Take = Callable[[str], list[Any]]


def _scalar_writer(exact: type) -> Callable[..., tuple[list[Any], list[str]]]:
    """The writer of text, flag or likelihood fields: values of the class ``exact`` (or
    empty), each distinct one converted, checked and written once."""

    def write(
        field: _Field,
        subs: dict[str | None, str],
        take: Take,
        instants: frozenset[str],
        bad: Bad,
        probe: Any,
        m: int,
    ) -> tuple[list[Any], list[str]]:
        _refuse_others(subs, (None,), take, bad)
        name = subs.get(None)
        if name is None:
            return [field.default] * m, [""] * m
        cells = _only(take(name), exact, name, bad)
        values: dict[Any, Any] = {}
        texts: dict[Any, str] = {}
        refused: set[Any] = set()
        for cell in set(cells):
            if cell is None:
                value = field.default
                if field.required:
                    refused.add(cell)
            else:
                try:
                    value = field.accept(cell, probe)
                except Exception:  # the row path says what is wrong
                    refused.add(cell)
                    value = None
            values[cell] = value
            if value is None:
                texts[cell] = ""
            elif value.__class__ is Likelihood:
                texts[cell] = field.piece(value, ENCODER.encode(value.value))
            else:
                texts[cell] = field.piece(value, ENCODER.encode(value))
        _refuse_values(cells, refused, name, bad)
        return list(map(values.__getitem__, cells)), list(map(texts.__getitem__, cells))

    return write


def _floats(
    field: _Field,
    subs: dict[str | None, str],
    take: Take,
    instants: frozenset[str],
    bad: Bad,
    probe: Any,
    m: int,
) -> tuple[list[Any], list[str]]:
    """Number fields (a probability): each cell checked (``-0.0`` equals ``0.0`` but is
    written otherwise, so values are not shared)."""
    _refuse_others(subs, (None,), take, bad)
    name = subs.get(None)
    if name is None:
        return [field.default] * m, [""] * m
    values: list[Any] = []
    texts: list[str] = []
    for j, cell in enumerate(take(name)):
        value = field.default
        if cell is None:
            if field.required:
                bad.setdefault(j, name)
        elif cell.__class__ is float:
            try:
                value = field.accept(cell, probe)
            except Exception:
                bad.setdefault(j, name)
        else:
            bad.setdefault(j, name)
        values.append(value)
        texts.append("" if value is None else field.piece(value, ENCODER.encode(value)))
    return values, texts


def _instant_texts(
    cells: list[Any], canonical: bool, name: str, bad: Bad, parsed: list[Any] | None = None
) -> list[Any]:
    """The canonical texts of a column of instants (``None`` for an empty or refused cell);
    when every cell is a canonical text, their instants are put in ``parsed``."""
    if canonical:
        return cells
    if set(map(type, cells)) == {str} and _CANONICAL_RUN.fullmatch("\n".join(cells)):
        try:
            found = list(map(_from_iso, cells))  # (a day or an hour out of range fails)
        except ValueError:
            pass
        else:
            if parsed is not None:
                parsed += found
            return cells
    match = _CANONICAL.fullmatch
    out = list(cells)
    for j, cell in enumerate(cells):
        if cell is None:
            continue
        if cell.__class__ is str and match(cell) is not None:
            if cell[-1] == "Z":
                out[j] = cell[:-1] + "+00:00"
        elif isinstance(cell, datetime) and cell.utcoffset() is not None:
            whole = datetime(
                cell.year,
                cell.month,
                cell.day,
                cell.hour,
                cell.minute,
                cell.second,
                cell.microsecond,
                tzinfo=cell.tzinfo,
            )  # a pandas Timestamp, say: to microseconds, as the row path does
            out[j] = instant_text(whole)
        else:
            bad.setdefault(j, name)
            out[j] = None
    return out


def _datetimes(texts: list[Any], name: str, bad: Bad) -> list[datetime | None]:
    """The instants of canonical texts (``None`` for ``None``)."""
    try:
        if None not in texts:
            return list(map(_from_iso, texts))
        filled = [_PLACEHOLDER if t is None else t for t in texts]
        found: list[datetime | None] = list(map(_from_iso, filled))
    except ValueError:  # a day or an hour out of range
        found = []
        for j, text in enumerate(texts):
            try:
                found.append(_from_iso(text))
            except (TypeError, ValueError):
                if text is not None:
                    bad.setdefault(j, name)
                found.append(None)
        return found
    for j, text in enumerate(texts):
        if text is None:
            found[j] = None
    return found


def _instants(
    field: _Field,
    subs: dict[str | None, str],
    take: Take,
    instants: frozenset[str],
    bad: Bad,
    probe: Any,
    m: int,
) -> tuple[list[Any], list[str], list[str]]:
    """``known_at``: every cell an instant."""
    _refuse_others(subs, (None,), take, bad)
    name = subs.get(None)
    if name is None:
        bad.update(dict.fromkeys(range(m), field.name))
        return [None] * m, [""] * m, [_PLACEHOLDER] * m
    parsed: list[Any] = []
    texts = _instant_texts(take(name), name in instants, name, bad, parsed)
    if parsed:
        piece = field.prefix + '"{}"' + field.suffix  # (keys and commas hold no braces)
        return parsed, list(map(piece.format, texts)), texts
    if None in texts:
        for j, text in enumerate(texts):
            if text is None:
                bad.setdefault(j, name)
        texts = [_PLACEHOLDER if t is None else t for t in texts]
    values = _datetimes(texts, name, bad)
    piece = field.prefix + '"{}"' + field.suffix
    return values, list(map(piece.format, texts)), texts


def _windows(
    field: _Field,
    subs: dict[str | None, str],
    take: Take,
    instants: frozenset[str],
    bad: Bad,
    probe: Any,
    m: int,
) -> tuple[list[Any], list[str]]:
    """Windows given by their bounds (``.start``, ``.end``): each distinct pair built once."""
    _refuse_others(subs, ("start", "end"), take, bad)
    bounds = []
    for sub in ("start", "end"):
        name = subs.get(sub)
        if name is None:
            bounds.append([None] * m)
        else:
            bounds.append(_instant_texts(take(name), name in instants, name, bad))
    pairs = list(zip(*bounds, strict=True))
    values: dict[Any, Any] = {}
    texts: dict[Any, str] = {}
    refused: set[Any] = set()
    column = subs.get("start") or subs.get("end") or field.name
    for pair in set(pairs):
        start, end = pair
        value: Any = None
        text = ""
        if start is None and end is None:
            if field.required:
                refused.add(pair)
        else:
            try:
                window = Window(
                    start=None if start is None else _from_iso(start),
                    end=None if end is None else _from_iso(end),
                )
                value = field.accept(window, probe)
            except Exception:
                refused.add(pair)
            else:
                keys = ([f'"end":"{end}"'] if end else []) + (
                    [f'"start":"{start}"'] if start else []
                )
                text = field.piece(value, "{" + ",".join(keys) + "}")
        values[pair], texts[pair] = value, text
    if refused:
        for j, pair in enumerate(pairs):
            if pair in refused:
                bad.setdefault(j, column)
    return list(map(values.__getitem__, pairs)), list(map(texts.__getitem__, pairs))


def _quantity_builder() -> type:
    builder = builder_class(Quantity)
    if builder is None:  # pragma: no cover - a frozen slotted class always has one
        raise TypeError("Quantity cannot be filled by a builder class")
    return builder


_QUANTITY_BUILDER: Final = _quantity_builder()


def _new_quantities(numbers: list[Any], units: list[Any]) -> list[Quantity]:
    """Quantities of checked values and units (a finite float, a valid unit), as the
    constructor would make them."""
    builder = _QUANTITY_BUILDER
    new, set_to = object.__new__, set_class
    out: list[Quantity] = []
    add = out.append
    for value, unit in zip(numbers, units, strict=True):
        q: Any = new(builder)
        q.value, q.unit, q.low, q.high, q.approximate = value, unit, None, None, False
        set_to(q, Quantity)
        add(q)
    return out


def _quantities(
    field: _Field,
    subs: dict[str | None, str],
    take: Take,
    instants: frozenset[str],
    bad: Bad,
    probe: Any,
    m: int,
) -> tuple[list[Any], list[str]]:
    """Quantities given by ``.value`` and ``.unit``: the values checked and written a column
    at a time, each distinct unit checked once."""
    _refuse_others(subs, ("value", "unit"), take, bad)
    value_name, unit_name = subs.get("value"), subs.get("unit")
    numbers: list[Any] = [None] * m if value_name is None else take(value_name)
    units: list[Any] = (
        [None] * m if unit_name is None else _only(take(unit_name), str, unit_name, bad)
    )
    column = value_name or unit_name or field.name
    unit_texts: dict[Any, str] = {}
    for unit in set(units):
        if unit.__class__ is str:
            try:
                Quantity(1.0, unit)
            except Exception:
                continue
            unit_texts[unit] = ENCODER.encode(unit)
    plain = (
        None not in numbers
        and set(map(type, numbers)) == {float}
        and all(map(math.isfinite, numbers))
        and unit_texts.keys() >= set(units)
    )
    if not plain:
        numbers, units = list(numbers), list(units)
        for j, (number, unit) in enumerate(zip(numbers, units, strict=True)):
            if number is None and unit is None and not field.required:
                continue
            if finite(number) and unit in unit_texts:
                numbers[j] = float(number)
                continue
            bad.setdefault(j, column if number is not None else (unit_name or column))
            numbers[j], units[j] = None, None
    present = [j for j in range(m) if numbers[j] is not None] if not plain else None
    made: list[Quantity | None]
    if present is None:
        made = list(_new_quantities(numbers, units))
    else:
        made = [None] * m
        some = _new_quantities([numbers[j] for j in present], [units[j] for j in present])
        for j, q in zip(present, some, strict=True):
            made[j] = q
    sample = next((q for q in made if q is not None), None)
    if sample is not None:
        try:
            field.accept(sample, probe)
        except Exception:
            bad.update({j: column for j in range(m) if made[j] is not None})
    template = field.prefix + '{{"unit":{},"value":{}}}' + field.suffix
    if present is None:
        texts = list(
            map(template.format, map(unit_texts.__getitem__, units), map(float.__repr__, numbers))
        )
    else:
        texts = [""] * m
        for j in present:
            texts[j] = template.format(unit_texts[units[j]], float.__repr__(numbers[j]))
    return made, texts


def _sources(
    field: _Field,
    subs: dict[str | None, str],
    take: Take,
    instants: frozenset[str],
    bad: Bad,
    probe: Any,
    m: int,
) -> tuple[list[Any], list[str]]:
    """Sources given by ``.name`` alone: each distinct name built once."""
    _refuse_others(subs, ("name",), take, bad)
    name = subs.get("name")
    if name is None:
        if field.required:
            bad.update(dict.fromkeys(range(m), field.name))
        return [field.default] * m, [""] * m
    cells = _only(take(name), str, name, bad)
    values: dict[Any, Any] = {}
    texts: dict[Any, str] = {}
    refused: set[Any] = set()
    for cell in set(cells):
        value = None
        text = ""
        if cell is None:
            if field.required:
                refused.add(cell)
        else:
            try:
                value = field.accept(Source(cell), probe)
            except Exception:
                refused.add(cell)
            else:
                text = field.piece(value, '{"name":' + ENCODER.encode(cell) + "}")
        values[cell], texts[cell] = value, text
    _refuse_values(cells, refused, name, bad)
    return list(map(values.__getitem__, cells)), list(map(texts.__getitem__, cells))


def _only(cells: list[Any], exact: type, name: str, bad: Bad) -> list[Any]:
    """``cells`` with those of another class than ``exact`` emptied and their rows refused."""
    if set(map(type, cells)) <= {exact, _NONE}:
        return cells
    out = list(cells)
    for j, cell in enumerate(cells):
        if cell is not None and cell.__class__ is not exact:
            bad.setdefault(j, name)
            out[j] = None
    return out


def _refuse_values(cells: list[Any], refused: set[Any], name: str, bad: Bad) -> None:
    """Refuse the rows whose cell is in ``refused``."""
    if refused:
        for j, cell in enumerate(cells):
            if cell in refused:
                bad.setdefault(j, name)


def _strings(
    field: _Field,
    subs: dict[str | None, str],
    take: Take,
    instants: frozenset[str],
    bad: Bad,
    probe: Any,
    m: int,
) -> tuple[list[Any], list[str]]:
    """Sequences of text: each cell a list or a tuple of strings."""
    _refuse_others(subs, (None,), take, bad)
    name = subs.get(None)
    if name is None:
        return [field.default] * m, [""] * m
    values: list[Any] = []
    texts: list[str] = []
    for j, cell in enumerate(take(name)):
        value = field.default
        if cell is not None:
            if cell.__class__ in (list, tuple) and all(x.__class__ is str for x in cell):
                try:
                    value = field.accept(tuple(cell), probe)
                except Exception:
                    bad.setdefault(j, name)
            else:
                bad.setdefault(j, name)
        values.append(value)
        texts.append(field.piece(value, ENCODER.encode(list(value))))
    return values, texts


_FIELD_WRITERS: Final[dict[str, Callable[..., tuple[Any, ...]]]] = {
    "text": _scalar_writer(str),
    "likelihood": _scalar_writer(str),
    "bool": _scalar_writer(bool),
    "float": _floats,
    "instant": _instants,
    "window": _windows,
    "quantity": _quantities,
    "source": _sources,
    "strings": _strings,
}
