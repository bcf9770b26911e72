"""A faster ``__init__`` for the library's own frozen attrs classes.

Events, :class:`~chronology.values.Source` and :class:`~chronology.time.Window` are made in
bulk (several per event written), and attrs' generated ``__init__`` spends much of its time in
two places: each field of a frozen slotted class is set through ``object.__setattr__`` by name,
and every converter and validator is a Python call even for the values that pass through
unchanged. :func:`speed_up_init` replaces a class's ``__init__`` with one that has the same
signature, defaults, conversions, validations and errors, but:

- turns the instance into a builder subclass (same layout and name, :class:`object`'s
  ``__setattr__``) while it assigns the fields, then back: a plain ``self.x = v`` on a slot
  costs a tenth of a call of the slot's setter (an instance of a subclass of the class, or of
  a class whose instances have a ``__dict__``, is filled through the setters instead);
- first tries a one-line check registered for a converter or validator (:func:`passes`):
  when the check holds, the value is one the function would return unchanged or accept, so
  the call is skipped (and so is the look-up of whether validators are disabled); otherwise
  the function runs as attrs would run it.

Converters given as :class:`attrs.Converter` get the instance and the field when they ask for
them, as attrs gives them. Only public attrs API is used: fields from :func:`attrs.fields`,
the signature of attrs' ``__init__``, and :func:`attrs.validators.get_disabled` for
:func:`attrs.validators.disabled` (a class whose ``__init__`` attrs did not generate keeps its
own). Classes using anything else attrs offers (factories, ``__attrs_pre_init__`` or
``__attrs_post_init__``, fields left out of ``__init__``) keep attrs' ``__init__``.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import attrs

__all__ = ["builder_class", "passes", "set_class", "slot_setter", "slot_setters", "speed_up_init"]

C = TypeVar("C", bound=type)
F = TypeVar("F", bound=Callable[..., Any])

#: Converter or validator -> (an expression in ``v`` that holds only for values it returns
#: unchanged or accepts, the names that expression uses).
_PASSES: dict[Any, tuple[str, dict[str, Any]]] = {}

_NAMES: Final[dict[str, Any]] = {"_datetime": datetime, "_UTC": UTC}
#: The ``__init__`` attrs generated, of each class given a faster one (the tests compare them).
_ORIGINAL: dict[type, Callable[..., None]] = {}
#: The source of each faster ``__init__`` (to read when one misbehaves).
_SOURCES: dict[type, str] = {}


def passes(function: Any, condition: str, **names: Any) -> None:
    """Register a shortcut: ``condition`` (Python, in terms of the value ``v``) holds only for
    values that ``function`` (a converter) returns unchanged, or (a validator) accepts.

    A validator's condition may also read ``self``, the instance with every field set (a
    converter's may not: it runs while the instance is being filled in)."""
    _PASSES[function] = (condition, names)


def slot_setter(cls: type, name: str) -> Callable[[Any, Any], None] | None:
    """The ``__set__`` of the slot (of ``cls`` or a base) that holds ``name``, if there is one.

    Calling it sets the field as ``object.__setattr__(o, name, v)`` does, frozen classes
    included, without the lookup by name: about a third of the time.
    """
    slot = getattr(cls, name, None)
    if type(slot) is not types.MemberDescriptorType:
        return None
    setter: Callable[[Any, Any], None] = slot.__set__
    return setter


