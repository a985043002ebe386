"""Fixtures for event tests: a conversation harness over SQLite with lexical retrieval fakes."""

from __future__ import annotations

import pytest

from network.db import Database
from tests.assistant.fakes import fake_ports
from tests.harness import Harness


@pytest.fixture
def quick(sqlite_db: Database) -> Harness:
    return Harness(sqlite_db, ports=fake_ports(sqlite_db))
