"""Pictures of a chronicle: how expectations moved, as :mod:`matplotlib` figures.

Needs the ``plot`` extra (``pip install 'expectation-chronology[plot]'``); matplotlib is imported
only when a function here is called.

* :func:`timeline`: one panel per visit. The x axis is *target time* (when the visit was expected
  to happen), the y axis *assertion time* (when it was said), running down the page. Each band is
  the window believed from one statement until the next one changed it; markers on the diagonal
  (where target time equals assertion time) show when each announcement, schedule, reschedule,
  postponement or cancellation was made, and a star the actual dates of the visit. The dashed
  line is the as-of instant.
* :func:`trade_figures`: for each trade flow, the projected figure against the latest figure
  reported in each scope (a scope is what a figure measures, and figures of different scopes
  answer different questions). One panel per dimension: figures in ``mb/d``, ``kb/d`` and
  ``bbl/d`` share one, converted to its unit; tonnes and barrels never do.
* :func:`overview`: both, in one figure: what ``chronology plot`` draws.

Every function returns a :class:`matplotlib.figure.Figure` built without
:mod:`matplotlib.pyplot`, so it never opens a window; show it in a notebook, or write it with
:func:`save`.

Example:
    >>> from chronology import Chronicle
    >>> from chronology.plot import overview, save
    >>> c = Chronicle()
    >>> _ = c.import_jsonl("seeds/russia-china-2024.jsonl")  # doctest: +SKIP
    >>> save(overview(c, as_of="2024-04-21"), "seed.png")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from chronology.chronicle import Chronicle
from chronology.errors import ChronologyError
from chronology.events import (
    Event,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.expectations import Status, TradeExpectation, Vintage, VisitExpectation
from chronology.outcomes import projection_error
from chronology.quantity import Quantity
from chronology.render import error_text, number_text, window_text
from chronology.time import UTC, Window, as_of_instant
from chronology.units import same_dimension

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MissingDependencyError",
    "NothingToPlotError",
    "overview",
    "save",
    "timeline",
    "trade_figures",
]

When = datetime | date | str


class MissingDependencyError(ChronologyError, ImportError):
    """An optional dependency of :mod:`chronology.plot` (matplotlib) is not installed."""


class NothingToPlotError(ChronologyError, ValueError):
    """The chronicle holds nothing the requested picture could show."""


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "plotting needs matplotlib; install the 'plot' extra: "
            "pip install 'expectation-chronology[plot]'"
        ) from None


# -- what to draw ---------------------------------------------------------------------------------


@attrs.frozen
class _Step:
    """One band of a visit timeline: the window believed from ``since`` on."""

    since: datetime
    until: datetime
    status: Status
    window: Window | None


@attrs.frozen
class _Mark:
    """An event on a visit timeline."""

    known_at: datetime
    kind: str
    window: Window | None


@attrs.frozen
class _Visit:
    expectation: VisitExpectation
    steps: tuple[_Step, ...]
    marks: tuple[_Mark, ...]


@attrs.frozen
class _Plan:
    as_of: datetime
    visits: tuple[_Visit, ...]
    trades: tuple[TradeExpectation, ...]


# The event kinds marked on a timeline, with their marker and legend label.
_MARKS: Final[dict[type[Event], tuple[str, str, str]]] = {
    VisitAnnounced: ("announced", "o", "announced"),
    VisitScheduled: ("scheduled", "s", "scheduled"),
    VisitRescheduled: ("rescheduled", "D", "rescheduled"),
    VisitPostponed: ("postponed", "v", "postponed"),
    VisitCancelled: ("cancelled", "X", "cancelled"),
    VisitOccurred: ("occurred", "*", "occurred"),
}
_MARKER: Final = {kind: (marker, label) for kind, marker, label in _MARKS.values()}

_STATUS_COLOURS: Final[dict[Status, str]] = {
    Status.ANNOUNCED: "#9ecae1",
    Status.SCHEDULED: "#3182bd",
    Status.POSTPONED: "#fdae6b",
    Status.CANCELLED: "#bdbdbd",
    Status.OCCURRED: "#31a354",
    Status.OVERDUE: "#de2d26",
    Status.UNKNOWN: "#d9d9d9",
}
_PROJECTED_COLOUR: Final = "#6baed6"
_SCOPE_COLOURS: Final = ("#e6550d", "#31a354", "#756bb1", "#636363", "#d6616b", "#8c6d31")
_AS_OF_COLOUR: Final = "#de2d26"
_GID_UNSAFE: Final = re.compile(r"[^\w./-]+")
_CAN_LAPSE: Final = frozenset({Status.ANNOUNCED, Status.SCHEDULED, Status.POSTPONED})


def _visit_steps(
    chronicle: Chronicle, expectation: VisitExpectation, at: datetime, by: datetime | None
) -> _Visit:
    """The bands and marks of one visit, from its history up to ``at``."""
    steps: list[_Step] = []
    marks: list[_Mark] = []
    for change in chronicle.history(expectation.subject, recorded_by=by):
        if change.known_at > at:
            break
        after = change.after
        if not isinstance(after, VisitExpectation):
            continue
        entry = _MARKS.get(type(change.event))
        if entry is not None:
            marks.append(_Mark(change.known_at, entry[0], after.window))
        if steps and (steps[-1].status, steps[-1].window) == (after.status, after.window):
            continue
        if steps and steps[-1].since == change.known_at:
            steps.pop()  # said at the same instant: only the last word counts
        steps.append(_Step(change.known_at, at, after.status, after.window))
    bands = tuple(
        attrs.evolve(s, until=steps[i + 1].since) if i + 1 < len(steps) else s
        for i, s in enumerate(steps)
    )
    return _Visit(expectation, bands, tuple(marks))


def _end_of_day(t: datetime) -> datetime:
    return datetime(t.year, t.month, t.day, tzinfo=UTC) + timedelta(days=1, microseconds=-1)


def _plan(
    chronicle: Chronicle,
    subjects: Iterable[str] | None,
    as_of: When | None,
    recorded_by: When | None,
    *,
    kinds: frozenset[str],
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
            what = " or ".join(sorted(kinds))
            raise NothingToPlotError(
                f"no {what} expectation {', '.join(map(repr, missing))} as of {at.isoformat()}"
            )
        chosen = [found[s] for s in wanted]
    else:
        chosen = list(found.values())
    visits = tuple(
        _visit_steps(chronicle, e, at, by) for e in chosen if isinstance(e, VisitExpectation)
    )
    trades = tuple(
        e for e in chosen if isinstance(e, TradeExpectation) and (e.quantity or e.reports)
    )
    if not visits and not trades:
        what = " or ".join(sorted(kinds))
        raise NothingToPlotError(f"no {what} expectations to plot as of {at.isoformat()}")
    return _Plan(at, visits, trades)


# -- drawing --------------------------------------------------------------------------------------


def _num(t: datetime) -> float:
    from matplotlib import dates as mdates

    return float(mdates.date2num(t))


def _date_axis(ax: Axes, which: str) -> None:
    from matplotlib import dates as mdates

    locator = mdates.AutoDateLocator(tz=UTC, minticks=4, maxticks=10)
    formatter = mdates.DateFormatter("%d %b", tz=UTC)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(locator)
    axis.set_major_formatter(formatter)


def _band(
    ax: Axes,
    left: float,
    right: float,
    top: float,
    bottom: float,
    *,
    colour: str,
    approximate: bool,
    gid: str,
) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(
        Rectangle(
            (left, top),
            right - left,
            max(bottom - top, 1e-3),
            facecolor=colour,
            edgecolor="#3f3f3f",
            linewidth=0.8,
            linestyle="--" if approximate else "-",
            alpha=0.55 if approximate else 0.85,
            gid=gid,
        )
    )


def _draw_visit(ax: Axes, visit: _Visit, at: datetime) -> None:
    from matplotlib.lines import Line2D

    e = visit.expectation
    bounds = [s.since for s in visit.steps] + [at]
    for s in visit.steps:
        if s.window is not None:
            bounds += [t for t in (s.window.start, s.window.end) if t is not None]
    lo, hi = min(bounds), max(bounds)
    pad = max((hi - lo) / 25, timedelta(hours=12))
    x0, x1 = lo - pad, hi + pad
    y0, y1 = min(s.since for s in visit.steps) - pad, at + pad
    span = _num(x1) - _num(x0)

    # Where target time equals assertion time: left of it, the dates were already past.
    d0, d1 = _num(max(x0, y0)), _num(min(x1, y1))
    ax.plot([d0, d1], [d0, d1], color="#969696", linewidth=0.8, linestyle=":")
    handles: list[Line2D] = [
        Line2D([], [], color="#969696", linewidth=0.8, linestyle=":", label="said = expected time")
    ]
    for i, s in enumerate(visit.steps):
        top, bottom = _num(s.since), _num(s.until)
        if s.window is None:
            ax.text(
                _num(s.since),
                (top + bottom) / 2,
                f"  {s.status.value}: dates unknown",
                va="center",
                fontsize=8,
                color="#636363",
            )
            continue
        left = _num(s.window.start if s.window.start is not None else x0)
        right = _num(s.window.end if s.window.end is not None else x1)
        approximate = s.window.approximate or s.window.uncertain
        colour = _STATUS_COLOURS.get(s.status, "#d9d9d9")
        # Announced, scheduled or postponed-to dates that pass with no news turn overdue.
        due = s.window.end
        if s.status in _CAN_LAPSE and due is not None and due < s.until:
            split = _num(max(due, s.since))
            _band(
                ax,
                left,
                right,
                top,
                split,
                colour=colour,
                approximate=approximate,
                gid=_gid("window", e.subject, str(i)),
            )
            _band(
                ax,
                left,
                right,
                split,
                bottom,
                colour=_STATUS_COLOURS[Status.OVERDUE],
                approximate=approximate,
                gid=_gid("overdue", e.subject, str(i)),
            )
        else:
            _band(
                ax,
                left,
                right,
                top,
                bottom,
                colour=colour,
                approximate=approximate,
                gid=_gid("window", e.subject, str(i)),
            )
        label = f"{s.status.value}: {window_text(s.window)}"
        middle = top + max(bottom - top, 1e-3) / 2
        if right - left > span / 3:  # a wide band holds its own label
            ax.text(left, middle, f"  {label}", va="center", ha="left", fontsize=8)
        elif right > _num(x0) + span * 0.7:  # near the right edge: label on the left
            ax.text(left, middle, f"{label}  ", va="center", ha="right", fontsize=8)
        else:
            ax.text(right, middle, f"  {label}", va="center", ha="left", fontsize=8)
    seen: set[str] = set()
    for i, m in enumerate(visit.marks):
        marker, label = _MARKER[m.kind]
        y = _num(m.known_at)
        if m.kind == "occurred":
            # The outcome sits at the actual dates, on the line of when it was reported.
            if m.window is not None and m.window.start is not None:
                end = m.window.end if m.window.end is not None else m.window.start
                x = _num(m.window.start + (end - m.window.start) / 2)
            else:
                x = y
            size, face = 15, _STATUS_COLOURS[Status.OCCURRED]
        else:
            x, size, face = y, 8, "white"
            if m.window is not None and m.window.start is not None:
                # Lead time: from when it was said to when it was expected.
                ax.plot([y, _num(m.window.start)], [y, y], color="#737373", linewidth=0.6)
        ax.plot(
            [x],
            [y],
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor=face,
            markeredgecolor="#252525",
            gid=_gid("event", m.kind, e.subject, str(i)),
        )
        if m.kind not in seen:
            seen.add(m.kind)
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=marker,
                    markersize=7 if m.kind != "occurred" else 10,
                    markerfacecolor=face,
                    markeredgecolor="#252525",
                    label=label,
                )
            )
    ax.axhline(
        _num(at), color=_AS_OF_COLOUR, linestyle="--", linewidth=1.2, gid=_gid("as-of", e.subject)
    )
    ax.text(
        _num(x1),
        _num(at),
        f"as of {at.date().isoformat()} ",
        color=_AS_OF_COLOUR,
        ha="right",
        va="bottom",
        fontsize=8,
    )
    ax.set_xlim(_num(x0), _num(x1))
    ax.set_ylim(_num(y1), _num(y0))  # assertion time runs down the page
    _date_axis(ax, "x")
    _date_axis(ax, "y")
    ax.set_xlabel("target time: when it was expected to happen")
    ax.set_ylabel("assertion time: when it was said")
    name = f"{e.visitor} to {e.host} ({e.subject})" if e.visitor and e.host else e.subject
    ax.set_title(f"{name}: {e.status.value}", fontsize=10, loc="left")
    ax.grid(True, linewidth=0.3, alpha=0.6)
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)


@attrs.frozen
class _Bar:
    label: str
    value: float
    scope: str
    projected: bool
    preliminary: bool
    gid: str
    note: str


def _gid(*parts: str) -> str:
    """An element id for SVG output: the parts joined by ``:``, spaces and punctuation as ``-``."""
    return ":".join(_GID_UNSAFE.sub("-", p).strip("-") for p in parts)


def _scope_name(scope: str | None) -> str:
    return scope or "scope not given"


def _in(q: Quantity, unit: str) -> float:
    """The value of ``q`` in ``unit`` (of the same dimension)."""
    return q.to(unit).value


def _given(q: Quantity, unit: str) -> str:
    """`` (given as 1,610 kb/d)`` when ``q`` was given in another spelling than ``unit``."""
    return "" if q.unit == unit else f" (given as {number_text(q.value)} {q.unit})"


def _trade_bars(trade: TradeExpectation, unit: str) -> list[_Bar]:
    bars: list[_Bar] = []
    projected = trade.quantity
    if projected is not None and same_dimension(projected.unit, unit):
        earlier = [
            number_text(_in(f.quantity, unit))
            for f in trade.projections[:-1]
            if same_dimension(f.quantity.unit, unit)
        ]
        note = f"{number_text(_in(projected, unit))} {unit}{_given(projected, unit)}"
        if earlier:
            note += f" (earlier: {', '.join(earlier)})"
        bars.append(
            _Bar(
                label="projected",
                value=_in(projected, unit),
                scope=_scope_name(trade.scope),
                projected=True,
                preliminary=False,
                gid=_gid("bar", "projected", trade.subject),
                note=note,
            )
        )
    else:
        projected = None
    for scope in trade.scopes:
        figure = _latest(trade.reports, scope, unit)
        if figure is None:
            continue
        value = _in(figure.quantity, unit)
        note = f"{number_text(value)} {unit}{_given(figure.quantity, unit)}"
        if projected is not None and scope == trade.scope:
            note += _error_note(projected, figure.quantity)
        if figure.preliminary:
            note += ", preliminary"
        bars.append(
            _Bar(
                label="reported",
                value=value,
                scope=_scope_name(scope),
                projected=False,
                preliminary=figure.preliminary,
                gid=_gid("bar", "reported", trade.subject, _scope_name(scope)),
                note=note,
            )
        )
    return bars


def _error_note(projected: Quantity, reported: Quantity) -> str:
    """`` (+7.1%)``, or `` (-0.5 pp)`` between percentages; empty for a zero projection."""
    text = error_text(projection_error(projected, reported))
    return f" ({text})" if text else ""


def _latest(figures: Sequence[Vintage], scope: str | None, unit: str) -> Vintage | None:
    for f in reversed(figures):
        if f.scope == scope and same_dimension(f.quantity.unit, unit):
            return f
    return None


def _unit_of(trade: TradeExpectation) -> str:
    if trade.quantity is not None:
        return trade.quantity.unit
    return trade.reports[0].quantity.unit


def _other_units(trade: TradeExpectation, unit: str) -> list[str]:
    return [
        f"{number_text(f.quantity.value)} {f.quantity.unit} ({_scope_name(f.scope)})"
        for f in trade.reports
        if not same_dimension(f.quantity.unit, unit)
    ]


def _trade_groups(trades: Sequence[TradeExpectation]) -> dict[str, list[TradeExpectation]]:
    """The trades by dimension, each group under the unit of its first trade: one panel each,
    so that ``Mbbl/d`` and ``kb/d`` figures share an axis."""
    groups: dict[str, list[TradeExpectation]] = {}
    for t in trades:
        unit = _unit_of(t)
        key = next((u for u in groups if same_dimension(u, unit)), unit)
        groups.setdefault(key, []).append(t)
    return groups


def _draw_trades(
    ax: Axes, trades: Sequence[TradeExpectation], unit: str, at: datetime, scopes: dict[str, str]
) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    positions: list[float] = []
    labels: list[str] = []
    y = 0.0
    peak = 0.0
    for trade in trades:
        title = trade.subject
        others = _other_units(trade, unit)
        if others:
            title += f"   (also reported: {'; '.join(others)})"
        ax.text(0, y - 0.55, title, fontsize=8.5, fontweight="bold", va="bottom", ha="left")
        for bar in _trade_bars(trade, unit):
            colour = scopes.setdefault(bar.scope, _SCOPE_COLOURS[len(scopes) % len(_SCOPE_COLOURS)])
            (patch,) = ax.barh(
                [y],
                [bar.value],
                height=0.7,
                color=colour,
                alpha=0.45 if bar.projected else 0.9,
                edgecolor="#252525",
                linewidth=0.8,
                linestyle="--" if bar.projected else "-",
                hatch="//" if bar.preliminary else None,
            ).patches
            patch.set_gid(bar.gid)
            ax.text(bar.value, y, f" {bar.note}", va="center", ha="left", fontsize=8)
            positions.append(y)
            labels.append(bar.label)
            peak = max(peak, bar.value)
            y += 1
        y += 0.9
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_ylim(y - 0.5, -1.2)
    ax.set_xlim(0, peak * 1.5 if peak > 0 else 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number_text(v) if v else "0"))
    ax.set_xlabel(f"quantity ({unit})")
    ax.set_title(
        f"Projections against reported figures ({unit}), as of {at.date().isoformat()}",
        fontsize=10,
        loc="left",
    )
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.6)
    legend = [Patch(facecolor=c, edgecolor="#252525", label=s) for s, c in scopes.items()]
    legend += [
        Patch(facecolor="white", edgecolor="#252525", linestyle="--", label="projected (pale)"),
        Patch(facecolor="white", edgecolor="#252525", hatch="//", label="preliminary"),
    ]
    ax.legend(
        handles=legend,
        loc="lower right",
        fontsize=8,
        framealpha=0.9,
        title="scope",
        title_fontsize=8,
    )


# -- the figures ----------------------------------------------------------------------------------


def _figure(plan: _Plan, *, title: str) -> Figure:
    from matplotlib.figure import Figure

    groups = _trade_groups(plan.trades)
    heights: list[float] = [4.4] * len(plan.visits)
    for unit, ts in groups.items():
        rows = sum(len(_trade_bars(t, unit)) + 1 for t in ts)
        heights.append(1.4 + 0.42 * rows)
    fig = Figure(figsize=(11, sum(heights) + 0.8), layout="constrained")
    fig.suptitle(title, fontsize=12)
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights)
    row = 0
    for visit in plan.visits:
        _draw_visit(fig.add_subplot(grid[row]), visit, plan.as_of)
        row += 1
    scopes: dict[str, str] = {}
    for unit, ts in groups.items():
        _draw_trades(fig.add_subplot(grid[row]), ts, unit, plan.as_of, scopes)
        row += 1
    _literal_text(fig)
    return fig


def _literal_text(fig: Figure) -> None:
    """Draw every text of ``fig`` as it is: subjects, names, scopes and units come from the
    data, and ``$...$`` in them is not mathtext (``$\\foo$`` would not even parse), nor TeX
    when the user's matplotlib settings ask for ``text.usetex``."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        assert isinstance(text, Text)
        text.set_parse_math(False)
        text.set_usetex(False)


