"""The fold engine of the built-in projection: events in, expectation values out.

:class:`ExpectationFold` folds events, in order, into one mutable set of fields per subject,
through the handler :mod:`chronology.registry` gives each event class, and freezes them into
the value class of the subject's kind, deriving the statuses a view shows once a window is over
(each kind's ``past_due``: ``overdue``, ``awaiting_report``). The rules of the built-in kinds
live in :mod:`chronology.lifecycle`; a user's kind is folded the same way once registered.

The engine's own rules:

* the first event about a subject that has a kind fixes the subject's kind; events of another
  kind about it are left out of the built-in projection;
* an event whose class has a handler but no kind (a statement with a hedge, say) only updates
  an expectation that exists; one with neither is left out;
* a :class:`.StatementMade` is listed by the view, and folded into an expectation that exists
  only when it changes that expectation's hedge.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from chronology._fastinit import builder_class, set_class, slot_setter
from chronology._vintages import (
    VintageCut,
    VintageLog,
    bundle,
    raw_reader,
    reads_lazily,
    settled,
)
from chronology.events import Event, Source, StatementMade
from chronology.expectations import Expectation, Status, Vintage
from chronology.lifecycle import take_hedge
from chronology.registry import (
    COMMON_FIELDS,
    ExpectationKind,
    FoldHandler,
    expectation_kind,
    fold_rules,
)

__all__ = [
    "ExpectationFold",
    "due_at",
    "fold_expectations",
    "freeze_value",
    "past_due",
    "shown_at",
]

#: The fold rule of each event class: one dict hit per event (see registry.fold_rules).
_RULES: Final = fold_rules()


class _Builder:
    """The expectation of one subject while it is being folded. Mutable builders keep attrs
    object creation out of the loop; they are frozen once, at the end."""

    __slots__ = (
        "earlier",
        "event_ids",
        "fields",
        "first_known_at",
        "kind",
        "recent",
        "seen",
        "sources",
        "updated_at",
    )

    def __init__(self, subject: str, kind: ExpectationKind, known_at: datetime) -> None:
        self.fields: dict[str, Any] = {
            "subject": subject,
            "status": Status.UNKNOWN,
            "partial": True,
        }
        self.kind = kind
        #: The sources by :func:`_source_key`, in order of first appearance.
        self.sources: dict[object, Source] = {}
        #: The source objects met, by identity (held, so that an id is never reused): an
        #: event whose source object was met already skips :func:`_source_key`.
        self.seen: dict[int, Source] = {}
        #: The last two source objects met (or ``None``): an event with either is skipped
        #: by identity alone (a figure's vintages alternate between two sources).
        self.recent: Source | None = None
        self.earlier: Source | None = None
        self.first_known_at = known_at
        self.updated_at = known_at
        self.event_ids: list[str] = []

    def meet(self, source: Source | None) -> None:
        """Note the source of an event folded (``None``: none); :meth:`see` it if new."""
        self.earlier = self.recent
        self.recent = source
        if source is not None and id(source) not in self.seen:
            self.see(source)

    def see(self, source: Source) -> None:
        """Add ``source`` to the sources, unless an equal one is listed."""
        self.seen[id(source)] = source
        key = _source_key(source)
        if key not in self.sources:
            self.sources[key] = source


class ExpectationFold:
    """The built-in projection as an incremental fold: feed events in order, then freeze.

    ``apply`` is cheap (it mutates plain builders); :meth:`freeze` turns the builders into frozen
    expectation values as of an instant, deriving ``overdue`` and ``awaiting_report``.
    """

    __slots__ = ("_base", "_builders", "_kept", "count", "last", "needs", "statements", "thawed")

    def __init__(self, base: Mapping[str, Expectation] | None = None) -> None:
        """Start empty, or from ``base``: expectations frozen (with ``as_of=None``) from an
        earlier fold, which the events folded next continue. Only the subjects those events
        touch are thawed back into builders."""
        self._base: Mapping[str, Expectation] = {} if base is None else base
        self._builders: dict[str, _Builder] = {}
        #: Builders of an earlier fold whose values ``base`` holds (see :meth:`continued`).
        self._kept: dict[str, _Builder] = {}
        self.statements: list[StatementMade] = []
        #: How many subjects of the base the events folded so far thawed.
        self.thawed = 0
        #: How many events :meth:`fold_rows` folded.
        self.count = 0
        #: The ``known_at`` of the last event :meth:`fold_rows` folded (or the one a caller
        #: set, for a fold that continues another).
        self.last: datetime | None = None
        #: The highest position among the rows :meth:`fold_rows` folded (or what a caller
        #: set: at least that).
        self.needs = 0

    def apply(self, event: Event, event_id: str) -> bool:
        """Fold one event; return whether the built-in projection used it."""
        handler, kind = _RULES[event.__class__]
        b = self._builders.get(event.subject)
        if b is None or b.kind is not kind or handler is None:
            # Anything but the next event of a kind's subject being folded.
            found = self._first(event, handler, kind, b)
            if isinstance(found, bool):
                return found
            b, handler = found
        handler(b.fields, event)
        source = event.source
        if source is not b.recent and source is not b.earlier:
            b.meet(source)
        b.updated_at = event.known_at
        b.event_ids.append(event_id)
        return True

    def fold_rows(
        self,
        rows: Iterator[tuple[int, str, Event]],
        upto: int,
        left_out: Collection[str],
        stop_after: int | None = None,
        held: tuple[int, str, Event] | None = None,
    ) -> tuple[int, str, Event] | None:
        """Fold ``(position, event_id, event)`` rows in order, as :meth:`apply` would one by
        one, leaving out those past position ``upto`` and the ids in ``left_out``; keep
        :attr:`count`, :attr:`last` and :attr:`needs`.

        Args:
            rows: the rows, in fold order (consumed as far as folded).
            upto: the last position the fold sees.
            left_out: the ids it leaves out (retracted, or retractions).
            stop_after: once this many rows were folded (:attr:`count`), stop before the
                first row known later than the last one folded.
            held: a row to fold before ``rows`` (the one a call stopped before).

        Returns:
            The row stopped before (taken from ``rows``, not folded), or ``None`` once
            ``rows`` is exhausted.
        """
        builders = self._builders
        rules = _RULES
        first = self._first
        count = self.count
        last = self.last
        needs = self.needs
        limit = sys.maxsize if stop_after is None else stop_after
        stopped: tuple[int, str, Event] | None = None
        cls: type | None = None  # the class of the last event, whose rule is at hand
        rule: FoldHandler | None = None
        kind: ExpectationKind | None = None
        for row in rows if held is None else itertools.chain((held,), rows):
            position, event_id, event = row
            if position > upto or (left_out and event_id in left_out):
                continue
            known_at = event.known_at
            if count >= limit and last is not None and known_at > last:
                stopped = row
                break
            if event.__class__ is not cls:
                cls = event.__class__
                rule, kind = rules[cls]
            b = builders.get(event.subject)
            if b is not None and b.kind is kind and rule is not None:
                rule(b.fields, event)
            else:
                found = first(event, rule, kind, b)
                if found.__class__ is bool:
                    count += 1
                    last = known_at
                    needs = position if position > needs else needs
                    continue
                b, handler = found  # type: ignore[misc]
                handler(b.fields, event)
            source = event.source
            if source is not b.recent and source is not b.earlier:
                b.meet(source)
            b.updated_at = last = known_at
            b.event_ids.append(event_id)
            count += 1
            if position > needs:
                needs = position
        self.count = count
        self.last = last
        self.needs = needs
        return stopped

    def _first(
        self, event: Event, handler: FoldHandler | None, kind: ExpectationKind | None, b: Any
    ) -> tuple[_Builder, FoldHandler] | bool:
        """The builder and handler that fold ``event`` (the builder made or thawed when it is
        the first about its subject), or whether the projection used it when none does: a
        statement is listed, and folded only when it changes the hedge of an expectation
        that exists; an event of another kind than its subject's is left out."""
        subject = event.subject
        if handler is None:
            if event.__class__ is not StatementMade and not isinstance(event, StatementMade):
                return False
            self.statements.append(event)
            if not self._restates(subject, event):
                return True
            handler = take_hedge
        if b is None:
            earlier = self._base.get(subject)
            if earlier is not None:
                if kind is not None and earlier.kind != kind.name:
                    return False
                kept = self._kept.pop(subject, None)
                b = self._builders[subject] = _thaw(earlier) if kept is None else kept
                self.thawed += 1
            elif kind is None:
                return False
            else:
                b = self._builders[subject] = _Builder(subject, kind, event.known_at)
        elif kind is not None and b.kind is not kind:
            return False
        return b, handler

    def continued(self, base: Mapping[str, Expectation]) -> ExpectationFold:
        """A fold that continues this one from ``base``: the values this one's builders froze
        into (``as_of=None``), with the other subjects' as they were. Each subject this one
        folded goes on in its builder, not in one thawed from its value (the value holds
        copies, and a cut of the builder's vintages that later ones do not change)."""
        out = ExpectationFold(base)
        out._kept = self._builders
        out.last = self.last
        out.needs = self.needs
        return out

    def touched(self) -> Collection[str]:
        """The subjects the events folded so far changed (a builder holds each), as a live
        view."""
        return self._builders.keys()

    def _restates(self, subject: str, event: StatementMade) -> bool:
        """Whether a statement changes the hedge of an expectation that exists. Only then is
        it folded into it (a statement creates no expectation, and changes nothing else)."""
        hedge = (event.likelihood, event.probability)
        if hedge == (None, None):
            return False
        b = self._builders.get(subject)
        if b is not None:
            return hedge != (b.fields.get("likelihood"), b.fields.get("probability"))
        earlier: Any = self._base.get(subject)
        return earlier is not None and hedge != (
            getattr(earlier, "likelihood", None),
            getattr(earlier, "probability", None),
        )

    def subjects(self) -> list[str]:
        """The subjects with an expectation, sorted (those of the base included)."""
        if self._base:
            return sorted(self._builders.keys() | self._base.keys())
        return sorted(self._builders)

    def freeze_one(self, subject: str, as_of: datetime | None) -> Expectation | None:
        """The frozen expectation of one subject, its derived status (``overdue``,
        ``awaiting_report``) taken at ``as_of``."""
        b = self._builders.get(subject)
        if b is None:
            earlier = self._base.get(subject)
            if earlier is None or as_of is None:
                return earlier
            return shown_at(earlier, as_of)
        fields = b.fields
        kind = b.kind
        status = fields["status"]
        if as_of is not None:
            rule = kind.past_due.get(status)
            if rule is not None:
                window = fields.get(rule[1])
                if window is not None and window.end is not None and window.end <= as_of:
                    status = rule[0]
        return freeze_value(
            kind.value, fields, status, b.sources, b.first_known_at, b.updated_at, b.event_ids
        )

    def freeze(self, as_of: datetime | None) -> dict[str, Expectation]:
        """Every expectation, by subject (sorted); their vintages are made together, when
        one of them is first read."""
        out: dict[str, Expectation] = {}
        for subject in self.subjects():
            value = self.freeze_one(subject, as_of)
            assert value is not None
            out[subject] = value
        bundle(out.values())
        return out


