"""Quantities: a number with a unit, and how sure or how wide the source made it.

A :class:`Quantity` keeps its unit string exactly as given; :mod:`chronology.units` says what
the string measures, so :meth:`Quantity.to` converts within a dimension (``mb/d`` to ``kb/d``)
and asks for an explicit factor across dimensions (tonnes to barrels). :func:`error` and
:func:`relative_error` compare a projected figure with a reported one after conversion.

Example:
    >>> Quantity(1.1, "mb/d").to("kb/d").value
    1100.0
    >>> print(Quantity.between(1.7, 1.8, "mb/d"))
    1.7 to 1.8 mb/d
    >>> print(error(Quantity(2.25, "mb/d"), Quantity(940, "kb/d")))
    -1.31 mb/d
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from chronology._checks import finite, got, required_text
from chronology._fastinit import passes, speed_up_init
from chronology.errors import EventError, UnitError
from chronology.units import convert, parse_unit

__all__ = ["Quantity", "error", "relative_error"]


def _number(name: str, value: Any) -> float:
    if not finite(value):
        raise EventError(f"{name}: expected a finite number, got {got(value)}")
    return float(value)


def _quantity_value(value: float) -> float:
    return _number("quantity value", value)


def _low(value: float | None) -> float | None:
    return None if value is None else _number("quantity low", value)


def _high(value: float | None) -> float | None:
    return None if value is None else _number("quantity high", value)


_text = required_text()


def _check_low(instance: Quantity, _: Any, low: float | None) -> None:
    if low is not None and low > instance.value:
        raise EventError(f"quantity low: {low!r} is above the value {instance.value!r}")


def _check_high(instance: Quantity, _: Any, high: float | None) -> None:
    if high is not None and high < instance.value:
        raise EventError(f"quantity high: {high!r} is below the value {instance.value!r}")


def _check_bool(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, bool):
        raise EventError(f"quantity approximate: expected true or false, got {got(value)}")


passes(_quantity_value, "v.__class__ is float and v - v == 0.0")
passes(_low, "v is None")
passes(_high, "v is None")
passes(_check_low, "v is None")
passes(_check_high, "v is None")
passes(_check_bool, "v.__class__ is bool")


@attrs.frozen
class Quantity:
    """A number with a unit, such as ``Quantity(1_700_000, "bbl/d")``, perhaps a range.

    Args:
        value: the figure (stored as a float): for a range, its midpoint or the figure the
            source gave as central.
        unit: the unit, kept exactly as given (``"mb/d"``, ``"Mbbl/d"``, ``"kt"``); see
            :mod:`chronology.units` for the spellings that convert. Any other non-empty string
            is accepted and kept, but converts only to itself.
        low: the lower bound, when the source gave one ("1.7 to 1.8 mb/d", "at least 2 Mt").
        high: the upper bound, when the source gave one.
        approximate: the source hedged the figure ("around 5%", "about 1.7 million").

    Bounds must be finite and hold the value (``low <= value <= high``). ``==`` compares the
    figures as recorded: ``Quantity(1.1, "mb/d")`` and ``Quantity(1100, "kb/d")`` are equal
    amounts but different records; compare amounts after :meth:`to`.

    A quantity without bounds and not approximate is written as ``{"unit", "value"}``, exactly
    as before these fields existed, so old events keep their ids.

    Example:
        >>> Quantity(10.81, "Mt").to("t").value
        10810000.0
        >>> round(Quantity(10.81, "Mt").to("Mbbl", factor=7.33).value, 2)
        79.24
        >>> print(Quantity(2, "Mt", low=2))
        at least 2 Mt
        >>> print(Quantity(5, "%", approximate=True))
        about 5 %
    """

    value: float = attrs.field(converter=_quantity_value)
    unit: str = attrs.field(validator=_text)
    low: float | None = attrs.field(default=None, converter=_low, validator=_check_low)
    high: float | None = attrs.field(default=None, converter=_high, validator=_check_high)
    approximate: bool = attrs.field(default=False, validator=_check_bool)

    @classmethod
    def between(cls, low: float, high: float, unit: str, *, approximate: bool = False) -> Quantity:
        """A range given by its bounds ("1.7 to 1.8 mb/d"); the value is the midpoint.

        Raises:
            EventError: if a bound is not a finite number, or ``low > high``.

        Example:
            >>> Quantity.between(1.7, 1.8, "mb/d").value
            1.75
        """
        lo, hi = _number("quantity low", low), _number("quantity high", high)
        if lo > hi:
            raise EventError(f"quantity low: {low!r} is above high {high!r}")
        return cls(lo + (hi - lo) / 2, unit, lo, hi, approximate)

    def to(self, unit: str, *, factor: float | None = None) -> Quantity:
        """This quantity (and its bounds) in another unit.

        Within a dimension no factor is needed: ``mb/d`` to ``kb/d``, ``Mt`` to ``kt``. Across
        dimensions, give how many of the target's base unit one of the source's base unit makes:

        * tonnes to barrels: the barrels per tonne of the grade (about 7.3 for Urals);
        * a total over a period to a daily rate: ``1 / days`` of the period (``1 / 31`` for
          March), and a daily rate to the period's total: ``days``;
        * per year to per month: ``1 / 12``; per month to per day: ``1 / days`` of the month;
        * several at once multiply: a March total in ``Mt`` to ``bbl/d`` takes ``7.3 / 31``.

        Args:
            unit: the target unit.
            factor: target base units per source base unit (``bbl`` per ``t``), applied
                after bringing the value to its base unit and before scaling to ``unit``.

        Raises:
            UnitError: for an unknown unit (unless ``unit`` is this quantity's own), units
                of different dimensions without a factor, or a factor that is not a finite
                positive number.

        Example:
            >>> Quantity(10.81, "Mt").to("bbl/d", factor=7.3 / 31).value  # doctest: +ELLIPSIS
            2545580.6...
        """
        if factor is None:
            if unit == self.unit:
                return self
            scaled = _scaler(self.unit, unit)
        else:
            if isinstance(factor, bool) or not isinstance(factor, int | float):
                raise UnitError(f"factor: expected a finite positive number, got {factor!r}")
            if not (math.isfinite(factor) and factor > 0):
                raise UnitError(f"factor: expected a finite positive number, got {factor!r}")
            src, dst = parse_unit(self.unit), parse_unit(unit)
            ratio = src.scale * factor / dst.scale

            def scaled(x: float) -> float:
                return x * ratio

        low, high = self.low, self.high
        return Quantity(
            scaled(self.value),
            unit,
            None if low is None else scaled(low),
            None if high is None else scaled(high),
            self.approximate,
        )

    def __str__(self) -> str:
        unit, low, high = self.unit, self.low, self.high
        text: str
        if low is not None and high is not None:
            if math.isclose(self.value, low + (high - low) / 2, rel_tol=1e-12):
                text = f"{_num(low)} to {_num(high)} {unit}"
            else:
                text = f"{_num(self.value)} {unit} ({_num(low)} to {_num(high)})"
        elif low is not None:
            bound = f"at least {_num(low)}"
            same = low == self.value
            text = f"{bound} {unit}" if same else f"{_num(self.value)} {unit} ({bound})"
        elif high is not None:
            bound = f"at most {_num(high)}"
            same = high == self.value
            text = f"{bound} {unit}" if same else f"{_num(self.value)} {unit} ({bound})"
        else:
            text = f"{_num(self.value)} {unit}"
        return f"about {text}" if self.approximate else text


def _num(x: float) -> str:
    return f"{x:,.10g}"


def _scaler(unit: str, to: str) -> Any:
    """A function converting numbers from ``unit`` to ``to`` (same dimension)."""
    convert(0.0, unit, to)  # raises UnitError for unknown units or different dimensions
    return lambda x: convert(x, unit, to)


def error(projected: Quantity, reported: Quantity) -> Quantity:
    """How far the reported figure came from the projected one: ``reported - projected``, in
    the projected figure's unit. Between two percentages the error is in percentage points
    (``pp``): a growth rate forecast at 5% and reported at 4.5% missed by -0.5 pp.

    Raises:
        UnitError: if the reported figure cannot be brought to the projected one's unit
            (another dimension: convert it first with an explicit factor).

    Example:
        >>> print(error(Quantity(5, "%"), Quantity(4.5, "%")))
        -0.5 pp
        >>> print(error(Quantity(1.82, "mb/d"), Quantity(1_610, "kb/d")))
        -0.21 mb/d
    """
    reported_value = reported.to(projected.unit).value
    difference = reported_value - projected.value
    unit = "pp" if _is_percent(projected.unit) else projected.unit
    return Quantity(_tidy(difference, projected.value, reported_value), unit)


def relative_error(projected: Quantity, reported: Quantity) -> float | None:
    """How far the projection missed, as a share of what was reported:
    ``(reported - projected) / reported``, after bringing both to the projection's unit;
    ``None`` when the report is zero.

    This is the library's one definition of a relative error: outcomes
    (:class:`~chronology.resolution.VintageError`), scores, the ``chronology`` command and the
    plots all use it.

    Raises:
        UnitError: if the two are of different dimensions.

    Example:
        >>> f"{relative_error(Quantity(1, 'Mbbl/d'), Quantity(800, 'kbbl/d')):+.1%}"
        '-25.0%'
    """
    reported_value = reported.to(projected.unit).value
    if not reported_value:
        return None
    return (reported_value - projected.value) / reported_value


def _is_percent(unit: str) -> bool:
    try:
        return parse_unit(unit).dimension == "percent"
    except UnitError:
        return False


def _tidy(difference: float, a: float, b: float) -> float:
    """``difference`` (= ``b - a``) rounded to the precision its operands carry, so that
    ``1.61 - 1.82`` reads ``-0.21`` rather than ``-0.20999999999999996``."""
    if difference == 0.0:
        return 0.0
    scale = max(abs(a), abs(b))
    digits = 15 - math.floor(math.log10(scale)) if scale else 15
    return round(difference, digits) if 0 < digits <= 30 else difference


speed_up_init(Quantity)
