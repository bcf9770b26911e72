"""Instants, as-of instants, windows, the EDTF subset and the vague-phrase lexicon."""

from datetime import UTC, date, datetime, timedelta, timezone

import pendulum
import pytest

from chronology.errors import ChronologyError, TimeError, VaguePhraseError, WindowError
from chronology.time import DEFAULT_LEXICON, Window, as_of_instant, format_instant, to_instant

MSK = timezone(timedelta(hours=3))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- instants -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-03T15:30:00+03:00", utc(2024, 4, 3, 12, 30)),
        ("2024-04-03T12:30:00Z", utc(2024, 4, 3, 12, 30)),
        ("2024-04-03T12:30Z", utc(2024, 4, 3, 12, 30)),
        ("2024-04-03 12:30:00-0500", utc(2024, 4, 3, 17, 30)),
        ("2024-04-03T12:30:00.5+00:00", utc(2024, 4, 3, 12, 30, 0, 500_000)),
        ("  2024-04-03  ", utc(2024, 4, 3)),
        (date(2024, 4, 3), utc(2024, 4, 3)),
        (datetime(2024, 4, 3, 15, 30, tzinfo=MSK), utc(2024, 4, 3, 12, 30)),
        (pendulum.datetime(2024, 4, 3, 20, 30, tz="Asia/Shanghai"), utc(2024, 4, 3, 12, 30)),
    ],
)
def test_to_instant_normalizes_to_utc(value: datetime | date | str, expected: datetime) -> None:
    got = to_instant(value)
    assert expected == got
    assert datetime is type(got)
    assert UTC is got.tzinfo
    assert expected.isoformat() == got.isoformat()


def test_to_instant_keeps_a_plain_utc_datetime() -> None:
    t = utc(2024, 4, 3, 12)
    assert t is to_instant(t)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (datetime(2024, 4, 3, 12), r"known_at: naive datetime '2024-04-03T12:00:00' refused"),
        ("2024-04-03T12:00:00", r"known_at: '2024-04-03T12:00:00' has no UTC offset"),
        ("yesterday", r"known_at: 'yesterday' is not an ISO 8601 date"),
        ("now", r"known_at: 'now' is not an ISO 8601 date"),
        ("2024-02-30", r"known_at: '2024-02-30' is not a valid date"),
        ("2024-04-03T25:00:00Z", r"known_at: '2024-04-03T25:00:00Z' is not a valid date-time"),
        ("2024-04-03T12:00:00+25:00", r"UTC offset '\+25:00' is out of range"),
        (1712145600, r"known_at: expected a datetime, date or ISO string, got int"),
    ],
)
def test_to_instant_refuses_with_field_and_reason(value: object, message: str) -> None:
    with pytest.raises(TimeError, match=message):
        to_instant(value, field="known_at")  # type: ignore[arg-type]


def test_time_error_is_a_chronology_error_and_a_value_error() -> None:
    with pytest.raises(ChronologyError):
        to_instant("2024-04-03T12:00:00")
    with pytest.raises(ValueError, match="no UTC offset"):
        to_instant("2024-04-03T12:00:00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-03", utc(2024, 4, 3, 23, 59, 59, 999_999)),
        (date(2024, 4, 3), utc(2024, 4, 3, 23, 59, 59, 999_999)),
        ("2024-04-03T00:00:00Z", utc(2024, 4, 3)),
        (datetime(2024, 4, 3, 1, 0, tzinfo=MSK), utc(2024, 4, 2, 22)),
    ],
)
def test_as_of_instant_date_means_end_of_day(
    value: datetime | date | str, expected: datetime
) -> None:
    assert expected == as_of_instant(value)


def test_as_of_instant_refuses_naive() -> None:
    with pytest.raises(TimeError, match="naive"):
        as_of_instant(datetime(2024, 4, 3))
    with pytest.raises(TimeError, match="no UTC offset"):
        as_of_instant("2024-04-03T10:00")


def test_format_instant_in_a_zone() -> None:
    t = utc(2024, 4, 8, 6)
    assert "2024-04-08 06:00 UTC" == format_instant(t)
    assert "2024-04-08 09:00 MSK" == format_instant(t, "Europe/Moscow")


# -- windows ------------------------------------------------------------------------------------


def test_window_direct_bounds() -> None:
    w = Window("2024-04-08", "2024-04-10", label="8-9 April")
    assert (utc(2024, 4, 8), utc(2024, 4, 10)) == (w.start, w.end)
    assert timedelta(days=2) == w.duration
    assert Window().duration is None
    assert "8-9 April (2024-04-08/2024-04-09)" == str(w)


