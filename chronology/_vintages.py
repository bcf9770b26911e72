"""Vintages made when first read: the compact form the fold keeps of a figure's vintages.

A figure folded from a hundred revisions holds a hundred vintages in its ``projections``; a
view of a thousand such figures made a hundred thousand :class:`~chronology.expectations.Vintage`
values, half the time of the view, though a view is mostly asked for statuses and latest
figures. So the fold keeps, for each such field of a subject it folds, a :class:`VintageLog`:

* the events whose figures are the vintages, in fold order (the events are held by the store
  anyway: keeping them costs a list entry each);
* the *runs* of what a vintage takes from the fold rather than from its event (its scope,
  period and ``preliminary`` flag, as the fold rule gives them): one entry for as long as they
  stay the same, which for a figure's revisions is the whole run.

A value frozen from the log holds a :class:`VintageCut` (the log's first so many vintages) in
that field's slot, and the class reads the field through :class:`LazyVintages` (installed by
:func:`read_lazily`): the first read makes the tuple of vintages and keeps it in the slot. Every
way of reading a field goes through it (attribute access, equality, hashing, ``repr``,
``attrs.evolve``, ``attrs.asdict``, pickling), so a value reads exactly as one made with its
tuple. Reading the class attribute gives the slot itself, as for any other field, so code
that sets or reads slots directly (:func:`~chronology._fastinit.slot_setter`) sets or reads
the form held (:func:`raw_reader` names that way of reading it).

Vintages are made once per log, under one lock, and shared by every cut of it: the changes of
a history (one value per event, each with one more vintage) share one set. The values of one
answer (a view's) are :func:`bundle`-d: the first read of any of their vintages makes them all,
with the collector paused, as the fold used to make them (made one value at a time, with the
collector on, they cost four times as much: see :func:`bundle`).
"""

from __future__ import annotations

import operator
import threading
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import attrs

from chronology._collector import collector_paused, promote_young
from chronology._fastinit import builder_class, set_class

__all__ = [
    "DeferredBlock",
    "DeferredVintages",
    "LazyVintages",
    "VintageCut",
    "VintageLog",
    "bundle",
    "deferred_cuts",
    "held_count",
    "raw_reader",
    "read_deferred",
    "read_lazily",
    "reads_lazily",
    "settled",
]

#: The current run of a log that has none yet: equal to nothing a fold rule gives.
_NO_RUN: Final = object()

#: Held while vintages are made (a log's ``made`` list only grows, and only under it).
_MAKING: Final = threading.Lock()

#: The builder class of each vintage class (see :func:`~chronology._fastinit.builder_class`).
_BUILDERS: dict[type, type | None] = {}


