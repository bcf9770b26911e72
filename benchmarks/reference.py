"""The same workload in the reference, the ``eventsourcing`` library (9.5.x).

Each subject is an aggregate (``Visit`` or ``Trade``) whose commands trigger one domain event
each, carrying the same values as the chronology event built from the same description. Writes
are ``Application.save`` calls of whole aggregates, 1,000 events a call; persistence is the
library's in-memory ("POPO") recorder, its SQLite recorder or its PostgreSQL recorder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from benchmarks.data import BATCH, Shape, Spec, by_subject


class Visit(Aggregate):
    """A planned visit."""

    @event("Announced")
    def __init__(
        self,
        subject: str,
        known_at: datetime,
        source: str,
        visitor: str,
        host: str,
        start: datetime,
        end: datetime,
        agenda: list[str],
    ) -> None:
        self.subject = subject
        self.status = "announced"
        self.visitor = visitor
        self.host = host
        self.start: datetime | None = start
        self.end: datetime | None = end
        self.agenda = list(agenda)
        self.sources = [source]
        self.updated_at = known_at
        self.place: str | None = None
        self.reason: str | None = None

    def _touch(self, known_at: datetime, source: str) -> None:
        self.updated_at = known_at
        if source not in self.sources:
            self.sources.append(source)

    @event("Scheduled")
    def schedule(self, known_at: datetime, source: str, start: datetime, end: datetime) -> None:
        """Fix the dates."""
        self._touch(known_at, source)
        if self.status not in ("occurred", "cancelled"):
            self.status = "scheduled"
            self.start, self.end = start, end

    @event("Rescheduled")
    def reschedule(
        self, known_at: datetime, source: str, start: datetime, end: datetime, reason: str
    ) -> None:
        """Move the dates."""
        self._touch(known_at, source)
        self.reason = reason
        if self.status not in ("occurred", "cancelled"):
            self.status = "scheduled"
            self.start, self.end = start, end

    @event("AgendaChanged")
    def change_agenda(self, known_at: datetime, source: str, added: str) -> None:
        """Add an agenda item."""
        self._touch(known_at, source)
        if added not in self.agenda:
            self.agenda.append(added)

    @event("Postponed")
    def postpone(self, known_at: datetime, source: str, reason: str) -> None:
        """Put the visit off."""
        self._touch(known_at, source)
        self.reason = reason
        if self.status not in ("occurred", "cancelled"):
            self.status = "postponed"
            self.start = self.end = None

    @event("Cancelled")
    def cancel(self, known_at: datetime, source: str, reason: str) -> None:
        """Call the visit off."""
        self._touch(known_at, source)
        self.reason = reason
        self.status = "cancelled"

    @event("Occurred")
    def occur(
        self, known_at: datetime, source: str, start: datetime, end: datetime, place: str
    ) -> None:
        """Record the outcome."""
        self._touch(known_at, source)
        self.status = "occurred"
        self.start, self.end, self.place = start, end, place


class Trade(Aggregate):
    """A projected trade flow."""

    @event("Projected")
    def __init__(
        self,
        subject: str,
        known_at: datetime,
        source: str,
        exporter: str,
        importer: str,
        commodity: str,
        grade: str,
        period_start: datetime,
        period_end: datetime,
        value: float,
        unit: str,
        scope: str,
    ) -> None:
        self.subject = subject
        self.status = "projected"
        self.exporter, self.importer, self.commodity, self.grade = (
            exporter,
            importer,
            commodity,
            grade,
        )
        self.period_start, self.period_end = period_start, period_end
        self.value, self.unit, self.scope = value, unit, scope
        self.claims: list[str] = []
        self.projections = [(value, unit, known_at)]
        self.reports: list[tuple[float, str, str, datetime]] = []
        self.sources = [source]
        self.updated_at = known_at

    def _touch(self, known_at: datetime, source: str) -> None:
        self.updated_at = known_at
        if source not in self.sources:
            self.sources.append(source)

    @event("Revised")
    def revise(self, known_at: datetime, source: str, value: float, unit: str, claim: str) -> None:
        """Revise the projected figure."""
        self._touch(known_at, source)
        if self.status != "reported":
            self.status = "revised"
        self.value, self.unit, self.claims = value, unit, [claim]
        self.projections.append((value, unit, known_at))

    @event("Reported")
    def report(
        self,
        known_at: datetime,
        source: str,
        value: float,
        unit: str,
        period_start: datetime,
        period_end: datetime,
        scope: str,
    ) -> None:
        """Record the reported figure."""
        self._touch(known_at, source)
        self.status = "reported"
        self.reports.append((value, unit, scope, known_at))


class Chronicle(Application[UUID]):
    """The reference application: it only stores and reads aggregates."""


def _aggregate(specs: list[Spec]) -> Aggregate:
    """Build one subject's aggregate, triggering one event per description."""
    first = specs[0]
    agg: Any
    if first[0] == "announce":
        _, subject, k, source, visitor, host, start, end, agenda = first
        agg = Visit(subject, k, source, visitor, host, start, end, list(agenda))
    else:
        _, subject, k, source, exporter, importer, commodity, grade, p0, p1, value, unit, scope = (
            first
        )
        agg = Trade(
            subject, k, source, exporter, importer, commodity, grade, p0, p1, value, unit, scope
        )
    for s in specs[1:]:
        kind = s[0]
        if kind == "schedule":
            agg.schedule(s[2], s[3], s[4], s[5])
        elif kind == "reschedule":
            agg.reschedule(s[2], s[3], s[4], s[5], s[6])
        elif kind == "agenda":
            agg.change_agenda(s[2], s[3], s[4])
        elif kind == "postpone":
            agg.postpone(s[2], s[3], s[4])
        elif kind == "cancel":
            agg.cancel(s[2], s[3], s[4])
        elif kind == "occur":
            agg.occur(s[2], s[3], s[4], s[5], s[6])
        elif kind == "revise":
            agg.revise(s[2], s[3], s[4], s[5], s[6])
        elif kind == "report":
            agg.report(s[2], s[3], s[4], s[5], s[6], s[7], s[8])
        else:  # pragma: no cover - data.py makes no other kinds
            raise ValueError(kind)
    assert isinstance(agg, Aggregate)
    return agg


