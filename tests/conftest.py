"""Shared fixtures: a fresh database on SQLite *and* on PostgreSQL for every storage test.

PostgreSQL is the server at ``LAYER8_TEST_POSTGRES_URL`` (default 127.0.0.1:5432/test); each test gets its own
schema, so parallel runs and helpers do not see each other's rows. If PostgreSQL is unreachable the
PostgreSQL cases fail: nothing is skipped silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from network.db import Database
from network.events import EventBus
from network.migrate import upgrade
from tests.stores import postgres_schema

# the integration API's wired application and economy, for tests/api and tests/webhooks
pytest_plugins = ["tests.api.economy_fixtures"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'layer8.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_schema("t") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated, empty database — once on SQLite, once on PostgreSQL."""
    database = Database(db_url, events=EventBus())
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    database = Database(sqlite_url, events=EventBus())
    upgrade(database)
    yield database
    database.dispose()
