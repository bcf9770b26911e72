"""Instants, as-of instants, windows, the EDTF subset and the vague-phrase lexicon."""

import contextlib
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pendulum
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from chronology import Chronicle
from chronology.cli import cli
from chronology.errors import ChronologyError, TimeError, VaguePhraseError, WindowError
from chronology.events import VisitAnnounced
from chronology.time import (
    DEFAULT_LEXICON,
    Window,
    as_of_instant,
    end_instant,
    format_instant,
    to_instant,
)

MSK = timezone(timedelta(hours=3))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


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
    w = Window.vague(phrase, anchor="2024-04-03T12:00:00Z")  # a Wednesday
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


# -- the edges of the calendar and of the input (issue 14) ---------------------------------------

PAST_THE_END = "9999-12-31T23:30:00-01:00"  # 10000-01-01T00:30Z
BEFORE_THE_START = "0001-01-01T00:00+01:00"  # 0000-12-31T23:00Z


@pytest.mark.parametrize(
    "value",
    [
        PAST_THE_END,
        BEFORE_THE_START,
        datetime(9999, 12, 31, 23, 30, tzinfo=timezone(-timedelta(hours=1))),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_instants_outside_the_utc_range_are_refused(value: datetime | str) -> None:
    shown = value if isinstance(value, str) else value.isoformat()
    message = re.escape(f"known_at: '{shown}' is out of range: in UTC it falls outside the years")
    with pytest.raises(TimeError, match=message):
        to_instant(value, field="known_at")
    with pytest.raises(TimeError, match=message):
        as_of_instant(value, field="known_at")


def test_the_extreme_utc_instants_are_accepted() -> None:
    assert datetime.max.replace(tzinfo=UTC) == to_instant("9999-12-31T23:59:59.999999Z")
    assert datetime.min.replace(tzinfo=UTC) == to_instant("0001-01-01T01:00+01:00")
    assert datetime.max.replace(tzinfo=UTC) == as_of_instant("9999-12-31")


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("9999", utc(9999, 1, 1)),
        ("9999-12", utc(9999, 12, 1)),
        ("9999-12-31", utc(9999, 12, 31)),
        ("9999-12-31T23:59Z", utc(9999, 12, 31, 23, 59)),
        ("9999-12-31T23:59:59.999999Z", datetime.max.replace(tzinfo=UTC)),
        ("2024-04-08/9999", utc(2024, 4, 8)),
        ("9999-12-31~", utc(9999, 12, 31)),
    ],
)
def test_parse_units_that_run_to_the_end_of_time_have_an_open_end(
    text: str, start: datetime
) -> None:
    w = Window.parse(text)
    assert (start, None) == (w.start, w.end)
    assert w.contains(datetime.max.replace(tzinfo=UTC))


def test_parse_keeps_a_unit_just_before_the_end_of_time_closed() -> None:
    assert utc(9999, 12, 31) == Window.parse("9999-12-30").end
    assert utc(9999, 12, 1) == Window.parse("9999-11").end


@pytest.mark.parametrize(
    "text", [BEFORE_THE_START, PAST_THE_END.replace(":00-", "-"), f"2024/{PAST_THE_END}"]
)
def test_parse_refuses_date_times_outside_the_utc_range(text: str) -> None:
    with pytest.raises(WindowError, match="out of range: in UTC it falls outside the years"):
        Window.parse(text)


@pytest.mark.parametrize("phrase", ["this month", "this year", "soon", "in the coming months"])
def test_vague_windows_running_past_the_end_of_time_have_an_open_end(phrase: str) -> None:
    w = Window.vague(phrase, anchor="9999-12-20")
    assert (utc(9999, 12, 20), None) == (w.start, w.end)


@pytest.mark.parametrize(
    ("phrase", "anchor"),
    [
        ("next month", "9999-12-01"),
        ("next year", "9999-01-01"),
        ("next week", "9999-12-31"),
    ],
)
def test_vague_windows_starting_past_the_end_of_time_are_refused(phrase: str, anchor: str) -> None:
    with pytest.raises(
        WindowError, match=f"vague phrase '{phrase}' said at {anchor}T00:00:00\\+00:00: its window"
    ):
        Window.vague(phrase, anchor=anchor)


def test_a_next_week_that_runs_past_the_end_of_time_has_an_open_end() -> None:
    w = Window.vague("next week", anchor="9999-12-21")  # a Tuesday; Monday is the 27th
    assert (utc(9999, 12, 27), None) == (w.start, w.end)


def test_a_custom_rule_that_overflows_is_refused_with_the_phrase() -> None:
    lexicon = {"much later": lambda t: (t, t + timedelta(days=365))}
    with pytest.raises(WindowError, match="vague phrase 'much later' said at 9999-06-01"):
        Window.vague("much later", anchor="9999-06-01", lexicon=lexicon)


def test_vague_refuses_a_phrase_that_is_not_a_string() -> None:
    with pytest.raises(VaguePhraseError, match="expected a vague phrase as a string, got 7"):
        Window.vague(7, anchor="2024-04-03")  # type: ignore[arg-type]


def test_str_of_a_window_ending_at_the_first_instant() -> None:
    assert "../0001-01-01T00:00:00+00:00" == str(Window(None, "0001-01-01"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-09", utc(2024, 4, 10)),
        (date(2024, 4, 9), utc(2024, 4, 10)),
        ("2024-04-09T12:00:00Z", utc(2024, 4, 9, 12)),
        ("9999-12-31", None),
        (date(9999, 12, 31), None),
    ],
)
def test_end_instant(value: date | str, expected: datetime | None) -> None:
    assert expected == end_instant(value)


