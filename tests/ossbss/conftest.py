"""Fixtures of the OSS/BSS tests: the TM Forum stub in-process, with every shape checked against the specs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from ossbss.stub import FaultSchedule, FaultyTransport, InProcessTransport, StubStore, create_app
from ossbss.tmf.client import TmfBss
from tests.ossbss.helpers import SchemaCheck


@pytest.fixture
def schema_check() -> SchemaCheck:
    return SchemaCheck()


@pytest.fixture
def stub_store() -> StubStore:
    return StubStore(idempotent=False)


@pytest.fixture
def faults() -> FaultSchedule:
    return FaultSchedule()


@pytest.fixture
def tmf(stub_store: StubStore, faults: FaultSchedule, schema_check: SchemaCheck) -> Iterator[TmfBss]:
    transport = FaultyTransport(InProcessTransport(create_app(stub_store)), faults)
    client = TmfBss(httpx.Client(transport=transport, base_url="http://stub.test"), check=schema_check)
    yield client
    client.close()


@pytest.fixture(scope="session")
def live_stub() -> Iterator[tuple[str, StubStore]]:
    """The stub served over real HTTP (as ``layer8 tmf-stub`` runs it) on a free local port."""
    store = StubStore(idempotent=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", store
    server.should_exit = True
    thread.join(5)
