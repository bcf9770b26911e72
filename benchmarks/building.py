"""Building each built-in event type on its own: from typed values and from payload dicts.

``build.typed (<tag>)`` calls the class with values already of their types (an instant, a
:class:`~chronology.time.Window`, a :class:`~chronology.values.Source`, ...): the cost of the
event's own ``__init__`` (conversions skipped, checks run). ``build.dict (<tag>)`` reads the
event's wire form with :func:`~chronology.serialization.event_from_dict`, the strict reader
of ``import_jsonl`` and ``verify()``: it parses the instants and builds the windows, sources
and quantities too. Chronology alone: the reference has no event types to compare with.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from benchmarks.timing import Result, interleaved
from chronology import Likelihood, Quantity, Source, Window
from chronology.events import Event, event_class, registered_tags
from chronology.serialization import event_from_dict, event_to_dict

_AT = datetime(2024, 4, 3, 9, 30, tzinfo=UTC)
_WINDOW = Window(_AT + timedelta(days=5), _AT + timedelta(days=7))

#: A typical value of each field type of the built-in events.
_VALUES: dict[Any, Any] = {
    str: "Sergei Lavrov",
    datetime: _AT,
    Source: Source("Reuters"),
    Window: _WINDOW,
    Quantity: Quantity(1_700_000.0, "bbl/d"),
    Likelihood: Likelihood.PROBABLE,
    float: 0.75,
    bool: True,
    tuple[str, ...]: ("SCO", "BRICS"),
}


def typed_values(cls: type[Event]) -> dict[str, Any]:
    """Keyword arguments giving every field of ``cls`` a typical value of its type."""
    out: dict[str, Any] = {}
    for f in attrs.fields(attrs.resolve_types(cls)):
        tp = f.type
        args = getattr(tp, "__args__", ())
        if isinstance(tp, types.UnionType) and type(None) in args:
            tp = next(a for a in args if a is not type(None))
        out[f.alias] = _VALUES[tp]
    out["subject"] = "visit/lavrov-china-2024-04"
    return out


def built_in() -> list[type[Event]]:
    """The built-in event classes, by tag."""
    return [event_class(tag) for tag in sorted(registered_tags()) if not tag.startswith("test.")]


def by_type(count: int, times: int) -> list[Result]:
    """``count`` events of each built-in type, built from typed values and from their wire
    form, ``times`` runs each (in turns)."""
    out: list[Result] = []
    for cls in built_in():
        kwargs = typed_values(cls)
        wire = event_to_dict(cls(**kwargs))

        def typed(cls: type[Event] = cls, kwargs: dict[str, Any] = kwargs) -> Callable[[], Any]:
            return lambda: [cls(**kwargs) for _ in range(count)]

        def from_dict(wire: dict[str, Any] = wire) -> Callable[[], Any]:
            return lambda: [event_from_dict(wire) for _ in range(count)]

        runs = interleaved({"typed": typed, "dict": from_dict}, times)
        for how, seconds in runs.items():
            out.append(
                Result(
                    f"build.{how} ({cls.tag})",
                    "chronology",
                    count,
                    "events/s",
                    [count / s for s in seconds],
                    note="every field given" if how == "typed" else "event_from_dict",
                )
            )
    return out
