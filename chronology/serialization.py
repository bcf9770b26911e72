"""The one converter between events and their wire form.

An event's wire form is a JSON object: its fields, with its tag under ``"type"``, instants as
ISO 8601 strings in UTC, and fields equal to their default left out (so adding an optional field
to an event type does not change the identity of events already recorded). The *canonical*
form (sorted keys, no spaces) is what ``event_id`` and the hash chain are computed from.

Old payloads are brought up to date by upcasters (:func:`register_upcaster`): a payload carries
its version under ``"v"`` when it is not 1.
"""

from __future__ import annotations

import hashlib
import json
import types
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from json.scanner import make_scanner
from typing import Any, Final

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_unstructure_fn

from chronology._checks import finite, show
from chronology._codecs import (
    DIGITS3,
    ENCODER,
    WRITERS,
    Writer,
    instant_text,
    quantity_dict,
    read_event,
    writer_for,
)
from chronology.errors import ChronologyError, EventError, TimeError, UnknownEventTypeError
from chronology.events import Event, Likelihood, Quantity, Source, event_class
from chronology.registry import RECORD_KEYS, Upcaster, register_upcaster, upcaster
from chronology.time import Window, to_instant
from chronology.values import SHARED_SOURCES

__all__ = [
    "DIGITS3",
    "RECORD_KEYS",
    "Upcaster",
    "Writer",
    "canonical_json",
    "converter",
    "event_from_dict",
    "event_from_payload",
    "event_id_of",
    "event_ids_of",
    "event_to_dict",
    "instant_text",
    "payload_of",
    "register_upcaster",
    "writer_for",
]

#: The converter. Hooks for time types are registered before any class hooks are built,
#: because cattrs captures hooks when it generates a class's functions.
converter: Final = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _structure_instant(value: Any, _: type) -> datetime:
    if isinstance(value, str):
        return to_instant(value)
    raise TimeError(f"expected an ISO 8601 string, got {show(value)}")


def _strict(kind: type, label: str) -> Callable[[Any, type], Any]:
    def hook(value: Any, _: type) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise EventError(f"expected {label}, got {show(value)}")
        if not isinstance(value, kind):
            raise EventError(f"expected {label}, got {show(value)}")
        return value

    return hook


def _structure_float(value: Any, _: type) -> float:
    if not finite(value):
        raise EventError(f"expected a finite number, got {show(value)}")
    return float(value)


def _structure_strings(value: Any, _: type) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise EventError(f"expected a list of strings, got {show(value)}")
    for item in value:
        if not isinstance(item, str):
            raise EventError(f"expected a list of strings, got item {show(item)}")
    return tuple(value)


def _unstructure_window(w: Window) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if w.start is not None:
        out["start"] = instant_text(w.start)
    if w.end is not None:
        out["end"] = instant_text(w.end)
    if w.label is not None:
        out["label"] = w.label
    if w.approximate:
        out["approximate"] = True
    if w.uncertain:
        out["uncertain"] = True
    return out


def _structure_window(value: Any, _: type) -> Window:
    if isinstance(value, str):
        return Window.parse(value)
    if not isinstance(value, dict):
        raise EventError(f"expected an EDTF string or a window object, got {show(value)}")
    extra = set(value) - {"start", "end", "label", "approximate", "uncertain"}
    if extra:
        raise EventError(f"unknown window keys: {', '.join(sorted(extra))}")
    for key in ("start", "end"):
        if value.get(key) is not None and not isinstance(value[key], str):
            raise EventError(f"window {key}: expected an ISO 8601 string, got {show(value[key])}")
    for key in ("approximate", "uncertain"):
        if not isinstance(value.get(key, False), bool):
            raise EventError(f"window {key}: expected true or false, got {show(value[key])}")
    label = value.get("label")
    if label is not None and not isinstance(label, str):
        raise EventError(f"window label: expected a string, got {show(label)}")
    return Window(
        start=value.get("start"),
        end=value.get("end"),
        label=label,
        approximate=value.get("approximate", False),
        uncertain=value.get("uncertain", False),
    )


