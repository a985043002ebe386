"""The integration API's fixtures, shared by ``tests/api`` and ``tests/webhooks`` (loaded as a plugin by
``tests/conftest.py``): the application wired as in production on the migrated ``db`` (SQLite and
PostgreSQL), and the small economy of :func:`tests.api.economy.seed_economy` in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from composition.container import Layer8
from network.db import Database
from tests.api.economy import Economy, seed_economy, wired_container


@pytest.fixture
def layer8(db: Database, tmp_path: Path) -> Iterator[Layer8]:
    built = wired_container(db.url, tmp_path)
    yield built
    built.close()


@pytest.fixture
def economy(layer8: Layer8) -> Economy:
    return seed_economy(layer8.db)
