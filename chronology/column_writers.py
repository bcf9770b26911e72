"""The writers of each kind of field for the columnar path (:mod:`chronology.columnar`).

A writer takes one field's columns for the rows of one event type and returns the field's
value and its payload text for each row, checked as the class's constructor checks them; a row
whose cell it does not take is put in ``bad`` (with the column), for the row path to read.
The kinds: text, flags and likelihood names (each distinct value checked once by the field's
own converter and validator), numbers, instants (``known_at``), windows (``.start``,
``.end``), quantities (``.value``, ``.unit``), sources (``.name``) and sequences of text.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Final, TypeAlias

import attrs

from chronology._checks import finite
from chronology._codecs import ENCODER, instant_text
from chronology._fastinit import builder_class, set_class
from chronology.hedges import Likelihood
from chronology.quantity import Quantity
from chronology.time import Window
from chronology.values import Source

__all__ = ["FIELD_WRITERS", "Bad", "ColumnField", "FieldColumns", "Take", "refuse_filled"]

_INSTANT: Final = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(?!000000)\d{6})?"
#: An instant's text in the canonical form, or with ``Z`` for the offset.
_CANONICAL: Final = re.compile(_INSTANT + r"(?:\+00:00|Z)", re.ASCII)
#: Canonical texts joined with newlines: a column's distinct texts are checked in one match.
_CANONICAL_RUN: Final = re.compile(f"(?:{_INSTANT}\\+00:00\n)*{_INSTANT}\\+00:00", re.ASCII)
_PLACEHOLDER: Final = "1970-01-01T00:00:00+00:00"
_from_iso: Final = datetime.fromisoformat
_NONE: Final = type(None)
#: The refused rows of a group, each with the column that refused it (rows counted in the
#: group).
Bad: TypeAlias = dict[int, str]


class ColumnField:
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


def refuse_filled(cells: list[Any], column: str, bad: Bad) -> None:
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
            refuse_filled(take(name), name, bad)


#: A column's cells for the rows of a group, given the column's name.
Take: TypeAlias = Callable[[str], list[Any]]


class FieldColumns:
    """What a writer is given: one field's columns for the rows of one event type.

    Attributes:
        field: the field.
        subs: the names of its columns, by sub-key (``None`` for a column named as the
            field, ``"value"`` for ``quantity.value``).
        take: a column's cells for these rows, given its name.
        instants: the names of the columns read from aware timestamps.
        bad: the rows refused so far, to which the writer adds.
        probe: an instance of the class with no field set, for the validators.
        count: how many rows.
        floats: a column's numbers for these rows as a numpy ``float64`` array, given its
            name, or ``None`` when the table does not hold it so.
    """

    __slots__ = ("bad", "count", "field", "floats", "instants", "probe", "subs", "take")

    def __init__(
        self,
        field: ColumnField,
        subs: dict[str | None, str],
        take: Take,
        instants: frozenset[str],
        bad: Bad,
        probe: Any,
        count: int,
        floats: Callable[[str], Any] | None = None,
    ) -> None:
        self.field, self.subs, self.take, self.instants = field, subs, take, instants
        self.bad, self.probe, self.count = bad, probe, count
        self.floats: Callable[[str], Any] = floats if floats is not None else lambda _: None

    def single(self) -> str | None:
        """The name of the field's one column (any other column's rows refused), if any."""
        _refuse_others(self.subs, (None,), self.take, self.bad)
        return self.subs.get(None)

    def defaults(self) -> tuple[list[Any], list[str]]:
        """The field's default in every row, and no text."""
        return [self.field.default] * self.count, [""] * self.count


def _scalar_writer(exact: type) -> Callable[..., tuple[list[Any], list[str]]]:
    """The writer of text, flag or likelihood fields: values of the class ``exact`` (or
    empty), each distinct one converted, checked and written once."""

    def write(c: FieldColumns) -> tuple[list[Any], list[str]]:
        name = c.single()
        if name is None:
            return c.defaults()
        field, take, bad = c.field, c.take, c.bad
        cells, distinct = _distinct(take(name), exact, name, bad)
        values: dict[Any, Any] = {}
        texts: dict[Any, str] = {}
        refused: set[Any] = set()
        for cell in distinct:
            if cell is None:
                value = field.default
                if field.required:
                    refused.add(cell)
            else:
                try:
                    value = field.accept(cell, c.probe)
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


