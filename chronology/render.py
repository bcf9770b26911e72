"""Expectations and their changes as plain data and as short text for people.

The layer between the core and its faces: the ``chronology`` command (:mod:`chronology.cli`)
and the pictures (:mod:`chronology.plot`) both take their forms from here, and never from each
other.

* **Plain data**: :func:`expectation_to_dict`, :func:`change_to_dict` and :func:`diff_to_dict`
  give the stable JSON-ready forms the command prints with ``--format json``; the flat rows of
  ``--format csv`` are in :mod:`chronology.tables`.
* **Text for people**: :func:`number_text`, :func:`quantity_text`, :func:`instant_text`,
  :func:`window_text`, :func:`key_figure` (the one line that says most about an expectation,
  chosen by its kind: see :func:`register_key_figure`), :func:`error_text` and
  :func:`changed_fields`.
* **Text made safe to show**: text taken from the data may hold control characters and
  bidirectional overrides, which can break a table's lines or recolour a terminal;
  :func:`printable` shows each of them as an escape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from chronology.events import Quantity, Source
from chronology.expectations import (
    Expectation,
    FigureExpectation,
    PlanExpectation,
    TradeExpectation,
    VisitExpectation,
)
from chronology.outcomes import Incomparable, ProjectionError, Why, projection_error
from chronology.serialization import converter, event_to_dict
from chronology.time import Window
from chronology.view import Change, Diff

__all__ = [
    "BOOKKEEPING_FIELDS",
    "KeyFigure",
    "change_to_dict",
    "changed_fields",
    "diff_to_dict",
    "error_text",
    "expectation_to_dict",
    "field_text",
    "instant_text",
    "iso",
    "key_figure",
    "number_text",
    "printable",
    "quantity_text",
    "register_key_figure",
    "source_text",
    "window_text",
]


# -- plain data -----------------------------------------------------------------------------------


def iso(t: datetime | None) -> str | None:
    """An instant in the wire form (ISO 8601, UTC), or ``None``.

    Example:
        >>> from datetime import datetime, timezone
        >>> iso(datetime(2024, 4, 8, tzinfo=timezone.utc))
        '2024-04-08T00:00:00+00:00'
    """
    return None if t is None else converter.unstructure(t, unstructure_as=datetime)


def expectation_to_dict(expectation: Expectation) -> dict[str, Any]:
    """The stable JSON-ready form of an expectation.

    Keys are the expectation's fields, in declaration order, after ``kind`` (``"visit"`` or
    ``"trade"``). Instants are ISO 8601 strings in UTC; windows and periods are objects with
    ``start``/``end`` (left out when open), ``label``, ``approximate`` and ``uncertain`` (left out
    when unset), as in the event wire form; quantities are ``{"value", "unit"}``; sources as in
    events; tuples are lists; the status and likelihood are their string values.

    Args:
        expectation: a value from a view (:meth:`chronology.View.expectations`).

    Returns:
        A dict of JSON types only, ready for ``json.dumps``.

    Example:
        >>> from chronology import Chronicle
        >>> from chronology.events import VisitAnnounced
        >>> c = Chronicle()
        >>> _ = c.append(VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00Z",
        ...                             window="2024-04-08"))
        >>> d = expectation_to_dict(c.as_of("2024-04-04")["visit/x"])
        >>> d["kind"], d["status"], d["window"]
        ('visit', 'announced', {'start': '2024-04-08T00:00:00+00:00', \
'end': '2024-04-09T00:00:00+00:00'})
    """
    body: dict[str, Any] = converter.unstructure(expectation, unstructure_as=type(expectation))
    body["status"] = expectation.status.value
    return {"kind": expectation.kind, **body}


def change_to_dict(change: Change) -> dict[str, Any]:
    """The JSON-ready form of one history entry: instants, the event in its wire form, and the
    expectation before and after it (see :func:`expectation_to_dict`).

    Args:
        change: an entry of :meth:`chronology.Chronicle.history`.

    Returns:
        ``known_at``, ``recorded_at``, ``event_id``, ``event``, ``before`` and ``after``.
    """
    return {
        "known_at": iso(change.known_at),
        "recorded_at": iso(change.recorded_at),
        "event_id": change.event_id,
        "event": event_to_dict(change.event),
        "before": None if change.before is None else expectation_to_dict(change.before),
        "after": None if change.after is None else expectation_to_dict(change.after),
    }


def diff_to_dict(diff: Diff) -> dict[str, Any]:
    """The JSON-ready form of a :class:`~chronology.view.Diff`.

    Args:
        diff: what :meth:`chronology.Chronicle.diff` found.

    Returns:
        ``added`` and ``removed`` (lists of expectations), and ``changed``: for each changed
        expectation its subject, the names of the fields that changed, and both values.
    """
    return {
        "added": [expectation_to_dict(e) for e in diff.added],
        "removed": [expectation_to_dict(e) for e in diff.removed],
        "changed": [
            {
                "subject": after.subject,
                "fields": [name for name, _, _ in changed_fields(before, after)],
                "before": expectation_to_dict(before),
                "after": expectation_to_dict(after),
            }
            for before, after in diff.changed
        ],
    }


# -- text made safe to show -----------------------------------------------------------------------

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


def printable(text: str) -> str:
    r"""``text`` safe to print on a terminal: control characters (a newline, ``ESC`` starting an
    escape sequence, the other C0 and C1 codes), bidirectional overrides and line separators
    shown as escapes (``\n``, ``\x1b``, ``\u202e``); everything else as it is.

    Backslashes are not doubled: a table is for reading, and the JSON output is exact.

    Example:
        >>> printable("Lavrov\n\x1b[31mred\u202e")
        'Lavrov\\n\\x1b[31mred\\u202e'
    """
    if text.isprintable():  # every character escaped is one Python deems unprintable
        return text
    return text.translate(_ESCAPES)


# -- text for people ------------------------------------------------------------------------------


def number_text(value: float) -> str:
    """A short human form of a number: ``1.7M``, ``379k``, ``10.81``.

    Example:
        >>> number_text(1_820_000), number_text(379_000), number_text(10.81)
        ('1.82M', '379k', '10.81')
    """
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.4g}M"
    if size >= 1e4:
        return f"{value / 1e3:.4g}k"
    return f"{value:.4g}"


def quantity_text(q: Quantity) -> str:
    """A quantity in short form: ``1.7M bbl/d``.

    Example:
        >>> quantity_text(Quantity(1_700_000, "bbl/d"))
        '1.7M bbl/d'
    """
    return f"{number_text(q.value)} {q.unit}"


def source_text(source: Source | None) -> str:
    """A source's name, or ``-`` for none."""
    return "-" if source is None else source.name