def test_window_end_before_start_is_refused() -> None:
    with pytest.raises(WindowError, match=r"end 2024-04-08T00:00:00\+00:00 is before its start"):
        Window(utc(2024, 4, 9), utc(2024, 4, 8))


def test_window_bounds_must_be_aware() -> None:
    with pytest.raises(TimeError, match="start: naive datetime"):
        Window(datetime(2024, 4, 8), None)
    with pytest.raises(TimeError, match="end: naive datetime"):
        Window(None, datetime(2024, 4, 8))


def test_empty_window_contains_nothing() -> None:
    w = Window(utc(2024, 4, 8), utc(2024, 4, 8))
    assert not w.contains(utc(2024, 4, 8))
    assert not w.overlaps(Window())
    assert not w.overlaps(w)


def test_open_windows() -> None:
    everything = Window()
    assert everything.contains(utc(1900, 1, 1))
    assert everything.overlaps(Window.parse("2024-04"))
    after = Window.parse("2024-04-08/..")
    assert after.contains(utc(2999, 1, 1))
    assert not after.contains(utc(2024, 4, 7, 23, 59))
    before = Window.parse("../2024-04-08")
    assert before.contains(utc(1900, 1, 1))
    assert not before.contains(utc(2024, 4, 9))
    assert before.overlaps(after)
    assert not Window.parse("../2024-04-07").overlaps(after)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", utc(2024, 1, 1), utc(2025, 1, 1)),
        ("2024-03", utc(2024, 3, 1), utc(2024, 4, 1)),
        ("2024-12", utc(2024, 12, 1), utc(2025, 1, 1)),
        ("2024-02-29", utc(2024, 2, 29), utc(2024, 3, 1)),
        ("2024-04-08/2024-04-09", utc(2024, 4, 8), utc(2024, 4, 10)),
        ("2024-04/2024-05", utc(2024, 4, 1), utc(2024, 6, 1)),
        ("2024-04-08T10:00+03:00", utc(2024, 4, 8, 7), utc(2024, 4, 8, 7, 1)),
        ("2024-04-08T10:00:30Z", utc(2024, 4, 8, 10, 0, 30), utc(2024, 4, 8, 10, 0, 31)),
        ("2024-04-08T10:00:30.25Z", utc(2024, 4, 8, 10, 0, 30, 250_000), None),
        ("2024-04-08/..", utc(2024, 4, 8), None),
        ("2024-04-08/", utc(2024, 4, 8), None),
        ("../2024-04-09", None, utc(2024, 4, 10)),
        ("/2024", None, utc(2025, 1, 1)),
        ("../..", None, None),
    ],
)
def test_parse_bounds(text: str, start: datetime | None, end: datetime | None) -> None:
    w = Window.parse(text)
    assert start == w.start
    if end is not None or text.endswith(("..", "/")):
        assert end == w.end
    else:
        assert w.end is not None
        assert w.start is not None
        assert timedelta(milliseconds=10) == w.end - w.start


@pytest.mark.parametrize(
    ("text", "approximate", "uncertain"),
    [
        ("2024-03", False, False),
        ("2024-03~", True, False),
        ("2024-03?", False, True),
        ("2024-03%", True, True),
        ("2024-04-08~/2024-04-09", True, False),
        ("2024-04-08/2024-04-09?", False, True),
        ("2024-04-08~/2024-04-09?", True, True),
    ],
)
def test_parse_qualifiers(text: str, approximate: bool, uncertain: bool) -> None:
    w = Window.parse(text)
    assert (approximate, uncertain) == (w.approximate, w.uncertain)


def test_parse_keeps_a_label() -> None:
    assert "early April" == Window.parse("2024-04", label="early April").label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "an empty string is not a window"),
        ("   ", "an empty string is not a window"),
        ("2024-04-09/2024-04-08", r"'2024-04-09/2024-04-08': the end '2024-04-08' is before"),
        ("2024-04/2024-03-31", r"the end '2024-03-31' is before the start '2024-04'"),
        ("2024/2025/2026", r"an interval has one '/', not 2"),
        ("April 2024", r"'April 2024': cannot read 'April 2024' as an EDTF date"),
        ("2024-04-08T10:00", r"cannot read '2024-04-08T10:00' as an EDTF date"),
        ("2024-13", r"'2024-13' is not a valid date"),
        ("2024-02-30/2024-03-01", r"'2024-02-30' is not a valid date"),
    ],
)
def test_parse_refuses_with_the_text(text: str, message: str) -> None:
    with pytest.raises(WindowError, match=message):
        Window.parse(text)


