"""How a batch reaches PostgreSQL: new events are not looked up first (the unique index on
``event_id`` refuses a stored one, and the batch is sealed again with it found), and the
statements (round trips) a batch makes.

Skipped without ``CHRONOLOGY_TEST_POSTGRES_URL`` (see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
import pytest
from psycopg import sql

from chronology import Chronicle
from chronology.errors import NotAChronicleError
from chronology.events import StatementMade
from chronology.stores.postgres import PostgresBackend

pytestmark = pytest.mark.postgres


def _statement(i: int) -> StatementMade:
    return StatementMade(subject=f"s{i % 3}", known_at="2024-04-02T00:00:00Z", summary=str(i))


def test_a_stored_event_inside_a_new_batch_is_kept_once(postgres_url: str, schema: str) -> None:
    """The batch's first event is new, so nothing is looked up before the insert: the unique
    index refuses the stored event, the transaction is rolled back, and the batch is sealed
    again with the stored copy found."""
    with Chronicle.open(postgres_url, schema=schema) as c:
        (stored,) = c.extend([_statement(1)])
        got = c.extend([_statement(2), _statement(1), _statement(3)])
        assert [2, 1, 3] == [r.position for r in got]
        assert stored == got[1]
        assert (3, 3) == (len(c), c.verify())
        assert ["1", "2", "3"] == [r.event.summary for r in c]  # type: ignore[attr-defined]


def test_a_batch_of_new_events_is_not_looked_up_by_id(
    postgres_url: str, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the first event's id is asked for (whether the batch is a re-import): the unique
    index finds any other stored one."""
    asked: list[int] = []
    lookup = PostgresBackend.rows_by_id

    def counting(self: PostgresBackend, ids: Sequence[str], keys: Any = None) -> Any:
        asked.append(len(ids))
        return lookup(self, ids, keys)

    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend([_statement(i) for i in range(10)])
        monkeypatch.setattr(PostgresBackend, "rows_by_id", counting)
        c.extend([_statement(i) for i in range(10, 110)])
        assert [1] == asked
        assert 110 == c.verify()


def test_a_batch_makes_four_statements_and_one_copy(
    postgres_url: str, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each statement is a round trip to the server: the re-import hint, the lock with the
    head, the head's record with the clock, and the head's update sending the followers'
    notice (besides the transaction's begin and commit, and the COPY of the rows)."""
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend([_statement(i) for i in range(10)])
        sent: list[str] = []
        execute = psycopg.Cursor.execute  # every statement, a connection's own included

        def counting(self: psycopg.Cursor[Any], query: Any, *args: Any, **kw: Any) -> Any:
            sent.append(str(query).split()[0])
            return execute(self, query, *args, **kw)

        monkeypatch.setattr(psycopg.Cursor, "execute", counting)
        c.extend([_statement(i) for i in range(10, 20)])
        assert ["SELECT", "SELECT", "SELECT", "UPDATE"] == sent
        monkeypatch.undo()
        assert 20 == c.verify()


def test_a_re_import_is_a_no_op(postgres_url: str, schema: str) -> None:
    """A batch whose first event is stored has every event looked up first, and stores
    nothing."""
    with Chronicle.open(postgres_url, schema=schema) as c:
        first = c.extend([_statement(i) for i in range(20)])
        again = c.extend([_statement(i) for i in range(20)])
        assert first == again
        assert (20, 20) == (len(c), c.verify())


def test_an_append_to_a_chronicle_without_its_head_row_is_refused(
    postgres_url: str, schema: str
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.append(_statement(1))
        records = sql.SQL("SELECT count(*) FROM {}.records").format(sql.Identifier(schema))
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DELETE FROM {}.meta").format(sql.Identifier(schema)))
            with pytest.raises(NotAChronicleError, match="its meta table is empty"):
                c.append(_statement(2))
            assert (1,) == admin.execute(records).fetchone()


def test_a_read_of_a_chronicle_without_its_head_row_is_refused(
    postgres_url: str, schema: str
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.append(_statement(1))
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DELETE FROM {}.meta").format(sql.Identifier(schema)))
        # Every read fixes its end by the head row: a missing one is named, not an IndexError.
        with pytest.raises(NotAChronicleError, match="its meta table is empty"):
            len(c)
        with pytest.raises(NotAChronicleError, match="its meta table is empty"):
            c.as_of("2024-05-01").expectations()


@pytest.fixture
def schema(postgres_schemas: Callable[[], str]) -> str:
    return postgres_schemas()
