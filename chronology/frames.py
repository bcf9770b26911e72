"""Tables for analysis: flat records, and pandas or Arrow tables built from them on request.

pandas and pyarrow are optional: they are imported only when a table is asked for, and a
missing one raises :class:`MissingExtraError` naming the extra to install
(``pip install 'expectation-chronology[pandas]'`` or ``[arrow]``).

Example:
    >>> window_columns("actual", Window.parse("2024-04-08/2024-04-09"))["actual_last_day"]
    datetime.date(2024, 4, 9)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal, TypeAlias

from chronology.errors import ChronologyError
from chronology.time import Window

__all__ = [
    "ARROW_TYPES",
    "Batch",
    "Cell",
    "ColumnType",
    "MissingExtraError",
    "arrow_schema",
    "batches_to_arrow",
    "batches_to_columns",
    "batches_to_records",
    "columns_to_arrow",
    "columns_to_pandas",
    "load_extra",
    "to_arrow",
    "to_pandas",
    "window_columns",
]

#: What a cell of a flat record holds.
Cell: TypeAlias = str | int | float | bool | datetime | date | timedelta | None

#: What a column holds, for a stable Arrow and Parquet schema (the same type whatever the
#: rows, even when every cell is empty).
ColumnType: TypeAlias = Literal["text", "int", "float", "bool", "instant", "date", "duration"]

#: The Arrow type of each :data:`ColumnType`: instants in microseconds, UTC.
ARROW_TYPES: Final[dict[str, tuple[str, tuple[Any, ...]]]] = {
    "text": ("string", ()),
    "int": ("int64", ()),
    "float": ("float64", ()),
    "bool": ("bool_", ()),
    "instant": ("timestamp", ("us", "UTC")),
    "date": ("date32", ()),
    "duration": ("duration", ("us",)),
}


class MissingExtraError(ChronologyError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


def load_extra(module: str, extra: str) -> Any:
    """Import an optional dependency, or say which extra installs it.

    Args:
        module: the module to import (``"pyarrow"``).
        extra: the extra of ``expectation-chronology`` that installs it (``"arrow"``).

    Raises:
        MissingExtraError: ``module`` is not installed; the message names ``extra``.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{module} is not installed: install the {extra!r} extra "
            f"(pip install 'expectation-chronology[{extra}]')"
        ) from None


def window_columns(prefix: str, window: Window | None) -> dict[str, Cell]:
    """A window as three columns: ``<prefix>_start``, ``<prefix>_end`` (the exact closed-open
    bounds, aware datetimes) and ``<prefix>_last_day`` (the inclusive last day, a date)."""
    start = None if window is None else window.start
    end = None if window is None else window.end
    last = None if end is None else (end - timedelta(microseconds=1)).date()
    return {f"{prefix}_start": start, f"{prefix}_end": end, f"{prefix}_last_day": last}


def to_pandas(records: Sequence[Mapping[str, Cell]], columns: Sequence[str]) -> Any:
    """A ``pandas.DataFrame`` of ``records``, with ``columns`` in that order.

    Raises:
        MissingExtraError: pandas is not installed (the ``pandas`` extra).
    """
    pandas = load_extra("pandas", "pandas")
    return pandas.DataFrame.from_records(list(records), columns=list(columns))


def columns_to_pandas(data: Mapping[str, Sequence[Cell]]) -> Any:
    """A ``pandas.DataFrame`` of columns given as lists of cells, in the mapping's order: the
    same frame as :func:`to_pandas` of the records they make, built without them.

    Raises:
        MissingExtraError: pandas is not installed (the ``pandas`` extra).
    """
    pandas = load_extra("pandas", "pandas")
    if not any(data.values()):  # no rows: the empty columns of from_records, not float ones
        return pandas.DataFrame.from_records([], columns=list(data))
    return pandas.DataFrame({name: list(cells) for name, cells in data.items()}, columns=list(data))


#: Some rows of a table as columns, that is how many rows and each column's cells in the order
#: of the table's columns (``None`` for a column empty throughout the batch).
Batch: TypeAlias = tuple[int, Sequence[Sequence[Cell] | None]]


def batches_to_columns(batches: Iterable[Batch], columns: Sequence[str]) -> dict[str, list[Cell]]:
    """Batches of rows given as columns, put end to end: each column's name and its cells.

    Args:
        batches: the batches, in order.
        columns: the names of the columns, in order.
    """
    joined: list[list[Cell]] = [[] for _ in columns]
    for rows, cells in batches:
        for column, part in zip(joined, cells, strict=True):
            column += [None] * rows if part is None else part
    return dict(zip(columns, joined, strict=True))


