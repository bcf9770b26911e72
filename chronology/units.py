"""The unit table: what a unit string means, as a dimension and a scale.

A :class:`~chronology.quantity.Quantity` keeps its unit exactly as the source wrote it
(``"mb/d"``, ``"Mbbl/d"``, ``"kt"``); this module says what such a string measures, so that
figures given in different spellings or prefixes compare correctly: ``1.1 mb/d`` is
``1100 kb/d``. :func:`parse_unit` turns a unit string into a :class:`Unit`, a *dimension* (what
kind of thing it measures, such as ``"volume/day"``) and a *scale* (how many of the dimension's
base unit one of it makes); :func:`convert` moves a number between two units of one dimension.

Units of different dimensions never convert on their own: tonnes to barrels depends on the
crude grade, and a month's total to a daily rate on the days in that month, so such a
conversion takes an explicit factor (see :meth:`Quantity.to <chronology.quantity.Quantity.to>`).

The table (case matters: ``mt`` is refused, because the press uses it both for metric tonnes
and for million tonnes):

============================== ===================================== ===============
spellings                      meaning                               base
============================== ===================================== ===============
``t``, ``kt``, ``Mt``, ``Gt``  tonnes; thousand, million, billion    ``t``
``bbl``, ``b``                 barrels                               ``bbl``
``kbbl``, ``kb``               thousand barrels                      ``bbl``
``Mbbl``, ``MMbbl``, ``mb``    million barrels                       ``bbl``
``Gbbl``                       billion barrels                       ``bbl``
*amount* ``/d``                per day (also ``/day``)               e.g. ``bbl/d``
*amount* ``/month``            per month (also ``/mo``)              e.g. ``t/month``
*amount* ``/y``                per year (also ``/yr``, ``/year``,    e.g. ``t/y``
                               ``/a``)
``bpd``                        barrels per day                       ``bbl/d``
``%``                          per cent                              ``%``
``pp``, ``bp``                 percentage points, basis points       ``pp``
============================== ===================================== ===============

Two spellings need care. In the oil trade press ``mb`` and ``mb/d`` mean *million* barrels (per
day), never millibarrels, and this table reads them so. The older US industry habit of writing
``Mbbl`` for a *thousand* barrels (Roman M) is not followed: ``Mbbl`` is a million, as the SI
prefix says; write ``kbbl`` or ``kb`` for thousands.

Per day, per month and per year are different dimensions: months and years differ in length,
so a conversion between them takes the days (or months) as a factor. A difference between two
percentages is in percentage points (``pp``), a dimension of its own.

Why not pint: importing it takes a large part of a second and builds a registry of
thousands of units, while the library's import must stay fast (the CLI is started for one
answer) and a conversion here runs once per figure compared, in loops over a whole chronicle. The
few units a trade chronicle needs fit in a table of a few dozen entries, read once per distinct
string (:func:`parse_unit` is cached), and the press spellings pint does not know (``mb/d`` as
million barrels a day) would need defining anyway.

Example:
    >>> parse_unit("mb/d")
    Unit(dimension='volume/day', scale=1000000.0, base='bbl/d')
    >>> convert(1.1, "mb/d", "kb/d")
    1100.0
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, NamedTuple

from chronology.errors import UnitError

__all__ = ["Unit", "convert", "dimension_key", "parse_unit", "same_dimension", "units"]


class Unit(NamedTuple):
    """What a unit string measures: a dimension, a scale, and the dimension's base unit."""

    #: What is measured, such as ``"mass"``, ``"volume"``, ``"mass/day"``,
    #: ``"volume/month"``, ``"percent"`` or ``"percentage points"``.
    dimension: str
    #: How many base units one of this unit makes (``1e6`` for ``"mb/d"``).
    scale: float
    #: The base unit of the dimension (``"bbl/d"``).
    base: str


#: Amounts: spelling -> (kind, scale to the kind's base unit).
_AMOUNTS: Final[dict[str, tuple[str, float]]] = {
    "t": ("mass", 1.0),
    "kt": ("mass", 1e3),
    "Mt": ("mass", 1e6),
    "Gt": ("mass", 1e9),
    "bbl": ("volume", 1.0),
    "b": ("volume", 1.0),
    "kbbl": ("volume", 1e3),
    "kb": ("volume", 1e3),
    "Mbbl": ("volume", 1e6),
    "MMbbl": ("volume", 1e6),
    "mb": ("volume", 1e6),  # the oil press: million barrels, not millibarrels
    "Gbbl": ("volume", 1e9),
}
_BASES: Final = {"mass": "t", "volume": "bbl"}

