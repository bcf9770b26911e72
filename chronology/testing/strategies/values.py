"""Strategies for the values events carry: text, quantities, hedges, sources and event ids.

Text is mostly names from the seed case (Latin, Cyrillic and Chinese script), sometimes arbitrary
Unicode; quantities use the usual oil units and their spellings, sometimes with bounds; sources
nest through ``via``.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from hypothesis import strategies as st

from chronology.hedges import Likelihood
from chronology.quantity import Quantity
from chronology.testing.strategies.times import instants
from chronology.values import Source

__all__ = [
    "event_ids",
    "likelihoods",
    "optional_texts",
    "probabilities",
    "quantities",
    "sources",
    "texts",
]

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