def _title(kind: str, at: datetime) -> str:
    return f"{kind}, as of {at.date().isoformat()}"


def timeline(
    chronicle: Chronicle,
    subjects: Iterable[str] | None = None,
    *,
    as_of: When | None = None,
    recorded_by: When | None = None,
) -> Figure:
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
    _require_matplotlib()
    plan = _plan(chronicle, subjects, as_of, recorded_by, kinds=frozenset({"visit"}))
    return _figure(plan, title=_title("Expected visits", plan.as_of))


def trade_figures(
    chronicle: Chronicle,
    subjects: Iterable[str] | None = None,
    *,
    as_of: When | None = None,
    recorded_by: When | None = None,
) -> Figure:
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
    _require_matplotlib()
    plan = _plan(chronicle, subjects, as_of, recorded_by, kinds=frozenset({"trade"}))
    return _figure(plan, title=_title("Trade projections and reports", plan.as_of))


def overview(
    chronicle: Chronicle,
    subjects: Iterable[str] | None = None,
    *,
    as_of: When | None = None,
    recorded_by: When | None = None,
) -> Figure:
    """The visit timelines above the trade figures, in one figure (what ``chronology plot``
    draws). Arguments as for :func:`timeline`; ``subjects`` may mix visits and trades.

    Raises:
        NothingToPlotError: nothing to draw, or a subject given has no expectation by then.
        MissingDependencyError: matplotlib is not installed.
    """
    _require_matplotlib()
    plan = _plan(chronicle, subjects, as_of, recorded_by, kinds=frozenset({"visit", "trade"}))
    return _figure(plan, title=_title("What was expected", plan.as_of))


def save(figure: Figure, path: str | os.PathLike[str]) -> None:
    """Write a figure to a ``.png`` or ``.svg`` file.

    SVG keeps its text as text (searchable, and styled by the reader's fonts) and stable element
    ids; both formats carry the figure's title in their metadata.

    Raises:
        ChronologyError: for another file extension, or a file that cannot be written.
    """
    _require_matplotlib()
    import matplotlib

    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ChronologyError(f"{target}: can only write .png or .svg, not {target.suffix!r}")
    title = figure.get_suptitle() or "chronology"
    metadata: dict[str, str | None] = {"Title": title}
    if fmt == "svg":
        metadata["Date"] = None
    try:
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "chronology"}):
            figure.savefig(target, format=fmt, dpi=120, metadata=metadata)
    except OSError as exc:
        raise ChronologyError(f"{target}: cannot write: {exc.strerror or exc}") from None