class VintageLog:
    """The vintages of one field of one subject being folded, in their compact form.

    A fold rule appends each event whose figure is a vintage to :attr:`events`, after calling
    :meth:`turn` when what the vintage takes from the fold (scope, period, ``preliminary``)
    differs from the current run's (``scope`` is compared by equality, ``period`` and
    ``preliminary`` by identity: an equal value that is another object only starts a new run).
    Only the fold that made a log appends to it; the vintages it makes are kept in
    :attr:`made`, shared by every :class:`VintageCut` of it.

    Attributes:
        head: vintages made already, before :attr:`events` (those of a value thawed back).
        events: the events whose figures follow, in fold order.
        runs: ``(first index into events, scope, period, preliminary)`` of each run.
        scope: the current run's scope.
        period: the current run's period.
        preliminary: the current run's flag.
        made: the vintages made so far: :attr:`head`, then one per event, in order.
        bundle: the logs whose vintages are made together with this one's (see
            :func:`bundle`), or ``None``.
    """

    __slots__ = ("bundle", "events", "head", "made", "period", "preliminary", "runs", "scope")

    def __init__(self, head: tuple[Any, ...] = ()) -> None:
        """An empty log, or one that continues ``head`` (a tuple of vintages)."""
        self.head = head
        self.events: list[Any] = []
        self.runs: list[tuple[int, Any, Any, Any]] = []
        self.scope: Any = _NO_RUN
        self.period: Any = _NO_RUN
        self.preliminary: Any = _NO_RUN
        self.made: list[Any] = list(head)
        self.bundle: list[VintageLog] | None = None

    @classmethod
    def continuing(cls, held: Any) -> VintageLog:
        """A new log to append to, continuing what a value's field holds: nothing (``None``
        or an empty tuple), a tuple or list of vintages, or a :class:`VintageCut` (whose log
        is copied up to the cut, never appended to: other values may hold cuts of it)."""
        if held.__class__ is VintageCut:
            return held.log._copy(held.count)
        return cls(tuple(held) if held else ())

    def _copy(self, count: int) -> VintageLog:
        """A new log holding this one's first ``count`` events (and its head)."""
        out = VintageLog.__new__(VintageLog)
        out.head = self.head
        out.events = self.events[:count]
        runs = [run for run in self.runs if run[0] < count]
        out.runs = runs
        if runs:
            _, out.scope, out.period, out.preliminary = runs[-1]
        else:
            out.scope = out.period = out.preliminary = _NO_RUN
        out.made = self.made[: len(self.head) + count]
        out.bundle = None
        return out

    def turn(self, scope: Any, period: Any, preliminary: Any) -> None:
        """Start a run: the events appended from now on take these."""
        self.runs.append((len(self.events), scope, period, preliminary))
        self.scope = scope
        self.period = period
        self.preliminary = preliminary

    def cut(self) -> VintageCut:
        """The vintages logged so far, as a frozen value holds them."""
        return VintageCut(self, len(self.events))

    def vintages(self, count: int, item: type) -> tuple[Any, ...]:
        """The head and the first ``count`` events' vintages, as instances of ``item`` (the
        class :class:`~chronology.expectations.Vintage`), made now if they were not yet;
        with those of every log of its bundle, if it is in one."""
        stop = len(self.head) + count
        with _MAKING:
            if len(self.made) < stop:
                with collector_paused():
                    together = self.bundle
                    if together is None:
                        self._make(stop, item)
                    else:
                        for log in together:
                            log.bundle = None
                            log._make(len(log.head) + len(log.events), item)
                        together.clear()
                        self._make(stop, item)  # appended to since it was bundled
                    promote_young()  # lasting: out of the young generation without a walk
            return tuple(self.made[:stop])

    def _make(self, stop: int, item: type) -> None:
        """Make the vintages up to index ``stop`` of :attr:`made` (with ``_MAKING`` held)."""
        builder = _builder(item)
        made, events, runs = self.made, self.events, self.runs
        head = len(self.head)
        start = len(made) - head
        end = stop - head
        if start >= end:
            return
        new = object.__new__
        v: Any
        for k, (first, scope, period, preliminary) in enumerate(runs):
            last = runs[k + 1][0] if k + 1 < len(runs) else len(events)
            for e in events[max(first, start) : min(last, end)]:
                v = new(builder)
                v.quantity = e.quantity
                v.scope = scope
                v.known_at = e.known_at
                v.period = period
                v.preliminary = preliminary
                v.source = e.source
                set_class(v, item)
                made.append(v)


def _builder(item: type) -> type:
    """The builder class of the vintage class ``item``.

    Raises:
        TypeError: if ``item`` is not a frozen slotted class.
    """
    builder = _BUILDERS.get(item)
    if builder is None:
        builder = builder_class(item)
        if builder is None:
            raise TypeError(f"{item.__qualname__}: vintages must be of a frozen slotted class")
        _BUILDERS[item] = builder
    return builder


class VintageCut:
    """The first :attr:`count` vintages of :attr:`log` (those of its head, then of that many
    events): what a frozen value holds in a field read lazily, until the field is read."""

    __slots__ = ("count", "log")

    def __init__(self, log: VintageLog | DeferredVintages, count: int) -> None:
        """The cut of ``log`` at ``count`` events."""
        self.log = log
        self.count = count

    def __len__(self) -> int:
        """How many vintages the cut holds."""
        return len(self.log.head) + self.count

    def vintages(self, item: type) -> tuple[Any, ...]:
        """The tuple of vintages (of class ``item``) the cut stands for."""
        return self.log.vintages(self.count, item)

    def __repr__(self) -> str:
        return f"<VintageCut of {len(self)} vintages>"