#: What an ``admit`` function returns for a cell it does not take.
_NO: Final = object()


def _cell_writer(
    admit: Callable[[Any], Any], text: Callable[[Any], str]
) -> Callable[[FieldColumns], tuple[list[Any], list[str]]]:
    """The writer of a field whose cells are checked one by one: ``admit(cell)`` is the value
    given to the constructor (or :data:`_NO`), ``text(value)`` its JSON."""

    def write(c: FieldColumns) -> tuple[list[Any], list[str]]:
        name = c.single()
        if name is None:
            return c.defaults()
        field, take, bad = c.field, c.take, c.bad
        values: list[Any] = []
        texts: list[str] = []
        for j, cell in enumerate(take(name)):
            value = field.default
            given = _NO if cell is None else admit(cell)
            if given is not _NO:
                try:
                    value = field.accept(given, c.probe)
                except Exception:  # the row path says what is wrong
                    bad.setdefault(j, name)
            elif cell is not None or field.required:
                bad.setdefault(j, name)
            values.append(value)
            texts.append("" if value is None else field.piece(value, text(value)))
        return values, texts

    return write


def _float_cell(cell: Any) -> Any:
    # Each cell on its own: -0.0 equals 0.0 but is written otherwise.
    return cell if cell.__class__ is float else _NO


def _strings_cell(cell: Any) -> Any:
    if cell.__class__ in (list, tuple) and all(x.__class__ is str for x in cell):
        return tuple(cell)
    return _NO


def _strings_text(value: Any) -> str:
    return ENCODER.encode(list(value))


def _instant_of(cell: Any) -> tuple[str, datetime] | None:
    """The canonical text and instant of one cell (a canonical text, with ``+00:00`` or
    ``Z``, or an aware ``datetime``), or ``None`` when the column path does not take it."""
    if cell.__class__ is str:
        if _CANONICAL.fullmatch(cell) is None:
            return None
        text = cell[:-1] + "+00:00" if cell[-1] == "Z" else cell
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
        text = instant_text(whole)
    else:
        return None
    try:
        return text, _from_iso(text)
    except ValueError:  # a day or an hour out of range
        return None


def _instant_cells(
    cells: list[Any], name: str, bad: Bad
) -> tuple[list[Any], list[Any], dict[Any, Any] | None]:
    """The canonical texts and instants of a column of instants (``None`` for an empty or
    refused cell, whose row is refused), and the text of each distinct cell (``None`` when
    the cells are not all hashable): each distinct cell is read once (a column of instants
    repeats few of them, and a timestamp column's cells are canonical texts)."""
    try:
        distinct = dict.fromkeys(cells)
    except TypeError:  # an unhashable cell: each one on its own
        found = [None if cell is None else _instant_of(cell) for cell in cells]
        for j, got in enumerate(found):
            if got is None and cells[j] is not None:
                bad.setdefault(j, name)
        return [g and g[0] for g in found], [g and g[1] for g in found], None
    empty = distinct.pop(None, _NO) is not _NO  # (an empty cell's text is None)
    if set(map(type, distinct)) == {str} and _CANONICAL_RUN.fullmatch("\n".join(distinct)):
        try:  # (a day or an hour out of range fails)
            value_of: dict[Any, Any] = dict(zip(distinct, map(_from_iso, distinct), strict=True))
        except ValueError:
            pass
        else:  # every cell already in the canonical form: the texts are the cells
            text_of = dict(zip(distinct, distinct, strict=True))
            if empty:
                value_of[None] = text_of[None] = None
            return list(cells), list(map(value_of.__getitem__, cells)), text_of
    texts: dict[Any, str | None] = {None: None} if empty else {}
    values: dict[Any, datetime | None] = {None: None}
    refused: set[Any] = set()
    for cell in distinct:
        got = _instant_of(cell)
        if got is None:
            refused.add(cell)
            texts[cell] = values[cell] = None
        else:
            texts[cell], values[cell] = got
    _refuse_values(cells, refused, name, bad)
    return list(map(texts.__getitem__, cells)), list(map(values.__getitem__, cells)), texts


