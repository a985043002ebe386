"""The ``contacts`` scope of a webhook endpoint, on SQLite and PostgreSQL: only an admin can give it; an
endpoint without it never receives an e-mail or a phone number; one with it receives both parties' contact
cards on ``introduction.accepted`` and on nothing else; the cards are read when the delivery is sent, so a
party erased in between (or before a replay) is sent as ``null``. Every body is verified with the
``standardwebhooks`` package by the receiver test server, and the outbox never stores a contact detail."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from composition.container import Layer8
from network.actor import Actor
from network.models import OutboxMessage
from network.services.subscribers import erase_subscriber
from network.webhooks.catalog import EVENT_TYPES
from tests.api.economy import ADMIN, Economy, deal_body
from tests.api.helpers import assert_problem
from tests.webhooks.conftest import Clock, drain, make_relay
from tests.webhooks.receiver import Received, Receiver

ACME_DETAILS = ("ann@acme.example", "+44 7700 900123", "Ann Acme")
CAFE_DETAILS = ("jane@cafe.example",)
EMAIL_OR_PHONE = ("@acme.example", "@cafe.example", "@northern.example", "+44", "7700", "Northern Lofts")


def _register(
    client: TestClient, receiver: Receiver, scopes: list[str] | None, types: tuple[str, ...] = EVENT_TYPES
) -> dict[str, Any]:
    body: dict[str, Any] = {"url": receiver.url, "event_types": list(types)}
    if scopes is not None:
        body["scopes"] = scopes
    created = client.post("/v1/webhook-endpoints", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]
    return dict(created.json())


def _accepted_introduction(client: TestClient, economy: Economy) -> str:
    intro = client.post(
        "/v1/introductions", json={"target_id": economy.net.cafe}, headers=economy.sub("acme")
    )
    assert intro.status_code == 201, intro.text
    accepted = client.post(f"/v1/introductions/{intro.json()['id']}/accept", headers=economy.sub("cafe"))
    assert accepted.status_code == 200, accepted.text
    return str(intro.json()["id"])


def _more_events(client: TestClient, economy: Economy) -> None:
    """A referral naming a prospect with contact details, worked to a recorded deal."""
    body = {
        "receiver_id": economy.net.cafe,
        "prospect_name": "Northern Lofts",
        "prospect_contact": "lofts@northern.example +44 113 496 0000",
        "prospect_agreed": True,
    }
    created = client.post("/v1/referrals", json=body, headers=economy.sub("acme"))
    assert created.status_code == 201, created.text
    referral = created.json()
    client.post(
        f"/v1/referrals/{referral['id']}/state", json={"state": "contacted"}, headers=economy.sub("cafe")
    )
    headers = {**economy.sub("cafe"), "Idempotency-Key": f"deal-{referral['id']}"}
    assert client.post("/v1/deals", json=deal_body(referral["id"]), headers=headers).status_code == 201


def _acme_card(economy: Economy) -> dict[str, Any]:
    return {
        "subscriber_id": economy.net.acme,
        "business_name": "Acme Plumbing",
        "contact_name": "Ann Acme",
        "email": "ann@acme.example",
        "phone": "+44 7700 900123",
    }


def _cafe_card(economy: Economy) -> dict[str, Any]:
    return {
        "subscriber_id": economy.net.cafe,
        "business_name": "Jane's Café",
        "contact_name": None,
        "email": "jane@cafe.example",
        "phone": None,
    }


def _has_contact_details(received: Received) -> bool:
    return any(s in received.body.decode() for s in EMAIL_OR_PHONE + ACME_DETAILS + CAFE_DETAILS)


def _stored_payloads(layer8: Layer8) -> str:
    with layer8.db.read() as session:
        rows = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == "webhook")).all()
        return json.dumps(list(rows), ensure_ascii=False)


def test_only_a_scoped_endpoint_gets_contact_details_and_only_on_acceptance(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock
) -> None:
    plain = Receiver()
    plain.start()
    try:
        assert _register(client, plain, None)["scopes"] == []
        assert _register(client, receiver, ["contacts"])["scopes"] == ["contacts"]
        intro_id = _accepted_introduction(client, economy)
        _more_events(client, economy)
        drain(make_relay(layer8, clock), layer8.db, clock)
    finally:
        plain.stop()

    for got in (plain, receiver):  # the receiver keeps only bodies that pass standardwebhooks' verify()
        assert got.rejected == 0
        assert {"introduction.accepted", "referral.created", "deal.recorded"} <= {
            r.type for r in got.received
        }
    assert not any(_has_contact_details(r) or "contacts" in r.data for r in plain.received)
    for got_scoped in receiver.received:
        if got_scoped.type != "introduction.accepted":
            assert not _has_contact_details(got_scoped) and "contacts" not in got_scoped.data, got_scoped.type
    accepted = next(r for r in receiver.received if r.type == "introduction.accepted")
    assert accepted.data["id"] == intro_id and accepted.data["state"] == "accepted"
    assert accepted.data["contacts"] == {"requester": _acme_card(economy), "target": _cafe_card(economy)}
    stored = _stored_payloads(layer8)
    assert "introduction.accepted" in stored and not any(s in stored for s in ACME_DETAILS + CAFE_DETAILS)


def test_a_party_erased_before_the_delivery_is_sent_as_null(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock
) -> None:
    _register(client, receiver, ["contacts"], ("introduction.accepted",))
    _accepted_introduction(client, economy)  # queued with the acceptance …
    with layer8.db.transaction(Actor.admin("test")) as session:
        erase_subscriber(session, economy.net.acme)  # … and the requester erased before it went out
    drain(make_relay(layer8, clock), layer8.db, clock)

    [received] = receiver.received
    assert received.data["contacts"] == {"requester": None, "target": _cafe_card(economy)}
    assert not any(s in received.body.decode() for s in (*ACME_DETAILS, "Acme Plumbing"))


def test_a_replay_after_an_erasure_leaves_the_erased_party_out(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock
) -> None:
    endpoint = _register(client, receiver, ["contacts"], ("introduction.accepted",))
    _accepted_introduction(client, economy)
    drain(make_relay(layer8, clock), layer8.db, clock)
    assert receiver.received[0].data["contacts"]["target"] == _cafe_card(economy)

    with layer8.db.transaction(Actor.admin("test")) as session:
        erase_subscriber(session, economy.net.cafe)
    url = f"/v1/webhook-endpoints/{endpoint['id']}/deliveries"
    delivery = client.get(url, headers=ADMIN).json()["data"][0]
    assert client.post(f"{url}/{delivery['id']}/replay", headers=ADMIN).status_code == 200
    drain(make_relay(layer8, clock), layer8.db, clock)

    first, replayed = receiver.received
    assert replayed.message_id == first.message_id  # the same event, recognisable as a duplicate
    assert replayed.data["contacts"] == {"requester": _acme_card(economy), "target": None}
    assert not any(s in replayed.body.decode() for s in (*CAFE_DETAILS, "Jane's Café"))


def test_removing_the_scope_stops_contact_details_even_for_queued_deliveries(
    client: TestClient, economy: Economy, layer8: Layer8, receiver: Receiver, clock: Clock
) -> None:
    endpoint = _register(client, receiver, ["contacts"], ("introduction.accepted",))
    _accepted_introduction(client, economy)
    changed = client.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"scopes": []}, headers=ADMIN)
    assert changed.status_code == 200 and changed.json()["scopes"] == []
    drain(make_relay(layer8, clock), layer8.db, clock)
    [received] = receiver.received
    assert "contacts" not in received.data and not _has_contact_details(received)


@pytest.mark.parametrize("who", ["subscriber", "agent"])
def test_only_an_admin_can_ask_for_the_contacts_scope(
    client: TestClient, economy: Economy, receiver: Receiver, who: str
) -> None:
    headers = economy.sub("acme") if who == "subscriber" else economy.agent(economy.authenticated_case)
    body = {"url": receiver.url, "event_types": ["introduction.accepted"], "scopes": ["contacts"]}
    assert_problem(client.post("/v1/webhook-endpoints", json=body, headers=headers), 403, "forbidden")
    endpoint = _register(client, receiver, None, ("introduction.accepted",))
    change = client.patch(
        f"/v1/webhook-endpoints/{endpoint['id']}", json={"scopes": ["contacts"]}, headers=headers
    )
    assert_problem(change, 403, "forbidden")
    assert client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=ADMIN).json()["scopes"] == []


def test_an_unknown_scope_is_refused(client: TestClient, receiver: Receiver) -> None:
    body = {"url": receiver.url, "event_types": ["introduction.accepted"], "scopes": ["everything"]}
    response = client.post("/v1/webhook-endpoints", json=body, headers=ADMIN)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_cli_lists_each_endpoints_scopes(
    client: TestClient, receiver: Receiver, cli: typer.Typer
) -> None:
    scoped = _register(client, receiver, ["contacts"], ("introduction.accepted",))
    plain = _register(client, receiver, None, ("deal.recorded",))
    listed = CliRunner().invoke(cli, ["webhooks", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    scopes = {row["id"]: row["scopes"] for row in json.loads(listed.output)}
    assert scopes == {scoped["id"]: "contacts", plain["id"]: ""}
    table = CliRunner().invoke(cli, ["webhooks", "list"], env={"COLUMNS": "240"})
    assert "scopes" in table.output and "contacts" in table.output


def test_openapi_documents_the_scope_and_the_contact_cards(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    scopes = schemas["NewEndpoint"]["properties"]["scopes"]
    assert scopes["items"].get("enum", [scopes["items"].get("const")]) == ["contacts"]
    assert "scopes" not in schemas["NewEndpoint"].get("required", [])  # older clients send none
    assert "scopes" in schemas["WebhookEndpoint"]["properties"]
    accepted = spec["webhooks"]["introduction.accepted"]["post"]
    assert "contacts" in accepted["description"]
    data_ref = _resolve(spec, accepted["requestBody"]["content"]["application/json"]["schema"])
    data = _resolve(spec, data_ref["properties"]["data"])
    assert "contacts" in data["properties"]
    requested = spec["webhooks"]["introduction.requested"]["post"]
    other = _resolve(spec, requested["requestBody"]["content"]["application/json"]["schema"])
    assert "contacts" not in _resolve(spec, other["properties"]["data"])["properties"]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = spec
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found
