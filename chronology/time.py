"""Instants and windows: the time vocabulary of :mod:`chronology`.

An *instant* is a timezone-aware :class:`datetime.datetime`, stored and compared in UTC.
Naive datetimes and date-time strings without an offset are refused, because a chronicle
compares instants from many sources and an unstated zone is a silent error waiting to happen.

A :class:`Window` is a closed-open interval ``[start, end)`` of instants: the *target time* of an
expectation (the dates of a visit, the month a projection covers). Windows are written in a
subset of EDTF (:meth:`Window.parse`) or derived from vague phrases such as "soon"
(:meth:`Window.vague`).

Calendar units (a day, "this month", "next year") are those of a time zone: UTC by default, an
IANA zone given as ``tz``, or, for a vague phrase, the anchor's own zone. Whatever calendar
decided them, a window's bounds are instants, stored and compared in UTC.

pendulum lives here and in :mod:`chronology.instants` (the instants this module builds on), and
nowhere else: it does the calendar arithmetic (a month later) and knows the IANA zones (looked up
once each, then cached); everything outside these two modules sees plain
:class:`datetime.datetime` values in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import MAXYEAR, UTC, date, datetime, timedelta, tzinfo
from types import MappingProxyType

import attrs
import pendulum

from chronology._checks import boolean, optional_text
from chronology._fastinit import passes, speed_up_init
from chronology.errors import ChronologyError, TimeError, VaguePhraseError, WindowError
from chronology.instants import (
    ONE_DAY,
    as_of_instant,
    end_instant,
    format_instant,
    local_to_utc,
    named_zone,
    parse_iso,
    parse_local,
    plus_or_open,
    to_instant,
    utc_instant,
    window_end,
    window_start,
)

__all__ = [
    "DEFAULT_LEXICON",
    "UTC",
    "VagueRule",
    "Window",
    "as_of_instant",
    "end_instant",
    "format_instant",
    "to_instant",
]

#: A rule of the vague-phrase lexicon. Given the instant a phrase was said (an aware datetime in
#: the zone whose calendar resolves the phrase), it returns the window the phrase means, as
#: ``(start, end)``; a ``None`` bound is open.
VagueRule = Callable[[datetime], tuple[datetime | None, datetime | None]]

_EDTF_BOUND = re.compile(
    r"(?P<y>[0-9]{4})(?:-(?P<mo>[0-9]{2})(?:-(?P<d>[0-9]{2})"
    r"(?:T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2}))?)?)?(?P<q>[~?%])?",
    re.ASCII,
)


def _bound(
    text: str, whole: str, zone: tzinfo = UTC
) -> tuple[datetime | None, datetime | None, str | None]:
    """Parse one EDTF bound: its first instant and the instant after its unit, and its
    qualifier. Dates are calendar days of ``zone``; a first instant before the beginning of
    time, or an instant after the end of time, is ``None``."""
    m = _EDTF_BOUND.fullmatch(text)
    if m is None:
        raise WindowError(
            f"{whole!r}: cannot read {text!r} as an EDTF date "
            "(YYYY, YYYY-MM, YYYY-MM-DD or a date-time with an offset, optionally ~ ? %)"
        )
    try:
        if m["h"] is not None:
            first = parse_iso(text.rstrip("~?%"), "")
            if m["f"] is not None:
                step = timedelta(microseconds=10 ** (6 - len(m["f"])))
            elif m["s"] is not None:
                step = timedelta(seconds=1)
            else:
                step = timedelta(minutes=1)
            return first, plus_or_open(first, step), m["q"]
        y = int(m["y"])
        if m["mo"] is None:
            local = datetime(y, 1, 1, tzinfo=zone)
            after = _year_start(y + 1, zone)
        elif m["d"] is None:
            mo = int(m["mo"])
            local = datetime(y, mo, 1, tzinfo=zone)
            after = _month_start(y, mo + 1, zone)
        else:
            local = datetime(y, int(m["mo"]), int(m["d"]), tzinfo=zone)
            day = local.date()
            after = None if day == date.max else _midnight(day + ONE_DAY, zone)
        return local_to_utc(local), local_to_utc(after), m["q"]
    except (ValueError, TimeError) as exc:
        raise WindowError(f"{whole!r}: {text!r} is not a valid date: {exc}") from None


def _year_start(year: int, zone: tzinfo | None = UTC) -> datetime | None:
    """Midnight on 1 January of ``year`` in ``zone``; ``None`` after the year 9999."""
    return None if year > MAXYEAR else datetime(year, 1, 1, tzinfo=zone)


def _month_start(year: int, month: int, zone: tzinfo | None = UTC) -> datetime | None:
    """Midnight on the first of a month in ``zone`` (``month`` may exceed 12, and rolls the
    year); ``None`` after the year 9999."""
    more, index = divmod(month - 1, 12)
    year += more
    return None if year > MAXYEAR else datetime(year, index + 1, 1, tzinfo=zone)


def _this_month_end(t: datetime) -> datetime | None:
    return _month_start(t.year, t.month + 1, t.tzinfo)


def _this_year_end(t: datetime) -> datetime | None:
    return _year_start(t.year + 1, t.tzinfo)


def _next_month(t: datetime) -> tuple[datetime, datetime | None]:
    start = _month_start(t.year, t.month + 1, t.tzinfo)
    if start is None:
        raise OverflowError("next month is after the year 9999")
    return start, _month_start(t.year, t.month + 2, t.tzinfo)


def _next_year(t: datetime) -> tuple[datetime, datetime | None]:
    start = _year_start(t.year + 1, t.tzinfo)
    if start is None:
        raise OverflowError("next year is after the year 9999")
    return start, _year_start(t.year + 2, t.tzinfo)


def _ahead(**delta: float) -> VagueRule:
    span = timedelta(**delta)
    return lambda t: (t, plus_or_open(utc_instant(t), span))  # elapsed time, whatever the zone


def _ahead_months(n: int) -> VagueRule:
    def rule(t: datetime) -> tuple[datetime, datetime | None]:
        try:
            later = pendulum.instance(t).add(months=n)
        except (OverflowError, ValueError):  # after the year 9999
            return t, None
        return t, utc_instant(later)

    return rule


def _midnight(day: date, zone: tzinfo | None) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _next_week(t: datetime) -> tuple[datetime, datetime | None]:
    monday = t.date() + timedelta(days=7 - t.weekday())  # OverflowError after 9999-12-31
    try:
        following = monday + timedelta(days=7)
    except OverflowError:  # the week runs to the end of time
        return _midnight(monday, t.tzinfo), None
    return _midnight(monday, t.tzinfo), _midnight(following, t.tzinfo)


def _local_anchor(anchor: datetime | date | str, tz: str | None) -> datetime:
    """The anchor of a vague phrase, in the zone whose calendar resolves the phrase.

    Raises:
        TimeError: if the anchor is not an instant, or ``tz`` not a zone name.
        WindowError: if the anchor's local date in ``tz`` is after 9999-12-31.
    """
    instant = to_instant(anchor, field="anchor")  # checks the anchor first
    if tz is not None:
        zone = named_zone(tz)
    elif isinstance(anchor, datetime):
        zone = anchor.tzinfo or UTC
    elif isinstance(anchor, str):
        zone = parse_local(anchor, "anchor: ").tzinfo or UTC
    else:
        zone = UTC
    if zone is UTC:
        return instant
    try:
        return instant.astimezone(zone)
    except OverflowError:
        raise WindowError(
            f"anchor: {instant.isoformat()} is after the year 9999 in the zone {zone}"
        ) from None


def _end_or_open(end: datetime | date | str | None) -> datetime | date | str | None:
    """A rule's end, with a local instant after the end of time (in UTC) made open."""
    if isinstance(end, datetime) and end.year == MAXYEAR:
        offset = end.utcoffset()
        if offset is not None and offset < timedelta(0) and local_to_utc(end) is None:
            return None
    return end


