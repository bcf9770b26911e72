"""The wire form of events: tags, omitted defaults, canonical JSON, event ids, upcasting."""

import json
from datetime import UTC, datetime
from typing import Any, ClassVar

import attrs
import pytest

from chronology.errors import EventError, UnknownEventTypeError
from chronology.events import (
    Event,
    Likelihood,
    Quantity,
    Source,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitScheduled,
    event_type,
)
from chronology.serialization import (
    RECORD_KEYS,
    canonical_json,
    event_from_dict,
    event_from_payload,
    event_id_of,
    event_to_dict,
    payload_of,
    register_upcaster,
)
from chronology.time import Window

AT = "2024-04-03T12:00:00+00:00"


def announced() -> VisitAnnounced:
    return VisitAnnounced(
        subject="visit/lavrov-china-2024-04",
        known_at="2024-04-03T15:00:00+03:00",
        source=Source(
            "Reuters", kind="news", via=(Source("Russian MFA", speaker="Maria Zakharova"),)
        ),
        visitor="Sergei Lavrov",
        host="China",
        counterparts=("Wang Yi",),
        window=Window.vague("soon", anchor="2024-04-03T12:00:00Z"),
        agenda=("SCO", "BRICS"),
        likelihood="probable",
    )


def reported() -> TradeReported:
    return TradeReported(
        subject="trade/x",
        known_at="2024-04-20T12:00:00Z",
        quantity=Quantity(10.81, "Mt"),
        period="2024-03",
        scope="customs",
        preliminary=True,
    )


# -- the wire form ------------------------------------------------------------------------------


def test_wire_form_has_the_tag_and_only_fields_that_differ_from_their_default() -> None:
    e = VisitCancelled(subject="v/1", known_at="2024-04-05T03:00:00+03:00")
    assert {
        "type": "visit.cancelled",
        "subject": "v/1",
        "known_at": "2024-04-05T00:00:00+00:00",
    } == (event_to_dict(e))
    assert "type" == next(iter(event_to_dict(e)))


def test_wire_form_of_nested_values() -> None:
    d = event_to_dict(announced())
    assert 2 == d["v"]  # visit.announced is at payload version 2
    assert {
        "start": "2024-04-03T12:00:00+00:00",
        "end": "2024-05-03T12:00:00+00:00",
        "label": "soon",
        "approximate": True,
    } == d["window"]
    assert {
        "name": "Reuters",
        "kind": "news",
        "via": [{"name": "Russian MFA", "speaker": "Maria Zakharova"}],
    } == json.loads(json.dumps(d["source"]))
    assert "probable" == d["likelihood"]
    assert {"value": 10.81, "unit": "Mt"} == event_to_dict(reported())["quantity"]


#: Canonical payloads and ids are a file format: a change here breaks deduplication of logs
#: already written. Change them only with an upcaster and a note in the changelog.
PINNED = [
    (
        announced,
        '{"agenda":["SCO","BRICS"],"counterparts":["Wang Yi"],"host":"China",'
        '"known_at":"2024-04-03T12:00:00+00:00","likelihood":"probable",'
        '"source":{"kind":"news","name":"Reuters","via":[{"name":"Russian MFA",'
        '"speaker":"Maria Zakharova"}]},"subject":"visit/lavrov-china-2024-04",'
        '"type":"visit.announced","v":2,"visitor":"Sergei Lavrov","window":{"approximate":true,'
        '"end":"2024-05-03T12:00:00+00:00","label":"soon","start":"2024-04-03T12:00:00+00:00"}}',
        "aa60ad5609f2313d6d090bdfd44b8ac2",
    ),
    (
        reported,
        '{"known_at":"2024-04-20T12:00:00+00:00","period":{"end":"2024-04-01T00:00:00+00:00",'
        '"start":"2024-03-01T00:00:00+00:00"},"preliminary":true,'
        '"quantity":{"unit":"Mt","value":10.81},"scope":"customs","subject":"trade/x",'
        '"type":"trade.reported"}',
        "da7364c9262d232578fb88c4e142bc08",
    ),
]


