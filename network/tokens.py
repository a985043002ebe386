"""Bearer tokens: issue, revoke, list, and turn a presented token into a :class:`Principal`.

Only the SHA-256 of a token is stored; the token itself is shown once, when issued. A token's *id* is the
first 12 hex digits of that hash: safe to print and log, enough to revoke it.

Roles: a ``subscriber`` token is scoped to its own subscriber; an ``agent`` token (a telco support agent)
acts inside a case — the caller names an open :class:`SupportCase` of that agent in which the customer's
authentication was recorded, as the console requires; an ``admin`` token (or the
operator's ``LAYER8_ADMIN_TOKEN``) may read everything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.actor import Actor
from network.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthenticated
from network.ids import utcnow
from network.models import ApiToken, Role, Subscriber, SupportCase

TOKEN_PREFIX = "l8_"
MAX_TOKEN_LENGTH = 256
TOKEN_ID_LENGTH = 12
ISSUABLE = (Role.SUBSCRIBER, Role.AGENT, Role.ADMIN)
_NAME = re.compile(r"^[A-Za-z0-9_.@:-]{1,80}$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a verified bearer is. ``subscriber_id`` is the subscriber it acts for, if any: itself for a
    subscriber, the case's subscriber for an agent inside a case."""

    role: Role
    subscriber_id: str | None = None
    agent_id: str | None = None
    case_id: str | None = None
    token_id: str | None = None

    @property
    def actor(self) -> Actor:
        if self.role is Role.SUBSCRIBER and self.subscriber_id:
            return Actor.subscriber(self.subscriber_id)
        if self.role is Role.AGENT and self.agent_id:
            return Actor(Role.AGENT, self.agent_id, self.case_id)
        return Actor.admin(f"token:{self.token_id}" if self.token_id else "admin")

    def acting_for(self, subscriber_id: str) -> Actor:
        """The actor for a change to ``subscriber_id``'s records, or :class:`PermissionDenied`."""
        if self.role is Role.ADMIN or self.subscriber_id == subscriber_id:
            return self.actor
        if self.role is Role.AGENT:
            raise PermissionDenied("an agent acts on a subscriber's behalf only inside an open case for them")
        raise PermissionDenied("you may act only for yourself")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    token_id: str
    role: Role
    subscriber_id: str | None
    agent_id: str | None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    token_id: str
    role: str
    subscriber_id: str | None
    agent_id: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find(session: Session, token_hash: str) -> ApiToken | None:
    """The token stored under this hash (revoked or not), or None."""
    return session.get(ApiToken, token_hash)


def issue(
    session: Session,
    role: Role | str,
    *,
    subscriber_id: str | None = None,
    agent_id: str | None = None,
    label: str | None = None,
) -> IssuedToken:
    """Create a token; the returned :attr:`IssuedToken.token` is the only time it is ever visible."""
    role = _issuable_role(role)
    _check_scope(session, role, subscriber_id, agent_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    digest = hash_token(token)
    session.add(
        ApiToken(
            token_hash=digest, role=role.value, subscriber_id=subscriber_id, agent_id=agent_id, label=label
        )
    )
    session.flush()
    return IssuedToken(token, digest[:TOKEN_ID_LENGTH], role, subscriber_id, agent_id)


def revoke(session: Session, token_or_id: str) -> str:
    """Revoke by the token itself or by its id (at least 8 hex digits of the hash); returns the id."""
    row = _find(session, token_or_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row.token_hash[:TOKEN_ID_LENGTH]


def list_tokens(session: Session) -> list[TokenInfo]:
    rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.token_hash)).all()
    return [
        TokenInfo(
            r.token_hash[:TOKEN_ID_LENGTH],
            r.role,
            r.subscriber_id,
            r.agent_id,
            r.label,
            r.created_at,
            r.revoked_at,
        )
        for r in rows
    ]


def authenticate(
    session: Session, token: str, *, case_id: str | None = None, admin_token: str | None = None
) -> Principal:
    """The principal behind ``token`` (and, for an agent, the open case ``case_id``)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated("the bearer token is not valid")
    digest = hash_token(token)
    if admin_token and hmac.compare_digest(digest.encode(), hash_token(admin_token).encode()):
        principal = Principal(Role.ADMIN)
    else:
        principal = _from_record(session, session.get(ApiToken, digest))
    if not case_id:
        return principal
    return _in_case(session, principal, case_id)


def _from_record(session: Session, row: ApiToken | None) -> Principal:
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("the bearer token is not valid")
    role = Role(row.role)
    if role is Role.SUBSCRIBER:
        subscriber = session.get(Subscriber, row.subscriber_id) if row.subscriber_id else None
        if subscriber is None or subscriber.status == "erased":
            raise Unauthenticated("the bearer token is not valid")
    return Principal(role, row.subscriber_id, row.agent_id, None, row.token_hash[:TOKEN_ID_LENGTH])


def _in_case(session: Session, principal: Principal, case_id: str) -> Principal:
    if principal.role is not Role.AGENT:
        raise PermissionDenied("only support agents act inside a case")
    case = session.get(SupportCase, case_id) if _NAME.match(case_id) else None
    if case is None or case.agent_id != principal.agent_id or case.closed_at is not None:
        raise PermissionDenied("the case is not an open case of yours")
    if not case.customer_authenticated_by:  # the console's rule (services.cases.require_acting_case)
        raise PermissionDenied("record how the customer was authenticated before acting on their behalf")
    return Principal(Role.AGENT, case.subscriber_id, principal.agent_id, case.id, principal.token_id)


def _issuable_role(role: Role | str) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = None
    if parsed not in ISSUABLE:
        raise InvalidInput(f"role must be one of {', '.join(r.value for r in ISSUABLE)}, not {role!r}")
    assert parsed is not None
    return parsed


def _check_scope(session: Session, role: Role, subscriber_id: str | None, agent_id: str | None) -> None:
    if role is Role.SUBSCRIBER:
        if not subscriber_id or agent_id:
            raise InvalidInput("a subscriber token needs --subscriber ID and no --agent")
        if session.get(Subscriber, subscriber_id) is None:
            raise NotFound(f"no subscriber {subscriber_id}")
    elif role is Role.AGENT:
        if not agent_id or subscriber_id:
            raise InvalidInput("an agent token needs --agent NAME and no --subscriber")
        if not _NAME.match(agent_id):
            raise InvalidInput("an agent name is 1-80 letters, digits or . _ @ : -")
    elif subscriber_id or agent_id:
        raise InvalidInput("an admin token takes neither --subscriber nor --agent")


def _find(session: Session, token_or_id: str) -> ApiToken:
    if token_or_id.startswith(TOKEN_PREFIX):
        row = session.get(ApiToken, hash_token(token_or_id))
        if row is None:
            raise NotFound("no such token")
        return row
    if not re.fullmatch(r"[0-9a-f]{8,64}", token_or_id):
        raise InvalidInput("give the token itself or its id (at least 8 hex digits)")
    rows = session.scalars(select(ApiToken).where(ApiToken.token_hash.startswith(token_or_id))).all()
    if not rows:
        raise NotFound(f"no token {token_or_id}")
    if len(rows) > 1:
        raise Conflict(f"{token_or_id} names more than one token; give more digits")
    return rows[0]
