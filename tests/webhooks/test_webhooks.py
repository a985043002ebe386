"""Outbound webhooks end to end on SQLite and PostgreSQL: registered through the API, enqueued with the
business change, signed per Standard Webhooks and verified by a receiver with the ``standardwebhooks``
package; under injected faults every event arrives at least once, in order per resource, duplicates
recognisable by their id; failing endpoints are disabled; the log and replay work from the API and the CLI."""

from __future__ import annotations

import json
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook
from typer.testing import CliRunner

from channels.webhooks.relay import signed_request
from composition.container import Layer8
from composition.ossbss import relay as bss_relay
from network.actor import Actor
from network.models import OutboxMessage
from network.services.subscribers import erase_subscriber
from network.webhooks.catalog import EVENT_TYPES
from network.webhooks.deliveries import Claimed, WebhookPolicy
from tests.api.economy import ADMIN, Economy, deal_body
from tests.webhooks.conftest import Clock, drain, make_relay
from tests.webhooks.receiver import Receiver

CONTACT_DETAILS = ("ann@acme", "jane@cafe", "bob@books", "+44", "Ann Acme", "Acme Plumbing", "Northern Lofts")


def _register(client: TestClient, receiver: Receiver, types: tuple[str, ...] = EVENT_TYPES) -> dict[str, Any]:
    created = client.post(
        "/v1/webhook-endpoints", json={"url": receiver.url, "event_types": list(types)}, headers=ADMIN
    )
    assert created.status_code == 201, created.text
    endpoint = dict(created.json())
    receiver.secret = endpoint["secret"]
    assert endpoint["secret"].startswith("whsec_")
    assert "secret" not in client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=ADMIN).json()
    return endpoint


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _referral_economy(client: TestClient, eco: Economy, layer8: Layer8) -> dict[str, str]:
    """Everything another system hears about: an introduction, a referral, a paid deal, then its voiding."""
    acme, cafe = eco.sub("acme"), eco.sub("cafe")
    intro = client.post("/v1/introductions", json={"target_id": eco.net.cafe}, headers=acme).json()
    client.post(f"/v1/introductions/{intro['id']}/accept", headers=cafe)
    referral = client.post(
        "/v1/referrals", json={"receiver_id": eco.net.cafe, "prospect_name": "Northern Lofts"}, headers=acme
    ).json()
    client.post(f"/v1/referrals/{referral['id']}/state", json={"state": "contacted"}, headers=cafe)
    deal = client.post("/v1/deals", json=deal_body(referral["id"]), headers={**cafe, **_key()}).json()
    incentive = client.get("/v1/incentives", headers=ADMIN).json()["data"][0]
    client.post(f"/v1/incentives/{incentive['id']}/approve", json={}, headers=ADMIN)
    bss_relay(layer8.settings, layer8.db, layer8.bss).run_once()  # → incentive.posted
    client.post(f"/v1/deals/{deal['id']}/void", json={"reason": "entered twice"}, headers={**cafe, **_key()})
    return {
        "introduction": intro["id"],
        "referral": referral["id"],
        "deal": deal["id"],
        "incentive": incentive["id"],
    }


@dataclass(frozen=True)
class Enqueued:
    state: str
    message_id: str
    aggregate_id: str


def _enqueued(layer8: Layer8) -> list[Enqueued]:
    with layer8.db.read() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "webhook")
        rows = session.scalars(query.order_by(OutboxMessage.created_at, OutboxMessage.id))
        return [Enqueued(m.state, str(m.payload["message_id"]), m.aggregate_id) for m in rows]


def test_every_event_arrives_at_least_once_in_order_per_resource_despite_faults(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock
) -> None:
    _register(client, receiver)
    ids = _referral_economy(client, economy, layer8)
    receiver.faults = deque(["500", "hang", "drop", "500", "ok", "drop", "hang", "500", "ok", "hang", "drop"])
    drain(make_relay(layer8, clock), layer8.db, clock)

    sent = _enqueued(layer8)
    assert {m.state for m in sent} == {"sent"}
    assert receiver.rejected == 0
    assert set(receiver.ids()) == {m.message_id for m in sent}  # at least once each
    assert len(receiver.ids()) > len(set(receiver.ids()))  # duplicates, recognisable by their webhook-id
    for resource_id in ids.values():  # first arrivals keep the order in which things happened
        expected = [m.message_id for m in sent if m.aggregate_id == resource_id]
        firsts = list(
            dict.fromkeys(r.message_id for r in receiver.received if r.data.get("id") == resource_id)
        )
        assert firsts == expected, resource_id
    types = [r.type for r in receiver.received]
    for wanted in (
        "introduction.requested",
        "introduction.accepted",
        "referral.created",
        "referral.updated",
        "deal.recorded",
        "deal.voided",
        "incentive.approved",
        "incentive.posted",
        "incentive.reversed",
    ):
        assert wanted in types
    reversed_event = next(r for r in receiver.received if r.type == "incentive.reversed")
    assert reversed_event.data["id"] == ids["incentive"] and reversed_event.data["reversal_id"]
    for received in receiver.received:
        assert not any(secret in received.body.decode() for secret in CONTACT_DETAILS)


