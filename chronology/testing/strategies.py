"""Hypothesis strategies for every value :mod:`chronology` records.

The strategies are tuned to make bitemporal questions interesting rather than to roam the whole
input space: subjects come from a small pool (so events collide on subjects), ``known_at`` from a
few days on a coarse grid (so events tie on assertion time and ``as_of`` questions cut through
them), and instants are written in many UTC offsets and zones (so nothing relies on UTC input).

Importing this module registers strategies with :func:`hypothesis.strategies.from_type` for
:class:`pendulum.DateTime` (which hypothesis cannot build on its own), :class:`~chronology.Window`,
:class:`~chronology.Source`, :class:`~chronology.Quantity` and every built-in event type.

Example:
    >>> from hypothesis import given
    >>> from chronology.testing.strategies import events
    >>> @given(events())
    ... def test_has_subject(event):
    ...     assert event.subject
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

import attrs
import pendulum
from hypothesis import strategies as st

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
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)
from chronology.time import DEFAULT_LEXICON, Window

__all__ = [
    "ALL_SUBJECTS",
    "EVENT_TYPES",
    "FIRST_DAY",
    "LAST_DAY",
    "SHARED_SUBJECTS",
    "TRADE_SUBJECTS",
    "VISIT_SUBJECTS",
    "ZONES",
    "EdtfCase",
    "as_of_questions",
    "direct_windows",
    "edtf_cases",
    "edtf_windows",
    "event_ids",
    "events",
    "events_of",
    "every_event",
    "instants",
    "known_ats",
    "likelihoods",
    "optional_texts",
    "pendulum_instants",
    "probabilities",
    "quantities",
    "retractions_of",
    "sources",
    "texts",
    "vague_windows",
    "windows",
]

#: Subjects of visit events.
VISIT_SUBJECTS: Final = ("visit/lavrov-china", "visit/wang-moscow")
#: Subjects of trade events.
TRADE_SUBJECTS: Final = ("trade/crude-seaborne", "trade/crude-sokol")
#: A subject every kind of event may land on, so the fold meets mixed families.
SHARED_SUBJECTS: Final = ("topic/energy",)
#: Every subject the strategies draw from.
ALL_SUBJECTS: Final = VISIT_SUBJECTS + TRADE_SUBJECTS + SHARED_SUBJECTS

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

_WORDS: Final = (
    "Sergei Lavrov",
    "Wang Yi",
    "China",
    "Russia",
    "Beijing",
    "SCO",
    "BRICS",
    "G20",
    "regional security",
    "crude oil",
    "Sokol",
    "ESPO",
    "Kpler",
    "Reuters",
    "record",
    "Ван И",
    "王毅",
)
_UNITS: Final = ("bbl/d", "kbbl/d", "Mbbl/d", "mb/d", "kb/d", "bpd", "bbl", "t", "kt", "Mt", "%")

_MIN = datetime(2000, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds, zones come apart
_MAX = datetime(2099, 12, 31)  # noqa: DTZ001


# -- scalars ------------------------------------------------------------------------------------


@cache
def texts() -> st.SearchStrategy[str]:
    """Non-blank strings: mostly names from the seed case, sometimes arbitrary Unicode."""
    return st.one_of(
        st.sampled_from(_WORDS),
        st.text(min_size=1, max_size=12).filter(lambda s: bool(s.strip())),
    )


@cache
def optional_texts() -> st.SearchStrategy[str | None]:
    """``None`` or a string (possibly empty: optional text fields accept any string)."""
    return st.one_of(st.none(), texts(), st.just(""))


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


@cache
def likelihoods() -> st.SearchStrategy[Likelihood | None]:
    """``None`` or a :class:`~chronology.Likelihood`."""
    return st.none() | st.sampled_from(Likelihood)


@cache
def probabilities() -> st.SearchStrategy[float | None]:
    """``None`` or a probability in [0, 1]."""
    return st.none() | st.floats(0.0, 1.0)


@cache
def quantities() -> st.SearchStrategy[Quantity]:
    """Quantities with finite values (integers and floats) and the usual oil units, mostly
    plain, sometimes with bounds (``low``, ``high``, either or both) or marked approximate."""
    value = st.one_of(
        st.integers(0, 10**7),
        st.floats(allow_nan=False, allow_infinity=False),
    )
    unit = st.one_of(st.sampled_from(_UNITS), texts())
    plain = st.builds(Quantity, value, unit)
    return st.one_of(plain, plain, plain, _ranges(unit))


@st.composite
def _ranges(draw: st.DrawFn, unit: st.SearchStrategy[str]) -> Quantity:
    bounds = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
    a, b, c = sorted(draw(bounds) for _ in range(3))
    keep_low, keep_high = draw(st.booleans()), draw(st.booleans())
    return Quantity(
        b,
        draw(unit),
        a if keep_low else None,
        c if keep_high else None,
        draw(st.booleans()),
    )


@cache
def event_ids() -> st.SearchStrategy[str]:
    """Strings shaped like event ids (32 hex digits)."""
    return st.text("0123456789abcdef", min_size=32, max_size=32)


# -- sources ------------------------------------------------------------------------------------


def _source(via: st.SearchStrategy[tuple[Source, ...]]) -> st.SearchStrategy[Source]:
    return st.builds(
        Source,
        texts(),
        kind=st.none() | st.sampled_from(("news", "statement", "data")),
        speaker=optional_texts(),
        title=optional_texts(),
        url=st.none() | st.just("https://example.org/a?b=c"),
        published_at=st.none() | instants(),
        via=via,
    )


@cache
def sources() -> st.SearchStrategy[Source]:
    """Sources, nested through ``via`` up to three deep (an outlet quoting an outlet quoting a
    data vendor)."""
    leaf = _source(st.just(()))
    middle = _source(st.lists(leaf, min_size=1, max_size=2).map(tuple))
    top = _source(st.tuples(middle))
    return st.one_of(leaf, middle, top)


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


# -- events -------------------------------------------------------------------------------------


def _subjects(pool: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(pool + SHARED_SUBJECTS)


def _common(pool: tuple[str, ...]) -> dict[str, st.SearchStrategy[object]]:
    return {
        "subject": _subjects(pool),
        "known_at": known_ats(),
        "source": st.one_of(st.none(), st.none(), st.none(), sources()),
    }


@cache
def _items() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(texts(), max_size=3).map(tuple)


def _event_strategies() -> dict[type[Event], st.SearchStrategy[Event]]:
    visit = _common(VISIT_SUBJECTS)
    trade = _common(TRADE_SUBJECTS)
    maybe_window = st.none() | windows()
    return {
        VisitAnnounced: st.builds(
            VisitAnnounced,
            **visit,
            visitor=optional_texts(),
            host=optional_texts(),
            counterparts=_items(),
            purpose=optional_texts(),
            window=maybe_window,
            agenda=_items(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitScheduled: st.builds(
            VisitScheduled,
            **visit,
            window=windows(),
            visitor=optional_texts(),
            host=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitRescheduled: st.builds(
            VisitRescheduled,
            **visit,
            window=windows(),
            reason=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitPostponed: st.builds(
            VisitPostponed,
            **visit,
            reason=optional_texts(),
            window=maybe_window,
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        VisitCancelled: st.builds(VisitCancelled, **visit, reason=optional_texts()),
        VisitOccurred: st.builds(
            VisitOccurred,
            **visit,
            window=maybe_window,
            place=optional_texts(),
            counterparts=_items(),
        ),
        AgendaChanged: st.builds(AgendaChanged, **visit, added=_items(), removed=_items()),
        TradeProjected: st.builds(
            TradeProjected,
            **trade,
            exporter=optional_texts(),
            importer=optional_texts(),
            commodity=optional_texts(),
            grade=optional_texts(),
            period=st.none() | windows(),
            quantity=st.none() | quantities(),
            scope=optional_texts(),
            claims=_items(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        TradeProjectionRevised: st.builds(
            TradeProjectionRevised,
            **trade,
            quantity=st.none() | quantities(),
            claims=_items(),
            scope=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        TradeReported: st.builds(
            TradeReported,
            **trade,
            quantity=quantities(),
            period=st.none() | windows(),
            scope=optional_texts(),
            preliminary=st.booleans(),
        ),
        StatementMade: st.builds(
            StatementMade,
            **_common(VISIT_SUBJECTS + TRADE_SUBJECTS),
            speaker=optional_texts(),
            topics=_items(),
            summary=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
    }


def _family_strategies() -> dict[type[Event], st.SearchStrategy[Event]]:
    """The general families (plans and figures), drawn by :func:`events_of` only: the naive
    model (:mod:`chronology.testing.model`) folds visits and trade flows, so :func:`events`
    leaves these out."""
    plan = _common(("plan/a", "plan/b"))
    figure = _common(("figure/a", "figure/b"))
    maybe_window = st.none() | windows()
    return {
        PlanAnnounced: st.builds(
            PlanAnnounced,
            **plan,
            what=optional_texts(),
            actors=_items(),
            counterparts=_items(),
            place=optional_texts(),
            window=maybe_window,
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanScheduled: st.builds(
            PlanScheduled,
            **plan,
            window=windows(),
            place=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanRescheduled: st.builds(
            PlanRescheduled,
            **plan,
            window=windows(),
            reason=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanPostponed: st.builds(
            PlanPostponed,
            **plan,
            reason=optional_texts(),
            window=maybe_window,
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        PlanCancelled: st.builds(PlanCancelled, **plan, reason=optional_texts()),
        PlanOccurred: st.builds(
            PlanOccurred,
            **plan,
            window=maybe_window,
            place=optional_texts(),
            counterparts=_items(),
        ),
        FigureProjected: st.builds(
            FigureProjected,
            **figure,
            measure=optional_texts(),
            area=optional_texts(),
            period=maybe_window,
            quantity=st.none() | quantities(),
            scope=optional_texts(),
            claims=_items(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        FigureRevised: st.builds(
            FigureRevised,
            **figure,
            quantity=st.none() | quantities(),
            claims=_items(),
            scope=optional_texts(),
            likelihood=likelihoods(),
            probability=probabilities(),
        ),
        FigureReported: st.builds(
            FigureReported,
            **figure,
            quantity=quantities(),
            period=maybe_window,
            scope=optional_texts(),
            preliminary=st.booleans(),
        ),
    }


_EVENTS: Final = _event_strategies()
_FAMILY_EVENTS: Final = _family_strategies()

#: The built-in event types :func:`events` draws (every one but ``Retracted``).
EVENT_TYPES: Final = tuple(_EVENTS)


def events_of(cls: type[Event]) -> st.SearchStrategy[Event]:
    """Events of one built-in type (``Retracted``, plans and figures included)."""
    if cls is Retracted:
        return _free_retractions()
    found = _EVENTS.get(cls)
    return _FAMILY_EVENTS[cls] if found is None else found


@cache
def events() -> st.SearchStrategy[Event]:
    """Any built-in event except :class:`~chronology.events.Retracted`.

    A retraction must name a stored event; build those with :func:`retractions_of`.
    """
    return st.one_of(list(_EVENTS.values()))


def retractions_of(target: Event, target_id: str) -> st.SearchStrategy[Retracted]:
    """Retractions of a stored event (its subject, its id), known at any time in the range."""
    return st.builds(
        Retracted,
        subject=st.just(target.subject),
        known_at=known_ats(),
        source=st.none() | sources(),
        target=st.just(target_id),
        reason=optional_texts(),
    )


@cache
def _free_retractions() -> st.SearchStrategy[Retracted]:
    return st.builds(
        Retracted,
        subject=st.sampled_from(ALL_SUBJECTS),
        known_at=known_ats(),
        source=st.none() | sources(),
        target=event_ids(),
        reason=optional_texts(),
    )


@cache
def every_event() -> st.SearchStrategy[Event]:
    """Every built-in event type, :class:`~chronology.events.Retracted` included (its target a
    random id): values for serialization and fold properties, not all appendable."""
    return st.one_of(events(), _free_retractions())


# -- registration -------------------------------------------------------------------------------

st.register_type_strategy(pendulum.DateTime, pendulum_instants())
st.register_type_strategy(Window, windows())
st.register_type_strategy(Source, sources())
st.register_type_strategy(Quantity, quantities())
st.register_type_strategy(Retracted, _free_retractions())
for _cls, _strategy in (*_EVENTS.items(), *_FAMILY_EVENTS.items()):
    st.register_type_strategy(_cls, _strategy)