@pytest.mark.parametrize(("build", "payload", "event_id"), PINNED)
def test_canonical_payload_and_event_id_are_pinned(build: Any, payload: str, event_id: str) -> None:
    e = build()
    assert payload == canonical_json(event_to_dict(e))
    assert payload == payload_of(e)
    assert event_id == event_id_of(payload)
    assert e == event_from_dict(json.loads(payload))
    assert e == event_from_payload(payload)


def test_canonical_json_is_sorted_compact_and_keeps_unicode() -> None:
    assert '{"a":[1,2],"b":"王毅"}' == canonical_json({"b": "王毅", "a": [1, 2]})


def test_event_id_does_not_depend_on_how_the_instant_was_written() -> None:
    a = VisitCancelled(subject="v", known_at="2024-04-03T15:00:00+03:00")
    b = VisitCancelled(subject="v", known_at=datetime(2024, 4, 3, 12, tzinfo=UTC))
    assert payload_of(a) == payload_of(b)
    assert 32 == len(event_id_of(payload_of(a)))
    assert event_id_of(payload_of(a)) != event_id_of(payload_of(attrs.evolve(a, subject="w")))


# -- reading ------------------------------------------------------------------------------------


def test_reading_accepts_shorthands() -> None:
    e = event_from_dict(
        {
            "type": "trade.reported",
            "subject": "t",
            "known_at": "2024-04-20T15:00:00+03:00",
            "quantity": [10.81, "Mt"],
            "period": "2024-03",
            "source": "Dawn",
        }
    )
    assert (
        TradeReported(
            subject="t",
            known_at="2024-04-20T12:00:00Z",
            quantity=Quantity(10.81, "Mt"),
            period=Window.parse("2024-03"),
            source=Source("Dawn"),
        )
        == e
    )


def test_reading_ignores_the_keys_of_an_exported_record() -> None:
    d = event_to_dict(reported())
    exported = {"position": 3, "recorded_at": AT, "event_id": "x" * 32, "hash": "0" * 64, **d}
    assert set(RECORD_KEYS) <= set(exported)
    assert reported() == event_from_dict(exported)


def test_window_objects_may_have_open_bounds() -> None:
    e = event_from_dict(
        {
            "type": "visit.scheduled",
            "subject": "v",
            "known_at": AT,
            "window": {"start": "2024-04-08T00:00:00Z", "uncertain": True},
        }
    )
    assert isinstance(e, VisitScheduled)
    assert Window("2024-04-08", None, uncertain=True) == e.window


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "v", "known_at": AT}, r"missing 'type'"),
        ({"type": "visit.teleported", "subject": "v", "known_at": AT}, r"'visit\.teleported'"),
        ({"type": 3, "subject": "v", "known_at": AT}, r"unknown event type 3"),
    ],
)
def test_unknown_tags(data: dict[str, Any], message: str) -> None:
    with pytest.raises(UnknownEventTypeError, match=message):
        event_from_dict(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visitr": "x"}, r"visit\.announced: unknown field\(s\): visitr"),
        (
            {"counterparts": "Wang Yi"},
            r"expected a list of strings, got 'Wang Yi' @ event\.counterparts",
        ),
        ({"probability": 1.5}, r"probability: expected a probability in \[0, 1\], got 1\.5"),
        ({"probability": "high"}, r"expected a finite number, got 'high' @ event\.probability"),
        ({"likelihood": "perhaps"}, r"got 'perhaps' @ event\.likelihood"),
        ({"known_at": "2024-04-03T12:00:00"}, r"has no UTC offset.* @ event\.known_at"),
        (
            {"known_at": 1712145600},
            r"expected an ISO 8601 string, got 1712145600 @ event\.known_at",
        ),
        ({"window": "2024-04-09/2024-04-08"}, r"the end '2024-04-08' is before .* @ event\.window"),
        ({"window": {"begin": "2024-04-08"}}, r"unknown window keys: begin @ event\.window"),
        ({"window": {"start": 20240408}}, r"window start: expected an ISO 8601 string"),
        ({"source": {"name": "R", "via": [{"nam": "x"}]}}, r"@ event\.source\.via\[0\]"),
        ({"source": 3}, r"expected a source object or name, got 3 @ event\.source"),
        ({"v": 0}, r"'v' must be a positive integer, got 0"),
        ({"v": 3}, r"payload version 3 is newer than this library's 2"),
        ({"subject": ""}, r"subject: expected a non-empty string"),
    ],
)
def test_invalid_fields_name_the_field(data: dict[str, Any], message: str) -> None:
    base = {"type": "visit.announced", "subject": "v", "known_at": AT, "v": 2}
    with pytest.raises(EventError, match=message):
        event_from_dict({**base, **data})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, r"required field missing @ event\.quantity"),
        ({"quantity": {"value": 1}}, r"expected a quantity .* @ event\.quantity"),
        ({"quantity": {"value": "NaN", "unit": "t"}}, r"quantity value: expected a finite number"),
        (
            {"quantity": {"value": 10**400, "unit": "t"}},
            r"quantity value: expected a finite number",
        ),
        ({"quantity": [1, "t"], "preliminary": "yes"}, r"got 'yes' @ event\.preliminary"),
    ],
)
def test_invalid_trade_report_fields(data: dict[str, Any], message: str) -> None:
    base = {"type": "trade.reported", "subject": "t", "known_at": AT}
    with pytest.raises(EventError, match=message):
        event_from_dict({**base, **data})


