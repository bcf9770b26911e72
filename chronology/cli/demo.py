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

__all__ = ["DEFAULT_CASE", "DEMO_CASES", "DEMO_DATES", "DEMO_DB", "seed_path"]

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
#: The cases ``chronology demo --case`` builds, by name: each is a seed file packaged with the
#: library (a copy of ``seeds/NAME.jsonl``), with the dates at which the demo shows what was
#: expected, the subject whose history it suggests next, and the as-of date of the plot it
#: suggests.
DEMO_CASES: Final[dict[str, tuple[tuple[str, ...], str, str]]] = {
    "russia-china-2024": (DEMO_DATES, "visit/lavrov-china-2024-04", "2024-04-21"),
    "blinken-china-2023": (
        ("2022-11-15", "2023-02-04", "2023-03-01", "2023-06-10", "2023-06-15", "2023-06-20"),
        "visit/blinken-china-2023",
        "2023-06-20",
    ),
    "oil-demand-2024": (
        (
            "2024-02-14",
            "2024-08-13",
            "2024-10-01",
            "2024-12-12",
            "2025-01-01",
            "2025-01-16",
            "2025-02-14",
        ),
        "figure/world-oil-demand-growth-2024/opec",
        "2025-02-14",
    ),
}
#: The case ``chronology demo`` builds when ``--case`` is not given.
DEFAULT_CASE: Final = "russia-china-2024"


def seed_path(case: str = DEFAULT_CASE) -> Traversable:
    """The packaged copy of a seed case (``seeds/CASE.jsonl``; one of :data:`DEMO_CASES`)."""
    return resources.files("chronology").joinpath("data", f"{case}.jsonl")


@cli.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=DEMO_DB,
    show_default=True,
    help="Where to build the seed case (not $CHRONOLOGY_DB, so your own data stays apart).",
)
@click.option(
    "--case",
    type=click.Choice(list(DEMO_CASES)),
    default=DEFAULT_CASE,
    show_default=True,
    help="Which seed case to build.",
)
def demo(db: str, case: str) -> None:
    """Build a seed case into an SQLite file and show what was expected when.

    The default case, russia-china-2024: Sergei Lavrov's April 2024 visit to China, and the
    projection of record Russian crude flows to China in March 2024 against the figures
    reported afterwards. blinken-china-2023: a visit postponed with no new date, re-announced
    and held. oil-demand-2024: OPEC's and the IEA's forecasts of world oil demand growth in
    2024, vintage by vintage, against a preliminary then revised outcome. Running it again adds
    nothing: events are stored once, by content.

    \b
    Example:
      chronology demo
      chronology demo --db /tmp/seed.db
      chronology demo --case oil-demand-2024 --db /tmp/oil.db
    """
    dates, subject, plot_at = DEMO_CASES[case]
    with resources.as_file(seed_path(case)) as seed, opened(db, create=True) as chronicle:
        before = len(chronicle)
        records = chronicle.import_jsonl(seed)
        added = len(chronicle) - before
        click.echo(f"Chronicle: {Path(db).resolve()}")
        click.echo(
            f"Seed case: {len(records)} events, {added} new ({len(chronicle)} records in the file)"
        )
        previous: datetime | None = None
        for day in dates:
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
        click.echo(f"  chronology history {subject} --db {db}")
        click.echo(
            f"  chronology plot --db {db} --as-of {plot_at} --out seed-timeline.png"
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
