"""The PostgreSQL store against a real server: opening by URL and schema, the server's clock,
read-only opens, refusals, verify's checks, concurrent writer processes and killed writers.

Skipped without ``CHRONOLOGY_TEST_POSTGRES_URL`` (see tests/conftest.py).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from child_processes import expect_line, python_child
from psycopg import sql

from chronology import Chronicle
from chronology.copying import copy_chronicle
from chronology.errors import (
    ClockSkewError,
    FormatVersionError,
    IntegrityError,
    NotAChronicleError,
    ReadOnlyError,
    SchemaIntegrityError,
    StoreError,
)
from chronology.events import StatementMade, VisitCancelled
from chronology.serialization import event_from_payload
from chronology.stores.postgres import PostgresStore, is_postgres_url
from chronology.testing import FakeClock

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]


def _statement(i: int, subject: str = "s") -> StatementMade:
    return StatementMade(subject=subject, known_at="2024-04-02T00:00:00Z", summary=str(i))


@pytest.fixture
def schema(postgres_schemas: Callable[[], str]) -> str:
    return postgres_schemas()


@pytest.fixture
def admin(postgres_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        yield conn


def _run(conn: psycopg.Connection[Any], schema: str, statement: str, *args: Any) -> None:
    conn.execute(sql.SQL(statement).format(sql.Identifier(schema)), args)


def test_a_url_selects_postgres_and_a_path_stays_sqlite() -> None:
    assert (True, True, False) == (
        is_postgres_url("postgresql://u@h:5432/db"),
        is_postgres_url("postgres://u@h/db"),
        is_postgres_url("chronicle.db"),
    )


def test_schemas_keep_chronicles_apart(postgres_url: str, schema: str) -> None:
    other = f"{schema}_b"
    try:
        with Chronicle.open(f"{postgres_url}?schema={schema}") as a:
            a.append(_statement(1))
        with Chronicle.open(postgres_url, schema=other) as b:
            b.extend([_statement(2), _statement(3)])
        with (
            Chronicle.open(postgres_url, schema=schema) as a,
            Chronicle.open(f"{postgres_url}?schema={other}", read_only=True) as b,
        ):
            assert (1, 2) == (a.verify(), b.verify())
            assert ["1"] == [r.event.summary for r in a]  # type: ignore[attr-defined]
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            _run(conn, other, "DROP SCHEMA IF EXISTS {} CASCADE")


def test_recorded_at_comes_from_the_server_clock(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    """The client's clock is wrong by a year: the records take the server's time all the same,
    read inside the append's transaction."""

    def wrong() -> datetime:
        return datetime.now(UTC) - timedelta(days=365)

    c = Chronicle(PostgresStore(postgres_url, schema=schema), clock=wrong)
    (before,) = admin.execute("SELECT clock_timestamp()").fetchone()  # type: ignore[misc]
    records = c.extend([_statement(i) for i in range(3)])
    (after,) = admin.execute("SELECT clock_timestamp()").fetchone()  # type: ignore[misc]
    c.close()
    stamps = [r.recorded_at for r in records]
    assert all(before <= t <= after for t in stamps), (before, stamps, after)
    assert all(a < b for a, b in itertools.pairwise(stamps))


def test_a_clock_given_to_open_replaces_the_servers(postgres_url: str, schema: str) -> None:
    clock = FakeClock()
    with Chronicle.open(postgres_url, schema=schema, clock=clock) as c:
        assert clock() == c.append(_statement(1)).recorded_at


def test_the_skew_rule_holds_for_the_servers_clock(postgres_url: str, schema: str) -> None:
    """A record stored with a time an hour ahead of the server's (a replay, a server whose
    clock was set back): the server's clock is refused past max_skew, nothing appended; with
    max_skew=None the new record takes the last time plus one microsecond."""
    ahead = datetime.now(UTC) + timedelta(hours=1)
    with Chronicle.open(postgres_url, schema=schema, clock=lambda: ahead) as c:
        first = c.append(_statement(1))
    with Chronicle.open(postgres_url, schema=schema) as c:
        with pytest.raises(ClockSkewError):
            c.append(_statement(2))
        assert 1 == len(c)
    with Chronicle.open(postgres_url, schema=schema, max_skew=None) as c:
        assert first.recorded_at + timedelta(microseconds=1) == c.append(_statement(2)).recorded_at
        assert 2 == c.verify()


