"""Read views of the subscriber directory, shared by the HTTP API, the CLI and the console.

Two shapes: a :class:`SubscriberCard` (public: what may be shown about a business) and private views
(:class:`SubscriberView`, :class:`ProfileView`) that carry contact details. Who may see what is decided here,
from the viewing :class:`~network.actor.Actor`: a subscriber sees only itself — another subscriber's id is
"not found", exactly as an id that does not exist — while support agents, admins and the system see anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from network.actor import Actor
from network.errors import InvalidInput, NotFound
from network.models import (
    PROFILE_FIELDS,
    ChannelIdentity,
    Profile,
    Role,
    Subscriber,
)
from network.services import consent

MAX_LIMIT = 100
MAX_OFFSET = 100_000
MAX_QUERY = 100
ERASED = "erased"  # an erased subscriber is gone from every view (network.services.subscribers)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class SubscriberCard(_View):
    """Public facts about a business: no contact data, no precise location."""

    id: str
    business_name: str
    status: str
    naics_code: str | None = None
    naics_title: str | None = None
    locality: str | None = None
    region: str | None = None
    country: str | None = None
    growth_stage: str | None = None


class Contact(_View):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class SubscriberView(SubscriberCard):
    """The private view: for the subscriber itself, its support agents and admins."""

    bss_party_id: str | None = None
    created_at: datetime
    last_active_at: datetime | None = None
    contact: Contact | None = None
    channels: list[str] = []
    consent: dict[str, bool] = {}


class ProfileView(_View):
    subscriber_id: str
    business_name: str
    description: str | None = None
    goals: str | None = None
    offers: str | None = None
    needs: str | None = None
    ideal_customers: str | None = None
    interests: str | None = None
    bottlenecks: str | None = None
    naics_code: str | None = None
    naics_title: str | None = None
    locality: str | None = None
    region: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    service_radius_km: float | None = None
    employees: int | None = None
    growth_stage: str | None = None
    languages: str | None = None
    sources: dict[str, str] = {}
    updated_at: datetime | None = None
    contact: Contact | None = None


class Page(_View):
    items: list[SubscriberCard]
    total: int
    limit: int
    offset: int


def search_subscribers(
    session: Session,
    q: str | None = None,
    limit: int = 20,
    offset: int = 0,
    *,
    industry: str | None = None,
    place: str | None = None,
    tenant: str | None = None,
) -> Page:
    """Subscribers whose name, number (phone, account, id), industry or place match ``q``, by name."""
    _check_page(limit, offset)
    query = (
        select(Subscriber, Profile)
        .outerjoin(Profile, Profile.subscriber_id == Subscriber.id)
        .where(Subscriber.status != ERASED)
    )
    if tenant is not None:
        query = query.where(Subscriber.tenant == tenant)
    if q := _clean(q, "q"):
        query = query.where(_matches_any(q))
    if industry := _clean(industry, "industry"):
        query = query.where(_industry(industry))
    if place := _clean(place, "place"):
        query = query.where(_contains(place, Profile.locality, Profile.region, Profile.country))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Subscriber.business_name, Subscriber.id).limit(limit).offset(offset)
    )
    items = [_card(subscriber, profile) for subscriber, profile in rows.tuples()]
    return Page(items=items, total=total, limit=limit, offset=offset)


def count_subscribers(session: Session) -> int:
    """Every subscriber on record, discoverable or not (the size of a full index rebuild)."""
    return session.scalar(select(func.count()).select_from(Subscriber)) or 0


def business_names(session: Session, subscriber_ids: Iterable[str]) -> dict[str, str]:
    """Subscriber id → business name, for the ids that exist."""
    query = select(Subscriber.id, Subscriber.business_name).where(Subscriber.id.in_(set(subscriber_ids)))
    return dict(session.execute(query).tuples().all())


def get_subscriber(
    session: Session, subscriber_id: str, *, viewer: Actor, tenant: str | None = None
) -> SubscriberView:
    """The private view of one subscriber, or :class:`NotFound` (also when ``viewer`` may not see it)."""
    subscriber = _visible(session, subscriber_id, viewer, tenant)
    profile = subscriber.profile
    card = _card(subscriber, profile).model_dump()
    return SubscriberView(
        **card,
        bss_party_id=subscriber.bss_party_id,
        created_at=subscriber.created_at,
        last_active_at=subscriber.last_active_at,
        contact=_contact(subscriber) if _may_see_contact(viewer, subscriber.id) else None,
        channels=_channels(session, subscriber.id),
        consent=current_consent(session, subscriber.id),
    )


def subscriber_card(session: Session, subscriber_id: str, *, tenant: str | None = None) -> SubscriberCard:
    """The public card of one subscriber (for suggestions and introductions), or :class:`NotFound`."""
    subscriber = _load(session, subscriber_id, tenant)
    return _card(subscriber, subscriber.profile)


def profile_view(
    session: Session, subscriber_id: str, *, viewer: Actor, tenant: str | None = None
) -> ProfileView:
    """The profile with each field's source; contact details only for those allowed to see them."""
    subscriber = _visible(session, subscriber_id, viewer, tenant)
    profile = subscriber.profile
    fields: dict[str, Any] = {}
    if profile is not None:
        fields = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        fields["sources"] = {str(k): str(v) for k, v in (profile.sources or {}).items()}
        fields["updated_at"] = profile.updated_at
    return ProfileView(
        subscriber_id=subscriber.id,
        business_name=subscriber.business_name,
        contact=_contact(subscriber) if _may_see_contact(viewer, subscriber.id) else None,
        **fields,
    )


