"""``chronology plot``: draw a chronicle into a picture file (needs the ``plot`` extra).

The pictures themselves are :mod:`chronology.plot`'s, imported only when the command runs, so
the other commands start without matplotlib.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from chronology.cli.app import cli
from chronology.cli.options import WHEN, db_option, opened, recorded_by_option

__all__: list[str] = []


@cli.command()
@db_option
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The picture to write: a .png, .svg or .pdf file.",
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
@recorded_by_option
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
      chronology plot --db chronology-demo.db --out report.pdf
      chronology plot --db chronology-demo.db --out visit.svg \\
          --subject visit/lavrov-china-2024-04 --as-of 2024-04-10
    """
    from chronology import plot as plotting
    from chronology.plot.common import FORMATS

    suffix = Path(out).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise click.BadParameter(
            f"{out!r}: the file name must end in .png, .svg or .pdf", param_hint="'--out'"
        )

    with opened(db) as chronicle:
        figure = plotting.overview(
            chronicle, subjects or None, as_of=as_of_, recorded_by=recorded_by
        )
    plotting.save(figure, out)
    click.echo(f"{out}: written")
