"""Identity linking: an unknown Slack user or WhatsApp number links itself only with a one-time code.

An operator or support agent issues the code (``layer8 link-code SUBSCRIBER_ID``) and hands it to the business
through a channel they already trust; the person sends it from the new chat. Only the code's SHA-256 is
stored, with an expiry, and it is consumed by one atomic update, so two chats racing with the same code cannot
both win. Until an identity is linked no tool runs for it: the channels answer with how to link.

Codes look like ``L8-7KQM-X2FD``: 8 symbols from 32 unambiguous ones (40 bits) that expire within a day.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from network import audit
from network.errors import InvalidInput
from network.ids import utcnow
from network.models import ChannelIdentity, LinkCode, Subscriber
from network.services.subscribers import require_subscriber

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_TTL = timedelta(hours=24)
MAX_TTL = timedelta(days=7)
# "L8-ABCD-EFGH", "l8abcdefgh", "link L8-ABCD-EFGH" or "link ABCD-EFGH"; a bare 8-letter word is not a code
_CODE = re.compile(
    r"^\s*(?:(?:/?link\s+)(?:L8[-\s]?)?|L8[-\s]?)([A-HJ-NP-Z2-9]{4})[-\s]?([A-HJ-NP-Z2-9]{4})\s*[.!]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str
    subscriber_id: str
    expires_in: timedelta


def issue_code(
    session: Session, subscriber_id: str, *, issued_by: str, ttl: timedelta = DEFAULT_TTL
) -> IssuedCode:
    """A fresh one-time code for ``subscriber_id``; the code itself is returned once and never stored."""
    if not timedelta(minutes=1) <= ttl <= MAX_TTL:
        raise InvalidInput("a link code lives between one minute and seven days")
    subscriber = require_subscriber(session, subscriber_id)
    if subscriber.status != "active":
        raise InvalidInput("only an active subscriber can link a chat")
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(8))
    session.add(
        LinkCode(
            code_hash=_hash(symbols),
            subscriber_id=subscriber.id,
            issued_by=issued_by,
            expires_at=utcnow() + ttl,
        )
    )
    session.flush()
    return IssuedCode(f"L8-{symbols[:4]}-{symbols[4:]}", subscriber.id, ttl)


def parse_code(text: str) -> str | None:
    """The normalised symbols when ``text`` is a link-code message, else None."""
    match = _CODE.match(text or "")
    return (match.group(1) + match.group(2)).upper() if match else None


def redeem(session: Session, channel: str, external_id: str, symbols: str) -> Subscriber | None:
    """Link ``(channel, external_id)`` with the code's subscriber; None when the code is not usable."""
    now = utcnow()
    used = session.execute(
        update(LinkCode)
        .where(LinkCode.code_hash == _hash(symbols), LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(used_at=now, used_by=f"{channel}:{external_id}"[:160])
        .execution_options(synchronize_session=False)
    )
    if getattr(used, "rowcount", 0) != 1:
        return None
    code = session.get(LinkCode, _hash(symbols))
    assert code is not None
    subscriber = session.get(Subscriber, code.subscriber_id)
    if subscriber is None or subscriber.status != "active":
        return None
    identity = _identity(session, channel, external_id)
    if identity is None:  # an identity left by a closed account is re-pointed, never duplicated
        identity = ChannelIdentity(channel=channel, external_id=external_id)
        session.add(identity)
    identity.subscriber_id, identity.linked_at, identity.last_inbound_at = subscriber.id, now, now
    session.flush()
    audit.record(session, "channel.linked", "subscriber", subscriber.id, channel=channel)
    return subscriber


def resolve(session: Session, channel: str, external_id: str, *, touch: bool = True) -> str | None:
    """The active subscriber behind a channel identity (and its inbound time refreshed), or None."""
    identity = _identity(session, channel, external_id)
    if identity is None:
        return None
    subscriber = session.get(Subscriber, identity.subscriber_id)
    if subscriber is None or subscriber.status != "active":
        return None
    if touch:
        # a plain UPDATE: the 24-hour window is bookkeeping, not a decision for the audit trail
        session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == identity.id)
            .values(last_inbound_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return subscriber.id


def identity_on(session: Session, subscriber_id: str, channel: str) -> ChannelIdentity | None:
    """The subscriber's linked identity on ``channel`` (the first, when there are several)."""
    query = select(ChannelIdentity).where(
        ChannelIdentity.subscriber_id == subscriber_id, ChannelIdentity.channel == channel
    )
    return session.scalars(query).first()


def latest_identity(session: Session, subscriber_id: str, channels: Sequence[str]) -> ChannelIdentity | None:
    """Of the subscriber's identities on these channels, the one that wrote (or was linked) last."""
    return latest_identities(session, [subscriber_id], channels).get(subscriber_id)


def latest_identities(
    session: Session, subscriber_ids: Sequence[str], channels: Sequence[str]
) -> dict[str, ChannelIdentity]:
    """:func:`latest_identity` for many subscribers in one query (those with none are left out)."""
    if not subscriber_ids:
        return {}
    query = select(ChannelIdentity).where(
        ChannelIdentity.subscriber_id.in_(subscriber_ids), ChannelIdentity.channel.in_(channels)
    )
    latest: dict[str, ChannelIdentity] = {}
    for row in session.scalars(query):
        held = latest.get(row.subscriber_id)
        if held is None or _recency(row) > _recency(held):
            latest[row.subscriber_id] = row
    return latest


def _recency(row: ChannelIdentity) -> tuple[datetime, datetime]:
    return (row.last_inbound_at or row.linked_at, row.linked_at)


def _identity(session: Session, channel: str, external_id: str) -> ChannelIdentity | None:
    return session.scalars(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    ).first()


def _hash(symbols: str) -> str:
    return hashlib.sha256(symbols.upper().encode("ascii")).hexdigest()
