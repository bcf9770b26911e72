"""Timelines of planned happenings: each visit's (or plan's) window as believed at each moment,
one panel each.

The x axis is *target time* (when the visit or plan was expected to happen), the y axis
*assertion time* (when it was said), running down the page. A plan (a summit, an output
increase) is drawn exactly as a visit is: it has the same life cycle.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

import attrs

from chronology.chronicle import Chronicle
from chronology.events import (
    Event,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.expectations import PlanExpectation, Planned, Status, VisitExpectation
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)
from chronology.plot.common import AS_OF_COLOUR, STATUS_COLOURS, date_axis, gid, num
from chronology.render import window_text
from chronology.time import Window

if TYPE_CHECKING:
    import matplotlib.axes

__all__ = ["Mark", "Step", "VisitPlot", "draw_visit", "visit_plot"]


@attrs.frozen
class Step:
    """One band of a visit timeline: the window believed from ``since`` on."""

    since: datetime
    until: datetime
    status: Status
    window: Window | None


@attrs.frozen
class Mark:
    """An event on a visit timeline."""

    known_at: datetime
    kind: str
    window: Window | None


@attrs.frozen
class VisitPlot:
    """What a visit's (or plan's) panel shows: the expectation, its bands and its marks."""

    expectation: Planned
    steps: tuple[Step, ...]
    marks: tuple[Mark, ...]


# The event kinds marked on a timeline, with their marker and legend label.
_MARKS: Final[dict[type[Event], tuple[str, str, str]]] = {
    VisitAnnounced: ("announced", "o", "announced"),
    VisitScheduled: ("scheduled", "s", "scheduled"),
    VisitRescheduled: ("rescheduled", "D", "rescheduled"),
    VisitPostponed: ("postponed", "v", "postponed"),
    VisitCancelled: ("cancelled", "X", "cancelled"),
    VisitOccurred: ("occurred", "*", "occurred"),
    PlanAnnounced: ("announced", "o", "announced"),
    PlanScheduled: ("scheduled", "s", "scheduled"),
    PlanRescheduled: ("rescheduled", "D", "rescheduled"),
    PlanPostponed: ("postponed", "v", "postponed"),
    PlanCancelled: ("cancelled", "X", "cancelled"),
    PlanOccurred: ("occurred", "*", "occurred"),
}


_MARKER: Final = {kind: (marker, label) for kind, marker, label in _MARKS.values()}


_CAN_LAPSE: Final = frozenset({Status.ANNOUNCED, Status.SCHEDULED, Status.POSTPONED})


def visit_plot(
    chronicle: Chronicle, expectation: Planned, at: datetime, by: datetime | None
) -> VisitPlot:
    """The bands and marks of one visit (or plan), from its history up to ``at``."""
    steps: list[Step] = []
    marks: list[Mark] = []
    for change in chronicle.history(expectation.subject, recorded_by=by):
        if change.known_at > at:
            break
        after = change.after
        if not isinstance(after, (VisitExpectation, PlanExpectation)):
            continue
        entry = _MARKS.get(type(change.event))
        if entry is not None:
            marks.append(Mark(change.known_at, entry[0], after.window))
        if steps and (steps[-1].status, steps[-1].window) == (after.status, after.window):
            continue
        if steps and steps[-1].since == change.known_at:
            steps.pop()  # said at the same instant: only the last word counts
        steps.append(Step(change.known_at, at, after.status, after.window))
    bands = tuple(
        attrs.evolve(s, until=steps[i + 1].since) if i + 1 < len(steps) else s
        for i, s in enumerate(steps)
    )
    return VisitPlot(expectation, bands, tuple(marks))


def _band(
    ax: matplotlib.axes.Axes,
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


def _name(e: Planned) -> str:
    """A panel's name: who visits whom, or what is planned, beside the subject."""
    if isinstance(e, VisitExpectation):
        return f"{e.visitor} to {e.host} ({e.subject})" if e.visitor and e.host else e.subject
    return f"{e.what} ({e.subject})" if e.what else e.subject


