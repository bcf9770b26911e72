"""Draw the diagram of the three times for the concepts page: ``docs/_static/three-axes.png``.

Left, assertion time against target time: what was expected of the Lavrov visit, statement by
statement. Right, assertion time against system time: the records of the tutorial's chronicle, and
the corner of that plane a view sees.

Regenerate it (needs the ``plot`` extra, matplotlib) from the repository root with::

    python docs/_scripts/three_axes.py

The output is deterministic (no timestamp in the file), so rerunning it without changes leaves
the committed picture untouched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

OUT = Path(__file__).resolve().parent.parent / "_static" / "three-axes.png"

BLUE = "#1f5fa8"
GREY = "#8a8a8a"
RED = "#b3261e"
GREEN = "#2e7d32"


def day(month: int, d: int, hour: int = 12) -> datetime:
    """An instant in 2024, UTC."""
    return datetime(2024, month, d, hour, tzinfo=UTC)


def _date_axis(axis: object) -> None:
    axis.set_major_locator(mdates.DayLocator(bymonthday=(1, 8, 15, 22)))  # type: ignore[attr-defined]
    axis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[attr-defined]


def assertion_vs_target(ax: Axes) -> None:
    """What was expected of the visit: one bar per statement, at the time it was made."""
    said_soon, said_dates, said_done = day(4, 3), day(4, 7), day(4, 8)
    bars = [
        (said_soon, day(4, 3), day(5, 3), '"soon" (approximate)', BLUE, 0.35, "//"),
        (said_dates, day(4, 8, 0), day(4, 10, 0), "scheduled 8-9 April", BLUE, 0.9, None),
        (said_done, day(4, 8, 0), day(4, 10, 0), "occurred in Beijing", GREEN, 0.9, None),
    ]
    height = 0.7
    for said, start, end, label, colour, alpha, hatch in bars:
        y = mdates.date2num(said)
        x0, x1 = mdates.date2num(start), mdates.date2num(end)
        ax.add_patch(
            Rectangle(
                (x0, y - height / 2),
                x1 - x0,
                height,
                facecolor=colour,
                alpha=alpha,
                hatch=hatch,
                edgecolor=colour,
            )
        )
        ax.annotate(label, (x1, y), xytext=(6, 0), textcoords="offset points", va="center")
    as_of = mdates.date2num(day(4, 4, 23))
    ax.axhline(as_of, color=RED, linestyle="--", linewidth=1.2)
    ax.annotate(
        'as_of("2024-04-04") sees the bars below this line:\nthe visit is announced, "soon"',
        (mdates.date2num(day(4, 12)), as_of),
        xytext=(0, 8),
        textcoords="offset points",
        color=RED,
        fontsize=8.5,
    )
    lo, hi = mdates.date2num(day(3, 31)), mdates.date2num(day(5, 12))
    ax.plot([lo, hi], [lo, hi], color=GREY, linewidth=0.8, linestyle=":")
    ax.annotate(
        "said = happens",
        (mdates.date2num(day(4, 9, 6)), mdates.date2num(day(4, 9, 6))),
        xytext=(-10, 6),
        textcoords="offset points",
        color=GREY,
        fontsize=8,
        rotation=28,
        ha="right",
    )
    ax.set_xlim(mdates.date2num(day(3, 31)), mdates.date2num(day(5, 20)))
    ax.set_ylim(mdates.date2num(day(4, 1)), mdates.date2num(day(4, 10)))
    _date_axis(ax.xaxis)
    ax.yaxis.set_major_locator(mdates.HourLocator(byhour=12))  # statements are dated at noon
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_xlabel("target time: window / period (when it is to happen)")
    ax.set_ylabel("assertion time: known_at (when it was said)")
    ax.set_title("What was expected of the visit, statement by statement", fontsize=10)


def assertion_vs_system(ax: Axes) -> None:
    """The tutorial's records in the (known_at, recorded_at) plane, and what one view sees."""
    normal = [
        (day(3, 18), day(3, 18, 14)),  # seaborne projection
        (day(4, 3), day(4, 3, 13)),  # visit announced
        (day(4, 7), day(4, 7, 18)),  # scheduled
        (day(4, 8), day(4, 8, 16)),  # occurred
        (day(4, 20), day(4, 21, 9)),  # reports
    ]
    typo = (day(3, 18), day(3, 18, 15))
    corrected = (day(3, 18), day(4, 25, 10))
    retraction = (day(4, 25, 10), day(4, 25, 10))
    as_of, recorded_by = day(3, 19, 23), day(4, 24, 23)

    x0, y0 = mdates.date2num(day(3, 12)), mdates.date2num(day(3, 12))
    ax.add_patch(
        Rectangle(
            (x0, y0),
            mdates.date2num(as_of) - x0,
            mdates.date2num(recorded_by) - y0,
            facecolor=RED,
            alpha=0.08,
            edgecolor="none",
        )
    )
    ax.axvline(mdates.date2num(as_of), color=RED, linestyle="--", linewidth=1.2)
    ax.axhline(mdates.date2num(recorded_by), color=RED, linestyle="--", linewidth=1.2)
    ax.annotate(
        'as_of("2024-03-19",\n  recorded_by="2024-04-24")\nsees this corner: the typo',
        (mdates.date2num(day(3, 20)), mdates.date2num(day(4, 8))),
        color=RED,
        fontsize=8.5,
    )

    def dot(point: tuple[datetime, datetime], **style: object) -> None:
        ax.plot(mdates.date2num(point[0]), mdates.date2num(point[1]), linestyle="none", **style)

    for p in normal:
        dot(p, marker="o", color=BLUE, markersize=6)
    dot(typo, marker="X", color=RED, markersize=9)
    dot(corrected, marker="o", color=GREEN, markersize=7)
    dot(retraction, marker="s", color=GREY, markersize=6)
    notes = [
        (typo, "projections, one with\nthe ESPO typo (retracted\non 25 Apr)", (10, -34)),
        (corrected, "corrected figure: said 18 Mar,\nrecorded 25 Apr (a late arrival)", (10, 6)),
        (retraction, "Retracted", (-58, 6)),
    ]
    for point, text, offset in notes:
        ax.annotate(
            text,
            (mdates.date2num(point[0]), mdates.date2num(point[1])),
            xytext=offset,
            textcoords="offset points",
            fontsize=8,
        )
    lo, hi = mdates.date2num(day(3, 12)), mdates.date2num(day(5, 2))
    ax.plot([lo, hi], [lo, hi], color=GREY, linewidth=0.8, linestyle=":")
    ax.annotate(
        "recorded as soon as said",
        (mdates.date2num(day(4, 12)), mdates.date2num(day(4, 12))),
        xytext=(4, -14),
        textcoords="offset points",
        color=GREY,
        fontsize=8,
        rotation=40,
    )
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    _date_axis(ax.xaxis)
    _date_axis(ax.yaxis)
    ax.set_xlabel("assertion time: known_at (when it was said)")
    ax.set_ylabel("system time: recorded_at (when we stored it)")
    ax.set_title("Which records a view folds", fontsize=10)


def main() -> None:
    """Draw both panels and write the PNG."""
    plt.rcParams.update({"font.size": 9, "svg.hashsalt": "chronology"})
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained")
    assertion_vs_target(left)
    assertion_vs_system(right)
    fig.suptitle("Three times: when it was said, when it was stored, when it is to happen")
    OUT.parent.mkdir(exist_ok=True)
    fig.savefig(OUT, dpi=110, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    main()
