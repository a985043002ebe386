"""The referral economy: introductions, referrals, deals and incentives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.ids import utcnow
from network.models.base import Base, Id, id_factory


class Introduction(Base):
    """A double opt-in introduction: ``suggested → requested → accepted | declined | expired``."""

    __tablename__ = "introductions"
    # the digest asks "this subscriber's introductions in this state" for every subscriber: without these,
    # SQLite at 100k introductions picked the created_at index and scanned (28 ms → 8 ms a decision)
    __table_args__ = (
        Index("ix_introductions_requester_state", "requester_id", "state"),
        Index("ix_introductions_target_state", "target_id", "state"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("int"))
    tenant: Mapped[str] = mapped_column(String(64), default="default")
    requester_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    parts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class Referral(Base):
    """A BNI "slip": ``open → contacted → meeting → won | lost``."""

    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("hotness BETWEEN 1 AND 5", name="hotness_range"),
        CheckConstraint("giver_id <> receiver_id", name="not_self"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("ref"))
    tenant: Mapped[str] = mapped_column(String(64), default="default")
    giver_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    receiver_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    prospect_subscriber_id: Mapped[str | None] = mapped_column(ForeignKey("subscribers.id"))
    prospect_name: Mapped[str | None] = mapped_column(String(200))
    prospect_contact: Mapped[str | None] = mapped_column(String(254))
    prospect_agreed: Mapped[bool] = mapped_column(default=False)
    introduction_id: Mapped[str | None] = mapped_column(ForeignKey("introductions.id"))
    hotness: Mapped[int] = mapped_column(Integer, default=3)
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Deal(Base):
    """Closed business ("thank you for closed business"); the referral's giver is credited."""

    __tablename__ = "deals"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="positive_amount"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("deal"))
    tenant: Mapped[str] = mapped_column(String(64), default="default")
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    introduction_id: Mapped[str | None] = mapped_column(ForeignKey("introductions.id"), index=True)
    receiver_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    giver_id: Mapped[str | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(80))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    closed_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="recorded")
    # same deal under another key: (receiver, giver, amount, currency, closed_on) hashed
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Incentive(Base):
    """A reward: ``pending → approved → posted → confirmed | reversed``; a reversal is a new negative row."""

    __tablename__ = "incentives"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("inc"))
    tenant: Mapped[str] = mapped_column(String(64), default="default")
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(16), index=True)
    hold_until: Mapped[datetime | None] = mapped_column()
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    reversal_of_id: Mapped[str | None] = mapped_column(ForeignKey("incentives.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
