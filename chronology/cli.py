"""The ``chronology`` command: a chronicle of expectations from the shell.

Every command works on an SQLite chronicle file, given with ``--db``. Without it, the file is
``chronology.db`` in the current directory, or the path in the ``CHRONOLOGY_DB`` environment
variable when that is set (``chronology demo`` is the exception: it writes its own
``chronology-demo.db`` unless given ``--db``, so it never mixes the seed case into your data).

Dates and instants take the same forms as the library (:func:`chronology.instants.as_of_instant`): a
plain date such as ``2024-04-04`` stands for the last instant of that day in UTC; a date-time must
carry its offset (``2024-04-04T09:00:00+03:00`` or ``...Z``).

Errors print one line to stderr (``Error: ...``) and exit with status 1 for a refusal by the
chronicle (a bad line in a file, a tampered record) or 2 for a mistake on the command line (an
unknown option, a malformed date).
"""

from __future__ import annotations

import csv
import difflib
import errno
import io
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn

import attrs
import click

from chronology import __version__
from chronology._cells import (
    EXPECTATION_COLUMNS,
    EXPECTATION_TEXT_COLUMNS,
    expectation_cells,
    iso,
    printable,
    spreadsheet_safe,
)
from chronology.chronicle import DEFAULT_MAX_SKEW, Chronicle
from chronology.errors import ChronologyError, TimeError, UnitError, UnknownSubjectError
from chronology.events import Event, Quantity, Source
from chronology.expectations import Expectation, Vintage, VisitExpectation
from chronology.quantity import error, relative_error
from chronology.serialization import converter, event_to_dict
from chronology.time import Window, as_of_instant
from chronology.units import same_dimension
from chronology.view import Change, Diff

__all__ = [
    "DB_ENV",
    "DEFAULT_DB",
    "DEMO_DATES",
    "DEMO_DB",
    "WHEN",
    "WhenType",
    "change_to_dict",
    "changed_fields",
    "cli",
    "diff_to_dict",
    "expectation_to_dict",
    "expectations_table",
    "key_figure",
    "main",
    "number_text",
    "open_chronicle",
    "seed_path",
    "window_text",
]

#: The chronicle file used when ``--db`` is not given (in the current directory).
DEFAULT_DB: Final = "chronology.db"
#: The environment variable that overrides :data:`DEFAULT_DB`.
DB_ENV: Final = "CHRONOLOGY_DB"
#: The file ``chronology demo`` writes when ``--db`` is not given.
DEMO_DB: Final = "chronology-demo.db"
#: The dates at which ``chronology demo`` shows what was expected.
DEMO_DATES: Final = (
    "2024-03-10",
    "2024-03-19",
    "2024-04-04",
    "2024-04-07",
    "2024-04-10",
    "2024-04-21",
)
_SEED: Final = "russia-china-2024.jsonl"
_PROGRESS_THRESHOLD: Final = 1 << 20  # show the import bar from 1 MiB of input on a terminal

_Format = Literal["table", "json", "csv"]


# -- values as data -------------------------------------------------------------------------------


