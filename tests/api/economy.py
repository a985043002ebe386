"""Fixtures' builders for the integration API tests: the application wired as in production (deal events
→ incentives, every change → webhook deliveries), the small network of ``helpers``, consents to be
contacted, a third business, and an agent's authenticated case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from composition.container import Layer8, build
from network.actor import Actor
from network.db import Database
from network.models import ConsentRecord, Subscriber, SupportCase
from tests.api.helpers import ADMIN_TOKEN, Network, seed_network

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass(frozen=True)
class Economy:
    net: Network
    books: str  # a third business, contactable
    authenticated_case: str  # agent.alice's open case for the café, customer authenticated

    def sub(self, name: str) -> dict[str, str]:
        token = {"acme": self.net.acme_token, "cafe": self.net.cafe_token}[name]
        return {"Authorization": f"Bearer {token}"}

    def agent(self, case: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.net.agent_token}"}
        if case:
            headers["X-Layer8-Case"] = case
        return headers


def wired_container(url: str, home: Path) -> Layer8:
    settings = Settings(_env_file=None, database_url=url, home=home, admin_token=ADMIN_TOKEN, env="test")
    return build(settings)


def seed_economy(db: Database) -> Economy:
    net = seed_network(db)
    with db.transaction(Actor.admin("test")) as session:
        books = Subscriber(business_name="Bob's Books", contact_email="bob@books.example")
        session.add(books)
        session.flush()
        for subscriber_id in (net.acme, net.cafe, books.id):
            session.add(_contactable(subscriber_id))
        case = SupportCase(
            agent_id="agent.alice",
            subscriber_id=net.cafe,
            reason="wants to record a deal",
            customer_authenticated_by="one-time code",
        )
        session.add(case)
        session.flush()
        return Economy(net, books.id, case.id)


def _contactable(subscriber_id: str) -> ConsentRecord:
    return ConsentRecord(
        subscriber_id=subscriber_id,
        kind="contactable",
        granted=True,
        purpose="introductions",
        channel="web",
        wording_version="v1",
    )


def deal_body(referral_id: str, amount_minor: int = 240_000, **extra: Any) -> dict[str, Any]:
    return {
        "referral_id": referral_id,
        "amount_minor": amount_minor,
        "currency": "GBP",
        "closed_on": date.today().isoformat(),
        **extra,
    }
