"""Instants: the assertion- and system-time vocabulary of :mod:`chronology`.

An *instant* is a timezone-aware :class:`datetime.datetime`, stored and compared in UTC.
Naive datetimes and date-time strings without an offset are refused, because a chronicle
compares instants from many sources and an unstated zone is a silent error waiting to happen.
ISO 8601 text is read with a strict parser of this module's own (ASCII digits, offsets up to
23:59), never with a forgiving one.

This module and :mod:`chronology.time` (windows and calendars, built on it) are the only two
that use pendulum; :mod:`chronology.time` re-exports the public names below, so
``from chronology.time import to_instant`` keeps working.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Final

import pendulum

from chronology._fastinit import passes
from chronology.errors import TimeError

__all__ = [
    "ONE_DAY",
    "as_of_instant",
    "end_instant",
    "format_instant",
    "local_to_utc",
    "named_zone",
    "parse_iso",
    "parse_local",
    "plus_or_open",
    "to_instant",
    "utc_instant",
    "window_end",
    "window_start",
]

# Digits are ASCII digits only ([0-9], never \d): int() reads full-width or Arabic-Indic
# digits as numbers, but a date written in them is not ISO 8601.
_ISO = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[T ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.ASCII,
)
#: One calendar day of elapsed time (UTC days have no daylight-saving shifts).
ONE_DAY: Final = timedelta(days=1)
_END_OF_DAY: Final = timedelta(days=1, microseconds=-1)


_ZONES: dict[str, tzinfo] = {"Z": UTC, "+00:00": UTC, "+0000": UTC, "-00:00": UTC, "-0000": UTC}


def _tz_of(text: str) -> tzinfo:
    """The fixed offset of a ``Z`` / ``+HH:MM`` / ``+HHMM`` suffix, cached.

    Raises:
        TimeError: if the hours exceed 23 or the minutes 59.
    """
    zone = _ZONES.get(text)
    if zone is None:
        sign = -1 if text[0] == "-" else 1
        digits = text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise TimeError(
                f"UTC offset {text!r} is out of range (hours 00 to 23, minutes 00 to 59)"
            )
        zone = _ZONES[text] = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return zone


def _out_of_range(shown: str, where: str = "") -> TimeError:
    return TimeError(
        f"{where}{shown!r} is out of range: in UTC it falls outside the years 0001 to 9999"
    )


def utc_instant(value: datetime, shown: str | None = None, where: str = "") -> datetime:
    """``value`` as a plain :class:`datetime` in UTC (pendulum subclasses are flattened).

    Raises:
        TimeError: if the instant has no UTC equivalent (before 0001-01-01 or after
            9999-12-31 in UTC); the message shows ``shown`` (by default the value itself).
    """
    try:
        u = value.astimezone(UTC)
    except OverflowError:
        raise _out_of_range(value.isoformat() if shown is None else shown, where) from None
    if type(u) is not datetime:
        u = datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)
    return u


def plus_or_open(t: datetime, delta: timedelta) -> datetime | None:
    """``t + delta``, or ``None`` when that is past the last representable instant."""
    try:
        return t + delta
    except OverflowError:
        return None


#: A date-time in UTC exactly as this library writes it (``2024-04-03T12:00:00+00:00``, with
#: six digits of microseconds when there are some), or with ``Z``: the text of every stored or
#: exported instant. :func:`parse_iso` reads such text with :meth:`datetime.fromisoformat`,
#: which gives the same instant as the strict parser for it, in a tenth of the time.
_UTC_TEXT: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?(?:\+00:00|Z)",
    re.ASCII,
)
_from_iso: Final = datetime.fromisoformat


def parse_iso(text: str, field: str) -> datetime:
    """An ISO 8601 date or date-time as an instant in UTC; ``field`` prefixes error messages.

    Raises:
        TimeError: as :func:`parse_local` and :func:`utc_instant` do.
    """
    if text.__class__ is str and _UTC_TEXT.fullmatch(text) is not None:
        try:
            return _from_iso(text)  # tzinfo is datetime.UTC itself for +00:00 and Z
        except ValueError:  # a field out of range: the strict parser says which
            pass
    return utc_instant(parse_local(text, field), text, field)


def parse_local(text: str, field: str) -> datetime:
    """An ISO 8601 date or date-time, aware, in its own offset (a plain date: UTC midnight)."""
    m = _ISO.fullmatch(text.strip())
    if m is None:
        raise TimeError(
            f"{field}{text!r} is not an ISO 8601 date or date-time "
            "(expected e.g. '2024-04-03' or '2024-04-03T12:00:00+00:00')"
        )
    if m["h"] is None:  # a plain date: its first instant, in UTC
        try:
            return datetime(int(m["y"]), int(m["mo"]), int(m["d"]), tzinfo=UTC)
        except ValueError as exc:
            raise TimeError(f"{field}{text!r} is not a valid date: {exc}") from None
    if m["tz"] is None:
        raise TimeError(
            f"{field}{text!r} has no UTC offset; write it with one, "
            "e.g. '2024-04-03T12:00:00+00:00' or '...Z'"
        )
    try:
        local = datetime(
            int(m["y"]),
            int(m["mo"]),
            int(m["d"]),
            int(m["h"]),
            int(m["mi"]),
            int(m["s"] or 0),
            int((m["f"] or "0").ljust(6, "0")),
            tzinfo=_tz_of(m["tz"]),
        )
    except ValueError as exc:
        raise TimeError(f"{field}{text!r} is not a valid date-time: {exc}") from None
    return local


#: IANA zones already looked up, by name.
_NAMED_ZONES: dict[str, tzinfo] = {"UTC": UTC}


def named_zone(name: str) -> tzinfo:
    """The IANA time zone called ``name``, cached.

    Raises:
        TimeError: if ``name`` is not a string or not a known IANA zone name.
    """
    zone = _NAMED_ZONES.get(name) if isinstance(name, str) else None
    if zone is None:
        if not isinstance(name, str):
            raise TimeError(f"tz: expected an IANA time zone name, got {name!r}")
        try:
            zone = pendulum.timezone(name)
        except (ValueError, OSError):
            raise TimeError(
                f"tz: {name!r} is not a known IANA time zone name (e.g. 'Asia/Tokyo', 'UTC')"
            ) from None
        if not isinstance(zone, tzinfo):  # pragma: no cover - pendulum returns zones
            raise TimeError(f"tz: {name!r} is not a time zone")
        _NAMED_ZONES[name] = zone
    return zone


def local_to_utc(local: datetime | None) -> datetime | None:
    """A local calendar instant in UTC; ``None`` for ``None`` or for one that falls outside
    the years 0001 to 9999 in UTC (a bound at the beginning or the end of time: open)."""
    if local is None or local.tzinfo is UTC:
        return local
    try:
        return utc_instant(local)
    except TimeError:
        return None


def to_instant(value: datetime | date | str, *, field: str | None = None) -> datetime:
    """Turn a user-supplied time into an instant: an aware :class:`~datetime.datetime` in UTC.

    Args:
        value: an aware :class:`~datetime.datetime` (any zone; converted to UTC), a
            :class:`~datetime.date` (its midnight, UTC) or an ISO 8601 string: a date, or a
            date-time *with* an offset.
        field: the name of the field being set, used in error messages.

    Returns:
        The instant in UTC.

    Raises:
        TimeError: for a naive datetime, a date-time string without an offset, a malformed
            string (non-ASCII digits, an offset beyond 23:59), an instant that falls outside
            the years 0001 to 9999 once in UTC, or a value of another type.

    Example:
        >>> to_instant("2024-04-03T15:30:00+03:00")
        datetime.datetime(2024, 4, 3, 12, 30, tzinfo=datetime.timezone.utc)
        >>> to_instant("2024-04-03")
        datetime.datetime(2024, 4, 3, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if value.__class__ is datetime and value.tzinfo is UTC:  # already an instant
        return value
    where = f"{field}: " if field else ""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise TimeError(
                f"{where}naive datetime {value.isoformat()!r} refused; "
                "give it a timezone, e.g. datetime(..., tzinfo=timezone.utc)"
            )
        if value.tzinfo is UTC and type(value) is datetime:
            return value
        return utc_instant(value, where=where)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        return parse_iso(value, where)
    raise TimeError(f"{where}expected a datetime, date or ISO string, got {type(value).__name__}")


def window_start(value: datetime | date | str | None) -> datetime | None:
    """A window's start as an instant (``None`` stays open); errors name "window start"."""
    return None if value is None else to_instant(value, field="window start")


def window_end(value: datetime | date | str | None) -> datetime | None:
    """A window's end as an instant (``None`` stays open); errors name "window end"."""
    return None if value is None else to_instant(value, field="window end")


_INSTANT: Final = "v is None or (v.__class__ is _datetime and v.tzinfo is _UTC)"
passes(window_start, _INSTANT)
passes(window_end, _INSTANT)


def as_of_instant(value: datetime | date | str, *, field: str | None = None) -> datetime:
    """The instant an ``as_of`` question stands for.

    A plain date (or date string) stands for the *last* instant of that day in UTC, so
    "as of 3 April" includes everything said on 3 April. A date-time stands for itself.
    ``field`` names the argument in error messages.

    Example:
        >>> as_of_instant("2024-04-03")
        datetime.datetime(2024, 4, 3, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)
    """
    if isinstance(value, str) and _ISO.fullmatch(value.strip()) is not None:
        m = _ISO.fullmatch(value.strip())
        if m is not None and m["h"] is None:
            return to_instant(value, field=field) + _END_OF_DAY
    elif isinstance(value, date) and not isinstance(value, datetime):
        return to_instant(value, field=field) + _END_OF_DAY
    return to_instant(value, field=field)


def end_instant(value: datetime | date | str, *, field: str | None = None) -> datetime | None:
    """The instant a span given up to ``value`` ends at (exclusive).

    A plain date (or date string) ends with its day: the span runs to the following midnight,
    UTC. A date-time ends where it says. The last day, 9999-12-31, has no following midnight:
    a span ending with it has no end (``None``, open), since no later instant exists.

    Raises:
        TimeError: as :func:`to_instant` does.

    Example:
        >>> end_instant("2024-04-09")
        datetime.datetime(2024, 4, 10, 0, 0, tzinfo=datetime.timezone.utc)
        >>> end_instant("9999-12-31") is None
        True
    """
    if isinstance(value, str):
        m = _ISO.fullmatch(value.strip())
        if m is not None and m["h"] is None:
            return plus_or_open(to_instant(value, field=field), ONE_DAY)
    elif isinstance(value, date) and not isinstance(value, datetime):
        return plus_or_open(to_instant(value, field=field), ONE_DAY)
    return to_instant(value, field=field)


def format_instant(value: datetime, tz: str = "UTC") -> str:
    """Render an instant for people, in the given IANA zone (``"UTC"`` by default).

    Raises:
        TimeError: if ``value`` is not an aware instant, ``tz`` is not a known IANA zone name,
            or the instant's local time in ``tz`` falls outside the years 0001 to 9999.

    Example:
        >>> from datetime import datetime, UTC
        >>> format_instant(datetime(2024, 4, 8, 6, 0, tzinfo=UTC), "Asia/Shanghai")
        '2024-04-08 14:00 CST'
    """
    instant = to_instant(value, field="instant")
    zone = named_zone(tz)
    try:
        local = instant.astimezone(zone)
    except OverflowError:
        raise TimeError(
            f"instant: {instant.isoformat()!r} cannot be shown in {tz}: its local time there "
            "falls outside the years 0001 to 9999"
        ) from None
    return pendulum.instance(local).format("YYYY-MM-DD HH:mm zz")
