"""Subscriber events, their invitations (RSVPs, waiting list, check-in), the one-to-ones suggested after
them, and the digest's per-subscriber settings and deliveries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.ids import utcnow
from network.models.base import Base, Id, id_factory


class InvitationState(StrEnum):
    INVITED = "invited"
    GOING = "going"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # was going or waiting, then said they cannot come
    ATTENDED = "attended"  # checked in


class EventState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Event(Base):
    """An operator's event: ``open → closed`` (or ``cancelled``). ``starts_at`` is UTC; ``time_zone`` is
    the IANA zone it is shown in. Either ``place`` or ``online_url`` says where."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("evt"))
    tenant: Mapped[str] = mapped_column(String(64), default="default", index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None] = mapped_column()
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(2000))
    capacity: Mapped[int] = mapped_column(Integer)
    # {"region": str | None, "industries": [NAICS prefixes], "interests": [words]}
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    host_id: Mapped[str | None] = mapped_column(ForeignKey("subscribers.id"))
    checkin_code_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()


class EventInvitation(Base):
    """One subscriber's place in an event: ``invited → going | waitlisted | declined``; ``going →
    cancelled | attended``; a waiting place moves up to ``going`` when a seat frees."""

    __tablename__ = "event_invitations"
    __table_args__ = (UniqueConstraint("event_id", "subscriber_id"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("inv"))
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    # whom they would meet and why: [{"subscriber_id", "business_name", "reasons": [...]}]
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column()
    waitlisted_at: Mapped[datetime | None] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column()
    checked_in_by: Mapped[str | None] = mapped_column(String(80))  # "host:<id>" | "code" | "operator:<id>"


class EventOneToOne(Base):
    """A one-to-one suggested after an event between two attendees who both came: a suggested
    introduction (double opt-in through :mod:`network.services.introductions`) tied to the event."""

    __tablename__ = "event_one_to_ones"
    __table_args__ = (UniqueConstraint("event_id", "introduction_id"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("o2o"))
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    introduction_id: Mapped[str] = mapped_column(ForeignKey("introductions.id"), index=True)
    proposed_time: Mapped[str | None] = mapped_column(String(120))
    proposed_by: Mapped[str | None] = mapped_column(String(40))  # the side whose time waits for the other
    agreed_at: Mapped[datetime | None] = mapped_column()  # the other side accepted the proposed time
    follow_up_due_at: Mapped[datetime] = mapped_column(index=True)
    followed_up_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestPreference(Base):
    """How a subscriber wants the digest: opted out or not, how often, and the quiet hours in their zone."""

    __tablename__ = "digest_preferences"

    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(default=False)
    frequency_days: Mapped[int] = mapped_column(Integer, default=7)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_from: Mapped[int] = mapped_column(Integer, default=21)  # local hour, inclusive
    quiet_to: Mapped[int] = mapped_column(Integer, default=8)  # local hour, exclusive
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DigestDelivery(Base):
    """One digest sent to one subscriber: what it held (kinds and ids, no text), how, and what came of it."""

    __tablename__ = "digest_deliveries"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("dig"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    template: Mapped[str | None] = mapped_column(String(120))
    items: Mapped[list[Any]] = mapped_column(default=list)
    # the channel's id of the message (WhatsApp wamid, Slack "channel:ts"), named by read statuses and replies
    message_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    opened_at: Mapped[datetime | None] = mapped_column()  # a read status, or anything that acted on it
    acted_at: Mapped[datetime | None] = mapped_column()  # a button pressed on it, or a reply to it
