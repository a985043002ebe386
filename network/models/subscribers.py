"""Subscribers, their channel identities, profiles, consent, blocks and link codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.ids import utcnow
from network.models.base import Base, Id, id_factory

PROFILE_TEXT_FIELDS = (
    "description",
    "offers",
    "needs",
    "ideal_customers",
    "interests",
    "bottlenecks",
    "goals",
)
PROFILE_FIELDS = (
    *PROFILE_TEXT_FIELDS,
    "naics_code",
    "naics_title",
    "locality",
    "region",
    "country",
    "latitude",
    "longitude",
    "service_radius_km",
    "employees",
    "growth_stage",
    "languages",
)


class Subscriber(Base):
    """A telco business account. Contact fields are private: never embedded, never shown before opt-in."""

    __tablename__ = "subscribers"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("sub"))
    tenant: Mapped[str] = mapped_column(String(64), default="default", index=True)
    bss_party_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the TMF629 customer this membership comes from (``layer8 subscribers sync``); None: added in Layer8
    bss_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    business_name: Mapped[str] = mapped_column(String(200), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | churned | erased
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_active_at: Mapped[datetime | None] = mapped_column()

    profile: Mapped[Profile | None] = relationship(back_populates="subscriber", uselist=False)


class ChannelIdentity(Base):
    """A verified way to reach a subscriber: ``slack`` (``TEAM:USER``), ``whatsapp`` (E.164), ``web``."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("chi"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column()


class LinkCode(Base):
    """A one-time code an operator or agent issues so an unknown channel identity can link itself."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    issued_by: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    used_by: Mapped[str | None] = mapped_column(String(160))


class Profile(Base):
    """What matching uses. Every value here was declared or inferred *and confirmed* (see ``sources``)."""

    __tablename__ = "profiles"

    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)
    offers: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    ideal_customers: Mapped[str | None] = mapped_column(Text)
    interests: Mapped[str | None] = mapped_column(Text)
    bottlenecks: Mapped[str | None] = mapped_column(Text)
    naics_code: Mapped[str | None] = mapped_column(String(6), index=True)
    naics_title: Mapped[str | None] = mapped_column(String(200))
    locality: Mapped[str | None] = mapped_column(String(120), index=True)
    region: Mapped[str | None] = mapped_column(String(120), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    service_radius_km: Mapped[float | None] = mapped_column(Float)
    employees: Mapped[int | None] = mapped_column(Integer)
    growth_stage: Mapped[str | None] = mapped_column(String(16))
    languages: Mapped[str | None] = mapped_column(String(120))
    # field name -> "declared" | "inferred_confirmed"
    sources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # "clear" | "held": text that reads as instructions or carries contact details waits for a person's
    # review (network.services.profile_review) before it is indexed or shown to anyone else
    review_state: Mapped[str] = mapped_column(String(16), default="clear", server_default="clear", index=True)
    review_reasons: Mapped[list[Any] | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="profile")


class ProfileProposal(Base):
    """A value the assistant inferred in chat; it reaches the profile only once the subscriber confirms it."""

    __tablename__ = "profile_proposals"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("prp"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class ConsentRecord(Base):
    """Consent history, append-only: the newest row per (subscriber, kind) is the current state."""

    __tablename__ = "consent_records"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("con"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    purpose: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    wording_version: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Block(Base):
    """``blocker`` never wants to be suggested ``blocked`` (nor the reverse)."""

    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("blocker_id", "blocked_id"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("blk"))
    blocker_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    blocked_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