def instant_text(t: datetime) -> str:
    """``YYYY-MM-DD`` at midnight UTC, else ``YYYY-MM-DD HH:MM`` (UTC).

    Example:
        >>> from datetime import datetime, timezone
        >>> instant_text(datetime(2024, 4, 8, tzinfo=timezone.utc))
        '2024-04-08'
    """
    if not (t.hour or t.minute or t.second or t.microsecond):
        return t.date().isoformat()
    if t.year < 1000:  # strftime writes such a year unpadded; isoformat pads it
        return t.strftime("%Y-%m-%d %H:%M")
    # Half the time strftime takes (a table may show a hundred thousand windows).
    return "%04d-%02d-%02d %02d:%02d" % (t.year, t.month, t.day, t.hour, t.minute)  # noqa: UP031


_DAY: Final = timedelta(days=1)


def window_text(window: Window | None) -> str:
    """A compact, human form of a window: ``2024-03``, ``2024-04-08/2024-04-09``,
    ``soon (~2024-04-03/2024-05-03)``; ``-`` for no window.

    Example:
        >>> window_text(Window.parse("2024-04-08/2024-04-09"))
        '2024-04-08/2024-04-09'
    """
    if window is None:
        return "-"
    start, end = window.start, window.end
    if window.label is not None:
        a = ".." if start is None else start.date().isoformat()
        b = ".." if end is None else end.date().isoformat()
        mark = "~" if window.approximate else ""
        return f"{window.label} ({mark}{a}/{b})"
    text: str
    # A window's bounds are seldom both midnights unless it is a day or month: tell that
    # first, with as few look-ups as may be (a table may show a hundred thousand windows).
    start_midnight = start is None or not (
        start.hour or start.minute or start.second or start.microsecond
    )
    end_midnight = end is None or not (end.hour or end.minute or end.second or end.microsecond)
    if start is not None and end is not None and start_midnight and end_midnight:
        last = end - _DAY
        if (
            start.day == 1
            and end.day == 1
            and last.month == start.month
            and last.year == start.year
        ):
            text = start.date().isoformat()[:7] if start.year >= 1000 else start.strftime("%Y-%m")
        elif last == start:
            text = start.date().isoformat()
        else:
            text = f"{start.date().isoformat()}/{last.date().isoformat()}"
    else:
        a = ".." if start is None else instant_text(start)
        if end is None:
            b = ".."
        elif end_midnight:
            b = (end - _DAY).date().isoformat()
        else:
            b = instant_text(end)
        text = f"{a}/{b}"
    if window.approximate:
        text = f"~{text}"
    if window.uncertain:
        text = f"{text}?"
    return text


def error_text(result: ProjectionError | Incomparable) -> str:
    """The error of a projection in short form: ``+6.6%`` (relative), ``-0.5 pp`` (between
    percentages), ``not comparable with t`` (another dimension), ``other scope``; ``""`` when
    there is nothing to say (a zero projection has no relative error).

    Example:
        >>> from chronology.outcomes import projection_error
        >>> error_text(projection_error(Quantity(1, "Mbbl/d"), Quantity(940, "kbbl/d")))
        '-6.4%'
    """
    if isinstance(result, Incomparable):
        if result.why is Why.DIMENSION:
            return f"not comparable with {result.projected.unit}"
        return "other scope"
    if result.in_points:
        return f"{result.error.value:+.3g} pp"
    return "" if result.relative is None else f"{result.relative:+.1%}"