#: The keys a quantity's JSON may have; ``value`` and ``unit`` are required.
_QUANTITY_KEYS: Final = frozenset({"value", "unit", "low", "high", "approximate"})


def _structure_quantity(value: Any, _: type) -> Quantity:
    if isinstance(value, list | tuple) and len(value) == 2:
        return Quantity(value[0], value[1])
    if (
        not isinstance(value, dict)
        or not _QUANTITY_KEYS.issuperset(value)
        or not {"value", "unit"}.issubset(value)
    ):
        raise EventError(
            "expected a quantity {'value': number, 'unit': string} (optionally with 'low', "
            f"'high', 'approximate'), got {show(value)}"
        )
    get = value.get
    return Quantity(
        value["value"], value["unit"], get("low"), get("high"), get("approximate", False)
    )


def _structure_source(value: Any, _: type) -> Source:
    if isinstance(value, str):
        return Source(value)
    if not isinstance(value, dict):
        raise EventError(f"expected a source object or name, got {show(value)}")
    name = value.get("name")
    if len(value) == 1 and name.__class__ is str:  # a name alone: most sources
        shared = SHARED_SOURCES.get(name)  # the shared value of that name, if known
        if shared is not None:
            return shared
    return _structure_source_fields(value, Source)


def _structure_sources(value: Any, _: type) -> tuple[Source, ...]:
    if not isinstance(value, list | tuple):
        raise EventError(f"expected a list of sources, got {show(value)}")
    return tuple(_structure_source(v, Source) for v in value)


def _structure_likelihood(value: Any, _: type) -> Likelihood:
    try:
        return Likelihood(value)
    except ValueError:
        raise EventError(
            f"expected one of {', '.join(m.value for m in Likelihood)}, got {show(value)}"
        ) from None


converter.register_unstructure_hook(datetime, instant_text)
converter.register_structure_hook(datetime, _structure_instant)
_structure_str = _strict(str, "a string")
_structure_bool = _strict(bool, "true or false")
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_strings)
converter.register_unstructure_hook(Window, _unstructure_window)
converter.register_structure_hook(Window, _structure_window)
converter.register_unstructure_hook(Quantity, quantity_dict)
converter.register_structure_hook(Quantity, _structure_quantity)
converter.register_structure_hook(Likelihood, _structure_likelihood)
converter.register_unstructure_hook(Likelihood, lambda v: v.value)
converter.register_unstructure_hook(
    Source, make_dict_unstructure_fn(Source, converter, _cattrs_omit_if_default=True)
)
_structure_source_fields = converter.gen_structure_attrs_fromdict(Source)
converter.register_structure_hook(Source, _structure_source)
converter.register_structure_hook_func(lambda t: t == tuple[Source, ...], _structure_sources)


# -- the strict reader's fast path ----------------------------------------------------------------
# cattrs' generated, detailed-validation functions cost several times what the hooks above and
# the event's own checks do. An event class whose fields all have one of these types is read
# by calling the same hooks field by field and then the class; if anything goes wrong, the
# converter reads the payload again, to raise its error naming the field (or to read it, should
# it accept what this path refused). Both paths call the same hooks and the same ``__init__``,
# so an event either path reads is the same event.

#: The hook of each field type the fast path reads.
_FIELD_HOOKS: Final[dict[Any, Callable[[Any, Any], Any]]] = {
    str: _structure_str,
    bool: _structure_bool,
    float: _structure_float,
    datetime: _structure_instant,
    Window: _structure_window,
    Quantity: _structure_quantity,
    Likelihood: _structure_likelihood,
    Source: _structure_source,
    tuple[str, ...]: _structure_strings,
    tuple[Source, ...]: _structure_sources,
}

#: The types whose hook returns a value of exactly that type as it is.
_AS_IS: Final = frozenset({str, bool})

#: How the fast path reads one field: (key, keyword, required, optional, the type, its hook).
_FieldRead = tuple[str, str, bool, bool, Any, Callable[[Any, Any], Any]]