def test_reading_refuses_what_is_not_an_object() -> None:
    with pytest.raises(EventError, match="expected a JSON object, got list"):
        event_from_dict([1, 2])  # type: ignore[arg-type]


def test_untagged_classes_cannot_be_written() -> None:
    @attrs.frozen(kw_only=True)
    class Untagged(Event):
        pass

    with pytest.raises(EventError, match="Untagged has no tag: register it with @event_type"):
        event_to_dict(Untagged(subject="x", known_at=AT))


# -- upcasting ----------------------------------------------------------------------------------


def test_version_one_visit_announced_payloads_are_upcast() -> None:
    old = {"type": "visit.announced", "subject": "v", "known_at": AT, "counterpart": "Wang Yi"}
    e = event_from_dict(old)
    assert isinstance(e, VisitAnnounced)
    assert ("Wang Yi",) == e.counterparts
    assert 2 == event_to_dict(e)["v"]


@event_type("test.memo")
@attrs.frozen(kw_only=True)
class Memo(Event):
    """Version 3: ``text`` (version 1 called it ``note``; version 2 added ``urgent``)."""

    version: ClassVar[int] = 3

    text: str
    urgent: bool = False


register_upcaster(
    "test.memo",
    1,
    lambda body: {**{k: v for k, v in body.items() if k != "note"}, "text": body["note"]},
)
register_upcaster("test.memo", 2, lambda body: body)


def test_upcasters_run_step_by_step_to_the_current_version() -> None:
    e = event_from_dict({"type": "test.memo", "subject": "m", "known_at": AT, "note": "hi"})
    assert Memo(subject="m", known_at=AT, text="hi") == e
    d = event_to_dict(e)
    assert (3, "hi") == (d["v"], d["text"])
    assert e == event_from_dict(d)
    assert e == event_from_dict({**d, "v": 2})


@event_type("test.orphan")
@attrs.frozen(kw_only=True)
class Orphan(Event):
    version: ClassVar[int] = 2


def test_a_missing_upcaster_is_an_error_naming_the_version() -> None:
    with pytest.raises(EventError, match=r"test\.orphan: no upcaster from version 1"):
        event_from_dict({"type": "test.orphan", "subject": "o", "known_at": AT})


def test_likelihood_round_trips_as_its_value() -> None:
    e = VisitAnnounced(subject="v", known_at=AT, likelihood=Likelihood.UNCERTAIN)
    assert "uncertain" == event_to_dict(e)["likelihood"]
    assert e == event_from_dict(event_to_dict(e))
