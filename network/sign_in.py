"""One-time sign-in codes: how a person gets into the web chat (a subscriber) or the console (an agent).

A code is issued by an operator (``layer8 signin code``), by a support agent inside an authenticated case,
or sent on request over a chat already linked to the subscriber (WhatsApp, Slack). It works once, for
minutes, and only for the role it was issued for: a subscriber's code typed into the console is refused
without being used up. Only its SHA-256 is stored; it is consumed by one atomic update, so two tabs racing
with the same code cannot both win. A redeemed code becomes a session (:mod:`network.web_sessions`, or the
console's signed cookie) — the code itself is never a long-lived secret.

Codes look like ``7KQM-X2FD``: 8 symbols from 32 unambiguous ones (40 bits).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from network import audit, tokens
from network.errors import InvalidInput, NotFound
from network.ids import utcnow
from network.models import ApiToken, ChannelIdentity, Role, SignInCode, Subscriber
from network.services import linking

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_TTL = timedelta(minutes=15)
MAX_TTL = timedelta(hours=24)
MAX_OPEN_PER_SUBSCRIBER = 3  # codes asked for over a chat: a fourth within their lifetime is refused
SENT_VIA = ("cli", "console", "whatsapp", "slack", "demo")
_CODE = re.compile(r"^\s*([A-HJ-NP-Z2-9]{4})[-\s]?([A-HJ-NP-Z2-9]{4})\s*$", re.IGNORECASE)
AGENT_TOKEN_LABEL = "console sign-in codes"


@dataclass(frozen=True, slots=True)
class IssuedSignIn:
    code: str  # shown once
    role: Role
    subscriber_id: str | None
    agent_id: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Redeemed:
    role: Role
    subscriber_id: str | None
    agent_id: str | None
    token_hash: str | None
    sent_via: str


def issue_for_subscriber(
    session: Session, subscriber_id: str, *, issued_by: str, sent_via: str, ttl: timedelta = DEFAULT_TTL
) -> IssuedSignIn:
    """A web chat sign-in code for an active subscriber."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.status == "erased":
        raise NotFound(f"no subscriber {subscriber_id}")
    if subscriber.status != "active":
        raise InvalidInput("only an active subscriber can sign in")
    return _issue(session, Role.SUBSCRIBER, subscriber_id, None, None, issued_by, sent_via, ttl)


def issue_for_agent(
    session: Session, agent_id: str, *, issued_by: str, sent_via: str, ttl: timedelta = DEFAULT_TTL
) -> IssuedSignIn:
    """A console sign-in code for a support agent, tied to the agent's newest unrevoked agent token (one is
    created, never shown, when the agent has none: revoking it ends the sessions opened with its codes)."""
    token_hash = _agent_token(session, agent_id)
    return _issue(session, Role.AGENT, None, agent_id, token_hash, issued_by, sent_via, ttl)


def open_codes(session: Session, subscriber_id: str) -> int:
    """How many unused, unexpired codes the subscriber has (to refuse a flood of requests)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(SignInCode)
            .where(
                SignInCode.subscriber_id == subscriber_id,
                SignInCode.used_at.is_(None),
                SignInCode.expires_at > utcnow(),
            )
        )
        or 0
    )


def reachable_by_phone(session: Session, phone: str) -> tuple[str, str] | None:
    """The active subscriber with this number (their WhatsApp chat, else their account's phone) and the
    chat a code would reach them on — their newest linked WhatsApp or Slack identity — or None."""
    number = international(phone)
    if number is None:
        return None
    subscriber_id = session.scalar(
        select(ChannelIdentity.subscriber_id).where(
            ChannelIdentity.channel == "whatsapp", ChannelIdentity.external_id == number
        )
    ) or session.scalar(select(Subscriber.id).where(Subscriber.contact_phone == number).limit(1))
    if subscriber_id is None or not _active(session, subscriber_id):
        return None
    identity = linking.latest_identity(session, subscriber_id, ("whatsapp", "slack"))
    return (subscriber_id, identity.channel) if identity is not None else None


def international(phone: str) -> str | None:
    """``+`` and the digits of a number as typed (``00`` read as ``+``); None when it cannot be a number."""
    digits = re.sub(r"[^0-9]", "", phone)
    if not 7 <= len(digits) <= 15:
        return None
    return f"+{digits[2:] if phone.strip().startswith('00') else digits}"


def parse(text: str) -> str | None:
    """The code's 8 symbols, upper case, when ``text`` looks like a sign-in code; else None."""
    match = _CODE.match(text or "")
    return (match.group(1) + match.group(2)).upper() if match else None


def redeem(session: Session, role: Role, text: str) -> Redeemed | None:
    """Use up a code of ``role``; None when it is malformed, unknown, used, expired or of another role."""
    symbols = parse(text)
    if symbols is None:
        return None
    now = utcnow()
    used = session.execute(
        update(SignInCode)
        .where(
            SignInCode.code_hash == _hash(symbols),
            SignInCode.role == role.value,
            SignInCode.used_at.is_(None),
            SignInCode.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(used, "rowcount", 0) != 1:
        return None
    row = session.get(SignInCode, _hash(symbols))
    assert row is not None
    session.refresh(row)
    if role is Role.SUBSCRIBER and not _active(session, row.subscriber_id):
        return None
    return Redeemed(role, row.subscriber_id, row.agent_id, row.token_hash, row.sent_via)


def _issue(
    session: Session,
    role: Role,
    subscriber_id: str | None,
    agent_id: str | None,
    token_hash: str | None,
    issued_by: str,
    sent_via: str,
    ttl: timedelta,
) -> IssuedSignIn:
    if not timedelta(minutes=1) <= ttl <= MAX_TTL:
        raise InvalidInput("a sign-in code lives between one minute and 24 hours")
    if sent_via not in SENT_VIA:
        raise InvalidInput(f"sent_via must be one of {', '.join(SENT_VIA)}")
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(8))
    expires_at = utcnow() + ttl
    session.add(
        SignInCode(
            code_hash=_hash(symbols),
            role=role.value,
            subscriber_id=subscriber_id,
            agent_id=agent_id,
            token_hash=token_hash,
            issued_by=issued_by[:80],
            sent_via=sent_via,
            expires_at=expires_at,
        )
    )
    session.flush()
    target = subscriber_id or agent_id or ""
    audit.record(session, "sign_in_code.issued", role.value, target, sent_via=sent_via, by=issued_by[:80])
    return IssuedSignIn(f"{symbols[:4]}-{symbols[4:]}", role, subscriber_id, agent_id, expires_at)


def _agent_token(session: Session, agent_id: str) -> str:
    newest = session.scalars(
        select(ApiToken)
        .where(
            ApiToken.role == Role.AGENT.value, ApiToken.agent_id == agent_id, ApiToken.revoked_at.is_(None)
        )
        .order_by(ApiToken.created_at.desc())
    ).first()
    if newest is not None:
        return newest.token_hash
    issued = tokens.issue(session, Role.AGENT, agent_id=agent_id, label=AGENT_TOKEN_LABEL)
    return tokens.hash_token(issued.token)


def _active(session: Session, subscriber_id: str | None) -> bool:
    subscriber = session.get(Subscriber, subscriber_id) if subscriber_id else None
    return subscriber is not None and subscriber.status == "active"


def _hash(symbols: str) -> str:
    return hashlib.sha256(b"layer8-sign-in\x00" + symbols.upper().encode("ascii")).hexdigest()
