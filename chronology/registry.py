"""The public registry: what the library knows about events and expectations, and how to teach
it more.

- **Event types.** Every event class is registered under its stable wire tag
  (:func:`chronology.events.event_type` does it); old payload versions are brought up to date by
  upcasters (:func:`register_upcaster`). Field names that the wire format or an exported record
  use for themselves (``type``, ``v``, ``position``, ``recorded_at``, ``event_id``, ``hash``)
  are refused at registration, naming the field: such a field would be dropped on export or
  break the hash chain.
- **Expectation kinds** (:func:`register_kind`): the events derived from one base class build
  one kind of expectation value (visits, trade flows, plans, figures, or yours), which
  ``view.of_kind(name)`` lists.
- **Fold handlers** (:func:`register_fold_handler`, :func:`fold_handler`): what an event of a
  class does to the expectation being built by the built-in projection.
- **Plugins** (:data:`PLUGIN_GROUP`, :func:`load_plugins`): installed packages declaring an
  entry point in the ``chronology.events`` group are imported the first time a tag nobody
  registered is met, so a chronicle holding their events reads once they are installed.

The built-in families register through the same functions as a user's.

Example:
    >>> from chronology.registry import event_class, expectation_kind, kinds_within
    >>> from chronology.registry import registered_tags
    >>> event_class("visit.announced").__name__
    'VisitAnnounced'
    >>> "trade.reported" in registered_tags()
    True
    >>> expectation_kind("visit").value.__name__
    'VisitExpectation'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any, Final, TypeAlias, TypeVar

import attrs

from chronology.errors import EventError, KindError, PluginError, UnknownEventTypeError

__all__ = [
    "COMMON_FIELDS",
    "PLUGIN_GROUP",
    "RECORD_KEYS",
    "RESERVED_FIELD_NAMES",
    "ExpectationKind",
    "FoldHandler",
    "FoldRule",
    "Upcaster",
    "check_tag",
    "event_class",
    "expectation_kind",
    "expectation_kinds",
    "find_event_class",
    "fold_handler",
    "fold_rules",
    "handler_of",
    "kind_of",
    "kinds_within",
    "load_plugins",
    "register_event_class",
    "register_fold_handler",
    "register_kind",
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
    """The class registered under ``tag``, or ``None`` if none is.

    The first time a tag is not registered, the installed plugins are loaded (see
    :func:`load_plugins`) and the tag is looked up again.

    Raises:
        PluginError: if a plugin loaded then fails to import, naming its entry point.
    """
    if not isinstance(tag, str):
        return None
    found = _EVENT_CLASSES.get(tag)
    if found is None and not _PLUGINS_SCANNED:
        load_plugins()
        found = _EVENT_CLASSES.get(tag)
    return found


def event_class(tag: str) -> type:
    """The class registered under ``tag`` (installed plugins included, see
    :func:`find_event_class`).

    Raises:
        UnknownEventTypeError: if no class owns the tag; the message says that no installed
            plugin provides it either.
        PluginError: if a plugin fails to load, naming its entry point.
    """
    found = find_event_class(tag)
    if found is None:
        known = ", ".join(sorted(_EVENT_CLASSES))
        raise UnknownEventTypeError(
            f"unknown event type {tag!r}; no installed plugin (entry point group "
            f"{PLUGIN_GROUP!r}) provides it; known: {known}"
        )
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


# -- expectation kinds and fold handlers ---------------------------------------------------------

#: A fold handler, ``handler(fields, event)``, updates ``fields`` (the fields of the expectation
#: being built, by name, ``status`` among them) from one event. A field no event set is left
#: out (the value class's default applies); ``subject``, ``sources``, ``first_known_at``,
#: ``updated_at`` and ``event_ids`` are kept by the fold itself.
FoldHandler: TypeAlias = Callable[[dict[str, Any], Any], None]

#: The fields every expectation value takes besides those its handlers set (the fold fills them).
COMMON_FIELDS: Final = frozenset(
    {"subject", "status", "partial", "sources", "first_known_at", "updated_at", "event_ids"}
)


@attrs.frozen(kw_only=True)
class ExpectationKind:
    """A kind of expectation the built-in projection folds (see :func:`register_kind`).

    Attributes:
        name: the kind's name, the value class's ``kind`` (``"visit"``, ``"sighting"``).
        events: the base class of its events: an event of a class derived from it (and folded
            by a handler) builds an expectation of this kind. When several kinds' bases are
            among an event class's bases, the nearest one decides (a visit is a plan).
        value: the frozen attrs class of its expectations, built from the fields its handlers
            set and :data:`COMMON_FIELDS`.
        past_due: the statuses a view derives once the window is over: stored status ->
            (the status shown, the name of the field holding the window). A visit announced
            and not held reads ``overdue`` once its ``window`` has ended.
    """

    name: str
    events: type
    value: type
    past_due: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)


#: Kinds by name, in order of registration; fold handlers by event class.
_KINDS: dict[str, ExpectationKind] = {}
_HANDLERS: dict[type, FoldHandler] = {}

#: What the fold does with an event class, that is its handler (``None`` if the built-in
#: projection leaves it out) and the kind it builds (``None`` if it only updates an
#: expectation that exists).
FoldRule: TypeAlias = tuple[FoldHandler | None, ExpectationKind | None]


class _FoldRules(dict[type, FoldRule]):
    """The fold rule of each event class met, resolved from its bases on first use, so the
    fold's lookup per event is a dict hit. Emptied by every registration."""

    def __missing__(self, cls: type) -> FoldRule:
        rule = self[cls] = (handler_of(cls), kind_of(cls))
        return rule


