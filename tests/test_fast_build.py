"""Building events fast gives the events (and the errors) the careful paths give.

- ``event_from_dict`` reads most payloads through the converter's hooks field by field, and
  only asks cattrs again when that fails: any payload, good or bad, gives the same event or the
  same error as cattrs alone.
- ``parse_iso`` reads UTC text as this library writes it with ``datetime.fromisoformat``: the
  same instant as the strict parser, and the strict parser's error for a field out of range.
- The generated ``__init__`` assigns fields on a builder subclass and hands back an instance of
  the class itself (or of the subclass it was called for).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology import serialization
from chronology.errors import ChronologyError, EventError, TimeError, WindowError
from chronology.events import VisitScheduled, event_class, registered_tags
from chronology.instants import parse_iso, parse_local, utc_instant
from chronology.serialization import event_from_dict, event_to_dict
from chronology.testing import strategies as cst
from chronology.time import Window

BUILT_IN = [event_class(t) for t in registered_tags() if not t.startswith("test.")]

# Values a payload's fields may hold, good and bad.
POOL: list[Any] = [
    None,
    "",
    " ",
    "text",
    "\udcff",
    "2024-04-03",
    "2024-04-03T10:00:00+03:00",
    "2024-04-03T10:00:00+00:00",
    "2024-04-03T10:00:00Z",
    "2024-02-30T10:00:00+00:00",
    "2024-04-03T10:00:00",
    "2024-04/2024-05",
    "probable",
    0,
    1,
    1.5,
    0.5,
    float("nan"),
    True,
    [],
    ["a", "b"],
    ["a", 1],
    {},
    {"name": "Reuters"},
    {"name": "Reuters", "kind": "news"},
    {"name": ""},
    {"name": ["x"]},
    {"start": "2024-04-03T00:00:00+00:00", "end": "2024-04-04T00:00:00+00:00"},
    {"start": "2024-04-04T00:00:00+00:00", "end": "2024-04-03T00:00:00+00:00"},
    {"value": 1.5, "unit": "Mt"},
    {"value": "1.5", "unit": "Mt"},
    [1.5, "Mt"],
]


def _outcome(read: Any, data: dict[str, Any]) -> tuple[str, Any, str] | tuple[str, Any]:
    try:
        event = read(data)
    except ChronologyError as exc:
        return ("raised", type(exc), str(exc))
    return ("read", event)


def _careful(data: dict[str, Any]) -> Any:
    """``event_from_dict`` as it was: cattrs reads every payload."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(serialization, "_read_fast", lambda cls, body: None)
        return event_from_dict(data)


@given(st.data())
def test_every_event_type_reads_back_as_the_converter_reads_it(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(BUILT_IN))
    event = data.draw(cst.events_of(cls))
    wire = event_to_dict(event)
    expected = _careful(wire)
    actual = event_from_dict(wire)
    assert expected == actual
    assert event == actual


@given(st.data())
def test_any_value_in_any_field_reads_the_same_or_fails_the_same(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(BUILT_IN))
    wire = event_to_dict(data.draw(cst.events_of(cls)))
    keys = [f.name for f in attrs.fields(cls)] + ["unknown"]
    for key in data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3)):
        if data.draw(st.booleans()) and key in wire:
            del wire[key]
        else:
            wire[key] = data.draw(st.sampled_from(POOL))
    expected = _outcome(_careful, wire)
    actual = _outcome(event_from_dict, wire)
    assert expected == actual


def test_a_field_type_without_a_hook_is_left_to_the_converter() -> None:
    @attrs.frozen(kw_only=True)
    class Odd:
        when: timedelta

    assert serialization._field_reads(Odd) is None
    assert serialization._field_reads(VisitScheduled) is not None


def _strict(text: str) -> datetime:
    return utc_instant(parse_local(text, "f: "), text, "f: ")


@given(cst.instants(), st.booleans())
def test_utc_text_reads_as_the_strict_parser_reads_it(instant: datetime, zulu: bool) -> None:
    text = instant.astimezone(UTC).isoformat()
    if zulu:
        text = text.replace("+00:00", "Z")
    expected = _strict(text)
    actual = parse_iso(text, "f: ")
    assert expected == actual
    assert UTC is actual.tzinfo
    assert datetime is type(actual)


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30T10:00:00+00:00",
        "2023-13-01T10:00:00Z",
        "2024-04-03T24:00:00+00:00",
        "2024-04-03T23:60:00+00:00",
        "0000-01-01T00:00:00+00:00",
    ],
)
def test_utc_text_out_of_range_is_refused_as_before(text: str) -> None:
    with pytest.raises(TimeError) as strict:
        _strict(text)
    with pytest.raises(TimeError) as fast:
        parse_iso(text, "f: ")
    assert str(strict.value) == str(fast.value)


def test_other_text_still_takes_the_strict_parser() -> None:
    expected = datetime(2024, 4, 3, 7, tzinfo=UTC)
    assert expected == parse_iso(" 2024-04-03T10:00:00+03:00 ", "")
    assert expected == parse_iso("2024-04-03T07:00:00.0+00:00", "")
    east = datetime(2024, 4, 3, 10, tzinfo=timezone(timedelta(hours=3)))
    assert expected == parse_iso(east.isoformat(), "")


def test_built_events_are_of_their_own_class_and_keep_no_dict() -> None:
    at = datetime(2024, 4, 3, tzinfo=UTC)
    window = Window(at, at + timedelta(days=1))
    event = VisitScheduled(subject="visit/a", known_at=at, window=window)
    assert VisitScheduled is type(event)
    assert Window is type(window)
    for cls in BUILT_IN:
        assert not hasattr(object.__new__(cls), "__dict__"), cls


def test_a_subclass_keeps_its_class_and_its_dict() -> None:
    class Noted(VisitScheduled):
        pass

    at = datetime(2024, 4, 3, tzinfo=UTC)
    window = Window(at, at + timedelta(days=1))
    noted = Noted(subject="visit/a", known_at="2024-04-03", window=window)
    assert Noted is type(noted)
    assert ("visit/a", at, window) == (noted.subject, noted.known_at, noted.window)
    noted.__dict__["note"] = "kept"
    assert "kept" == noted.__dict__["note"]


def test_a_refused_value_names_the_class_itself() -> None:
    # The converters run while the instance is a builder subclass: it carries the name.
    at = datetime(2024, 4, 3, tzinfo=UTC)
    with pytest.raises(WindowError, match=r"^VisitScheduled\.window: "):
        VisitScheduled(subject="visit/a", known_at=at, window="not a window")
    with pytest.raises(EventError, match=r"^VisitScheduled\.subject: "):
        VisitScheduled(subject=" ", known_at=at, window=Window(at, at))