def batches_to_records(batches: Iterable[Batch], columns: Sequence[str]) -> list[dict[str, Cell]]:
    """Batches of rows given as columns, as flat records: one dict per row, a key per column.

    Args:
        batches: the batches, in order.
        columns: the names of the columns, in order.
    """
    records: list[dict[str, Cell]] = []
    for rows, cells in batches:
        full = [[None] * rows if part is None else part for part in cells]
        records += [dict(zip(columns, row, strict=True)) for row in zip(*full, strict=True)]
    return records


def batches_to_arrow(batches: Iterable[Batch], types: Mapping[str, ColumnType]) -> Any:
    """A ``pyarrow.Table`` of batches of rows given as columns, with the columns and types of
    ``types`` (in one chunk).

    Each batch is converted when the iterator gives it, while its cells are still in the
    processor's cache (converting a column of 100,000 cells costs twice as much a cell).

    Args:
        batches: the batches, in order.
        types: each column's name and type, in order.

    Raises:
        MissingExtraError: pyarrow is not installed (the ``arrow`` extra).
    """
    pyarrow = load_extra("pyarrow", "arrow")
    schema = arrow_schema(types)
    kinds = list(types.values())
    arrow_types = [field.type for field in schema]
    parts = [
        pyarrow.RecordBatch.from_arrays(
            [
                pyarrow.nulls(rows, arrow_type)
                if part is None
                else _array(pyarrow, part, kind, arrow_type)
                for part, kind, arrow_type in zip(cells, kinds, arrow_types, strict=True)
            ],
            schema=schema,
        )
        for rows, cells in batches
    ]
    return pyarrow.Table.from_batches(parts, schema=schema).combine_chunks()


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _array(pyarrow: Any, cells: Sequence[Cell], kind: ColumnType | None, arrow_type: Any) -> Any:
    """The Arrow array of a column's cells. Instants go through their count of microseconds
    since the epoch: twice as fast as pyarrow's own conversion, which asks each instant's time
    zone for its offset."""
    if kind == "instant":
        try:
            micros = [None if t is None else (t - _EPOCH) // _MICROSECOND for t in cells]  # type: ignore[operator]
        except TypeError:  # not an aware instant: let pyarrow say what is wrong
            return pyarrow.array(cells, type=arrow_type)
        return pyarrow.array(micros, type=pyarrow.int64()).cast(arrow_type)
    if kind is None:
        return pyarrow.array(cells)
    return pyarrow.array(cells, type=arrow_type)


def to_arrow(
    records: Sequence[Mapping[str, Cell]],
    columns: Sequence[str],
    types: Mapping[str, ColumnType] | None = None,
) -> Any:
    """A ``pyarrow.Table`` of ``records``, with ``columns`` in that order.

    Args:
        records: the rows.
        columns: the columns, in order (a key a record lacks is an empty cell).
        types: the type of each column (see :data:`ColumnType`); a column not listed gets
            the type pyarrow infers from its cells.

    Raises:
        MissingExtraError: pyarrow is not installed (the ``arrow`` extra).
    """
    return columns_to_arrow({c: [r.get(c) for r in records] for c in columns}, types)


def columns_to_arrow(
    data: Mapping[str, Sequence[Cell]], types: Mapping[str, ColumnType] | None = None
) -> Any:
    """A ``pyarrow.Table`` of columns given as lists of cells, in the mapping's order.

    Args:
        data: each column's name and cells.
        types: the type of each column (see :data:`ColumnType`), as for :func:`to_arrow`.

    Raises:
        MissingExtraError: pyarrow is not installed (the ``arrow`` extra).
    """
    pyarrow = load_extra("pyarrow", "arrow")
    arrays = []
    for name, cells in data.items():
        kind = None if types is None else types.get(name)
        arrow_type = None if kind is None else _arrow_type(pyarrow, kind)
        arrays.append(_array(pyarrow, cells, kind, arrow_type))
    return pyarrow.Table.from_arrays(arrays, names=list(data))


def _arrow_type(pyarrow: Any, kind: ColumnType) -> Any:
    factory, args = ARROW_TYPES[kind]
    return getattr(pyarrow, factory)(*args)


def arrow_schema(types: Mapping[str, ColumnType]) -> Any:
    """A ``pyarrow.Schema`` of the columns named in ``types``, in its order.

    Raises:
        MissingExtraError: pyarrow is not installed (the ``arrow`` extra).
    """
    pyarrow = load_extra("pyarrow", "arrow")
    return pyarrow.schema([(name, _arrow_type(pyarrow, kind)) for name, kind in types.items()])
