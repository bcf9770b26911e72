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
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from json.scanner import make_scanner
from typing import Any, Final, Protocol

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_unstructure_fn

from chronology._checks import finite, show
from chronology._fastinit import slot_setter, slot_setters
from chronology.errors import ChronologyError, EventError, TimeError, UnknownEventTypeError
from chronology.events import (
    _REGISTRY,
    _SHARED_SOURCES,
    Event,
    Likelihood,
    Quantity,
    Source,
    event_class,
)
from chronology.time import Window, to_instant

__all__ = [
    "RECORD_KEYS",
    "canonical_json",
    "converter",
    "event_from_dict",
    "event_from_payload",
    "event_id_of",
    "event_to_dict",
    "instant_text",
    "payload_of",
    "register_upcaster",
]

#: Keys of an exported record that are not part of the event itself.
RECORD_KEYS: Final = frozenset({"position", "recorded_at", "event_id", "hash"})

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}

#: The converter. Hooks for time types are registered before any class hooks are built,
#: because cattrs captures hooks when it generates a class's functions.
converter: Final = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _instant_text(value: datetime) -> str:
    """``value.isoformat()`` in UTC. Instants on events are plain UTC datetimes; their text
    is put together from cached pieces (the day, the minute of the day, the second), which
    takes a fraction of ``isoformat``'s time: every event written has a few instants."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if value.__class__ is not datetime:
        return value.isoformat()
    day = _DAYS.get(value.toordinal())
    if day is None:
        if len(_DAYS) > 100_000:
            _DAYS.clear()
        day = _DAYS[value.toordinal()] = value.date().isoformat() + "T"
    text = day + _MINUTES[value.hour * 60 + value.minute]
    us = value.microsecond
    if us:  # (a format spec such as :06d takes longer than the rest of this function)
        return text + _SECONDS[value.second] + "." + _DIGITS3[us // 1000] + _FRACTIONS[us % 1000]
    return text + _WHOLE_SECONDS[value.second]


_DAYS: dict[int, str] = {}
_MINUTES: Final = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))
_SECONDS: Final = tuple(f":{s:02d}" for s in range(60))
_WHOLE_SECONDS: Final = tuple(f":{s:02d}+00:00" for s in range(60))
#: Three digits of a microsecond count: ``_DIGITS3[us // 1000] + _FRACTIONS[us % 1000]`` are
#: its six digits and the UTC offset.
_DIGITS3: Final = tuple(f"{n:03d}" for n in range(1000))
_FRACTIONS: Final = tuple(f"{n:03d}+00:00" for n in range(1000))


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
        out["start"] = _instant_text(w.start)
    if w.end is not None:
        out["end"] = _instant_text(w.end)
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


def _unstructure_quantity(q: Quantity) -> dict[str, Any]:
    """``{"value", "unit"}``, with ``low``, ``high`` and ``approximate`` only when set: a plain
    quantity is written exactly as before those fields existed, so its event keeps its id."""
    data: dict[str, Any] = {"value": q.value, "unit": q.unit}
    if q.low is not None:
        data["low"] = q.low
    if q.high is not None:
        data["high"] = q.high
    if q.approximate:
        data["approximate"] = True
    return data


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


converter.register_unstructure_hook(datetime, _instant_text)
converter.register_structure_hook(datetime, _structure_instant)
converter.register_structure_hook(str, _strict(str, "a string"))
converter.register_structure_hook(bool, _strict(bool, "true or false"))
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_strings)
converter.register_unstructure_hook(Window, _unstructure_window)
converter.register_structure_hook(Window, _structure_window)
converter.register_unstructure_hook(Quantity, _unstructure_quantity)
converter.register_structure_hook(Quantity, _structure_quantity)
converter.register_structure_hook(Likelihood, _structure_likelihood)
converter.register_unstructure_hook(Likelihood, lambda v: v.value)
converter.register_unstructure_hook(
    Source, make_dict_unstructure_fn(Source, converter, _cattrs_omit_if_default=True)
)
_structure_source_fields = converter.gen_structure_attrs_fromdict(Source)
converter.register_structure_hook(Source, _structure_source)
converter.register_structure_hook_func(lambda t: t == tuple[Source, ...], _structure_sources)

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
    return _ENCODER.encode(data)


def event_id_of(canonical: str) -> str:
    """The ``event_id`` of an event from its canonical JSON: 32 hex digits of its SHA-256."""
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def register_upcaster(tag: str, from_version: int, upcast: Upcaster) -> None:
    """Register a function that turns a ``tag`` payload of ``from_version`` into the next one.

    Payloads are upcast step by step until they reach the class's current ``version``.
    The function receives the payload without ``"type"`` and ``"v"`` and returns the new one.
    """
    _UPCASTERS[(tag, from_version)] = upcast


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
    if not isinstance(data, Mapping):
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
        up = _UPCASTERS.get((tag, version))
        if up is None:
            raise EventError(f"{tag}: no upcaster from version {version}")
        body = up(body)
        version += 1
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


# -- fast paths ---------------------------------------------------------------------------------
# Writing and reading events is the inner loop of every append and every read of a stored log.
# The functions below produce exactly what the converter path above produces, without building
# the intermediate dict (writing) or re-running validation (reading rows this library wrote),
# from code generated once per event class. A class whose fields they do not know falls back to
# the converter path, and so does any payload they cannot read.

_encode_str: Final = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses
_ENCODER: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_new: Final = object.__new__
_scan: Final = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed
_set: Final = object.__setattr__
_from_iso: Final = datetime.fromisoformat


class _Fallback(Exception):
    """Raised inside a fast path to hand the work to the converter path."""


def _fallback() -> Any:
    raise _Fallback


def _window_text(w: Window) -> str:
    """:func:`_unstructure_window`, as canonical JSON."""
    start, end = w.start, w.end
    if (
        start is not None
        and end is not None
        and w.label is None
        and not (w.approximate or w.uncertain)
    ):  # the common case: two plain bounds
        return f'{{"end":"{_instant_text(end)}","start":"{_instant_text(start)}"}}'
    parts = []
    if w.approximate:
        parts.append('"approximate":true')
    if w.end is not None:
        parts.append(f'"end":"{_instant_text(w.end)}"')
    if w.label is not None:
        parts.append('"label":' + _encode_str(w.label))
    if w.start is not None:
        parts.append(f'"start":"{_instant_text(w.start)}"')
    if w.uncertain:
        parts.append('"uncertain":true')
    return "{" + ",".join(parts) + "}"


def _quantity_text(q: Quantity) -> str:
    value = q.value
    if value.__class__ is not float or q.low is not None or q.high is not None or q.approximate:
        return _ENCODER.encode(_unstructure_quantity(q))
    return '{"unit":' + _encode_str(q.unit) + ',"value":' + float.__repr__(value) + "}"


def _scalar_text(v: Any) -> str:
    """A number or a boolean as json.dumps writes it."""
    cls = v.__class__
    if cls is float and v - v == 0.0:  # finite
        return float.__repr__(v)
    if cls is int:
        return int.__repr__(v)
    if cls is bool:
        return "true" if v else "false"
    return _ENCODER.encode(v)


def _float_value(v: Any) -> float:
    """A float field as :func:`_structure_float` reads it."""
    if v.__class__ is float:
        return float(v)
    if v.__class__ is int:
        return float(v)
    raise _Fallback


def _bool_value(v: Any) -> bool:
    if v.__class__ is not bool:
        raise _Fallback
    return bool(v)


def _instant_value(text: Any) -> datetime:
    """A stored instant: UTC ISO 8601 text as written by :func:`_instant_text`."""
    value = _from_iso(text)
    if value.tzinfo is not UTC:
        raise _Fallback
    return value


def _window_value(data: Any) -> Window:
    if len(data) == 2:  # the common case: two plain bounds
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None:
            start, end = _from_iso(start), _from_iso(end)
            if start.tzinfo is not UTC or end.tzinfo is not UTC or end < start:
                raise _Fallback
            plain: Window = _new(Window)
            _window_start(plain, start)
            _window_end(plain, end)
            _window_label(plain, None)
            _window_approximate(plain, False)
            _window_uncertain(plain, False)
            return plain
    if not _WINDOW_KEYS.issuperset(data):
        raise _Fallback
    w: Window = _new(Window)
    get = data.get
    start, end = get("start"), get("end")
    _set(w, "start", None if start is None else _instant_value(start))
    _set(w, "end", None if end is None else _instant_value(end))
    label = get("label")
    if label is not None and label.__class__ is not str:
        raise _Fallback
    approximate, uncertain = get("approximate", False), get("uncertain", False)
    if approximate.__class__ is not bool or uncertain.__class__ is not bool:
        raise _Fallback
    if w.start is not None and w.end is not None and w.end < w.start:
        raise _Fallback
    _set(w, "label", label)
    _set(w, "approximate", approximate)
    _set(w, "uncertain", uncertain)
    return w


#: The keys a window's JSON may have.
_WINDOW_KEYS: Final = frozenset({"start", "end", "label", "approximate", "uncertain"})


def _window_setter(name: str) -> Callable[[Any, Any], None]:
    setter = slot_setter(Window, name)
    if setter is None:  # not a slotted class: the generic way
        return lambda o, v: _set(o, name, v)
    return setter


_window_start: Final = _window_setter("start")
_window_end: Final = _window_setter("end")
_window_label: Final = _window_setter("label")
_window_approximate: Final = _window_setter("approximate")
_window_uncertain: Final = _window_setter("uncertain")


def _quantity_value(data: Any) -> Quantity:
    if len(data) != 2:
        raise _Fallback
    value, unit = data["value"], data["unit"]
    if value.__class__ is not float or unit.__class__ is not str:
        raise _Fallback
    q: Quantity = _new(Quantity)
    _quantity_value_slot(q, value)
    _quantity_unit_slot(q, unit)
    _quantity_low_slot(q, None)
    _quantity_high_slot(q, None)
    _quantity_approximate_slot(q, False)
    return q


(
    _quantity_value_slot,
    _quantity_unit_slot,
    _quantity_low_slot,
    _quantity_high_slot,
    _quantity_approximate_slot,
) = slot_setters(Quantity, "value", "unit", "low", "high", "approximate")


def _strings_value(data: Any) -> tuple[str, ...]:
    out = tuple(data)
    for item in out:
        if item.__class__ is not str:
            raise _Fallback
    return out


def _str_value(data: Any) -> str:
    if data.__class__ is not str:
        raise _Fallback
    return str(data)


def _likelihood_value(data: Any) -> Likelihood:
    value = _LIKELIHOODS.get(data)  # calling the enum class takes twenty times as long
    return Likelihood(data) if value is None else value


_LIKELIHOODS: Final = {m.value: m for m in Likelihood}


class _Writer(Protocol):
    """A generated writer: the canonical JSON of ``o``; an event's writer may be given the
    text of its ``known_at`` (``k``), already made."""

    def __call__(self, o: Any, k: str | None = None, /) -> str: ...


class _Codec:
    """Generated writer and reader of one attrs class (an event, or :class:`Source`)."""

    __slots__ = ("read", "write")

    def __init__(
        self,
        write: _Writer | None,
        read: Callable[[dict[str, Any]], Any] | None,
    ) -> None:
        self.write = write
        self.read = read


_CODECS: dict[type, _Codec] = {}


def _field_code(tp: Any, ns: dict[str, Any], i: int, *, for_source: bool) -> tuple[str, str] | None:
    """Code turning field value ``v`` into JSON text, and JSON value ``v`` into the field.

    Returns ``None`` for a type without a fast path (the class then falls back).
    """
    optional = False
    args = getattr(tp, "__args__", ())
    if isinstance(tp, types.UnionType) and len(args) == 2 and type(None) in args:
        optional = True
        tp = next(a for a in args if a is not type(None))
    write: str
    read: str
    if tp is str:
        write, read = "_encode_str(v)", "(v if v.__class__ is str else _str_value(v))"
    elif tp is float:
        write, read = "_scalar_text(v)", "_float_value(v)"
    elif tp is bool:
        write, read = "_scalar_text(v)", "_bool_value(v)"
    elif tp is datetime:
        # _instant_value(v), inlined: every event has an instant or two
        write = "'\"' + _instant_text(v) + '\"'"
        read = "(t if (t := _from_iso(v)).tzinfo is _UTC else _fallback())"
    elif tp is Window:
        write, read = "_window_text(v)", "_window_value(v)"
    elif tp is Quantity:
        write, read = "_quantity_text(v)", "_quantity_value(v)"
    elif tp is Likelihood:
        write, read = "_encode_str(v.value)", "_likelihood_value(v)"
    elif tp is Source and not for_source:
        write, read = "_source_text(v)", "_source_value(v)"
    elif tp == tuple[str, ...]:
        write = "'[' + ','.join([_encode_str(x) for x in v]) + ']'"
        read = "_strings_value(v)"
    elif tp == tuple[Source, ...]:
        write = "'[' + ','.join([_source_text(x) for x in v]) + ']'"
        read = "tuple([_source_value(x) for x in v])"
    else:
        return None
    if optional:
        write = f"('null' if v is None else {write})"
        read = f"(None if v is None else {read})"
    return write, read


def _compile(cls: type, tag: str | None, version: int) -> _Codec:
    """Generate the writer and reader of ``cls`` (``tag`` is ``None`` for :class:`Source`)."""
    none = _Codec(None, None)
    try:
        fields = attrs.fields(attrs.resolve_types(cls))
    except (TypeError, NameError, attrs.exceptions.NotAnAttrsClassError):
        return none
    names = [f.name for f in fields]
    if tag is not None and ("type" in names or "v" in names):
        return none
    ns: dict[str, Any] = {
        "_encode_str": _encode_str,
        "_instant_text": _instant_text,
        "_window_text": _window_text,
        "_quantity_text": _quantity_text,
        "_source_text": _source_text,
        "_str_value": _str_value,
        "_scalar_text": _scalar_text,
        "_float_value": _float_value,
        "_bool_value": _bool_value,
        "_instant_value": _instant_value,
        "_from_iso": _from_iso,
        "_UTC": UTC,
        "_fallback": _fallback,
        "_window_value": _window_value,
        "_quantity_value": _quantity_value,
        "_likelihood_value": _likelihood_value,
        "_strings_value": _strings_value,
        "_source_value": _source_value,
        "_new": _new,
        "_set": _set,
        "_Fallback": _Fallback,
        "_cls": cls,
        "NOTHING": attrs.NOTHING,
    }
    parts: list[_Part] = []
    reads: list[str] = []  # the required fields
    optional_reads: list[str] = []  # the others, when the payload has them
    defaults: list[str] = []  # the others, when it has only the required ones
    allowed = set(names)
    for i, f in enumerate(fields):
        if not f.init or f.alias != f.name or isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            return none
        code = _field_code(f.type, ns, i, for_source=tag is None)
        if code is None:
            return none
        write, read = code
        key_text = _encode_str(f.name) + ":"
        setter = slot_setter(cls, f.name)
        if setter is None:
            put = f"_set(o, {f.name!r}, "
        else:
            ns[f"_s{i}"] = setter
            put = f"_s{i}(o, "
        if f.name == "known_at" and f.type is datetime:
            # The writer may be given this text (``k``): the store needs it too.
            write = "'\"' + (_instant_text(v) if k is None else k) + '\"'"
        if f.default is attrs.NOTHING:
            parts.append((f.name, key_text, write, None))
            reads.append(f"v = d[{f.name!r}]")
            reads.append(f"{put}{read})")
            continue
        ns[f"_d{i}"] = f.default
        cond = "v is not None" if f.default is None else f"v != _d{i}"
        parts.append((f.name, key_text, write, cond))
        defaults.append(f"{put}_d{i})")
        if f.default is None:
            # An absent key reads as None, the default; the read of an optional type keeps it.
            optional_reads.append(f"v = d.get({f.name!r})")
            if read.startswith("(None if v is None else "):
                optional_reads.append(f"{put}{read})")
            else:
                optional_reads.append(f"{put}None if v is None else {read})")
        else:
            optional_reads.append(f"v = d.get({f.name!r}, NOTHING)")
            optional_reads.append(f"{put}_d{i} if v is NOTHING else {read})")
    if tag is not None:
        allowed.add("type")
        parts.append(("type", '"type":' + _encode_str(tag), None, None))
        if version != 1:
            allowed.add("v")
            parts.append(("v", f'"v":{version}', None, None))
    parts.sort(key=lambda item: item[0])
    ns["_allowed"] = frozenset(allowed)
    source = _writer_source(parts)
    if source is None:
        return none
    check = "    if not _allowed.issuperset(d):\n        raise _Fallback\n"
    if tag is not None and version != 1:
        check += f"    if d.get('v') != {version}:\n        raise _Fallback\n"
    elif tag is not None:
        check += "    if 'v' in d:\n        raise _Fallback\n"
    # A payload with only the required keys (and the tag) takes the defaults for the rest.
    least = len(reads) // 2 + (0 if tag is None else 1 + (version != 1))
    lines = [*reads, f"if len(d) == {least}:"]
    lines += [f"    {line}" for line in defaults or ["pass"]]
    lines += ["else:", *(f"    {line}" for line in optional_reads or ["pass"])]
    read_body = "\n".join(f"    {line}" for line in lines)
    source += f"def read(d):\n{check}    o = _new(_cls)\n{read_body}\n    return o\n"
    if hasattr(cls, "__attrs_post_init__") or getattr(cls, "__attrs_pre_init__", None):
        source = source.replace("def read(d):", "def _unused(d):")
        source += "read = None\n"
    exec(compile(source, f"<chronology codec {cls.__qualname__}>", "exec"), ns)
    return _Codec(ns["write"], ns["read"])


#: A key of a generated writer: (field name, its JSON key and colon, the code of its JSON value
#: in terms of ``v`` or ``None`` for a constant, the condition for writing it or ``None``).
_Part = tuple[str, str, str | None, str | None]


def _writer_source(parts: list[_Part]) -> str | None:
    """The source of ``write(o, k=None)`` for ``parts`` (sorted by name): one ``join`` of the
    pieces, with the commas inside them. Pieces before the first that is always written carry
    a comma after them, the others one before. ``None`` if every key may be left out (no class
    this module compiles is like that: events have their tag, sources their name)."""
    first = next((i for i, (_, _, _, cond) in enumerate(parts) if cond is None), None)
    if first is None:
        return None
    lines = ["def write(o, k=None):"]
    pieces = ["'{'"]
    for i, (name, key, value, cond) in enumerate(parts):
        before, after = ("," if i > first else ""), ("," if i < first else "")
        if value is None:  # a constant: the tag or the version
            pieces.append(repr(before + key + after))
            continue
        piece = f"{before + key!r} + {value}" + (f" + {after!r}" if after else "")
        if cond is not None:
            piece = f"{piece} if {cond} else ''"
        lines += [f"    v = o.{name}", f"    t{i} = {piece}"]
        pieces.append(f"t{i}")
    lines.append(f"    return ''.join(({', '.join(pieces)}, '}}'))")
    return "\n".join(lines) + "\n"


def _codec(cls: type) -> _Codec:
    codec = _CODECS.get(cls)
    if codec is None:
        if cls is Source:
            codec = _compile(cls, None, 1)
        else:
            codec = _compile(cls, cls.tag, cls.version)  # type: ignore[attr-defined]
        _CODECS[cls] = codec
    return codec


def _source_text(s: Source) -> str:
    # Sources given by name alone are shared objects (see Source), so their text is looked up
    # by identity; the entry keeps the source alive, so its id cannot be reused meanwhile.
    known = _SOURCE_TEXTS.get(id(s))
    if known is not None and known[0] is s:
        return known[1]
    write = _SOURCE.write or _source_codec().write
    assert write is not None
    text: str = write(s)
    if _SHARED_SOURCES.get(s.name) is s:
        if len(_SOURCE_TEXTS) >= 4096:
            _SOURCE_TEXTS.clear()
        _SOURCE_TEXTS[id(s)] = (s, text)
    return text


#: The text of shared sources, by ``id``: (the source, its canonical JSON).
_SOURCE_TEXTS: dict[int, tuple[Source, str]] = {}


def _source_value(data: Any) -> Source:
    if data.__class__ is not dict:
        raise _Fallback
    if len(data) == 1:  # most sources are a name only: one shared value per name
        name = data.get("name")
        if name.__class__ is str:
            shared = _NAMED_SOURCES.get(name)
            if shared is not None:
                return shared
    read = _SOURCE.read or _source_codec().read
    if read is None:
        raise _Fallback
    value: Source = read(data)
    if len(data) == 1 and len(_NAMED_SOURCES) < _NAMED_SOURCES_KEPT:
        _NAMED_SOURCES[value.name] = value
    return value


#: The sources read that carry a name only, by name (the first few thousand names). Sources
#: are frozen values, so every event read with the same one shares it: one object to make,
#: keep and collect instead of one per event.
_NAMED_SOURCES: dict[str, Source] = {}
_NAMED_SOURCES_KEPT: Final = 4096


#: The codec of :class:`Source`, once made (sources sit inside most events).
_SOURCE = _Codec(None, None)


def _source_codec() -> _Codec:
    codec = _codec(Source)
    _SOURCE.write, _SOURCE.read = codec.write, codec.read
    return codec


def payload_of(event: Event) -> str:
    """The canonical JSON text of an event: ``canonical_json(event_to_dict(event))``, faster.

    Example:
        >>> from chronology.events import VisitCancelled
        >>> payload_of(VisitCancelled(subject="v/1", known_at="2024-04-05T00:00:00Z"))
        '{"known_at":"2024-04-05T00:00:00+00:00","subject":"v/1","type":"visit.cancelled"}'
    """
    write = _WRITERS.get(event.__class__)
    if write is not None:
        return write(event)
    cls = type(event)
    codec = _codec(cls)
    if codec.write is None or not cls.tag:
        return canonical_json(event_to_dict(event))
    _WRITERS[cls] = codec.write
    return codec.write(event)


#: The generated writers of the event classes seen so far (those with one).
_WRITERS: dict[type, _Writer] = {}


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
        tag = data.get("type")
        if tag.__class__ is str:
            read = _READERS.get(tag) or _reader(tag)
            if read is not None:
                try:
                    event: Event = read(data)
                    return event
                except (_Fallback, KeyError, TypeError, ValueError, AttributeError):
                    pass
    return event_from_dict(data)


#: The generated readers by tag, for the registered classes that have one (a tag, once
#: registered, always names the same class).
_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {}


def _reader(tag: str) -> Callable[[dict[str, Any]], Any] | None:
    cls = _REGISTRY.get(tag)
    if cls is None:
        return None
    read = _codec(cls).read
    if read is not None:
        _READERS[tag] = read
    return read


def instant_text(value: datetime) -> str:
    """The text of an instant as a payload holds it (UTC ISO 8601, microseconds only when
    there are some), and as a record's ``recorded_at`` is hashed.

    Example:
        >>> from datetime import UTC, datetime
        >>> instant_text(datetime(2024, 4, 3, 12, 0, 0, 500, tzinfo=UTC))
        '2024-04-03T12:00:00.000500+00:00'
    """
    return _instant_text(value)