#: The compiled constructor of each value class (see :func:`_value_maker`).
_MAKERS: dict[type, Callable[..., Any]] = {}

_Maker = Callable[[dict[str, Any], Any, Any, datetime, datetime, Any], Any]


def freeze_value(
    cls: type,
    fields: dict[str, Any],
    status: Any,
    sources: Mapping[object, Source],
    first_known_at: datetime,
    updated_at: datetime,
    event_ids: list[str] | tuple[str, ...],
) -> Expectation:
    """The value of class ``cls`` (a kind's value class) a builder's ``fields`` freeze into,
    with ``status`` (the derived one, when it applies), the sources (their values, in order),
    the first and latest ``known_at`` and the ids folded. A field whose default is a tuple
    may hold a list (frozen as a tuple; the builder's own list is left to it) or the
    log (``chronology._vintages.VintageLog``) the fold keeps vintages in: a field the class
    reads lazily gets a cut of it (vintages made when first read), any other its tuple of
    :class:`~chronology.expectations.Vintage`.

    Raises:
        TypeError: as ``cls(...)`` does, for a field the class does not have.
    """
    make = _MAKERS.get(cls)
    if make is None:
        make = _MAKERS[cls] = _value_maker(cls)
    value: Expectation = make(
        fields, status, tuple(sources.values()), first_known_at, updated_at, tuple(event_ids)
    )
    return value


