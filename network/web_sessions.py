"""Web chat sessions: what a redeemed sign-in code becomes.

The browser holds a random secret in an HttpOnly cookie; the database holds its SHA-256, the subscriber and
an expiry. Every request looks the session up again, so signing out, erasing the subscriber or passing the
expiry ends it at once — on every tab, since the cookie is shared by the browser's tabs.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from network import audit
from network.ids import utcnow
from network.models import Subscriber, WebSession

MAX_SECRET_LENGTH = 128


@dataclass(frozen=True, slots=True)
class OpenedSession:
    secret: str  # goes into the cookie, never stored
    subscriber_id: str
    expires_at: datetime


def open_session(session: Session, subscriber_id: str, *, via: str, ttl: timedelta) -> OpenedSession:
    secret = secrets.token_urlsafe(32)
    expires_at = utcnow() + ttl
    session.add(
        WebSession(
            secret_hash=_hash(secret), subscriber_id=subscriber_id, via=via[:16], expires_at=expires_at
        )
    )
    session.flush()
    audit.record(session, "web_session.opened", "subscriber", subscriber_id, via=via)
    return OpenedSession(secret, subscriber_id, expires_at)


def subscriber_of(session: Session, secret: str | None) -> str | None:
    """The active subscriber whose unexpired, unended session this is; None otherwise."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    row = session.get(WebSession, _hash(secret))
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    subscriber = session.get(Subscriber, row.subscriber_id)
    if subscriber is None or subscriber.status != "active":
        return None
    return subscriber.id


def expiry_of(session: Session, secret: str | None) -> datetime | None:
    """When this session ends (None when it is not a live session)."""
    if subscriber_of(session, secret) is None:
        return None
    row = session.get(WebSession, _hash(secret or ""))
    return row.expires_at if row is not None else None


def end_session(session: Session, secret: str | None) -> bool:
    """Sign out: the session stops working at once. False when there was no live session."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return False
    ended = session.execute(
        update(WebSession)
        .where(WebSession.secret_hash == _hash(secret), WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return getattr(ended, "rowcount", 0) == 1


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
