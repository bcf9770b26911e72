"""Checks of field values shared by events, :class:`~chronology.values.Source`,
:class:`~chronology.events.Quantity` and :class:`~chronology.time.Window`.

Each check refuses a bad value with a :class:`~chronology.errors.ChronologyError` naming the
class, the field and what was expected, e.g. ``VisitAnnounced.agenda[1]: expected a string, got
3 (int)``. Validators learn the class and field from attrs; converters are wrapped in
:func:`converter` so that attrs passes them the instance and the field too.

Every check registers the one-line test that :mod:`chronology._fastinit` runs first (see
:func:`~chronology._fastinit.passes`): events are built in bulk, so a good value costs a type
test or two, and only a value that fails it pays for the full check and its message.

Strings are refused when they hold a lone surrogate (``"\\udcff"``): such a string cannot be
encoded as UTF-8, so an event holding one could be built but never stored.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping, Set
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from chronology._fastinit import passes
from chronology.errors import ChronologyError, EventError

__all__ = [
    "boolean",
    "converter",
    "find_surrogate",
    "finite",
    "got",
    "instance_of",
    "optional_instance_of",
    "optional_text",
    "probability",
    "required_text",
    "sequence",
    "show",
    "strings",
    "unordered",
    "where",
]

T = TypeVar("T")
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

#: A lone surrogate: a code point in U+D800..U+DFFF, which UTF-8 cannot encode.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
#: An integer this long (in bits) is shown by its size, not its digits: ``repr`` refuses
#: integers of more than 4,300 digits, and an error message has no use for them.
_SHOWN_BITS: Final = 256


class _Short(reprlib.Repr):
    """``repr`` cut short: long strings, deep or long containers and huge integers abridged."""

    def repr_int(self, x: Any, level: int) -> str:
        if isinstance(x, int) and x.bit_length() > _SHOWN_BITS:
            return f"<an integer of {x.bit_length()} bits>"
        return super().repr_int(x, level)


_SHORT: Final = _Short()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlevel = 3


def show(value: object) -> str:
    """A short ``repr`` of ``value`` for an error message: it never fails, never runs long.

    Example:
        >>> show("x" * 100)
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
        >>> show(10**5000)
        '<an integer of 16610 bits>'
    """
    try:
        return _SHORT.repr(value)
    except Exception:  # a broken __repr__ inside a container, say
        return f"<a {type(value).__name__}>"


def got(value: object) -> str:
    """``show(value)`` and its type, as error messages end: ``'x' (str)``."""
    return f"{show(value)} ({type(value).__name__})"


def where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """``Class.field``: where a refused value was given."""
    return f"{type(instance).__name__}.{attribute.name}"


def find_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text``, or ``None`` if it has none."""
    if text.isascii():
        return None
    m = _SURROGATE.search(text)
    return None if m is None else m.start()


def _surrogate_message(text: str, index: int) -> str:
    return (
        f"{show(text)} holds a lone surrogate ({text[index]!r} at index {index}), "
        "which UTF-8 cannot encode"
    )


def _check_text(
    value: Any, label: str, error: type[ChronologyError], expected: str = "a string"
) -> None:
    """Refuse ``value`` unless it is a string UTF-8 can encode (and non-blank, when
    ``expected`` says so)."""
    if not isinstance(value, str) or (expected == _NON_EMPTY and not value.strip()):
        raise error(f"{label}: expected {expected}, got {got(value)}")
    index = find_surrogate(value)
    if index is not None:
        raise error(f"{label}: {_surrogate_message(value, index)}")


_NON_EMPTY: Final = "a non-empty string"
_CLEAN: Final = "(v.isascii() or _surrogate(v) is None)"
_NAMES: Final = {"_surrogate": _SURROGATE.search}


