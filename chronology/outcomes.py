"""Outcome arithmetic: how expectations turned out against what was reported later.

This module holds the arithmetic the faces (the ``chronology`` command and the plots) share, so
that each rule has one definition. Today that is the error of a projection against a report;
resolutions, lead times and scores will sit beside it.

A projection and a report are compared only when they measure the same thing: the same
dimension (``mb/d`` against ``kb/d`` converts; tonnes against barrels per day does not, as that
needs a grade's density) and, when both say, the same scope (a ship-tracking figure against a
customs figure answers another question). When they cannot be compared,
:func:`projection_error` says why instead of guessing.

Example:
    >>> from datetime import datetime, timezone
    >>> from chronology import Quantity, Vintage
    >>> said = Vintage(quantity=Quantity(1.7, "mb/d"), scope="sea",
    ...                known_at=datetime(2024, 3, 18, tzinfo=timezone.utc))
    >>> seen = Vintage(quantity=Quantity(1_820, "kb/d"), scope="sea",
    ...                known_at=datetime(2024, 4, 20, tzinfo=timezone.utc))
    >>> result = projection_error(said, seen)
    >>> print(result.reported, result.error, f"{result.relative:+.1%}")
    1.82 mb/d 0.12 mb/d +6.6%
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from chronology.events import Source
from chronology.expectations import Vintage
from chronology.quantity import Quantity, error, relative_error
from chronology.units import same_dimension

__all__ = [
    "Incomparable",
    "ProjectionError",
    "Why",
    "projection_error",
]


@attrs.frozen(kw_only=True)
class ProjectionError:
    """How far a projection was from a report of the same thing.

    Attributes:
        known_at: when the projection was made public (``None`` for a bare quantity).
        source: who made the projection.
        projected: the projected figure, as given.
        reported: the reported figure, converted into the projected figure's unit.
        error: ``reported - projected`` in the projected figure's unit; in percentage points
            (``pp``) between percentages.
        relative: ``(reported - projected) / reported`` (see
            :func:`chronology.quantity.relative_error`, the one definition); ``None`` for a
            zero report.
        horizon: from ``known_at`` to the end of the period projected (the report's period
            when the projection gave none); ``None`` when either is unknown.
        preliminary: whether the report was marked preliminary.
    """

    known_at: datetime | None
    source: Source | None
    projected: Quantity
    reported: Quantity
    error: Quantity
    relative: float | None
    horizon: timedelta | None
    preliminary: bool = False

    @property
    def in_points(self) -> bool:
        """Whether :attr:`error` is in percentage points (a rate against a rate)."""
        return self.error.unit == "pp"


class Why(enum.StrEnum):
    """Why a projection and a report cannot be compared."""

    #: They measure different dimensions (tonnes against barrels per day).
    DIMENSION = "dimension"
    #: They measure different scopes (seaborne against all modes).
    SCOPE = "scope"


@attrs.frozen(kw_only=True)
class Incomparable:
    """A projection and a report that measure different things, and why.

    Attributes:
        projected: the projected figure.
        reported: the reported figure, as given.
        why: what differs.
        reason: the same, in words.
    """

    projected: Quantity
    reported: Quantity
    why: Why
    reason: str


def _horizon(known_at: datetime | None, *periods: object) -> timedelta | None:
    if known_at is None:
        return None
    for period in periods:
        end = getattr(period, "end", None)
        if isinstance(end, datetime):
            return end - known_at
    return None


def projection_error(
    projection: Vintage | Quantity, report: Vintage | Quantity
) -> ProjectionError | Incomparable:
    """The error of ``projection`` against ``report``, or why the two cannot be compared.

    Args:
        projection: the projected figure: a vintage (which brings its time, source, scope and
            period) or a bare quantity.
        report: the reported figure, likewise.

    Returns:
        A :class:`ProjectionError`, with the report converted into the projection's unit; or
        an :class:`Incomparable` when the two scopes differ (both given) or the units are of
        different dimensions.

    Example:
        >>> from chronology import Quantity
        >>> print(projection_error(Quantity(5, "%"), Quantity(4.5, "%")).error)
        -0.5 pp
        >>> projection_error(Quantity(2, "Mt"), Quantity(1.7, "mb/d")).reason
        'Mt and mb/d measure different dimensions'
    """
    said = projection.quantity if isinstance(projection, Vintage) else projection
    seen = report.quantity if isinstance(report, Vintage) else report
    if isinstance(projection, Vintage) and isinstance(report, Vintage):
        a, b = projection.scope, report.scope
        if a is not None and b is not None and a != b:
            return Incomparable(
                projected=said,
                reported=seen,
                why=Why.SCOPE,
                reason=f"the scopes differ ({a!r} against {b!r})",
            )
    if not same_dimension(said.unit, seen.unit):
        return Incomparable(
            projected=said,
            reported=seen,
            why=Why.DIMENSION,
            reason=f"{said.unit} and {seen.unit} measure different dimensions",
        )
    # One dimension: the conversions below cannot fail.
    converted = seen.to(said.unit)
    difference = error(said, seen)
    relative = relative_error(said, seen)
    known_at = projection.known_at if isinstance(projection, Vintage) else None
    return ProjectionError(
        known_at=known_at,
        source=projection.source if isinstance(projection, Vintage) else None,
        projected=said,
        reported=converted,
        error=difference,
        relative=relative,
        horizon=_horizon(
            known_at,
            projection.period if isinstance(projection, Vintage) else None,
            report.period if isinstance(report, Vintage) else None,
        ),
        preliminary=report.preliminary if isinstance(report, Vintage) else False,
    )
