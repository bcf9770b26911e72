"""How a point read reaches PostgreSQL: ``as_of(X).get(subject)`` is one statement (the
subject's rows and the log's length, read together), and the view it makes sees the log as it
stood at that statement, whatever other connections append before or after it.

Skipped without ``CHRONOLOGY_TEST_POSTGRES_URL`` (see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from chronology import Chronicle
from chronology.events import AgendaChanged, Event, Retracted, VisitAnnounced, VisitCancelled
from chronology.serialization import event_from_payload, event_id_of, payload_of
from chronology.stores import MemoryStore, base
from chronology.stores.sql import SQLRows

pytestmark = pytest.mark.postgres


def _announced(subject: str) -> VisitAnnounced:
    return VisitAnnounced(subject=subject, known_at="2024-04-03T12:00:00Z", visitor="V")


def _agenda(i: int, subject: str = "visit/long") -> AgendaChanged:
    known_at = f"2024-04-04T{i // 60 % 24:02}:{i % 60:02}:00Z"
    return AgendaChanged(subject=subject, known_at=known_at, added=(f"item {i}",))


def _log() -> list[Event]:
    """Short subjects, and one long enough for the per-subject snapshots to hold it."""
    return [
        *(_announced(f"visit/{i}") for i in range(20)),
        _announced("visit/long"),
        *(_agenda(i) for i in range(100)),
    ]


def test_a_point_read_is_one_statement(
    postgres_url: str, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short subject, a long one read first (the snapshots take it in hand) and again (held),
    and a subject with no records: one ``SELECT`` each, and the answers of a memory store."""
    twin = Chronicle(MemoryStore())
    twin.extend(_log())
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend(_log())
        sent: list[str] = []
        execute = psycopg.Cursor.execute  # every statement, a connection's own included

        def counting(self: psycopg.Cursor[Any], query: Any, *args: Any, **kw: Any) -> Any:
            sent.append(str(query).split()[0])
            return execute(self, query, *args, **kw)

        monkeypatch.setattr(psycopg.Cursor, "execute", counting)
        for subject in ("visit/3", "visit/long", "visit/long", "visit/none"):
            for at in ("2024-04-03", "2024-04-05"):
                sent.clear()
                value = c.as_of(at).get(subject)
                assert ["SELECT"] == sent, (subject, at)
                assert twin.as_of(at).get(subject) == value


def test_a_view_sees_what_other_writers_stored_before_its_first_read_only(
    postgres_url: str, schema: str
) -> None:
    with (
        Chronicle.open(postgres_url, schema=schema) as reader,
        Chronicle.open(postgres_url, schema=schema) as writer,
    ):
        writer.extend(_log())
        reader.as_of("2024-04-05").get("visit/long")  # held by the reader's snapshots
        short, long = reader.as_of("2024-04-05"), reader.as_of("2024-04-05")
        writer.extend([_agenda(999, "visit/3"), _agenda(999)])  # before the first reads
        assert ("item 999",) == short["visit/3"].agenda  # type: ignore[union-attr]
        assert "item 999" in long["visit/long"].agenda  # type: ignore[union-attr]
        first = (short["visit/3"], long["visit/long"])
        writer.extend(
            [
                VisitCancelled(subject="visit/3", known_at="2024-04-04T23:00:00Z"),
                VisitCancelled(subject="visit/long", known_at="2024-04-04T23:00:00Z"),
            ]
        )
        assert first == (short["visit/3"], long["visit/long"])
        assert 21 == len(short) == len(long)
        assert first[0] == {e.subject: e for e in short}["visit/3"]
        assert "cancelled" == reader.as_of("2024-04-05")["visit/3"].status


def test_a_first_read_decodes_only_the_events_its_fold_reads(
    postgres_url: str, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As of the middle of a subject's life, in a chronicle just opened: the events said by
    then and the retractions (one said later still retracts) are decoded, no other."""
    announced = _announced("visit/x")
    changes = [_agenda(i, "visit/x") for i in (1, 2, 3)]  # 00:01, 00:02, 00:03 on 4 April
    retraction = Retracted(
        subject="visit/x",
        known_at="2024-04-06T00:00:00Z",
        target=event_id_of(payload_of(changes[0])),
    )
    log = [announced, *changes, retraction]
    twin = Chronicle(MemoryStore())
    twin.extend(log)
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend(log)
    at = "2024-04-04T00:02:30Z"
    with Chronicle.open(postgres_url, schema=schema, read_only=True) as fresh:
        decoded: list[str] = []
        decode = event_from_payload

        def counting(payload: str) -> Event:
            decoded.append(payload)
            return decode(payload)

        monkeypatch.setattr(base, "event_from_payload", counting)
        value = fresh.as_of(at).get("visit/x")
        assert [payload_of(e) for e in (announced, *changes[:2], retraction)] == decoded
        assert twin.as_of(at).get("visit/x") == value
        assert ("item 2",) == value.agenda  # type: ignore[union-attr]


def test_the_point_read_is_prepared_on_the_server_at_its_first_run(
    postgres_url: str, schema: str
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.append(_announced("visit/x"))
    with Chronicle.open(postgres_url, schema=schema, read_only=True) as fresh:
        assert "V" == fresh.as_of("2024-04-05")["visit/x"].visitor  # type: ignore[union-attr]
        backend = fresh.store.backend
        assert isinstance(backend, SQLRows)
        prepared = backend.select("SELECT statement FROM pg_prepared_statements")
        assert 1 == sum("EXISTS" in text and "retractions" in text for (text,) in prepared)


@pytest.fixture
def schema(postgres_schemas: Callable[[], str]) -> str:
    return postgres_schemas()
