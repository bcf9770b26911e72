"""``chronology verify`` and ``chronology head``: re-check a chronicle file from its first
record to its head, and print the head to publish."""

from __future__ import annotations

import click

from chronology.cli.app import cli
from chronology.cli.options import db_option, opened

__all__: list[str] = []


@cli.command()
@db_option
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
    with opened(db) as chronicle:
        count = chronicle.verify(expected_head=expected_head)
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
