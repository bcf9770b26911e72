"""``chronology as-of``, ``history`` and ``diff``: what was expected, how it changed, and what
changed between two dates, as a table, JSON or CSV."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import click

from chronology._collector import collector_paused
from chronology.chronicle import Chronicle
from chronology.cli.app import cli
from chronology.cli.options import (
    WHEN,
    Format,
    db_option,
    emit,
    format_option,
    opened,
    recorded_by_option,
)
from chronology.errors import KindError, UnknownSubjectError
from chronology.events import Event
from chronology.expectations import Expectation, Status
from chronology.registry import kinds_within
from chronology.render import (
    BOOKKEEPING_FIELDS,
    change_to_dict,
    changed_fields,
    diff_to_dict,
    expectation_to_dict,
    instant_text,
    iso,
    key_figure,
    source_text,
    window_text,
)
from chronology.tables import (
    EXPECTATION_COLUMNS,
    EXPECTATION_TEXT_COLUMNS,
    csv_text,
    expectation_cells,
    table,
    table_lines,
)
from chronology.view import Change

__all__ = ["expectations_table"]

# -- as-of ----------------------------------------------------------------------------------------

_EXPECTATION_HEADERS: Final = ("subject", "status", "window / period", "key figure")


def expectations_table(expectations: Sequence[Expectation]) -> str:
    """The table ``chronology as-of`` prints: subject, status, window or period, key figure."""
    return "\n".join(expectation_lines(expectations))


def expectation_lines(expectations: Sequence[Expectation]) -> list[str]:
    """The lines of :func:`expectations_table`, made column by column (a million-event
    chronicle's table has a hundred thousand rows)."""
    values = {s: s.value for s in Status}
    # Values often share a window object (a shelved snapshot's equal windows are one): each
    # is written once, looked up by identity (the windows stay alive meanwhile).
    texts: dict[int, str] = {}
    windows = []
    for w in [e.window for e in expectations]:
        text = texts.get(id(w))
        if text is None:
            text = texts[id(w)] = window_text(w)
        windows.append(text)
    return table_lines(
        _EXPECTATION_HEADERS,
        [
            [e.subject for e in expectations],
            [values[e.status] for e in expectations],
            windows,
            [key_figure(e) for e in expectations],
        ],
    )


# -- history --------------------------------------------------------------------------------------

_HISTORY_HEADERS: Final = ("known at", "event", "status", "window / period", "key figure", "source")
# One history row: the event, then the expectation after it (every column of as-of's CSV).
_HISTORY_EVENT_CSV: Final = ("known_at", "recorded_at", "event_id", "type", "source", "key_figure")
_HISTORY_CSV: Final = (*_HISTORY_EVENT_CSV, *EXPECTATION_COLUMNS)
_HISTORY_TEXT: Final = EXPECTATION_TEXT_COLUMNS | {"type", "source", "key_figure"}
_DIFF_CSV: Final = ("change", "subject", "field", "before", "after")
_DIFF_TEXT: Final = frozenset({"subject", "before", "after"})


def _event_detail(event: Event, after: Expectation | None) -> str:
    speaker = getattr(event, "speaker", None)
    if type(event).tag == "statement.made":
        return f"statement by {speaker}" if speaker else "statement"
    return "-" if after is None else key_figure(after)


def _history_row(c: Change) -> list[str]:
    after = c.after
    return [
        instant_text(c.known_at),
        type(c.event).tag,
        "-" if after is None else after.status.value,
        "-" if after is None else window_text(after.window),
        _event_detail(c.event, after),
        source_text(c.event.source),
    ]


def _history_csv_row(c: Change) -> list[object]:
    return [
        iso(c.known_at),
        iso(c.recorded_at),
        c.event_id,
        type(c.event).tag,
        "" if c.event.source is None else c.event.source.name,
        _event_detail(c.event, c.after),
        *expectation_cells(c.after),
    ]


# -- diff -----------------------------------------------------------------------------------------

#: How many characters of a value the diff table shows before cutting it short with "...".
_SHOWN: Final = 40
# Fields listed by how many items they hold, not by their (long) items.
_COUNTED: Final = frozenset({"projections", "reports", "event_ids"})


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 3].rstrip()}..."


