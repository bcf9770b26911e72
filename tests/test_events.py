"""Events and their value types: construction, validation, tags, likelihood cues, quantities."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from chronology import Chronicle
from chronology.errors import (
    EventError,
    TimeError,
    UnitError,
    UnknownCueError,
    UnknownEventTypeError,
)
from chronology.events import (
    AgendaChanged,
    Event,
    Likelihood,
    Quantity,
    Retracted,
    Source,
    StatementMade,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitEvent,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
    event_class,
    event_type,
    registered_tags,
)
from chronology.expectations import VisitExpectation
from chronology.serialization import event_from_dict, event_to_dict
from chronology.time import Window

AT = "2024-04-03T12:00:00+00:00"


def wrong(value: object) -> Any:
    """A value of the wrong type, passed on purpose to check what the validators say."""
    return value


#: The wire tags are a file format: they must never change.
TAGS = {
    VisitAnnounced: "visit.announced",
    VisitScheduled: "visit.scheduled",
    VisitRescheduled: "visit.rescheduled",
    VisitPostponed: "visit.postponed",
    VisitCancelled: "visit.cancelled",
    VisitOccurred: "visit.occurred",
    AgendaChanged: "visit.agenda_changed",
    TradeProjected: "trade.projected",
    TradeProjectionRevised: "trade.projection_revised",
    TradeReported: "trade.reported",
    StatementMade: "statement.made",
    Retracted: "retracted",
}


@event_type("test.sighting")
@attrs.frozen(kw_only=True)
class Sighting(Event):
    """A custom event type, registered once for this module."""

    place: str


@event_type("test.visit_rumoured")
@attrs.frozen(kw_only=True)
class VisitRumoured(VisitAnnounced):
    """A custom subclass of a built-in event: folded like its base."""

    rumour: str = "unconfirmed"


# -- tags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "tag"), list(TAGS.items()))
def test_built_in_tags_are_stable(cls: type[Event], tag: str) -> None:
    assert tag == cls.tag
    assert cls is event_class(tag)


def test_registered_tags_include_every_built_in() -> None:
    tags = registered_tags()
    assert set(TAGS.values()) <= set(tags)
    assert sorted(tags) == list(tags)


def test_unknown_tag_names_it_and_lists_known() -> None:
    with pytest.raises(UnknownEventTypeError, match=r"unknown event type 'visit\.teleported'.*"):
        event_class("visit.teleported")
    with pytest.raises(UnknownEventTypeError, match=r"known: .*visit\.announced"):
        event_class("nope")


def test_event_type_refuses_a_malformed_tag() -> None:
    with pytest.raises(EventError, match=r"event tag 'Visit Announced': use dotted lowercase"):
        event_type("Visit Announced")


def test_event_type_refuses_a_duplicate_tag() -> None:
    with pytest.raises(
        EventError, match=r"'visit\.announced' is already registered to VisitAnnounced"
    ):

        @event_type("visit.announced")
        @attrs.frozen(kw_only=True)
        class Impostor(Event):
            pass


def test_event_type_refuses_a_class_that_is_not_an_event() -> None:
    with pytest.raises(EventError, match="must be an attrs class derived from chronology Event"):

        @event_type("test.not_an_event")
        @attrs.frozen
        class NotAnEvent:  # type: ignore[type-var]  # not an Event, on purpose
            pass


def test_registering_the_same_class_twice_is_harmless() -> None:
    assert Sighting is event_type("test.sighting")(Sighting)


def test_custom_event_round_trips_and_is_stored() -> None:
    e = Sighting(subject="bird/1", known_at=AT, place="pond")
    assert "test.sighting" == e.tag
    assert e == event_from_dict(event_to_dict(e))
    c = Chronicle()
    rec = c.append(e)
    view = c.as_of("2024-04-03")
    assert () == view.expectations()  # the built-in projection leaves it alone
    assert (e,) == view.events()
    assert [rec] == list(c)


def test_custom_subclass_folds_like_its_base() -> None:
    c = Chronicle()
    c.append(VisitRumoured(subject="visit/x", known_at=AT, visitor="Wang Yi"))
    value = c.as_of("2024-04-03")["visit/x"]
    assert isinstance(value, VisitExpectation)
    assert ("announced", "Wang Yi") == (value.status, value.visitor)


# -- construction and validation ----------------------------------------------------------------


def test_events_are_frozen_and_keyword_only() -> None:
    e = VisitCancelled(subject="visit/x", known_at=AT)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.subject = "visit/y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        VisitCancelled("visit/x", AT)  # type: ignore[call-arg]
    assert "visit/y" == attrs.evolve(e, subject="visit/y").subject


def test_known_at_is_normalized_to_utc() -> None:
    e = VisitCancelled(
        subject="v", known_at=datetime(2024, 4, 3, 15, tzinfo=timezone(timedelta(hours=3)))
    )
    assert datetime(2024, 4, 3, 12, tzinfo=UTC) == e.known_at
    assert UTC is e.known_at.tzinfo
    assert e == VisitCancelled(subject="v", known_at="2024-04-03T12:00:00Z")


def test_naive_known_at_is_refused_when_built() -> None:
    with pytest.raises(TimeError, match=r"known_at: naive datetime '2024-04-03T12:00:00' refused"):
        VisitCancelled(subject="v", known_at=datetime(2024, 4, 3, 12))
    with pytest.raises(TimeError, match=r"known_at: '2024-04-03T12:00:00' has no UTC offset"):
        VisitCancelled(subject="v", known_at="2024-04-03T12:00:00")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: VisitCancelled(subject="", known_at=AT), r"subject: expected a non-empty string"),
        (lambda: VisitCancelled(subject="  ", known_at=AT), r"subject: expected a non-empty"),
        (
            lambda: VisitCancelled(subject=wrong(3), known_at=AT),
            r"subject: expected a non-empty string, got 3",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, counterparts="Wang Yi"),
            r"expected a sequence of strings, got the single string 'Wang Yi'",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, agenda=wrong(("SCO", 3))),
            r"VisitAnnounced\.agenda\[1\]: expected a string, got 3 \(int\)",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, probability=1.5),
            r"probability: expected a probability in \[0, 1\], got 1.5",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, probability=True),
            r"probability: expected a probability in \[0, 1\], got True",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, likelihood="perhaps"),
            r"VisitAnnounced\.likelihood: expected one of certain, probable, possible, "
            r"uncertain, unlikely, ruled_out or None, got 'perhaps' \(str\)",
        ),
        (lambda: VisitScheduled(subject="v", known_at=AT, window=wrong(None)), r"window: required"),
        (
            lambda: VisitScheduled(subject="v", known_at=AT, window=wrong(3)),
            r"VisitScheduled\.window: expected a Window, an EDTF string or None, got 3 \(int\)",
        ),
        (
            lambda: TradeReported(
                subject="t", known_at=AT, quantity=Quantity(1, "t"), preliminary=wrong(1)
            ),
            r"preliminary: expected true or false, got 1",
        ),
        (lambda: Retracted(subject="v", known_at=AT, target=""), r"target: expected a non-empty"),
        (lambda: Source(""), r"Source\.name: expected a non-empty string, got '' \(str\)"),
        (
            lambda: Source("R", via="Kpler"),
            r"Source\.via: expected a sequence of sources or names, got the single string 'Kpler'",
        ),
    ],
)
def test_invalid_fields_are_refused_naming_the_field(build: object, message: str) -> None:
    with pytest.raises(EventError, match=message):
        build()  # type: ignore[operator]


def test_window_fields_accept_edtf_text() -> None:
    e = VisitScheduled(subject="v", known_at=AT, window="2024-04-08/2024-04-09")
    assert Window.parse("2024-04-08/2024-04-09") == e.window


def test_source_accepts_names_in_via_and_normalizes_published_at() -> None:
    s = Source("Bloomberg", via=["Kpler"], published_at="2024-03-18T15:00:00+03:00")
    assert (Source("Kpler"),) == s.via
    assert datetime(2024, 3, 18, 12, tzinfo=UTC) == s.published_at
    assert "Bloomberg via Kpler" == str(s)
    with pytest.raises(TimeError, match="published_at: naive datetime"):
        Source("R", published_at=datetime(2024, 3, 18))


def test_sources_are_hashable_values() -> None:
    a = Source("Dawn", via=(Source("Reuters"),))
    assert a == Source("Dawn", via=["Reuters"])
    assert 1 == len({a, Source("Dawn", via=["Reuters"])})


# -- quantities ---------------------------------------------------------------------------------


def test_quantity_is_a_number_with_a_unit() -> None:
    q = Quantity(1_700_000, "bbl/d")
    assert (1_700_000.0, "bbl/d") == (q.value, q.unit)
    assert float is type(q.value)
    assert "1,700,000 bbl/d" == str(q)


def test_quantity_conversions_within_a_dimension() -> None:
    assert Quantity(10_810_000.0, "t") == Quantity(10.81, "Mt").to("t")
    assert Quantity(1.7, "Mbbl/d") == Quantity(1_700_000, "bbl/d").to("Mbbl/d")
    assert Quantity(379.0, "kbbl/d") == Quantity(379_000, "bbl/d").to("kbbl/d")


def test_quantity_conversion_across_dimensions_needs_a_factor() -> None:
    with pytest.raises(UnitError, match=r"'Mt' \(mass\) to 'Mbbl' \(volume\) without a factor"):
        Quantity(10.81, "Mt").to("Mbbl")
    assert 79.24 == round(Quantity(10.81, "Mt").to("Mbbl", factor=7.33).value, 2)


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), -float("inf"), "1", None, True, 10**400]
)
def test_quantity_value_must_be_a_finite_number(value: object) -> None:
    with pytest.raises(EventError, match="quantity value: expected a finite number"):
        Quantity(value, "t")  # type: ignore[arg-type]


def test_quantity_unit_must_be_text() -> None:
    with pytest.raises(EventError, match=r"Quantity\.unit: expected a non-empty string"):
        Quantity(1, "")


# -- likelihood ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lavrov will visit China", Likelihood.CERTAIN),
        ("the visit is scheduled for 8-9 April", Likelihood.CERTAIN),
        ("Lavrov is expected to visit China soon", Likelihood.PROBABLE),
        ("Russia is poised to export a record volume", Likelihood.PROBABLE),
        ("the talks are LIKELY to cover trade", Likelihood.PROBABLE),
        ("talks may cover trade", Likelihood.POSSIBLE),
        ("talks could cover trade", Likelihood.POSSIBLE),
        ("analysts question how sanctions may influence trade", Likelihood.UNCERTAIN),
        ("it will likely happen", Likelihood.PROBABLE),
        ("analysts  question whether it will", Likelihood.UNCERTAIN),
    ],
)
def test_likelihood_from_cue(text: str, expected: Likelihood) -> None:
    assert expected is Likelihood.from_cue(text)


def test_likelihood_cues_are_whole_words() -> None:
    with pytest.raises(UnknownCueError, match=r"no hedge cue found in 'the willow maybelline'"):
        Likelihood.from_cue("the willow maybelline")


def test_likelihood_is_a_string_enum() -> None:
    text: str = "probable"
    assert text == Likelihood.PROBABLE
    assert (
        Likelihood.PROBABLE
        is VisitAnnounced(subject="v", known_at=AT, likelihood="probable").likelihood
    )


def test_marker_bases() -> None:
    assert issubclass(VisitOccurred, VisitEvent)
    assert not issubclass(StatementMade, VisitEvent)
