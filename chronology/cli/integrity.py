"""``chronology verify`` and ``chronology head``: re-check a chronicle file from its first
record to its head, and print the head to publish."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from chronology.cli.app import cli
from chronology.cli.options import db_option, open_chronicle, opened
from chronology.snapshots import Snapshots

__all__: list[str] = []


#: A view as of this instant folds every record (and shelves the state at the last one).
_LAST_INSTANT = datetime(9999, 12, 31, tzinfo=UTC)


@cli.command()
@db_option
@click.option(
    "--head",
    "expected_head",
    metavar="POSITION:HASH",
    default=None,
    help="A head published earlier ('chronology head'): check the log still extends it.",
)
@click.option(
    "--drop-snapshots",
    is_flag=True,
    help="First drop the fold snapshots kept in the file (always safe: the next full view "
    "of a large log, in a process that may write the file, folds from the records and "
    "shelves a new one).",
)
@click.option(
    "--rebuild-snapshots",
    is_flag=True,
    help="Drop the fold snapshots kept in the file, then fold the whole log once and shelve "
    "its state, so that the next command's first view starts from there.",
)
def verify(
    db: str, expected_head: str | None, drop_snapshots: bool, rebuild_snapshots: bool
) -> None:
    """Re-check the whole log: positions, event ids, system times, the hash chain, the
    columns and tables kept beside the records, the file's schema, and the fold snapshots
    shelved in the file (each refolded from its records).

    Exits with status 1, naming the first bad record's position (or schema object, or a
    snapshot's number of records), if anything was altered. Someone able to write the file
    could rewrite it and compute every hash again: give --head to check against a head you
    published before.

    \b
    Example:
      chronology verify --db chronology-demo.db
      chronology verify --db chronology.db --head 13:9f2c...
      chronology verify --db chronology.db --rebuild-snapshots
    """
    writes = drop_snapshots or rebuild_snapshots
    if writes:
        open_chronicle(db).close()  # a missing file is refused as by every other command
    with opened(db, create=writes) as chronicle:
        shelf = chronicle.store.snapshot_shelf() if writes else None
        if shelf is not None:
            shelf.clear()
        count = chronicle.verify(expected_head=expected_head)
        if shelf is not None and rebuild_snapshots:
            chronicle.snapshots = Snapshots(chronicle.store, shelve_from=0)
            chronicle.as_of(_LAST_INSTANT).expectations()
    extends = f", extends {expected_head.strip()}" if expected_head is not None else ""
    click.echo(f"{db}: ok, {count} records, hash chain intact{extends}")


@cli.command()
@db_option
def head(db: str) -> None:
    """Print the position and hash of the last record, as POSITION:HASH.

    Publish it (somewhere the chronicle's writers cannot change); later,
    'chronology verify --head POSITION:HASH' tells whether the log still extends it. An empty
    chronicle's head is 0 and the genesis hash (64 zeros).

    \b
    Example:
      chronology head --db chronology.db
    """
    with opened(db) as chronicle:
        click.echo(str(chronicle.head()))
