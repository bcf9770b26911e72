"""``view.expected_between``: every kind by its target time (issue 20's general families).

DESIGN.md: "not cancelled, window/period overlapping [start, end)". A plan (or visit) is listed
by its window, a figure (or trade flow) by its period; derived statuses do not take one out:
an overdue plan is still what was expected then, an awaiting-report figure still the figure
expected for its period.
"""

from __future__ import annotations

from chronology import Chronicle, Quantity
from chronology.events import TradeProjected, VisitAnnounced
from chronology.expectations import Status
from chronology.figures import FigureProjected, FigureReported
from chronology.plans import PlanAnnounced, PlanCancelled, PlanPostponed

SAID = "2024-02-01T12:00Z"
MBD = "mb/d"


def chronicle() -> Chronicle:
    c = Chronicle()
    c.extend(
        [
            PlanAnnounced(subject="plan/held-over", known_at=SAID, window="2024-03"),
            PlanAnnounced(subject="plan/called-off", known_at=SAID, window="2024-03"),
            PlanCancelled(subject="plan/called-off", known_at="2024-02-20T12:00Z"),
            PlanAnnounced(subject="plan/later", known_at=SAID, window="2024-05"),
            PlanAnnounced(subject="plan/undated", known_at=SAID, window="2024-03"),
            PlanPostponed(subject="plan/undated", known_at="2024-02-10T12:00Z"),
            VisitAnnounced(subject="visit/march", known_at=SAID, window="2024-03"),
            FigureProjected(
                subject="figure/march",
                known_at=SAID,
                period="2024-03",
                quantity=Quantity(2.2, "mb/d"),
            ),
            FigureProjected(
                subject="figure/reported",
                known_at=SAID,
                period="2024-03",
                quantity=Quantity(2.2, "mb/d"),
            ),
            FigureReported(
                subject="figure/reported",
                known_at="2024-04-03T12:00Z",
                quantity=Quantity(2, "mb/d"),
            ),
            FigureProjected(subject="figure/no-period", known_at=SAID, quantity=Quantity(1, "%")),
            TradeProjected(
                subject="trade/march",
                known_at=SAID,
                period="2024-03",
                quantity=Quantity(1.7e6, "bbl/d"),
            ),
        ]
    )
    return c


def test_every_kind_is_listed_by_its_target_time_whatever_its_derived_status() -> None:
    view = chronicle().as_of("2024-04-10")
    listed = view.expected_between("2024-03-15", "2024-03-20")
    assert [
        ("figure/march", Status.AWAITING_REPORT),
        ("figure/reported", Status.REPORTED),
        ("plan/held-over", Status.OVERDUE),
        ("trade/march", Status.AWAITING_REPORT),
        ("visit/march", Status.OVERDUE),
    ] == [(e.subject, e.status) for e in listed]
    # Cancelled, postponed without dates, no period, or another month: not listed.
    assert ["plan/later"] == [e.subject for e in view.expected_between("2024-05-01", "2024-05-01")]


def test_the_same_span_before_the_window_ends_lists_the_same_subjects() -> None:
    c = chronicle()
    before = [e.subject for e in c.as_of("2024-03-10").expected_between("2024-03-15", "2024-03-20")]
    after = [e.subject for e in c.as_of("2024-04-10").expected_between("2024-03-15", "2024-03-20")]
    assert before == after
