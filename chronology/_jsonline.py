"""Strict reading of one line of a JSONL interchange file.

:func:`read_line` is ``json.loads`` with the refusals an interchange file needs, each reported
as an :class:`~chronology.errors.ImportLineError` naming the line and, where there is one, the
field:

- malformed JSON;
- a key given twice in one object (``json.loads`` would keep the last one silently);
- an integer of more than 4,300 digits (``json.loads`` raises a bare ``ValueError``);
- a string holding a lone surrogate, written as an escape such as ``"\\udcff"`` (valid JSON,
  but UTF-8 cannot encode it, so no event can hold it);
- nesting deeper than :data:`MAX_DEPTH` levels (an event needs a few dozen at most; deeper
  input would only exhaust the stack of the code that reads it).

The common line pays for two hooks of the decoder and two substring counts: the walk that looks
for surrogates and depth runs only on lines whose text could hold them.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from chronology._checks import find_surrogate, show
from chronology.errors import ImportLineError

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "read_line"]

#: The deepest nesting of objects and arrays a line may have. An event whose source has the
#: most levels of ``via`` allowed (16) needs 35.
MAX_DEPTH: Final = 64
#: The most digits an integer may have (Python's own default limit for reading one).
MAX_DIGITS: Final = 4300

#: The escape of a lone surrogate's first half or second half: ``\\ud800`` to ``\\udfff``.
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


class _Refused(Exception):
    """Raised by a decoder hook: the line has a duplicate key or a huge integer."""


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Refused
    return out


def _strict_int(text: str) -> int:
    number = _lenient_int(text)
    if isinstance(number, _HugeInt):
        raise _Refused
    return number


class _Pairs(list[tuple[str, Any]]):
    """An object as the diagnosing decoder reads it: its pairs, duplicates kept."""


class _HugeInt:
    """An integer the diagnosing decoder did not convert: its number of digits."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _lenient_int(text: str) -> int | _HugeInt:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        return _HugeInt(digits)
    try:
        return int(text)
    except ValueError:  # a lower limit set with sys.set_int_max_str_digits()
        return _HugeInt(digits)


_STRICT: Final = json.JSONDecoder(object_pairs_hook=_strict_object, parse_int=_strict_int)
_LENIENT: Final = json.JSONDecoder(object_pairs_hook=_Pairs, parse_int=_lenient_int)


def _field(path: str) -> str:
    """The path of a field, for a message: cut short when it is long (deep nesting)."""
    if len(path) > 80:
        return path[:60] + "..." + path[-17:]
    return path or "the line"


def _problem(value: Any) -> str | None:
    """The first thing wrong in a decoded line (depth first, in the order of the text),
    with the path of the field where it is, or ``None``."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            index = find_surrogate(item)
            if index is not None:
                return (
                    f"{_field(path)}: {show(item)} holds a lone surrogate "
                    f"({item[index]!r} at index {index}), which UTF-8 cannot encode"
                )
            continue
        if isinstance(item, _HugeInt):
            return f"{_field(path)}: an integer of {item.digits} digits is too long to read"
        if not isinstance(item, list | dict):
            continue
        if depth > MAX_DEPTH:
            return f"{_field(path)}: nested more than {MAX_DEPTH} levels deep"
        children: list[tuple[Any, str, int]] = []
        if isinstance(item, list) and not isinstance(item, _Pairs):
            children = [(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(item)]
        else:
            pairs = item.items() if isinstance(item, dict) else item
            seen: set[str] = set()
            for key, v in pairs:
                name = f"{path}.{key}" if path else key
                index = find_surrogate(key)
                if index is not None:
                    return (
                        f"{_field(path)}: the key {show(key)} holds a lone surrogate "
                        f"({key[index]!r} at index {index}), which UTF-8 cannot encode"
                    )
                if key in seen:
                    where = f"in {path}" if path else "in the event"
                    return f"duplicate key {show(key)} {where} (each key may appear once)"
                seen.add(key)
                children.append((v, name, depth + 1))
        stack.extend(reversed(children))
    return None


def _decode(decoder: json.JSONDecoder, text: str, path: str, line: int) -> Any:
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise ImportLineError(
            path, line, f"malformed JSON at column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ImportLineError(
            path, line, f"malformed JSON: nested more than {MAX_DEPTH} levels deep"
        ) from None


def read_line(text: str, path: str, line: int) -> Any:
    """Decode one line of JSON strictly (see the module).

    Args:
        text: the line, without its newline.
        path: the file it comes from, for the error.
        line: its number, counted from 1, for the error.

    Returns:
        The decoded value (objects as dicts).

    Raises:
        ImportLineError: naming the line, the field where there is one, and what is wrong.
    """
    try:
        value = _decode(_STRICT, text, path, line)
    except _Refused:
        found = _problem(_decode(_LENIENT, text, path, line))
        raise ImportLineError(path, line, found or "refused") from None
    if text.count("[") + text.count("{") > MAX_DEPTH or (
        "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None
    ):
        found = _problem(value)
        if found is not None:
            raise ImportLineError(path, line, found)
    return value
