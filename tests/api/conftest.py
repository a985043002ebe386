"""API fixtures: a container on the migrated ``db`` (SQLite and PostgreSQL), a client, and a small network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from composition.channels import web_app
from composition.container import Layer8
from network.db import Database
from tests.api.helpers import Network, make_container, seed_network


@pytest.fixture
def container(db: Database, tmp_path: Path) -> Iterator[Layer8]:
    layer8 = make_container(db.url, tmp_path)
    yield layer8
    layer8.close()


@pytest.fixture
def client(container: Layer8) -> Iterator[TestClient]:
    with TestClient(web_app(container)) as test_client:
        yield test_client


@pytest.fixture
def network(container: Layer8) -> Network:
    return seed_network(container.db)
