"""Operational records: audit trail, idempotency keys, outbox, embedded BSS ledger, tokens, cases, events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.ids import utcnow
from network.models.base import Base, Id, id_factory


class AuditEvent(Base):
    """Append-only, hash-chained: ``hash = sha256(prev_hash + canonical(row))``. See :mod:`network.audit`."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(80), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditNote(Base):
    """Words an audit event refers to by ``note_id``: a reason someone typed, a token's label. The trail holds
    only ids and codes and is never edited, so what a person wrote lives here, outside the hash, where an
    erasure can wipe or scrub it like any other record (:mod:`network.audit`)."""

    __tablename__ = "audit_notes"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("note"))
    # whose text or data it is, when it belongs to a subscriber (wiped with them)
    subscriber_id: Mapped[str | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A write to the OSS/BSS, committed with its business row; the relay posts it."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("obx"))
    correlation_id: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # "usage" | "credit"
    aggregate_type: Mapped[str] = mapped_column(String(40))
    aggregate_id: Mapped[str] = mapped_column(String(40), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class LedgerEntry(Base):
    """The embedded OSS/BSS: what a pilot's "bill" holds when no external system is configured."""

    __tablename__ = "bss_ledger"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("led"))
    correlation_id: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    party_id: Mapped[str] = mapped_column(String(64), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token (stored hashed) with its role and scope."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    subscriber_id: Mapped[str | None] = mapped_column(ForeignKey("subscribers.id"))
    agent_id: Mapped[str | None] = mapped_column(String(80))
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()

    @property
    def audit_id(self) -> str:
        """How the audit trail names the token: its id (the hash's first 12 hex digits), never the hash."""
        return self.token_hash[:12]

    def audit_data(self) -> dict[str, Any]:
        return {"role": self.role, "subscriber_id": self.subscriber_id, "agent_id": self.agent_id}

    def audit_note(self) -> tuple[str, str | None] | None:
        """The label someone typed goes to an :class:`AuditNote` (the trail names it by ``note_id``)."""
        return (self.label, self.subscriber_id) if self.label else None


class SupportCase(Base):
    """A support agent acts on a subscriber's behalf only inside an open case with customer authentication."""

    __tablename__ = "support_cases"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("case"))
    agent_id: Mapped[str] = mapped_column(String(80), index=True)
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    customer_authenticated_by: Mapped[str | None] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()


class InboundEvent(Base):
    """Every verified webhook event, stored once (de-duplication) even when it cannot be used."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("channel", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="received")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasureRequest(Base):
    """A subscriber asked to be erased (GDPR Art. 17): ``pending → done | rejected``; an admin decides,
    or it is done at once when the operator sets ``LAYER8_ERASURE_IMMEDIATE``."""

    __tablename__ = "erasure_requests"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("era"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_by: Mapped[str] = mapped_column(String(80))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
