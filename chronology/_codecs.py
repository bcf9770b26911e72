"""Generated codecs: the fast writers and readers of event payloads.

Writing and reading events is the inner loop of every append and every read of a stored log.
The functions here produce exactly what the converter path of :mod:`chronology.serialization`
produces, without building the intermediate dict (writing) or re-running validation (reading
rows this library wrote), from code generated once per event class. A class whose fields they
do not know has no generated codec and is written through the converter, and so is any payload
they cannot read. :mod:`chronology.serialization` is the public face; this module's names are
public for the library's own modules (the record's seal writes payloads in bulk).
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final, Protocol

import attrs

from chronology._fastinit import slot_setter, slot_setters
from chronology.errors import EventError
from chronology.registry import find_event_class
from chronology.time import Window
from chronology.values import SHARED_SOURCES, Likelihood, Quantity, Source

__all__ = [
    "DIGITS3",
    "ENCODER",
    "WRITERS",
    "Writer",
    "instant_text",
    "quantity_dict",
    "read_event",
    "writer_for",
]


def instant_text(value: datetime) -> str:
    """The text of an instant as a payload holds it (UTC ISO 8601, microseconds only when
    there are some), and as a record's ``recorded_at`` is hashed: ``value.isoformat()`` in UTC.

    Instants on events are plain UTC datetimes; their text is put together from cached pieces
    (the day, the minute of the day, the second), which takes a fraction of ``isoformat``'s
    time: every event written has a few instants.

    Example:
        >>> from datetime import UTC, datetime
        >>> instant_text(datetime(2024, 4, 3, 12, 0, 0, 500, tzinfo=UTC))
        '2024-04-03T12:00:00.000500+00:00'
    """
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
        return text + _SECONDS[value.second] + "." + DIGITS3[us // 1000] + _FRACTIONS[us % 1000]
    return text + _WHOLE_SECONDS[value.second]


_DAYS: dict[int, str] = {}
_MINUTES: Final = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))
_SECONDS: Final = tuple(f":{s:02d}" for s in range(60))
_WHOLE_SECONDS: Final = tuple(f":{s:02d}+00:00" for s in range(60))
#: Three digits of a microsecond count: ``DIGITS3[us // 1000] + _FRACTIONS[us % 1000]`` are
#: its six digits and the UTC offset.
DIGITS3: Final = tuple(f"{n:03d}" for n in range(1000))
_FRACTIONS: Final = tuple(f"{n:03d}+00:00" for n in range(1000))


def quantity_dict(q: Quantity) -> dict[str, Any]:
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


# Writing and reading events is the inner loop of every append and every read of a stored log.
# The functions below produce exactly what the converter path above produces, without building
# the intermediate dict (writing) or re-running validation (reading rows this library wrote),
# from code generated once per event class. A class whose fields they do not know falls back to
# the converter path, and so does any payload they cannot read.

_encode_str: Final = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses
#: The encoder of canonical JSON: sorted keys, no insignificant spaces, UTF-8 text.
ENCODER: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_new: Final = object.__new__
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
        return f'{{"end":"{instant_text(end)}","start":"{instant_text(start)}"}}'
    parts = []
    if w.approximate:
        parts.append('"approximate":true')
    if w.end is not None:
        parts.append(f'"end":"{instant_text(w.end)}"')
    if w.label is not None:
        parts.append('"label":' + _encode_str(w.label))
    if w.start is not None:
        parts.append(f'"start":"{instant_text(w.start)}"')
    if w.uncertain:
        parts.append('"uncertain":true')
    return "{" + ",".join(parts) + "}"


def _quantity_text(q: Quantity) -> str:
    value = q.value
    if value.__class__ is not float or q.low is not None or q.high is not None or q.approximate:
        return ENCODER.encode(quantity_dict(q))
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
    return ENCODER.encode(v)


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
    """A stored instant: UTC ISO 8601 text as written by :func:`instant_text`."""
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


class Writer(Protocol):
    """A generated writer: the canonical JSON of ``o``; an event's writer may be given the
    text of its ``known_at`` (``k``), already made."""

    def __call__(self, o: Any, k: str | None = None, /) -> str: ...


class _Codec:
    """Generated writer and reader of one attrs class (an event, or :class:`Source`)."""

    __slots__ = ("read", "write")

    def __init__(
        self,
        write: Writer | None,
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
        write = "'\"' + instant_text(v) + '\"'"
        read = "(t if (t := _from_iso(v)).tzinfo is _UTC else _fallback())"
    elif tp is Window:
        write, read = "_window_text(v)", "_window_value(v)"
    elif tp is Quantity:
        write, read = "_quantity_text(v)", "_quantity_value(v)"
    elif tp is Likelihood:
        write, read = "_encode_str(v.value)", "_likelihood_value(v)"
    elif tp is Source and not for_source:
        # _source_text(v), its look-up of a shared source's text inlined
        write = (
            "(t[1] if (t := _source_texts.get(id(v))) is not None and t[0] is v"
            " else _source_text(v))"
        )
        read = "_source_value(v)"
    elif tp == tuple[str, ...]:
        write = "'[' + ','.join([_encode_str(x) for x in v]) + ']'"
        read = "_strings_value(v)"
    elif tp == tuple[Source, ...]:
        write = "'[' + ','.join([_source_text(x) for x in v]) + ']'"
        read = "tuple([_source_value(x) for x in v])"
    else:
        return None
    if optional:
        write = f"{_OR_NULL}{write})"
        read = f"(None if v is None else {read})"
    return write, read


#: How the code of an optional value's JSON begins (``_OR_NULL + code + ")"``).
_OR_NULL: Final = "('null' if v is None else "


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
        "instant_text": instant_text,
        "_window_text": _window_text,
        "_quantity_text": _quantity_text,
        "_source_text": _source_text,
        "_source_texts": _SOURCE_TEXTS,
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
        if f.default is None and write.startswith(_OR_NULL):
            write = write[len(_OR_NULL) : -1]  # the key is left out when the value is None
        if f.name == "known_at" and f.type is datetime:
            # The writer may be given this text (``k``): the store needs it too.
            write = "'\"' + (instant_text(v) if k is None else k) + '\"'"
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
    if SHARED_SOURCES.get(s.name) is s:
        if len(_SOURCE_TEXTS) >= 4096:
            _SOURCE_TEXTS.clear()
        _SOURCE_TEXTS[id(s)] = (s, text)
    return text


#: The text of shared sources, by ``id``: (the source, its canonical JSON).
_SOURCE_TEXTS: dict[int, tuple[Source, str]] = {}


def _source_value(data: Any) -> Source:
    if data.__class__ is not dict:
        raise _Fallback
    if len(data) == 1:  # most sources are a name only: the one shared value of that name
        name = data.get("name")
        if name.__class__ is str:
            shared = SHARED_SOURCES.get(name)
            if shared is not None:
                return shared
            try:
                return Source(name)  # checks the name, and keeps it in SHARED_SOURCES
            except EventError:
                raise _Fallback from None
    read = _SOURCE.read or _source_codec().read
    if read is None:
        raise _Fallback
    value: Source = read(data)
    return value


#: The codec of :class:`Source`, once made (sources sit inside most events).
_SOURCE = _Codec(None, None)


def _source_codec() -> _Codec:
    codec = _codec(Source)
    _SOURCE.write, _SOURCE.read = codec.write, codec.read
    return codec


def writer_for(cls: type) -> Writer | None:
    """The generated writer of the event class ``cls``, or ``None`` if it has none (its events
    are written through the converter; see :func:`chronology.serialization.payload_of`).

    ``writer_for(cls)(event)`` is the canonical JSON text of ``event``;
    ``writer_for(cls)(event, text)`` takes the text of its ``known_at``, already made (as
    :func:`instant_text` makes it).
    """
    write = WRITERS.get(cls)
    if write is not None:
        return write
    tag = getattr(cls, "tag", "")
    if not tag:
        return None
    codec = _codec(cls)
    if codec.write is not None:
        WRITERS[cls] = codec.write
    return codec.write


#: The generated writers of the event classes seen so far (those with one), by class.
WRITERS: Final[dict[type, Writer]] = {}


def read_event(data: dict[str, Any]) -> Any:
    """The event a payload this library wrote holds (``data`` is its parsed JSON), rebuilt
    without running the validators again; ``None`` when the generated reader cannot read it
    (unknown tag, older version, other shapes): the strict converter path then reads it."""
    tag = data.get("type")
    if tag.__class__ is not str:
        return None
    read = _READERS.get(tag) or _reader(tag)
    if read is None:
        return None
    try:
        return read(data)
    except (_Fallback, KeyError, TypeError, ValueError, AttributeError):
        return None


#: The generated readers by tag, for the registered classes that have one (a tag, once
#: registered, always names the same class).
_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {}


def _reader(tag: str) -> Callable[[dict[str, Any]], Any] | None:
    cls = find_event_class(tag)
    if cls is None:
        return None
    read = _codec(cls).read
    if read is not None:
        _READERS[tag] = read
    return read
