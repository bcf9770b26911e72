"""``chronology outcomes`` and ``chronology score``: how each expectation turned out, and who
was right, as of a date, as a table, JSON or CSV.

The numbers are :meth:`.Chronicle.outcomes` and :meth:`.Outcomes.scores`; the rows are their
flat records (see :mod:`chronology.outcome_tables` for the cell forms).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, cast

import click

from chronology.cli.app import cli
from chronology.cli.options import (
    WHEN,
    Format,
    db_option,
    emit,
    format_option,
    opened,
    recorded_by_option,
)
from chronology.hedges import Likelihood
from chronology.outcome_records import ERROR_COLUMNS, OUTCOME_COLUMNS
from chronology.outcome_tables import (
    BY_HORIZON,
    plain_records,
    records_csv,
    records_table,
    with_horizons,
)
from chronology.render import iso
from chronology.scores import SCORE_COLUMNS, GroupBy

__all__: list[str] = []

# The columns the tables show (the JSON and CSV forms give every column), and their headers.
_OUTCOME_SHOWN: Final = tuple(c for c in OUTCOME_COLUMNS if not c.startswith("actual_"))
_ERROR_SHOWN: Final = tuple(c for c in ERROR_COLUMNS if c not in ("reported_unit", "error_unit"))
_SCORE_SHOWN: Final = tuple(
    dict.fromkeys(
        BY_HORIZON if c.startswith("mean_abs_relative_error_") else c for c in SCORE_COLUMNS
    )
)
_HEADERS: Final = {
    "revisions_toward_outcome": "toward outcome",
    "projected_value": "projected",
    "projected_unit": "unit",
    "reported_value": "reported",
    "error_value": "error",
    "on_time_rate": "on time",
    "mean_lead_time": "lead time",
    "mean_notice": "notice",
    BY_HORIZON: "mean |relative error| by horizon",
}


def _headers(columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_HEADERS.get(c, c.replace("_", " ")) for c in columns)


def _reference_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--reference",
        default=None,
        metavar="NAME",
        help="Judge figures against the latest report of this scope or source, rather than "
        "of each projection's own scope.",
    )(f)


def _as_of_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--as-of",
        "as_of_",
        type=WHEN,
        required=True,
        help="Resolve with only what was known by this (assertion-time) date or instant.",
    )(f)


def _probabilities(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, float]:
    """``LEVEL=P`` pairs as a mapping, refused with a usage error when malformed."""
    levels = {m.value for m in Likelihood}
    out: dict[str, float] = {}
    for text in values:
        level, sep, number = text.partition("=")
        level = level.strip()
        try:
            p = float(number)
        except ValueError:
            p = -1.0
        if not sep or level not in levels or not 0.0 <= p <= 1.0:
            raise click.BadParameter(
                f"{text!r}: expected LEVEL=P with LEVEL one of {', '.join(sorted(levels))} and "
                "P a number from 0 to 1",
                ctx,
                param,
            )
        out[level] = p
    return out


@cli.command()
@_as_of_option
@db_option
@recorded_by_option
@_reference_option
@click.option(
    "--errors",
    "errors",
    is_flag=True,
    help="List the error of every figure vintage (one row each) instead of one row a subject.",
)
@format_option
def outcomes(
    as_of_: datetime,
    db: str,
    recorded_by: datetime | None,
    reference: str | None,
    errors: bool,
    fmt: Format,
) -> None:
    """Show how every expectation turned out, with only what was known by --as-of.

    Visits and plans: occurred, cancelled, lapsed (overdue) or open, with their timing, lead
    time, notice and slippage (in days). Figures: how many vintages have an error against the
    reference report, and the share of revisions that moved toward it; --errors lists each
    vintage's error and horizon.

    \b
    Example:
      chronology outcomes --as-of 2025-03-01 --db oil.db
      chronology outcomes --as-of 2025-03-01 --errors --format csv
      chronology outcomes --as-of 2023-07-01 --format json
    """
    with opened(db) as chronicle:
        result = chronicle.outcomes(as_of_, recorded_by=recorded_by, reference=reference)
    columns: tuple[str, ...]
    shown: tuple[str, ...]
    headers: tuple[str, ...]
    if errors:
        records = result.error_records()
        columns, shown, headers = ERROR_COLUMNS, _ERROR_SHOWN, _headers(_ERROR_SHOWN)
        key, empty = "errors", "no figure vintage with a comparable report"
    else:
        records = result.to_records()
        columns, shown, headers = OUTCOME_COLUMNS, _OUTCOME_SHOWN, _headers(_OUTCOME_SHOWN)
        key, empty = "outcomes", "nothing to resolve"
    emit(
        fmt,
        table=lambda: (
            records_table(records, shown, headers)
            if records
            else f"{empty} as of {iso(result.as_of)}"
        ),
        data=lambda: {
            "as_of": iso(result.as_of),
            "recorded_by": iso(recorded_by),
            key: plain_records(records),
        },
        rows=lambda: records_csv(records, columns),
    )


@cli.command()
@_as_of_option
@click.option(
    "--by",
    type=click.Choice(["source", "cue", "kind"]),
    default="source",
    show_default=True,
    help="Group by the source that spoke, the hedge cue, or the kind of expectation.",
)
@db_option
@recorded_by_option
@_reference_option
@click.option(
    "--probability",
    "probabilities",
    multiple=True,
    metavar="LEVEL=P",
    callback=_probabilities,
    help="The probability a likelihood level stands for, overriding its default "
    "(repeat for several), as in --probability probable=0.8.",
)
@format_option
def score(
    as_of_: datetime,
    by: str,
    db: str,
    recorded_by: datetime | None,
    reference: str | None,
    probabilities: dict[str, float],
    fmt: Format,
) -> None:
    """Score the sources (or cues, or kinds) with what was known by --as-of.

    Per group: how many expectations occurred, were cancelled, lapsed or are open; the
    on-time rate, mean lead time and notice (days); the mean absolute relative error of
    figures by horizon; the Brier and log scores of the hedged events (open ones left out
    and counted).

    \b
    Example:
      chronology score --as-of 2025-03-01 --by source --db oil.db
      chronology score --as-of 2023-07-01 --by cue --format json
    """
    with opened(db) as chronicle:
        result = chronicle.outcomes(as_of_, recorded_by=recorded_by, reference=reference)
    table = result.scores(cast(GroupBy, by), probabilities=probabilities or None)
    records = table.to_records()
    emit(
        fmt,
        table=lambda: (
            records_table(with_horizons(records), _SCORE_SHOWN, _headers(_SCORE_SHOWN))
            if records
            else f"nothing to score as of {iso(result.as_of)}"
        ),
        data=lambda: {
            "as_of": iso(result.as_of),
            "recorded_by": iso(recorded_by),
            "by": by,
            "probabilities": dict(probabilities),
            "scores": plain_records(records),
        },
        rows=lambda: records_csv(records, SCORE_COLUMNS),
    )
