"""Outbound webhooks: the endpoints an operator registers and the log of every delivery attempt.

A delivery itself is an :class:`~network.models.OutboxMessage` of kind ``webhook``, committed with the
business change that caused it (the transactional outbox the OSS/BSS writes already use).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from network.ids import utcnow
from network.models.base import Base, Id, id_factory


class WebhookEndpoint(Base):
    """Where events go, which ones, and whether the endpoint still receives them."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("whe"))
    tenant: Mapped[str] = mapped_column(String(64), default="default", index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    event_types: Mapped[list[Any]] = mapped_column(default=list)
    # what it may receive beyond ids and states (:mod:`network.webhooks.scopes`); ``[]`` unless asked for
    scopes: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    # the Standard Webhooks signing secret, ``whsec_<base64>``; shown once, when the endpoint is created
    secret: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active | disabled
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookAttempt(Base):
    """One try at delivering one message to one endpoint: the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("wha"))
    delivery_id: Mapped[str] = mapped_column(ForeignKey("outbox.id"), index=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(40))  # the ``webhook-id`` the receiver de-duplicates on
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