#: The default lexicon of vague phrases. Each rule maps the instant a phrase was said (the
#: *anchor*) to a window. Pass your own mapping to :meth:`Window.vague` to override it, e.g.
#: ``{**DEFAULT_LEXICON, "soon": my_rule}``.
DEFAULT_LEXICON: Mapping[str, VagueRule] = MappingProxyType(
    {
        "imminently": _ahead(days=7),
        "in the coming days": _ahead(days=10),
        "shortly": _ahead(days=14),
        "soon": _ahead(days=30),
        "in the coming weeks": _ahead(weeks=6),
        "in the near future": _ahead(days=60),
        "in the coming months": _ahead_months(6),
        "next week": _next_week,
        "this month": lambda t: (t, _this_month_end(t)),
        "next month": _next_month,
        "later this year": lambda t: (t, _this_year_end(t)),
        "this year": lambda t: (t, _this_year_end(t)),
        "by the end of the year": lambda t: (t, _this_year_end(t)),
        "next year": _next_year,
    }
)


def _check_order(
    instance: Window, attribute: attrs.Attribute[datetime | None], value: object
) -> None:
    if instance.start is not None and instance.end is not None and instance.end < instance.start:
        raise WindowError(
            f"window end {instance.end.isoformat()} is before its start "
            f"{instance.start.isoformat()}"
        )


passes(_check_order, "v is None or self.start is None or not v < self.start")

_label = optional_text(WindowError)
_flag = boolean(WindowError)


