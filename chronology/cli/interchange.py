"""``chronology import`` and ``chronology export``: JSON lines in and out of a chronicle."""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import click

from chronology.chronicle import DEFAULT_MAX_SKEW
from chronology.cli.app import cli
from chronology.cli.options import db_option, opened

__all__: list[str] = []

_PROGRESS_THRESHOLD: Final = 1 << 20  # show the import bar from 1 MiB of input on a terminal


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
@db_option
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
    with opened(db, create=True, max_skew=skew) as chronicle:
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
@db_option
def export(file: str | None, db: str) -> None:
    """Write every record as JSON lines, to FILE or to stdout.

    Each line holds the event (its tag under "type") and the record's position, recorded_at,
    event_id and hash; `chronology import` reads it back.

    \b
    Example:
      chronology export --db chronology.db backup.jsonl
      chronology export --db chronology.db | grep visit.scheduled
    """
    with opened(db) as chronicle:
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
