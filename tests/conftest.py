"""Shared test configuration: hypothesis profiles.

``dev`` is the default. ``ci`` is loaded when the ``CI`` environment variable is set; it is
registered here explicitly (derandomized, no deadline, no example database) rather than left to
hypothesis' built-in profile of the same name, so CI runs the same fixed, bounded examples
every time. ``HYPOTHESIS_PROFILE`` picks a profile by name and wins over both.

Deadlines are off in both profiles: examples build pendulum instants and fold whole chronicles,
and the test machines are shared, so a wall-clock deadline would only add flakiness. The example
counts keep the whole suite fast.
"""

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev",
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
)
settings.register_profile(
    "ci",
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


POSTGRES_URL_VARIABLE = "CHRONOLOGY_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> str:
    """The URL of a PostgreSQL database the tests may create schemas in; skips the test
    when ``CHRONOLOGY_TEST_POSTGRES_URL`` is not set (or psycopg is missing)."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(
            f"no PostgreSQL server: set {POSTGRES_URL_VARIABLE}="
            "postgresql://user:password@localhost:5432/dbname (a database the tests may create"
            " schemas in; .ci/run starts a local server and sets it)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests need psycopg: pip install -e '.[postgres]'")
    return url


@pytest.fixture
def postgres_schemas(postgres_url: str) -> Iterator[Callable[[], str]]:
    """Gives fresh schema names (``test_<hex>``), each dropped with all it holds after the
    test."""
    import psycopg
    from psycopg import sql

    names: list[str] = []

    def fresh() -> str:
        names.append(f"test_{uuid.uuid4().hex[:16]}")
        return names[-1]

    yield fresh
    if names:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            for name in names:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )
