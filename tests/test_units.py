"""Units and ranges: the unit table, conversions, quantities with bounds, and comparisons."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chronology import Chronicle, Quantity
from chronology.errors import EventError, UnitError
from chronology.events import TradeProjected, TradeReported
from chronology.expectations import TradeExpectation
from chronology.quantity import error, relative_error
from chronology.render import key_figure
from chronology.serialization import canonical_json, event_from_dict, event_to_dict
from chronology.units import Unit, convert, parse_unit, same_dimension, units

# Units by dimension, for the property tests.
RATES = ("bbl/d", "b/d", "bpd", "kbbl/d", "kb/d", "Mbbl/d", "MMbbl/d", "mb/d", "Gbbl/day")
VOLUMES = ("bbl", "b", "kbbl", "kb", "Mbbl", "MMbbl", "mb", "Gbbl")
MASSES = ("t", "kt", "Mt", "Gt")
PER_MONTH = ("t/month", "kt/mo", "bbl/month", "mb/mo")
PER_YEAR = ("Mt/y", "Mt/yr", "kt/year", "mb/a")
PERCENT = ("%",)
POINTS = ("pp", "bp")
DIMENSIONS = (RATES, VOLUMES, MASSES, PERCENT, POINTS)

finite = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
positive = st.floats(1e-6, 1e12, allow_nan=False, allow_infinity=False)


# -- the table ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("mb/d", Unit("volume/day", 1e6, "bbl/d")),
        ("kb/d", Unit("volume/day", 1e3, "bbl/d")),
        ("b/d", Unit("volume/day", 1.0, "bbl/d")),
        ("bpd", Unit("volume/day", 1.0, "bbl/d")),
        ("Mbbl/d", Unit("volume/day", 1e6, "bbl/d")),
        ("kbbl/d", Unit("volume/day", 1e3, "bbl/d")),
        ("mb", Unit("volume", 1e6, "bbl")),  # million barrels, not millibarrels
        ("kt", Unit("mass", 1e3, "t")),
        ("Mt", Unit("mass", 1e6, "t")),
        ("Mt/y", Unit("mass/year", 1e6, "t/y")),
        ("kt/month", Unit("mass/month", 1e3, "t/month")),
        ("%", Unit("percent", 1.0, "%")),
        ("pp", Unit("percentage points", 1.0, "pp")),
        ("bp", Unit("percentage points", 0.01, "pp")),
    ],
)
def test_parse_unit(unit: str, expected: Unit) -> None:
    assert expected == parse_unit(unit)


@pytest.mark.parametrize("unit", ["mt", "MB/D", "bbl/h", "barrels", "", "kb/", "/d", "cars"])
def test_unknown_units_are_refused_by_name(unit: str) -> None:
    with pytest.raises(UnitError, match=rf"unknown unit {unit!r}; known: t, kt"):
        parse_unit(unit)


def test_every_listed_unit_parses() -> None:
    assert {"mb/d", "kb/d", "b/d", "bpd", "bbl/d", "kbbl/d", "Mbbl/d", "t", "kt", "Mt"} <= set(
        units()
    )
    for unit in units():
        assert isinstance(parse_unit(unit), Unit)


def test_same_dimension() -> None:
    assert (True, True, False, False) == (
        same_dimension("Mbbl/d", "kb/d"),
        same_dimension("cars", "cars"),  # an unknown unit matches itself only
        same_dimension("cars", "bbl"),
        same_dimension("bbl/d", "bbl/month"),
    )


# -- conversions ----------------------------------------------------------------------------------


def test_the_press_spellings_convert() -> None:
    assert 1100.0 == Quantity(1.1, "mb/d").to("kb/d").value
    assert 0.94 == Quantity(940, "kb/d").to("mb/d").value
    assert 940.0 == Quantity(940_000, "bpd").to("kbbl/d").value
    assert Quantity(2.0, "Mt") == Quantity(2000, "kt").to("Mt")


def test_conversion_keeps_bounds_and_the_hedge() -> None:
    q = Quantity(1.75, "mb/d", low=1.7, high=1.8, approximate=True).to("kb/d")
    assert (1750.0, "kb/d", 1700.0, 1800.0, True) == (q.value, q.unit, q.low, q.high, q.approximate)


def test_same_unit_string_converts_even_when_unknown() -> None:
    q = Quantity(3, "cars")
    assert q is q.to("cars")


@pytest.mark.parametrize(
    ("unit", "to", "message"),
    [
        ("Mt", "bbl", r"cannot convert 'Mt' \(mass\) to 'bbl' \(volume\) without a factor"),
        ("bbl", "bbl/d", r"'bbl' \(volume\) to 'bbl/d' \(volume/day\) without a factor"),
        ("bbl/d", "bbl/month", r"\(volume/day\) to 'bbl/month' \(volume/month\)"),
        ("%", "pp", r"'%' \(percent\) to 'pp' \(percentage points\)"),
        ("cars", "bbl", r"unknown unit 'cars'"),
        ("bbl", "mt", r"unknown unit 'mt'"),
    ],
)
def test_conversion_across_dimensions_needs_a_factor(unit: str, to: str, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        Quantity(1, unit).to(to)


def test_factors_across_dimensions() -> None:
    # a March total in million tonnes, as barrels a day: barrels per tonne over March's days
    assert 2_545_581 == round(Quantity(10.81, "Mt").to("bbl/d", factor=7.3 / 31).value)
    assert 31_000.0 == Quantity(1, "kb/d").to("bbl", factor=31).value
    assert 1.0 == Quantity(12, "Mt/y").to("Mt/month", factor=1 / 12).value


@pytest.mark.parametrize("factor", [0, -7.3, math.nan, math.inf, True, "7.3"])
def test_a_factor_must_be_finite_and_positive(factor: object) -> None:
    with pytest.raises(UnitError, match="factor: expected a finite positive number"):
        Quantity(1, "t").to("bbl", factor=factor)  # type: ignore[arg-type]


# -- ranges and hedges ----------------------------------------------------------------------------


def test_positional_quantity_keeps_working() -> None:
    q = Quantity(1_700_000, "bbl/d")
    assert (None, None, False) == (q.low, q.high, q.approximate)
    assert "1,700,000 bbl/d" == str(q)


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (Quantity(5, "%", approximate=True), "about 5 %"),
        (Quantity.between(1.7, 1.8, "mb/d"), "1.7 to 1.8 mb/d"),
        (Quantity(1.72, "mb/d", low=1.7, high=1.8), "1.72 mb/d (1.7 to 1.8)"),
        (Quantity(2, "Mt", low=2), "at least 2 Mt"),
        (Quantity(900, "kb/d", high=900), "at most 900 kb/d"),
        (Quantity(3, "Mt", low=2), "3 Mt (at least 2)"),
    ],
)
def test_ranges_and_hedges_read_as_said(quantity: Quantity, text: str) -> None:
    assert text == str(quantity)


def test_between_takes_the_midpoint() -> None:
    q = Quantity.between(1.7, 1.8, "mb/d", approximate=True)
    assert (1.75, 1.7, 1.8, True) == (q.value, q.low, q.high, q.approximate)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 2.0}, r"quantity low: 2.0 is above the value 1.0"),
        ({"high": 0.5}, r"quantity high: 0.5 is below the value 1.0"),
        ({"low": math.nan}, r"quantity low: expected a finite number, got nan"),
        ({"high": math.inf}, r"quantity high: expected a finite number, got inf"),
        ({"low": "0"}, r"quantity low: expected a finite number, got '0'"),
        ({"approximate": "yes"}, r"quantity approximate: expected true or false, got 'yes'"),
    ],
)
def test_bad_bounds_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(EventError, match=message):
        Quantity(1.0, "t", **kwargs)  # type: ignore[arg-type]


def test_between_refuses_reversed_bounds() -> None:
    with pytest.raises(EventError, match=r"quantity low: 1.8 is above high 1.7"):
        Quantity.between(1.8, 1.7, "mb/d")


# -- the wire form --------------------------------------------------------------------------------


def _reported(quantity: Quantity) -> TradeReported:
    return TradeReported(subject="t", known_at="2024-04-20T12:00:00Z", quantity=quantity)


def test_a_plain_quantity_is_written_as_before() -> None:
    event = _reported(Quantity(1_820_000, "bbl/d"))
    expected = (
        '{"known_at":"2024-04-20T12:00:00+00:00","quantity":{"unit":"bbl/d","value":1820000.0},'
        '"subject":"t","type":"trade.reported"}'
    )
    assert expected == canonical_json(event_to_dict(event))


def test_ranges_round_trip_through_the_wire_form() -> None:
    event = _reported(Quantity(1.72, "mb/d", low=1.7, high=1.8, approximate=True))
    data = event_to_dict(event)
    assert {"value": 1.72, "unit": "mb/d", "low": 1.7, "high": 1.8, "approximate": True} == data[
        "quantity"
    ]
    assert event == event_from_dict(data)
    at_least = _reported(Quantity(2, "Mt", low=2))
    assert {"value": 2.0, "unit": "Mt", "low": 2.0} == event_to_dict(at_least)["quantity"]
    assert at_least == event_from_dict(event_to_dict(at_least))


def test_ranges_survive_a_store(tmp_path: object) -> None:
    event = _reported(Quantity.between(1.7, 1.8, "mb/d", approximate=True))
    path = f"{tmp_path}/c.db"
    with Chronicle.open(path) as c:
        c.append(event)
    with Chronicle.open(path) as c:
        trade = c.as_of("2024-04-21")["t"]
        assert isinstance(trade, TradeExpectation)
        assert event.quantity == trade.reports[0].quantity


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ({"value": 1, "unit": "t", "low": 2}, "quantity low: 2.0 is above the value 1.0"),
        ({"value": 1, "unit": "t", "size": 2}, "expected a quantity"),
        ({"value": 1, "low": 0}, "expected a quantity"),
        ({"value": 1, "unit": "t", "approximate": 1}, "quantity approximate: expected true"),
    ],
)
def test_bad_ranges_on_the_wire_are_refused(quantity: dict[str, object], message: str) -> None:
    data = {"type": "trade.reported", "subject": "t", "known_at": "2024-04-20T12:00:00Z"}
    with pytest.raises(EventError, match=message):
        event_from_dict({**data, "quantity": quantity})


# -- comparisons ----------------------------------------------------------------------------------


def test_errors_compare_within_a_dimension() -> None:
    # 1 Mbbl/d against 940 kbbl/d missed by 6.4% of the report, not by +93,900%
    assert -0.06 / 0.94 == pytest.approx(
        relative_error(Quantity(1, "Mbbl/d"), Quantity(940, "kbbl/d"))
    )
    assert Quantity(-0.21, "mb/d") == error(Quantity(1.82, "mb/d"), Quantity(1_610, "kb/d"))
    assert relative_error(Quantity(1, "t"), Quantity(0, "t")) is None


def test_an_error_between_percentages_is_in_points() -> None:
    assert Quantity(-0.5, "pp") == error(Quantity(5, "%"), Quantity(4.5, "%"))


def test_errors_across_dimensions_are_refused() -> None:
    with pytest.raises(UnitError, match="without a factor"):
        relative_error(Quantity(1.7, "mb/d"), Quantity(10.81, "Mt"))


def _trade(projected: Quantity, *reported: Quantity) -> Chronicle:
    c = Chronicle()
    c.append(
        TradeProjected(subject="t", known_at="2024-01-01T00:00Z", scope="s", quantity=projected)
    )
    for i, q in enumerate(reported):
        c.append(
            TradeReported(subject="t", known_at=f"2024-02-0{i + 1}T00:00Z", scope="s", quantity=q)
        )
    return c


def test_key_figure_converts_the_report() -> None:
    c = _trade(Quantity(1, "Mbbl/d"), Quantity(940, "kbbl/d"))
    assert "1 Mbbl/d, reported 940 kbbl/d (-6.4%)" == key_figure(c.as_of("2024-03-01")["t"])


def test_key_figure_gives_points_between_percentages() -> None:
    c = _trade(Quantity(5, "%"), Quantity(4.5, "%"))
    assert "5 %, reported 4.5 (-0.5 pp)" == key_figure(c.as_of("2024-03-01")["t"])


def test_key_figure_says_when_it_cannot_compare() -> None:
    c = _trade(Quantity(1.7, "mb/d"), Quantity(10.81, "Mt"))
    expected = "1.7 mb/d, reported 10.81 Mt (not comparable with mb/d)"
    assert expected == key_figure(c.as_of("2024-03-01")["t"])


def test_report_by_unit_matches_the_dimension() -> None:
    c = _trade(Quantity(1.7, "mb/d"), Quantity(10.81, "Mt"), Quantity(1_820, "kb/d"))
    trade = c.as_of("2024-03-01")["t"]
    assert isinstance(trade, TradeExpectation)
    by_rate, by_mass = trade.report("s", unit="mb/d"), trade.report("s", unit="kt")
    assert by_rate is not None
    assert by_mass is not None
    assert Quantity(1_820, "kb/d") == by_rate.quantity
    assert Quantity(10.81, "Mt") == by_mass.quantity
    assert trade.report("s", unit="%") is None


# -- properties -----------------------------------------------------------------------------------


@st.composite
def two_units(draw: st.DrawFn) -> tuple[str, str]:
    dimension = draw(st.sampled_from(DIMENSIONS))
    return draw(st.sampled_from(dimension)), draw(st.sampled_from(dimension))


@given(finite, two_units())
def test_round_trip(value: float, units_: tuple[str, str]) -> None:
    unit, other = units_
    q = Quantity(value, unit)
    back = q.to(other).to(unit)
    assert back.value == pytest.approx(q.value, rel=1e-12, abs=1e-300)
    assert unit == back.unit


@st.composite
def three_units(draw: st.DrawFn) -> tuple[str, str, str]:
    dimension = draw(st.sampled_from(DIMENSIONS))
    pick = st.sampled_from(dimension)
    return draw(pick), draw(pick), draw(pick)


@given(positive, positive, three_units())
def test_comparisons_do_not_depend_on_the_prefix(
    a: float, b: float, units_: tuple[str, str, str]
) -> None:
    """Comparing a and b gives the same sign and ratio whichever prefixed unit each is in."""
    unit, a_unit, b_unit = units_
    reference = relative_error(Quantity(a, unit), Quantity(b, unit))
    moved = relative_error(Quantity(a, unit).to(a_unit), Quantity(b, unit).to(b_unit))
    assert reference is not None
    assert moved is not None
    assert reference == pytest.approx(moved, rel=1e-9, abs=1e-12)
    if abs(b - a) > 1e-9 * max(a, b):  # away from ties, which may round either way
        assert (b > a) == (moved > 0)


@given(
    finite,
    st.sampled_from((*DIMENSIONS, PER_MONTH, PER_YEAR)),
    st.sampled_from((*DIMENSIONS, PER_MONTH, PER_YEAR)),
    st.data(),
)
def test_across_dimensions_without_a_factor_always_raises(
    value: float, d1: tuple[str, ...], d2: tuple[str, ...], data: st.DataObject
) -> None:
    assume(d1 is not d2)
    unit, other = data.draw(st.sampled_from(d1)), data.draw(st.sampled_from(d2))
    assume(parse_unit(unit).dimension != parse_unit(other).dimension)
    with pytest.raises(UnitError, match="without a factor"):
        Quantity(value, unit).to(other)
    with pytest.raises(UnitError):
        convert(value, unit, other)
