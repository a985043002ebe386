"""Registering a subscriber an operator brings in (``layer8 subscribers add|import``).

One path for one subscriber or a file of them: contact details are checked, profile values are cleaned by the
profile rules, consent is recorded only as the person gave it, and a business already on record (the same
e-mail or phone number) is refused rather than created twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network.errors import Conflict, InvalidInput
from network.models import ConsentKind, Subscriber
from network.services import consent, profiles
from network.services.subscribers import create_subscriber

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")


@dataclass
class NewSubscriber:
    """What is known of a business before it is registered; :meth:`checked` refuses what is not valid."""

    business_name: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    consents: dict[ConsentKind, bool] = field(default_factory=dict)

    def checked(self) -> NewSubscriber:
        name = (self.business_name or "").strip()
        if not name or len(name) > 200:
            raise InvalidInput("business_name: 1 to 200 characters are required")
        cleaned = {key: profiles.clean_value(key, value) for key, value in self.profile.items()}
        return NewSubscriber(
            business_name=name,
            contact_name=_optional(self.contact_name, 200, "contact_name"),
            contact_email=email(self.contact_email),
            contact_phone=phone(self.contact_phone),
            profile={key: value for key, value in cleaned.items() if value is not None},
            consents=dict(self.consents),
        )


def _optional(value: str | None, limit: int, name: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{name}: at most {limit} characters")
    return text or None


def email(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    if text and (len(text) > 254 or not _EMAIL.match(text)):
        raise InvalidInput(f"contact_email: {value!r} is not an e-mail address")
    return text or None


def phone(value: str | None) -> str | None:
    """A phone number as digits with an optional leading ``+`` (spaces, dots, dashes and brackets dropped)."""
    text = _PHONE_SEPARATORS.sub("", value or "")
    if text and not _PHONE.match(text):
        raise InvalidInput(f"contact_phone: {value!r} is not a phone number (7 to 15 digits, + allowed)")
    return text or None


def already_registered(session: Session, new: NewSubscriber, tenant: str) -> Subscriber | None:
    """An active subscriber of ``tenant`` with the same e-mail or phone number."""
    same = [
        column == value
        for column, value in (
            (Subscriber.contact_email, new.contact_email),
            (Subscriber.contact_phone, new.contact_phone),
        )
        if value
    ]
    if not same:
        return None
    query = select(Subscriber).where(Subscriber.tenant == tenant, Subscriber.status != "erased", or_(*same))
    return session.scalars(query.limit(1)).first()


def register(session: Session, new: NewSubscriber, *, tenant: str, channel: str) -> Subscriber:
    """Create the subscriber with its declared profile and the consents it gave (on ``channel``)."""
    new = new.checked()
    existing = already_registered(session, new, tenant)
    if existing is not None:
        raise Conflict(
            f"{existing.business_name} ({existing.id}) already has this e-mail or phone number",
            subscriber_id=existing.id,
        )
    subscriber = create_subscriber(
        session,
        new.business_name,
        tenant=tenant,
        contact_name=new.contact_name,
        contact_email=new.contact_email,
        contact_phone=new.contact_phone,
    )
    if new.profile:
        profiles.update_profile(session, subscriber.id, new.profile)
    for kind, granted in new.consents.items():
        consent.set_consent(session, subscriber.id, kind.value, granted, channel=channel)
    return subscriber