def draw_visit(ax: matplotlib.axes.Axes, visit: VisitPlot, at: datetime) -> None:
    """Draw one visit's (or plan's) panel: its bands (overdue from the end of a window that
    passed with no news), its marks on the diagonal, its outcome, and the as-of line at ``at``."""
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
    span = num(x1) - num(x0)

    # Where target time equals assertion time: left of it, the dates were already past.
    d0, d1 = num(max(x0, y0)), num(min(x1, y1))
    ax.plot([d0, d1], [d0, d1], color="#969696", linewidth=0.8, linestyle=":")
    handles: list[Line2D] = [
        Line2D([], [], color="#969696", linewidth=0.8, linestyle=":", label="said = expected time")
    ]
    for i, s in enumerate(visit.steps):
        top, bottom = num(s.since), num(s.until)
        if s.window is None:
            ax.text(
                num(s.since),
                (top + bottom) / 2,
                f"  {s.status.value}: dates unknown",
                va="center",
                fontsize=8,
                color="#636363",
            )
            continue
        left = num(s.window.start if s.window.start is not None else x0)
        right = num(s.window.end if s.window.end is not None else x1)
        approximate = s.window.approximate or s.window.uncertain
        colour = STATUS_COLOURS.get(s.status, "#d9d9d9")
        # Announced, scheduled or postponed-to dates that pass with no news turn overdue.
        due = s.window.end
        if s.status in _CAN_LAPSE and due is not None and due < s.until:
            split = num(max(due, s.since))
            _band(
                ax,
                left,
                right,
                top,
                split,
                colour=colour,
                approximate=approximate,
                gid=gid("window", e.subject, str(i)),
            )
            _band(
                ax,
                left,
                right,
                split,
                bottom,
                colour=STATUS_COLOURS[Status.OVERDUE],
                approximate=approximate,
                gid=gid("overdue", e.subject, str(i)),
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
                gid=gid("window", e.subject, str(i)),
            )
        label = f"{s.status.value}: {window_text(s.window)}"
        middle = top + max(bottom - top, 1e-3) / 2
        if right - left > span / 3:  # a wide band holds its own label
            ax.text(left, middle, f"  {label}", va="center", ha="left", fontsize=8)
        elif right > num(x0) + span * 0.7:  # near the right edge: label on the left
            ax.text(left, middle, f"{label}  ", va="center", ha="right", fontsize=8)
        else:
            ax.text(right, middle, f"  {label}", va="center", ha="left", fontsize=8)
    seen: set[str] = set()
    for i, m in enumerate(visit.marks):
        marker, label = _MARKER[m.kind]
        y = num(m.known_at)
        if m.kind == "occurred":
            # The outcome sits at the actual dates, on the line of when it was reported.
            if m.window is not None and m.window.start is not None:
                end = m.window.end if m.window.end is not None else m.window.start
                x = num(m.window.start + (end - m.window.start) / 2)
            else:
                x = y
            size, face = 15, STATUS_COLOURS[Status.OCCURRED]
        else:
            x, size, face = y, 8, "white"
            if m.window is not None and m.window.start is not None:
                # Lead time: from when it was said to when it was expected.
                ax.plot([y, num(m.window.start)], [y, y], color="#737373", linewidth=0.6)
        ax.plot(
            [x],
            [y],
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor=face,
            markeredgecolor="#252525",
            gid=gid("event", m.kind, e.subject, str(i)),
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
        num(at), color=AS_OF_COLOUR, linestyle="--", linewidth=1.2, gid=gid("as-of", e.subject)
    )
    ax.text(
        num(x1),
        num(at),
        f"as of {at.date().isoformat()} ",
        color=AS_OF_COLOUR,
        ha="right",
        va="bottom",
        fontsize=8,
    )
    ax.set_xlim(num(x0), num(x1))
    ax.set_ylim(num(y1), num(y0))  # assertion time runs down the page
    date_axis(ax, "x")
    date_axis(ax, "y")
    ax.set_xlabel("target time: when it was expected to happen")
    ax.set_ylabel("assertion time: when it was said")
    ax.set_title(f"{_name(e)}: {e.status.value}", fontsize=10, loc="left")
    ax.grid(True, linewidth=0.3, alpha=0.6)
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
