"""Claims about figures, checked against the chronicle's earlier reports.

A projection may claim a *record* ("record monthly volume", "all-time high"). Whether the
outcome was one depends on what is compared with what: the same scope (a customs total is no
ship-tracking count) and the same unit dimension (a month can be a record in tonnes and not in
barrels per day, as Russian crude to China was in March 2024). :func:`check_claims` checks each
record claim once per reported scope and unit dimension, against the reports of earlier periods
of the same flow (exporter, importer, commodity, grade) in that scope and dimension:

* ``confirmed``: the figure is above every earlier one;
* ``refuted``: an earlier one was as high or higher (named in ``previous``);
* ``undecidable``: there is nothing to compare with, and ``why`` says so (no earlier reports
  of that scope, or only in other units).

Example:
    >>> is_record_claim("record monthly volume"), is_record_claim("destinations can change")
    (True, False)
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Final

import attrs

from chronology.expectations import FigureExpectation, TradeExpectation
from chronology.quantity import Quantity
from chronology.time import Window
from chronology.units import dimension_key, same_dimension

__all__ = ["ClaimCheck", "EarlierReports", "Verdict", "check_claims", "is_record_claim"]

_RECORD: Final = re.compile(r"\b(record|all-time high|highest ever|highest on record)\b", re.I)


class Verdict(enum.StrEnum):
    """What the earlier reports say of a claim."""

    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    UNDECIDABLE = "undecidable"


@attrs.frozen(kw_only=True)
class ClaimCheck:
    """One claim checked against one reported scope, in one unit dimension.

    Attributes:
        claim: the claim as the projection gave it.
        scope: the scope of the report checked.
        reported: the report checked (the latest of that scope and dimension).
        verdict: confirmed, refuted or undecidable.
        previous: the highest earlier report compared with, in the reported unit.
        why: for an undecidable claim, why.
    """

    claim: str
    scope: str | None
    reported: Quantity
    verdict: Verdict
    previous: Quantity | None = None
    why: str | None = None


def is_record_claim(claim: str) -> bool:
    """Whether ``claim`` says the figure is a record."""
    return _RECORD.search(claim) is not None


#: The fields that say which flow or figure a value is (trades have the first four, figures
#: the last two): reports of another flow or figure are never compared.
_FLOW: Final = ("exporter", "importer", "commodity", "grade", "measure", "area")


def _flow(value: TradeExpectation | FigureExpectation) -> tuple[object, ...]:
    return (value.kind, *(getattr(value, name, None) for name in _FLOW))


def _ended_by(period: Window | None, start: datetime) -> bool:
    return period is not None and period.end is not None and period.end <= start


#: What a run of reports holds for a check: the units seen, and the highest report in each
#: unit dimension (in its own unit).
_Summary = tuple[frozenset[str], dict[object, Quantity]]


def _add(summary: _Summary, quantity: Quantity) -> _Summary:
    """``summary`` with one more report (new objects only where something changed)."""
    units, best = summary
    if quantity.unit not in units:
        units = units | {quantity.unit}
    key = dimension_key(quantity.unit)
    held = best.get(key)
    if held is None or quantity.to(held.unit).value > held.value:
        best = {**best, key: quantity}
    return units, best


_EMPTY: Final[_Summary] = (frozenset(), {})


class EarlierReports:
    """Every report of a set of figures, by flow and scope, in order of the end of its period:
    the earlier reports of a figure are then found by bisection, so checking the claims of a
    whole view costs ``O(n log n)``, not ``O(n**2)``.

    Args:
        figures: the figures (trade flows and figures) whose reports to hold.
    """

    def __init__(self, figures: Iterable[TradeExpectation | FigureExpectation]) -> None:
        rows: dict[tuple[object, ...], list[tuple[datetime, str, Quantity]]] = {}
        for other in figures:
            flow = _flow(other)
            for report in other.reports:
                period = report.period or other.period
                if period is not None and period.end is not None:
                    rows.setdefault((flow, report.scope), []).append(
                        (period.end, other.subject, report.quantity)
                    )
        self._runs: dict[
            tuple[object, ...], tuple[list[datetime], list[tuple[str, Quantity]], list[_Summary]]
        ] = {}
        for key, found in rows.items():
            found.sort(key=lambda row: row[0])
            summaries: list[_Summary] = []
            summary = _EMPTY
            for _, _, quantity in found:
                summary = _add(summary, quantity)
                summaries.append(summary)
            self._runs[key] = (
                [row[0] for row in found],
                [(row[1], row[2]) for row in found],
                summaries,
            )

    def before(
        self, value: TradeExpectation | FigureExpectation, scope: str | None, start: datetime
    ) -> tuple[int, _Summary]:
        """How many reports of ``scope`` for ``value``'s flow, from figures other than ``value``
        itself, ended by ``start``, and their summary."""
        run = self._runs.get((_flow(value), scope))
        if run is None:
            return 0, _EMPTY
        ends, reports, summaries = run
        count = bisect.bisect_right(ends, start)
        if not any(
            _ended_by(r.period or value.period, start) for r in value.reports if r.scope == scope
        ):
            return count, (summaries[count - 1] if count else _EMPTY)
        # The figure's own reports lie among the earlier ones: leave them out, one by one.
        summary = _EMPTY
        kept = 0
        for subject, quantity in reports[:count]:
            if subject != value.subject:
                summary = _add(summary, quantity)
                kept += 1
        return kept, summary


def check_claims(
    value: TradeExpectation | FigureExpectation,
    others: Iterable[TradeExpectation | FigureExpectation] | EarlierReports,
) -> tuple[ClaimCheck, ...]:
    """Check the record claims of ``value`` against the reports of earlier periods.

    Args:
        value: the figure whose claims to check; its latest report per scope and unit
            dimension is the outcome.
        others: every figure known (the same view), or an :class:`EarlierReports` of them
            built once for many checks; those of the same flow whose period ended by the start
            of ``value``'s period are the earlier ones.
    """
    claims = [c for c in value.claims if is_record_claim(c)]
    period = value.period
    if not claims or not value.reports or period is None or period.start is None:
        return ()
    start = period.start
    earlier = others if isinstance(others, EarlierReports) else EarlierReports(others)
    outcomes: list[Quantity] = []
    scopes: list[str | None] = []
    for report in reversed(value.reports):  # the latest per scope and dimension
        if not any(
            s == report.scope and same_dimension(q.unit, report.quantity.unit)
            for s, q in zip(scopes, outcomes, strict=True)
        ):
            scopes.append(report.scope)
            outcomes.append(report.quantity)
    checks: list[ClaimCheck] = []
    for claim in claims:
        for scope, reported in reversed(list(zip(scopes, outcomes, strict=True))):
            checks.append(_check(claim, scope, reported, *earlier.before(value, scope, start)))
    return tuple(checks)


def _check(
    claim: str, scope: str | None, reported: Quantity, count: int, summary: _Summary
) -> ClaimCheck:
    units, best = summary
    held = best.get(dimension_key(reported.unit))
    if held is None:
        why = (
            f"no earlier reports of scope {scope!r}"
            if not count
            else "earlier reports of scope "
            f"{scope!r} are only in other units ({', '.join(sorted(units))})"
        )
        return ClaimCheck(
            claim=claim, scope=scope, reported=reported, verdict=Verdict.UNDECIDABLE, why=why
        )
    previous = held.to(reported.unit)
    verdict = Verdict.CONFIRMED if reported.value > previous.value else Verdict.REFUTED
    return ClaimCheck(
        claim=claim, scope=scope, reported=reported, verdict=verdict, previous=previous
    )
