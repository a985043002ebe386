"""Conversations per thread, their messages, and pending actions that only a person can confirm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from network.ids import utcnow
from network.models.base import Base, Id, id_factory


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "thread_key"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("cnv"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    thread_key: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    summarised_upto: Mapped[int] = mapped_column(Integer, default=0)
    # "assistant" | "handed_off" (a human agent owns the thread until it is handed back)
    mode: Mapped[str] = mapped_column(String(16), default="assistant")
    handoff_reason: Mapped[str | None] = mapped_column(Text)
    agent_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# a person's message is stored once per channel message id, so a turn run again cannot store it twice
INBOUND_ONCE = text("role = 'user' AND external_id IS NOT NULL")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index(
            "uq_messages_inbound",
            "conversation_id",
            "external_id",
            unique=True,
            sqlite_where=INBOUND_ONCE,
            postgresql_where=INBOUND_ONCE,
        ),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("msg"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant | tool | agent | system
    content: Mapped[str] = mapped_column(Text, default="")
    tool_calls: Mapped[list[Any]] = mapped_column(default=list)
    external_id: Mapped[str | None] = mapped_column(String(160))
    feedback: Mapped[int | None] = mapped_column(Integer)  # +1 / -1
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PendingAction(Base):
    """Money-moving, consent-changing or contact-sharing work waiting for the person's own confirmation."""

    __tablename__ = "pending_actions"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("act"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
