"""Vague phrases and EDTF dates resolved in the speaker's calendar (issue 20)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology import Chronicle
from chronology.errors import ChronologyError, TimeError
from chronology.events import VisitAnnounced
from chronology.expectations import Status
from chronology.time import DEFAULT_LEXICON, Window, format_instant


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def zone(name: str) -> tzinfo:
    z = pendulum.timezone(name)
    assert isinstance(z, tzinfo)
    return z


# -- the cases of the issue ---------------------------------------------------------------------


def test_this_month_said_in_tokyo_covers_july_in_tokyo() -> None:
    said = "2023-07-01T07:00:00+09:00"  # 22:00 UTC on 30 June
    w = Window.vague("this month", anchor=said)
    assert (utc(2023, 6, 30, 22), utc(2023, 7, 31, 15)) == (w.start, w.end)
    assert w == Window.vague("this month", anchor=said, tz="Asia/Tokyo")
    assert w == Window.vague("this month", anchor="2023-06-30T22:00:00Z", tz="Asia/Tokyo")


def test_a_visit_said_this_month_in_tokyo_is_not_overdue_five_hours_later() -> None:
    said = "2023-07-01T07:00:00+09:00"
    c = Chronicle()
    c.append(
        VisitAnnounced(
            subject="visit/tokyo",
            known_at=said,
            window=Window.vague("this month", anchor=said),
        )
    )
    assert Status.ANNOUNCED == c.as_of("2023-07-01T12:00:00+09:00")["visit/tokyo"].status
    assert Status.ANNOUNCED == c.as_of("2023-07-31T23:59:00+09:00")["visit/tokyo"].status
    assert Status.OVERDUE == c.as_of("2023-08-01T00:00:00+09:00")["visit/tokyo"].status


def test_next_year_said_just_after_midnight_in_seoul() -> None:
    w = Window.vague("next year", anchor="2024-01-01T00:30:00+09:00")
    assert (utc(2024, 12, 31, 15), utc(2025, 12, 31, 15)) == (w.start, w.end)
    assert w == Window.vague("next year", anchor="2023-12-31T15:30:00Z", tz="Asia/Seoul")


def test_the_zone_of_a_datetime_anchor_decides() -> None:
    said = pendulum.datetime(2024, 3, 31, 23, 30, tz="Europe/Berlin")  # 21:30 UTC
    w = Window.vague("next month", anchor=said)
    assert (utc(2024, 3, 31, 22), utc(2024, 4, 30, 22)) == (w.start, w.end)


def test_a_plain_date_anchor_is_its_midnight_utc() -> None:
    assert Window.vague("this month", anchor=date(2024, 4, 30)) == Window.vague(
        "this month", anchor="2024-04-30T00:00:00Z"
    )
    # 00:00 UTC on 30 April is 20:00 on 29 April in New York: still April there.
    w = Window.vague("this month", anchor="2024-04-30", tz="America/New_York")
    assert (utc(2024, 4, 30), utc(2024, 5, 1, 4)) == (w.start, w.end)


def test_tz_overrides_the_anchor_offset() -> None:
    w = Window.vague("this month", anchor="2024-04-30T20:00:00-04:00", tz="Asia/Tokyo")
    # 00:00 UTC on 1 May is 09:00 on 1 May in Tokyo: this month is May there.
    assert (utc(2024, 5, 1), utc(2024, 5, 31, 15)) == (w.start, w.end)


def test_next_week_across_a_dst_change() -> None:
    w = Window.vague("next week", anchor="2024-03-27T12:00:00+01:00", tz="Europe/Berlin")
    assert (utc(2024, 3, 31, 22), utc(2024, 4, 7, 22)) == (w.start, w.end)
    w = Window.vague("next week", anchor="2024-03-20T12:00:00+01:00", tz="Europe/Berlin")
    assert (utc(2024, 3, 24, 23), utc(2024, 3, 31, 22)) == (w.start, w.end)
    assert timedelta(days=7, hours=-1) == w.duration


def test_spans_in_days_are_elapsed_time_in_every_zone() -> None:
    said = "2024-03-27T12:00:00+01:00"
    w = Window.vague("soon", anchor=said, tz="Europe/Berlin")
    assert (utc(2024, 3, 27, 11), utc(2024, 4, 26, 11)) == (w.start, w.end)
    assert w == Window.vague("soon", anchor=said)


def test_in_the_coming_months_counts_local_calendar_months() -> None:
    w = Window.vague("in the coming months", anchor="2024-01-31T20:00:00-05:00")
    assert (utc(2024, 2, 1, 1), utc(2024, 8, 1, 1)) == (w.start, w.end)


def test_later_this_year_ends_with_the_local_year() -> None:
    w = Window.vague("later this year", anchor="2024-06-01T12:00:00+05:45")
    assert utc(2024, 12, 31, 18, 15) == w.end


# -- Window.parse -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tz", "start", "end"),
    [
        ("2024-04-08/2024-04-09", "Asia/Shanghai", utc(2024, 4, 7, 16), utc(2024, 4, 9, 16)),
        ("2024-04", "America/New_York", utc(2024, 4, 1, 4), utc(2024, 5, 1, 4)),
        ("2024", "Asia/Kolkata", utc(2023, 12, 31, 18, 30), utc(2024, 12, 31, 18, 30)),
        ("2024-03-31", "Europe/Berlin", utc(2024, 3, 30, 23), utc(2024, 3, 31, 22)),
        ("2024-04-08/..", "Asia/Tokyo", utc(2024, 4, 7, 15), None),
        ("../2024-04-09", "Asia/Tokyo", None, utc(2024, 4, 9, 15)),
        ("2024-04-08T10:00+03:00", "Asia/Tokyo", utc(2024, 4, 8, 7), utc(2024, 4, 8, 7, 1)),
        ("2024-04-08/2024-04-09T12:00Z", "Asia/Tokyo", utc(2024, 4, 7, 15), utc(2024, 4, 9, 12, 1)),
        ("9999", "America/New_York", utc(9999, 1, 1, 5), None),
        ("9999-12-31", "Asia/Tokyo", utc(9999, 12, 30, 15), None),
        ("0001-01-01", "Asia/Tokyo", None, datetime(1, 1, 1, 14, 41, 1, tzinfo=UTC)),
    ],
)
def test_parse_dates_in_a_zone(
    text: str, tz: str, start: datetime | None, end: datetime | None
) -> None:
    w = Window.parse(text, tz=tz)
    assert (start, end) == (w.start, w.end)


def test_parse_without_tz_keeps_utc() -> None:
    for text in ["2024", "2024-04~", "2024-04-08/2024-04-09", "../2024-04-09", "9999"]:
        assert Window.parse(text) == Window.parse(text, tz="UTC")
        assert Window.parse(text) == Window.parse(text, tz="Etc/UTC")


def test_parse_keeps_label_and_qualifiers_in_a_zone() -> None:
    w = Window.parse("2024-04-08%", tz="Asia/Tokyo", label="8 April")
    assert ("8 April", True, True) == (w.label, w.approximate, w.uncertain)


def test_parse_in_a_zone_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ChronologyError, match="is before the start"):
        Window.parse("2024-04-09/2024-04-08T12:00Z", tz="Asia/Tokyo")


@pytest.mark.parametrize("tz", ["Asia/Nowhere", "asia/tokyo", "+09:00", "", "Asia", "../UTC"])
def test_an_unknown_zone_is_refused_with_its_name(tz: str) -> None:
    message = f"tz: {tz!r} is not a known IANA time zone name"
    with pytest.raises(TimeError, match=message.replace("+", r"\+").replace(".", r"\.")):
        Window.parse("2024-04", tz=tz)
    with pytest.raises(TimeError, match="is not a known IANA time zone name"):
        Window.vague("this month", anchor="2024-04-03", tz=tz)


def test_a_zone_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TimeError, match="tz: expected an IANA time zone name, got 9"):
        Window.parse("2024-04", tz=9)  # type: ignore[arg-type]


def test_an_anchor_after_the_year_9999_in_its_zone_is_refused() -> None:
    with pytest.raises(ChronologyError, match="after the year 9999 in the zone Asia/Tokyo"):
        Window.vague("soon", anchor="9999-12-31T20:00:00Z", tz="Asia/Tokyo")


def test_a_local_end_after_the_end_of_time_is_open() -> None:
    w = Window.vague("this month", anchor="9999-12-31T10:00:00-10:00")
    assert (utc(9999, 12, 31, 20), None) == (w.start, w.end)


# -- properties ---------------------------------------------------------------------------------

ZONES = st.sampled_from(
    [
        "UTC",
        "Asia/Tokyo",
        "Asia/Seoul",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Asia/Beirut",
        "Europe/Berlin",
        "Europe/Moscow",
        "Africa/Casablanca",
        "America/New_York",
        "America/Santiago",
        "America/St_Johns",
        "America/Havana",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
    ]
)
ANCHORS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
#: Phrases whose window starts at the anchor: they cover the present.
PRESENT = [
    "imminently",
    "in the coming days",
    "shortly",
    "soon",
    "in the coming weeks",
    "in the near future",
    "in the coming months",
    "this month",
    "later this year",
    "this year",
    "by the end of the year",
]


def _local_midnight(t: datetime, z: tzinfo) -> datetime:
    """The first instant of ``t``'s local day in ``z`` (as :meth:`Window.parse` has it)."""
    d = t.astimezone(z).date()
    return datetime(d.year, d.month, d.day, tzinfo=z).astimezone(UTC)