def build(specs: list[Spec]) -> Aggregate:
    """One subject's aggregate with its pending domain events, not saved."""
    return _aggregate(specs)


def open_app(path: Path | None) -> Chronicle:
    """The reference application, in memory (``None``) or on an SQLite file."""
    if path is None:
        return Chronicle(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return Chronicle(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})


def open_postgres(url: str, schema: str, *, create_table: bool = True) -> Chronicle:
    """The reference application on its PostgreSQL recorder, its tables in ``schema`` (which
    must exist) of the database ``url`` names (``postgresql://user:password@host:port/db``);
    ``create_table=False`` for the tables made already (processes making them at once clash)."""
    parts = urlsplit(url)
    return Chronicle(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")),
            "POSTGRES_HOST": parts.hostname or "localhost",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or ""),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": schema,
            "CREATE_TABLE": "yes" if create_table else "no",
        }
    )


def write(app: Chronicle, subjects: Iterable[list[Spec]]) -> list[UUID]:
    """Create every subject's aggregate and save them, about 1,000 events a ``save``."""
    ids: list[UUID] = []
    pending: list[Aggregate] = []
    count = 0
    for specs in subjects:
        agg = _aggregate(specs)
        ids.append(agg.id)
        pending.append(agg)
        count += len(specs)
        if count >= BATCH:
            app.save(*pending)
            pending, count = [], 0
    if pending:
        app.save(*pending)
    return ids


def fill(app: Chronicle, shape: Shape) -> list[UUID]:
    """Write the whole workload of ``shape``; return the aggregate ids in subject order."""
    return write(app, by_subject(shape))


def replay_all(app: Chronicle, ids: Iterable[UUID]) -> int:
    """Rebuild every aggregate from its events; return how many."""
    get = app.repository.get
    n = 0
    for i in ids:
        get(i)
        n += 1
    return n


def read_at(app: Chronicle, aggregate_id: UUID, version: int) -> Aggregate:
    """The aggregate as it was at ``version`` (its first ``version`` events)."""
    agg: Aggregate = app.repository.get(aggregate_id, version=version)
    return agg


def ids_in(app: Chronicle) -> Iterator[UUID]:
    """Every aggregate id in the application's log, in order of creation."""
    seen: set[UUID] = set()
    start = 1
    while True:
        items = app.notification_log.select(start=start, limit=10_000)
        if not items:
            return
        for n in items:
            oid = n.originator_id
            if not isinstance(oid, UUID):
                oid = UUID(oid)
            if oid not in seen:
                seen.add(oid)
                yield oid
        start = items[-1].id + 1