def test_chronicle_questions_at_the_edges_of_time() -> None:
    c = Chronicle()
    c.append(VisitAnnounced(subject="visit/last", known_at="2024-01-01", window="9999-12-31"))
    view = c.as_of("9999-12-31")
    subjects = tuple(e.subject for e in view.expected_between("9999-12-01", "9999-12-31"))
    assert ("visit/last",) == subjects
    assert 1 == len(view.expected_between("9999-12-31", "9999-12-31"))
    with pytest.raises(TimeError, match=f"as_of: '{PAST_THE_END}' is out of range"):
        c.as_of(PAST_THE_END)
    with pytest.raises(TimeError, match=f"recorded_by: '{PAST_THE_END}' is out of range"):
        c.as_of("2024-04-03", recorded_by=PAST_THE_END)
    with pytest.raises(TimeError, match=f"end: '{PAST_THE_END}' is out of range"):
        view.expected_between("2024-01-01", PAST_THE_END)


def test_cli_refuses_an_instant_past_the_end_of_time_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["as-of", PAST_THE_END, "--db", str(db)])
    assert 2 == result.exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"'{PAST_THE_END}' is out of range" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "text",
    [
        "\uff12\uff10\uff12\uff14-04-03",  # full-width digits
        "\u0662\u0660\u0662\u0664-\u0660\u0664-\u0660\u0663",  # Arabic-Indic digits
        "2024-04-03T\u0661\u0662:00:00Z",
        "2024-04-03T12:00:00+\u0660\u0665:00",
        "2024-04-03T12:00:00.\u0665Z",
    ],
)
def test_non_ascii_digits_are_refused(text: str) -> None:
    with pytest.raises(TimeError, match="is not an ISO 8601 date or date-time"):
        to_instant(text)
    with pytest.raises(WindowError, match="as an EDTF date"):
        Window.parse(text)


@pytest.mark.parametrize("offset", ["+05:99", "+0560", "+24:00", "-24:00", "+2400", "-99:00"])
def test_offsets_out_of_range_are_refused(offset: str) -> None:
    text = f"2024-04-03T12:00:00{offset}"
    with pytest.raises(TimeError, match=f"UTC offset '\\{offset}' is out of range"):
        to_instant(text, field="known_at")
    with pytest.raises(WindowError, match="is out of range"):
        Window.parse(text)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        ("+23:59", utc(2024, 4, 2, 12, 1)),
        ("-23:59", utc(2024, 4, 4, 11, 59)),
        ("-00:00", utc(2024, 4, 3, 12)),
    ],
)
def test_the_widest_offsets_are_accepted(offset: str, expected: datetime) -> None:
    assert expected == to_instant(f"2024-04-03T12:00:00{offset}")


# -- no input escapes the error types --------------------------------------------------------

_YEARS = st.sampled_from(["0000", "0001", "0002", "1970", "2024", "9998", "9999"])
_TWO = st.integers(0, 99).map(lambda n: f"{n:02d}")
_OFFSETS = st.one_of(
    st.just("Z"),
    st.builds(
        lambda sign, h, m, colon: f"{sign}{h}{':' if colon else ''}{m}",
        st.sampled_from("+-"),
        _TWO,
        _TWO,
        st.booleans(),
    ),
)


@st.composite
def near_iso(draw: st.DrawFn) -> str:
    """Strings close to ISO 8601 / EDTF: extreme years, any two digits, any offsets."""
    text = draw(_YEARS)
    for _ in range(draw(st.integers(0, 2))):
        text += "-" + draw(_TWO)
    if text.count("-") == 2 and draw(st.booleans()):
        text += f"T{draw(_TWO)}:{draw(_TWO)}"
        if draw(st.booleans()):
            text += f":{draw(_TWO)}"
            if draw(st.booleans()):
                text += "." + str(draw(st.integers(0, 999_999)))
        if draw(st.booleans()):
            text += draw(_OFFSETS)
    return text + draw(st.sampled_from(["", "", "~", "?", "%"]))


_TEXTS = st.one_of(st.text(), near_iso())
_INTERVALS = st.one_of(_TEXTS, st.builds(lambda a, b: f"{a}/{b}", _TEXTS, _TEXTS))


def _raises_only_chronology_errors(call: object, *args: object, **kwargs: object) -> None:
    with contextlib.suppress(ChronologyError):
        call(*args, **kwargs)  # type: ignore[operator]


@given(_TEXTS)
def test_any_text_as_an_instant_raises_only_chronology_errors(text: str) -> None:
    _raises_only_chronology_errors(to_instant, text, field="x")
    _raises_only_chronology_errors(as_of_instant, text, field="x")
    _raises_only_chronology_errors(end_instant, text, field="x")


@given(_INTERVALS)
def test_any_text_as_a_window_raises_only_chronology_errors(text: str) -> None:
    _raises_only_chronology_errors(Window.parse, text)


@given(st.one_of(st.text(), st.sampled_from(sorted(DEFAULT_LEXICON))), _TEXTS)
def test_any_phrase_and_anchor_raise_only_chronology_errors(phrase: str, anchor: str) -> None:
    _raises_only_chronology_errors(Window.vague, phrase, anchor=anchor)


@given(
    st.sampled_from(sorted(DEFAULT_LEXICON)),
    st.one_of(
        st.datetimes(min_value=datetime(9999, 1, 1), timezones=st.timezones()),
        st.datetimes(max_value=datetime(1, 2, 1), timezones=st.timezones()),
    ),
)
def test_every_phrase_near_the_ends_of_time_raises_only_chronology_errors(
    phrase: str, anchor: datetime
) -> None:
    _raises_only_chronology_errors(Window.vague, phrase, anchor=anchor)
