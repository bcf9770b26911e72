"""Expectations as rows: the columns of the ``chronology`` command's CSV output, flat records
of plain values, and plain-text tables.

* :data:`EXPECTATION_COLUMNS` names the columns of an expectation, and
  :func:`expectation_cells` (a list, in that order) or :func:`expectation_record` (a flat
  dict, ready for ``pandas.DataFrame.from_records`` or ``csv.DictWriter``) give its
  values: numbers, ISO 8601 instants, days, ``true``/``false`` flags and text.
* :func:`table` lays rows out for a terminal, with the cells shown through
  :func:`chronology.render.printable`; :func:`csv_text` writes them as CSV, keeping the text
  columns from being read as spreadsheet formulas: a cell starting with ``=``, ``+``, ``-`` or
  ``@`` (or a tab or carriage return) gets a leading ``'`` (:func:`spreadsheet_safe`, as
  OWASP's advice on CSV injection recommends). Numbers and instants are never changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from chronology.events import Source
from chronology.expectations import (
    Expectation,
    FigureExpectation,
    PlanExpectation,
    TradeExpectation,
    Vintage,
    VisitExpectation,
)
from chronology.quantity import Quantity
from chronology.render import iso, printable
from chronology.time import Window

__all__ = [
    "EXPECTATION_COLUMNS",
    "EXPECTATION_TEXT_COLUMNS",
    "csv_text",
    "expectation_cells",
    "expectation_record",
    "last_day",
    "spreadsheet_safe",
    "table",
    "table_lines",
]

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet reads as a formula: ``'`` before a leading ``=``,
    ``+``, ``-``, ``@``, tab or carriage return.

    Example:
        >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("Beijing")
        ("'=HYPERLINK(1)", 'Beijing')
    """
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def last_day(end: datetime | None) -> str:
    """The last day (``YYYY-MM-DD``, UTC) of a window ending at the exclusive instant ``end``:
    the day before a midnight end; ``""`` for an open end."""
    if end is None:
        return ""
    return (end - timedelta(microseconds=1)).date().isoformat()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _window(window: Window | None, *, full: bool = True) -> list[object]:
    if window is None:
        return ["", "", "", "", "", ""] if full else ["", "", ""]
    bounds: list[object] = [iso(window.start) or "", iso(window.end) or "", last_day(window.end)]
    if not full:
        return bounds
    return [*bounds, window.label or "", _flag(window.approximate), _flag(window.uncertain)]


def _joined(values: Sequence[str | Source]) -> str:
    return "; ".join(str(v) for v in values)


def _window_columns(name: str, *, full: bool = True) -> tuple[str, ...]:
    bounds = (f"{name}_start", f"{name}_end", f"{name}_last_day")
    if not full:
        return bounds
    return (*bounds, f"{name}_label", f"{name}_approximate", f"{name}_uncertain")


_VISIT_COLUMNS: Final = (
    *_window_columns("window"),
    *_window_columns("first_window", full=False),
    "visitor",
    "host",
    "counterparts",
    "purpose",
    "agenda",
    "place",
    "reason",
)
_TRADE_COLUMNS: Final = (
    "exporter",
    "importer",
    "commodity",
    "grade",
    *_window_columns("period"),
    "quantity",
    "unit",
    "quantity_low",
    "quantity_high",
    "quantity_approximate",
    "scope",
    "claims",
    "reported",
    "reported_unit",
    "reported_preliminary",
    "projections",
    "reports",
)
#: The columns only plans and figures have; the rest of a plan is in the visit columns, the
#: rest of a figure in the trade columns.
_PLAN_COLUMNS: Final = ("what", "actors")
_FIGURE_COLUMNS: Final = ("measure", "area")

#: The columns of an expectation in CSV output, every field, visits' and trades' side by side
#: (a visit leaves the trade columns empty, and the other way round). Plans fill the visit
#: columns they share and ``what``, ``actors``; figures the trade columns they share and
#: ``measure``, ``area``.
EXPECTATION_COLUMNS: Final = (
    "subject",
    "kind",
    "status",
    *_VISIT_COLUMNS,
    *_TRADE_COLUMNS,
    *_PLAN_COLUMNS,
    *_FIGURE_COLUMNS,
    "likelihood",
    "probability",
    "sources",
    "first_known_at",
    "updated_at",
    "partial",
    "event_ids",
)

#: The columns of :data:`EXPECTATION_COLUMNS` that hold free text from the data (the others
#: hold numbers, instants, days, flags, ids or fixed words).
EXPECTATION_TEXT_COLUMNS: Final = frozenset(
    {
        "subject",
        "window_label",
        "visitor",
        "host",
        "counterparts",
        "purpose",
        "agenda",
        "place",
        "reason",
        "exporter",
        "importer",
        "commodity",
        "grade",
        "what",
        "actors",
        "measure",
        "area",
        "period_label",
        "unit",
        "scope",
        "claims",
        "reported_unit",
        "sources",
    }
)


def _quantity(q: Quantity | None) -> list[object]:
    return ["", ""] if q is None else [q.value, q.unit]


def _bounds(q: Quantity | None) -> list[object]:
    """A figure's range and hedge: low, high (empty when not given), approximate."""
    if q is None:
        return ["", "", ""]
    low = "" if q.low is None else q.low
    high = "" if q.high is None else q.high
    return [low, high, _flag(q.approximate)]


def _visit_cells(e: VisitExpectation | PlanExpectation) -> list[object]:
    visit = e if isinstance(e, VisitExpectation) else None
    return [
        *_window(e.window),
        *_window(e.first_window, full=False),
        "" if visit is None else visit.visitor or "",
        "" if visit is None else visit.host or "",
        _joined(e.counterparts),
        "" if visit is None else visit.purpose or "",
        "" if visit is None else _joined(visit.agenda),
        e.place or "",
        e.reason or "",
    ]