def _field_reads(cls: type) -> tuple[frozenset[str], tuple[_FieldRead, ...]] | None:
    """The keys ``cls`` allows and how to read each of its fields, or ``None`` if a field has
    a type the fast path leaves to the converter."""
    try:
        fields = attrs.fields(attrs.resolve_types(cls))
    except (TypeError, NameError, attrs.exceptions.NotAnAttrsClassError):
        return None
    reads: list[_FieldRead] = []
    for f in fields:
        if not f.init:
            return None
        tp, optional = f.type, False
        args = getattr(tp, "__args__", ())
        if isinstance(tp, types.UnionType) and len(args) == 2 and type(None) in args:
            tp, optional = next(a for a in args if a is not type(None)), True
        hook = _FIELD_HOOKS.get(tp)
        if hook is None:
            return None
        reads.append((f.name, f.alias, f.default is attrs.NOTHING, optional, tp, hook))
    return frozenset(f.name for f in fields), tuple(reads)


#: The fast path's plan of each event class read so far (``None``: the converter reads it).
_PLANS: dict[type, tuple[frozenset[str], tuple[_FieldRead, ...]] | None] = {}


def _read_fast(cls: type[Event], body: dict[str, Any]) -> Event | None:
    """The event ``body`` describes, read through the hooks; ``None`` if the fast path does
    not read this class. Raises whatever the hooks or the class raise."""
    plan = _PLANS.get(cls, _UNPLANNED)
    if plan is _UNPLANNED:
        plan = _PLANS[cls] = _field_reads(cls)
    if plan is None:
        return None
    allowed, reads = plan
    if not allowed.issuperset(body):
        raise EventError("unknown field")  # the converter names them
    kwargs: dict[str, Any] = {}
    for key, keyword, required, optional, tp, hook in reads:
        if key in body:
            v = body[key]
            if v.__class__ is tp and tp in _AS_IS:
                kwargs[keyword] = v  # what the hook returns for it
            else:
                kwargs[keyword] = None if optional and v is None else hook(v, tp)
        elif required:
            raise KeyError(key)
    event: Event = cls(**kwargs)
    return event


_UNPLANNED: Final[Any] = object()

_UNSTRUCTURERS: dict[type[Event], Callable[[Event], dict[str, Any]]] = {}


def _unstructurer(cls: type[Event]) -> Callable[[Event], dict[str, Any]]:
    fn = _UNSTRUCTURERS.get(cls)
    if fn is None:
        fn = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)
        _UNSTRUCTURERS[cls] = fn
    return fn


def event_to_dict(event: Event) -> dict[str, Any]:
    """The wire form of an event: its tag under ``"type"``, then its non-default fields.

    Example:
        >>> from chronology.events import VisitCancelled
        >>> event_to_dict(VisitCancelled(subject="v/1", known_at="2024-04-05T00:00:00Z"))
        {'type': 'visit.cancelled', 'subject': 'v/1', 'known_at': '2024-04-05T00:00:00+00:00'}
    """
    cls = type(event)
    if not cls.tag:
        raise EventError(f"{cls.__qualname__} has no tag: register it with @event_type(...)")
    body = _unstructurer(cls)(event)
    out: dict[str, Any] = {"type": cls.tag}
    if cls.version != 1:
        out["v"] = cls.version
    out.update(body)
    return out


def canonical_json(data: Mapping[str, Any]) -> str:
    """The canonical JSON text of a mapping: sorted keys, no insignificant spaces, UTF-8."""
    return ENCODER.encode(data)


def event_id_of(canonical: str) -> str:
    """The ``event_id`` of an event from its canonical JSON: 32 hex digits of its SHA-256."""
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def event_ids_of(canonicals: Iterable[str]) -> list[str]:
    """:func:`event_id_of` of each canonical JSON text, in order (no call a text: bulk paths
    make one for every event)."""
    sha256 = hashlib.sha256
    return [sha256(c.encode()).hexdigest()[:32] for c in canonicals]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClassValidationError):
        return "; ".join(cattrs.transform_error(exc, path="event", format_exception=_format))
    return str(exc)


