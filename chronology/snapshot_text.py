"""The text form of a fold snapshot, as a backend's shelf keeps it between runs (see
:class:`~chronology.stores.backend.SnapshotShelf` and :mod:`chronology.snapshots`).

A shelved snapshot is two lines of JSON. The first, the header, says what the snapshot is:
the text's format version, ``valid_to`` (it was folded from the first ``valid_to`` records),
the chain hash of record ``valid_to``, the assertion-time instant ``at`` it was folded up to,
and ``needs``. The second holds the values: every expectation, each as the list of its fields
in declaration order, and the statements, each as its event's payload. Windows and sources are
written once, in tables, and named by their place there (a figure's hundred vintages share one
period and a couple of sources).

The header is read alone first: a snapshot whose hash is not the one of the record at
``valid_to`` in the log it is read from (records replaced, or a shelf copied onto another
file) is never decoded. Only the built-in kinds of expectation have a text form
(:data:`SHELVED_KINDS`); a snapshot holding a value of another kind is not shelved.

The values are rebuilt without running their classes' validators: the text was written by
this module from values the fold made, and :meth:`.Chronicle.verify` compares every shelved
snapshot with a refold of its records.

Example:
    >>> from datetime import UTC, datetime
    >>> from chronology import Chronicle
    >>> from chronology.events import VisitAnnounced
    >>> c = Chronicle()
    >>> rec = c.append(VisitAnnounced(subject="visit/x", known_at="2024-04-03T12:00:00Z"))
    >>> values = {e.subject: e for e in c.as_of("2024-04-04").expectations()}
    >>> at = datetime(2024, 4, 3, 12, tzinfo=UTC)
    >>> text = snapshot_text(ShelvedSnapshot(at, 1, 1, rec.hash, values, ()))
    >>> read_snapshot(text).values == values
    True
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from chronology.errors import ChronologyError
from chronology.events import StatementMade
from chronology.expectations import (
    Expectation,
    FigureExpectation,
    PlanExpectation,
    TradeExpectation,
    VisitExpectation,
)
from chronology.serialization import event_from_payload, instant_text, payload_of
from chronology.time import Window
from chronology.values import Source

__all__ = [
    "SHELVED_KINDS",
    "TEXT_FORMAT",
    "ShelvedSnapshot",
    "SnapshotTextError",
    "read_header",
    "read_snapshot",
    "snapshot_text",
]

#: The version of the text form this module writes (and the only one it reads).
TEXT_FORMAT: Final = 1

#: The kinds of expectation whose values have a text form, by name.
SHELVED_KINDS: Final[Mapping[str, type]] = types.MappingProxyType(
    {
        "visit": VisitExpectation,
        "trade": TradeExpectation,
        "plan": PlanExpectation,
        "figure": FigureExpectation,
    }
)


class SnapshotTextError(ChronologyError, ValueError):
    """A shelved snapshot's text cannot be read: not of this module's form, or of another
    version of it. The message says what is wrong; a snapshot that cannot be read is dropped
    and folded again."""


@attrs.frozen
class ShelvedSnapshot:
    """A fold snapshot as shelved: what :func:`snapshot_text` writes and :func:`read_snapshot`
    reads back.

    Attributes:
        at: the assertion-time instant it was folded up to.
        needs: the highest position among the records folded and the retractions.
        valid_to: it was folded from the first ``valid_to`` records.
        hash: the chain hash of record ``valid_to``.
        values: every expectation (``as_of=None``: nothing derived), by subject, in order.
        statements: the statements folded, in assertion-time order.
    """

    at: datetime
    needs: int
    valid_to: int
    hash: str
    values: Mapping[str, Expectation]
    statements: tuple[StatementMade, ...]


@attrs.frozen
class Header:
    """The first line of a shelved snapshot (see :func:`read_header`).

    Attributes:
        valid_to: it was folded from the first ``valid_to`` records.
        hash: the chain hash of record ``valid_to``.
        at: the assertion-time instant it was folded up to.
        needs: the highest position among the records folded and the retractions.
    """

    valid_to: int
    hash: str
    at: datetime
    needs: int


# -- generated codecs -----------------------------------------------------------------------------


class _Codec:
    """The writer and reader of one class's values, generated from its fields' types."""

    def __init__(self, cls: type) -> None:
        hints = typing.get_type_hints(cls)
        names = [f.name for f in attrs.fields(cls)]
        ns: dict[str, Any] = {"new": object.__new__, "cls": cls}
        args = ", ".join(f"f{i}" for i in range(len(names)))
        writes: list[str] = []
        reads: list[str] = [f"def read(v, W, S):\n    ({args},) = v\n    o = new(cls)\n"]
        for i, name in enumerate(names):
            write, read = _expressions(hints[name], f"o.{name}", f"f{i}", ns, 0)
            writes.append(write)
            setter = getattr(cls, name).__set__
            ns[f"set{i}"] = setter
            reads.append(f"    set{i}(o, {read})\n")
        reads.append("    return o\n")
        source = "def write(o, win, src):\n    return [" + ", ".join(writes) + "]\n"
        exec(source + "".join(reads), ns)
        self.write: Callable[[Any, Any, Any], list[Any]] = ns["write"]
        self.read: Callable[[Any, Any, Any], Any] = ns["read"]


class _NoTextForm(Exception):
    """A field type the text form does not cover."""


_CODECS: dict[type, _Codec] = {}
_SCALARS: Final = (str, int, float, bool, type(None))


def _codec(cls: type) -> _Codec:
    codec = _CODECS.get(cls)
    if codec is None:
        codec = _CODECS[cls] = _Codec(cls)
    return codec


def _expressions(
    tp: Any, value: str, encoded: str, ns: dict[str, Any], depth: int
) -> tuple[str, str]:
    """Python expressions that write ``value`` (of type ``tp``) and read ``encoded`` back."""
    args = typing.get_args(tp)
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        others = [a for a in args if a is not type(None)]
        if len(others) != 1:
            if all(a in _SCALARS for a in args):
                return value, encoded
            raise _NoTextForm(tp)
        if others[0] in _SCALARS:
            return value, encoded
        write, read = _expressions(others[0], value, encoded, ns, depth)
        return (
            f"(None if {value} is None else {write})",
            f"(None if {encoded} is None else {read})",
        )
    if tp in _SCALARS:
        return value, encoded
    if tp is datetime:
        ns["text"] = instant_text
        ns["fromiso"] = datetime.fromisoformat
        return f"text({value})", f"fromiso({encoded})"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        name = f"enum_{tp.__name__}"
        ns[name] = {member.value: member for member in tp}
        return f"{value}.value", f"{name}[{encoded}]"
    if tp is Window:
        return f"win({value})", f"W[{encoded}]"
    if tp is Source:
        return f"src({value})", f"S[{encoded}]"
    if typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if item in _SCALARS:
            return value, f"tuple({encoded})"
        e = f"e{depth}"
        write, read = _expressions(item, e, e, ns, depth + 1)
        return (
            f"[{write} for {e} in {value}]",
            f"tuple([{read} for {e} in {encoded}])",
        )
    if attrs.has(tp):
        name = f"codec_{tp.__name__}_{id(tp)}"
        ns[name] = _codec(tp)
        return f"{name}.write({value}, win, src)", f"{name}.read({encoded}, W, S)"
    raise _NoTextForm(tp)


class _Tables:
    """The windows and sources of one snapshot, each written once and named by its place."""

    def __init__(self) -> None:
        self.windows: dict[Window, int] = {}
        self.window_rows: list[list[Any]] = []
        self.sources: dict[Source, int] = {}
        self.source_rows: list[list[Any]] = []

    def window(self, w: Window) -> int:
        found = self.windows.get(w)
        if found is None:
            found = self.windows[w] = len(self.window_rows)
            self.window_rows.append(_codec(Window).write(w, self.window, self.source))
        return found

    def source(self, s: Source) -> int:
        found = self.sources.get(s)
        if found is None:
            # The sources it names (``via``) come first: they are read back first.
            row = _codec(Source).write(s, self.window, self.source)
            found = self.sources[s] = len(self.source_rows)
            self.source_rows.append(row)
        return found


# -- writing and reading --------------------------------------------------------------------------


def snapshot_text(snapshot: ShelvedSnapshot) -> str | None:
    """The text form of ``snapshot``, or ``None`` if one of its values is of a kind with no
    text form (a kind a user or a plugin registered)."""
    tables = _Tables()
    kinds: dict[str, int] = {}
    rows: list[list[Any]] = []
    try:
        for value in snapshot.values.values():
            cls = SHELVED_KINDS.get(value.kind)
            if cls is not type(value):
                return None
            index = kinds.setdefault(value.kind, len(kinds))
            rows.append([index, _codec(cls).write(value, tables.window, tables.source)])
    except _NoTextForm:
        return None
    header = {
        "format": TEXT_FORMAT,
        "valid_to": snapshot.valid_to,
        "hash": snapshot.hash,
        "at": instant_text(snapshot.at),
        "needs": snapshot.needs,
    }
    body = {
        "kinds": list(kinds),
        "windows": tables.window_rows,
        "sources": tables.source_rows,
        "values": rows,
        "statements": [payload_of(s) for s in snapshot.statements],
    }
    return json.dumps(header) + "\n" + json.dumps(body, separators=(",", ":"))


def read_header(text: str) -> Header:
    """The header of a shelved snapshot: what it claims to be, without decoding its values.

    Raises:
        SnapshotTextError: if the first line is not a header of this version of the form.
    """
    first, _, _ = text.partition("\n")
    try:
        data = json.loads(first)
        if data.get("format") != TEXT_FORMAT:
            raise SnapshotTextError(
                f"snapshot text of format {data.get('format')!r}; this version reads "
                f"format {TEXT_FORMAT}"
            )
        header = Header(
            int(data["valid_to"]),
            str(data["hash"]),
            datetime.fromisoformat(data["at"]),
            int(data["needs"]),
        )
    except SnapshotTextError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SnapshotTextError(f"not a snapshot's header: {exc}") from None
    if header.at.tzinfo is None:
        raise SnapshotTextError("not a snapshot's header: 'at' has no offset")
    return header


def read_snapshot(text: str) -> ShelvedSnapshot:
    """Read back what :func:`snapshot_text` wrote.

    Raises:
        SnapshotTextError: if ``text`` is not a snapshot of this version of the form (the
            message says what is wrong).
    """
    header = read_header(text)
    _, _, rest = text.partition("\n")
    try:
        body = json.loads(rest)
        kinds = [SHELVED_KINDS[k] for k in body["kinds"]]
        windows: list[Window] = []
        read_window = _codec(Window).read
        for row in body["windows"]:
            windows.append(read_window(row, windows, ()))
        sources: list[Source] = []
        for row in body["sources"]:
            made = _codec(Source).read(row, windows, sources)
            sources.append(Source(**attrs.asdict(made, recurse=False)))
        readers = [_codec(k).read for k in kinds]
        values: dict[str, Expectation] = {}
        for index, fields in body["values"]:
            value = readers[index](fields, windows, sources)
            values[value.subject] = value
        statements: list[StatementMade] = []
        for payload in body["statements"]:
            event = event_from_payload(payload)
            if type(event) is not StatementMade:
                raise TypeError(f"a statement is a {type(event).__name__}")
            statements.append(event)
    except (ChronologyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise SnapshotTextError(f"snapshot folded from {header.valid_to} records: {exc}") from None
    return ShelvedSnapshot(
        header.at, header.needs, header.valid_to, header.hash, values, tuple(statements)
    )
