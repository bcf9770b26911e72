"""Pictures of outcomes and scores: who was right, how early, how well calibrated.

* :func:`reliability`: the reliability diagram of the hedged forecasts, probability said
  against frequency observed (:func:`chronology.scores.calibration`), one line per group;
  the diagonal is a perfectly calibrated forecaster.
* :func:`errors_by_horizon`: each figure vintage's relative error (error over the report, the
  library's one definition) against its horizon, one series per source, the horizon running
  down to the end of the period from left to right.
* :func:`vintages`: the projection vintages of one or more figures over assertion time (a
  step line: each vintage holds until the next), with the reported outcome(s) as horizontal
  lines (dashed while preliminary) and their own markers at the date they were reported.

The numbers come from :meth:`.Chronicle.outcomes` and the view; nothing here computes an
error or a score. Lines and points carry a ``gid`` naming what they show
(``calibration:<group>``, ``errors:<source>``, ``vintages:<subject>``,
``reported:<subject>:<n>``) so that tests and SVG readers can find them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from chronology.chronicle import Chronicle
from chronology.errors import ChronologyError
from chronology.expectations import FigureExpectation, TradeExpectation
from chronology.plot.common import (
    NothingToPlotError,
    When,
    date_axis,
    gid,
    literal_text,
    num,
    require_matplotlib,
    scope_colour,
)
from chronology.render import number_text
from chronology.resolution import Outcomes
from chronology.scores import Forecast, calibration
from chronology.time import as_of_instant
from chronology.units import same_dimension

if TYPE_CHECKING:
    import matplotlib.figure

__all__ = ["errors_by_horizon", "reliability", "vintages"]

_DAY_SECONDS = 86_400.0


def _figure(title: str, size: tuple[float, float] = (8.0, 5.5)) -> matplotlib.figure.Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    fig.suptitle(title, fontsize=12)
    return fig


def reliability(
    outcomes: Outcomes,
    *,
    by: Literal["source", "cue", "kind"] | None = None,
    probabilities: Mapping[str, float] | None = None,
    bins: int = 10,
) -> matplotlib.figure.Figure:
    """The reliability diagram of the hedged forecasts in ``outcomes``.

    Each point is a probability bucket: its mean forecast probability (x) against the share
    of its forecasts that came true (y), labelled with how many forecasts it holds. Forecasts
    of expectations still open are left out, as in the scores.

    Args:
        outcomes: what :meth:`.Chronicle.outcomes` answered.
        by: one line per ``"source"``, ``"cue"`` or ``"kind"``; one line for all when ``None``.
        probabilities: default probabilities by likelihood level, as for the scores.
        bins: how many equal probability buckets.

    Raises:
        NothingToPlotError: no resolved forecast to draw.
        MissingDependencyError: matplotlib is not installed.
        ChronologyError: for another ``by``, a bad ``bins`` or a bad probability.
    """
    require_matplotlib()
    groups: dict[str, list[Forecast]] = {}
    if by is not None and by not in ("source", "cue", "kind"):
        raise ChronologyError(f"by: expected 'source', 'cue' or 'kind', got {by!r}")
    for f in outcomes.forecasts():
        key = "all" if by is None else getattr(f, by) or "(none)"
        groups.setdefault(str(key), []).append(f)
    fig = _figure(f"Reliability of the hedged forecasts, as of {outcomes.as_of.date()}")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", linewidth=1, gid="diagonal")
    drawn = 0
    for index, (group, forecasts) in enumerate(sorted(groups.items())):
        table = calibration(forecasts, probabilities, bins=bins)
        if not table:
            continue
        xs = [b.mean_probability for b in table]
        ys = [b.observed for b in table]
        ax.plot(
            xs,
            ys,
            marker="o",
            color=scope_colour(index),
            label=f"{group} ({sum(b.count for b in table)})",
            gid=gid("calibration", group),
        )
        for b in table:
            ax.annotate(
                str(b.count),
                (b.mean_probability, b.observed),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=8,
            )
        drawn += 1
    if not drawn:
        raise NothingToPlotError(
            f"no resolved hedged forecast as of {outcomes.as_of.isoformat()} (open ones are "
            "left out)"
        )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("forecast probability (the number given, or the likelihood's default)")
    ax.set_ylabel("observed frequency")
    ax.legend(fontsize=8, loc="upper left")
    literal_text(fig)
    return fig


def errors_by_horizon(outcomes: Outcomes) -> matplotlib.figure.Figure:
    """Each figure vintage's relative error against its horizon, one series per source.

    The x axis is the horizon in days (from the vintage to the end of the period), falling
    from left to right as the period draws near; the y axis the relative error in percent
    (error over the reference report: above zero the outcome came in higher than projected).

    Args:
        outcomes: what :meth:`.Chronicle.outcomes` answered.

    Raises:
        NothingToPlotError: no vintage with both a relative error and a horizon.
        MissingDependencyError: matplotlib is not installed.
    """
    require_matplotlib()
    series: dict[str, list[tuple[float, float]]] = {}
    for r in outcomes.error_records():
        horizon, relative = r["horizon"], r["relative"]
        if not isinstance(horizon, timedelta) or not isinstance(relative, float):
            continue
        days = horizon.total_seconds() / _DAY_SECONDS
        series.setdefault(str(r["source"] or "(no source)"), []).append((days, 100 * relative))
    if not series:
        raise NothingToPlotError(
            f"no figure vintage with a comparable report as of {outcomes.as_of.isoformat()}"
        )
    fig = _figure(f"Relative error by horizon, as of {outcomes.as_of.date()}")
    ax = fig.add_subplot()
    ax.axhline(0, color="#999999", linewidth=1, gid="zero")
    for index, (source, points) in enumerate(sorted(series.items())):
        points.sort(reverse=True)
        ax.plot(
            [d for d, _ in points],
            [e for _, e in points],
            marker="o",
            color=scope_colour(index),
            label=source,
            gid=gid("errors", source),
        )
    ax.invert_xaxis()
    ax.set_xlabel("horizon: days to the end of the period")
    ax.set_ylabel("relative error, % of the report")
    ax.legend(fontsize=8)
    literal_text(fig)
    return fig


def vintages(
    chronicle: Chronicle,
    subjects: str | Iterable[str],
    *,
    as_of: When | None = None,
    recorded_by: When | None = None,
) -> matplotlib.figure.Figure:
    """The projection vintages of figures over assertion time, with the reported outcome.

    Each subject gets a step line through its projections and revisions (x: when each was
    made public; y: the figure, in the unit of the first subject's first projection) and a
    horizontal line for each report (dashed while preliminary), with a marker at the date it
    was reported. Figures of another dimension than the first are refused rather than
    converted with a guessed factor.

    Args:
        chronicle: the chronicle.
        subjects: one figure or trade flow, or several to compare (OPEC's and the IEA's).
        as_of: what was known by this instant. Default: everything.
        recorded_by: as recorded by this system-time instant; ``None``: as recorded now.

    Raises:
        NothingToPlotError: a subject is not a figure or trade flow with a projection or
            report by then, or is of another dimension than the first.
        MissingDependencyError: matplotlib is not installed.
    """
    require_matplotlib()
    wanted = [subjects] if isinstance(subjects, str) else list(dict.fromkeys(subjects))
    if not wanted:
        raise NothingToPlotError("vintages: name at least one figure")
    at = datetime.max.replace(tzinfo=UTC) if as_of is None else as_of_instant(as_of)
    by = None if recorded_by is None else as_of_instant(recorded_by, field="recorded_by")
    view = chronicle.as_of(at, recorded_by=by)
    figures: list[TradeExpectation | FigureExpectation] = []
    for subject in wanted:
        e = view.get(subject)
        if not isinstance(e, TradeExpectation | FigureExpectation) or not (
            e.projections or e.reports
        ):
            raise NothingToPlotError(f"{subject!r}: no figure with a projection or report")
        figures.append(e)
    first = figures[0]
    unit = (first.projections or first.reports)[0].quantity.unit
    for e in figures:
        for v in (*e.projections, *e.reports):
            if not same_dimension(v.quantity.unit, unit):
                raise NothingToPlotError(
                    f"{e.subject!r}: {v.quantity.unit} and {unit} measure different dimensions"
                )
    fig = _figure(f"Projection vintages and the reported outcome ({unit})", size=(9.0, 5.5))
    ax = fig.add_subplot()
    for index, e in enumerate(figures):
        colour = scope_colour(index)
        points = [(num(v.known_at), v.quantity.to(unit).value) for v in e.projections]
        if points:
            ax.plot(
                [x for x, _ in points],
                [y for _, y in points],
                drawstyle="steps-post",
                marker="o",
                color=colour,
                label=f"{e.subject} (projected)",
                gid=gid("vintages", e.subject),
            )
        for n, report in enumerate(e.reports):
            value = report.quantity.to(unit).value
            ax.axhline(
                value,
                color=colour,
                linestyle="--" if report.preliminary else "-",
                linewidth=1,
                gid=gid("reported", e.subject, str(n)),
            )
            ax.plot(
                [num(report.known_at)],
                [value],
                marker="*",
                markersize=11,
                color=colour,
                linestyle="none",
                label=f"reported {number_text(value)} {unit}"
                + (" (preliminary)" if report.preliminary else ""),
                gid=gid("report", e.subject, str(n)),
            )
    date_axis(ax, "x")
    ax.set_xlabel("assertion time (when it was said)")
    ax.set_ylabel(unit)
    ax.legend(fontsize=8)
    literal_text(fig)
    return fig
