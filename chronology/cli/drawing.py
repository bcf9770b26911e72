"""``chronology plot``: draw a chronicle into a picture file (needs the ``plot`` extra).

The pictures themselves are :mod:`chronology.plot`'s, imported only when the command runs, so
the other commands start without matplotlib.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final, cast

import click

from chronology.cli.app import cli
from chronology.cli.options import WHEN, db_option, opened, recorded_by_option
from chronology.scores import GroupBy

__all__: list[str] = []

#: The pictures ``chronology plot --picture`` draws.
_PICTURES: Final = ("overview", "reliability", "horizons", "vintages")


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
@click.option(
    "--picture",
    type=click.Choice(_PICTURES),
    default="overview",
    show_default=True,
    help="overview: visit and plan windows, trade and figure projections; reliability: the "
    "reliability diagram of the hedged forecasts; horizons: figure errors by horizon, per "
    "source; vintages: the projection vintages of the --subject figures with the reported outcome.",
)
@click.option(
    "--by",
    type=click.Choice(["source", "cue", "kind"]),
    default=None,
    help="reliability: one line per source, cue or kind (default: one line for all).",
)
def plot(
    db: str,
    out: str,
    subjects: tuple[str, ...],
    as_of_: datetime | None,
    recorded_by: datetime | None,
    picture: str,
    by: str | None,
) -> None:
    """Draw how expectations moved: visit and plan windows as believed over time, and trade
    and figure projections against the reported figures; or, with --picture, how they turned out.
    Needs the 'plot' extra (matplotlib).

    \b
    Example:
      chronology plot --db chronology-demo.db --out timeline.png
      chronology plot --db chronology-demo.db --out report.pdf
      chronology plot --db chronology-demo.db --out visit.svg \\
          --subject visit/lavrov-china-2024-04 --as-of 2024-04-10
      chronology plot --db oil.db --out horizons.png --picture horizons --as-of 2025-03-01
      chronology plot --db oil.db --out opec.png --picture vintages \\
          --subject figure/world-oil-demand-growth-2024/opec
    """
    from chronology import plot as plotting
    from chronology.plot.common import FORMATS

    suffix = Path(out).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise click.BadParameter(
            f"{out!r}: the file name must end in .png, .svg or .pdf", param_hint="'--out'"
        )
    if picture in ("reliability", "horizons") and as_of_ is None:
        raise click.UsageError(f"--picture {picture} needs --as-of (outcomes as known by then)")
    if picture == "vintages" and not subjects:
        raise click.UsageError("--picture vintages needs --subject (one or more figures)")

    with opened(db) as chronicle:
        if picture == "overview":
            figure = plotting.overview(
                chronicle, subjects or None, as_of=as_of_, recorded_by=recorded_by
            )
        elif picture == "vintages":
            figure = plotting.vintages(chronicle, subjects, as_of=as_of_, recorded_by=recorded_by)
        else:
            assert as_of_ is not None  # refused above without it
            outcomes = chronicle.outcomes(as_of_, recorded_by=recorded_by)
            if picture == "reliability":
                figure = plotting.reliability(outcomes, by=cast(GroupBy | None, by))
            else:
                figure = plotting.errors_by_horizon(outcomes)
    plotting.save(figure, out)
    click.echo(f"{out}: written")