@attrs.frozen
class Window:
    """A closed-open interval ``[start, end)`` of instants: when an expected thing happens.

    ``None`` for a bound means open or unknown on that side, so ``Window()`` overlaps
    everything. (An event whose window is ``None`` has no window at all, and overlaps nothing.)

    Args:
        start: the first instant inside the window (a date means its midnight, UTC).
        end: the first instant after the window.
        label: the words the window came from, such as ``"soon"``.
        approximate: the source gave the dates as approximate (EDTF ``~``).
        uncertain: the source was unsure of the dates (EDTF ``?``).

    Raises:
        WindowError: if ``end`` is before ``start``, or ``label`` is not a string (or ``None``)
            or a flag is not a boolean.
        TimeError: if a bound is naive or malformed.

    Example:
        >>> w = Window.parse("2024-04-08/2024-04-09")
        >>> w.start.isoformat(), w.end.isoformat()
        ('2024-04-08T00:00:00+00:00', '2024-04-10T00:00:00+00:00')
        >>> w.contains("2024-04-09T23:00:00+00:00")
        True
    """

    start: datetime | None = attrs.field(default=None, converter=window_start)
    end: datetime | None = attrs.field(default=None, converter=window_end, validator=_check_order)
    label: str | None = attrs.field(default=None, validator=_label)
    approximate: bool = attrs.field(default=False, validator=_flag)
    uncertain: bool = attrs.field(default=False, validator=_flag)

    @classmethod
    def parse(cls, text: str, *, label: str | None = None, tz: str | None = None) -> Window:
        """Parse a window written in a subset of EDTF.

        Accepted: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, date-times with an offset, intervals
        ``a/b``, open bounds ``..`` (or empty), and the qualifiers ``~`` (approximate),
        ``?`` (uncertain) and ``%`` (both) after a bound. A single date covers its whole
        unit; in an interval every bound covers its whole unit too, so ``2024-04-08/2024-04-09``
        runs to the end of 9 April. Digits are ASCII digits.

        Days, months and years are calendar units of ``tz`` (an IANA zone name) when it is
        given, and of UTC otherwise; date-times keep their own offsets. The bounds are stored
        as instants in UTC either way: ``Window.parse("2024-04-08/2024-04-09",
        tz="Asia/Shanghai")`` runs from ``2024-04-07T16:00Z`` to ``2024-04-09T16:00Z``.

        A unit that runs to the end of time (``9999``, ``9999-12``, ``9999-12-31``, the last
        minute of 9999) gives a window with no end (``None``, open): no instant follows it, so
        ``Window.parse("9999")`` is ``9999-01-01/..``.

        Args:
            text: the EDTF text.
            label: the words the window came from, kept as its label.
            tz: the IANA time zone whose calendar days, months and years the dates name.

        Raises:
            WindowError: if the text is not in the subset, names an invalid date or an instant
                outside the years 0001 to 9999 in UTC, or the end is before the start.
            TimeError: if ``tz`` is not a known IANA time zone name.

        Example:
            >>> Window.parse("2024-03~")
            Window(start=datetime.datetime(2024, 3, 1, 0, 0, tzinfo=datetime.timezone.utc), \
end=datetime.datetime(2024, 4, 1, 0, 0, tzinfo=datetime.timezone.utc), label=None, \
approximate=True, uncertain=False)
        """
        if not isinstance(text, str):
            raise WindowError(f"expected an EDTF string, got {type(text).__name__}")
        whole = text.strip()
        if not whole:
            raise WindowError("an empty string is not a window")
        zone = UTC if tz is None else named_zone(tz)
        parts = whole.split("/")
        if len(parts) > 2:
            raise WindowError(f"{whole!r}: an interval has one '/', not {len(parts) - 1}")
        quals: list[str | None] = []
        start: datetime | None = None
        end: datetime | None = None
        if len(parts) == 1:
            start, end, q = _bound(parts[0], whole, zone)
            quals.append(q)
        else:
            a, b = parts
            if a not in ("", ".."):
                start, _, q = _bound(a, whole, zone)
                quals.append(q)
            if b not in ("", ".."):
                b_first, end, q = _bound(b, whole, zone)
                quals.append(q)
                if start is not None and (b_first is None or b_first < start):
                    raise WindowError(f"{whole!r}: the end {b!r} is before the start {a!r}")
        return cls(
            start=start,
            end=end,
            label=label,
            approximate=any(q in ("~", "%") for q in quals),
            uncertain=any(q in ("?", "%") for q in quals),
        )

    @classmethod
    def vague(
        cls,
        phrase: str,
        *,
        anchor: datetime | date | str,
        lexicon: Mapping[str, VagueRule] | None = None,
        tz: str | None = None,
    ) -> Window:
        """The window a vague phrase means, said at ``anchor``.

        The phrase is looked up (case and spacing ignored) in ``lexicon``, by default
        :data:`DEFAULT_LEXICON`: "soon" is the 30 days after the anchor, "shortly" 14 days,
        "in the near future" 60 days, "next month" the calendar month after, and so on.
        The window is marked approximate and keeps the phrase as its label.

        Calendar phrases ("this month", "next week", "next year", ...) are resolved in the
        speaker's calendar: that of ``tz`` (an IANA zone name) when it is given, otherwise the
        anchor's own zone (the offset of an ISO string, the ``tzinfo`` of a datetime; UTC for a
        plain date, which stands for its midnight UTC). The rule is called with the anchor in
        that zone. "this month" said at 07:00 on 1 July in Tokyo is July in Tokyo, ending at
        midnight Tokyo time on 1 August. Spans in days ("soon") are elapsed time, whatever the
        zone. The window's bounds are stored as instants in UTC; the zone is not stored.

        Args:
            phrase: the vague phrase, such as ``"soon"``.
            anchor: when the phrase was said (usually the event's ``known_at``).
            lexicon: phrase -> rule; by default :data:`DEFAULT_LEXICON`.
            tz: the IANA time zone whose calendar the phrase speaks of.

        A window that would end after the last representable instant (9999-12-31, UTC) has no
        end (``None``, open), as :meth:`parse` gives for ``"9999"``; one that would start
        after it is refused.

        Raises:
            VaguePhraseError: if the phrase is not in the lexicon (the message lists those known).
            TimeError: if the anchor is naive or malformed, or ``tz`` is not a known IANA time
                zone name.
            WindowError: if the window the rule gives starts after the year 9999, or is
                otherwise invalid; the message names the phrase and the anchor.

        Example:
            >>> w = Window.vague("soon", anchor="2024-04-03T09:00:00+00:00")
            >>> w.label, w.end.isoformat()
            ('soon', '2024-05-03T09:00:00+00:00')
            >>> w = Window.vague("this month", anchor="2023-07-01T07:00:00+09:00")
            >>> w.start.isoformat(), w.end.isoformat()
            ('2023-06-30T22:00:00+00:00', '2023-07-31T15:00:00+00:00')
        """
        if not isinstance(phrase, str):
            raise VaguePhraseError(f"expected a vague phrase as a string, got {phrase!r}")
        table = DEFAULT_LEXICON if lexicon is None else lexicon
        key = " ".join(phrase.lower().split())
        rule = table.get(key)
        if rule is None:
            known = ", ".join(repr(k) for k in sorted(table))
            raise VaguePhraseError(f"vague phrase {phrase!r} is not in the lexicon; known: {known}")
        said = _local_anchor(anchor, tz)
        try:
            start, end = rule(said)
            return cls(start=start, end=_end_or_open(end), label=key, approximate=True)
        except ChronologyError as exc:
            raise WindowError(f"vague phrase {key!r} said at {said.isoformat()}: {exc}") from None
        except (OverflowError, ValueError) as exc:
            raise WindowError(
                f"vague phrase {key!r} said at {said.isoformat()}: its window falls outside "
                f"the years 0001 to 9999 ({exc})"
            ) from None

    def contains(self, instant: datetime | date | str) -> bool:
        """Whether ``instant`` lies in ``[start, end)``."""
        t = to_instant(instant)
        return (self.start is None or self.start <= t) and (self.end is None or t < self.end)

    def overlaps(self, other: Window) -> bool:
        """Whether the two windows share at least one instant.

        Example:
            >>> Window.parse("2024-04").overlaps(Window.parse("2024-04-30/2024-05-02"))
            True
            >>> Window.parse("2024-04").overlaps(Window.parse("2024-05"))
            False
        """
        lo = (
            self.start
            if other.start is None
            else (other.start if self.start is None else max(self.start, other.start))
        )
        hi = (
            self.end
            if other.end is None
            else (other.end if self.end is None else min(self.end, other.end))
        )
        if lo is None or hi is None:
            return True
        return lo < hi

    @property
    def duration(self) -> timedelta | None:
        """``end - start``, or ``None`` when a bound is open."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    def __str__(self) -> str:
        def show(t: datetime | None, *, end: bool) -> str:
            if t is None:
                return ".."
            midnight = t.hour == t.minute == t.second == t.microsecond == 0
            if midnight and not (end and t.date() == date.min):  # no day before 0001-01-01
                return (t - ONE_DAY if end else t).date().isoformat()
            return t.isoformat()

        q = (
            "%"
            if self.approximate and self.uncertain
            else ("~" if self.approximate else ("?" if self.uncertain else ""))
        )
        if self.end is None and self.start is not None:
            # EDTF qualifies dates, not the open marker: "2024-04-08~/..", not "2024-04-08/..~".
            body = f"{show(self.start, end=False)}{q}/.."
        else:
            body = f"{show(self.start, end=False)}/{show(self.end, end=True)}{q}"
        return f"{self.label} ({body})" if self.label else body


speed_up_init(Window)
