"""The text form of a fold snapshot, as a backend's shelf keeps it between runs (see
:class:`~chronology.stores.backend.SnapshotShelf` and :mod:`chronology.snapshots`).

A shelved snapshot is lines of text. The first, the header (JSON), says what the snapshot
is: the text's format version, ``valid_to`` (it was folded from the first ``valid_to``
records), the chain hash of record ``valid_to``, the assertion-time instant ``at`` it was
folded up to, ``needs``, and how many sections follow the values. The second (JSON) holds
the values: every expectation, those of each kind as one column per field (in declaration
order), and the statements, each as its event's payload. Then the sections, one a line:
what a listing seldom reads, decoded only when first read. A column of event ids is one
section (the ids joined by spaces, split when one value's ids are first read); a column of
vintages is one (JSON: the block of all the values' vintages with its own table of
instants, decoded when one value's vintages are first read). Until then a value holds a
cut of the section's block in the field's slot, and the field's descriptor (see
``chronology._vintages``) makes the tuple on first read: fields, equality, ``repr``,
``attrs.evolve``, pickling and a fold continuing from the value read as before.
Instants, windows, sources and quantities are written once, in tables, and named by their
place there (a figure's hundred vintages share one period and a couple of sources; figures
are often given on the same days); the values of each kind are written column by column (see
:mod:`chronology.snapshot_columns`), so that reading a million events' snapshot is a few large
JSON lists and strings, not millions of small ones.

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
import itertools
import json
import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import attrs

from chronology._collector import collector_paused
from chronology._fastinit import builder_class, set_class, slot_setters
from chronology._vintages import DeferredBlock, deferred_cuts, reads_lazily
from chronology.errors import ChronologyError
from chronology.events import StatementMade
from chronology.expectations import (
    Expectation,
    FigureExpectation,
    PlanExpectation,
    TradeExpectation,
    VisitExpectation,
)
from chronology.quantity import Quantity
from chronology.serialization import event_from_payload, instant_text, payload_of
from chronology.snapshot_columns import (
    Sections,
    column,
    interned_column,
    split_sizes,
    text_column,
    uncolumn,
    uninterned_column,
    untext_column,
)
from chronology.time import Window
from chronology.values import Source

__all__ = [
    "SHELVED_KINDS",
    "TEXT_FORMAT",
    "Header",
    "ShelvedSnapshot",
    "SnapshotTextError",
    "read_header",
    "read_snapshot",
    "snapshot_text",
]

#: The version of the text form this module writes (and the only one it reads). Format 1
#: wrote the windows and quantities row by row, each value's tuples as lists and a figure's
#: vintages in a block of columns per figure; format 2 wrote event ids and vintages inside
#: the values' line, decoded with them. A snapshot of another format is ignored (and shelved
#: again by the next full view that may write the file).
TEXT_FORMAT: Final = 3

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
    version of it. The message says what is wrong; a snapshot whose header or values cannot be
    read is dropped and folded again. Its sections of vintages are decoded only when a value's
    vintages are first read: one that cannot be decoded raises this error then, from the read
    (``verify`` names the snapshot; ``chronology verify --drop-snapshots`` removes it)."""


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
#
# Each class gets a writer and a reader generated from its fields' types, once. Instants,
# windows, sources and quantities are written once per snapshot, in tables (``I``, ``W``,
# ``S``, ``Q``), and named by their place there. The values of each kind, and the windows and
# quantities, are written column by column (``chronology.snapshot_columns``): a column whose
# items are all the same as that one item; tuples of texts interned, or joined when most
# differ (event ids); other tuples interned (sources); tuples of values of a class (a figure's
# vintages) as one block of columns for the whole column, with the tuples' sizes. The reader
# fills each instance as an instance of the class's builder class (plain assignment, which a
# frozen class refuses), then makes it one of the class (``chronology._fastinit``), without
# the class's validators.

#: The classes whose values are written once per snapshot, in a table, with the table's name.
_TABLES: Final = {Window: "W", Source: "S", Quantity: "Q", datetime: "I"}
_SCALARS: Final = (str, int, float, bool, type(None))