class DeferredBlock:
    """The tuples of one field of many values, made together by one call when any of them
    is first read (a shelved snapshot's event ids or vintages, decoded only when read: see
    :mod:`chronology.snapshot_text`)."""

    __slots__ = ("_lock", "_made", "_make")

    def __init__(self, make: Callable[[], Sequence[tuple[Any, ...]]]) -> None:
        """A block whose tuples ``make()`` gives, in the values' order."""
        self._make: Callable[[], Sequence[tuple[Any, ...]]] | None = make
        self._made: Sequence[tuple[Any, ...]] = ()
        self._lock = threading.Lock()

    def tuples(self) -> Sequence[tuple[Any, ...]]:
        """Every value's tuple, made on the first call (with the collector paused)."""
        if self._make is None:  # made (``_made`` is set before ``_make`` is cleared)
            return self._made
        with self._lock:
            make = self._make
            if make is not None:
                with collector_paused():
                    self._made = make()
                self._make = None
            return self._made


class DeferredVintages:
    """What a :class:`VintageCut` of a value in a :class:`DeferredBlock` cuts: the block and
    the value's place in it (it stands where a :class:`VintageLog` stands, and reads as the
    tuple the block makes for that place)."""

    __slots__ = ("block", "index")

    #: Made already: nothing (the cut's ``count`` is the whole tuple's length).
    head: Final[tuple[Any, ...]] = ()
    #: Never put in a view's bundle: the block is made together already.
    bundle: Final[tuple[Any, ...]] = ()

    def __init__(self, block: DeferredBlock, index: int) -> None:
        """The tuple at ``index`` of ``block``."""
        self.block = block
        self.index = index

    def vintages(self, count: int, item: Any) -> tuple[Any, ...]:
        """The first ``count`` items of the tuple (``item`` is what the block makes)."""
        made = self.block.tuples()[self.index]
        return made if count == len(made) else made[:count]

    def _copy(self, count: int) -> VintageLog:
        """A log to fold on from, continuing the first ``count`` vintages (a thawed value)."""
        return VintageLog(self.vintages(count, None))


def deferred_cuts(block: DeferredBlock, sizes: Iterable[int]) -> list[VintageCut]:
    """A cut per value of ``block`` (of the given tuple sizes, in order), to hold in a field
    read lazily (see :func:`read_lazily` and :func:`read_deferred`) until it is read."""
    new = object.__new__
    out: list[VintageCut] = []
    add = out.append
    for index, size in enumerate(sizes):
        held = new(DeferredVintages)
        held.block = block
        held.index = index
        cut = new(VintageCut)
        cut.log = held
        cut.count = size
        add(cut)
    return out


def bundle(values: Iterable[Any]) -> None:
    """Have the vintages of ``values`` (frozen together: a view's answer) made together, the
    first time any of them is read, with the collector paused: read one by one, a hundred
    thousand vintages set off the collector hundreds of times, and a walk of the whole heap
    besides, more than making them costs. A log already in a bundle stays in its own."""
    together: list[VintageLog] = []
    readers: dict[type, tuple[Callable[[Any], Any], ...]] = {}
    for value in values:
        cls = value.__class__
        mine = readers.get(cls)
        if mine is None:
            mine = readers[cls] = _lazy_readers(cls)
        for read in mine:
            held = read(value)
            if held.__class__ is VintageCut:
                log = held.log
                if log.bundle is None and len(log.made) < len(log.head) + len(log.events):
                    log.bundle = together
                    together.append(log)


def settled(held: Any, item: type) -> Any:
    """What a field read eagerly holds for ``held``: a log or a cut as its tuple of vintages
    (of class ``item``), a list as a tuple, anything else as it is."""
    cls = held.__class__
    if cls is VintageLog:
        return held.vintages(len(held.events), item)
    if cls is VintageCut:
        return held.vintages(item)
    if cls is list:
        return tuple(held)
    return held


