"""The loopback cluster as ``make cluster`` starts it (Procfile.cluster under honcho), with the fake model
server, on a schema of its own in the test PostgreSQL database, Redis db 14, a real ``chroma run`` and a fake
WhatsApp Graph API; torn down by stopping honcho, as Ctrl-C does."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from channels.queue import DEFAULT_KEY
from network.db import Database
from network.events import EventBus
from tests.channels.conftest import WA_PHONE_ID, WA_SECRET, WA_VERIFY
from tests.channels.fakes import FakeGraphAPI, fake_servers
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("LAYER8_TEST_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/14")
START_TIMEOUT_S = 120


@dataclass
class Cluster:
    balancer: str
    nodes: list[str]
    model: str
    db: Database
    graph: FakeGraphAPI
    log: Path

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _clear_queue() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=DEFAULT_KEY + "*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def schema_url() -> Iterator[str]:
    schema = f"cluster_{secrets.token_hex(5)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster(schema_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("cluster")
    lb, api1, api2, chroma, model, tmf = free_ports(6)
    _clear_queue()
    with fake_servers() as (_slack, graph):
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),  # this checkout's code, whatever the venv was installed from
            "CLUSTER_HOME": str(home),
            "CLUSTER_PORT": str(lb),
            "CLUSTER_API1_PORT": str(api1),
            "CLUSTER_API2_PORT": str(api2),
            "CLUSTER_CHROMA_PORT": str(chroma),
            "CLUSTER_MODEL_PORT": str(model),
            "CLUSTER_TMF_PORT": str(tmf),
            "CLUSTER_MODEL": "fake",
            "CLUSTER_SUBSCRIBERS": "30",
            "CLUSTER_SEED_FLAGS": "--no-history",
            "LAYER8_DATABASE_URL": schema_url,
            "LAYER8_QUEUE_URL": REDIS_URL,
            "LAYER8_EMBEDDER": "fake",
            "LAYER8_ENV": "test",
            "LAYER8_RATE_LIMIT_ENABLED": "false",
            "LAYER8_CONSOLE_SECRET": secrets.token_hex(16),
            "LAYER8_WHATSAPP_APP_SECRET": WA_SECRET,
            "LAYER8_WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
            "LAYER8_WHATSAPP_ACCESS_TOKEN": "wa-test-token",
            "LAYER8_WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
            "LAYER8_WHATSAPP_GRAPH_URL": graph.url,
        }
        log = home / "honcho.log"
        with log.open("wb") as out:
            honcho = subprocess.Popen(
                ["bash", "scripts/cluster/start.sh"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one below
            )
        db = Database(schema_url, events=EventBus())
        nodes = [f"http://127.0.0.1:{p}" for p in (api1, api2)]
        opened = Cluster(f"http://127.0.0.1:{lb}", nodes, f"http://127.0.0.1:{model}", db, graph, log)
        try:
            _wait_until_up(opened, honcho)
            yield opened
        finally:
            _stop(honcho)
            db.dispose()
            _clear_queue()


def _wait_until_up(cluster: Cluster, honcho: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    pending = [n + "/healthz" for n in [*cluster.nodes, cluster.model]] + [cluster.balancer + "/_balancer"]
    while pending:
        if honcho.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the cluster did not come up; its log ends:\n{cluster.log_tail()}")
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.25)


def _stop(honcho: subprocess.Popen[bytes]) -> None:
    """SIGTERM to honcho, as Ctrl-C: it stops every process it started; the group is killed if it lingers."""
    honcho.send_signal(signal.SIGTERM)
    try:
        honcho.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait(timeout=10)