_RULES: Final = _FoldRules()


def register_kind(
    name: str,
    *,
    events: type,
    value: type,
    past_due: Mapping[str, tuple[str, str]] | None = None,
) -> ExpectationKind:
    """Teach the built-in projection a kind of expectation: events derived from ``events``
    build a ``value``.

    Registering the same kind again (same name, events and value) returns it unchanged.

    Args:
        name: the kind's name, dotted lowercase words; ``value.kind`` must equal it.
        events: the base class of the kind's events.
        value: a frozen attrs class taking :data:`COMMON_FIELDS` and the fields the kind's
            handlers set.
        past_due: see :attr:`ExpectationKind.past_due`.

    Returns:
        The kind registered.

    Raises:
        KindError: for a malformed name, a name or an event base another kind holds, or a
            value class that is not an attrs class, lacks a common field or whose ``kind``
            differs; the message says which.

    Example:
        >>> import attrs
        >>> from datetime import datetime
        >>> from typing import ClassVar
        >>> from chronology import Event, Source, Status
        >>> from chronology.registry import register_kind
        >>> class HarvestEvent(Event):
        ...     pass
        >>> @attrs.frozen(kw_only=True)
        ... class HarvestExpectation:
        ...     subject: str
        ...     status: Status
        ...     crop: str | None = None
        ...     sources: tuple[Source, ...] = ()
        ...     first_known_at: datetime
        ...     updated_at: datetime
        ...     event_ids: tuple[str, ...] = ()
        ...     partial: bool = False
        ...     kind: ClassVar[str] = "harvest"
        >>> register_kind("harvest", events=HarvestEvent, value=HarvestExpectation).name
        'harvest'
    """
    if not (isinstance(name, str) and _TAG.fullmatch(name)):
        raise KindError(f"expectation kind {name!r}: use dotted lowercase words, e.g. 'visit'")
    if not isinstance(events, type):
        raise KindError(f"expectation kind {name!r}: events must be a class, got {events!r}")
    if not (isinstance(value, type) and attrs.has(value)):
        raise KindError(f"expectation kind {name!r}: value must be an attrs class, got {value!r}")
    missing = sorted(COMMON_FIELDS - {f.name for f in attrs.fields(value)})
    if missing:
        raise KindError(
            f"expectation kind {name!r}: {value.__qualname__} lacks the field(s) "
            f"{', '.join(missing)} that every expectation has"
        )
    if getattr(value, "kind", None) != name:
        raise KindError(
            f"expectation kind {name!r}: {value.__qualname__}.kind must be {name!r} (a ClassVar)"
        )
    kind = ExpectationKind(name=name, events=events, value=value, past_due=dict(past_due or {}))
    existing = _KINDS.get(name)
    if existing is not None:
        if (existing.events, existing.value) == (events, value):
            return existing
        raise KindError(f"expectation kind {name!r} is already registered")
    for other in _KINDS.values():
        if other.events is events:
            raise KindError(
                f"expectation kind {name!r}: {events.__qualname__} already builds the kind "
                f"{other.name!r}"
            )
    _KINDS[name] = kind
    _RULES.clear()
    return kind


def expectation_kind(name: str) -> ExpectationKind:
    """The kind registered as ``name``.

    Raises:
        KindError: if no kind has that name, naming the kinds known.
    """
    try:
        return _KINDS[name]
    except (KeyError, TypeError):
        known = ", ".join(_KINDS)
        raise KindError(f"no expectation kind {name!r}; known: {known}") from None