def test_parse_refuses_non_strings() -> None:
    with pytest.raises(WindowError, match="expected an EDTF string, got int"):
        Window.parse(2024)  # type: ignore[arg-type]


def test_interval_end_at_the_same_day_as_start_covers_that_day() -> None:
    assert Window.parse("2024-04-08") == Window.parse("2024-04-08/2024-04-08")


def test_overlap_is_closed_open() -> None:
    april, may = Window.parse("2024-04"), Window.parse("2024-05")
    assert not april.overlaps(may)
    assert not may.overlaps(april)
    assert april.overlaps(Window.parse("2024-04-30/2024-05-02"))
    assert april.contains("2024-04-30T23:59:59.999999Z")
    assert not april.contains("2024-05-01")


def test_str_of_windows() -> None:
    assert "2024-04-08/2024-04-09" == str(Window.parse("2024-04-08/2024-04-09"))
    assert "2024-03-01/2024-03-31~" == str(Window.parse("2024-03~"))
    assert "../2024-04-09%" == str(Window.parse("../2024-04-09%"))
    assert "2024-04-08~/.." == str(Window.parse("2024-04-08~/.."))
    assert Window.parse("2024-04-08~/..") == Window.parse(str(Window.parse("2024-04-08~/..")))
    assert "../.." == str(Window())
    w = Window(utc(2024, 4, 3, 12), utc(2024, 5, 3, 12))
    assert "2024-04-03T12:00:00+00:00/2024-05-03T12:00:00+00:00" == str(w)


# -- vague phrases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("soon", utc(2024, 4, 3, 12), utc(2024, 5, 3, 12)),
        ("Soon", utc(2024, 4, 3, 12), utc(2024, 5, 3, 12)),
        ("shortly", utc(2024, 4, 3, 12), utc(2024, 4, 17, 12)),
        ("in the  near   future", utc(2024, 4, 3, 12), utc(2024, 6, 2, 12)),
        ("in the coming weeks", utc(2024, 4, 3, 12), utc(2024, 5, 15, 12)),
        ("in the coming months", utc(2024, 4, 3, 12), utc(2024, 10, 3, 12)),
        ("next week", utc(2024, 4, 8), utc(2024, 4, 15)),
        ("this month", utc(2024, 4, 3, 12), utc(2024, 5, 1)),
        ("next month", utc(2024, 5, 1), utc(2024, 6, 1)),
        ("later this year", utc(2024, 4, 3, 12), utc(2025, 1, 1)),
        ("next year", utc(2025, 1, 1), utc(2026, 1, 1)),
    ],
)
def test_vague_phrases(phrase: str, start: datetime, end: datetime) -> None:
    w = Window.vague(phrase, anchor="2024-04-03T15:00:00+03:00")  # a Wednesday, 12:00 UTC
    assert (start, end) == (w.start, w.end)
    assert w.approximate
    assert " ".join(phrase.lower().split()) == w.label


def test_next_month_in_december_rolls_the_year() -> None:
    w = Window.vague("next month", anchor="2024-12-15T00:00:00Z")
    assert (utc(2025, 1, 1), utc(2025, 2, 1)) == (w.start, w.end)


def test_every_lexicon_phrase_gives_a_valid_window() -> None:
    anchor = utc(2024, 12, 31, 23, 59)
    for phrase in DEFAULT_LEXICON:
        w = Window.vague(phrase, anchor=anchor)
        assert w.start is not None
        assert w.end is not None
        assert w.start <= w.end, phrase
        assert w.end > anchor, phrase


def test_vague_lexicon_can_be_overridden() -> None:
    lexicon = {**DEFAULT_LEXICON, "soon": lambda t: (t, t + timedelta(days=7))}
    w = Window.vague("soon", anchor="2024-04-03T12:00:00Z", lexicon=lexicon)
    assert utc(2024, 4, 10, 12) == w.end


def test_unknown_vague_phrase_lists_those_known() -> None:
    with pytest.raises(
        VaguePhraseError, match=r"'any day now' is not in the lexicon; known: .*'soon'"
    ):
        Window.vague("any day now", anchor="2024-04-03T12:00:00Z")


def test_vague_anchor_must_be_aware() -> None:
    with pytest.raises(TimeError, match="anchor: naive datetime"):
        Window.vague("soon", anchor=datetime(2024, 4, 3))
