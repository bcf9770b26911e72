"""The columns of a pandas ``DataFrame`` or a pyarrow ``Table``, read once, for the columnar
ingest path (:mod:`chronology.columnar`).

Each column becomes a list of Python values, ``None`` for an empty cell (``None``, ``NaN``,
``NaT``, ``pd.NA``, an Arrow null). A timestamp column is read with numpy, not cell by cell:
an aware one (``datetime64[ns, UTC]``, an Arrow ``timestamp`` with a time zone) becomes the
instants' canonical texts (UTC, ISO 8601, microseconds only when there are some, as a payload
holds them: :func:`chronology.serialization.instant_text`), cut to whole microseconds; a naive
one is refused.

pandas, pyarrow and numpy are not needed to import this module: the table's own library is
used, since a table of one exists only when it is installed.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"known_at": pd.to_datetime(["2024-04-03T10:00:00Z", None]),
    ...                       "subject": ["visit/a", None]})
    >>> found = table_columns(frame)
    >>> found.count, found.cells["known_at"], found.cells["subject"]
    (2, ['2024-04-03T10:00:00+00:00', None], ['visit/a', None])
    >>> sorted(found.instants)
    ['known_at']
"""

from __future__ import annotations

import importlib
from typing import Any, Final

from chronology.errors import EventError, RowError

__all__ = ["TableColumns", "instant_texts", "table_columns"]

_MICROSECONDS: Final = 1_000_000


class TableColumns:
    """A table read as columns.

    Attributes:
        count: how many rows.
        cells: each column's name (as text) and its cells, in the table's order.
        instants: the names of the columns read from aware timestamps: their cells are
            canonical instant texts (or ``None``).
        empty: the names of the columns with no value in any row (as the reader found
            them, or from the cells when not given).
        floats: the columns of floats as numpy ``float64`` arrays (NaN in the empty cells),
            by name: what checks and writes a column of numbers at once.
    """

    __slots__ = ("cells", "count", "empty", "floats", "instants")

    def __init__(
        self,
        count: int,
        cells: dict[str, list[Any]],
        instants: frozenset[str],
        floats: dict[str, Any] | None = None,
        empty: frozenset[str] | None = None,
    ) -> None:
        self.count = count
        self.cells = cells
        self.instants = instants
        self.floats: dict[str, Any] = {} if floats is None else floats
        self.empty = (
            frozenset(
                name
                for name, column in cells.items()
                if column and column[0] is None and column.count(None) == count
            )
            if empty is None
            else empty
        )


def table_columns(table: Any) -> TableColumns:
    """The columns of a pandas ``DataFrame`` or a pyarrow ``Table`` (see the module).

    Raises:
        RowError: naming the first row and the column of a naive timestamp.
        EventError: if ``table`` is neither.
    """
    module = type(table).__module__.split(".", 1)[0]
    if module == "pandas" and hasattr(table, "columns"):
        return _pandas(table)
    if module == "pyarrow" and hasattr(table, "column_names"):
        return _arrow(table)
    raise EventError(f"expected a pandas DataFrame or a pyarrow Table, got {type(table).__name__}")


def instant_texts(micros: Any, empty: Any) -> list[str | None]:
    """The canonical texts of instants given as a numpy array of ``datetime64[us]`` (UTC),
    ``None`` where ``empty`` (a numpy array of booleans) is true."""
    np = importlib.import_module("numpy")
    # Each distinct instant written once (a column of instants repeats them), then each
    # row's text taken by its index; the empty rows take the last one, None.
    distinct, where = np.unique(micros.view("int64"), return_inverse=True)
    full = np.datetime_as_string(distinct.view("datetime64[us]"), unit="us").tolist()
    whole = (distinct % _MICROSECONDS == 0).tolist()
    texts = np.fromiter(
        [
            *(t[:19] + "+00:00" if w else t + "+00:00" for t, w in zip(full, whole, strict=True)),
            None,
        ],
        dtype=object,
        count=len(full) + 1,
    )
    where = where.reshape(-1)  # (numpy 2.0 and 2.1 shape it as the array)
    if empty.any():
        where = np.where(empty, len(full), where)
    found: list[str | None] = texts[where].tolist()
    return found


def _naive(column: str, empty: Any, cells: Any) -> RowError:
    row = next(i for i, e in enumerate(empty.tolist()) if not e)
    cell = cells[row]
    text = cell.isoformat() if hasattr(cell, "isoformat") else str(cell)
    return RowError(row, f"{column}: naive datetime {text}: give a time zone")


#: What pandas' ``infer_dtype`` (not skipping empty cells) says of object cells none of which
#: is empty.
_NO_EMPTY: Final = frozenset({"string", "integer", "boolean", "bytes"})


def _pandas(frame: Any) -> TableColumns:
    np = importlib.import_module("numpy")
    infer = importlib.import_module("pandas.api.types").infer_dtype
    cells: dict[str, list[Any]] = {}
    instants: set[str] = set()
    floats: dict[str, Any] = {}
    nothing: set[str] = set()  # the columns with no value
    for name in frame.columns:
        series = frame[name]
        key = str(name)
        if series.dtype == object and infer(series.to_numpy(), skipna=False) in _NO_EMPTY:
            empty = np.zeros(len(series), dtype=bool)  # (found sooner than by isna)
        else:
            empty = series.isna().to_numpy(dtype=bool)
        if getattr(series.dtype, "kind", "") == "M":  # datetime64, naive or aware
            if getattr(series.dtype, "tz", None) is None:
                if empty.all():
                    cells[key] = [None] * len(series)
                    continue
                raise _naive(key, empty, series.tolist())
            utc = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
            micros = utc.astype("datetime64[us]")
            cells[key] = instant_texts(micros, empty)
            instants.add(key)
            continue
        if empty.any():  # every empty cell None (not NaN, NaT, NA), set by numpy
            cells_array = series.to_numpy(dtype=object, copy=True)
            cells_array[empty] = None
            cells[key] = cells_array.tolist()
        else:
            cells[key] = series.tolist()
        if empty.all():
            nothing.add(key)
        if series.dtype == np.float64:
            floats[key] = series.to_numpy()
    return TableColumns(len(frame), cells, frozenset(instants), floats, frozenset(nothing))


def _arrow(table: Any) -> TableColumns:
    pa = importlib.import_module("pyarrow")
    np = importlib.import_module("numpy")
    cells: dict[str, list[Any]] = {}
    instants: set[str] = set()
    floats: dict[str, Any] = {}
    for name in table.column_names:
        column = table.column(name)
        key = str(name)
        kind = column.type
        if pa.types.is_timestamp(kind):
            empty = column.is_null().to_numpy()
            if kind.tz is None:
                if empty.all():
                    cells[key] = [None] * len(column)
                    continue
                raise _naive(key, empty, column.to_pylist())
            utc = column.cast(pa.timestamp("us", tz="UTC"), safe=False)
            micros = utc.cast(pa.int64()).fill_null(0).to_numpy().view("datetime64[us]")
            cells[key] = instant_texts(micros, empty)
            instants.add(key)
            continue
        values = column.to_pylist()
        if pa.types.is_floating(kind):
            numbers = column.to_numpy(zero_copy_only=False).astype(np.float64)
            nan = np.isnan(numbers)
            if nan.any():  # NaN as None, as a null is
                cells_array = np.array(values, dtype=object)
                cells_array[nan] = None
                values = cells_array.tolist()
            floats[key] = numbers
        cells[key] = values
    return TableColumns(table.num_rows, cells, frozenset(instants), floats)