def _by_init(cls: type) -> _Maker:
    """The constructor that calls the class (for a class the compiled one cannot serve)."""

    def make(
        fields: dict[str, Any],
        status: Any,
        sources: Any,
        first_known_at: datetime,
        updated_at: datetime,
        event_ids: Any,
    ) -> Any:
        kwargs = {k: settled(v, Vintage) for k, v in fields.items()}
        kwargs["status"] = status
        return cls(
            **kwargs,
            sources=sources,
            first_known_at=first_known_at,
            updated_at=updated_at,
            event_ids=event_ids,
        )

    return make


def _value_maker(cls: type) -> _Maker:
    """A constructor for a value class that fills its slots one by one, as its ``__init__``
    would: for a slotted attrs class whose fields have plain defaults and neither converters
    nor validators (the built-in value classes; a user's class may use more, and keeps its
    ``__init__``). A field left out of ``fields`` takes its default; a key that is no field
    goes to ``__init__``, which refuses it. The instance is filled in as a
    :func:`~chronology._fastinit.builder_class` instance when the class has one."""
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        return _by_init(cls)
    builder = builder_class(cls)
    ns: dict[str, Any] = {
        "_new": object.__new__,
        "_cls": cls,
        "_made": cls if builder is None else builder,
        "_set_class": set_class,
        "_slow": _by_init(cls),
        "_Log": VintageLog,
        "_Cut": VintageCut,
        "_settled": settled,
        "_Vintage": Vintage,
    }
    given = {"status", "sources", "first_known_at", "updated_at", "event_ids"}
    names: set[str] = set()
    body: list[str] = []
    for i, field in enumerate(attrs.fields(cls)):
        default = field.default
        setter = slot_setter(cls, field.name)
        if (
            field.converter is not None
            or field.validator is not None
            or not field.init
            or isinstance(default, attrs.Factory)  # type: ignore[arg-type]
            or setter is None
        ):
            return _by_init(cls)
        names.add(field.name)
        ns[f"_set{i}"] = setter
        if field.name in given:
            value = field.name
        elif default is attrs.NOTHING:
            value = f"f[{field.name!r}]"
        elif isinstance(default, tuple) and reads_lazily(cls, field.name):
            # A log of vintages is cut (made when read), the cut filled in here and set
            # through the slot itself: the field's descriptor would cost a call of its own.
            ns[f"_default{i}"] = default
            body += [
                f"    v = f.get({field.name!r}, _default{i})",
                "    if v.__class__ is _Log:",
                "        c = _new(_Cut)",
                "        c.log = v",
                "        c.count = len(v.events)",
                "        v = c",
                "    elif v.__class__ is not _Cut:",
                "        v = _settled(v, _Vintage)",
                f"    _set{i}(o, v)",
            ]
            continue
        elif isinstance(default, tuple):  # where the fold may hold a list or a log
            ns[f"_default{i}"] = default
            body.append(f"    v = f.get({field.name!r}, _default{i})")
            value = "v if v.__class__ is tuple else _settled(v, _Vintage)"
        else:
            ns[f"_default{i}"] = default
            value = f"f.get({field.name!r}, _default{i})"
        # A field read lazily is set through its slot (its descriptor would cost a call).
        direct = builder is None or reads_lazily(cls, field.name)
        body.append(f"    _set{i}(o, {value})" if direct else f"    o.{field.name} = {value}")
    ns["_names_cover"] = frozenset(names).issuperset
    lines = [
        "def make(f, status, sources, first_known_at, updated_at, event_ids):",
        "    if not _names_cover(f):",
        "        return _slow(f, status, sources, first_known_at, updated_at, event_ids)",
        "    o = _new(_made)",
        *body,
        *(() if builder is None else ["    _set_class(o, _cls)"]),
        "    return o",
    ]
    exec(compile("\n".join(lines), f"<chronology value of {cls.__qualname__}>", "exec"), ns)
    make: _Maker = ns["make"]
    return make