def expectation_to_dict(expectation: Expectation) -> dict[str, Any]:
    """The stable JSON-ready form of an expectation.

    Keys are the expectation's fields, in declaration order, after ``kind`` (``"visit"`` or
    ``"trade"``). Instants are ISO 8601 strings in UTC; windows and periods are objects with
    ``start``/``end`` (left out when open), ``label``, ``approximate`` and ``uncertain`` (left out
    when unset), as in the event wire form; quantities are ``{"value", "unit"}``; sources as in
    events; tuples are lists; the status and likelihood are their string values.

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


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


_iso = iso


# -- values as text -------------------------------------------------------------------------------


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


def _quantity_text(q: Quantity) -> str:
    return f"{number_text(q.value)} {q.unit}"


def _is_percent(unit: str) -> bool:
    return same_dimension(unit, "%")


def _instant_text(t: datetime) -> str:
    """``YYYY-MM-DD`` at midnight UTC, else ``YYYY-MM-DD HH:MM`` (UTC)."""
    if t.hour == t.minute == t.second == t.microsecond == 0:
        return t.date().isoformat()
    return t.strftime("%Y-%m-%d %H:%M")


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
    midnight = [
        t is None or t.hour == t.minute == t.second == t.microsecond == 0 for t in (start, end)
    ]
    if start is not None and end is not None and all(midnight):
        last = end - timedelta(days=1)
        if (
            start.day == 1
            and end.day == 1
            and last.month == start.month
            and last.year == start.year
        ):
            text = start.strftime("%Y-%m")
        elif last == start:
            text = start.date().isoformat()
        else:
            text = f"{start.date().isoformat()}/{last.date().isoformat()}"
    else:
        a = ".." if start is None else _instant_text(start)
        if end is None:
            b = ".."
        elif midnight[1]:
            b = (end - timedelta(days=1)).date().isoformat()
        else:
            b = _instant_text(end)
        text = f"{a}/{b}"
    if window.approximate:
        text = f"~{text}"
    if window.uncertain:
        text = f"{text}?"
    return text


def _report_vs(projected: Quantity | None, report: Vintage) -> str:
    """The report, and its error against the projection: converted within a dimension
    (``mb/d`` against ``kb/d``), in percentage points between percentages, and said to be
    missing when the two measure different things."""
    reported = report.quantity
    same_unit = projected is not None and projected.unit == reported.unit
    shown = number_text(reported.value) if same_unit else _quantity_text(reported)
    text = f"reported {shown}"
    notes: list[str] = []
    if projected is not None:
        try:
            if _is_percent(projected.unit):
                notes.append(f"{error(projected, reported).value:+.3g} pp")
            else:
                relative = relative_error(projected, reported)
                if relative is not None:
                    notes.append(f"{relative:+.1%}")
        except UnitError:
            notes.append(f"not comparable with {projected.unit}")
    if report.preliminary:
        notes.append("prelim.")
    return f"{text} ({', '.join(notes)})" if notes else text


def key_figure(expectation: Expectation) -> str:
    """The one line that says most about an expectation: who visits whom, or the projected
    figure against the report of the same scope (with the error of the projection).

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
        '1.7M bbl/d, reported 1.82M (+7.1%)'
    """
    if isinstance(expectation, VisitExpectation):
        who = expectation.visitor or "?"
        text = f"{who} to {expectation.host}" if expectation.host else who
        if expectation.place:
            text = f"{text} ({expectation.place})"
        return text
    parts: list[str] = []
    projected = expectation.quantity
    if projected is not None:
        parts.append(_quantity_text(projected))
    same = expectation.report(expectation.scope) if expectation.scope is not None else None
    if same is None and expectation.scope is None:
        same = expectation.report()
    if same is not None:
        parts.append(_report_vs(projected, same))
    others = sum(1 for f in expectation.reports if f is not same and f.scope != expectation.scope)
    if others:
        parts.append(f"+{others} in other scopes")
    return ", ".join(parts) or "-"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table; control characters and bidirectional overrides in the cells are
    shown as escapes (see :func:`chronology._cells.printable`)."""
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _csv_text(
    headers: Sequence[str], rows: Sequence[Sequence[object]], text: frozenset[str]
) -> str:
    """CSV with a header line; the cells of the ``text`` columns are kept from being read as
    spreadsheet formulas (see :func:`chronology._cells.spreadsheet_safe`)."""
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


def _source_text(source: Source | None) -> str:
    return "-" if source is None else source.name


# -- as-of ----------------------------------------------------------------------------------------

_EXPECTATION_HEADERS: Final = ("subject", "status", "window / period", "key figure")


def _expectation_row(e: Expectation) -> list[str]:
    return [e.subject, e.status.value, window_text(e.window), key_figure(e)]


def expectations_table(expectations: Sequence[Expectation]) -> str:
    """The table ``chronology as-of`` prints: subject, status, window or period, key figure."""
    return _table(_EXPECTATION_HEADERS, [_expectation_row(e) for e in expectations])


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
        _instant_text(c.known_at),
        type(c.event).tag,
        "-" if after is None else after.status.value,
        "-" if after is None else window_text(after.window),
        _event_detail(c.event, after),
        _source_text(c.event.source),
    ]