def _plan_cells(e: PlanExpectation) -> list[object]:
    return [e.what or "", _joined(e.actors)]


def _figure_cells(e: FigureExpectation) -> list[object]:
    return [e.measure or "", e.area or ""]


def _trade_cells(e: TradeExpectation | FigureExpectation) -> list[object]:
    report: Vintage | None = e.report(e.scope) if e.scope is not None else e.report()
    trade = e if isinstance(e, TradeExpectation) else None
    return [
        "" if trade is None else trade.exporter or "",
        "" if trade is None else trade.importer or "",
        "" if trade is None else trade.commodity or "",
        "" if trade is None else trade.grade or "",
        *_window(e.period),
        *_quantity(e.quantity),
        *_bounds(e.quantity),
        e.scope or "",
        _joined(e.claims),
        *_quantity(None if report is None else report.quantity),
        "" if report is None else _flag(report.preliminary),
        len(e.projections),
        len(e.reports),
    ]


# The columns each kind of expectation fills, in the order of EXPECTATION_COLUMNS; the other
# kinds leave them empty.
_KIND_CELLS: Final[dict[str, tuple[tuple[str, ...], Callable[[Any], list[object]]]]] = {
    "visit": (_VISIT_COLUMNS, _visit_cells),
    "trade": (_TRADE_COLUMNS, _trade_cells),
    "plan": (_PLAN_COLUMNS, _plan_cells),
    "figure": (_FIGURE_COLUMNS, _figure_cells),
}
#: The kinds that fill another kind's columns too: a plan fills the visit columns it shares
#: (window, counterparts, place, reason), a figure the trade columns it shares.
_ALSO_FILLS: Final = {"plan": "visit", "figure": "trade"}


def expectation_cells(e: Expectation | None) -> list[object]:
    """The cells of an expectation, in the order of :data:`EXPECTATION_COLUMNS` (all empty for
    ``None``). Tuples are joined with ``"; "``; flags are ``true`` or ``false``.

    Args:
        e: the expectation, or ``None`` (no expectation: as in a history entry whose subject
            has none).
    """
    if e is None:
        return [""] * len(EXPECTATION_COLUMNS)
    kinds: list[object] = []
    for kind, (columns, cells) in _KIND_CELLS.items():
        fills = kind == e.kind or kind == _ALSO_FILLS.get(e.kind)
        kinds += cells(e) if fills else [""] * len(columns)
    return [
        e.subject,
        e.kind,
        e.status.value,
        *kinds,
        "" if e.likelihood is None else e.likelihood.value,
        "" if e.probability is None else e.probability,
        _joined(e.sources),
        iso(e.first_known_at),
        iso(e.updated_at),
        _flag(e.partial),
        " ".join(e.event_ids),
    ]


def expectation_record(e: Expectation) -> dict[str, object]:
    """An expectation as one flat record: :data:`EXPECTATION_COLUMNS` to its cells.

    Example:
        >>> from chronology import Chronicle
        >>> from chronology.events import VisitAnnounced
        >>> c = Chronicle()
        >>> _ = c.append(VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00Z",
        ...                             window="2024-04-08"))
        >>> r = expectation_record(c.as_of("2024-04-04")["visit/x"])
        >>> r["status"], r["window_start"], r["window_last_day"], r["quantity"]
        ('announced', '2024-04-08T00:00:00+00:00', '2024-04-08', '')
    """
    return dict(zip(EXPECTATION_COLUMNS, expectation_cells(e), strict=True))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with a header line and a rule; control characters and bidirectional
    overrides in the cells are shown as escapes (see :func:`chronology.render.printable`).

    Example:
        >>> print(table(("subject", "status"), [["visit/x", "announced"]]))
        subject  status
        -------  ---------
        visit/x  announced
    """
    if any(len(row) != len(headers) for row in rows):
        raise ValueError(f"a row of a table of {len(headers)} columns has another length")
    columns = list(zip(*rows, strict=True)) or [()] * len(headers)
    return "\n".join(table_lines(headers, columns))


def table_lines(headers: Sequence[str], columns: Sequence[Sequence[str]]) -> list[str]:
    """The lines of :func:`table`, from its columns rather than its rows (each column the
    cells of one header, all of one length): a whole column is checked for what needs an
    escape at once, and each line is made by one call, so a table of a hundred thousand rows
    takes a few tenths of a microsecond a cell.

    Example:
        >>> table_lines(("subject", "status"), [["visit/x"], ["announced"]])
        ['subject  status', '-------  ---------', 'visit/x  announced']
    """
    shown = [
        col if "".join(col).isprintable() else [printable(cell) for cell in col] for col in columns
    ]
    widths = [
        max(len(h), max(map(len, col), default=0)) for h, col in zip(headers, shown, strict=True)
    ]
    line = "  ".join(f"{{:<{w}}}" for w in widths).format
    rule = line(*["-" * w for w in widths]).rstrip()
    return [line(*headers).rstrip(), rule, *map(str.rstrip, map(line, *shown))]


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[object]], text: frozenset[str]) -> str:
    """CSV with a header line; the cells of the ``text`` columns are kept from being read as
    spreadsheet formulas (see :func:`spreadsheet_safe`).

    Example:
        >>> print(csv_text(("subject", "n"), [["=1+1", -1]], frozenset({"subject"})))
        subject,n
        '=1+1,-1
    """
    guarded = [i for i, name in enumerate(headers) if name in text]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        cells = list(row)
        for i in guarded:
            cell = cells[i]
            if isinstance(cell, str):
                cells[i] = spreadsheet_safe(cell)
        writer.writerow(cells)
    return out.getvalue().rstrip("\n")
