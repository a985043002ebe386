"""Builders for retrieval tests: subscribers with profiles and consent, through the domain services."""

from __future__ import annotations

from typing import Any

import numpy as np

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


def holds_vector(raw: bytes, vector: np.ndarray, atol: float = 1e-5) -> bool:
    """Whether ``raw`` holds ``vector`` as float32 at any 4-byte alignment, each value within ``atol``."""
    n = len(vector)
    for shift in range(4):
        usable = (len(raw) - shift) // 4
        if usable < n:
            continue
        floats = np.frombuffer(raw, dtype=np.float32, count=usable, offset=shift)
        with np.errstate(invalid="ignore"):
            starts = np.flatnonzero(np.isclose(floats[: usable - n + 1], vector[0], atol=atol))
        for start in starts:
            if np.allclose(floats[start : start + n], vector, atol=atol):
                return True
    return False