class _NoTextForm(Exception):
    """A field type the text form does not cover."""


class _Codec:
    """The writer and reader of one class's values (``write``, ``read``: each value as the
    list of its fields), and of sequences of them (``write_all``, ``read_all``: as columns,
    ``[count, column, column, ...]``, in the forms of :mod:`chronology.snapshot_columns`)."""

    def __init__(self, cls: type) -> None:
        hints = typing.get_type_hints(cls)
        names = [f.name for f in attrs.fields(cls)]
        builder = builder_class(cls)
        ns: dict[str, Any] = {
            "new": object.__new__,
            "cls": cls,
            "B": cls if builder is None else builder,
            "setcls": set_class,
        }
        fields = [f"f{i}" for i in range(len(names))]
        writes: list[str] = []
        reads: list[str] = []
        # In columns, tuples are written by their column's encoder and read back whole.
        column_writes: list[str] = []
        column_reads: list[str] = []
        encoders: list[Callable[[Sequence[Any], _Tables], Any]] = []
        decoders: list[Callable[..., Iterable[Any]]] = []
        for i, name in enumerate(names):
            tp = hints[name]
            write, read = _expressions(tp, f"o.{name}", f"f{i}", ns, 0)
            writes.append(write)
            # A field read lazily is set through its slot: it may hold a cut (the
            # field's descriptor would cost a call besides).
            lazy = reads_lazily(cls, name)
            if builder is None or lazy:
                (ns[f"set{i}"],) = slot_setters(cls, name)
                reads.append(f"    set{i}(o, {read})\n")
            else:
                reads.append(f"    o.{name} = {read}\n")
            direct = builder is None or lazy
            plain_read = f"    set{i}(o, f{i})\n" if direct else f"    o.{name} = f{i}\n"
            tuple_codec = _tuple_column(tp, write, read, f"f{i}", ns, lazy)
            if tuple_codec is None:
                column_writes.append(write)
                column_reads.append(reads[-1])
                encoders.append(_plain_encoder)
                decoders.append(_plain_decoder)
            else:
                raw, encode, decode = tuple_codec
                column_writes.append(f"o.{name}" if raw else write)
                column_reads.append(plain_read)
                encoders.append(encode)
                decoders.append(decode)
        ns["encoders"] = encoders
        ns["decoders"] = decoders
        unpack = f"    ({', '.join(fields)},) = v\n"
        source = [
            "def write(o, t):\n    return [" + ", ".join(writes) + "]\n",
            "def write_column_row(o, t):\n    return [" + ", ".join(column_writes) + "]\n",
            "def read(v, W, S, Q, I, X):\n" + unpack + "    o = new(B)\n" + "".join(reads),
            "    setcls(o, cls)\n" if builder else "",
            "    return o\n",
        ]
        source += [
            "def write_all(items, t):\n",
            "    rows = [write_column_row(o, t) for o in items]\n",
            "    return [len(rows), *[e(c, t) for e, c in zip(encoders, zip(*rows))]]\n",
            "def read_all(v, W, S, Q, I, X):\n",
            "    n = v[0]\n",
            "    if not n and len(v) == 1:\n        return ()\n",
            f"    if len(v) != {len(names) + 1}:\n",
            f"        raise ValueError(str(len(v) - 1) + ' columns for {len(names)} fields')\n",
            "    out = []\n",
            "    add = out.append\n",
            "    columns = [d(c, n, W, S, Q, I, X) for d, c in zip(decoders, v[1:])]\n",
            f"    for {', '.join(fields)} in zip(*columns, strict=True):\n",
            "        o = new(B)\n",
            *["    " + r for r in column_reads],
            "        setcls(o, cls)\n" if builder else "",
            "        add(o)\n",
            "    if len(out) != n:\n",
            "        raise ValueError('columns of unequal lengths')\n",
            "    return tuple(out)\n",
        ]
        exec(compile("".join(source), f"<snapshot codec of {cls.__qualname__}>", "exec"), ns)
        self.write: Callable[[Any, _Tables], list[Any]] = ns["write"]
        self.read: Callable[[Any, Any, Any, Any, Any, Any], Any] = ns["read"]
        self.write_all: Callable[[Any, _Tables], list[Any]] = ns["write_all"]
        self.read_all: Callable[[Any, Any, Any, Any, Any, Any], tuple[Any, ...]] = ns["read_all"]