#: Per-time suffixes: spelling -> (the dimension's suffix, the base unit's suffix).
_PER: Final[dict[str, tuple[str, str]]] = {
    "d": ("day", "d"),
    "day": ("day", "d"),
    "month": ("month", "month"),
    "mo": ("month", "month"),
    "y": ("year", "y"),
    "yr": ("year", "y"),
    "year": ("year", "y"),
    "a": ("year", "y"),
}

#: Units spelled as one word.
_WHOLE: Final[dict[str, Unit]] = {
    "bpd": Unit("volume/day", 1.0, "bbl/d"),
    "%": Unit("percent", 1.0, "%"),
    "pp": Unit("percentage points", 1.0, "pp"),
    "bp": Unit("percentage points", 0.01, "pp"),
}


_KNOWN: Final = (
    f"known: {', '.join(_AMOUNTS)}, each alone or per time "
    f"({', '.join('/' + p for p in _PER)}); and {', '.join(_WHOLE)} (case matters)"
)


@lru_cache(maxsize=1024)
def _parse(unit: str) -> Unit | None:
    whole = _WHOLE.get(unit)
    if whole is not None:
        return whole
    amount, slash, per = unit.partition("/")
    known = _AMOUNTS.get(amount)
    if known is None:
        return None
    kind, scale = known
    if not slash:
        return Unit(kind, scale, _BASES[kind])
    suffix = _PER.get(per)
    if suffix is None:
        return None
    return Unit(f"{kind}/{suffix[0]}", scale, f"{_BASES[kind]}/{suffix[1]}")


def parse_unit(unit: str) -> Unit:
    """What ``unit`` measures: its dimension, its scale and its dimension's base unit.

    Results are cached: a chronicle repeats a few unit strings over and over.

    Args:
        unit: a unit string, as a source wrote it (case matters).

    Raises:
        UnitError: if the string is not in the table (see the module).

    Example:
        >>> parse_unit("kt")
        Unit(dimension='mass', scale=1000.0, base='t')
    """
    parsed = _parse(unit) if isinstance(unit, str) else None
    if parsed is None:
        raise UnitError(f"unknown unit {unit!r}; {_KNOWN}")
    return parsed


def dimension_key(unit: str) -> object:
    """What ``unit`` measures, as a key: two unit strings compare (see :func:`same_dimension`)
    exactly when their keys are equal. A string the table does not know is its own key.

    Example:
        >>> dimension_key("Mbbl/d") == dimension_key("kb/d"), dimension_key("widgets")
        (True, ('unit', 'widgets'))
    """
    parsed = _parse(unit) if isinstance(unit, str) else None
    return parsed.dimension if parsed is not None else ("unit", unit)


def same_dimension(a: str, b: str) -> bool:
    """Whether two unit strings measure the same thing (so that :func:`convert` can go from one
    to the other). Equal strings always do, even when the table does not know them; an unknown
    string otherwise matches nothing.

    Example:
        >>> same_dimension("Mbbl/d", "kb/d"), same_dimension("Mt", "bbl")
        (True, False)
    """
    return a == b or dimension_key(a) == dimension_key(b)


def convert(value: float, unit: str, to: str) -> float:
    """``value`` in ``unit``, expressed in ``to``: both must be of one dimension.

    Equal unit strings give the value back unchanged, whether the table knows them or not.

    Raises:
        UnitError: for an unknown unit, or units of different dimensions (which take an
            explicit factor: see :meth:`Quantity.to <chronology.quantity.Quantity.to>`).

    Example:
        >>> convert(940, "kb/d", "mb/d")
        0.94
    """
    if unit == to:
        return float(value)
    src, dst = parse_unit(unit), parse_unit(to)
    if src.dimension != dst.dimension:
        raise UnitError(
            f"cannot convert {unit!r} ({src.dimension}) to {to!r} ({dst.dimension}) without a "
            f"factor (how many {dst.base} one {src.base} makes)"
        )
    if src.scale >= dst.scale:  # multiply or divide by a ratio >= 1, exact for powers of ten
        return value * (src.scale / dst.scale)
    return value / (dst.scale / src.scale)


def units() -> tuple[str, ...]:
    """Every unit spelling the table knows, amounts first, then per-time rates, then the rest.

    Example:
        >>> "mb/d" in units(), "mt" in units()
        (True, False)
    """
    per = list(_PER)
    return (
        *_AMOUNTS,
        *(f"{a}/{p}" for a in _AMOUNTS for p in per),
        *_WHOLE,
    )
