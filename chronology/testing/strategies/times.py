"""Strategies for instants, assertion times, as-of questions and windows.

Assertion times (:func:`known_ats`) fall on a coarse grid over a few days, so events tie on
``known_at`` and ``as_of`` questions cut through them; instants are written in many UTC offsets
and zones (:data:`ZONES`), so nothing relies on UTC input; windows come near the assertion-time
range (so ``overdue`` comes and goes), from EDTF text, from bounds directly, or from the
vague-phrase lexicon.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

import attrs
import pendulum
from hypothesis import strategies as st

from chronology.time import DEFAULT_LEXICON, Window

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "ZONES",
    "EdtfCase",
    "as_of_questions",
    "direct_windows",
    "edtf_cases",
    "edtf_windows",
    "instants",
    "known_ats",
    "pendulum_instants",
    "vague_windows",
    "windows",
]

#: The first day of the assertion-time range of :func:`known_ats`.
FIRST_DAY: Final = date(2024, 4, 1)
#: The last day of the assertion-time range of :func:`known_ats`.
LAST_DAY: Final = date(2024, 4, 10)

#: The zones instants are written in (fixed offsets, odd ones included, and named IANA zones).
ZONES: Final[tuple[tzinfo, ...]] = (
    UTC,
    timezone(timedelta(hours=3)),
    timezone(timedelta(hours=8)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(timedelta(hours=-9, minutes=-30)),
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=-12)),
    ZoneInfo("Europe/Moscow"),
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/New_York"),
)
_PENDULUM_ZONES: Final = (
    "UTC",
    "Europe/Moscow",
    "Asia/Shanghai",
    "America/New_York",
    "Asia/Kathmandu",
)

_MIN = datetime(2000, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds, zones come apart
_MAX = datetime(2099, 12, 31)  # noqa: DTZ001


# -- instants -----------------------------------------------------------------------------------


@cache
def instants(min_value: datetime = _MIN, max_value: datetime = _MAX) -> st.SearchStrategy[datetime]:
    """Aware instants between two naive bounds, written in varied zones (pendulum included).

    Args:
        min_value: the earliest wall-clock value (naive, read in the drawn zone).
        max_value: the latest wall-clock value.
    """
    plain = st.datetimes(
        min_value=min_value,
        max_value=max_value,
        timezones=st.sampled_from(ZONES),
        allow_imaginary=False,
    )
    return st.one_of(plain, pendulum_instants(min_value, max_value))


@cache
def pendulum_instants(
    min_value: datetime = _MIN, max_value: datetime = _MAX
) -> st.SearchStrategy[pendulum.DateTime]:
    """:class:`pendulum.DateTime` instants in named zones (the strategy registered for the type)."""
    return st.builds(
        lambda t, zone: pendulum.instance(t.replace(tzinfo=UTC)).in_timezone(zone),
        st.datetimes(min_value=min_value, max_value=max_value),
        st.sampled_from(_PENDULUM_ZONES),
    )


@cache
def known_ats() -> st.SearchStrategy[datetime]:
    """Assertion times on a coarse grid over :data:`FIRST_DAY` .. :data:`LAST_DAY`.

    The grid makes ties likely (the same instant, often written in different zones), so the
    position tie-break of the fold order is exercised.
    """
    days = (LAST_DAY - FIRST_DAY).days
    return st.builds(
        lambda day, hour, minute, micro, zone: (
            datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC)
            + timedelta(days=day, hours=hour, minutes=minute, microseconds=micro)
        ).astimezone(zone),
        st.integers(0, days),
        st.sampled_from((0, 6, 12, 23)),
        st.sampled_from((0, 30, 59)),
        # Mostly whole minutes (ties), sometimes a microsecond off (text ordering of instants).
        st.sampled_from((0, 0, 0, 1, 999_999)),
        st.sampled_from(ZONES),
    )


@cache
def as_of_questions() -> st.SearchStrategy[datetime | date | str]:
    """``as_of`` arguments around the :func:`known_ats` range: dates, date strings, instants."""
    first = FIRST_DAY - timedelta(days=1)
    last = LAST_DAY + timedelta(days=1)
    return st.one_of(
        st.dates(first, last),
        st.dates(first, last).map(date.isoformat),
        known_ats(),
        instants(
            datetime(first.year, first.month, first.day),  # noqa: DTZ001
            datetime(last.year, last.month, last.day),  # noqa: DTZ001
        ),
    )


# -- windows ------------------------------------------------------------------------------------


@attrs.frozen
class EdtfCase:
    """An EDTF text with the window it must parse to, computed without the parser.

    Attributes:
        text: the EDTF text.
        start, end: the expected bounds.
        approximate, uncertain: the expected qualifier flags.
    """

    text: str
    start: datetime | None
    end: datetime | None
    approximate: bool
    uncertain: bool

    def window(self) -> Window:
        """The window this case describes."""
        return Window(self.start, self.end, approximate=self.approximate, uncertain=self.uncertain)


def _offset_text(offset: timedelta, compact: bool) -> str:
    if not offset:
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    sep = "" if compact else ":"
    return f"{sign}{minutes // 60:02d}{sep}{minutes % 60:02d}"


@st.composite
def _edtf_bound(draw: st.DrawFn) -> tuple[str, datetime, datetime, str]:
    """One EDTF bound: its text, its first instant, the instant after its unit, its qualifier."""
    precision = draw(
        st.sampled_from(("year", "month", "day", "minute", "second", "milli", "micro"))
    )
    qualifier = draw(st.sampled_from(("", "", "~", "?", "%")))
    d = draw(st.dates(date(1990, 1, 1), date(2060, 12, 31)))
    if precision == "year":
        first = datetime(d.year, 1, 1, tzinfo=UTC)
        return f"{d.year:04d}", first, datetime(d.year + 1, 1, 1, tzinfo=UTC), qualifier
    if precision == "month":
        first = datetime(d.year, d.month, 1, tzinfo=UTC)
        after = datetime(d.year + d.month // 12, d.month % 12 + 1, 1, tzinfo=UTC)
        return f"{d.year:04d}-{d.month:02d}", first, after, qualifier
    if precision == "day":
        first = datetime(d.year, d.month, d.day, tzinfo=UTC)
        return d.isoformat(), first, first + timedelta(days=1), qualifier
    zone = draw(st.sampled_from([z for z in ZONES if isinstance(z, timezone)]))
    offset = zone.utcoffset(None)
    local = datetime(
        d.year,
        d.month,
        d.day,
        draw(st.integers(0, 23)),
        draw(st.integers(0, 59)),
        draw(st.integers(0, 59)) if precision != "minute" else 0,
        draw(st.integers(0, 999)) * 1000 if precision == "milli" else 0,
        tzinfo=zone,
    )
    if precision == "micro":
        local = local.replace(microsecond=draw(st.integers(0, 999_999)))
    text = local.strftime("%Y-%m-%dT%H:%M")
    step = {
        "minute": timedelta(minutes=1),
        "second": timedelta(seconds=1),
        "milli": timedelta(milliseconds=1),
        "micro": timedelta(microseconds=1),
    }[precision]
    if precision != "minute":
        text += local.strftime(":%S")
    if precision == "milli":
        text += f".{local.microsecond // 1000:03d}"
    elif precision == "micro":
        text += f".{local.microsecond:06d}"
    text += _offset_text(offset, compact=draw(st.booleans()))
    first = local.astimezone(UTC)
    return text, first, first + step, qualifier


def _flags(qualifiers: list[str]) -> tuple[bool, bool]:
    return (
        any(q in ("~", "%") for q in qualifiers),
        any(q in ("?", "%") for q in qualifiers),
    )


@st.composite
def edtf_cases(draw: st.DrawFn) -> EdtfCase:
    """EDTF texts of the supported subset, each with the window it must parse to.

    Covers ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, date-times with ``Z``, ``+HH:MM`` or ``+HHMM``
    offsets at minute to microsecond precision, qualifiers ``~ ? %``, intervals ``a/b`` (each
    bound covering its whole unit) and open bounds (``..`` or empty).
    """
    shape = draw(st.sampled_from(("single", "interval", "open-start", "open-end")))
    a_text, a_first, a_after, a_q = draw(_edtf_bound())
    if shape == "single":
        approximate, uncertain = _flags([a_q])
        return EdtfCase(a_text + a_q, a_first, a_after, approximate, uncertain)
    open_mark = draw(st.sampled_from(("..", "")))
    if shape == "open-start":
        approximate, uncertain = _flags([a_q])
        return EdtfCase(f"{open_mark}/{a_text}{a_q}", None, a_after, approximate, uncertain)
    if shape == "open-end":
        approximate, uncertain = _flags([a_q])
        return EdtfCase(f"{a_text}{a_q}/{open_mark}", a_first, None, approximate, uncertain)
    b_text, b_first, b_after, b_q = draw(_edtf_bound())
    if b_first < a_first:
        (a_text, a_first, a_after, a_q), (b_text, b_first, b_after, b_q) = (
            (b_text, b_first, b_after, b_q),
            (a_text, a_first, a_after, a_q),
        )
    approximate, uncertain = _flags([a_q, b_q])
    return EdtfCase(f"{a_text}{a_q}/{b_text}{b_q}", a_first, b_after, approximate, uncertain)


@cache
def edtf_windows() -> st.SearchStrategy[Window]:
    """Windows parsed from EDTF text (see :func:`edtf_cases`), sometimes with a label."""
    return st.builds(
        lambda case, label: Window.parse(case.text, label=label),
        edtf_cases(),
        st.none() | st.sampled_from(("8-9 April", "March")),
    )


@st.composite
def direct_windows(draw: st.DrawFn) -> Window:
    """Windows built from bounds directly, either bound possibly open, end never before start."""
    a = draw(st.none() | instants())
    b = draw(st.none() | instants())
    if a is not None and b is not None and b < a:
        a, b = b, a
    return Window(
        a,
        b,
        label=draw(st.none() | st.sampled_from(("soon", "next week", "early April"))),
        approximate=draw(st.booleans()),
        uncertain=draw(st.booleans()),
    )


@cache
def vague_windows() -> st.SearchStrategy[Window]:
    """Windows from the vague-phrase lexicon, anchored inside the :func:`known_ats` range."""
    return st.builds(
        lambda phrase, anchor: Window.vague(phrase, anchor=anchor),
        st.sampled_from(sorted(DEFAULT_LEXICON)),
        known_ats(),
    )


@st.composite
def _near_windows(draw: st.DrawFn) -> Window:
    """Day windows around the assertion-time range, so ``overdue`` comes and goes."""
    first = draw(st.dates(FIRST_DAY - timedelta(days=3), LAST_DAY + timedelta(days=5)))
    last = first + timedelta(days=draw(st.integers(0, 3)))
    return Window.parse(f"{first.isoformat()}/{last.isoformat()}")


@cache
def windows() -> st.SearchStrategy[Window]:
    """Any window: near the assertion-time range, EDTF-parsed, direct (open bounds), or vague."""
    return st.one_of(_near_windows(), edtf_windows(), direct_windows(), vague_windows())
