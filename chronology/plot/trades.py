"""Trade figures: for each trade flow (or any figure: world demand growth, a GDP target), the
projected figure against the latest figure reported in each scope, one panel per dimension
(figures in ``mb/d``, ``kb/d`` and ``bbl/d`` share one, converted to its unit; tonnes and
barrels never do). Earlier vintages of the projection are listed beside it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from chronology.expectations import Figured, Vintage
from chronology.outcomes import projection_error
from chronology.plot.common import gid, scope_colour
from chronology.quantity import Quantity
from chronology.render import error_text, number_text
from chronology.units import same_dimension

if TYPE_CHECKING:
    import matplotlib.axes

__all__ = ["Bar", "draw_trades", "trade_bars", "trade_groups"]


@attrs.frozen
class Bar:
    """One bar of a trade panel: a projection or a report, in the panel's unit, with its label
    (``projected`` or ``reported``), scope, element id and the note written beside it."""

    label: str
    value: float
    scope: str
    projected: bool
    preliminary: bool
    gid: str
    note: str


def _scope_name(scope: str | None) -> str:
    return scope or "scope not given"


def _in(q: Quantity, unit: str) -> float:
    """The value of ``q`` in ``unit`` (of the same dimension)."""
    return q.to(unit).value


def _given(q: Quantity, unit: str) -> str:
    """`` (given as 1,610 kb/d)`` when ``q`` was given in another spelling than ``unit``."""
    return "" if q.unit == unit else f" (given as {number_text(q.value)} {q.unit})"


def trade_bars(trade: Figured, unit: str) -> list[Bar]:
    """The bars of one flow (or figure) in ``unit``: its latest projection, then the latest
    report of each scope, each of the unit's dimension."""
    bars: list[Bar] = []
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
            Bar(
                label="projected",
                value=_in(projected, unit),
                scope=_scope_name(trade.scope),
                projected=True,
                preliminary=False,
                gid=gid("bar", "projected", trade.subject),
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
            Bar(
                label="reported",
                value=value,
                scope=_scope_name(scope),
                projected=False,
                preliminary=figure.preliminary,
                gid=gid("bar", "reported", trade.subject, _scope_name(scope)),
                note=note,
            )
        )
    return bars


def _error_note(projected: Quantity, reported: Quantity) -> str:
    """`` (+6.6%)``, or `` (-0.5 pp)`` between percentages; empty for a zero report
    (:func:`chronology.outcomes.projection_error`, the command's rule too)."""
    text = error_text(projection_error(projected, reported))
    return f" ({text})" if text else ""


def _latest(figures: Sequence[Vintage], scope: str | None, unit: str) -> Vintage | None:
    for f in reversed(figures):
        if f.scope == scope and same_dimension(f.quantity.unit, unit):
            return f
    return None


def _unit_of(trade: Figured) -> str:
    if trade.quantity is not None:
        return trade.quantity.unit
    return trade.reports[0].quantity.unit


def _other_units(trade: Figured, unit: str) -> list[str]:
    return [
        f"{number_text(f.quantity.value)} {f.quantity.unit} ({_scope_name(f.scope)})"
        for f in trade.reports
        if not same_dimension(f.quantity.unit, unit)
    ]


def trade_groups(trades: Sequence[Figured]) -> dict[str, list[Figured]]:
    """The trades by dimension, each group under the unit of its first trade: one panel each,
    so that ``Mbbl/d`` and ``kb/d`` figures share an axis."""
    groups: dict[str, list[Figured]] = {}
    for t in trades:
        unit = _unit_of(t)
        key = next((u for u in groups if same_dimension(u, unit)), unit)
        groups.setdefault(key, []).append(t)
    return groups


def draw_trades(
    ax: matplotlib.axes.Axes,
    trades: Sequence[Figured],
    unit: str,
    at: datetime,
    scopes: dict[str, str],
) -> None:
    """Draw one panel of trade bars: the ``trades`` of one dimension, in ``unit``.

    Args:
        ax: the panel.
        trades: the flows to draw.
        unit: the panel's unit; figures of its dimension are converted to it.
        at: the as-of instant, for the title.
        scopes: the figure's colour of each scope, shared by its panels (a scope keeps its
            colour across panels); scopes first drawn here are added to it.
    """
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    positions: list[float] = []
    labels: list[str] = []
    y = 0.0
    peak = 0.0
    drawn: dict[str, None] = {}  # the scopes of this panel, in order
    projected = preliminary = False
    for trade in trades:
        title = trade.subject
        others = _other_units(trade, unit)
        if others:
            title += f"   (also reported: {'; '.join(others)})"
        ax.text(0, y - 0.55, title, fontsize=8.5, fontweight="bold", va="bottom", ha="left")
        for bar in trade_bars(trade, unit):
            colour = scopes.setdefault(bar.scope, scope_colour(len(scopes)))
            drawn[bar.scope] = None
            projected = projected or bar.projected
            preliminary = preliminary or bar.preliminary
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
    # One entry per meaning, for what this panel shows only.
    legend = [Patch(facecolor=scopes[s], edgecolor="#252525", label=s) for s in drawn]
    if projected:
        legend.append(
            Patch(facecolor="white", edgecolor="#252525", linestyle="--", label="projected (pale)")
        )
    if preliminary:
        legend.append(
            Patch(facecolor="white", edgecolor="#252525", hatch="//", label="preliminary")
        )
    ax.legend(
        handles=legend,
        loc="lower right",
        fontsize=8,
        framealpha=0.9,
        title="scope",
        title_fontsize=8,
    )
