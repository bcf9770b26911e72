"""Outcomes and scores as the ``chronology outcomes`` and ``chronology score`` commands print
them: plain text tables for people, and JSON-ready or CSV cells for programs.

The rows are the library's flat records (:meth:`.Outcomes.to_records`,
:meth:`.Outcomes.error_records`, :meth:`.ScoreTable.to_records`), with the same columns; only
the cells change form. In JSON and CSV (:func:`plain_cell`) instants and days are ISO 8601
text and durations a number of **days**; in a table (:func:`cell_text`) durations read
``4.5d``, shares ``85.1%`` and scores three decimals.

Example:
    >>> from datetime import timedelta
    >>> plain_cell(timedelta(days=4, hours=12)), cell_text("lead_time", timedelta(days=4, hours=12))
    (4.5, '4.5d')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Final

from chronology.frames import Cell
from chronology.render import iso
from chronology.scores import HORIZONS
from chronology.tables import csv_text, table

__all__ = [
    "BY_HORIZON",
    "SHARE_COLUMNS",
    "TEXT_COLUMNS",
    "cell_text",
    "plain_cell",
    "plain_records",
    "records_csv",
    "records_table",
    "with_horizons",
]

#: Columns holding a share (``0.25``), shown as a percentage in tables.
SHARE_COLUMNS: Final = frozenset(
    {"on_time_rate", "revisions_toward_outcome", "relative"}
    | {f"mean_abs_relative_error_{label}" for label, _ in HORIZONS}
)

#: Columns holding free text from the data, guarded in CSV against spreadsheet formulas.
TEXT_COLUMNS: Final = frozenset({"subject", "source", "group", "projected_unit", "reported_unit"})

_SECONDS_A_DAY: Final = 86_400.0

#: The column :func:`with_horizons` adds: a score row's mean absolute relative errors, one
#: ``bucket share`` pair for each horizon bucket that has one.
BY_HORIZON: Final = "by_horizon"


def plain_cell(value: Cell) -> str | int | float | bool | None:
    """A cell as JSON holds it: instants and days as ISO 8601 text, durations as a number of
    days (rounded to the microsecond), everything else as it is."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds() / _SECONDS_A_DAY, 11)
    return value


def plain_records(records: Sequence[Mapping[str, Cell]]) -> list[dict[str, object]]:
    """Records with every cell in :func:`plain_cell` form."""
    return [{k: plain_cell(v) for k, v in r.items()} for r in records]


def cell_text(column: str, value: Cell) -> str:
    """A cell as a table shows it: ``-`` for none, durations in days (``4.5d``), shares as
    percentages, other numbers with at most four significant decimals.

    Args:
        column: the column's name (it says whether a number is a share).
        value: the cell.
    """
    if value is None:
        return "-"
    if isinstance(value, timedelta):
        return f"{value.total_seconds() / _SECONDS_A_DAY:.1f}d"
    if isinstance(value, datetime):
        return iso(value) or "-"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if column in SHARE_COLUMNS:
            return f"{value:+.1%}" if column == "relative" else f"{value:.1%}"
        return f"{value:.4g}" if abs(value) >= 1 else f"{value:.3f}"
    return str(value)


def records_table(
    records: Sequence[Mapping[str, Cell]], columns: Sequence[str], headers: Sequence[str]
) -> str:
    """A plain-text table of some columns of the records, under the given headers."""
    rows = [[cell_text(c, r.get(c)) for c in columns] for r in records]
    return table(headers, rows)


def records_csv(records: Sequence[Mapping[str, Cell]], columns: Sequence[str]) -> str:
    """CSV of the records, every column, cells in :func:`plain_cell` form (text columns kept
    from being read as spreadsheet formulas)."""
    rows = [["" if (p := plain_cell(r.get(c))) is None else p for c in columns] for r in records]
    return csv_text(columns, rows, TEXT_COLUMNS)


def with_horizons(records: Sequence[Mapping[str, Cell]]) -> list[dict[str, Cell]]:
    """Score records with a :data:`BY_HORIZON` text cell added, for a table narrower than one
    column per bucket: ``under_30d 85.1%, 30d_to_90d 109.2%`` (``None`` when the group has no
    figure error).

    Example:
        >>> with_horizons([{"mean_abs_relative_error_under_30d": 0.25}])[0][BY_HORIZON]
        'under_30d 25.0%'
    """
    out: list[dict[str, Cell]] = []
    for r in records:
        parts = [
            f"{label} {share:.1%}"
            for label, _ in HORIZONS
            if isinstance(share := r.get(f"mean_abs_relative_error_{label}"), float)
        ]
        out.append({**r, BY_HORIZON: ", ".join(parts) or None})
    return out
