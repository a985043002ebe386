"""Fixtures for conversation tests: a harness over a fresh database with lexical retrieval fakes."""

from __future__ import annotations

import pytest

from network.db import Database
from tests.assistant.fakes import fake_ports
from tests.harness import Harness


@pytest.fixture
def harness(db: Database) -> Harness:
    """On SQLite and on PostgreSQL (the ``db`` fixture is parametrised)."""
    return Harness(db, ports=fake_ports(db))


@pytest.fixture
def quick(sqlite_db: Database) -> Harness:
    """SQLite only, for behaviour that does not depend on the database engine."""
    return Harness(sqlite_db, ports=fake_ports(sqlite_db))
