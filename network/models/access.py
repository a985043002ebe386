"""Getting in: one-time sign-in codes (web chat and console) and the web chat's server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from network.ids import utcnow
from network.models.base import Base


class SignInCode(Base):
    """A one-time code that becomes a session: for a subscriber's web chat, or an agent's console.

    Only the code's SHA-256 is stored. An agent's code names the agent token it signs in with, so revoking
    that token ends the sessions opened with the code as well.
    """

    __tablename__ = "sign_in_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # "subscriber" | "agent"
    subscriber_id: Mapped[str | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(80))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(80))
    sent_via: Mapped[str] = mapped_column(String(16))  # cli | console | whatsapp | slack | demo
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class WebSession(Base):
    """A signed-in web chat: the cookie carries a random secret, the row only its SHA-256."""

    __tablename__ = "web_sessions"

    secret_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    via: Mapped[str] = mapped_column(String(16))  # how the code that opened it was delivered
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
