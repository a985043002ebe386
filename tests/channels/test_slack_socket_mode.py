"""Socket Mode: the same bolt app over a websocket from a local fake Slack (``apps.connections.open`` on the
fake Web API, then an aiohttp websocket that delivers an Events API envelope and collects the ack)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from pydantic import SecretStr

from channels.slack.socket import run_socket_mode
from composition.channels import channel_runtime
from composition.container import Layer8
from network.actor import Actor
from network.db import Database
from network.models import ChannelIdentity
from network.services.subscribers import create_subscriber
from tests.channels.conftest import channel_settings, load
from tests.channels.fakes import FakeAssistant, fake_servers

PAYLOADS: dict[str, Any] = load("slack/bolt_python_scenario_payloads.json")


async def test_a_direct_message_over_socket_mode_is_acknowledged_and_answered(
    sqlite_db: Database, tmp_path: Path
) -> None:
    body = json.loads(json.dumps(PAYLOADS["test_message::message_body"]))
    body["event"].update(channel="D222", channel_type="im", text="over the socket")
    acks: list[dict[str, Any]] = []

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        envelope = {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False}
        await ws.send_json({**envelope, "payload": body})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                acks.append(json.loads(message.data))
        return ws

    app = web.Application()
    app.router.add_get("/ws", socket)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    with fake_servers() as (slack, graph):
        slack.socket_url = f"ws://127.0.0.1:{port}/ws"
        settings = channel_settings(
            sqlite_db.url, tmp_path, slack, graph, slack_app_token=SecretStr("xapp-1-test")
        )
        container = Layer8(settings)
        container.db = sqlite_db
        container.assistant = FakeAssistant(sqlite_db)
        with sqlite_db.transaction(Actor.admin("test")) as session:
            acme = create_subscriber(session, "Acme Plumbing")
            session.add(ChannelIdentity(subscriber_id=acme.id, channel="slack", external_id="T111:W111"))
        stop = asyncio.Event()
        running = asyncio.create_task(run_socket_mode(channel_runtime(container), stop=stop))
        for _ in range(500):
            if slack.posts() and acks:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(running, 10)
    await runner.cleanup()

    assert acks[0]["envelope_id"] == "env-1"
    assert [p.params["text"] for p in slack.posts()] == ["You said: over the socket"]
    assert slack.posts()[0].params["channel"] == "D222"