def _plain_encoder(items: Sequence[Any], tables: _Tables) -> Any:
    return column(items)


def _plain_decoder(data: Any, count: int, *tables: Any) -> Iterable[Any]:
    return uncolumn(data, count)


def _tuple_column(
    tp: Any, write: str, read: str, encoded: str, ns: dict[str, Any], lazy: bool
) -> tuple[bool, Callable[[Sequence[Any], _Tables], Any], Callable[..., Iterable[Any]]] | None:
    """How a field of type ``tp`` is written in columns, if it is a tuple: whether the column's
    encoder takes the raw tuples (else the row form ``write`` makes), the encoder, and the
    decoder (which gives whole tuples, or, for a field read ``lazy``-ly, cuts of a block made
    when first read); ``None`` for a field that is not a tuple."""
    args = typing.get_args(tp)
    if not (typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis):
        return None
    item = args[0]
    if item is str:

        def decode_texts(data: Any, count: int, *tables: Any) -> Iterable[Any]:
            return untext_column(data, count, tables[-1], lazy=lazy)

        return True, lambda items, t: text_column(items, t.sections), decode_texts
    if attrs.has(item) and item not in _TABLES:
        return True, *_nested_column(_codec(item), lazy)
    # Any other tuple: its row form's items (names in the tables, members' places), interned.
    plain = item in _SCALARS or item in _TABLES
    if not (plain or (isinstance(item, type) and issubclass(item, enum.Enum))):
        raise _NoTextForm(tp)
    item_ns = dict(ns)
    exec(f"def read_tuple({encoded}, W, S, Q, I, X):\n    return {read}\n", item_ns)
    read_tuple = item_ns["read_tuple"]

    def decode_interned(data: Any, count: int, *tables: Any) -> Iterable[Any]:
        return uninterned_column(data, count, lambda item: read_tuple(item, *tables))

    return False, lambda items, t: interned_column(items), decode_interned


def _nested_column(
    codec: _Codec, lazy: bool
) -> tuple[Callable[[Sequence[Any], _Tables], Any], Callable[..., Iterable[Any]]]:
    """The encoder and decoder of a column of tuples of values of a class (a figure's
    vintages): every row's values as one block of columns, in a section of the text of its
    own with its own table of instants (``{"I": [...], "v": [...]}``), named in the column
    with the tuples' sizes and how many values the block holds; for a field read ``lazy``-ly
    the section is decoded when one of the tuples is first read."""

    def encode(items: Sequence[tuple[Any, ...]], tables: _Tables) -> Any:
        flat = list(itertools.chain.from_iterable(items))
        block = _BlockTables(tables)
        written = codec.write_all(flat, block)
        tables.sections.append(
            json.dumps({"I": block.instant_rows, "v": written}, separators=(",", ":"))
        )
        sizes = column(tuple(map(len, items)))
        return {"s": len(tables.sections) - 1, "n": sizes, "c": len(flat)}

    def decode(data: Any, count: int, *shared: Any) -> Iterable[Any]:
        windows, sources, quantities, _, sections = shared
        place = data["s"]
        sizes = data["n"]
        total = data["c"]
        if not 0 <= place < len(sections):
            raise IndexError(f"section {place} of {len(sections)}")

        def make() -> list[tuple[Any, ...]]:
            try:
                section = json.loads(sections[place])
                instants = _instants(section["I"])
                flat = codec.read_all(
                    section["v"], windows, sources, quantities, instants, sections
                )
                if len(flat) != total:
                    raise ValueError(f"{len(flat)} values in a block of {total}")
                return list(split_sizes(flat, sizes, count))
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
                raise SnapshotTextError(f"a shelved block of values: {exc}") from None

        if not lazy:
            return make()
        counts = list(uncolumn(sizes, count))
        if len(counts) != count or min(counts, default=0) < 0 or sum(counts) != total:
            raise ValueError(f"{len(counts)} tuple sizes for {count} tuples of {total} values")
        return deferred_cuts(DeferredBlock(make), counts)

    return encode, decode