def expectation_kinds() -> tuple[ExpectationKind, ...]:
    """Every registered kind, in order of registration."""
    return tuple(_KINDS.values())


def kinds_within(name: str) -> tuple[str, ...]:
    """The kind ``name`` and every kind whose events derive from its events, by name: a visit
    is a kind of plan, so ``kinds_within("plan")`` is ``("visit", "plan")``.

    Raises:
        KindError: if no kind has that name, naming the kinds known.

    Example:
        >>> kinds_within("figure")
        ('trade', 'figure')
    """
    base = expectation_kind(name).events
    return tuple(k.name for k in _KINDS.values() if issubclass(k.events, base))


def kind_of(event_class: type) -> ExpectationKind | None:
    """The kind events of ``event_class`` build: that of its nearest base with a kind."""
    by_base = {kind.events: kind for kind in _KINDS.values()}
    return next((by_base[c] for c in event_class.__mro__ if c in by_base), None)


def register_fold_handler(event_class: type, handler: FoldHandler) -> None:
    """Fold events of ``event_class`` (and of its subclasses without a handler of their own)
    with ``handler`` in the built-in projection; a later registration replaces it.

    An event of a class no kind's base covers only updates an expectation that exists.

    Raises:
        KindError: if ``event_class`` is not a class or ``handler`` is not callable.
    """
    if not isinstance(event_class, type):
        raise KindError(f"register_fold_handler: expected an event class, got {event_class!r}")
    if not callable(handler):
        raise KindError(f"{event_class.__qualname__}: the fold handler {handler!r} is not callable")
    _HANDLERS[event_class] = handler
    _RULES.clear()


E = TypeVar("E")


def fold_handler(
    event_class: type[E],
) -> Callable[[Callable[[dict[str, Any], E], None]], Callable[[dict[str, Any], E], None]]:
    """Decorator form of :func:`register_fold_handler`: the function is returned unchanged.

    Example:
        >>> from chronology import Event
        >>> from chronology.registry import fold_handler
        >>> class HarvestDone(Event):
        ...     pass
        >>> @fold_handler(HarvestDone)
        ... def harvested(fields, event):
        ...     fields["status"] = "occurred"
    """

    def register(
        handler: Callable[[dict[str, Any], E], None],
    ) -> Callable[[dict[str, Any], E], None]:
        register_fold_handler(event_class, handler)
        return handler

    return register


def handler_of(event_class: type) -> FoldHandler | None:
    """The fold handler of ``event_class``: its own, else its nearest base's, else ``None``."""
    return next((_HANDLERS[c] for c in event_class.__mro__ if c in _HANDLERS), None)


def fold_rules() -> Mapping[type, FoldRule]:
    """The fold rule (handler, kind) of every event class, as a live mapping the fold reads
    once per event: a class not met yet is resolved on lookup, and registrations empty it."""
    return _RULES


# -- plugins -------------------------------------------------------------------------------------

#: The entry-point group of plugins. Each entry point names a module whose import registers
#: event types, kinds and fold handlers; in the plugin's ``pyproject.toml``::
#:
#:     [project.entry-points."chronology.events"]
#:     sightings = "chronology_sightings"
PLUGIN_GROUP: Final = "chronology.events"

#: Whether the installed plugins were looked for; the entry points loaded, as "name = value".
_PLUGINS_SCANNED = False
_PLUGINS_LOADED: set[str] = set()


def load_plugins() -> tuple[str, ...]:
    """Import the installed plugins (entry points of :data:`PLUGIN_GROUP`) not imported yet.

    The registry calls it the first time a tag is not registered, and the ``chronology``
    command at start; call it yourself to register every plugin up front.

    Returns:
        The names of the entry points this call loaded.

    Raises:
        PluginError: naming the entry point whose import failed and the error it raised (the
            other plugins stay loaded; a later call tries the failed one again).
    """
    global _PLUGINS_SCANNED
    _PLUGINS_SCANNED = True
    loaded: list[str] = []
    for entry in metadata.entry_points(group=PLUGIN_GROUP):
        key = f"{entry.name} = {entry.value}"
        if key in _PLUGINS_LOADED:
            continue
        try:
            entry.load()
        except Exception as exc:  # a broken plugin: say which, whatever it raised
            raise PluginError(
                f"the chronology plugin {key!r} (entry point group {PLUGIN_GROUP!r}) failed "
                f"to load: {type(exc).__name__}: {exc}"
            ) from exc
        _PLUGINS_LOADED.add(key)
        loaded.append(entry.name)
    return tuple(loaded)