def _format(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, ChronologyError | ValueError | TypeError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Build an event from its wire form, upcasting old payload versions.

    Keys of an exported record (``position``, ``recorded_at``, ``event_id``, ``hash``) are
    ignored, so both exported records and hand-written event lines are accepted.

    Raises:
        UnknownEventTypeError: if ``"type"`` is missing or names no registered class.
        EventError: if a field is missing, unknown or invalid; the message names it.
    """
    if data.__class__ is not dict and not isinstance(data, Mapping):
        raise EventError(f"expected a JSON object, got {type(data).__name__}")
    if "type" not in data:
        raise UnknownEventTypeError("missing 'type' (the event's tag)")
    tag = data["type"]
    cls = event_class(tag)
    body = {k: v for k, v in data.items() if k not in RECORD_KEYS and k not in ("type", "v")}
    version = data.get("v", 1)
    if type(version) is not int or version < 1:  # (true is not version 1)
        raise EventError(f"{tag}: 'v' must be a positive integer, got {show(version)}")
    if version > cls.version:
        raise EventError(
            f"{tag}: payload version {version} is newer than this library's {cls.version}"
        )
    while version < cls.version:
        up = upcaster(tag, version)
        if up is None:
            raise EventError(f"{tag}: no upcaster from version {version}")
        body = up(body)
        version += 1
    try:
        fast = _read_fast(cls, body)
    except Exception:  # the converter reads it again and says what is wrong
        fast = None
    if fast is not None:
        return fast
    try:
        event: Event = converter.structure(body, cls)
    except UnknownEventTypeError:
        raise
    except (ClassValidationError, ChronologyError, ValueError, TypeError, KeyError) as exc:
        raise EventError(f"{tag}: {_describe(exc)}") from None
    return event


def _visit_announced_v1(body: dict[str, Any]) -> dict[str, Any]:
    """``visit.announced`` version 1 to 2: one ``counterpart`` becomes ``counterparts``.

    Version-1 payloads that already use ``counterparts`` (hand-written lines) pass through.
    """
    if "counterpart" not in body:
        return body
    out = dict(body)
    single = out.pop("counterpart")
    if "counterparts" in out:
        raise EventError("visit.announced: version 1 payload has both counterpart and counterparts")
    if not isinstance(single, str):
        raise EventError(f"visit.announced: counterpart: expected a string, got {show(single)}")
    out["counterparts"] = [single]
    return out


register_upcaster("visit.announced", 1, _visit_announced_v1)

# Make sure every built-in attrs class structures through the hooks above.
assert attrs.has(Source)


_scan: Final = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed


def payload_of(event: Event) -> str:
    """The canonical JSON text of an event: ``canonical_json(event_to_dict(event))``, faster.

    Example:
        >>> from chronology.events import VisitCancelled
        >>> payload_of(VisitCancelled(subject="v/1", known_at="2024-04-05T00:00:00Z"))
        '{"known_at":"2024-04-05T00:00:00+00:00","subject":"v/1","type":"visit.cancelled"}'
    """
    write = WRITERS.get(event.__class__) or writer_for(event.__class__)
    if write is not None:
        return write(event)
    return canonical_json(event_to_dict(event))


def event_from_payload(payload: str) -> Event:
    """Read an event from a payload this library stored: ``event_from_dict(json.loads(p))``.

    Payloads written by this version of the library are rebuilt directly, without running the
    validators again (they ran when the event was made, and :meth:`Chronicle.verify` re-reads
    every payload strictly); anything else (older versions, other shapes) takes the strict path
    with its errors.

    Raises:
        ValueError: if the payload is not JSON.
        UnknownEventTypeError, EventError: as :func:`event_from_dict`.
    """
    try:
        data, end = _scan(payload, 0)  # json.loads without its Python layers
    except (StopIteration, TypeError):
        data, end = None, -1
    if end != len(payload):
        data = json.loads(payload)
    if data.__class__ is dict:
        event: Event | None = read_event(data)
        if event is not None:
            return event
    return event_from_dict(data)
