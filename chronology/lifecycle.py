"""The fold rules of the general families: plans (:mod:`chronology.plans`) and figures
(:mod:`chronology.figures`).

A plan follows a visit's life cycle and a figure a trade flow's, rule for rule (see
:mod:`chronology.expectations`): the status follows the latest-known event, except that an
outcome or a cancellation holds against later expectation events; ``reason`` is the reason for
the current status; the hedge (``likelihood`` with ``probability``) is the latest one given;
reports are kept beside projections. The derived statuses (``overdue``, ``awaiting_report``)
are derived by the fold from the status and the window (or period), for every kind alike.
Importing :mod:`chronology` registers these rules.
"""

from __future__ import annotations

from typing import Any, Final

from chronology.events import Event
from chronology.expectations import OUTCOME_STATUSES, Status, Vintage, register_handler
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)
from chronology.quantity import Quantity
from chronology.time import Window

__all__: list[str] = []

_ANNOUNCED: Final = Status.ANNOUNCED
_SCHEDULED: Final = Status.SCHEDULED
_POSTPONED: Final = Status.POSTPONED
_CANCELLED: Final = Status.CANCELLED
_OCCURRED: Final = Status.OCCURRED
_PROJECTED: Final = Status.PROJECTED
_REVISED: Final = Status.REVISED
_REPORTED: Final = Status.REPORTED

Fields = dict[str, Any]


def _move(f: Fields, status: Status, reason: str | None) -> bool:
    """Move an expectation still open to ``status``, taking the event's ``reason`` (or dropping
    a stale one when the status changes); an outcome or a cancellation holds. Whether it moved."""
    current = f["status"]
    if current in OUTCOME_STATUSES:
        return False
    if reason is not None:
        f["reason"] = reason
    elif current is not status:
        f.pop("reason", None)
    f["status"] = status
    return True


def _settle(f: Fields, status: Status, reason: str | None) -> None:
    """Set an outcome or a cancellation: it replaces any status."""
    if reason is not None:
        f["reason"] = reason
    elif f["status"] is not status:
        f.pop("reason", None)
    f["status"] = status


def _hedge(f: Fields, e: Any) -> None:
    """Take the hedge of an event that gives one: likelihood and probability go together."""
    if e.likelihood is not None or e.probability is not None:
        f["likelihood"], f["probability"] = e.likelihood, e.probability


def _window(f: Fields, window: Window | None, *, replace: bool = False) -> None:
    """Take the window of an event that moved the status (``replace``: ``None`` clears it)."""
    if window is not None:
        f["window"] = window
        f.setdefault("first_window", window)
    elif replace:
        f["window"] = None


def _took_place(f: Fields, place: str | None, counterparts: tuple[str, ...]) -> None:
    """Take a place and counterparts from an expectation event: once an occurrence said where
    and with whom, that holds."""
    occurred = f["status"] is _OCCURRED
    if place is not None and not (occurred and f.get("place")):
        f["place"] = place
    if counterparts and not (occurred and f.get("counterparts")):
        f["counterparts"] = counterparts


# -- plans --------------------------------------------------------------------------------------


def _plan_announced(f: Fields, e: Event) -> None:
    assert isinstance(e, PlanAnnounced)
    f["partial"] = False
    if e.what is not None:
        f["what"] = e.what
    if e.actors:
        f["actors"] = e.actors
    _took_place(f, e.place, e.counterparts)
    _hedge(f, e)
    if _move(f, _ANNOUNCED, None):
        _window(f, e.window)


def _plan_scheduled(f: Fields, e: Event) -> None:
    assert isinstance(e, PlanScheduled)
    _took_place(f, e.place, ())
    _hedge(f, e)
    if _move(f, _SCHEDULED, None):
        _window(f, e.window)


def _plan_rescheduled(f: Fields, e: Event) -> None:
    assert isinstance(e, PlanRescheduled)
    _hedge(f, e)
    if _move(f, _SCHEDULED, e.reason):
        _window(f, e.window)


def _plan_postponed(f: Fields, e: Event) -> None:
    assert isinstance(e, PlanPostponed)
    _hedge(f, e)
    if _move(f, _POSTPONED, e.reason):
        _window(f, e.window, replace=True)


def _plan_cancelled(f: Fields, e: Event) -> None:
    assert isinstance(e, PlanCancelled)
    _settle(f, _CANCELLED, e.reason)


def _plan_occurred(f: Fields, e: Event) -> None:
    assert isinstance(e, PlanOccurred)
    _settle(f, _OCCURRED, None)
    if e.place is not None:
        f["place"] = e.place
    if e.counterparts:
        f["counterparts"] = e.counterparts
    _window(f, e.window)


# -- figures ------------------------------------------------------------------------------------


def _vintage(
    e: Event,
    quantity: Quantity,
    scope: str | None,
    period: Window | None,
    preliminary: bool = False,
) -> Vintage:
    return Vintage(
        quantity=quantity,
        scope=scope,
        known_at=e.known_at,
        period=period,
        preliminary=preliminary,
        source=e.source,
    )


def _figure_projected(f: Fields, e: Event) -> None:
    assert isinstance(e, FigureProjected)
    if f["status"] not in OUTCOME_STATUSES:
        f["status"] = _PROJECTED
    f["partial"] = False
    for name in ("measure", "area", "period", "quantity", "scope"):
        if (v := getattr(e, name)) is not None:
            f[name] = v
    if e.claims:
        f["claims"] = e.claims
    _hedge(f, e)
    if e.quantity is not None:
        figure = _vintage(e, e.quantity, f.get("scope"), e.period)
        f["projections"] = (*f.get("projections", ()), figure)


def _figure_revised(f: Fields, e: Event) -> None:
    assert isinstance(e, FigureRevised)
    if f["status"] not in OUTCOME_STATUSES:
        f["status"] = _REVISED
    if e.quantity is not None:
        f["quantity"] = e.quantity
    if e.claims:
        f["claims"] = e.claims
    if e.scope is not None:
        f["scope"] = e.scope
    _hedge(f, e)
    if e.quantity is not None:
        figure = _vintage(e, e.quantity, f.get("scope"), f.get("period"))
        f["projections"] = (*f.get("projections", ()), figure)


def _figure_reported(f: Fields, e: Event) -> None:
    assert isinstance(e, FigureReported)
    f["status"] = _REPORTED
    if "period" not in f and e.period is not None:
        f["period"] = e.period
    figure = _vintage(e, e.quantity, e.scope, e.period, e.preliminary)
    f["reports"] = (*f.get("reports", ()), figure)


for _cls, _rule in (
    (PlanAnnounced, _plan_announced),
    (PlanScheduled, _plan_scheduled),
    (PlanRescheduled, _plan_rescheduled),
    (PlanPostponed, _plan_postponed),
    (PlanCancelled, _plan_cancelled),
    (PlanOccurred, _plan_occurred),
    (FigureProjected, _figure_projected),
    (FigureRevised, _figure_revised),
    (FigureReported, _figure_reported),
):
    register_handler(_cls, _rule)