def _diff_summary(before: Expectation, after: Expectation) -> str:
    """``status: announced -> occurred; place: - -> Beijing; agenda: +UN, -G20``: each changed
    field with its values (cut short when long), bookkeeping fields only when nothing else
    changed."""
    rows = changed_fields(before, after)
    main = [r for r in rows if r[0] not in BOOKKEEPING_FIELDS] or rows
    parts: list[str] = []
    for name, old, new in main:
        was, now = getattr(before, name, None), getattr(after, name, None)
        if name in _COUNTED:
            count = len(now) if isinstance(now, tuple) else 0
            previous = len(was) if isinstance(was, tuple) else 0
            parts.append(f"{name}: {previous} -> {count}")
        elif (
            isinstance(was, tuple)
            and isinstance(now, tuple)
            and all(isinstance(v, str) for v in was + now)
            and set(was) != set(now)
        ):
            items = [f"+{v}" for v in now if v not in was] + [f"-{v}" for v in was if v not in now]
            parts.append(f"{name}: {_shorten(', '.join(items))}")
        else:
            parts.append(f"{name}: {_shorten(old)} -> {_shorten(new)}")
    return "; ".join(parts)


def _status_window(e: Expectation) -> str:
    return f"{e.status.value}, {window_text(e.window)}"


