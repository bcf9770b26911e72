"""The fast paths (generated codecs, the in-memory order index) give what the plain paths give."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import events, every_event, known_ats

from chronology import Chronicle, Source, Window
from chronology.events import AgendaChanged, Event, TradeProjected, VisitAnnounced, event_type
from chronology.record import chain_hash
from chronology.serialization import (
    canonical_json,
    event_from_dict,
    event_from_payload,
    event_to_dict,
    payload_of,
)


def _same_instants(a: object, b: object) -> None:
    """Equal values whose instants also print the same (zone included), field by field."""
    if isinstance(a, datetime):
        assert isinstance(b, datetime)
        assert a.isoformat() == b.isoformat()
        assert a.tzinfo is b.tzinfo
    elif attrs.has(cls := type(a)):
        for f in attrs.fields(cls):
            _same_instants(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, tuple):
        assert isinstance(b, tuple)
        for x, y in zip(a, b, strict=True):
            _same_instants(x, y)


@given(every_event())
def test_payload_of_is_the_canonical_json_of_the_wire_form(event: Event) -> None:
    assert canonical_json(event_to_dict(event)) == payload_of(event)


@given(every_event())
def test_event_from_payload_reads_what_event_from_dict_reads(event: Event) -> None:
    payload = payload_of(event)
    expected = event_from_dict(json.loads(payload))
    actual = event_from_payload(payload)
    assert expected == actual
    assert event == actual
    assert type(expected) is type(actual)
    _same_instants(expected, actual)
    assert payload == payload_of(actual)


@pytest.mark.parametrize(
    "payload",
    [
        # An old version: upcast by the strict path.
        '{"counterpart":"Wang Yi","known_at":"2024-04-03T00:00:00+00:00","subject":"v/1",'
        '"type":"visit.announced"}',
        # Not UTC, an unknown key, a wrong type: the strict path decides.
        '{"known_at":"2024-04-03T03:00:00+03:00","subject":"v/1","type":"visit.cancelled"}',
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.cancelled",'
        '"extra":1}',
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":7,"type":"visit.cancelled"}',
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"nope"}',
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.cancelled",'
        '"source":{"name":"Reuters","via":[{"name":"Kpler","x":1}]}}',
    ],
)
def test_payloads_the_fast_path_does_not_take_get_the_strict_answer(payload: str) -> None:
    def outcome(read: Callable[[str], Event]) -> object:
        try:
            return read(payload)
        except Exception as exc:
            return (type(exc), str(exc))

    assert outcome(lambda p: event_from_dict(json.loads(p))) == outcome(event_from_payload)


@event_type("test.fastpath.custom")
@attrs.frozen(kw_only=True)
class _Custom(Event):
    """A user event with a field type the generated codecs do not know."""

    amounts: dict[str, int] = attrs.field(factory=dict)
    note: str | None = None


def test_custom_event_types_fall_back_to_the_converter() -> None:
    event = _Custom(subject="x/1", known_at="2024-04-01T00:00:00Z", amounts={"b": 2, "a": 1})
    payload = payload_of(event)
    assert canonical_json(event_to_dict(event)) == payload
    assert event == event_from_payload(payload)


def test_recorded_at_texts_across_microsecond_rollover() -> None:
    """Records sealed in one batch at one clock reading tick one microsecond apart; the texts
    chained into the hashes are their isoformat(), also where the microseconds roll over."""
    start = datetime(2024, 4, 1, 23, 59, 59, 999_997, tzinfo=UTC)
    c = Chronicle(clock=lambda: start)
    base = datetime(2024, 4, 1, tzinfo=UTC)
    events = [
        AgendaChanged(subject="visit/a", known_at=base + timedelta(minutes=i), added=(f"{i}",))
        for i in range(6)
    ]
    c.extend(events)
    records = list(c)
    assert [start + timedelta(microseconds=i) for i in range(6)] == [r.recorded_at for r in records]
    assert len(records) == c.verify()
    previous = "0" * 64
    for r, raw in zip(records, c.store.raw(), strict=True):
        assert r.recorded_at.isoformat() == raw.recorded_at
        previous = chain_hash(previous, r.position, r.event_id, raw.recorded_at, raw.payload)
        assert previous == r.hash


@given(st.lists(st.tuples(known_ats(), events()), min_size=1, max_size=40), st.data())
def test_memory_order_index_after_appends_in_any_order(
    items: list[tuple[datetime, Event]], data: st.DataObject
) -> None:
    """However batches arrive (late, early, ties), ``ordered`` is (known_at, position) order."""
    c = Chronicle()
    pending = [attrs.evolve(e, known_at=k) for k, e in items]
    while pending:
        size = data.draw(st.integers(1, len(pending)))
        c.extend(pending[:size])
        pending = pending[size:]
    expected = sorted(c, key=lambda r: (r.known_at, r.position))
    assert expected == list(c.store.ordered())
    for until in {r.known_at for r in expected}:
        assert [r for r in expected if r.known_at <= until] == list(c.store.ordered(until))


def test_memory_order_index_merges_many_late_records() -> None:
    """A batch with hundreds of late records takes the merge path; the order still holds."""
    base = datetime(2024, 1, 1, tzinfo=UTC)
    c = Chronicle()
    c.extend(
        AgendaChanged(subject=f"visit/{i % 7}", known_at=base + timedelta(hours=i), added=("a",))
        for i in range(0, 2_000, 2)
    )
    c.extend(
        AgendaChanged(subject=f"visit/{i % 7}", known_at=base + timedelta(hours=i), added=("b",))
        for i in range(2_001, 1, -2)
    )
    expected = sorted(c, key=lambda r: (r.known_at, r.position))
    assert expected == list(c.store.ordered())


def test_sources_with_chains_round_trip() -> None:
    source = Source(
        "Bloomberg",
        kind="news",
        url="https://example.org/a?b=1&c=\u00e9",
        published_at="2024-03-18T10:00:00+03:00",
        via=(Source("Kpler", kind="data"), "Vortexa"),
    )
    event = VisitAnnounced(
        subject="visit/\u738b",
        known_at="2024-03-18",
        source=source,
        window=Window.parse("2024-04~/2024-05?"),
        counterparts=('Wang "Yi"', "\\n"),
    )
    payload = payload_of(event)
    assert canonical_json(event_to_dict(event)) == payload
    assert event == event_from_payload(payload)


@pytest.mark.parametrize("probability", [1, 0, 0.25, 1.0])
def test_numbers_read_back_as_the_strict_path_reads_them(probability: float) -> None:
    """An integer probability is written as JSON writes it and read back as a float."""
    event = VisitAnnounced(subject="visit/p", known_at="2024-04-03", probability=probability)
    payload = payload_of(event)
    assert canonical_json(event_to_dict(event)) == payload
    expected = event_from_dict(json.loads(payload))
    actual = event_from_payload(payload)
    assert expected == actual
    assert type(expected.probability) is type(actual.probability)  # type: ignore[attr-defined]


def test_past_due_copies_every_field() -> None:
    from chronology.expectations import Status
    from chronology.fold import ExpectationFold, past_due

    fold = ExpectationFold()
    fold.apply(VisitAnnounced(subject="visit/o", known_at="2024-04-03", visitor="V"), "id1")
    fold.apply(TradeProjected(subject="trade/o", known_at="2024-04-03", period="2024-03"), "id2")
    value = fold.freeze_one("visit/o", None)
    assert value is not None
    assert attrs.evolve(value, status=Status.OVERDUE) == past_due(value)
    figure = fold.freeze_one("trade/o", None)
    assert figure is not None
    assert attrs.evolve(figure, status=Status.AWAITING_REPORT) == past_due(figure)