def _instants(texts: list[str]) -> list[datetime]:
    instants = list(map(datetime.fromisoformat, texts))
    if None in map(_TZINFO, instants):
        raise ValueError("an instant without an offset")
    return instants


_CODECS: dict[type, _Codec] = {}
_TZINFO: Final = operator.attrgetter("tzinfo")


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
        if all(a in _SCALARS for a in args):
            return value, encoded
        if len(others) != 1:
            raise _NoTextForm(tp)
        write, read = _expressions(others[0], value, encoded, ns, depth)
        return f"(None if {value} is None else {write})", f"(None if {encoded} is None else {read})"
    if tp in _SCALARS:
        return value, encoded
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        # A member as its place among the members: a small integer.
        members = list(tp)
        ns[f"index_{tp.__name__}"] = {member: i for i, member in enumerate(members)}
        ns[f"members_{tp.__name__}"] = members
        return f"index_{tp.__name__}[{value}]", f"members_{tp.__name__}[{encoded}]"
    table = _TABLES.get(tp)
    if table is not None:
        return f"t.{table}({value})", f"{table}[{encoded}]"
    if typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if item in _SCALARS:
            return value, f"tuple({encoded})"
        if attrs.has(item) and item not in _TABLES:
            name = f"codec_{item.__name__}_{id(item)}"
            ns[name] = _codec(item)
            return f"{name}.write_all({value}, t)", f"{name}.read_all({encoded}, W, S, Q, I, X)"
        e = f"e{depth}"
        write, read = _expressions(item, e, e, ns, depth + 1)
        return f"[{write} for {e} in {value}]", f"tuple([{read} for {e} in {encoded}])"
    if attrs.has(tp):
        name = f"codec_{tp.__name__}_{id(tp)}"
        ns[name] = _codec(tp)
        return f"{name}.write({value}, t)", f"{name}.read({encoded}, W, S, Q, I, X)"
    raise _NoTextForm(tp)


class _Tables:
    """The windows, sources, quantities and instants of one snapshot, each written once and
    named by its place (the methods are named as the readers name the tables). Windows and
    quantities are written in columns at the end (:meth:`columns`), sources row by row as they
    come (a source's ``via`` names sources written before it)."""

    def __init__(self) -> None:
        self.windows: dict[Window, int] = {}
        self.window_rows: list[Window] = []
        self.sources: dict[Source, int] = {}
        self.source_rows: list[list[Any]] = []
        self.quantities: dict[tuple[Any, ...], int] = {}
        self.quantity_rows: list[Quantity] = []
        self.instants: dict[datetime, int] = {}
        self.instant_rows: list[str] = []
        #: The sections of the text after the values (see :func:`snapshot_text`).
        self.sections: list[str] = []

    def W(self, w: Window) -> int:
        found = self.windows.get(w)
        if found is None:
            found = self.windows[w] = len(self.window_rows)
            self.window_rows.append(w)
        return found

    def S(self, s: Source) -> int:
        found = self.sources.get(s)
        if found is None:
            # The sources it names (``via``) come first: they are read back first.
            row = _codec(Source).write(s, self)
            found = self.sources[s] = len(self.source_rows)
            self.source_rows.append(row)
        return found

    def I(self, t: datetime) -> int:  # noqa: E743 - the table's name in the readers
        found = self.instants.get(t)
        if found is None:
            found = self.instants[t] = len(self.instant_rows)
            self.instant_rows.append(instant_text(t))
        return found

    def Q(self, q: Quantity) -> int:
        # Equal quantities may differ in how they print (1 and 1.0, 0.0 and -0.0): the key
        # keeps them apart.
        key = (repr(q.value), q.unit, repr(q.low), repr(q.high), q.approximate)
        found = self.quantities.get(key)
        if found is None:
            found = self.quantities[key] = len(self.quantity_rows)
            self.quantity_rows.append(q)
        return found

    def columns(self) -> tuple[list[Any], list[Any]]:
        """The windows and the quantities in columns (the windows' instants put in their
        table: write the instants after)."""
        return (
            _codec(Window).write_all(self.window_rows, self),
            _codec(Quantity).write_all(self.quantity_rows, self),
        )