def _kinds_option(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    """``--kind NAME``: the registered kinds it covers (a plan's include visits)."""
    if value is None:
        return ()
    try:
        return kinds_within(value)
    except KindError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


# -- the commands -------------------------------------------------------------------------------


@cli.command("as-of")
@click.argument("when", type=WHEN)
@db_option
@recorded_by_option
@click.option(
    "--kind",
    default=None,
    metavar="KIND",
    callback=_kinds_option,
    help=(
        "Only this kind: visit, trade, plan (plans and visits), figure (figures and trades),"
        " or a kind an installed plugin registers."
    ),
)
@click.option(
    "--status",
    "statuses",
    type=click.Choice([s.value for s in Status]),
    multiple=True,
    help="Only expectations with this status, as derived at WHEN (repeat for several), "
    "as in --status overdue.",
)
@format_option
def as_of(
    when: datetime,
    db: str,
    recorded_by: datetime | None,
    kind: tuple[str, ...],
    statuses: tuple[str, ...],
    fmt: Format,
) -> None:
    """Show what was expected as of WHEN (an assertion-time date or instant).

    \b
    Example:
      chronology as-of 2024-04-04 --db chronology-demo.db
      chronology as-of 2024-04-07T12:00:00Z --kind visit --format json
      chronology as-of 2024-04-21 --recorded-by 2024-05-01 --format csv
      chronology as-of 2024-04-12 --status overdue --status postponed
    """
    # The view and its table are a great many objects and no cycles (millions, for a
    # million-event file): the collector, on, would walk them all at least once. It is turned
    # back on once they are gone, when the command has printed them.
    with collector_paused():
        _print_as_of(when, db, recorded_by, kind, statuses, fmt)


def _print_as_of(
    when: datetime,
    db: str,
    recorded_by: datetime | None,
    kind: tuple[str, ...],
    statuses: tuple[str, ...],
    fmt: Format,
) -> None:
    with opened(db) as chronicle:
        view = chronicle.as_of(when, recorded_by=recorded_by)
        found = view.of_kind(*kind) if kind else view.expectations()
        if statuses:
            found = tuple(e for e in found if e.status.value in statuses)
        emit(
            fmt,
            table=lambda: (
                expectations_table(found)
                if found
                else f"nothing expected as of {iso(when)}"
                + (f" with status {' or '.join(statuses)}" if statuses else "")
            ),
            data=lambda: {
                "as_of": iso(when),
                "recorded_by": iso(recorded_by),
                "expectations": [expectation_to_dict(e) for e in found],
            },
            rows=lambda: csv_text(
                EXPECTATION_COLUMNS,
                [expectation_cells(e) for e in found],
                EXPECTATION_TEXT_COLUMNS,
            ),
        )


def _subjects(chronicle: Chronicle) -> list[str]:
    return chronicle.store.subjects()


def _unknown_subject(chronicle: Chronicle, subject: str) -> click.ClickException:
    known = _subjects(chronicle)
    close = difflib.get_close_matches(subject, known, n=3, cutoff=0.5)
    if close:
        hint = f"; did you mean {', '.join(close)}?"
    elif known:
        hint = f"; known subjects: {', '.join(known[:5])}{', ...' if len(known) > 5 else ''}"
    else:
        hint = "; the chronicle is empty"
    return click.ClickException(f"no events about subject {subject!r}{hint}")


@cli.command()
@click.argument("subject")
@db_option
@recorded_by_option
@format_option
def history(subject: str, db: str, recorded_by: datetime | None, fmt: Format) -> None:
    """Show how the expectation SUBJECT changed, one line per event, in assertion-time order.

    \b
    Example:
      chronology history visit/lavrov-china-2024-04 --db chronology-demo.db
      chronology history trade/russia-china-crude-sokol-2024-03 --format json
    """
    with opened(db) as chronicle:
        try:
            changes = chronicle.history(subject, recorded_by=recorded_by)
        except UnknownSubjectError:
            raise _unknown_subject(chronicle, subject) from None
        if not changes:
            by = "" if recorded_by is None else f" recorded by {iso(recorded_by)}"
            raise click.ClickException(
                f"no events about subject {subject!r}{by} (its events were retracted, "
                "or stored later)"
            )
        emit(
            fmt,
            table=lambda: table(_HISTORY_HEADERS, [_history_row(c) for c in changes]),
            data=lambda: {"subject": subject, "changes": [change_to_dict(c) for c in changes]},
            rows=lambda: csv_text(
                _HISTORY_CSV, [_history_csv_row(c) for c in changes], _HISTORY_TEXT
            ),
        )


@cli.command()
@click.argument("a", metavar="A", type=WHEN)
@click.argument("b", metavar="B", type=WHEN)
@db_option
@recorded_by_option
@format_option
def diff(a: datetime, b: datetime, db: str, recorded_by: datetime | None, fmt: Format) -> None:
    """Show what changed in the expectations between as-of A and as-of B.

    Each line says whether an expectation was added (new by B), removed (known at A, gone
    by B, as after a retraction) or changed, and how.

    \b
    Example:
      chronology diff 2024-04-04 2024-04-10 --db chronology-demo.db
      chronology diff 2024-03-19 2024-04-21 --format json
    """
    if b < a:
        raise click.UsageError(
            f"B ({iso(b)}) is before A ({iso(a)}); give the earlier instant first"
        )
    with opened(db) as chronicle:
        result = chronicle.diff(a, b, recorded_by=recorded_by)

    def lines() -> str:
        if not result:
            return f"no change between {iso(a)} and {iso(b)}"
        rows = [["added", e.subject, _status_window(e)] for e in result.added]
        rows += [["removed", e.subject, _status_window(e)] for e in result.removed]
        rows += [["changed", new.subject, _diff_summary(old, new)] for old, new in result.changed]
        return table(("change", "subject", "what"), rows)

    def rows() -> str:
        out: list[list[object]] = []
        for e in result.added:
            out.append(["added", e.subject, "status", "", e.status.value])
        for e in result.removed:
            out.append(["removed", e.subject, "status", e.status.value, ""])
        for old, new in result.changed:
            out.extend(["changed", new.subject, *row] for row in changed_fields(old, new))
        return csv_text(_DIFF_CSV, out, _DIFF_TEXT)

    emit(
        fmt,
        table=lines,
        data=lambda: {
            "from": iso(a),
            "to": iso(b),
            "recorded_by": iso(recorded_by),
            **diff_to_dict(result),
        },
        rows=rows,
    )
