"""What every ``chronology`` command shares: the chronicle file and how it is opened, the
``WHEN`` parameter type, the common options, and the choice of output format."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

import click

from chronology.chronicle import DEFAULT_MAX_SKEW, Chronicle
from chronology.errors import ChronologyError, TimeError
from chronology.stores.postgres import is_postgres_url
from chronology.time import as_of_instant

__all__ = [
    "DB_ENV",
    "DEFAULT_DB",
    "WHEN",
    "Format",
    "WhenType",
    "db_option",
    "emit",
    "format_option",
    "open_chronicle",
    "opened",
    "recorded_by_option",
]

#: The chronicle file used when ``--db`` is not given (in the current directory).
DEFAULT_DB: Final = "chronology.db"
#: The environment variable that overrides :data:`DEFAULT_DB`.
DB_ENV: Final = "CHRONOLOGY_DB"

#: The output formats of ``--format``.
Format = Literal["table", "json", "csv"]


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


def db_option(f: _F) -> _F:
    """The ``--db`` option: the chronicle file (default :data:`DEFAULT_DB`, or
    ``$CHRONOLOGY_DB``)."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=DEFAULT_DB,
        envvar=DB_ENV,
        show_default=True,
        show_envvar=True,
        help="The chronicle (an SQLite file).",
    )(f)


def format_option(f: _F) -> _F:
    """The ``--format`` option (``table``, ``json`` or ``csv``), passed as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(f)


def recorded_by_option(f: _F) -> _F:
    """The ``--recorded-by`` option: answer as of a system-time instant."""
    return click.option(
        "--recorded-by",
        type=WHEN,
        default=None,
        help="Answer as this chronicle would have at that (system) time: ignore records "
        "stored later. Default: as recorded now.",
    )(f)


def emit(
    fmt: str, *, table: Callable[[], str], data: Callable[[], Any], rows: Callable[[], str]
) -> None:
    """Print a command's answer in the format asked for: ``table()``, ``data()`` as indented
    JSON, or ``rows()`` (CSV). Only the one asked for is computed."""
    if fmt == "json":
        click.echo(json.dumps(data(), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(rows())
    else:
        click.echo(table())


def open_chronicle(
    path: str, *, create: bool = False, max_skew: timedelta | None = DEFAULT_MAX_SKEW
) -> Chronicle:
    """Open the chronicle file at ``path`` for a command.

    Args:
        path: the SQLite file, or a ``postgresql://`` URL (see the PostgreSQL how-to).
        create: create the file when missing and open it for writing; otherwise the file must
            exist and is opened read-only.
        max_skew: as for :class:`~chronology.Chronicle`.

    Raises:
        click.ClickException: the file does not exist and ``create`` is false.
        ChronologyError: the file cannot be opened or is not a chronicle.
    """
    if not create and not is_postgres_url(path) and not os.path.exists(path):
        raise click.ClickException(
            f"{path}: no such chronicle (create one with 'chronology import FILE --db {path}', "
            f"or run 'chronology demo'; the default file is ${DB_ENV} or {DEFAULT_DB})"
        )
    return Chronicle.open(path, read_only=not create, max_skew=max_skew)


@contextmanager
def opened(
    path: str, *, create: bool = False, max_skew: timedelta | None = DEFAULT_MAX_SKEW
) -> Iterator[Chronicle]:
    """:func:`open_chronicle`, closed at the end; a file this command created is removed
    again if the command fails before storing anything in it (a refused command leaves
    nothing behind)."""
    new = create and not is_postgres_url(path) and not os.path.lexists(path)
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
