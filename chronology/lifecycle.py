"""The fold rules of the two life cycles, each written once, and the built-in kinds.

A **planned happening** (a plan; a visit is one kind) is announced, scheduled, rescheduled,
postponed, cancelled or occurs; a **figure** (a trade flow is one kind) is projected, revised and
reported. The rules (see :mod:`chronology.expectations` for what they mean):

* each event sets what it carries (``None`` and an empty tuple carry nothing);
* the status follows the latest-known event, except that an outcome or a cancellation
  (:data:`~chronology.expectations.OUTCOME_STATUSES`) holds against later expectation events,
  which add their information but leave the status and the window;
* ``reason`` is the reason for the current status: a status change drops a reason it does not
  give;
* the hedge (``likelihood`` with ``probability``) is the latest one given (:func:`take_hedge`);
* once an occurrence said where and with whom, that holds against later announcements;
* reports are kept beside projections, never over them.

The handlers here are built from those rules, one per kind of event, parameterised only by the
fields a family's events carry; visits and plans share them, and so do trade flows and figures.
This module registers the four built-in kinds (``visit``, ``trade``, ``plan``, ``figure``) and
their handlers through :mod:`chronology.registry`, exactly as a user's family registers its own;
a user's family with one of these life cycles can reuse the handlers (:func:`announcement`,
:func:`projection`, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from chronology._vintages import VintageLog
from chronology.errors import KindError
from chronology.events import (
    AgendaChanged,
    FigureEvent,
    PlanEvent,
    TradeEvent,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitEvent,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.expectations import (
    OUTCOME_STATUSES,
    FigureExpectation,
    PlanExpectation,
    Status,
    TradeExpectation,
    VisitExpectation,
)
from chronology.figures import FigureProjected, FigureReported, FigureRevised
from chronology.plans import (
    PlanAnnounced,
    PlanCancelled,
    PlanOccurred,
    PlanPostponed,
    PlanRescheduled,
    PlanScheduled,
)
from chronology.registry import FoldHandler, register_fold_handler, register_kind

__all__ = [
    "FIGURE_PAST_DUE",
    "PLAN_PAST_DUE",
    "agenda_changed",
    "announcement",
    "cancelled",
    "occurred",
    "postponed",
    "projection",
    "reported",
    "rescheduled",
    "revised",
    "scheduling",
    "take_hedge",
]

Fields = dict[str, Any]

#: A planned happening still expected reads ``overdue`` once its window has ended.
PLAN_PAST_DUE: Final[Mapping[str, tuple[str, str]]] = dict.fromkeys(
    (Status.ANNOUNCED, Status.SCHEDULED, Status.POSTPONED), (Status.OVERDUE, "window")
)
#: A figure still projected reads ``awaiting_report`` once its period has ended.
FIGURE_PAST_DUE: Final[Mapping[str, tuple[str, str]]] = dict.fromkeys(
    (Status.PROJECTED, Status.REVISED), (Status.AWAITING_REPORT, "period")
)

# -- the rules ----------------------------------------------------------------------------------
# Each rule is written once, below, as lines of a handler's body in terms of ``f`` (the fields),
# ``e`` (the event) and ``status`` (the status before the event); the handlers are compiled
# from them. The fold runs one handler per event, and a handler that calls nothing runs at the
# speed of hand-inlined code.

Lines = list[str]


def _indent(lines: Lines) -> Lines:
    return ["    " + line for line in lines]


def _hedge() -> Lines:
    """The hedge is the latest one given: ``likelihood`` and ``probability`` go together (an
    event giving either replaces both; one giving neither leaves them)."""
    return [
        "likelihood = e.likelihood",
        "probability = e.probability",
        "if likelihood is not None or probability is not None:",
        "    f['likelihood'] = likelihood",
        "    f['probability'] = probability",
    ]


def _carry(scalars: tuple[str, ...] = (), tuples: tuple[str, ...] = ()) -> Lines:
    """Each event sets what it carries: a scalar that is not ``None``, a tuple not empty."""
    lines: Lines = []
    for name in scalars:
        lines += [f"v = e.{name}", f"if v is not None: f[{name!r}] = v"]
    for name in tuples:
        lines += [f"v = e.{name}", f"if v: f[{name!r}] = v"]
    return lines


def _hold(held: tuple[str, ...]) -> Lines:
    """Once an occurrence said where and with whom, that holds against later announcements."""
    lines: Lines = []
    for name in held:
        lines += [
            f"v = e.{name}",
            "if v is not None and v != () and not "
            f"(status is _OCCURRED and f.get({name!r})): f[{name!r}] = v",
        ]
    return lines


def _reason(target: str, reason: bool) -> Lines:
    """``reason`` is the reason for the current status: an event that gives one sets it, and a
    status change drops a reason the event does not give."""
    drop = f"if status is not {target} and 'reason' in f: del f['reason']"
    if not reason:
        return [drop]
    return ["r = e.reason", "if r is not None: f['reason'] = r", "el" + drop]


def _move(target: str, *, reason: bool = False, then: Lines | None = None) -> Lines:
    """The status follows the latest-known event, except that an outcome or a cancellation
    holds: an expectation event known later adds what it carries and leaves the status (and
    ``then``, what only a move does, such as taking the window)."""
    body = [*_reason(target, reason), f"f['status'] = {target}", *(then or ())]
    if then or reason:
        return ["if status not in _HOLDS:", *_indent(body)]
    # A move to the status it has, carrying no reason, does nothing: skipped.
    return [f"if status is not {target} and status not in _HOLDS:", *_indent(body)]


def _settle(target: str, *, reason: bool = False) -> Lines:
    """An outcome or a cancellation replaces any status."""
    return [*_reason(target, reason), f"f['status'] = {target}"]


def _window(*, replace: bool = False) -> Lines:
    """A moving event's window replaces the window (``replace``: ``None`` clears it); the
    first window given is kept as ``first_window``."""
    lines = [
        "w = e.window",
        "if w is not None:",
        "    f['window'] = w",
        "    if 'first_window' not in f: f['first_window'] = w",
    ]
    return [*lines, "else: f['window'] = None"] if replace else lines


def _vintage(key: str, scope: str, period: str, preliminary: str = "False") -> Lines:
    """A figure given is kept as a vintage, after the earlier ones of ``key``: its quantity,
    ``known_at`` and source are the event's; its scope, period and ``preliminary`` flag are
    what the expressions ``scope``, ``period`` and ``preliminary`` give.

    The vintages of a subject being folded are kept in a
    ``chronology._vintages.VintageLog`` (the events, and the runs of what the expressions
    give), and made into :class:`~chronology.expectations.Vintage` values when a value's field
    is first read. ``key`` may hold what a value thawed back into a builder held (a tuple, or a
    cut of a log): a new log continues it on the first vintage added."""
    return [
        "if e.quantity is not None:",
        f"    vs = f.get({key!r})",
        f"    if vs.__class__ is not _Log: vs = f[{key!r}] = _continuing(vs)",
        f"    s = {scope}",
        f"    p = {period}",
        f"    r = {preliminary}",
        "    if (s is not vs.scope and s != vs.scope) or p is not vs.period "
        "or r is not vs.preliminary:",
        "        vs.turn(s, p, r)",
        "    vs.events.append(e)",
    ]


_NAMES: Final[dict[str, Any]] = {
    "_HOLDS": OUTCOME_STATUSES,
    "_Log": VintageLog,
    "_continuing": VintageLog.continuing,
    **{f"_{status.name}": status for status in Status},
}


def _handler(name: str, lines: Lines) -> FoldHandler:
    """Compile a handler ``name(f, e)`` from the lines of its body."""
    source = "\n".join([f"def {name}(f, e):", "    status = f['status']", *_indent(lines)])
    ns = dict(_NAMES)
    exec(compile(source, f"<chronology fold rule {name}>", "exec"), ns)
    handler: FoldHandler = ns[name]
    return handler


def _field_names(*groups: tuple[str, ...]) -> None:
    for group in groups:
        for name in group:
            if not (isinstance(name, str) and name.isidentifier()):
                raise KindError(f"fold rule: {name!r} is not a field name")


# -- the handlers of planned happenings ---------------------------------------------------------


def announcement(
    *, scalars: tuple[str, ...] = (), tuples: tuple[str, ...] = (), held: tuple[str, ...] = ()
) -> FoldHandler:
    """The handler of a family's announcement: status ``announced``, no longer partial.

    Args:
        scalars: the fields the event carries that are set when not ``None``.
        tuples: the tuple fields set when not empty.
        held: the fields (a place, counterparts) an occurrence's value holds against.

    Returns:
        A handler for :func:`chronology.registry.register_fold_handler`; the event also needs
        ``window``, ``likelihood`` and ``probability``.

    Raises:
        KindError: for a name that is not a field name.
    """
    _field_names(scalars, tuples, held)
    lines = [
        "f['partial'] = False",
        *_carry(scalars, tuples),
        *_hold(held),
        *_hedge(),
        *_move("_ANNOUNCED", then=_window()),
    ]
    return _handler("announced", lines)


def scheduling(*, scalars: tuple[str, ...] = (), held: tuple[str, ...] = ()) -> FoldHandler:
    """The handler of a family's schedule (the dates fixed): status ``scheduled``.

    Args:
        scalars: the fields set when not ``None`` (who visits, who hosts).
        held: the fields an occurrence's value holds against (a place).

    Raises:
        KindError: for a name that is not a field name.
    """
    _field_names(scalars, held)
    lines = [*_carry(scalars), *_hold(held), *_hedge(), *_move("_SCHEDULED", then=_window())]
    return _handler("scheduled", lines)


#: The handler of new dates (``window``, ``reason``, a hedge): status ``scheduled``.
rescheduled: Final = _handler(
    "rescheduled", [*_hedge(), *_move("_SCHEDULED", reason=True, then=_window())]
)
#: The handler of a postponement (``reason``, ``window`` or ``None`` for dates unknown, a
#: hedge): status ``postponed``.
postponed: Final = _handler(
    "postponed", [*_hedge(), *_move("_POSTPONED", reason=True, then=_window(replace=True))]
)
#: The handler of a cancellation (``reason``): status ``cancelled``, whatever it was.
cancelled: Final = _handler("cancelled", _settle("_CANCELLED", reason=True))
#: The handler of an occurrence (``window``, ``place``, ``counterparts``): ``occurred``.
occurred: Final = _handler(
    "occurred", [*_settle("_OCCURRED"), *_carry(("place",), ("counterparts",)), *_window()]
)
#: The handler of a hedge alone (a statement's, say): the latest one given.
take_hedge: Final = _handler("take_hedge", _hedge())


def agenda_changed(f: Fields, e: Any) -> None:
    """The handler of an agenda change: items ``added`` to and ``removed`` from the
    ``agenda``; the status is left."""
    items = list(f.get("agenda", ()))
    if e.removed:
        removed = set(e.removed)
        items = [a for a in items if a not in removed]
    for a in e.added:
        if a not in items:
            items.append(a)
    f["agenda"] = tuple(items)


# -- the handlers of figures --------------------------------------------------------------------


def projection(*, scalars: tuple[str, ...] = ()) -> FoldHandler:
    """The handler of a family's projection: status ``projected``, no longer partial; a
    ``quantity`` given is kept as a vintage in ``projections``.

    Args:
        scalars: the fields naming what is projected (an exporter, a measure), set when not
            ``None``; ``period``, ``quantity``, ``scope``, ``claims`` and the hedge are read
            from every projection.

    Raises:
        KindError: for a name that is not a field name.
    """
    _field_names(scalars)
    lines = [
        *_move("_PROJECTED"),
        "f['partial'] = False",
        *_carry((*scalars, "period", "quantity", "scope"), ("claims",)),
        *_hedge(),
        *_vintage("projections", "f.get('scope')", "e.period"),
    ]
    return _handler("projected", lines)


#: The handler of a revision (``quantity``, ``claims``, ``scope``, a hedge): ``revised``.
revised: Final = _handler(
    "revised",
    [
        *_move("_REVISED"),
        *_carry(("quantity", "scope"), ("claims",)),
        *_hedge(),
        *_vintage("projections", "f.get('scope')", "f.get('period')"),
    ],
)
#: The handler of a report, the outcome (``quantity``, ``scope``, ``period``,
#: ``preliminary``): status ``reported``; reports are kept beside the projections.
reported: Final = _handler(
    "reported",
    [
        *_settle("_REPORTED"),
        "if 'period' not in f and e.period is not None: f['period'] = e.period",
        *_vintage("reports", "e.scope", "e.period", "e.preliminary"),
    ],
)


# -- the built-in kinds, registered as a user's would be ----------------------------------------

register_kind("visit", events=VisitEvent, value=VisitExpectation, past_due=PLAN_PAST_DUE)
register_kind("trade", events=TradeEvent, value=TradeExpectation, past_due=FIGURE_PAST_DUE)
register_kind("plan", events=PlanEvent, value=PlanExpectation, past_due=PLAN_PAST_DUE)
register_kind("figure", events=FigureEvent, value=FigureExpectation, past_due=FIGURE_PAST_DUE)

for _event_class, _rule in (
    (
        VisitAnnounced,
        announcement(
            scalars=("visitor", "host", "purpose"), tuples=("agenda",), held=("counterparts",)
        ),
    ),
    (VisitScheduled, scheduling(scalars=("visitor", "host"))),
    (VisitRescheduled, rescheduled),
    (VisitPostponed, postponed),
    (VisitCancelled, cancelled),
    (VisitOccurred, occurred),
    (AgendaChanged, agenda_changed),
    (
        PlanAnnounced,
        announcement(scalars=("what",), tuples=("actors",), held=("place", "counterparts")),
    ),
    (PlanScheduled, scheduling(held=("place",))),
    (PlanRescheduled, rescheduled),
    (PlanPostponed, postponed),
    (PlanCancelled, cancelled),
    (PlanOccurred, occurred),
    (TradeProjected, projection(scalars=("exporter", "importer", "commodity", "grade"))),
    (TradeProjectionRevised, revised),
    (TradeReported, reported),
    (FigureProjected, projection(scalars=("measure", "area"))),
    (FigureRevised, revised),
    (FigureReported, reported),
):
    register_fold_handler(_event_class, _rule)
