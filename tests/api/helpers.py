"""Helpers of the API tests: a small seeded network, bearer headers and a problem+json check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from composition.container import Layer8
from network import tokens
from network.actor import Actor
from network.db import Database
from network.models import ChannelIdentity, ConsentRecord, Profile, Subscriber, SupportCase

ADMIN_TOKEN = "test-admin-token-7f3a9c"


@dataclass(frozen=True)
class Network:
    acme: str
    cafe: str
    acme_token: str
    cafe_token: str
    agent_token: str
    other_agent_token: str
    open_case: str  # the customer's authentication recorded
    closed_case: str
    unchecked_case: str  # open, but nobody recorded how the customer was authenticated
    revoked_token: str


def make_container(url: str, home: Path) -> Layer8:
    settings = Settings(_env_file=None, database_url=url, home=home, admin_token=ADMIN_TOKEN, env="test")
    return Layer8(settings)


def seed_network(db: Database) -> Network:
    with db.transaction(Actor.admin("test")) as session:
        acme = Subscriber(
            business_name="Acme Plumbing",
            bss_party_id="BSS-100200",
            contact_name="Ann Acme",
            contact_email="ann@acme.example",
            contact_phone="+44 7700 900123",
        )
        cafe = Subscriber(business_name="Jane's Café", contact_email="jane@cafe.example")
        session.add_all([acme, cafe])
        session.flush()
        session.add_all(
            [
                Profile(
                    subscriber_id=acme.id,
                    description="Emergency plumbing and boiler repair",
                    offers="plumbing, boiler repair",
                    needs="bookkeeping",
                    naics_code="238220",
                    naics_title="Plumbing, Heating, and Air-Conditioning Contractors",
                    locality="Leeds",
                    region="West Yorkshire",
                    country="GB",
                    sources={"offers": "declared", "needs": "inferred_confirmed"},
                ),
                Profile(
                    subscriber_id=cafe.id,
                    offers="coffee, catering",
                    naics_code="722515",
                    naics_title="Snack and Nonalcoholic Beverage Bars",
                    locality="York",
                    region="North Yorkshire",
                    country="GB",
                ),
                ChannelIdentity(subscriber_id=acme.id, channel="whatsapp", external_id="+447700900123"),
                ConsentRecord(
                    subscriber_id=acme.id,
                    kind="discoverable",
                    granted=True,
                    purpose="suggestions",
                    channel="web",
                    wording_version="v1",
                ),
            ]
        )
        open_case = SupportCase(
            agent_id="agent.alice",
            subscriber_id=cafe.id,
            reason="profile help",
            customer_authenticated_by="one-time code",
        )
        closed_case = SupportCase(
            agent_id="agent.alice", subscriber_id=acme.id, reason="old", closed_at=datetime.now(UTC)
        )
        unchecked_case = SupportCase(agent_id="agent.alice", subscriber_id=acme.id, reason="a caller")
        session.add_all([open_case, closed_case, unchecked_case])
        session.flush()
        revoked = tokens.issue(session, "subscriber", subscriber_id=cafe.id)
        tokens.revoke(session, revoked.token_id)
        return Network(
            acme=acme.id,
            cafe=cafe.id,
            acme_token=tokens.issue(session, "subscriber", subscriber_id=acme.id).token,
            cafe_token=tokens.issue(session, "subscriber", subscriber_id=cafe.id).token,
            agent_token=tokens.issue(session, "agent", agent_id="agent.alice").token,
            other_agent_token=tokens.issue(session, "agent", agent_id="agent.bob").token,
            open_case=open_case.id,
            closed_case=closed_case.id,
            unchecked_case=unchecked_case.id,
            revoked_token=revoked.token,
        )


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with Layer8's members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert isinstance(body, dict)
    assert {"type", "title", "status", "detail", "code", "instance"} <= body.keys()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:layer8:problem:{code}"
    return body