def test_payload_and_recorded_at_are_stored_as_the_hashed_text(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend([_statement(1), VisitCancelled(subject="v", known_at="2024-04-05T10:00:00Z")])
        raws = list(c.store.raw())
    rows = admin.execute(
        sql.SQL("SELECT position, recorded_at, payload FROM {}.records ORDER BY 1").format(
            sql.Identifier(schema)
        )
    ).fetchall()
    assert [(r.position, r.recorded_at, r.payload) for r in raws] == rows
    assert [_statement(1)] == [event_from_payload(rows[0][2])]


def test_read_only_open_refuses_appends_and_creates_nothing(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    with pytest.raises(StoreError, match="no chronicle there"):
        Chronicle.open(postgres_url, schema=schema, read_only=True)
    found = admin.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    assert found is None
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.append(_statement(1))
    with Chronicle.open(postgres_url, schema=schema, read_only=True) as c:
        with pytest.raises(ReadOnlyError):
            c.append(_statement(2))
        assert 1 == c.verify()


def test_a_role_with_only_select_reads(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    (may,) = admin.execute(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()  # type: ignore[misc]
    if not may:
        pytest.skip("the test role may not create roles (CREATEROLE): .ci/run grants it")
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend([_statement(1), _statement(2)])
    reader = f"reader_{uuid.uuid4().hex[:12]}"
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'r'").format(sql.Identifier(reader)))
    try:
        _run(admin, schema, f"GRANT USAGE ON SCHEMA {{}} TO {reader}")
        _run(admin, schema, f"GRANT SELECT ON ALL TABLES IN SCHEMA {{}} TO {reader}")
        parts = psycopg.conninfo.conninfo_to_dict(postgres_url)
        parts.update(user=reader, password="r")
        url = psycopg.conninfo.make_conninfo(**parts)  # type: ignore[arg-type]
        store = PostgresStore(url, schema=schema, read_only=True)
        with Chronicle(store) as c:
            assert (2, ["1", "2"]) == (c.verify(), [r.event.summary for r in c])  # type: ignore[attr-defined]
        # Opened for writing, it reads too; an append is refused by the server, naming it.
        with (
            Chronicle(PostgresStore(url, schema=schema)) as c,
            pytest.raises(StoreError, match="cannot append"),
        ):
            c.append(_statement(3))
    finally:
        _run(admin, schema, f"REVOKE ALL ON ALL TABLES IN SCHEMA {{}} FROM {reader}")
        _run(admin, schema, f"REVOKE ALL ON SCHEMA {{}} FROM {reader}")
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(reader)))


def test_a_schema_holding_anything_else_is_refused_untouched(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    _run(admin, schema, "CREATE SCHEMA {}")
    _run(admin, schema, "CREATE TABLE {}.orders (id integer)")
    with pytest.raises(NotAChronicleError, match=r"not a chronicle.*orders"):
        Chronicle.open(postgres_url, schema=schema)
    tables = admin.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
    ).fetchall()
    assert [("orders",)] == tables


def test_a_newer_format_is_refused(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    Chronicle.open(postgres_url, schema=schema).close()
    _run(admin, schema, "UPDATE {}.meta SET format_version = 99")
    with pytest.raises(FormatVersionError, match="version 99"):
        Chronicle.open(postgres_url, schema=schema)


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="cannot connect") as caught:
        Chronicle.open("postgresql://someone:secret@127.0.0.1:1/nothing?connect_timeout=2")
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("statement", "error", "position"),
    [
        (
            "UPDATE {}.records SET payload = replace(payload, '\"1\"', '\"9\"') WHERE position = 1",
            IntegrityError,
            1,
        ),
        (
            "UPDATE {}.records SET known_at = '2030-01-01T00:00:00.000000+00:00'"
            " WHERE position = 2",
            IntegrityError,
            2,
        ),
        ("UPDATE {}.records SET subject = 'elsewhere' WHERE position = 3", IntegrityError, 3),
        ("DELETE FROM {}.records WHERE position = 3", IntegrityError, 3),
        ("UPDATE {}.meta SET head_recorded_at = '2099-01-01T00:00:00+00:00'", IntegrityError, 3),
        ("INSERT INTO {}.retractions VALUES (2)", IntegrityError, 2),
        ("INSERT INTO {}.retractions VALUES (7)", IntegrityError, 7),
    ],
)
def test_verify_catches_tampered_rows(
    postgres_url: str,
    schema: str,
    admin: psycopg.Connection[Any],
    statement: str,
    error: type[IntegrityError],
    position: int,
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend([_statement(1), _statement(2), _statement(3)])
        assert 3 == c.verify()
        _run(admin, schema, statement)
        with pytest.raises(error) as caught:
            c.verify()
    assert position == caught.value.position


@pytest.mark.parametrize(
    ("statement", "name"),
    [
        ("DROP INDEX {}.records_known_at", "records_known_at"),
        ("CREATE INDEX records_extra ON {}.records (hash)", "records_extra"),
        (
            'ALTER TABLE {}.records ALTER COLUMN subject TYPE text COLLATE "POSIX"',
            "records.subject",
        ),
        ("ALTER TABLE {}.records ADD COLUMN note text", "records.note"),
        ("ALTER TABLE {}.records ENABLE ROW LEVEL SECURITY", "records"),
        ("CREATE VIEW {}.everything AS SELECT 1 AS one", "everything"),
        (
            "CREATE FUNCTION {}.nothing() RETURNS trigger LANGUAGE plpgsql"
            " AS 'BEGIN RETURN NULL; END'",
            "nothing",
        ),
    ],
)
def test_verify_catches_changes_to_the_schema(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any], statement: str, name: str
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.append(_statement(1))
        assert 1 == c.verify()
        _run(admin, schema, statement)
        with pytest.raises(SchemaIntegrityError) as caught:
            c.verify()
    assert name in str(caught.value)


def test_verify_catches_a_trigger(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.append(_statement(1))
        _run(
            admin,
            schema,
            "CREATE FUNCTION public.{}() RETURNS trigger LANGUAGE plpgsql"
            " AS 'BEGIN RETURN NULL; END'",
        )
        try:
            _run(
                admin,
                schema,
                f"CREATE TRIGGER swallow BEFORE INSERT ON {{}}.records"
                f" FOR EACH ROW EXECUTE FUNCTION public.{schema}()",
            )
            with pytest.raises(SchemaIntegrityError, match="swallow"):
                c.verify()
        finally:
            _run(admin, schema, "DROP FUNCTION public.{}() CASCADE")


# -- real processes -----------------------------------------------------------------------------


_WRITER = r"""
import json, sys, time
from pathlib import Path
from chronology import Chronicle
from chronology.copying import copy_chronicle
from chronology.events import StatementMade

url, schema, me, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
go, results = Path(sys.argv[5]), Path(sys.argv[6])

def events(j):
    yield StatementMade(subject=f"writer/{me}", known_at=f"2024-04-{1 + j % 28:02d}T00:00:00Z",
                        summary=f"{me}:{j}")
    if j % 10 == 0:  # the same event from every writer: stored once
        yield StatementMade(subject="shared", known_at="2024-04-01T00:00:00Z", summary=f"s{j}")

print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
out = []
with Chronicle.open(url, schema=schema) as c:  # every writer races to create the chronicle
    i, size = 0, 1
    while i < count:
        batch = [e for j in range(i, min(count, i + size)) for e in events(j)]
        out += [(r.position, r.event_id) for r in c.extend(batch)]
        i, size = i + size, size % 97 + 1
results.write_text(json.dumps(out))  # too long for a pipe nobody reads until the end
print("done", flush=True)
"""


@pytest.mark.slow
def test_concurrent_writer_processes_lose_and_duplicate_nothing(
    postgres_url: str, schema: str, tmp_path: Path
) -> None:
    """4 writer processes x 5,000 events (``CHRONOLOGY_TEST_POSTGRES_WRITES`` sets another
    count), a tenth of them shared by all; a reader verifies and follows while they write."""
    writers = 4
    count = int(os.environ.get("CHRONOLOGY_TEST_POSTGRES_WRITES", "5000"))
    go = tmp_path / "go"
    procs = [
        python_child(
            _WRITER, postgres_url, schema, str(me), str(count), str(go), str(tmp_path / str(me))
        )
        for me in range(writers)
    ]
    for proc in procs:
        expect_line(proc, "ready")
    go.touch()
    seen = 0
    deadline = time.monotonic() + 1800
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        try:
            with Chronicle.open(postgres_url, schema=schema, read_only=True) as watcher:
                verified = watcher.verify()
                assert seen <= verified
                seen = verified
        except StoreError:
            pass  # not created yet
        time.sleep(0.2)
    results = []
    for me, proc in enumerate(procs):
        out, err = proc.communicate(timeout=600)
        assert (0, "done") == (proc.returncode, out.strip()), err
        results.append(json.loads((tmp_path / str(me)).read_text()))
    with Chronicle.open(postgres_url, schema=schema, read_only=True) as c:
        records = list(c)
        total = writers * count + count // 10 + (1 if count % 10 else 0)
        assert total == len(c) == c.verify()
    assert list(range(1, total + 1)) == [r.position for r in records]
    assert total == len({r.event_id for r in records})
    assert all(a.recorded_at < b.recorded_at for a, b in itertools.pairwise(records))
    stored = {r.event_id: r.position for r in records}
    for result in results:
        assert [stored[event_id] for _, event_id in result] == [p for p, _ in result]


_KILLED = r"""
import os, signal, sys
import psycopg
from chronology import Chronicle
from chronology.copying import copy_chronicle
from chronology.events import StatementMade

url, schema, point, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = 0
write_row = psycopg.Copy.write_row

def dying_write_row(self, row):
    global rows
    write_row(self, row)
    rows += 1
    if (point == "first row" and rows == 1) or (point == "half-way" and rows == size // 2) or (
        point == "last row" and rows == size
    ):
        os.kill(os.getpid(), signal.SIGKILL)

execute = psycopg.Connection.execute

def dying_execute(self, query, *args, **kwargs):
    result = execute(self, query, *args, **kwargs)
    if point == "head moved" and str(query).startswith("UPDATE"):
        os.kill(os.getpid(), signal.SIGKILL)
    return result

psycopg.Copy.write_row = dying_write_row
psycopg.Connection.execute = dying_execute
with Chronicle.open(url, schema=schema) as c:
    c.extend([StatementMade(subject=f"s/{i % 50}", known_at="2024-04-02", summary=f"k{i}")
              for i in range(size)])
print("committed", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("point", ["first row", "half-way", "last row", "head moved", "never"])
def test_a_writer_killed_mid_batch_leaves_all_or_nothing(
    postgres_url: str, schema: str, point: str
) -> None:
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.extend([_statement(i) for i in range(3)])
    size = 400
    proc = python_child(_KILLED, postgres_url, schema, point, str(size))
    out, err = proc.communicate(timeout=120)
    if point == "never":
        assert (0, "committed") == (proc.returncode, out.strip()), err
    else:
        assert (-signal.SIGKILL, "") == (proc.returncode, out), err
    kept = size if point == "never" else 0
    with Chronicle.open(postgres_url, schema=schema) as c:
        assert 3 + kept == len(c) == c.verify()
        # The lock died with the writer: the next batch goes in.
        assert 4 + kept == c.append(_statement(99)).position


def test_follow_wakes_on_notify_and_survives_a_lost_connection(
    postgres_url: str, schema: str, admin: psycopg.Connection[Any]
) -> None:
    """With a poll of 30 s, records still arrive within a second of their commit (NOTIFY);
    after the listening connection is killed, the next wait reconnects and the catch-up read
    misses nothing."""
    with Chronicle.open(postgres_url, schema=schema) as c:
        c.append(_statement(0))
    done = threading.Event()

    def write(first: int) -> None:
        with Chronicle.open(postgres_url, schema=schema) as other:
            for i in range(first, first + 3):
                time.sleep(0.2)
                other.append(_statement(i))
        done.set()

    with Chronicle.open(postgres_url, schema=schema, read_only=True) as follower:
        stream = follower.follow(poll=30)
        assert 1 == next(stream).position
        writer = threading.Thread(target=write, args=(1,))
        start = time.monotonic()
        writer.start()
        got = [next(stream).position for _ in range(3)]
        elapsed = time.monotonic() - start
        writer.join()
        assert [2, 3, 4] == got
        assert elapsed < 10, elapsed
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN chronology_%%' AND datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        resumed = follower.follow(after=4, poll=0.5)
        done.clear()
        writer = threading.Thread(target=write, args=(4,))
        writer.start()
        assert [5, 6, 7] == [next(resumed).position for _ in range(3)]
        writer.join()


def test_copy_sqlite_to_postgres_and_back_keeps_every_hash(
    postgres_url: str, schema: str, tmp_path: Path
) -> None:
    with Chronicle.open(tmp_path / "a.db") as a:
        for k in range(3):
            a.extend([_statement(10 * k + i, subject=f"s/{i}") for i in range(4)])
        head = a.head()
        expected = [(r.position, r.recorded_at, r.hash) for r in a]
    url = f"{postgres_url}?schema={schema}"
    assert 12 == copy_chronicle(tmp_path / "a.db", url)
    assert 12 == copy_chronicle(url, tmp_path / "b.db")
    with Chronicle.open(url, read_only=True) as on_server, Chronicle.open(tmp_path / "b.db") as b:
        assert expected == [(r.position, r.recorded_at, r.hash) for r in on_server]
        assert (12, 12) == (on_server.verify(expected_head=head), b.verify(expected_head=head))


def test_the_commands_take_a_postgres_url_as_db(postgres_url: str, schema: str) -> None:
    """``--db postgresql://...`` works for the commands that read and write, as a path does."""
    from click.testing import CliRunner

    from chronology.cli import cli

    url = f"{postgres_url}?schema={schema}"
    with Chronicle.open(url) as chronicle:
        chronicle.extend([_statement(i, subject=f"s/{i}") for i in range(3)])
        head = str(chronicle.head())
    runner = CliRunner()
    verified = runner.invoke(cli, ["verify", "--db", url, "--head", head])
    assert 0 == verified.exit_code, verified.output
    shown = runner.invoke(cli, ["head", "--db", url])
    assert (0, head) == (shown.exit_code, shown.output.strip())