def _history_csv_row(c: Change) -> list[object]:
    return [
        _iso(c.known_at),
        _iso(c.recorded_at),
        c.event_id,
        type(c.event).tag,
        "" if c.event.source is None else c.event.source.name,
        _event_detail(c.event, c.after),
        *expectation_cells(c.after),
    ]


def change_to_dict(change: Change) -> dict[str, Any]:
    """The JSON-ready form of one history entry: instants, the event in its wire form, and the
    expectation before and after it (see :func:`expectation_to_dict`)."""
    return {
        "known_at": _iso(change.known_at),
        "recorded_at": _iso(change.recorded_at),
        "event_id": change.event_id,
        "event": event_to_dict(change.event),
        "before": None if change.before is None else expectation_to_dict(change.before),
        "after": None if change.after is None else expectation_to_dict(change.after),
    }


# -- diff -----------------------------------------------------------------------------------------

# Fields that change with every event; a diff names them only when nothing else changed.
_BOOKKEEPING: Final = frozenset({"event_ids", "updated_at", "sources"})


def _field_text(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, Window):
        return window_text(value)
    if isinstance(value, Quantity):
        return _quantity_text(value)
    if name in ("projections", "reports"):
        return "; ".join(f"{_quantity_text(f.quantity)} [{f.scope or '?'}]" for f in value) or "-"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, datetime):
        return _instant_text(value)
    return str(value)


def changed_fields(before: Expectation, after: Expectation) -> list[tuple[str, str, str]]:
    """The fields that differ between two values of one expectation, as
    ``(field, before, after)`` text, bookkeeping fields (``event_ids``, ``updated_at``,
    ``sources``) last."""
    if type(before) is not type(after):
        return [("kind", before.kind, after.kind)]
    found: list[tuple[str, str, str]] = []
    late: list[tuple[str, str, str]] = []
    for field in attrs.fields(type(before)):
        old, new = getattr(before, field.name), getattr(after, field.name)
        if old == new:
            continue
        row = (field.name, _field_text(field.name, old), _field_text(field.name, new))
        (late if field.name in _BOOKKEEPING else found).append(row)
    return found + late


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
    main = [r for r in rows if r[0] not in _BOOKKEEPING] or rows
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


def diff_to_dict(diff: Diff) -> dict[str, Any]:
    """The JSON-ready form of a :class:`~chronology.view.Diff`."""
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


# -- the click machinery --------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Command(click.Group):
    """The root group: every failure becomes one line on stderr and a non-zero exit status.

    ``main`` runs click in non-standalone mode and reports errors itself, so the installed
    executable and :class:`click.testing.CliRunner` (which both call ``main``) behave the same.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Bare ``chronology`` prints the help, as ``--help`` does, and exits with status 0.

        (click 8.2 and later report it as a usage error instead, which ``main`` would squash
        into one line.)
        """
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChronologyError as exc:
            raise click.ClickException(_one_line(str(exc))) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            _fail(f"{_one_line(exc.format_message())}{hint}", exc.exit_code)
        except click.ClickException as exc:
            _fail(_one_line(exc.format_message()), exc.exit_code)
        except click.Abort:
            _fail("aborted", 1)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                _fail(_one_line(str(exc)), 1)
            # The reader went away (``chronology export | head``): stop quietly.
            _silence_stdout()
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {printable(message)}", err=True)
    sys.exit(code)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


if TYPE_CHECKING:
    _ParamType = click.ParamType[datetime]
else:  # click < 8.2 has no generic ParamType at run time
    _ParamType = click.ParamType


