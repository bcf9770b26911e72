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

import enum
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

import attrs

from chronology.expectations import FigureExpectation, TradeExpectation
from chronology.quantity import Quantity
from chronology.time import Window
from chronology.units import same_dimension

__all__ = ["ClaimCheck", "Verdict", "check_claims", "is_record_claim"]

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


def check_claims(
    value: TradeExpectation | FigureExpectation,
    others: Iterable[TradeExpectation | FigureExpectation],
) -> tuple[ClaimCheck, ...]:
    """Check the record claims of ``value`` against the reports of earlier periods.

    Args:
        value: the figure whose claims to check; its latest report per scope and unit
            dimension is the outcome.
        others: every figure known (the same view); those of the same flow whose period ended
            by the start of ``value``'s period are the earlier ones.
    """
    claims = [c for c in value.claims if is_record_claim(c)]
    period = value.period
    if not claims or not value.reports or period is None or period.start is None:
        return ()
    start = period.start
    earlier = [
        report
        for other in others
        if other.subject != value.subject and _flow(other) == _flow(value)
        for report in other.reports
        if _ended_by(report.period or other.period, start)
    ]
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
            checks.append(
                _check(claim, scope, reported, [r.quantity for r in earlier if r.scope == scope])
            )
    return tuple(checks)


def _check(
    claim: str, scope: str | None, reported: Quantity, earlier: Sequence[Quantity]
) -> ClaimCheck:
    comparable = [q.to(reported.unit) for q in earlier if same_dimension(q.unit, reported.unit)]
    if not comparable:
        why = (
            f"no earlier reports of scope {scope!r}"
            if not earlier
            else "earlier reports of scope "
            f"{scope!r} are only in other units ({', '.join(sorted({q.unit for q in earlier}))})"
        )
        return ClaimCheck(
            claim=claim, scope=scope, reported=reported, verdict=Verdict.UNDECIDABLE, why=why
        )
    previous = max(comparable, key=lambda q: q.value)
    verdict = Verdict.CONFIRMED if reported.value > previous.value else Verdict.REFUTED
    return ClaimCheck(
        claim=claim, scope=scope, reported=reported, verdict=verdict, previous=previous
    )
