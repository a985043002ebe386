"""Builders for retrieval tests: subscribers with profiles and consent, through the domain services."""

from __future__ import annotations

from typing import Any

from network.db import Database
from network.services import consent
from network.services.profiles import update_profile
from network.services.subscribers import create_subscriber


def add_business(
    db: Database,
    name: str,
    *,
    discoverable: bool = True,
    contact_name: str | None = None,
    contact_email: str | None = None,
    tenant: str = "default",
    **profile: Any,
) -> str:
    with db.transaction() as session:
        subscriber = create_subscriber(
            session, name, tenant=tenant, contact_name=contact_name, contact_email=contact_email
        )
        update_profile(session, subscriber.id, profile)
        consent.set_consent(session, subscriber.id, "discoverable", discoverable, channel="test")
        consent.set_consent(session, subscriber.id, "contactable", True, channel="test")
        return subscriber.id


class FakeSupplyChain:
    """``buy_share`` from a small table keyed by 2-digit NAICS sectors."""

    def __init__(self, shares: dict[tuple[str, str], float]) -> None:
        self.shares = shares

    def buy_share(self, buyer_naics: str, supplier_naics: str) -> float:
        return self.shares.get((buyer_naics[:2], supplier_naics[:2]), 0.0)
