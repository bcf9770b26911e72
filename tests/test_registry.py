"""The public registry: event types, reserved field names, and the public codec names the
record and store modules build on."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from chronology import registry, serialization
from chronology.errors import EventError, UnknownEventTypeError
from chronology.events import Event, VisitCancelled, event_type


@pytest.mark.parametrize("name", sorted(registry.RESERVED_FIELD_NAMES))
def test_a_field_named_as_a_wire_key_is_refused_at_registration(name: str) -> None:
    cls = attrs.make_class(
        "Clash", {name: attrs.field(default=None)}, bases=(Event,), frozen=True, kw_only=True
    )
    with pytest.raises(EventError) as info:
        event_type(f"test.clash_{name}")(cls)
    assert f"Clash.{name}: the field name {name!r} is reserved" in str(info.value)
    assert registry.find_event_class(f"test.clash_{name}") is None


def test_reserved_names_cover_the_record_keys_and_the_tag() -> None:
    expected = serialization.RECORD_KEYS | {"type", "v"}
    assert expected == registry.RESERVED_FIELD_NAMES


def test_lookup_by_tag() -> None:
    assert VisitCancelled is registry.event_class("visit.cancelled")
    assert VisitCancelled is registry.find_event_class("visit.cancelled")
    assert registry.find_event_class("no.such") is None
    assert registry.find_event_class(3) is None
    with pytest.raises(UnknownEventTypeError, match=r"unknown event type 'no\.such'"):
        registry.event_class("no.such")


def test_malformed_tag_is_refused() -> None:
    with pytest.raises(EventError, match="dotted lowercase words"):
        registry.check_tag("Visit Announced")


def test_instant_text_is_isoformat_in_utc() -> None:
    t = datetime(2024, 4, 8, 9, 30, 1, 2500, tzinfo=UTC)
    assert t.isoformat() == serialization.instant_text(t)
    whole = datetime(2024, 4, 8, 9, 30, tzinfo=UTC)
    assert whole.isoformat() == serialization.instant_text(whole)
    assert "007" == serialization.DIGITS3[7]


def test_writer_for_writes_the_canonical_payload() -> None:
    event = VisitCancelled(subject="v/1", known_at="2024-04-05T00:00:00Z", reason="r")
    write = serialization.writer_for(VisitCancelled)
    assert write is not None
    expected = serialization.canonical_json(serialization.event_to_dict(event))
    assert expected == write(event)
    assert expected == write(event, serialization.instant_text(event.known_at))


def test_writer_for_a_class_without_a_tag_is_none() -> None:
    @attrs.frozen(kw_only=True)
    class Untagged(Event):
        pass

    assert serialization.writer_for(Untagged) is None


def test_a_name_only_source_read_back_is_the_one_shared_source() -> None:
    from chronology.values import SHARED_SOURCES, Source

    event = VisitCancelled(
        subject="v/1", known_at="2024-04-05T00:00:00Z", source=Source("Agency 7")
    )
    payload = serialization.payload_of(event)
    SHARED_SOURCES.pop("Agency 7", None)
    read = serialization.event_from_payload(payload)
    assert read.source is SHARED_SOURCES["Agency 7"]
    assert read.source is Source("Agency 7")
