"""``chronology demo``: the seed case, built into its own file and shown day by day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

import click

from chronology.cli.app import cli
from chronology.cli.options import opened
from chronology.cli.views import expectations_table
from chronology.events import Event
from chronology.render import printable, source_text
from chronology.time import as_of_instant

__all__ = ["DEMO_DATES", "DEMO_DB", "seed_path"]

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
    with resources.as_file(seed_path()) as seed, opened(db, create=True) as chronicle:
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
        key = (type(e).tag, source_text(e.source))
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(
        f"{tag}{f' x{n}' if n > 1 else ''} ({source})" for (tag, source), n in counts.items()
    )


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())
