"""Domain rules of the built-in projection (issue 20): derived statuses in every fold path, the
reason of the current status, hedges on every expectation event, who was met, and what each
source said."""

import gc
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import as_of_questions, events

from chronology import Chronicle, ChronologyError, Likelihood, Quantity, Source, Status
from chronology.events import (
    Event,
    StatementMade,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.expectations import (
    Expectation,
    SourceTrack,
    TradeExpectation,
    VisitExpectation,
)
from chronology.fold import ExpectationFold
from chronology.serialization import event_from_payload, event_id_of, payload_of
from chronology.snapshots import Snapshots
from chronology.time import as_of_instant
from chronology.view import View

B = "visit/blinken-china-2023"
F = "figure/world-oil-demand-growth-2024/opec"


def utc(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def chronicle(events: Sequence[Event], kind: str = "memory", tmp: Path | None = None) -> Chronicle:
    c = Chronicle.open(tmp / "c.db") if kind == "sqlite" and tmp is not None else Chronicle()
    c.extend(events)
    return c


def every_path(c: Chronicle, subject: str, at: str) -> list[Expectation]:
    """The expectation of ``subject`` as of ``at``, read every way there is: a point read, a
    full view folded from nothing, and full views through the checkpoints (the second one
    folds on from the checkpoint the first left)."""
    instant = as_of_instant(at)
    naive = View(c.store, as_of=instant, recorded_by=None, upto=len(c))
    out = [c.as_of(at)[subject], {e.subject: e for e in naive.expectations()}[subject]]
    for _ in range(2):
        out.append({e.subject: e for e in c.as_of(at).expectations()}[subject])
    return out


def statuses(c: Chronicle, subject: str, at: str) -> set[Status]:
    return {e.status for e in every_path(c, subject, at)}


def visit(c: Chronicle, at: str, subject: str = B) -> VisitExpectation:
    value = c.as_of(at)[subject]
    assert isinstance(value, VisitExpectation)
    return value


# -- 1. a postponement with a window becomes overdue -----------------------------------------------


def blinken_postponed(window: str | None = "2019") -> list[Event]:
    return [
        VisitAnnounced(
            subject=B, known_at=utc(2018, 1, 10), visitor="Antony Blinken", window="2018-06"
        ),
        VisitPostponed(subject=B, known_at=utc(2018, 5, 2), reason="balloon", window=window),
    ]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_visit_postponed_to_next_year_is_overdue_once_that_year_is_over(
    kind: str, tmp_path: Path
) -> None:
    c = chronicle(blinken_postponed(), kind, tmp_path)
    assert {Status.POSTPONED} == statuses(c, B, "2019-12-31")
    assert {Status.OVERDUE} == statuses(c, B, "2024-01-01")


def test_a_postponement_without_dates_is_never_overdue() -> None:
    assert {Status.POSTPONED} == statuses(chronicle(blinken_postponed(None)), B, "2030-01-01")


def test_a_checkpoint_holding_a_postponed_visit_derives_overdue_later() -> None:
    """A snapshot made before the window ended holds the postponed value; a later view
    derives ``overdue`` from it without folding the visit again."""
    c = chronicle(blinken_postponed())
    c.snapshots = Snapshots(c.store, every=1)
    assert Status.POSTPONED == c.as_of("2018-12-31").expectations()[0].status
    point = c.snapshots.points()[-1]  # the latest: left at the view's instant
    assert [(datetime(2020, 1, 1, tzinfo=UTC), B)] == point.ends()
    assert Status.OVERDUE == c.as_of("2020-01-01").expectations()[0].status


# -- 2. the reason is that of the current status ---------------------------------------------------


def test_a_reschedule_after_a_postponement_clears_its_reason() -> None:
    c = chronicle(
        [
            *blinken_postponed(window=None),
            VisitRescheduled(subject=B, known_at=utc(2023, 6, 14), window="2023-06-18/2023-06-19"),
            VisitOccurred(subject=B, known_at=utc(2023, 6, 19), window="2023-06-18/2023-06-19"),
        ]
    )
    assert ["balloon", None, None] == [
        visit(c, d).reason for d in ("2023-06-13", "2023-06-14", "2023-06-19")
    ]
    assert [None, "balloon", None, None] == [
        None if ch.after is None else ch.after.reason  # type: ignore[union-attr]
        for ch in c.history(B)
    ]


def test_a_reason_stays_while_the_status_stays_and_gives_way_to_a_new_one() -> None:
    c = chronicle(
        [
            *blinken_postponed(window=None),
            VisitPostponed(subject=B, known_at=utc(2018, 6, 1), window="2019"),
            VisitRescheduled(subject=B, known_at=utc(2018, 7, 1), window="2019-03", reason="talks"),
            VisitScheduled(subject=B, known_at=utc(2018, 8, 1), window="2019-03-04"),
            VisitAnnounced(subject=B, known_at=utc(2018, 9, 1)),
        ]
    )
    assert ["balloon", "balloon", "talks", "talks", None] == [
        visit(c, d).reason
        for d in ("2018-05-02", "2018-06-01", "2018-07-01", "2018-08-01", "2018-09-01")
    ]


def test_an_expectation_event_after_an_outcome_gives_no_reason() -> None:
    c = chronicle(
        [
            VisitOccurred(subject=B, known_at=utc(2023, 6, 19)),
            VisitPostponed(subject=B, known_at=utc(2023, 6, 20), reason="late report"),
            VisitCancelled(subject=B, known_at=utc(2023, 6, 21)),
        ]
    )
    assert (Status.OCCURRED, None) == (visit(c, "2023-06-20").status, visit(c, "2023-06-20").reason)
    assert (Status.CANCELLED, None) == (
        visit(c, "2023-06-21").status,
        visit(c, "2023-06-21").reason,
    )


# -- 3. hedges on every expectation event ----------------------------------------------------------

ANONYMOUS = Source("AP", speaker="US officials, anonymously")


def blinken_2023() -> list[Event]:
    return [
        VisitAnnounced(
            subject=B,
            known_at=utc(2022, 11, 14),
            visitor="Antony Blinken",
            host="China",
            source=Source("AP"),
            likelihood="certain",
        ),
        VisitPostponed(subject=B, known_at=utc(2023, 2, 3), reason="balloon", source=Source("NPR")),
        VisitScheduled(
            subject=B,
            known_at=utc(2023, 6, 9),
            window="2023-06-18",
            source=ANONYMOUS,
            likelihood="probable",
            probability=0.7,
        ),
        VisitRescheduled(
            subject=B,
            known_at=utc(2023, 6, 14),
            window="2023-06-18/2023-06-19",
            source=Source("Politico"),
            likelihood="certain",
        ),
        VisitOccurred(
            subject=B,
            known_at=utc(2023, 6, 19),
            window="2023-06-18/2023-06-19",
            place="Beijing",
            counterparts=("Qin Gang", "Wang Yi", "Xi Jinping"),
            source=Source("AP"),
        ),
    ]


def test_a_schedule_from_anonymous_officials_carries_its_hedge() -> None:
    c = chronicle(blinken_2023())
    assert ("certain", None) == (
        visit(c, "2023-02-03").likelihood,
        visit(c, "2023-02-03").probability,
    )
    scheduled = visit(c, "2023-06-09")
    assert (Status.SCHEDULED, Likelihood.PROBABLE, 0.7) == (
        scheduled.status,
        scheduled.likelihood,
        scheduled.probability,
    )
    # The State Department's announcement replaces the whole hedge, the probability with it.
    confirmed = visit(c, "2023-06-14")
    assert (Likelihood.CERTAIN, None) == (confirmed.likelihood, confirmed.probability)
    # The occurrence gives no hedge, and leaves the last one.
    assert Likelihood.CERTAIN == visit(c, "2023-06-19").likelihood


@pytest.mark.parametrize(
    "event",
    [
        VisitScheduled(subject=B, known_at=utc(2023, 6, 9), window="2023-06-18"),
        VisitRescheduled(subject=B, known_at=utc(2023, 6, 9), window="2023-06-18"),
        VisitPostponed(subject=B, known_at=utc(2023, 6, 9)),
        VisitOccurred(subject=B, known_at=utc(2023, 6, 9)),
        StatementMade(subject=B, known_at=utc(2023, 6, 9), speaker="a spokesperson"),
    ],
)
def test_an_event_without_a_hedge_leaves_it(event: Event) -> None:
    first = VisitAnnounced(
        subject=B, known_at=utc(2023, 6, 1), likelihood="possible", probability=0.4
    )
    assert ("possible", 0.4) == (
        visit(chronicle([first, event]), "2023-06-30").likelihood,
        visit(chronicle([first, event]), "2023-06-30").probability,
    )


def test_a_revision_carries_a_hedge() -> None:
    c = chronicle(
        [
            TradeProjected(
                subject=F, known_at=utc(2023, 7, 12), period="2024", quantity=Quantity(2.25, "mb/d")
            ),
            TradeProjectionRevised(
                subject=F,
                known_at=utc(2024, 8, 12),
                quantity=Quantity(2.11, "mb/d"),
                likelihood="probable",
                claims=("likely to be cut further",),
            ),
        ]
    )
    figure = c.as_of("2024-08-12")[F]
    assert (Status.REVISED, Likelihood.PROBABLE, None) == (
        figure.status,
        figure.likelihood,
        figure.probability,
    )


def test_a_statement_with_a_hedge_updates_the_expectation_and_nothing_else() -> None:
    announced = VisitAnnounced(
        subject=B, known_at=utc(2023, 6, 1), window="2023-06-18", likelihood="possible"
    )
    said = StatementMade(
        subject=B,
        known_at=utc(2023, 6, 2),
        speaker="Mao Ning",
        likelihood="certain",
        probability=0.9,
        source=Source("Xinhua"),
    )
    c = chronicle([announced, said])
    before, after = visit(c, "2023-06-01"), visit(c, "2023-06-02")
    assert (Likelihood.CERTAIN, 0.9) == (after.likelihood, after.probability)
    assert (before.status, before.window, before.partial) == (
        after.status,
        after.window,
        after.partial,
    )
    assert (utc(2023, 6, 2), 2) == (after.updated_at, len(after.event_ids))
    assert (said,) == c.as_of("2023-06-02").statements()
    # Saying the same hedge again changes nothing.
    again = StatementMade(
        subject=B, known_at=utc(2023, 6, 3), likelihood="certain", probability=0.9
    )
    c.append(again)
    assert after == visit(c, "2023-06-03")
    assert {after} == set(every_path(c, B, "2023-06-03"))


def test_a_statement_creates_no_expectation_and_its_hedge_waits_for_none() -> None:
    said = StatementMade(subject=B, known_at=utc(2023, 6, 1), likelihood="possible")
    c = chronicle([said, VisitAnnounced(subject=B, known_at=utc(2023, 6, 2))])
    assert c.as_of("2023-06-01").get(B) is None
    assert () == c.as_of("2023-06-01").expectations()
    assert (said,) == c.as_of("2023-06-01").statements()
    assert visit(c, "2023-06-02").likelihood is None


def test_new_fields_left_at_their_default_keep_old_payloads_and_ids() -> None:
    """Payloads and ids computed with the library before these fields existed."""
    old = {
        "c3376282a3ee4e9d33b5b9a170458f2c": VisitScheduled(
            subject=B, known_at="2023-06-09T12:00:00Z", window="2023-06-18", host="China"
        ),
        "ba99f883566f7fc34f9b0d3f50aafaf2": VisitRescheduled(
            subject=B,
            known_at="2023-06-14T12:00:00Z",
            window="2023-06-18/2023-06-19",
            reason="call with Qin Gang",
        ),
        "d1db1e4188bd85e2910e6605995b9bf3": VisitPostponed(
            subject=B, known_at="2023-02-03T12:00:00Z", reason="balloon"
        ),
        "7b21eeaf62e29030bb05261e59c42f5c": VisitOccurred(
            subject=B,
            known_at="2023-06-19T12:00:00Z",
            window="2023-06-18/2023-06-19",
            place="Beijing",
        ),
        "d145f95cdd649a8e5aa8f572c74bddae": TradeProjectionRevised(
            subject="figure/x",
            known_at="2024-08-12T12:00:00Z",
            quantity=Quantity(2.11, "mb/d"),
            claims=("first cut",),
        ),
    }
    assert list(old) == [event_id_of(payload_of(e)) for e in old.values()]
    assert '{"known_at":"2023-02-03T12:00:00+00:00","reason":"balloon","subject":"' + B + (
        '","type":"visit.postponed"}'
    ) == payload_of(old["d1db1e4188bd85e2910e6605995b9bf3"])
    assert list(old.values()) == [event_from_payload(payload_of(e)) for e in old.values()]


@pytest.mark.parametrize(
    "event",
    [
        VisitScheduled(
            subject=B,
            known_at=utc(2023, 6, 9),
            window="2023-06-18",
            likelihood="probable",
            probability=0.7,
        ),
        VisitRescheduled(subject=B, known_at=utc(2023, 6, 9), window="2023-06-18", probability=0.2),
        VisitPostponed(subject=B, known_at=utc(2023, 6, 9), likelihood="possible"),
        VisitOccurred(subject=B, known_at=utc(2023, 6, 9), counterparts=("Xi Jinping",)),
        TradeProjectionRevised(
            subject=F, known_at=utc(2024, 8, 12), likelihood="probable", probability=0.6
        ),
    ],
)
def test_new_fields_round_trip_and_change_the_id(event: Event) -> None:
    payload = payload_of(event)
    assert event == event_from_payload(payload)
    bare = type(event)(**{k: v for k, v in vars_of(event).items() if k not in NEW})  # type: ignore[arg-type]
    assert event_id_of(payload_of(bare)) != event_id_of(payload)


NEW = frozenset({"likelihood", "probability", "counterparts"})


def vars_of(event: Event) -> dict[str, object]:
    return attrs.asdict(event, recurse=False)


@pytest.mark.parametrize("probability", [-0.1, 1.5, True, "0.5"])
def test_a_probability_outside_0_1_is_refused_on_every_hedged_event(probability: Any) -> None:
    with pytest.raises(ChronologyError, match="probability"):
        VisitScheduled(
            subject=B, known_at=utc(2023, 6, 9), window="2023-06-18", probability=probability
        )
    with pytest.raises(ChronologyError, match="probability"):
        TradeProjectionRevised(subject=F, known_at=utc(2024, 8, 12), probability=probability)


# -- 4. who was actually met -----------------------------------------------------------------------


def test_the_counterparts_become_those_actually_met() -> None:
    c = chronicle(
        [
            VisitAnnounced(subject=B, known_at=utc(2023, 6, 14), counterparts=("Qin Gang",)),
            VisitOccurred(
                subject=B, known_at=utc(2023, 6, 19), counterparts=("Qin Gang", "Xi Jinping")
            ),
            VisitAnnounced(subject=B, known_at=utc(2023, 6, 20), counterparts=("Wang Yi",)),
        ]
    )
    assert ("Qin Gang",) == visit(c, "2023-06-18").counterparts
    assert ("Qin Gang", "Xi Jinping") == visit(c, "2023-06-19").counterparts
    # An announcement known after the occurrence does not undo who was met.
    assert ("Qin Gang", "Xi Jinping") == visit(c, "2023-06-20").counterparts
    assert {("Qin Gang", "Xi Jinping")} == {e.counterparts for e in every_path(c, B, "2023-06-30")}  # type: ignore[union-attr]


def test_an_occurrence_without_counterparts_keeps_the_announced_ones() -> None:
    c = chronicle(
        [
            VisitAnnounced(subject=B, known_at=utc(2023, 6, 14), counterparts=("Qin Gang",)),
            VisitOccurred(subject=B, known_at=utc(2023, 6, 19)),
        ]
    )
    assert ("Qin Gang",) == visit(c, "2023-06-19").counterparts


# -- 5. a figure whose period is over awaits its report --------------------------------------------


def opec() -> list[Event]:
    return [
        TradeProjected(
            subject=F, known_at=utc(2023, 7, 13), period="2024", quantity=Quantity(2.25, "mb/d")
        ),
        TradeProjectionRevised(
            subject=F, known_at=utc(2024, 12, 11), quantity=Quantity(1.61, "mb/d")
        ),
        TradeReported(
            subject=F, known_at=utc(2025, 1, 15), quantity=Quantity(940, "kb/d"), preliminary=True
        ),
    ]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_figure_awaits_its_report_once_its_period_is_over(kind: str, tmp_path: Path) -> None:
    c = chronicle(opec(), kind, tmp_path)
    assert {Status.PROJECTED} == statuses(c, F, "2024-06-30")
    assert {Status.REVISED} == statuses(c, F, "2024-12-31")
    assert {Status.AWAITING_REPORT} == statuses(c, F, "2025-01-01")
    assert {Status.REPORTED} == statuses(c, F, "2025-01-15")
    assert "awaiting_report" == Status.AWAITING_REPORT.value


def test_a_figure_with_an_open_period_or_none_never_awaits_a_report() -> None:
    c = chronicle(
        [
            TradeProjected(subject=F, known_at=utc(2023, 7, 13), period="2024/.."),
            TradeProjected(subject="figure/none", known_at=utc(2023, 7, 13)),
        ]
    )
    assert {Status.PROJECTED} == statuses(c, F, "2030-01-01")
    assert {Status.PROJECTED} == statuses(c, "figure/none", "2030-01-01")


def test_awaiting_report_is_derived_from_snapshots() -> None:
    c = chronicle(opec()[:1])
    c.snapshots = Snapshots(c.store, every=1)
    assert Status.PROJECTED == c.as_of("2024-06-30").expectations()[0].status
    assert Status.AWAITING_REPORT == c.as_of("2025-01-01").expectations()[0].status


# -- 6. what each source said ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_by_source_keeps_each_sources_account(kind: str, tmp_path: Path) -> None:
    c = chronicle(blinken_2023(), kind, tmp_path)
    value = c.as_of("2023-06-30")[B]
    tracks = value.by_source()
    assert ["AP", "NPR", "Politico"] == list(tracks)
    ap = tracks["AP"]
    assert isinstance(ap, SourceTrack)
    assert (Status.OCCURRED, utc(2022, 11, 14), utc(2023, 6, 19)) == (
        ap.status,
        ap.first_known_at,
        ap.known_at,
    )
    # AP last hedged with the anonymous officials' schedule; the merged value took
    # Politico's later, certain one.
    assert (Source("AP"), Likelihood.PROBABLE, 0.7) == (ap.source, ap.likelihood, ap.probability)
    assert (Likelihood.CERTAIN, None) == (value.likelihood, value.probability)
    assert 3 == len(ap.event_ids)
    npr = tracks["NPR"]
    assert (Status.POSTPONED, None, None) == (npr.status, npr.window, npr.likelihood)
    assert (Status.SCHEDULED, Likelihood.CERTAIN) == (
        tracks["Politico"].status,
        tracks["Politico"].likelihood,
    )
    assert tracks == c.as_of("2023-06-30").by_source(B)
    assert tracks == {e.subject: e for e in c.as_of("2023-06-30").expectations()}[B].by_source()
    assert {} == c.as_of("2023-06-30").by_source("visit/nobody")


def test_by_source_keeps_figures_apart() -> None:
    iea = Source("IEA")
    c = chronicle(
        [
            *opec()[:2],
            TradeProjectionRevised(
                subject=F, known_at=utc(2024, 12, 12), quantity=Quantity(860, "kb/d"), source=iea
            ),
        ]
    )
    c.extend(
        [
            TradeProjected(subject="figure/f2", known_at=utc(2023, 7, 13), source=Source("OPEC")),
        ]
    )
    value = c.as_of("2024-12-31")[F]
    assert isinstance(value, TradeExpectation)
    assert Quantity(860, "kb/d") == value.quantity  # the merged view: the latest wins
    assert {"IEA": Quantity(860, "kb/d")} == {n: t.quantity for n, t in value.by_source().items()}


def test_by_source_of_an_overdue_value_and_of_a_history() -> None:
    c = chronicle(blinken_postponed())
    c.extend([VisitAnnounced(subject=B, known_at=utc(2018, 6, 1), source=Source("AP"))])
    overdue = c.as_of("2024-01-01").expectations()[0]
    assert Status.OVERDUE == overdue.status
    assert ["AP"] == list(overdue.by_source())
    assert ["AP"] == list(c.history(B)[-1].after.by_source())  # type: ignore[union-attr]


def test_by_source_of_a_value_built_by_hand_says_why_it_cannot() -> None:
    value = VisitExpectation(
        subject=B,
        status=Status.ANNOUNCED,
        first_known_at=utc(2023, 1, 1),
        updated_at=utc(2023, 1, 1),
        event_ids=("0" * 32,),
    )
    with pytest.raises(ChronologyError, match="no open chronicle holds them"):
        value.by_source()
    assert {} == attrs.evolve(value, event_ids=()).by_source()


def test_by_source_reads_from_any_open_chronicle_holding_the_events(tmp_path: Path) -> None:
    """Ids are content hashes: a value read from a closed chronicle is answered by another one
    holding the same events; with none left open, the error says so."""
    events = blinken_2023()
    with Chronicle.open(tmp_path / "a.db") as a:
        a.extend(events)
        value = a.as_of("2023-06-30")[B]
    other = chronicle(events)
    assert other.as_of("2023-06-30").by_source(B) == value.by_source()
    del other
    gc.collect()
    with pytest.raises(ChronologyError, match="no open chronicle holds them"):
        value.by_source()


# -- properties ------------------------------------------------------------------------------------

_STILL_EXPECTED = {
    Status.ANNOUNCED: Status.OVERDUE,
    Status.SCHEDULED: Status.OVERDUE,
    Status.POSTPONED: Status.OVERDUE,
    Status.PROJECTED: Status.AWAITING_REPORT,
    Status.REVISED: Status.AWAITING_REPORT,
}


def _folded(c: Chronicle, value: Expectation) -> list[Event]:
    """The events ``value`` was folded from, in fold order."""
    records = [c.store.get(event_id) for event_id in value.event_ids]
    return [r.event for r in records if r is not None]


@settings(max_examples=60, deadline=None)
@given(content=st.lists(events(), min_size=1, max_size=12), question=as_of_questions())
def test_derived_statuses_follow_the_one_rule_in_every_path(
    content: list[Event], question: object
) -> None:
    """As of X, a value still expected whose window (or period) ended by X reads ``overdue``
    (visits) or ``awaiting_report`` (figures); every other field is what the fold stored."""
    c = chronicle(content)
    at = as_of_instant(question)  # type: ignore[arg-type]
    naive = View(c.store, as_of=at, recorded_by=None, upto=len(c))
    stored = {}
    for subject in {e.subject for e in content}:
        state = ExpectationFold()
        for r in naive.subject_records(subject):
            state.apply(r.event, r.event_id)
        value = state.freeze_one(subject, None)
        if value is not None:
            stored[subject] = value
    for shown in [*naive.expectations(), *c.as_of(at).expectations()]:
        plain = stored[shown.subject]
        end = None if plain.window is None else plain.window.end
        derived = _STILL_EXPECTED.get(plain.status)
        due = derived is not None and end is not None and end <= at
        expected = derived if derived is not None and due else plain.status
        assert expected == shown.status
        assert attrs.evolve(plain, status=expected) == shown


@settings(max_examples=60, deadline=None)
@given(content=st.lists(events(), min_size=1, max_size=12), question=as_of_questions())
def test_reason_hedge_and_tracks_agree_with_the_events_folded(
    content: list[Event], question: object
) -> None:
    c = chronicle(content)
    for value in c.as_of(question).expectations():  # type: ignore[arg-type]
        folded = _folded(c, value)
        assert len(value.event_ids) == len(folded)
        # The hedge is the last one given, as a pair.
        hedges = [(getattr(e, "likelihood", None), getattr(e, "probability", None)) for e in folded]
        given_ = [h for h in hedges if h != (None, None)]
        assert (given_[-1] if given_ else (None, None)) == (value.likelihood, value.probability)
        # A reason belongs to a status that an event giving reasons set.
        if isinstance(value, VisitExpectation):
            if value.status in (Status.UNKNOWN, Status.ANNOUNCED, Status.OCCURRED):
                assert value.reason is None
            if value.reason is not None:
                assert value.reason in [getattr(e, "reason", None) for e in folded]
        # Every event with a source is on exactly one track, its source's.
        tracks = value.by_source()
        with_source = [e for e in folded if e.source is not None]
        assert list(dict.fromkeys(e.source.name for e in with_source)) == list(tracks)  # type: ignore[union-attr]
        assert sorted(value.event_ids[i] for i, e in enumerate(folded) if e.source) == sorted(
            i for t in tracks.values() for i in t.event_ids
        )
        for name, track in tracks.items():
            own = [e for e in with_source if e.source.name == name]  # type: ignore[union-attr]
            assert (own[0].known_at, own[-1].known_at, own[-1].source) == (
                track.first_known_at,
                track.known_at,
                track.source,
            )
