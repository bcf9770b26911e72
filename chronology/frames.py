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
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal, TypeAlias

from chronology.errors import ChronologyError
from chronology.time import Window

__all__ = [
    "ARROW_TYPES",
    "Cell",
    "ColumnType",
    "MissingExtraError",
    "arrow_schema",
    "columns_to_arrow",
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
        if kind is None:
            arrays.append(pyarrow.array(cells))
        else:
            arrays.append(pyarrow.array(cells, type=_arrow_type(pyarrow, kind)))
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
