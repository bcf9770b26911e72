"""``chronology follow`` and ``chronology copy``: a chronicle shared between machines, its
records printed as they land, and copied with their history between SQLite, PostgreSQL and
JSONL."""

from __future__ import annotations

import json

import click

from chronology.chronicle import Chronicle
from chronology.cli.app import cli
from chronology.copying import copy_chronicle
from chronology.record import Record
from chronology.serialization import event_to_dict

__all__ = ["record_line"]


def record_line(record: Record, fmt: str) -> str:
    """One record as ``chronology follow`` prints it: a JSON line as exported (the event's
    fields, its tag under ``type``, and the record's position, ``recorded_at``, ``event_id`` and
    ``hash``), or a tab-separated line (position, recorded_at, tag, subject) for a table."""
    data = event_to_dict(record.event)
    if fmt == "json":
        head = {
            "position": record.position,
            "recorded_at": record.recorded_at.isoformat(),
            "event_id": record.event_id,
            "hash": record.hash,
        }
        return json.dumps({**head, **data}, ensure_ascii=False)
    subject = record.event.subject.encode("unicode_escape").decode("ascii")
    return f"{record.position}\t{record.recorded_at.isoformat()}\t{data['type']}\t{subject}"


@cli.command()
@click.argument("target", metavar="DB")
@click.option(
    "--after",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="The last position already seen.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output: a line per record, or JSON lines as exported.",
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    help="Seconds between reads of an SQLite file (PostgreSQL is woken by NOTIFY).",
)
@click.option(
    "--idle",
    type=click.FloatRange(min=0),
    default=None,
    help="Stop after this many seconds without a new record (default: never).",
)
@click.option("--schema", default=None, help="The PostgreSQL schema (or ?schema= in the URL).")
def follow(
    target: str, after: int, fmt: str, poll: float, idle: float | None, schema: str | None
) -> None:
    """Print the records of the chronicle DB (a file or a postgresql:// URL) after --after,
    then each new one as it is stored, until interrupted (or --idle seconds pass).

    \b
    Example:
      chronology follow postgresql://reader@db/chronicles --format json
    """
    with Chronicle.open(target, read_only=True, schema=schema) as chronicle:
        for record in chronicle.follow(after, poll=poll, idle=idle):
            click.echo(record_line(record, fmt))


@cli.command()
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
@click.option("--source-schema", default=None, help="The PostgreSQL schema of SRC.")
@click.option("--destination-schema", default=None, help="The PostgreSQL schema of DST.")
def copy(
    source: str, destination: str, source_schema: str | None, destination_schema: str | None
) -> None:
    """Copy the chronicle SRC into the empty DST with its history: every record keeps its
    position, recorded_at and hash, and DST is verified. Each is an SQLite file, a
    postgresql:// URL, or a .jsonl export (a backup; restore by copying it back).

    \b
    Example:
      chronology copy chronology.db postgresql://analyst@db/chronicles?schema=visits
    """
    count = copy_chronicle(
        source,
        destination,
        source_schema=source_schema,
        destination_schema=destination_schema,
    )
    click.echo(f"Copied {count} records to {destination}; verified.")