#: How :func:`key_figure` writes the expectations of one kind.
KeyFigure = Callable[[Any], str]


def _visit_figure(expectation: VisitExpectation) -> str:
    who = expectation.visitor or "?"
    text = f"{who} to {expectation.host}" if expectation.host else who
    if expectation.place:
        text = f"{text} ({expectation.place})"
    return text


def _plan_figure(expectation: PlanExpectation) -> str:
    what = expectation.what or "?"
    text = f"{what} by {', '.join(expectation.actors)}" if expectation.actors else what
    if expectation.place:
        text = f"{text} ({expectation.place})"
    return text


def _trade_figure(expectation: TradeExpectation | FigureExpectation) -> str:
    parts: list[str] = []
    projected = expectation.quantity
    if projected is not None:
        parts.append(quantity_text(projected))
    same = expectation.report(expectation.scope) if expectation.scope is not None else None
    if same is None and expectation.scope is None:
        same = expectation.report()
    if same is not None:
        reported = same.quantity
        shown = (
            number_text(reported.value)
            if projected is not None and projected.unit == reported.unit
            else quantity_text(reported)
        )
        notes: list[str] = []
        if projected is not None and (note := error_text(projection_error(projected, same))):
            notes.append(note)
        if same.preliminary:
            notes.append("prelim.")
        parts.append(f"reported {shown} ({', '.join(notes)})" if notes else f"reported {shown}")
    others = sum(1 for f in expectation.reports if f is not same and f.scope != expectation.scope)
    if others:
        parts.append(f"+{others} in other scopes")
    return ", ".join(parts) or "-"


# The key figure of each kind of expectation (see register_key_figure).
_KEY_FIGURES: Final[dict[str, KeyFigure]] = {
    "visit": _visit_figure,
    "trade": _trade_figure,
    "plan": _plan_figure,
    "figure": _trade_figure,
}


def register_key_figure(kind: str, write: KeyFigure) -> None:
    """Teach :func:`key_figure` (and so the ``chronology`` command's tables) a kind of
    expectation.

    Args:
        kind: the ``kind`` of the expectations (their class attribute).
        write: takes one such expectation and returns its key figure, one short line.
    """
    _KEY_FIGURES[kind] = write


def key_figure(expectation: Expectation) -> str:
    """The one line that says most about an expectation: who visits whom, what is planned by
    whom, or the projected figure against the report of the same scope (with the error of the
    projection). A kind
    nobody registered (see :func:`register_key_figure`) reads ``-``.

    Example:
        >>> from chronology import Chronicle, Quantity
        >>> from chronology.events import TradeProjected, TradeReported
        >>> c = Chronicle()
        >>> _ = c.extend([
        ...     TradeProjected(subject="t", known_at="2024-03-18T12:00Z", scope="sea",
        ...                    quantity=Quantity(1_700_000, "bbl/d")),
        ...     TradeReported(subject="t", known_at="2024-04-20T12:00Z", scope="sea",
        ...                   quantity=Quantity(1_820_000, "bbl/d")),
        ... ])
        >>> key_figure(c.as_of("2024-04-21")["t"])
        '1.7M bbl/d, reported 1.82M (+6.6%)'
    """
    write = _KEY_FIGURES.get(expectation.kind)
    return "-" if write is None else write(expectation)


# -- changes --------------------------------------------------------------------------------------

#: Fields that change with every event; :func:`changed_fields` lists them after the others.
BOOKKEEPING_FIELDS: Final = frozenset({"event_ids", "updated_at", "sources"})


def field_text(name: str, value: Any) -> str:
    """One field of an expectation as short text (``-`` for none); ``projections`` and
    ``reports`` as ``1.7M bbl/d [sea]; ...``.

    Args:
        name: the field's name.
        value: its value.
    """
    if value is None:
        return "-"
    if isinstance(value, Window):
        return window_text(value)
    if isinstance(value, Quantity):
        return quantity_text(value)
    if name in ("projections", "reports"):
        return "; ".join(f"{quantity_text(f.quantity)} [{f.scope or '?'}]" for f in value) or "-"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, datetime):
        return instant_text(value)
    return str(value)


def changed_fields(before: Expectation, after: Expectation) -> list[tuple[str, str, str]]:
    """The fields that differ between two values of one expectation, as
    ``(field, before, after)`` text, bookkeeping fields (``event_ids``, ``updated_at``,
    ``sources``) last.

    Args:
        before: the earlier value.
        after: the later value.
    """
    if type(before) is not type(after):
        return [("kind", before.kind, after.kind)]
    found: list[tuple[str, str, str]] = []
    late: list[tuple[str, str, str]] = []
    for field in attrs.fields(type(before)):
        old, new = getattr(before, field.name), getattr(after, field.name)
        if old == new:
            continue
        row = (field.name, field_text(field.name, old), field_text(field.name, new))
        (late if field.name in BOOKKEEPING_FIELDS else found).append(row)
    return found + late