class _BlockTables(_Tables):
    """The tables a section's block of values is written with: the snapshot's windows,
    sources and quantities, and the block's own instants (read only with the block)."""

    def __init__(self, main: _Tables) -> None:
        super().__init__()
        self.main = main
        self.sections = main.sections

    def W(self, w: Window) -> int:
        return self.main.W(w)

    def S(self, s: Source) -> int:
        return self.main.S(s)

    def Q(self, q: Quantity) -> int:
        return self.main.Q(q)


# -- writing and reading --------------------------------------------------------------------------


def snapshot_text(snapshot: ShelvedSnapshot) -> str | None:
    """The text form of ``snapshot``, or ``None`` if one of its values is of a kind with no
    text form (a kind a user or a plugin registered)."""
    tables = _Tables()
    kinds: dict[str, int] = {}
    order: list[int] = []
    groups: list[list[Expectation]] = []
    for value in snapshot.values.values():
        if SHELVED_KINDS.get(value.kind) is not type(value):
            return None
        index = kinds.setdefault(value.kind, len(kinds))
        if index == len(groups):
            groups.append([])
        groups[index].append(value)
        order.append(index)
    try:
        blocks = [_codec(type(group[0])).write_all(group, tables) for group in groups]
    except _NoTextForm:
        return None
    windows, quantities = tables.columns()
    header = {
        "format": TEXT_FORMAT,
        "valid_to": snapshot.valid_to,
        "hash": snapshot.hash,
        "at": instant_text(snapshot.at),
        "needs": snapshot.needs,
        "sections": len(tables.sections),
    }
    body = {
        "kinds": list(kinds),
        "windows": windows,
        "sources": tables.source_rows,
        "quantities": quantities,
        "instants": tables.instant_rows,
        "order": column(order) if order else [],
        "values": blocks,
        "statements": [payload_of(s) for s in snapshot.statements],
    }
    lines = [json.dumps(header), json.dumps(body, separators=(",", ":")), *tables.sections]
    return "\n".join(lines)


def read_header(text: str) -> Header:
    """The header of a shelved snapshot: what it claims to be, without decoding its values.

    Raises:
        SnapshotTextError: if the first line is not a header of this version of the form.
    """
    end = text.find("\n")
    try:
        data = json.loads(text if end < 0 else text[:end])
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
    # The values are a great many small objects, none of them garbage: the collector would walk
    # them again and again as they are made (half the time at a million vintages).
    with collector_paused():
        return _read_body(text, header)


def _read_body(text: str, header: Header) -> ShelvedSnapshot:
    try:
        # The header, the values, then the sections (decoded when first read).
        sections = Sections(text, 1)  # the values, then the sections proper
        named = json.loads(text[: text.find("\n")]).get("sections")
        if named != len(sections) - 1:
            raise ValueError(f"{len(sections) - 1} sections after the values, not {named!r}")
        body = json.loads(sections[0])
        sections = sections.after(1)
        kinds = [SHELVED_KINDS[k] for k in body["kinds"]]
        instants = _instants(body["instants"])
        windows = _codec(Window).read_all(body["windows"], (), (), (), instants, sections)
        quantities = _codec(Quantity).read_all(body["quantities"], (), (), (), (), sections)
        sources: list[Source] = []
        for row in body["sources"]:
            made = _codec(Source).read(row, windows, sources, quantities, instants, sections)
            sources.append(Source(**attrs.asdict(made, recurse=False)))
        blocks = [
            _codec(kind).read_all(block, windows, sources, quantities, instants, sections)
            for kind, block in zip(kinds, body["values"], strict=True)
        ]
        order = body["order"]
        if order.__class__ is list:
            taken = [iter(block) for block in blocks]
            found: Iterable[Expectation] = [next(taken[k]) for k in order]
            if any(next(rest, None) is not None for rest in taken):
                raise ValueError("more values than the order names")
        else:
            found = blocks[order["all"]] if blocks else ()
        values = {value.subject: value for value in found}
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
