"""Values that events hold: where a statement comes from (:class:`Source`), how sure it
sounded (:class:`~chronology.hedges.Likelihood`, defined in :mod:`chronology.hedges`) and
figures (:class:`~chronology.quantity.Quantity`, defined in :mod:`chronology.quantity`); both
are re-exported here.

``Source(name)`` alone gives one shared object per name, kept in :data:`SHARED_SOURCES`, the
library's one intern table of sources: a log repeats a handful of outlets, so a million events
hold a handful of ``Source`` objects, and reading a stored event hands out the same one.

Example:
    >>> Source("Reuters") is Source("Reuters")
    True
    >>> print(Source("Bloomberg", via=(Source("Kpler", kind="data"),)))
    Bloomberg via Kpler
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from chronology._checks import converter, got, optional_text, required_text, sequence, where
from chronology._fastinit import passes, speed_up_init
from chronology.errors import EventError
from chronology.hedges import Likelihood
from chronology.quantity import Quantity
from chronology.time import to_instant

__all__ = [
    "MAX_VIA_DEPTH",
    "SHARED_SOURCES",
    "SHARED_SOURCES_MAX",
    "Likelihood",
    "Quantity",
    "Source",
]

_text = required_text()
_opt_text = optional_text()


def _optional_instant(value: datetime | date | str | None, instance: Any, field: Any) -> Any:
    return None if value is None else to_instant(value, field=where(instance, field))


passes(_optional_instant, "v is None")


#: The most levels of ``via`` a source may have (a source quoting one that quotes another, and
#: so on). A chain of quotation is a few links long; a deeper one is a mistake, and one deep
#: enough would be stored but could not be read back.
MAX_VIA_DEPTH: Final[int] = 16


def _sources(value: Iterable[Source | str], instance: Any, field: Any) -> tuple[Source, ...]:
    if value.__class__ is tuple and not value:  # the default, and the most common value
        return ()
    label = where(instance, field)
    if isinstance(value, Source):
        raise EventError(f"{label}: expected a sequence of sources, got the single source {value}")
    out = []
    for i, item in enumerate(sequence(value, label, "sources or names")):
        if isinstance(item, Source):
            out.append(item)
        elif isinstance(item, str):
            try:
                out.append(Source(item))
            except EventError as exc:
                raise EventError(f"{label}[{i}]: {exc}") from None
        else:
            raise EventError(f"{label}[{i}]: expected a Source or a name, got {got(item)}")
    sources = tuple(out)
    # The levels of via below this source, counted breadth-first and only as far as the bound.
    level, nested = 1, sources
    while nested:
        nested = tuple({id(v): v for s in nested for v in s.via}.values())
        if nested:
            level += 1
            if level > MAX_VIA_DEPTH:
                raise EventError(
                    f"{label}: sources nested more than {MAX_VIA_DEPTH} levels deep "
                    "(a via of a via ...); at most that many are kept"
                )
    return sources


passes(_sources, "v.__class__ is tuple and not v")

if TYPE_CHECKING:

    def _via_field(value: Iterable[Source | str]) -> tuple[Source, ...]: ...
    def _published_at_field(value: datetime | date | str | None) -> datetime | None: ...

else:
    _via_field = converter(_sources)
    _published_at_field = converter(_optional_instant)


class _SharedByName(type):
    """The metaclass of :class:`Source`: ``Source(name)`` alone gives one shared object.

    Sources are frozen values and a log repeats a few outlets over and over, so a million
    events hold a handful of ``Source`` objects, not a million. Anything else (other
    arguments, subclasses) is made as usual.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and cls is Source:
            name = args[0]
            shared = SHARED_SOURCES.get(name) if name.__class__ is str else None
            if shared is not None:
                return shared
            made = super().__call__(name)  # validates: a refused name is not kept
            if name.__class__ is str and name.strip():  # (even with validators disabled)
                if len(SHARED_SOURCES) >= SHARED_SOURCES_MAX:
                    SHARED_SOURCES.clear()
                SHARED_SOURCES[name] = made
            return made
        return super().__call__(*args, **kwargs)


@attrs.frozen
class Source(metaclass=_SharedByName):
    """Where a statement comes from.

    Args:
        name: the outlet or body that published it ("Reuters", "Russian MFA").
        kind: what sort of source it is ("news", "statement", "data", ...).
        speaker: who said it, when a person did.
        title: the headline or document title.
        url: where it can be read.
        published_at: when it was published.
        via: the chain it came through, nearest first: an outlet quoting a data vendor is
            ``Source("Bloomberg", via=(Source("Kpler", kind="data"),))``. Strings are accepted
            as names; a list or a tuple, not a set (its order would change the event's id);
            at most :data:`MAX_VIA_DEPTH` levels deep.

    Raises:
        EventError: for a field of the wrong type, text holding a lone surrogate, or sources
            nested too deep; the message names ``Source.field``.

    ``Source(name)`` with nothing else gives the same object each time for the same name
    (sources are frozen values; compare them with ``==`` as always).
    """

    name: str = attrs.field(validator=_text)
    kind: str | None = attrs.field(default=None, kw_only=True, validator=_opt_text)
    speaker: str | None = attrs.field(default=None, kw_only=True, validator=_opt_text)
    title: str | None = attrs.field(default=None, kw_only=True, validator=_opt_text)
    url: str | None = attrs.field(default=None, kw_only=True, validator=_opt_text)
    published_at: datetime | None = attrs.field(
        default=None, kw_only=True, converter=_published_at_field
    )
    via: tuple[Source, ...] = attrs.field(default=(), kw_only=True, converter=_via_field)

    def __str__(self) -> str:
        chain = "".join(f" via {s}" for s in self.via)
        return f"{self.name}{chain}"


#: The one intern table of sources, that is the sources made from a name alone
#: (``Source(name)``), by name. Building or reading a name-only source returns the one kept
#: here; the table is cleared when it reaches :data:`SHARED_SOURCES_MAX` names.
SHARED_SOURCES: Final[dict[str, Source]] = {}
#: The most names :data:`SHARED_SOURCES` keeps before it starts again.
SHARED_SOURCES_MAX: Final = 4096


speed_up_init(Source)