def _instants(c: FieldColumns) -> tuple[list[Any], list[str], list[str]]:
    """``known_at``: every cell an instant."""
    field, subs, take, bad, m = c.field, c.subs, c.take, c.bad, c.count
    _refuse_others(subs, (None,), take, bad)
    name = subs.get(None)
    if name is None:
        bad.update(dict.fromkeys(range(m), field.name))
        return [None] * m, [""] * m, [_PLACEHOLDER] * m
    cells = take(name)
    texts, values, text_of = _instant_cells(cells, name, bad)
    piece = field.prefix + '"{}"' + field.suffix  # (keys and commas hold no braces)
    if text_of is not None and None not in text_of.values():  # no cell refused or empty
        pieces = {cell: piece.format(text) for cell, text in text_of.items()}
        return values, list(map(pieces.__getitem__, cells)), texts
    if None in texts:
        for j, text in enumerate(texts):
            if text is None:
                bad.setdefault(j, name)
        texts = [_PLACEHOLDER if t is None else t for t in texts]
    by_text = {text: piece.format(text) for text in set(texts)}
    return values, list(map(by_text.__getitem__, texts)), texts


def _windows(c: FieldColumns) -> tuple[list[Any], list[str]]:
    """Windows given by their bounds (``.start``, ``.end``): each distinct pair built once."""
    field, subs, take, bad, m = c.field, c.subs, c.take, c.bad, c.count
    _refuse_others(subs, ("start", "end"), take, bad)
    bounds = []
    for sub in ("start", "end"):
        name = subs.get(sub)
        if name is None:
            bounds.append([None] * m)
        else:
            bounds.append(_instant_cells(take(name), name, bad)[0])
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
                value = field.accept(window, c.probe)
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


def _quantities(c: FieldColumns) -> tuple[list[Any], list[str]]:
    """Quantities given by ``.value`` and ``.unit``: each distinct unit checked once; when
    every value is a finite, non-zero float and every unit valid, each distinct pair is made
    and written once (columns of figures repeat values); otherwise row by row."""
    field, subs, take, bad, m = c.field, c.subs, c.take, c.bad, c.count
    _refuse_others(subs, ("value", "unit"), take, bad)
    value_name, unit_name = subs.get("value"), subs.get("unit")
    numbers: list[Any] = [None] * m if value_name is None else take(value_name)
    units: list[Any] = (
        [None] * m if unit_name is None else _only(take(unit_name), str, unit_name, bad)
    )
    column = value_name or unit_name or field.name
    unit_texts: dict[Any, str] = {}
    given_units = set(units)
    for unit in given_units:
        if unit.__class__ is str:
            try:
                Quantity(1.0, unit)
            except Exception:
                continue
            unit_texts[unit] = ENCODER.encode(unit)
    template = field.prefix + '{{"unit":{},"value":{}}}' + field.suffix
    array = None if value_name is None else c.floats(value_name)
    if array is not None and len(unit_texts) == 1 and unit_texts.keys() >= given_units:
        found = _array_quantities(array, units[0], unit_texts[units[0]], template)
        if found is not None:
            _check_sample(c, found[0], column)
            return found
    if set(map(type, numbers)) == {float} and unit_texts.keys() >= given_units:
        distinct = set(numbers)
        # (0.0 equals -0.0, which is written otherwise: such a column goes row by row)
        if 0.0 not in distinct and all(map(math.isfinite, distinct)):
            made, texts = _distinct_quantities(numbers, units, unit_texts, template)
            _check_sample(c, made, column)
            return made, texts
    numbers, units = list(numbers), list(units)
    for j, (number, unit) in enumerate(zip(numbers, units, strict=True)):
        if number is None and unit is None and not field.required:
            continue
        if finite(number) and unit in unit_texts:
            numbers[j] = float(number)
            continue
        bad.setdefault(j, column if number is not None else (unit_name or column))
        numbers[j], units[j] = None, None
    present = [j for j in range(m) if numbers[j] is not None]
    made = [None] * m
    row_texts = [""] * m
    some = _new_quantities([numbers[j] for j in present], [units[j] for j in present])
    for j, q in zip(present, some, strict=True):
        made[j] = q
        row_texts[j] = template.format(unit_texts[units[j]], float.__repr__(numbers[j]))
    _check_sample(c, made, column)
    return made, row_texts