class LazyVintages:
    """The descriptor of a field read lazily: a :class:`VintageCut` held in the field's slot is
    made into its tuple of vintages on the first read, which the slot keeps from then on.

    Read on the class, it gives the slot itself (a member descriptor), as for any field of a
    slotted class; set and deleted, it sets and deletes the slot.
    """

    __slots__ = ("_get", "_set", "item", "slot")

    def __init__(self, slot: Any, item: type) -> None:
        """Read the slot ``slot`` (the class's member descriptor); vintages are of class
        ``item``."""
        self.slot = slot
        self.item = item
        self._get: Callable[[Any], Any] = slot.__get__
        self._set: Callable[[Any, Any], None] = slot.__set__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.slot
        held = self._get(instance)
        if held.__class__ is VintageCut:
            held = held.vintages(self.item)
            self._set(instance, held)
        return held

    def __set__(self, instance: Any, value: Any) -> None:
        self._set(instance, value)

    def __delete__(self, instance: Any) -> None:
        self.slot.__delete__(instance)


def read_lazily(cls: type, item: type, names: Iterable[str]) -> None:
    """Make the fields ``names`` of the slotted class ``cls`` read lazily (see the module);
    their vintages are of class ``item``.

    Raises:
        TypeError: if a field is not a slot of ``cls`` itself, or ``item`` is not a frozen
            slotted class.
    """
    _builder(item)
    for name in names:
        slot = cls.__dict__.get(name)
        if type(slot) is not types.MemberDescriptorType:
            raise TypeError(f"{cls.__qualname__}.{name} is not a slot of the class")
        setattr(cls, name, LazyVintages(slot, item))


def read_deferred(cls: type, names: Iterable[str]) -> None:
    """Make the fields ``names`` of the slotted class ``cls`` read lazily when they hold a
    cut of a :class:`DeferredBlock` (any other tuple reads as it is held), as
    :func:`read_lazily` does for vintages.

    Raises:
        TypeError: if a field is not a slot of ``cls`` itself.
    """
    for name in names:
        slot = cls.__dict__.get(name)
        if type(slot) is not types.MemberDescriptorType:
            raise TypeError(f"{cls.__qualname__}.{name} is not a slot of the class")
        setattr(cls, name, LazyVintages(slot, object))  # ``object``: no vintages


#: The readers :func:`raw_reader` gave, by class and field.
_READERS: dict[tuple[type, str], Callable[[Any], Any]] = {}


def _lazy(cls: type, name: str) -> LazyVintages | None:
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return found if isinstance(found, LazyVintages) else None
    return None


#: The raw readers of each class's lazy fields (see :func:`bundle`).
_LAZY_READERS: dict[type, tuple[Callable[[Any], Any], ...]] = {}


def _lazy_readers(cls: type) -> tuple[Callable[[Any], Any], ...]:
    readers = _LAZY_READERS.get(cls)
    if readers is None:
        found = (_lazy(cls, f.name) for f in attrs.fields(cls)) if attrs.has(cls) else ()
        # Fields read lazily only when they hold a deferred block's cut (event ids) are
        # never bundled: their blocks are made together already.
        readers = _LAZY_READERS[cls] = tuple(
            lazy.slot.__get__ for lazy in found if lazy and lazy.item is not object
        )
    return readers


def reads_lazily(cls: type, name: str) -> bool:
    """Whether instances of ``cls`` read the field ``name`` lazily (see :func:`read_lazily`)."""
    return _lazy(cls, name) is not None


def raw_reader(cls: type, name: str) -> Callable[[Any], Any]:
    """How to read the field ``name`` of instances of ``cls`` as held: a lazy field's
    :class:`VintageCut` as it is (a thaw or a copy takes it along without making vintages);
    any other field as an attribute."""
    reader = _READERS.get((cls, name))
    if reader is None:
        found = _lazy(cls, name)
        reader = operator.attrgetter(name) if found is None else found.slot.__get__
        _READERS[(cls, name)] = reader
    return reader


def held_count(value: Any, name: str) -> int:
    """How many vintages the field ``name`` of ``value`` holds, without making them."""
    held = raw_reader(type(value), name)(value)
    return len(held)
