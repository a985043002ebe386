"""Subscribers: creation, lookup and blocking (erasure: :mod:`network.services.erasure`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.errors import InvalidInput, NotFound
from network.models import Block, Profile, Subscriber
from network.services.erasure import erase_subscriber

__all__ = ["block", "create_subscriber", "erase_subscriber", "is_blocked", "require_subscriber"]


def require_subscriber(session: Session, subscriber_id: str) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id) if isinstance(subscriber_id, str) else None
    if subscriber is None or subscriber.status == "erased":
        raise NotFound(f"no subscriber {subscriber_id!r}")
    return subscriber


def create_subscriber(
    session: Session,
    business_name: str,
    *,
    tenant: str = "default",
    contact_name: str | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    bss_party_id: str | None = None,
    subscriber_id: str | None = None,
) -> Subscriber:
    name = (business_name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("a business name of 1 to 200 characters is required")
    subscriber = Subscriber(
        business_name=name,
        tenant=tenant,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        bss_party_id=bss_party_id,
    )
    if subscriber_id:
        subscriber.id = subscriber_id
    session.add(subscriber)
    session.add(Profile(subscriber=subscriber, sources={}))
    session.flush()
    return subscriber


def block(session: Session, blocker_id: str, blocked_id: str) -> Block:
    if blocker_id == blocked_id:
        raise InvalidInput("a subscriber cannot block itself")
    require_subscriber(session, blocker_id)
    require_subscriber(session, blocked_id)
    existing = session.scalars(
        select(Block).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    ).first()
    if existing:
        return existing
    row = Block(blocker_id=blocker_id, blocked_id=blocked_id)
    session.add(row)
    session.flush()
    return row


def is_blocked(session: Session, a: str, b: str) -> bool:
    """True when either side blocked the other."""
    return (
        session.scalars(
            select(Block.id).where(
                ((Block.blocker_id == a) & (Block.blocked_id == b))
                | ((Block.blocker_id == b) & (Block.blocked_id == a))
            )
        ).first()
        is not None
    )
