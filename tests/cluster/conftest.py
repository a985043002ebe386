"""The loopback cluster as ``make cluster`` starts it (Procfile.cluster under honcho), with the fake model
server, on a schema of its own in the test PostgreSQL database, Redis db 14, a real ``chroma run`` and a fake
WhatsApp Graph API; torn down by stopping honcho, as Ctrl-C does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from network.db import Database
from network.events import EventBus
from tests.channels.conftest import WA_PHONE_ID, WA_SECRET, WA_VERIFY
from tests.channels.fakes import FakeGraphAPI, fake_servers
from tests.cluster.launch import Cluster, running_cluster
from tests.stores import clear_queue, postgres_schema

REDIS_URL = os.environ.get("LAYER8_TEST_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/14")


@dataclass
class Running:
    cluster: Cluster
    db: Database
    graph: FakeGraphAPI

    @property
    def nodes(self) -> list[str]:
        return self.cluster.nodes

    @property
    def balancer(self) -> str:
        return self.cluster.balancer

    @property
    def model(self) -> str:
        return self.cluster.model

    def log_tail(self) -> str:
        return self.cluster.log_tail()


@pytest.fixture(scope="module")
def schema_url() -> Iterator[str]:
    with postgres_schema("cluster") as url:
        yield url


@pytest.fixture(scope="module")
def cluster(schema_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    clear_queue(REDIS_URL)
    with fake_servers() as (_slack, graph):
        settings = {
            "LAYER8_DATABASE_URL": schema_url,
            "LAYER8_QUEUE_URL": REDIS_URL,
            "LAYER8_WHATSAPP_APP_SECRET": WA_SECRET,
            "LAYER8_WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
            "LAYER8_WHATSAPP_ACCESS_TOKEN": "wa-test-token",
            "LAYER8_WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
            "LAYER8_WHATSAPP_GRAPH_URL": graph.url,
        }
        db = Database(schema_url, events=EventBus())
        try:
            with running_cluster(tmp_path_factory.mktemp("cluster"), settings) as started:
                yield Running(started, db, graph)
        finally:
            db.dispose()
            clear_queue(REDIS_URL)
