"""Console sessions: a signed cookie naming the signed-in agent, checked against its token on every request.

The cookie holds ``base64url(json) . base64url(hmac-sha256)``: who (role, agent id), the SHA-256 of the
token they signed in with (never the token), a CSRF secret and an expiry. It is HttpOnly, SameSite=Strict,
Secure except over plain HTTP to a loopback address (development and tests), and scoped to ``/console``.
Revoking the token ends every session opened with it: each request looks the token up again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from network import sign_in, tokens
from network.errors import Unauthenticated
from network.ids import utcnow
from network.models import Role
from network.tokens import hash_token

logger = logging.getLogger(__name__)

COOKIE = "layer8_console"
PATH = "/console"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    role: str  # "agent" | "admin"
    agent_id: str  # the agent's name; "admin" for the operator
    token_hash: str
    csrf: str
    expires: int  # unix seconds

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT.value


class Signer:
    """HMAC-SHA256 over the cookie's payload; a tampered or foreign cookie is simply not a session."""

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"layer8-console-session\x00" + secret).digest()

    def dumps(self, session: ConsoleSession) -> str:
        payload = _b64(json.dumps(asdict(session), separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def loads(self, value: str | None) -> ConsoleSession | None:
        if not value or len(value) > 2048 or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            session = ConsoleSession(**data)
        except (ValueError, TypeError):
            return None
        return session if session.expires > utcnow().timestamp() else None

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def signer_for(secret: str | None) -> Signer:
    if secret:
        return Signer(secret.encode())
    logger.warning("LAYER8_CONSOLE_SECRET is not set: console sessions last only as long as this process")
    return Signer(secrets.token_bytes(32))


def open_session(db_session: Session, token: str, *, admin_token: str | None, hours: float) -> ConsoleSession:
    """Sign in with an agent token (or the operator's admin token); anything else is refused."""
    token = token.strip()
    digest = hash_token(token)
    expires = int((utcnow() + timedelta(hours=hours)).timestamp())
    csrf = secrets.token_urlsafe(24)
    if admin_token and hmac.compare_digest(digest.encode(), hash_token(admin_token).encode()):
        return ConsoleSession(Role.ADMIN.value, "admin", digest, csrf, expires)
    row = tokens.find(db_session, digest) if 0 < len(token) <= 256 else None
    if row is None or row.revoked_at is not None or row.role not in (Role.AGENT, Role.ADMIN):
        raise Unauthenticated("that is not a valid support-agent token")
    name = row.agent_id or f"admin:{digest[:12]}"
    return ConsoleSession(row.role, name, digest, csrf, expires)


def open_session_with_code(db_session: Session, code: str, *, hours: float) -> ConsoleSession:
    """Sign in with a one-time agent code (``layer8 signin code --agent NAME``); it is used up here."""
    redeemed = sign_in.redeem(db_session, Role.AGENT, code)
    if redeemed is None or not redeemed.token_hash or not redeemed.agent_id:
        raise Unauthenticated("that sign-in code is not valid, was already used or has expired")
    row = tokens.find(db_session, redeemed.token_hash)
    if row is None or row.revoked_at is not None or row.role != Role.AGENT.value:
        raise Unauthenticated("that sign-in code is not valid, was already used or has expired")
    expires = int((utcnow() + timedelta(hours=hours)).timestamp())
    csrf = secrets.token_urlsafe(24)
    return ConsoleSession(Role.AGENT.value, redeemed.agent_id, redeemed.token_hash, csrf, expires)


def still_valid(db_session: Session, session: ConsoleSession, *, admin_token: str | None) -> bool:
    """The token behind the session is still issued and unrevoked, with the same role and agent."""
    if session.role == Role.ADMIN.value and session.agent_id == "admin":
        return bool(admin_token) and hmac.compare_digest(
            session.token_hash.encode(), hash_token(admin_token or "").encode()
        )
    row = tokens.find(db_session, session.token_hash)
    if row is None or row.revoked_at is not None or row.role != session.role:
        return False
    return (row.agent_id or f"admin:{row.token_hash[:12]}") == session.agent_id


def cookie_is_secure(scheme: str, host: str | None) -> bool:
    """Secure everywhere but plain HTTP on a loopback host, where browsers would drop the cookie."""
    return scheme == "https" or (host or "").lower() not in LOOPBACK
