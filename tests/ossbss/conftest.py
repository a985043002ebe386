"""Fixtures of the OSS/BSS tests: the TM Forum stub in-process, with every shape checked against the specs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

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
