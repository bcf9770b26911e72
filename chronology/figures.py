"""Figures: the general family that trade flows are one kind of.

World oil demand growth, a GDP target, an inflation forecast: a source projects a figure for
a period, revises it vintage after vintage, and the figure is reported (often first as a
preliminary estimate, then revised). These events fold into a
:class:`~chronology.expectations.FigureExpectation` by the same rules as a trade flow's events
(:class:`~chronology.events.TradeProjected` and the rest, which derive from
:class:`~chronology.events.FigureEvent` too, and keep their own tags and fields); a figure
whose period is over with no report reads ``awaiting_report``.

Example:
    >>> from chronology import Chronicle, Quantity
    >>> c = Chronicle()
    >>> growth = "figure/world-oil-demand-growth-2024/opec"
    >>> _ = c.extend([
    ...     FigureProjected(subject=growth, known_at="2024-09-10T12:00Z",
    ...                     measure="world oil demand growth", area="world", period="2024",
    ...                     quantity=Quantity(2.03, "mb/d")),
    ...     FigureRevised(subject=growth, known_at="2024-10-14T12:00Z",
    ...                   quantity=Quantity(1.93, "mb/d")),
    ... ])
    >>> figure = c.as_of("2024-10-31")[growth]
    >>> figure.kind, figure.status.value, [str(p.quantity) for p in figure.projections]
    ('figure', 'revised', ['2.03 mb/d', '1.93 mb/d'])
"""

# The inherited signature (``known_at: datetime | date | str``) is read in this module's names.
from datetime import date, datetime  # noqa: F401

import attrs

from chronology._checks import (
    boolean,
    instance_of,
    optional_instance_of,
    optional_text,
    probability,
    strings,
)
from chronology._fields import likelihood_field, window_field
from chronology.events import FigureEvent, Likelihood, Quantity, event_type
from chronology.time import Window

__all__ = [
    "FigureEvent",
    "FigureProjected",
    "FigureReported",
    "FigureRevised",
]

_opt_text = optional_text()
_opt_quantity = optional_instance_of(Quantity, "a Quantity")


@event_type("figure.projected")
@attrs.frozen(kw_only=True)
class FigureProjected(FigureEvent):
    """A figure is projected (a forecast, a target, one vintage of a monthly outlook):
    creates the expectation with status ``projected``.

    Args:
        measure: what is measured ("world oil demand growth", "real GDP growth").
        area: where ("world", "China").
        period: the period the figure covers (target time), e.g. ``"2024"``.
        quantity: the projected figure, in any unit (``Quantity(2.25, "mb/d")``).
        scope: how it is measured: figures compare only within one scope.
        claims: what the source claims about it.
        likelihood: the hedge of the statement.
        probability: an optional numeric probability.
    """

    measure: str | None = attrs.field(default=None, validator=_opt_text)
    area: str | None = attrs.field(default=None, validator=_opt_text)
    period: Window | None = attrs.field(default=None, converter=window_field)
    quantity: Quantity | None = attrs.field(default=None, validator=_opt_quantity)
    scope: str | None = attrs.field(default=None, validator=_opt_text)
    claims: tuple[str, ...] = attrs.field(default=(), converter=strings)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("figure.revised")
@attrs.frozen(kw_only=True)
class FigureRevised(FigureEvent):
    """A projection is revised (a new vintage that changes it): status ``revised``; the
    fields given replace the old ones.

    Args:
        quantity: the revised figure.
        claims: what the source claims about it now.
        scope: how it is measured, if that changed.
        likelihood: the hedge of the statement ("likely to be cut further").
        probability: an optional numeric probability.
    """

    quantity: Quantity | None = attrs.field(default=None, validator=_opt_quantity)
    claims: tuple[str, ...] = attrs.field(default=(), converter=strings)
    scope: str | None = attrs.field(default=None, validator=_opt_text)
    likelihood: Likelihood | None = attrs.field(default=None, converter=likelihood_field)
    probability: float | None = attrs.field(default=None, validator=probability)


@event_type("figure.reported")
@attrs.frozen(kw_only=True)
class FigureReported(FigureEvent):
    """The figure is reported (the outcome): status ``reported``.

    Reports are kept per scope beside the projections, never over them; a preliminary estimate
    and its revision are two reports, the latest one last.

    Args:
        quantity: the reported figure.
        period: the period it covers.
        scope: how it is measured.
        preliminary: whether the source marked it preliminary.
    """

    quantity: Quantity = attrs.field(validator=instance_of(Quantity, "a Quantity"))
    period: Window | None = attrs.field(default=None, converter=window_field)
    scope: str | None = attrs.field(default=None, validator=_opt_text)
    preliminary: bool = attrs.field(default=False, validator=boolean())