def slot_setters(cls: type, *names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """:func:`slot_setter` of each name, for a class known to keep them in slots.

    Raises:
        TypeError: if one of them is not a slot.
    """
    setters = []
    for name in names:
        setter = slot_setter(cls, name)
        if setter is None:
            raise TypeError(f"{cls.__qualname__}.{name} is not a slot")
        setters.append(setter)
    return tuple(setters)


def _shortcut(function: Any, ns: dict[str, Any]) -> str | None:
    """The check registered for ``function`` (its names added to ``ns``), if any."""
    shortcut = _PASSES.get(function)
    if shortcut is None:
        return None
    condition, names = shortcut
    ns.update(names)
    return condition


def builder_class(cls: type) -> type | None:
    """A subclass of the frozen slotted class ``cls`` that takes plain attribute assignment, to
    fill an instance made with ``object.__new__`` in a few steps and then turn it into ``cls``
    with :func:`set_class`; ``None`` when ``cls`` cannot be filled that way (see
    :func:`speed_up_init`, which fills instances the same way).

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class Point:
        ...     x: int
        ...     y: int
        >>> builder = builder_class(Point)
        >>> p = object.__new__(builder)
        >>> p.x, p.y = 1, 2
        >>> set_class(p, Point)
        >>> p == Point(1, 2), type(p) is Point
        (True, True)
    """
    return _builder(cls)


def _builder(cls: type) -> type | None:
    """A subclass of ``cls`` with its layout and names whose instances take plain attribute
    assignment (``__setattr__`` and ``__delattr__`` are :class:`object`'s), or ``None`` if
    Python will not let an instance of ``cls`` change to it and back, or if its instances
    have a ``__dict__`` (changing their class would make each one a dictionary to keep).

    The faster ``__init__`` turns the instance it is given into this class, assigns the
    fields, and turns it back: CPython stores a slot assigned as ``self.x = v`` in one step,
    where a call of the slot's setter costs several times as much.
    """
    if hasattr(object.__new__(cls), "__dict__"):
        return None
    namespace = {
        "__slots__": (),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
    }
    try:
        builder = type(cls.__name__, (cls,), namespace)
        probe: Any = object.__new__(cls)
        _set_class(probe, builder)
        probe.__class__ = cls
    except TypeError:  # pragma: no cover - a layout Python refuses to swap
        return None
    return builder


#: Sets an object's class (``object.__setattr__(o, "__class__", c)``, past a frozen class's
#: own ``__setattr__``).
_set_class: Final[Callable[[Any, type], None]] = vars(object)["__class__"].__set__
#: ``set_class(instance, cls)`` turns ``instance`` (of a :func:`builder_class`) into an
#: instance of ``cls`` (the setter itself, called without a Python call around it).
set_class: Final[Callable[[Any, type], None]] = _set_class


def speed_up_init(cls: C) -> C:
    """Give ``cls`` the faster ``__init__`` if it qualifies (see the module); return it."""
    if getattr(cls, "__attrs_pre_init__", None) or getattr(cls, "__attrs_post_init__", None):
        return cls
    init: Callable[..., None] | None = cls.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    if init is None or code is None or "attrs generated" not in code.co_filename:
        return cls  # no __init__ of its own, or a hand-written one
    fields = attrs.fields(cls)
    try:
        signature = inspect.signature(init)
    except (TypeError, ValueError):  # pragma: no cover - attrs always makes an inspectable one
        return cls
    ns: dict[str, Any] = {"_validators_disabled": attrs.validators.get_disabled, **_NAMES}
    params: list[str] = []
    keyword_only = False
    by_alias = {f.alias: f for f in fields}
    for p in list(signature.parameters.values())[1:]:
        f = by_alias.get(p.name)
        if f is None or p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            return cls
        if p.name in ("self", "v") or p.name.startswith("_"):
            return cls  # names the generated code uses for itself
        if p.kind is p.KEYWORD_ONLY and not keyword_only:
            keyword_only = True
            params.append("*")
        text = p.name
        if p.default is not p.empty:
            ns[f"_d_{p.name}"] = p.default
            text += f"=_d_{p.name}"
        params.append(text)
    if len(params) - keyword_only != len(fields):
        return cls
    fast: list[str] = []  # assignments to a builder instance: ``self.x = x``
    slow: list[str] = []  # the same through the slots' setters, for subclasses
    checks: list[str] = []
    for i, f in enumerate(fields):
        if not f.init or isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            return cls
        setter = slot_setter(cls, f.name)
        if setter is None:
            return cls
        ns[f"_s{i}"] = setter
        value = f.alias  # the parameter holds the field's final value once converted
        converter = f.converter
        if converter is not None:
            extra = ""
            if isinstance(converter, attrs.Converter):
                # Given the instance and the field, as attrs gives them (to name them in errors).
                extra += ", self" if getattr(converter, "takes_self", False) else ""
                if getattr(converter, "takes_field", False):
                    ns[f"_a{i}"] = f
                    extra += f", _a{i}"
                converter = getattr(converter, "converter", None)
            if not callable(converter):
                return cls
            ns[f"_c{i}"] = converter
            condition = _shortcut(converter, ns)
            if condition is None:
                convert = f"{value} = _c{i}({value}{extra})"
            else:
                convert = f"v = {value}; {value} = v if ({condition}) else _c{i}(v{extra})"
            fast.append(convert)
            slow.append(convert)
        fast.append(f"self.{f.name} = {value}")
        slow.append(f"_s{i}(self, {value})")
        validator = f.validator
        if validator is not None:
            ns[f"_v{i}"] = validator
            ns[f"_a{i}"] = f
            condition = _shortcut(validator, ns)
            call = f"_v{i}(self, _a{i}, {value})"
            if condition is None:
                checks.append(f"if not _validators_disabled(): {call}")
            else:
                # A value the check passes is one the validator accepts: skip both calls.
                checks.append(f"v = {value}")
                checks.append(f"if not ({condition}) and not _validators_disabled(): {call}")
    builder = _builder(cls)
    signature_line = (
        f"def __init__(self, {', '.join(params)}):" if params else "def __init__(self):"
    )
    lines = [signature_line]
    if builder is None or not fast:
        lines += [f"    {line}" for line in slow or ["pass"]]
    else:
        ns["_B"], ns["_builder"], ns["_set_class"] = cls, builder, _set_class
        lines.append("    if type(self) is _B:")
        lines.append("        _set_class(self, _builder)")
        lines.append("        try:")
        lines += [f"            {line}" for line in fast]
        lines.append("        finally:")
        lines.append("            self.__class__ = _B")
        lines.append("    else:  # a subclass's instance, of another layout perhaps")
        lines += [f"        {line}" for line in slow]
    lines += [f"    {line}" for line in checks]
    lines.append("    return None")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<chronology init {cls.__qualname__}>", "exec"), ns)
    made = ns["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    made.__doc__ = init.__doc__
    made.__annotations__ = dict(init.__annotations__)
    _ORIGINAL[cls] = init
    _SOURCES[cls] = source
    cls.__init__ = made  # type: ignore[misc]
    return cls
