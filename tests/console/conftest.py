"""Console fixtures: the app on the migrated ``db`` (SQLite, PostgreSQL) over HTTPS, a small network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from composition.channels import web_app
from composition.container import Layer8
from network.db import Database
from tests.console.helpers import Net, make_container, seed


@pytest.fixture
def container(db: Database, tmp_path: Path) -> Iterator[Layer8]:
    layer8 = make_container(db.url, tmp_path)
    yield layer8
    layer8.close()


@pytest.fixture
def net(container: Layer8) -> Net:
    return seed(container.db)


@pytest.fixture
def client(container: Layer8, net: Net) -> Iterator[TestClient]:
    # https: the session cookie is Secure, so a client over plain http to a non-loopback host would drop it
    with TestClient(web_app(container), base_url="https://testserver") as test_client:
        yield test_client
