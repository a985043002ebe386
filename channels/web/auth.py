"""Who is chatting: a web chat session cookie (from a one-time sign-in code) or a subscriber bearer token.

The cookie is HttpOnly, SameSite=Strict, scoped to ``/v1/chat`` and Secure except over plain HTTP to a
loopback address. A request that changes something with the cookie must come from this site (``Origin``).
Integrations keep using ``Authorization: Bearer`` with a subscriber token.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from channels.api.auth import Credentials, get_principal
from channels.api.deps import DbDep, SessionDep, SettingsDep
from channels.api.rate_limits import RateLimitsDep
from channels.texts import SIGN_IN_REQUIRED
from network import web_sessions
from network.errors import PermissionDenied, Unauthenticated
from network.models import Role
from network.tokens import Principal

COOKIE = "layer8_chat"
COOKIE_PATH = "/v1/chat"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def chat_subscriber(
    request: Request,
    settings: SettingsDep,
    db: DbDep,
    limits: RateLimitsDep,
    session: SessionDep,
    credentials: Credentials,
) -> Principal:
    if credentials is not None:  # a token: checked (and rate-limited) exactly as on every API route
        principal = get_principal(request, settings, db, limits, credentials)
        if principal.role is not Role.SUBSCRIBER:
            raise PermissionDenied("this needs one of these roles: subscriber")
        return principal
    subscriber_id = web_sessions.subscriber_of(session, request.cookies.get(COOKIE))
    if subscriber_id is None:
        raise Unauthenticated(SIGN_IN_REQUIRED)
    if request.method not in SAFE_METHODS:
        check_origin(request)
    return Principal(Role.SUBSCRIBER, subscriber_id)


ChatSubscriberDep = Annotated[Principal, Depends(chat_subscriber)]


def check_origin(request: Request) -> None:
    """Refuse a cookie-carrying change sent from another site."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise PermissionDenied("cross-site requests are refused")