def current_consent(session: Session, subscriber_id: str) -> dict[str, bool]:
    """The newest consent decision per kind; a kind never asked is ``False``."""
    return consent.current(session, subscriber_id)


def may_view(viewer: Actor, subscriber_id: str) -> bool:
    """The directory's one access rule: subscribers see themselves; staff and the system see anyone."""
    if viewer.kind is Role.SUBSCRIBER:
        return viewer.id == subscriber_id
    return viewer.kind in (Role.AGENT, Role.ADMIN, Role.SYSTEM)


def _may_see_contact(viewer: Actor, subscriber_id: str) -> bool:
    return may_view(viewer, subscriber_id)


def _visible(session: Session, subscriber_id: str, viewer: Actor, tenant: str | None) -> Subscriber:
    if not may_view(viewer, subscriber_id):
        raise NotFound(f"no subscriber {subscriber_id}")
    return _load(session, subscriber_id, tenant)


def _load(session: Session, subscriber_id: str, tenant: str | None) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id) if _plausible_id(subscriber_id) else None
    if (
        subscriber is None
        or subscriber.status == ERASED
        or (tenant is not None and subscriber.tenant != tenant)
    ):
        raise NotFound(f"no subscriber {subscriber_id}")
    return subscriber


def _plausible_id(value: str) -> bool:
    return 0 < len(value) <= 40 and not _CONTROL.search(value)


def _card(subscriber: Subscriber, profile: Profile | None) -> SubscriberCard:
    facts = {}
    if profile is not None:
        names = ("naics_code", "naics_title", "locality", "region", "country", "growth_stage")
        facts = {name: getattr(profile, name) for name in names}
    return SubscriberCard(
        id=subscriber.id, business_name=subscriber.business_name, status=subscriber.status, **facts
    )


def _contact(subscriber: Subscriber) -> Contact:
    return Contact(
        name=subscriber.contact_name, email=subscriber.contact_email, phone=subscriber.contact_phone
    )


def _channels(session: Session, subscriber_id: str) -> list[str]:
    rows = session.scalars(
        select(ChannelIdentity.channel).where(ChannelIdentity.subscriber_id == subscriber_id).distinct()
    )
    return sorted(rows)


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}")


def _clean(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_QUERY or _CONTROL.search(value):
        raise InvalidInput(f"{name} must be at most {MAX_QUERY} printable characters")
    return value.strip().lower()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(text: str, *columns: Any) -> Any:
    pattern = _like(text)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def _industry(text: str) -> Any:
    if text.isdigit():
        return Profile.naics_code.startswith(text, autoescape=True)
    return _contains(text, Profile.naics_title)


def _matches_any(q: str) -> Any:
    conditions = [
        _contains(q, Subscriber.business_name, Profile.naics_title, Profile.locality, Profile.region),
        Subscriber.id == q,
        func.lower(Subscriber.bss_party_id) == q,
    ]
    digits = re.sub(r"[\s().+-]", "", q)
    if digits.isdigit() and len(digits) >= 3:
        phone = func.replace(func.replace(Subscriber.contact_phone, " ", ""), "-", "")
        conditions += [phone.like(_like(digits), escape="\\"), Profile.naics_code.startswith(digits)]
    return or_(*conditions)