#: The past-due rules of each value class (see ExpectationKind.past_due).
_PAST_DUE: dict[type, Mapping[str, tuple[str, str]]] = {}


def _past_due_rules(value: Any) -> Mapping[str, tuple[str, str]]:
    cls = value.__class__
    try:
        return _PAST_DUE[cls]
    except KeyError:
        rules = _PAST_DUE[cls] = expectation_kind(value.kind).past_due
        return rules


def due_at(value: Expectation) -> datetime | None:
    """The instant from which ``value`` (frozen with ``as_of=None``) reads ``overdue`` or
    ``awaiting_report``, if any: the end of its window (or period) while it is still expected."""
    rule = _past_due_rules(value).get(value.status)
    if rule is not None:
        window = getattr(value, rule[1])
        if window is not None:
            end: datetime | None = window.end
            return end
    return None


def shown_at(value: Expectation, as_of: datetime) -> Expectation:
    """``value`` (frozen with ``as_of=None``) as a view at ``as_of`` shows it."""
    end = due_at(value)
    if end is not None and end <= as_of:
        return past_due(value)
    return value


#: The compiled copier of each value class (see :func:`past_due`).
_COPIERS: dict[type, Callable[[Any, Any], Any]] = {}


def past_due(value: Expectation) -> Expectation:
    """``value`` with its derived status (``overdue`` for a visit, ``awaiting_report`` for a
    figure), copied field by field by a function compiled once per class (``attrs.evolve``
    inspects the class on every call; a view may show tens of thousands of overdue visits);
    vintages and event ids not made yet are left so."""
    cls = type(value)
    copy = _COPIERS.get(cls)
    if copy is None:
        copy = _COPIERS[cls] = _copier(cls)
    return copy(value, _past_due_rules(value)[value.status][0])  # type: ignore[no-any-return]


