"""Fixtures of the webhook tests: the application wired as in production, a small economy, a client, a
receiver test server, a clock moved by hand, a relay with short timeouts and ``layer8 webhooks``."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import typer
from fastapi.testclient import TestClient

from assistant.settings import get_settings
from channels.webhooks.relay import WebhookRelay
from channels.webhooks.relay import client as relay_client
from cli import webhooks as webhooks_cli
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


@pytest.fixture
def cli(layer8: Layer8, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """``layer8 webhooks …`` on the test's database (settings come from the environment, as in production)."""
    monkeypatch.setenv("LAYER8_DATABASE_URL", layer8.settings.database)
    monkeypatch.setenv("LAYER8_HOME", str(layer8.settings.home))
    get_settings.cache_clear()
    app = typer.Typer()
    webhooks_cli.register(app)
    app.callback()(lambda: None)
    return app


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