def required_text(error: type[ChronologyError] = EventError) -> Validator:
    """A validator: a non-blank string. ``error`` is the class of the refusal."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _check_text(value, where(instance, attribute), error, _NON_EMPTY)

    passes(check, f"v.__class__ is str and v.strip() and {_CLEAN}", **_NAMES)
    return check


def optional_text(error: type[ChronologyError] = EventError) -> Validator:
    """A validator: ``None`` or a string (blank ones too)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            _check_text(value, where(instance, attribute), error, "a string or None")

    passes(check, f"v is None or (v.__class__ is str and {_CLEAN})", **_NAMES)
    return check


def boolean(error: type[ChronologyError] = EventError) -> Validator:
    """A validator: ``True`` or ``False`` (not 0, 1 or another truthy value)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is not bool:
            raise error(f"{where(instance, attribute)}: expected true or false, got {got(value)}")

    passes(check, "v.__class__ is bool")
    return check


def probability(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A validator: ``None`` or a number in [0, 1] (not a boolean, not NaN)."""
    if value is None:
        return
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not (0.0 <= number <= 1.0):  # NaN compares false
        raise EventError(
            f"{where(instance, attribute)}: expected a probability in [0, 1], got {got(value)}"
        )


passes(probability, "v is None or (v.__class__ is float and 0.0 <= v <= 1.0)")


def instance_of(kind: type, label: str) -> Validator:
    """A validator: an instance of ``kind`` (``label`` says what that is, e.g. "a Quantity")."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, kind):
            raise EventError(f"{where(instance, attribute)}: expected {label}, got {got(value)}")

    name = f"_{kind.__name__}"
    passes(check, f"v.__class__ is {name}", **{name: kind})
    return check


def optional_instance_of(kind: type, label: str) -> Validator:
    """A validator: ``None`` or an instance of ``kind``."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not isinstance(value, kind):
            raise EventError(
                f"{where(instance, attribute)}: expected {label} or None, got {got(value)}"
            )

    name = f"_{kind.__name__}"
    passes(check, f"v is None or v.__class__ is {name}", **{name: kind})
    return check


def converter(function: Callable[[Any, Any, attrs.Attribute[Any]], T]) -> Any:
    """``function(value, instance, attribute)`` as an attrs converter (it is given the
    instance and the field, to name them when it refuses a value)."""
    return attrs.Converter(function, takes_self=True, takes_field=True)


def unordered(value: object) -> bool:
    """Whether ``value`` is a collection without an order of its own (a set, a mapping)."""
    return isinstance(value, Set | Mapping)


def sequence(value: Any, label: str, items: str) -> tuple[Any, ...]:
    """``tuple(value)``, refusing a string, a set or a mapping (no order: the event's id would
    depend on the process's hash seed) and anything that is not iterable."""
    if isinstance(value, str | bytes):
        raise EventError(
            f"{label}: expected a sequence of {items}, got the single string {show(value)}"
        )
    if unordered(value):
        raise EventError(
            f"{label}: expected a sequence of {items} (a list or a tuple), got {got(value)}: "
            "it has no order of its own, so the event's id would differ from one process "
            "to the next"
        )
    if not isinstance(value, Iterable):
        raise EventError(f"{label}: expected a sequence of {items}, got {got(value)}")
    return tuple(value)


def _strings(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> tuple[str, ...]:
    """Tuple-of-strings fields: any ordered sequence of strings, but not a string or a set."""
    kind = value.__class__
    if kind is tuple or kind is list:  # the common case, checked without a call per item
        search = _SURROGATE.search
        for item in value:
            if item.__class__ is not str or not (item.isascii() or search(item) is None):
                break
        else:
            return value if kind is tuple else tuple(value)
    label = where(instance, attribute)
    out = sequence(value, label, "strings")
    for i, item in enumerate(out):
        _check_text(item, f"{label}[{i}]", EventError)
    return out


passes(_strings, "v.__class__ is tuple and not v")

if TYPE_CHECKING:  # what attrs' mypy plugin understands: the type of the argument __init__ takes

    def strings(value: Iterable[str]) -> tuple[str, ...]:
        """Converter of tuple-of-strings fields."""

else:
    strings = converter(_strings)


def finite(value: Any) -> bool:
    """Whether ``value`` is an int or a float (not a bool) whose float is finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False