def _array_quantities(
    array: Any, unit: str, unit_text: str, template: str
) -> tuple[list[Any], list[str]] | None:
    """The quantity and payload text of each row of a ``float64`` array of values in one
    valid unit, each distinct value made once, or ``None`` unless every value is finite and
    none is zero (0.0 equals -0.0, which is written otherwise)."""
    np = importlib.import_module("numpy")
    if not (np.isfinite(array).all() and array.all()):
        return None
    distinct, where = np.unique(array, return_inverse=True)
    values: list[float] = distinct.tolist()
    made = np.fromiter(
        _new_quantities(values, [unit] * len(values)), dtype=object, count=len(values)
    )
    texts = np.fromiter(
        (template.format(unit_text, float.__repr__(v)) for v in values),
        dtype=object,
        count=len(values),
    )
    where = where.reshape(-1)  # (numpy 2.0 and 2.1 shape it as the array)
    return made[where].tolist(), texts[where].tolist()


def _distinct_quantities(
    numbers: list[float], units: list[str], unit_texts: dict[Any, str], template: str
) -> tuple[list[Any], list[str]]:
    """The quantity and payload text of each row, each distinct (value, unit) made once (the
    values checked: finite floats, none of them zero; the units valid)."""
    if len(unit_texts) == 1:  # (every unit is one of them)
        unit = units[0]
        keys: list[Any] = numbers
        distinct: list[Any] = list(set(numbers))
        pairs = [(v, unit) for v in distinct]
    else:
        keys = list(zip(numbers, units, strict=True))
        distinct = list(set(keys))
        pairs = distinct
    made = _new_quantities([v for v, _ in pairs], [u for _, u in pairs])
    quantity_of = dict(zip(distinct, made, strict=True))
    text_of = {
        key: template.format(unit_texts[u], float.__repr__(v))
        for key, (v, u) in zip(distinct, pairs, strict=True)
    }
    return list(map(quantity_of.__getitem__, keys)), list(map(text_of.__getitem__, keys))


def _check_sample(c: FieldColumns, made: list[Any], column: str) -> None:
    """Check one made quantity with the field's own validator (the class's instance check):
    if it refuses it, every row with one goes to the row path."""
    sample = next((q for q in made if q is not None), None)
    if sample is not None:
        try:
            c.field.accept(sample, c.probe)
        except Exception:
            c.bad.update({j: column for j in range(c.count) if made[j] is not None})


def _sources(c: FieldColumns) -> tuple[list[Any], list[str]]:
    """Sources given by ``.name`` alone: each distinct name built once."""
    field, subs, take, bad, m = c.field, c.subs, c.take, c.bad, c.count
    _refuse_others(subs, ("name",), take, bad)
    name = subs.get("name")
    if name is None:
        if field.required:
            bad.update(dict.fromkeys(range(m), field.name))
        return [field.default] * m, [""] * m
    cells, distinct = _distinct(take(name), str, name, bad)
    values: dict[Any, Any] = {}
    texts: dict[Any, str] = {}
    refused: set[Any] = set()
    for cell in distinct:
        value = None
        text = ""
        if cell is None:
            if field.required:
                refused.add(cell)
        else:
            try:
                value = field.accept(Source(cell), c.probe)
            except Exception:
                refused.add(cell)
            else:
                text = field.piece(value, '{"name":' + ENCODER.encode(cell) + "}")
        values[cell], texts[cell] = value, text
    _refuse_values(cells, refused, name, bad)
    return list(map(values.__getitem__, cells)), list(map(texts.__getitem__, cells))


def _distinct(
    cells: list[Any], exact: type, name: str, bad: Bad
) -> tuple[list[Any], Iterable[Any]]:
    """``cells`` as :func:`_only` gives them, and their distinct values. A column of text is
    checked through its distinct values (a cell equal to a text is a text: what ``str``
    values are alike in); other classes cell by cell (``True == 1``)."""
    if exact is str:
        try:
            distinct = dict.fromkeys(cells)
        except TypeError:  # an unhashable cell: refused below
            pass
        else:
            if set(map(type, distinct)) <= {str, _NONE}:
                return cells, distinct
    cells = _only(cells, exact, name, bad)
    return cells, set(cells)


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


#: The writer of each kind of field, which gives each row's value and payload text (and,
#: for ``known_at``, each row's instant text).
FIELD_WRITERS: Final[dict[str, Callable[..., tuple[Any, ...]]]] = {
    "text": _scalar_writer(str),
    "likelihood": _scalar_writer(str),
    "bool": _scalar_writer(bool),
    "float": _cell_writer(_float_cell, ENCODER.encode),
    "instant": _instants,
    "window": _windows,
    "quantity": _quantities,
    "source": _sources,
    "strings": _cell_writer(_strings_cell, _strings_text),
}
