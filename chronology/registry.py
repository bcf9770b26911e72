"""The public registry: what the library knows about event types, and how to teach it more.

Every event class is registered under its stable wire tag (:func:`chronology.events.event_type`
does it); old payload versions are brought up to date by upcasters (:func:`register_upcaster`).
Field names that the wire format or an exported record use for themselves (``type``, ``v``,
``position``, ``recorded_at``, ``event_id``, ``hash``) are refused at registration, naming the
field: such a field would be dropped on export or break the hash chain.

Example:
    >>> from chronology.registry import event_class, registered_tags
    >>> event_class("visit.announced").__name__
    'VisitAnnounced'
    >>> "trade.reported" in registered_tags()
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import attrs

from chronology.errors import EventError, UnknownEventTypeError

__all__ = [
    "RECORD_KEYS",
    "RESERVED_FIELD_NAMES",
    "Upcaster",
    "check_tag",
    "event_class",
    "find_event_class",
    "register_event_class",
    "register_upcaster",
    "registered_tags",
    "upcaster",
]

#: Keys of an exported record that are not part of the event itself.
RECORD_KEYS: Final = frozenset({"position", "recorded_at", "event_id", "hash"})

#: Field names an event class may not have, that is the keys of an exported record, the
#: tag's key (``type``) and the payload version's (``v``).
RESERVED_FIELD_NAMES: Final = RECORD_KEYS | {"type", "v"}

#: A function turning a payload (without ``type`` and ``v``) of one version into the next.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_TAG: Final = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")

#: The registry's tables: event classes by tag, upcasters by (tag, version they read).
_EVENT_CLASSES: dict[str, type] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def check_tag(tag: object) -> None:
    """Refuse a malformed wire tag: a tag is dotted lowercase words, e.g. ``visit.announced``.

    Raises:
        EventError: naming the tag.
    """
    if not isinstance(tag, str) or not _TAG.fullmatch(tag):
        raise EventError(f"event tag {tag!r}: use dotted lowercase words, e.g. 'visit.announced'")


def register_event_class(tag: str, cls: type) -> None:
    """Register the attrs class ``cls`` under the wire ``tag``.

    Most code uses the :func:`chronology.events.event_type` decorator, which calls this.
    Registering the same class again under its tag does nothing.

    Raises:
        EventError: for a malformed tag, a tag already registered to another class, or a
            field whose name is reserved (see :data:`RESERVED_FIELD_NAMES`); the message names
            the tag or the field.
    """
    check_tag(tag)
    if not (isinstance(cls, type) and attrs.has(cls)):
        raise EventError(f"{cls!r} must be an attrs class derived from chronology Event")
    existing = _EVENT_CLASSES.get(tag)
    if existing is not None and existing is not cls:
        raise EventError(f"event tag {tag!r} is already registered to {existing.__qualname__}")
    for field in attrs.fields(cls):
        if field.name in RESERVED_FIELD_NAMES or field.alias in RESERVED_FIELD_NAMES:
            raise EventError(
                f"{cls.__qualname__}.{field.name}: the field name {field.name!r} is reserved by "
                f"the wire format ({', '.join(sorted(RESERVED_FIELD_NAMES))}); rename the field"
            )
    _EVENT_CLASSES[tag] = cls


def find_event_class(tag: object) -> type | None:
    """The class registered under ``tag``, or ``None`` if none is."""
    return _EVENT_CLASSES.get(tag) if isinstance(tag, str) else None


def event_class(tag: str) -> type:
    """The class registered under ``tag``.

    Raises:
        UnknownEventTypeError: if no class owns the tag.
    """
    found = find_event_class(tag)
    if found is None:
        known = ", ".join(sorted(_EVENT_CLASSES))
        raise UnknownEventTypeError(f"unknown event type {tag!r}; known: {known}")
    return found


def registered_tags() -> tuple[str, ...]:
    """Every registered tag, sorted."""
    return tuple(sorted(_EVENT_CLASSES))


def register_upcaster(tag: str, from_version: int, upcast: Upcaster) -> None:
    """Register a function that turns a ``tag`` payload of ``from_version`` into the next one.

    Payloads are upcast step by step until they reach the class's current ``version``.
    The function receives the payload without ``"type"`` and ``"v"`` and returns the new one.
    """
    _UPCASTERS[(tag, from_version)] = upcast


def upcaster(tag: str, from_version: int) -> Upcaster | None:
    """The upcaster registered for ``tag`` payloads of ``from_version``, if any."""
    return _UPCASTERS.get((tag, from_version))