class WhenType(_ParamType):
    """A click parameter taking an instant in the library's forms (see
    :func:`chronology.instants.as_of_instant`): a date stands for its last instant (UTC)."""

    name = "when"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        """Parse ``value`` into an aware :class:`~datetime.datetime` in UTC."""
        if isinstance(value, datetime):
            return value
        try:
            return as_of_instant(value)
        except TimeError as exc:
            self.fail(str(exc), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        """The placeholder shown in help texts."""
        return "WHEN"


#: The parameter type of every date or instant argument and option.
WHEN: Final = WhenType()

_F = Callable[..., Any]


def _db_option(f: _F) -> _F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=DEFAULT_DB,
        envvar=DB_ENV,
        show_default=True,
        show_envvar=True,
        help="The chronicle (an SQLite file).",
    )(f)


def _format_option(f: _F) -> _F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(f)


def _recorded_by_option(f: _F) -> _F:
    return click.option(
        "--recorded-by",
        type=WHEN,
        default=None,
        help="Answer as this chronicle would have at that (system) time: ignore records "
        "stored later. Default: as recorded now.",
    )(f)


def open_chronicle(
    path: str, *, create: bool = False, max_skew: timedelta | None = DEFAULT_MAX_SKEW
) -> Chronicle:
    """Open the chronicle file at ``path`` for a command.

    Args:
        path: the SQLite file.
        create: create the file when missing and open it for writing; otherwise the file must
            exist and is opened read-only.
        max_skew: as for :class:`~chronology.Chronicle`.

    Raises:
        click.ClickException: the file does not exist and ``create`` is false.
        ChronologyError: the file cannot be opened or is not a chronicle.
    """
    if not create and not os.path.exists(path):
        raise click.ClickException(
            f"{path}: no such chronicle (create one with 'chronology import FILE --db {path}', "
            f"or run 'chronology demo'; the default file is ${DB_ENV} or {DEFAULT_DB})"
        )
    return Chronicle.open(path, read_only=not create, max_skew=max_skew)


@contextmanager
def _chronicle(
    path: str, *, create: bool = False, max_skew: timedelta | None = DEFAULT_MAX_SKEW
) -> Iterator[Chronicle]:
    """:func:`open_chronicle`, closed at the end; a file this command created is removed
    again if the command fails before storing anything in it (a refused command leaves
    nothing behind)."""
    new = create and not os.path.lexists(path)
    chronicle = open_chronicle(path, create=create, max_skew=max_skew)
    try:
        yield chronicle
    except BaseException:
        if new:
            _remove_if_empty(chronicle, path)
        raise
    finally:
        chronicle.close()


def _remove_if_empty(chronicle: Chronicle, path: str) -> None:
    """Close ``chronicle`` and remove its file (and companions) if it holds no record.

    Only for a file this process has just created: another process opening the same new
    file in the moments between would lose it (a narrow window, for a file nobody else
    named yet).
    """
    try:
        empty = len(chronicle) == 0
    except ChronologyError:
        empty = False
    chronicle.close()
    if empty:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(OSError):
                os.unlink(path + suffix)


def _emit(
    fmt: str, *, table: Callable[[], str], data: Callable[[], Any], rows: Callable[[], str]
) -> None:
    if fmt == "json":
        click.echo(_json_text(data()))
    elif fmt == "csv":
        click.echo(rows())
    else:
        click.echo(table())


@click.group(
    "chronology",
    cls=_Command,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="chronology")
def cli() -> None:
    """A bitemporal chronicle of expectations: what was expected as of any date.

    Every command but demo works on the chronicle file given with --db, by default
    chronology.db in the current directory, or $CHRONOLOGY_DB when set.

    Dates: 2024-04-04 stands for the end of that day (UTC); date-times need an offset,
    as in 2024-04-04T09:00:00+03:00 or 2024-04-04T06:00:00Z.

    \b
    Start with the seed case:
      chronology demo
      chronology history visit/lavrov-china-2024-04 --db chronology-demo.db
    """


def seed_path() -> Traversable:
    """The packaged copy of the seed case (``seeds/russia-china-2024.jsonl``)."""
    return resources.files("chronology").joinpath("data", _SEED)


