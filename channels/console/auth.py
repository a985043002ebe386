"""Who is using the console: the session cookie checked on every request, and CSRF on every form post.

Forms carry the session's CSRF secret in a hidden ``csrf`` field (compared in constant time); the cookie is
SameSite=Strict as well, and a post whose ``Origin`` names another site is refused.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from channels.api.deps import DbDep, SettingsDep
from channels.console.sessions import COOKIE, ConsoleSession, Signer, still_valid
from channels.console.web import SignInRequired
from network.actor import Actor
from network.errors import PermissionDenied
from network.models import Role

CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class ConsoleState:
    signer: Signer


def console_state(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


def current_session(request: Request, db: DbDep, settings: SettingsDep) -> ConsoleSession:
    session = console_state(request).signer.loads(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired
    admin = settings.admin_token
    with db.read() as db_session:
        if not still_valid(db_session, session, admin_token=admin.get_secret_value() if admin else None):
            raise SignInRequired
    request.state.console_session = session
    return session


SessionDep = Annotated[ConsoleSession, Depends(current_session)]


async def checked_post(request: Request, session: SessionDep) -> ConsoleSession:
    """A form post from this console: same origin and the session's CSRF secret."""
    check_origin(request)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise PermissionDenied("the form has expired or did not come from this console; reload and try again")
    return session


PostDep = Annotated[ConsoleSession, Depends(checked_post)]


def check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise PermissionDenied("cross-site form posts are refused")


def viewer(session: ConsoleSession) -> Actor:
    """The directory viewer for this session (staff see every subscriber of the tenant)."""
    return Actor(Role.AGENT, session.agent_id) if session.is_agent else Actor.admin(session.agent_id)


def require_agent(session: ConsoleSession) -> str:
    if not session.is_agent:
        raise PermissionDenied("only a support agent (an agent token) acts on a subscriber's behalf")
    return session.agent_id
