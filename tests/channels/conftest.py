"""Channel fixtures: the whole app on a real uvicorn server, with a fake Slack Web API, a fake Graph API and a
scripted assistant at the boundary, and helpers that sign requests like Slack and Meta do."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from assistant.settings import Settings
from channels.queue import InProcessQueue
from channels.runtime import ChannelRuntime
from composition.channels import web_app
from composition.container import Layer8
from network.actor import Actor
from network.db import Database
from network.models import ChannelIdentity
from network.services.subscribers import create_subscriber
from tests.channels.fakes import FakeAssistant, FakeGraphAPI, FakeSlackAPI, fake_servers
from tests.support import AppServer

FIXTURES = Path(__file__).parent / "fixtures"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the Slack docs example's secret
WA_SECRET = "1222e786b144d0e85b9f365372d93676"  # pywa's (already reset upstream)
WA_VERIFY = "verify-token-for-tests"
WA_PHONE_ID = "1122334455667"  # the phone number id in the pywa fixtures


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def channel_settings(
    db_url: str, home: Path, slack: FakeSlackAPI, graph: FakeGraphAPI, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "home": home,
        "env": "test",
        "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_bot_token": SecretStr("xoxb-test-token"),
        "slack_api_url": slack.api_url,
        "whatsapp_app_secret": SecretStr(WA_SECRET),
        "whatsapp_verify_token": SecretStr(WA_VERIFY),
        "whatsapp_access_token": SecretStr("wa-test-token"),
        "whatsapp_phone_number_id": WA_PHONE_ID,
        "whatsapp_graph_url": graph.url,
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Harness:
    container: Layer8
    server: AppServer
    slack: FakeSlackAPI
    graph: FakeGraphAPI
    assistant: FakeAssistant
    http: httpx.Client

    @property
    def runtime(self) -> ChannelRuntime:
        runtime: ChannelRuntime = self.server.server.config.app.state.channels
        return runtime

    @property
    def db(self) -> Database:
        return self.container.db

    def drain(self) -> None:
        queue = self.runtime.queue
        assert isinstance(queue, InProcessQueue)
        assert queue.drain(10)

    # --- Slack ---------------------------------------------------------------------------------------
    def slack_post(
        self,
        body: bytes | dict[str, Any],
        *,
        form: bool = False,
        timestamp: str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        ts = timestamp if timestamp is not None else str(int(time.time()))
        sig = signature
        if sig is None:
            digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256)
            sig = "v0=" + digest.hexdigest()
        content_type = "application/x-www-form-urlencoded" if form else "application/json"
        sent = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, "Content-Type": content_type}
        return self.http.post("/slack/events", content=raw, headers={**sent, **(headers or {})})

    # --- WhatsApp ------------------------------------------------------------------------------------
    def wa_post(self, body: Any, *, signature: str | bytes | None = None) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        sig: str | bytes | None = signature
        if sig is None:
            sig = "sha256=" + hmac.new(WA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        return self.http.post(
            "/webhooks/whatsapp",
            content=raw,
            headers={"X-Hub-Signature-256": sig, "Content-Type": "application/json"},
        )

    # --- identities ----------------------------------------------------------------------------------
    def subscriber(self, name: str = "Acme Plumbing") -> str:
        with self.db.transaction(Actor.admin("test")) as session:
            return create_subscriber(session, name).id

    def link(self, channel: str, external_id: str, name: str = "Acme Plumbing") -> str:
        subscriber_id = self.subscriber(name)
        with self.db.transaction(Actor.admin("test")) as session:
            session.add(
                ChannelIdentity(subscriber_id=subscriber_id, channel=channel, external_id=external_id)
            )
        return subscriber_id


@contextmanager
def open_harness(db: Database, home: Path, **settings: Any) -> Iterator[Harness]:
    """The app on ``db`` with fakes at every boundary; ``settings`` override the test settings."""
    with fake_servers() as (slack, graph):
        container = Layer8(channel_settings(db.url, home, slack, graph, **settings))
        container.db = db
        assistant = FakeAssistant(db)
        container.assistant = assistant
        app = web_app(container)
        with AppServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
            yield Harness(container, server, slack, graph, assistant, client)


@pytest.fixture
def harness(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    with open_harness(sqlite_db, tmp_path) as opened:
        yield opened