@given(st.sampled_from(PRESENT), ANCHORS, ZONES)
def test_a_phrase_about_the_present_contains_its_anchor(
    phrase: str, anchor: datetime, tz: str
) -> None:
    w = Window.vague(phrase, anchor=anchor, tz=tz)
    assert anchor == w.start
    assert w.contains(anchor)


@given(ANCHORS, ZONES)
def test_calendar_phrases_end_and_start_on_local_calendar_boundaries(
    anchor: datetime, tz: str
) -> None:
    z = zone(tz)
    local = anchor.astimezone(z)
    month_after = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    this_month = Window.vague("this month", anchor=anchor, tz=tz)
    assert this_month.end is not None
    assert month_after == this_month.end.astimezone(z).date()
    next_month = Window.vague("next month", anchor=anchor, tz=tz)
    assert this_month.end == next_month.start
    assert not next_month.contains(anchor)
    this_year = Window.vague("this year", anchor=anchor, tz=tz)
    assert this_year.end is not None
    assert date(local.year + 1, 1, 1) == this_year.end.astimezone(z).date()
    assert this_year.end == Window.vague("next year", anchor=anchor, tz=tz).start
    next_week = Window.vague("next week", anchor=anchor, tz=tz)
    assert next_week.start is not None
    monday = next_week.start.astimezone(z).date()
    assert 0 == monday.weekday()
    assert 1 <= (monday - local.date()).days <= 7
    assert not next_week.contains(_local_midnight(anchor, z))