@cli.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=DEMO_DB,
    show_default=True,
    help="Where to build the seed case (not $CHRONOLOGY_DB, so your own data stays apart).",
)
def demo(db: str) -> None:
    """Build the seed case into an SQLite file and show what was expected when.

    The seed case: Sergei Lavrov's April 2024 visit to China, and the projection of record
    Russian crude flows to China in March 2024 against the figures reported afterwards. Running
    it again adds nothing: events are stored once, by content.

    \b
    Example:
      chronology demo
      chronology demo --db /tmp/seed.db
    """
    with resources.as_file(seed_path()) as seed, _chronicle(db, create=True) as chronicle:
        before = len(chronicle)
        records = chronicle.import_jsonl(seed)
        added = len(chronicle) - before
        click.echo(f"Chronicle: {Path(db).resolve()}")
        click.echo(
            f"Seed case: {len(records)} events, {added} new ({len(chronicle)} records in the file)"
        )
        previous: datetime | None = None
        for day in DEMO_DATES:
            at = as_of_instant(day)
            view = chronicle.as_of(at)
            click.echo("")
            click.echo(f"As of {day} (end of day, UTC)")
            fresh = [e for e in view.events() if previous is None or e.known_at > previous]
            if previous is not None and fresh:
                click.echo(f"  new: {printable(_news(fresh))}")
            expectations = view.expectations()
            if expectations:
                click.echo(_indent(expectations_table(expectations)))
            else:
                click.echo("  nothing expected yet")
            previous = at
        click.echo("")
        click.echo("Next:")
        click.echo(f"  chronology history visit/lavrov-china-2024-04 --db {db}")
        click.echo(
            f"  chronology plot --db {db} --as-of 2024-04-21 --out seed-timeline.png"
            "   (needs the 'plot' extra)"
        )


def _news(events: Sequence[Event]) -> str:
    """``trade.reported x4 (Dawn), statement.made (Dawn)``: what was said, by whom."""
    counts: dict[tuple[str, str], int] = {}
    for e in events:
        key = (type(e).tag, _source_text(e.source))
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(
        f"{tag}{f' x{n}' if n > 1 else ''} ({source})" for (tag, source), n in counts.items()
    )


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


class _Progress:
    """Feeds a click progress bar in chunks, so a long file does not redraw it every line."""

    def __init__(self, bar: Any, name: str) -> None:
        self._bar = bar
        self._name = name
        self._pending = 0

    def __call__(self, size: int) -> None:
        self._pending += size
        if self._pending >= 1 << 16:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._bar.update(self._pending, self._name)
            self._pending = 0


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_db_option
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr. Default: on a terminal, for 1 MiB of input or more.",
)
@click.option(
    "--max-skew",
    type=click.FloatRange(min=0),
    default=DEFAULT_MAX_SKEW.total_seconds(),
    show_default=True,
    help="Refuse to import if this machine's clock reads more than this many seconds behind "
    "the last record's recorded_at.",
)
@click.option(
    "--no-skew-check",
    is_flag=True,
    help="Take no account of the clock's lag behind the last record (see --max-skew).",
)
def import_(
    files: tuple[str, ...],
    db: str,
    progress: bool | None,
    max_skew: float,
    no_skew_check: bool,
) -> None:
    """Append the events of JSONL files to the chronicle (created if missing).

    Each file is imported atomically: a bad line refuses the whole file, naming the line, and
    leaves the files before it imported. Events already stored are not stored twice.

    \b
    Example:
      chronology import seeds/russia-china-2024.jsonl --db chronology.db
      chronology import 2024-*.jsonl
    """
    sizes = [os.path.getsize(f) for f in files]
    stderr = sys.stderr
    if progress is None:
        progress = stderr.isatty() and sum(sizes) >= _PROGRESS_THRESHOLD
    skew = None if no_skew_check else timedelta(seconds=max_skew)
    with _chronicle(db, create=True, max_skew=skew) as chronicle:
        lines: list[str] = []
        with click.progressbar(
            length=sum(sizes),
            label="importing",
            file=stderr if progress else io.StringIO(),
            item_show_func=lambda name: name,
        ) as bar:
            for name in files:
                feed = _Progress(bar, name)
                before = len(chronicle)
                records = chronicle.import_jsonl(name, progress=feed)
                feed.flush()
                lines.append(f"{name}: {len(records)} events, {len(chronicle) - before} new")
        for line in lines:
            click.echo(line)
        click.echo(f"{db}: {len(chronicle)} records")


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@_db_option
def export(file: str | None, db: str) -> None:
    """Write every record as JSON lines, to FILE or to stdout.

    Each line holds the event (its tag under "type") and the record's position, recorded_at,
    event_id and hash; `chronology import` reads it back.

    \b
    Example:
      chronology export --db chronology.db backup.jsonl
      chronology export --db chronology.db | grep visit.scheduled
    """
    with _chronicle(db) as chronicle:
        if file is not None and file != "-":
            count = chronicle.export_jsonl(file)
            click.echo(f"{file}: {count} records")
            return
        with tempfile.TemporaryDirectory(prefix="chronology-export-") as tmp:
            path = Path(tmp) / "export.jsonl"
            chronicle.export_jsonl(path)
            out = sys.stdout.buffer
            with path.open("rb") as src:
                shutil.copyfileobj(src, out)
            out.flush()


