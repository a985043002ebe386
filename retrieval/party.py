"""A read-only view of a subscriber and the profile fields matching uses, loaded by plain column queries.

Matching touches a hundred candidates per request; loading them as ORM entities cost more than the vector
search, so the engine reads these columns straight into a small frozen dataclass.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.models import Profile, Subscriber
from retrieval.eligibility import IN_CHUNK


@dataclass(frozen=True, slots=True)
class Party:
    subscriber_id: str
    business_name: str
    tenant: str
    status: str
    contact_name: str | None
    naics_code: str | None
    naics_title: str | None
    description: str | None
    offers: str | None
    needs: str | None
    bottlenecks: str | None
    locality: str | None
    latitude: float | None
    longitude: float | None
    service_radius_km: float | None
    growth_stage: str | None


COLUMNS = (
    Subscriber.id,
    Subscriber.business_name,
    Subscriber.tenant,
    Subscriber.status,
    Subscriber.contact_name,
    Profile.naics_code,
    Profile.naics_title,
    Profile.description,
    Profile.offers,
    Profile.needs,
    Profile.bottlenecks,
    Profile.locality,
    Profile.latitude,
    Profile.longitude,
    Profile.service_radius_km,
    Profile.growth_stage,
)


def load_parties(session: Session, ids: Collection[str]) -> dict[str, Party]:
    found: dict[str, Party] = {}
    items = list(ids)
    for start in range(0, len(items), IN_CHUNK):
        query = (
            select(*COLUMNS)
            .join(Profile, Profile.subscriber_id == Subscriber.id)
            .where(Subscriber.id.in_(items[start : start + IN_CHUNK]))
        )
        for row in session.execute(query):
            found[row[0]] = Party(*row)
    return found
