"""The figures: which expectations to draw as of an instant, and the panels composed into one
:class:`matplotlib.figure.Figure`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

import attrs

from chronology.chronicle import Chronicle
from chronology.expectations import (
    Figured,
    FigureExpectation,
    PlanExpectation,
    TradeExpectation,
    VisitExpectation,
)
from chronology.plot.common import NothingToPlotError, When, literal_text, require_matplotlib
from chronology.plot.trades import draw_trades, trade_bars, trade_groups
from chronology.plot.visits import VisitPlot, draw_visit, visit_plot
from chronology.time import UTC, as_of_instant

if TYPE_CHECKING:
    import matplotlib.figure

__all__ = ["overview", "timeline", "trade_figures"]


@attrs.frozen
class _Plan:
    as_of: datetime
    visits: tuple[VisitPlot, ...]
    trades: tuple[Figured, ...]


def _end_of_day(t: datetime) -> datetime:
    return datetime(t.year, t.month, t.day, tzinfo=UTC) + timedelta(days=1, microseconds=-1)


def _plan(
    chronicle: Chronicle,
    subjects: Iterable[str] | None,
    as_of: When | None,
    recorded_by: When | None,
    *,
    kinds: tuple[str, ...],
) -> _Plan:
    wanted = None if subjects is None else list(dict.fromkeys(subjects))
    by = None if recorded_by is None else as_of_instant(recorded_by)
    if as_of is None:
        known = [r.event for r in chronicle if by is None or r.recorded_at <= by]
        if not known:
            raise NothingToPlotError("the chronicle holds no events to plot")
        mine = [e.known_at for e in known if wanted is None or e.subject in wanted]
        at = _end_of_day(max(mine or [e.known_at for e in known]))
    else:
        at = as_of_instant(as_of)
    view = chronicle.as_of(at, recorded_by=by)
    found = {e.subject: e for e in view.expectations() if e.kind in kinds}
    if wanted is not None:
        missing = [s for s in wanted if s not in found]
        if missing:
            what = _either(kinds)
            raise NothingToPlotError(
                f"no {what} expectation {', '.join(map(repr, missing))} as of {at.isoformat()}"
            )
        chosen = [found[s] for s in wanted]
    else:
        chosen = list(found.values())
    visits = tuple(
        visit_plot(chronicle, e, at, by)
        for e in chosen
        if isinstance(e, (VisitExpectation, PlanExpectation))
    )
    trades = tuple(
        e
        for e in chosen
        if isinstance(e, (TradeExpectation, FigureExpectation)) and (e.quantity or e.reports)
    )
    if not visits and not trades:
        what = _either(kinds)
        raise NothingToPlotError(f"no {what} expectations to plot as of {at.isoformat()}")
    return _Plan(at, visits, trades)


def _figure(plan: _Plan, *, title: str) -> matplotlib.figure.Figure:
    from matplotlib.figure import Figure

    groups = trade_groups(plan.trades)
    heights: list[float] = [4.4] * len(plan.visits)
    for unit, ts in groups.items():
        rows = sum(len(trade_bars(t, unit)) + 1 for t in ts)
        heights.append(1.4 + 0.42 * rows)
    fig = Figure(figsize=(11, sum(heights) + 0.8), layout="constrained")
    fig.suptitle(title, fontsize=12)
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights)
    row = 0
    for visit in plan.visits:
        draw_visit(fig.add_subplot(grid[row]), visit, plan.as_of)
        row += 1
    scopes: dict[str, str] = {}
    for unit, ts in groups.items():
        draw_trades(fig.add_subplot(grid[row]), ts, unit, plan.as_of, scopes)
        row += 1
    literal_text(fig)
    return fig


#: What each plot draws: the kinds of expectation, in the order its messages name them.
_PLANNED: Final = ("visit", "plan")
_FIGURES: Final = ("trade", "figure")


def _either(kinds: tuple[str, ...]) -> str:
    """``"visit or plan"``, ``"visit, plan, trade or figure"``."""
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"


def _drawn(plan: _Plan) -> set[str]:
    return {v.expectation.kind for v in plan.visits} | {t.kind for t in plan.trades}


def _title(kind: str, at: datetime) -> str:
    return f"{kind}, as of {at.date().isoformat()}"


def timeline(
    chronicle: Chronicle,
    subjects: Iterable[str] | None = None,
    *,
    as_of: When | None = None,
    recorded_by: When | None = None,
) -> matplotlib.figure.Figure:
    """The visit timeline: each visit's window as believed at each moment, one panel a visit.

    Args:
        chronicle: the chronicle to draw.
        subjects: the visits to draw; all visits when ``None``.
        as_of: draw what was known by this instant, and mark it (a date means the end of that
            day, UTC). Default: the end of the day of the latest event.
        recorded_by: as recorded by this system-time instant; ``None``: as recorded now.

    Returns:
        A matplotlib figure (not attached to pyplot).

    Raises:
        NothingToPlotError: no visit to draw (or a subject given is not a visit known by then).
        MissingDependencyError: matplotlib is not installed.
    """
    require_matplotlib()
    plan = _plan(chronicle, subjects, as_of, recorded_by, kinds=_PLANNED)
    drawn = _drawn(plan)
    what = "visits and plans" if len(drawn) > 1 else f"{drawn.pop()}s"
    return _figure(plan, title=_title(f"Expected {what}", plan.as_of))


def trade_figures(
    chronicle: Chronicle,
    subjects: Iterable[str] | None = None,
    *,
    as_of: When | None = None,
    recorded_by: When | None = None,
) -> matplotlib.figure.Figure:
    """Projected trade figures against the latest reported figure of each scope.

    One horizontal bar for the latest projection of each flow and one for the latest report of
    each scope in the same dimension (hatched when preliminary), converted to the panel's unit
    (``940 kb/d`` is drawn as ``0.94 mb/d`` beside a projection in ``mb/d``) and labelled with
    the figure and, for the projection's own scope, its error (in percentage points between
    percentages). Reports of another dimension are listed beside the flow's name: converting
    tonnes to barrels needs a grade-dependent factor, so none is guessed.

    Args:
        chronicle: the chronicle to draw.
        subjects: the trade flows to draw; all when ``None``.
        as_of: draw what was known by this instant. Default: the end of the day of the latest
            event.
        recorded_by: as recorded by this system-time instant; ``None``: as recorded now.

    Returns:
        A matplotlib figure, one panel per dimension.

    Raises:
        NothingToPlotError: no trade figure to draw.
        MissingDependencyError: matplotlib is not installed.
    """
    require_matplotlib()
    plan = _plan(chronicle, subjects, as_of, recorded_by, kinds=_FIGURES)
    what = "Trade projections" if _drawn(plan) == {"trade"} else "Projections"
    return _figure(plan, title=_title(f"{what} and reports", plan.as_of))


def overview(
    chronicle: Chronicle,
    subjects: Iterable[str] | None = None,
    *,
    as_of: When | None = None,
    recorded_by: When | None = None,
) -> matplotlib.figure.Figure:
    """The visit timelines above the trade figures, in one figure (what ``chronology plot``
    draws). Arguments as for :func:`timeline`; ``subjects`` may mix visits and trades.

    Raises:
        NothingToPlotError: nothing to draw, or a subject given has no expectation by then.
        MissingDependencyError: matplotlib is not installed.
    """
    require_matplotlib()
    plan = _plan(chronicle, subjects, as_of, recorded_by, kinds=_PLANNED + _FIGURES)
    return _figure(plan, title=_title("What was expected", plan.as_of))
