"""The workload in :mod:`chronology`: building its events from the shared descriptions."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from benchmarks.data import Shape, Spec, batches
from chronology import Chronicle, Quantity, Source, Window
from chronology.events import (
    AgendaChanged,
    Event,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)


def _announce(s: Spec) -> Event:
    _, subject, k, source, visitor, host, start, end, agenda = s
    return VisitAnnounced(
        subject=subject,
        known_at=k,
        source=Source(source),
        visitor=visitor,
        host=host,
        window=Window(start, end),
        agenda=agenda,
        likelihood="probable",
    )


def _schedule(s: Spec) -> Event:
    _, subject, k, source, start, end = s
    return VisitScheduled(
        subject=subject, known_at=k, source=Source(source), window=Window(start, end)
    )


def _reschedule(s: Spec) -> Event:
    _, subject, k, source, start, end, reason = s
    return VisitRescheduled(
        subject=subject, known_at=k, source=Source(source), window=Window(start, end), reason=reason
    )


def _agenda(s: Spec) -> Event:
    _, subject, k, source, item = s
    return AgendaChanged(subject=subject, known_at=k, source=Source(source), added=(item,))


def _postpone(s: Spec) -> Event:
    _, subject, k, source, reason = s
    return VisitPostponed(subject=subject, known_at=k, source=Source(source), reason=reason)


def _cancel(s: Spec) -> Event:
    _, subject, k, source, reason = s
    return VisitCancelled(subject=subject, known_at=k, source=Source(source), reason=reason)


def _occur(s: Spec) -> Event:
    _, subject, k, source, start, end, place = s
    return VisitOccurred(
        subject=subject, known_at=k, source=Source(source), window=Window(start, end), place=place
    )


def _project(s: Spec) -> Event:
    _, subject, k, source, exporter, importer, commodity, grade, p0, p1, value, unit, scope = s
    return TradeProjected(
        subject=subject,
        known_at=k,
        source=Source(source),
        exporter=exporter,
        importer=importer,
        commodity=commodity,
        grade=grade,
        period=Window(p0, p1),
        quantity=Quantity(value, unit),
        scope=scope,
    )


def _revise(s: Spec) -> Event:
    _, subject, k, source, value, unit, claim = s
    return TradeProjectionRevised(
        subject=subject,
        known_at=k,
        source=Source(source),
        quantity=Quantity(value, unit),
        claims=(claim,),
    )


def _report(s: Spec) -> Event:
    _, subject, k, source, value, unit, p0, p1, scope = s
    return TradeReported(
        subject=subject,
        known_at=k,
        source=Source(source),
        quantity=Quantity(value, unit),
        period=Window(p0, p1),
        scope=scope,
    )


BUILDERS: dict[str, Callable[[Spec], Event]] = {
    "announce": _announce,
    "schedule": _schedule,
    "reschedule": _reschedule,
    "agenda": _agenda,
    "postpone": _postpone,
    "cancel": _cancel,
    "occur": _occur,
    "project": _project,
    "revise": _revise,
    "report": _report,
}


def events(specs: Iterable[Spec]) -> list[Event]:
    """The chronology events of some descriptions."""
    build = BUILDERS
    return [build[s[0]](s) for s in specs]


def write(chronicle: Chronicle, spec_batches: Iterable[list[Spec]]) -> int:
    """Create and store every batch (one ``extend`` each); return the number of events."""
    n = 0
    build = BUILDERS
    for specs in spec_batches:
        chronicle.extend([build[s[0]](s) for s in specs])
        n += len(specs)
    return n


def fill(chronicle: Chronicle, shape: Shape) -> Chronicle:
    """Write the whole workload of ``shape`` into ``chronicle``."""
    write(chronicle, batches(shape))
    return chronicle