def test_the_delivery_log_shows_each_attempt_and_a_replay_resends_the_same_id(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock
) -> None:
    endpoint = _register(client, receiver, ("introduction.requested",))
    client.post("/v1/introductions", json={"target_id": economy.books}, headers=economy.sub("acme"))
    receiver.faults = deque(["500", "drop"])
    drain(make_relay(layer8, clock), layer8.db, clock)
    log = client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=ADMIN).json()["data"]
    assert [(d["event_type"], d["state"]) for d in log] == [("introduction.requested", "sent")]
    url = f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{log[0]['id']}"
    attempts = client.get(url, headers=ADMIN).json()["attempts_log"]
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 500), (2, None), (3, 204)]
    assert attempts[1]["error"].startswith("connection error")

    assert client.post(url + "/replay", headers=ADMIN).json()["state"] == "pending"
    drain(make_relay(layer8, clock), layer8.db, clock)
    assert receiver.ids() == [log[0]["message_id"]] * 2


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_dead_letters_can_be_replayed(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock, cli: typer.Typer
) -> None:
    endpoint = _register(client, receiver, ("referral.created",))
    for name in ("A", "B"):
        client.post(
            "/v1/referrals",
            json={"receiver_id": economy.net.cafe, "prospect_name": name},
            headers=economy.sub("acme"),
        )
    receiver.faults = deque(["500"] * 10)
    policy = WebhookPolicy(disable_after_failures=3, disable_after_s=0)
    drain(make_relay(layer8, clock, policy), layer8.db, clock)
    state = client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=ADMIN).json()
    assert state["state"] == "disabled" and "3 times" in state["disabled_reason"]
    assert {m.state for m in _enqueued(layer8)} == {"dead"}
    assert receiver.received == []

    client.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}, headers=ADMIN)
    receiver.faults.clear()
    runner = CliRunner()
    result = runner.invoke(cli, ["webhooks", "replay", "--all-dead"])
    assert result.exit_code == 0, result.output
    drain(make_relay(layer8, clock, policy), layer8.db, clock)
    assert sorted(r.type for r in receiver.received) == ["referral.created", "referral.created"]


def test_the_cli_lists_endpoints_and_deliveries_without_secrets(
    client: TestClient, economy: Economy, receiver: Receiver, cli: typer.Typer
) -> None:
    endpoint = _register(client, receiver, ("introduction.requested",))
    client.post("/v1/introductions", json={"target_id": economy.books}, headers=economy.sub("acme"))
    runner = CliRunner()
    listed = runner.invoke(cli, ["webhooks", "list", "--json"])
    assert listed.exit_code == 0 and endpoint["secret"] not in listed.output
    assert json.loads(listed.output)[0]["id"] == endpoint["id"]
    log = runner.invoke(cli, ["webhooks", "deliveries", "--json", "--endpoint", endpoint["id"]])
    assert [d["state"] for d in json.loads(log.output)] == ["pending"]


def test_erasure_is_announced_with_the_id_only(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock
) -> None:
    _register(client, receiver, ("subscriber.erased",))
    with layer8.db.transaction(Actor.admin("test")) as session:
        erase_subscriber(session, economy.books)
    drain(make_relay(layer8, clock), layer8.db, clock)
    assert [(r.type, r.data) for r in receiver.received] == [
        ("subscriber.erased", {"id": economy.books, "status": "erased"})
    ]


def test_a_signed_request_verifies_with_standardwebhooks_and_a_changed_body_does_not() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    claimed = Claimed("obx_1", "whe_1", "http://x", secret, "msg_1", {"type": "deal.voided", "data": {}}, 1)
    body, headers = signed_request(claimed, datetime.now(UTC))
    assert Webhook(secret).verify(body, headers)["type"] == "deal.voided"
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(body.replace(b"voided", b"recorded"), headers)
