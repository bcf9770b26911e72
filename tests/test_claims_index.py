"""Record claims checked through the index of earlier reports answer as the rule says.

The model below states the rule the plain way (every other figure of the flow, every report
whose period ended by the start of the claimed one, compared within its scope and unit
dimension), in quadratic time; the library answers through :class:`EarlierReports`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from chronology import Chronicle, Quantity
from chronology.claims import ClaimCheck, EarlierReports, Verdict, check_claims
from chronology.events import Event, TradeProjected, TradeReported
from chronology.expectations import FigureExpectation, TradeExpectation
from chronology.units import same_dimension

Figure = TradeExpectation | FigureExpectation
UNITS = ("Mt", "kt", "bbl/d", "kb/d", "mb/d", "widgets")
SCOPES = ("customs", "ship-tracking")


def model(value: Figure, others: Sequence[Figure]) -> list[tuple[object, ...]]:
    period = value.period
    assert period is not None
    assert period.start is not None
    start = period.start
    earlier = [
        report
        for other in others
        if other.subject != value.subject
        for report in other.reports
        if (p := report.period or other.period) is not None and p.end is not None
        if p.end <= start
    ]
    latest: list[Quantity] = []
    scopes: list[str | None] = []
    for report in reversed(value.reports):
        if not any(
            s == report.scope and same_dimension(q.unit, report.quantity.unit)
            for s, q in zip(scopes, latest, strict=True)
        ):
            scopes.append(report.scope)
            latest.append(report.quantity)
    out: list[tuple[object, ...]] = []
    for scope, reported in reversed(list(zip(scopes, latest, strict=True))):
        mine = [r.quantity for r in earlier if r.scope == scope]
        comparable = [q.to(reported.unit) for q in mine if same_dimension(q.unit, reported.unit)]
        if not comparable:
            out.append((scope, reported, Verdict.UNDECIDABLE, None, bool(mine)))
        else:
            best = max(q.value for q in comparable)
            verdict = Verdict.CONFIRMED if reported.value > best else Verdict.REFUTED
            out.append((scope, reported, verdict, best, True))
    return out


def seen(check: ClaimCheck) -> tuple[object, ...]:
    undecidable = check.verdict is Verdict.UNDECIDABLE
    return (
        check.scope,
        check.reported,
        check.verdict,
        None if check.previous is None else check.previous.value,
        not undecidable or "only in other units" in (check.why or ""),
    )


month = st.integers(min_value=1, max_value=12)
report = st.tuples(
    st.sampled_from(SCOPES),
    st.sampled_from(UNITS),
    st.integers(min_value=1, max_value=20),
    st.one_of(st.none(), month),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(month, st.lists(report, max_size=3), st.booleans()), min_size=1, max_size=8)
)
def test_claims_through_the_index_answer_as_the_plain_rule(
    figures: list[tuple[int, list[tuple[str, str, int, int | None]], bool]],
) -> None:
    events: list[Event] = []
    for i, (m, reports, claimed) in enumerate(figures):
        subject = f"trade/flow-{i}"
        events.append(
            TradeProjected(
                subject=subject,
                known_at="2023-01-01T00:00:00+00:00",
                exporter="A",
                importer="B",
                commodity="crude oil",
                period=f"2023-{m:02d}",
                claims=("record monthly volume",) if claimed else (),
            )
        )
        events += [
            TradeReported(
                subject=subject,
                known_at=f"2024-01-{1 + j:02d}T00:00:00+00:00",
                scope=scope,
                quantity=Quantity(value, unit),
                period=None if own is None else f"2023-{own:02d}",
            )
            for j, (scope, unit, value, own) in enumerate(reports)
        ]
    c = Chronicle()
    c.extend(events)
    values = [e for e in c.as_of("2024-06-01").expectations() if isinstance(e, Figure)]
    index = EarlierReports(values)
    for value in values:
        if not value.claims or not value.reports:
            continue
        expected = model(value, values)
        assert expected == [seen(k) for k in check_claims(value, index)]
        assert expected == [seen(k) for k in check_claims(value, values)]


def test_an_unknown_unit_compares_with_itself_only() -> None:
    earlier = Chronicle()
    earlier.extend(
        [
            TradeProjected(
                subject=f"trade/w-{m}",
                known_at="2023-01-01T00:00:00+00:00",
                exporter="A",
                importer="B",
                commodity="widgets",
                period=f"2023-{m:02d}",
                claims=("record",),
            )
            for m in (1, 2)
        ]
        + [
            TradeReported(
                subject=f"trade/w-{m}",
                known_at="2024-01-01T00:00:00+00:00",
                scope="customs",
                quantity=Quantity(v, "widgets"),
            )
            for m, v in ((1, 5), (2, 4))
        ]
    )
    values = [e for e in earlier.as_of("2024-06-01").expectations() if isinstance(e, Figure)]
    second = next(v for v in values if v.subject == "trade/w-2")
    (check,) = check_claims(second, values)
    assert (Verdict.REFUTED, Quantity(5, "widgets")) == (check.verdict, check.previous)
