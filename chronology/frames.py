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
from types import ModuleType
from typing import Any, TypeAlias

from chronology.errors import ChronologyError
from chronology.time import Window

__all__ = ["Cell", "MissingExtraError", "to_arrow", "to_pandas", "window_columns"]

#: What a cell of a flat record holds.
Cell: TypeAlias = str | int | float | bool | datetime | date | timedelta | None


class MissingExtraError(ChronologyError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


def _load(module: str, extra: str) -> ModuleType:
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
    pandas = _load("pandas", "pandas")
    return pandas.DataFrame.from_records(list(records), columns=list(columns))


def to_arrow(records: Sequence[Mapping[str, Cell]], columns: Sequence[str]) -> Any:
    """A ``pyarrow.Table`` of ``records``, with ``columns`` in that order.

    Raises:
        MissingExtraError: pyarrow is not installed (the ``arrow`` extra).
    """
    pyarrow = _load("pyarrow", "arrow")
    return pyarrow.table({c: [r.get(c) for r in records] for c in columns})
