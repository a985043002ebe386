"""Signing in to the web chat with a one-time code: ``/v1/chat/session``.

``POST /v1/chat/session {"code"}`` turns a code into a session cookie (shared by the browser's tabs);
``GET`` says who is signed in and until when; ``DELETE`` signs out. Sign-ins are rate limited as the
console's are: wrong codes per client address, sign-ins per subscriber (429 with ``Retry-After``).
Sending a code to a linked chat is :mod:`channels.sign_in_delivery` (it needs the Slack and WhatsApp
senders, which this adapter may not import).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from channels import texts
from channels.api.rate_limits import RateLimitsDep, client_address
from channels.runtime import RuntimeDep
from channels.web.auth import COOKIE, COOKIE_PATH, ChatSubscriberDep, check_origin
from network import sign_in, web_sessions
from network.actor import Actor
from network.db import Database
from network.directory import business_names
from network.errors import Unauthenticated
from network.models import Role

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40)


class SignedIn(BaseModel):
    subscriber_id: str
    business_name: str
    expires_at: datetime | None  # None for a bearer token, which does not expire


router = APIRouter(prefix="/v1/chat/session", tags=["chat"])


@router.post("", response_model=SignedIn, summary="Sign in to the web chat with a one-time code")
async def open_session(
    body: CodeIn, request: Request, response: Response, runtime: RuntimeDep, limits: RateLimitsDep
) -> SignedIn:
    check_origin(request)
    hours = runtime.settings.web_session_hours
    ttl = timedelta(hours=hours)
    opened = await run_in_threadpool(
        limits.sign_in, client_address(request), lambda count: _redeem(runtime.db, body.code, ttl, count)
    )
    response.set_cookie(
        COOKIE,
        opened.secret,
        max_age=int(hours * 3600),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or (request.url.hostname or "") not in LOOPBACK,
    )
    response.headers["Cache-Control"] = "no-store"
    name = await run_in_threadpool(_name, runtime.db, opened.subscriber_id)
    return SignedIn(subscriber_id=opened.subscriber_id, business_name=name, expires_at=opened.expires_at)


@router.get("", response_model=SignedIn, summary="Who is signed in to the web chat")
async def who(principal: ChatSubscriberDep, request: Request, runtime: RuntimeDep) -> SignedIn:
    assert principal.subscriber_id is not None
    name = await run_in_threadpool(_name, runtime.db, principal.subscriber_id)
    expires = None if principal.token_id else await run_in_threadpool(_expiry, runtime.db, request)
    return SignedIn(subscriber_id=principal.subscriber_id, business_name=name, expires_at=expires)


@router.delete("", status_code=204, summary="Sign out of the web chat (every tab)")
async def close_session(request: Request, runtime: RuntimeDep) -> Response:
    check_origin(request)
    secret = request.cookies.get(COOKIE)
    await run_in_threadpool(_end, runtime.db, secret)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    return response


def _redeem(
    db: Database, code: str, ttl: timedelta, count: Callable[[str], None]
) -> web_sessions.OpenedSession:
    """Use up the code and open a session; ``count`` (the subscriber's sign-ins) runs inside the transaction,
    so a sign-in refused over the account's limit leaves the code usable once the wait is over."""
    with db.transaction(Actor.system("web-sign-in")) as session:
        redeemed = sign_in.redeem(session, Role.SUBSCRIBER, code)
        if redeemed is None or redeemed.subscriber_id is None:
            raise Unauthenticated(texts.SIGN_IN_CODE_INVALID)
        count(redeemed.subscriber_id)
        return web_sessions.open_session(session, redeemed.subscriber_id, via=redeemed.sent_via, ttl=ttl)


def _name(db: Database, subscriber_id: str) -> str:
    with db.read() as session:
        return business_names(session, [subscriber_id]).get(subscriber_id, "")


def _expiry(db: Database, request: Request) -> datetime | None:
    with db.read() as session:
        return web_sessions.expiry_of(session, request.cookies.get(COOKIE))


def _end(db: Database, secret: str | None) -> None:
    with db.transaction(Actor.system("web-sign-in")) as session:
        web_sessions.end_session(session, secret)
