"""The PostgreSQL store runs the shared store contract, in a fresh schema per store (dropped
after the test). Skipped without ``CHRONOLOGY_TEST_POSTGRES_URL`` (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import pytest
from hypothesis import settings

from chronology.stores.base import Store
from chronology.stores.postgres import PostgresStore
from chronology.testing import ChronicleContract

pytestmark = pytest.mark.postgres


class TestPostgresContract(ChronicleContract):
    """Every contract test, the state machine included, against a chronicle on the server.

    The contract drives ``recorded_at`` with a fake clock, so the store takes the chronicle's
    clock (``server_clock=False``); tests/test_postgres.py covers the server's clock.

    The state machine runs 20 examples (not the profile's 40 or 50): every step is a few
    round trips to the server, and a fresh schema per example is a dozen statements, so the
    profile's count took two minutes on a loaded machine.
    """

    state_machine_settings: ClassVar[settings | None] = settings(max_examples=20)

    url: str
    fresh_schema: Callable[[], str]

    @pytest.fixture(autouse=True)
    def _server(self, postgres_url: str, postgres_schemas: Callable[[], str]) -> None:
        self.url = postgres_url
        self.fresh_schema = postgres_schemas

    def new_store(self) -> Store:
        return PostgresStore(self.url, schema=self.fresh_schema(), server_clock=False)
