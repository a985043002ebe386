"""Fixtures of the webhook tests: the application wired as in production, a small economy, a client, a
receiver test server, a clock moved by hand and a relay with short timeouts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from channels.webhooks.relay import WebhookRelay
from channels.webhooks.relay import client as relay_client
from composition.channels import web_app
from composition.container import Layer8
from network.db import Database
from network.webhooks.deliveries import WebhookPolicy, next_due
from tests.webhooks.receiver import Receiver


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def client(layer8: Layer8) -> Iterator[TestClient]:
    with TestClient(web_app(layer8)) as test_client:
        yield test_client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_relay(layer8: Layer8, clock: Clock, policy: WebhookPolicy | None = None) -> WebhookRelay:
    http = relay_client(httpx.Timeout(0.5))
    return WebhookRelay(layer8.db, http, policy=policy, clock=clock, rng=random.Random(7))


def drain(relay: WebhookRelay, db: Database, clock: Clock, rounds: int = 60) -> None:
    """Run the relay until nothing is pending, moving the clock past every back-off."""
    for _ in range(rounds):
        relay.run_once()
        if next_due(db) is None:
            return
        clock.advance(days=2)
    raise AssertionError("deliveries still pending after every round")