@cli.command("as-of")
@click.argument("when", type=WHEN)
@_db_option
@_recorded_by_option
@click.option(
    "--kind", type=click.Choice(["visit", "trade"]), default=None, help="Only visits or trades."
)
@_format_option
def as_of(
    when: datetime, db: str, recorded_by: datetime | None, kind: str | None, fmt: _Format
) -> None:
    """Show what was expected as of WHEN (an assertion-time date or instant).

    \b
    Example:
      chronology as-of 2024-04-04 --db chronology-demo.db
      chronology as-of 2024-04-07T12:00:00Z --kind visit --format json
      chronology as-of 2024-04-21 --recorded-by 2024-05-01 --format csv
    """
    with _chronicle(db) as chronicle:
        view = chronicle.as_of(when, recorded_by=recorded_by)
        if kind == "visit":
            found: tuple[Expectation, ...] = view.visits()
        elif kind == "trade":
            found = view.trades()
        else:
            found = view.expectations()
        _emit(
            fmt,
            table=lambda: (
                expectations_table(found) if found else f"nothing expected as of {_iso(when)}"
            ),
            data=lambda: {
                "as_of": _iso(when),
                "recorded_by": _iso(recorded_by),
                "expectations": [expectation_to_dict(e) for e in found],
            },
            rows=lambda: _csv_text(
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
@_db_option
@_recorded_by_option
@_format_option
def history(subject: str, db: str, recorded_by: datetime | None, fmt: _Format) -> None:
    """Show how the expectation SUBJECT changed, one line per event, in assertion-time order.

    \b
    Example:
      chronology history visit/lavrov-china-2024-04 --db chronology-demo.db
      chronology history trade/russia-china-crude-sokol-2024-03 --format json
    """
    with _chronicle(db) as chronicle:
        try:
            changes = chronicle.history(subject, recorded_by=recorded_by)
        except UnknownSubjectError:
            raise _unknown_subject(chronicle, subject) from None
        if not changes:
            by = "" if recorded_by is None else f" recorded by {_iso(recorded_by)}"
            raise click.ClickException(
                f"no events about subject {subject!r}{by} (its events were retracted, "
                "or stored later)"
            )
        _emit(
            fmt,
            table=lambda: _table(_HISTORY_HEADERS, [_history_row(c) for c in changes]),
            data=lambda: {"subject": subject, "changes": [change_to_dict(c) for c in changes]},
            rows=lambda: _csv_text(
                _HISTORY_CSV, [_history_csv_row(c) for c in changes], _HISTORY_TEXT
            ),
        )


@cli.command()
@click.argument("a", metavar="A", type=WHEN)
@click.argument("b", metavar="B", type=WHEN)
@_db_option
@_recorded_by_option
@_format_option
def diff(a: datetime, b: datetime, db: str, recorded_by: datetime | None, fmt: _Format) -> None:
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
            f"B ({_iso(b)}) is before A ({_iso(a)}); give the earlier instant first"
        )
    with _chronicle(db) as chronicle:
        result = chronicle.diff(a, b, recorded_by=recorded_by)

    def table() -> str:
        if not result:
            return f"no change between {_iso(a)} and {_iso(b)}"
        rows = [["added", e.subject, _status_window(e)] for e in result.added]
        rows += [["removed", e.subject, _status_window(e)] for e in result.removed]
        rows += [["changed", new.subject, _diff_summary(old, new)] for old, new in result.changed]
        return _table(("change", "subject", "what"), rows)

    def rows() -> str:
        out: list[list[object]] = []
        for e in result.added:
            out.append(["added", e.subject, "status", "", e.status.value])
        for e in result.removed:
            out.append(["removed", e.subject, "status", e.status.value, ""])
        for old, new in result.changed:
            out.extend(["changed", new.subject, *row] for row in changed_fields(old, new))
        return _csv_text(_DIFF_CSV, out, _DIFF_TEXT)

    _emit(
        fmt,
        table=table,
        data=lambda: {
            "from": _iso(a),
            "to": _iso(b),
            "recorded_by": _iso(recorded_by),
            **diff_to_dict(result),
        },
        rows=rows,
    )


@cli.command()
@_db_option
@click.option(
    "--head",
    "expected_head",
    metavar="POSITION:HASH",
    default=None,
    help="A head published earlier ('chronology head'): check the log still extends it.",
)
def verify(db: str, expected_head: str | None) -> None:
    """Re-check the whole log: positions, event ids, system times, the hash chain, the
    columns and tables kept beside the records, and the file's schema.

    Exits with status 1, naming the first bad record's position (or schema object), if
    anything was altered. Someone able to write the file could rewrite it and compute every
    hash again: give --head to check against a head you published before.

    \b
    Example:
      chronology verify --db chronology-demo.db
      chronology verify --db chronology.db --head 13:9f2c...
    """
    with _chronicle(db) as chronicle:
        count = chronicle.verify(expected_head=expected_head)
    extends = f", extends {expected_head.strip()}" if expected_head is not None else ""
    click.echo(f"{db}: ok, {count} records, hash chain intact{extends}")


@cli.command()
@_db_option
def head(db: str) -> None:
    """Print the position and hash of the last record, as POSITION:HASH.

    Publish it (somewhere the chronicle's writers cannot change); later,
    'chronology verify --head POSITION:HASH' tells whether the log still extends it. An empty
    chronicle's head is 0 and the genesis hash (64 zeros).

    \b
    Example:
      chronology head --db chronology.db
    """
    with _chronicle(db) as chronicle:
        click.echo(str(chronicle.head()))


@cli.command()
@_db_option
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The picture to write: a .png or .svg file.",
)
@click.option(
    "--subject",
    "subjects",
    multiple=True,
    help="Plot only this subject (repeat for several). Default: every subject.",
)
@click.option(
    "--as-of",
    "as_of_",
    type=WHEN,
    default=None,
    help="Show beliefs up to this instant, and mark it. Default: the last event's day.",
)
@_recorded_by_option
def plot(
    db: str,
    out: str,
    subjects: tuple[str, ...],
    as_of_: datetime | None,
    recorded_by: datetime | None,
) -> None:
    """Draw how expectations moved: visit windows as believed over time, and trade
    projections against the reported figures. Needs the 'plot' extra (matplotlib).

    \b
    Example:
      chronology plot --db chronology-demo.db --out timeline.png
      chronology plot --db chronology-demo.db --out visit.svg \\
          --subject visit/lavrov-china-2024-04 --as-of 2024-04-10
    """
    suffix = Path(out).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise click.BadParameter(
            f"{out!r}: the file name must end in .png or .svg", param_hint="'--out'"
        )
    from chronology import plot as plotting

    with _chronicle(db) as chronicle:
        figure = plotting.overview(
            chronicle, subjects or None, as_of=as_of_, recorded_by=recorded_by
        )
    plotting.save(figure, out)
    click.echo(f"{out}: written")


def main() -> None:
    """Run the ``chronology`` command (the console-script entry point)."""
    cli.main(prog_name="chronology")
