"""Small builders for network tests."""

from __future__ import annotations

from network.db import Database
from network.services import consent
from network.services.subscribers import create_subscriber


def make_subscribers(db: Database, *names: str, contactable: bool = True) -> list[str]:
    ids = []
    with db.transaction() as session:
        for name in names:
            sub = create_subscriber(session, name, contact_email=f"{name.split()[0].lower()}@example.com")
            consent.set_consent(session, sub.id, "discoverable", True, channel="test")
            consent.set_consent(session, sub.id, "contactable", contactable, channel="test")
            ids.append(sub.id)
    return ids