def _copier(cls: type) -> Callable[[Any, Any], Any]:
    """``copy(value, status)``: a value of ``cls`` with every field of ``value`` but its
    status, taken as held (a lazy field's cut is copied, not made), filled in as an instance
    of the class's builder class where it has one, a field read lazily through its slot."""
    names = [f.name for f in attrs.fields(cls)]
    if any(slot_setter(cls, name) is None for name in names):  # a class without slots
        readers = [(name, raw_reader(cls, name)) for name in names if name != "status"]

        def by_name(v: Any, status: Any) -> Any:
            out: Any = object.__new__(cls)
            for name, read in readers:
                object.__setattr__(out, name, read(v))
            object.__setattr__(out, "status", status)
            return out

        return by_name
    builder = builder_class(cls)
    ns: dict[str, Any] = {"new": object.__new__, "made": builder or cls, "cls": cls}
    ns["set_class"] = set_class
    lines = ["def copy(v, status):", "    o = new(made)"]
    for i, name in enumerate(names):
        value = "status" if name == "status" else f"v.{name}"
        if reads_lazily(cls, name):
            ns[f"get{i}"] = raw_reader(cls, name)
            value = f"get{i}(v)"
        if builder is None or reads_lazily(cls, name):
            ns[f"set{i}"] = slot_setter(cls, name)
            lines.append(f"    set{i}(o, {value})")
        else:
            lines.append(f"    o.{name} = {value}")
    if builder is not None:
        lines.append("    set_class(o, cls)")
    lines.append("    return o")
    exec(compile("\n".join(lines), f"<past-due copier of {cls.__qualname__}>", "exec"), ns)
    copy: Callable[[Any, Any], Any] = ns["copy"]
    return copy


#: The fields of each value class a builder holds, each with how to read it as held.
_THAW: dict[type, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def _source_key(source: Source) -> object:
    """What tells sources apart in a builder: equal keys for equal sources. A plain
    :class:`Source` that is a name only (most are) is keyed by its name, which hashes far
    faster than the source; any other source is its own key."""
    if (
        source.__class__ is Source
        and source.kind is None
        and source.speaker is None
        and source.title is None
        and source.url is None
        and source.published_at is None
        and not source.via
    ):
        return source.name
    return source


def _thaw(value: Expectation) -> _Builder:
    """A builder that continues the fold ``value`` was frozen from (with ``as_of=None``).

    Builders leave out what no event set; ``None`` is what a frozen value shows for those, and
    no event sets a field to ``None`` in a way the handlers tell apart from leaving it out.
    Vintages not made yet are taken along as they are held (the fold rule continues them).
    """
    cls = type(value)
    names = _THAW.get(cls)
    if names is None:
        names = _THAW[cls] = tuple(
            (f.name, raw_reader(cls, f.name))
            for f in attrs.fields(cls)
            if f.name not in COMMON_FIELDS
        )
    b = _Builder.__new__(_Builder)
    fields: dict[str, Any] = {
        "subject": value.subject,
        "status": value.status,
        "partial": value.partial,
    }
    for name, read in names:
        v = read(value)
        if v is not None:
            fields[name] = v
    b.fields = fields
    b.kind = expectation_kind(value.kind)
    b.sources = {}
    b.seen = {}
    b.recent = b.earlier = None
    for source in value.sources:
        b.see(source)
    b.first_known_at = value.first_known_at
    b.updated_at = value.updated_at
    b.event_ids = list(value.event_ids)
    return b


def fold_expectations(events: Iterable[tuple[Event, str]]) -> ExpectationFold:
    """Fold ``(event, event_id)`` pairs, already in order, into a fresh :class:`ExpectationFold`."""
    state = ExpectationFold()
    apply = state.apply
    for event, event_id in events:
        apply(event, event_id)
    return state