@given(ANCHORS, ZONES)
def test_vague_and_parse_agree_on_the_local_calendar(anchor: datetime, tz: str) -> None:
    local = anchor.astimezone(zone(tz))
    day = Window.parse(local.date().isoformat(), tz=tz)
    month = Window.parse(f"{local.year:04d}-{local.month:02d}", tz=tz)
    year = Window.parse(f"{local.year:04d}", tz=tz)
    assert day.contains(anchor)
    assert month.contains(anchor)
    assert month.end == Window.vague("this month", anchor=anchor, tz=tz).end
    assert month.end == Window.vague("next month", anchor=anchor, tz=tz).start
    assert year.end == Window.vague("this year", anchor=anchor, tz=tz).end
    assert year.end == Window.vague("next year", anchor=anchor, tz=tz).start


@given(st.sampled_from(sorted(DEFAULT_LEXICON)), ANCHORS)
def test_utc_is_the_special_case_of_a_zone(phrase: str, anchor: datetime) -> None:
    default = Window.vague(phrase, anchor=anchor)
    assert default == Window.vague(phrase, anchor=anchor, tz="UTC")
    assert default == Window.vague(phrase, anchor=anchor.isoformat())
    fixed = timezone(timedelta(hours=5, minutes=30))
    assert default == Window.vague(phrase, anchor=anchor.astimezone(fixed), tz="UTC")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)), ZONES)
def test_local_days_tile_the_timeline(day: date, tz: str) -> None:
    today = Window.parse(day.isoformat(), tz=tz)
    tomorrow = Window.parse((day + timedelta(days=1)).isoformat(), tz=tz)
    assert today.end == tomorrow.start
    assert today.duration is not None
    assert timedelta(hours=22) <= today.duration <= timedelta(hours=26)
    both = Window.parse(f"{day.isoformat()}/{(day + timedelta(days=1)).isoformat()}", tz=tz)
    assert (today.start, tomorrow.end) == (both.start, both.end)
    assert today.start is not None
    assert day == today.start.astimezone(zone(tz)).date()


@given(st.text(max_size=40), st.sampled_from(["2024-04", "soon"]))
def test_any_zone_name_raises_only_chronology_errors(tz: str, what: str) -> None:
    with contextlib.suppress(ChronologyError):
        if what == "soon":
            Window.vague(what, anchor="2024-04-03", tz=tz)
        else:
            Window.parse(what, tz=tz)


@given(st.timezone_keys(), st.sampled_from(sorted(DEFAULT_LEXICON)), ANCHORS)
def test_every_zone_and_phrase_gives_a_window(tz: str, phrase: str, anchor: datetime) -> None:
    w = Window.vague(phrase, anchor=anchor, tz=tz)
    assert w.start is not None
    assert w.end is not None
    assert w.start <= w.end
    assert anchor < w.end


def test_format_instant_refuses_unknown_zones_and_local_times_past_the_end() -> None:
    assert "2024-04-08 14:00 CST" == format_instant(utc(2024, 4, 8, 6), "Asia/Shanghai")
    assert "9999-12-31 18:59 EST" == format_instant(utc(9999, 12, 31, 23, 59), "America/New_York")
    with pytest.raises(TimeError, match="tz: 'Nope/Zone' is not a known IANA time zone name"):
        format_instant(utc(2024, 4, 8), "Nope/Zone")
    with pytest.raises(TimeError, match="cannot be shown in Asia/Tokyo"):
        format_instant(utc(9999, 12, 31, 23), "Asia/Tokyo")
