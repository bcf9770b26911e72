"""Cells of the command's tables and CSV files: text made safe to show, and expectations as
rows of plain values.

Two hazards come with text taken from the data (subjects, names, sources):

* on a terminal, control characters (a newline, ``ESC`` starting an escape sequence, the other
  C0 and C1 codes) and bidirectional overrides can break a table's lines, recolour or retitle
  the terminal, or make text read in another order than it is stored: :func:`printable` shows
  each of them as a visible escape;
* in a spreadsheet, a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
  return) is read as a formula: :func:`spreadsheet_safe` prefixes such a cell with ``'``, as
  OWASP's advice on CSV injection recommends. It is applied to text columns only, never to
  numbers or instants.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from chronology.events import Source
from chronology.expectations import Expectation, Vintage, VisitExpectation
from chronology.quantity import Quantity
from chronology.serialization import converter
from chronology.time import Window

__all__ = [
    "EXPECTATION_COLUMNS",
    "EXPECTATION_TEXT_COLUMNS",
    "expectation_cells",
    "iso",
    "last_day",
    "printable",
    "spreadsheet_safe",
]

_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Bidirectional marks, embeddings, overrides and isolates; and the Unicode line separators.
_BIDI: Final = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_SEPARATORS: Final = (0x2028, 0x2029)


def _escapes() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)):
        table[code] = _NAMED.get(chr(code), f"\\x{code:02x}")
    for code in (*_BIDI, *_SEPARATORS):
        table[code] = f"\\u{code:04x}"
    return table


_ESCAPES: Final = _escapes()
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    r"""``text`` safe to print on a terminal: control characters, bidirectional overrides and
    line separators shown as escapes (``\n``, ``\x1b``, ``\u202e``); everything else as it is.

    Backslashes are not doubled: a table is for reading, and the JSON output is exact.

    Example:
        >>> printable("Lavrov\n\x1b[31mred\u202e")
        'Lavrov\\n\\x1b[31mred\\u202e'
    """
    return text.translate(_ESCAPES)


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet reads as a formula: ``'`` before a leading ``=``,
    ``+``, ``-``, ``@``, tab or carriage return.

    Example:
        >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("Beijing")
        ("'=HYPERLINK(1)", 'Beijing')
    """
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def iso(t: datetime | None) -> str | None:
    """An instant in the wire form (ISO 8601, UTC), or ``None``."""
    return None if t is None else converter.unstructure(t, unstructure_as=datetime)


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

#: The columns of an expectation in CSV output: every field, visits' and trades' side by side
#: (a visit leaves the trade columns empty, and the other way round).
EXPECTATION_COLUMNS: Final = (
    "subject",
    "kind",
    "status",
    *_VISIT_COLUMNS,
    *_TRADE_COLUMNS,
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


def expectation_cells(e: Expectation | None) -> list[object]:
    """The cells of an expectation, in the order of :data:`EXPECTATION_COLUMNS` (all empty for
    ``None``). Tuples are joined with ``"; "``; flags are ``true`` or ``false``."""
    if e is None:
        return [""] * len(EXPECTATION_COLUMNS)
    visit: list[object]
    trade: list[object]
    if isinstance(e, VisitExpectation):
        visit = [
            *_window(e.window),
            *_window(e.first_window, full=False),
            e.visitor or "",
            e.host or "",
            _joined(e.counterparts),
            e.purpose or "",
            _joined(e.agenda),
            e.place or "",
            e.reason or "",
        ]
        trade = [""] * len(_TRADE_COLUMNS)
    else:
        visit = [""] * len(_VISIT_COLUMNS)
        report: Vintage | None = e.report(e.scope) if e.scope is not None else e.report()
        trade = [
            e.exporter or "",
            e.importer or "",
            e.commodity or "",
            e.grade or "",
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
    return [
        e.subject,
        e.kind,
        e.status.value,
        *visit,
        *trade,
        "" if e.likelihood is None else e.likelihood.value,
        "" if e.probability is None else e.probability,
        _joined(e.sources),
        iso(e.first_known_at),
        iso(e.updated_at),
        _flag(e.partial),
        " ".join(e.event_ids),
    ]
