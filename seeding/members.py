"""The seeded subscribers a replayed history can involve, with what their stories need to know."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.models import Profile, Subscriber
from network.services import consent


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    discoverable: bool
    contactable: bool
    need: str
    offer: str
    locality: str
    joined: datetime  # a member acts only after joining


def members(session: Session, tenant: str) -> list[Member]:
    """Active subscribers of ``tenant`` with a profile, by id (a stable order for the seed)."""
    rows = session.execute(
        select(Subscriber, Profile)
        .join(Profile, Profile.subscriber_id == Subscriber.id)
        .where(Subscriber.tenant == tenant, Subscriber.status == "active")
        .order_by(Subscriber.id)
    ).tuples()
    found = []
    for subscriber, profile in rows:
        state = consent.current(session, subscriber.id)
        found.append(
            Member(
                id=subscriber.id,
                name=subscriber.business_name,
                discoverable=state["discoverable"],
                contactable=state["contactable"],
                need=_first(profile.needs, "local suppliers"),
                offer=_first(profile.offers, profile.naics_title or "what we make"),
                locality=profile.locality or "your area",
                joined=_aware(subscriber.created_at),
            )
        )
    return found


def _first(text: str | None, default: str) -> str:
    """The first item of a ``;``- or ``,``-separated list of words."""
    for separator in (";", ","):
        if text and separator in text:
            return text.split(separator)[0].strip()
    return (text or default).strip()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
