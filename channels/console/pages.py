"""Console pages: sign in and out, subscriber search, and the subscriber page."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response

from assistant.settings import Settings
from channels.api.deps import DbDep, SettingsDep
from channels.api.rate_limits import RateLimits, RateLimitsDep, client_address
from channels.console.acts import EDITABLE, label
from channels.console.auth import PostDep, SessionDep, check_origin, viewer
from channels.console.sessions import (
    COOKIE,
    PATH,
    ConsoleSession,
    cookie_is_secure,
    open_session,
    open_session_with_code,
)
from channels.console.web import ConsoleRoute, redirect, render
from network import directory, listings
from network.actor import Actor
from network.db import Database
from network.directory import MAX_QUERY
from network.errors import RateLimited, Unauthenticated
from network.ids import utcnow
from network.operator_views import money, subscriber_page
from network.outcomes import lights
from network.services import cases as case_rules
from network.services.handoffs import queue

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
PRE_COOKIE = "layer8_console_signin"
PAGE_SIZE = 20
SubscriberId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
Text = Annotated[str | None, Query(max_length=MAX_QUERY)]


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never another site (``//evil``) or scheme."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


def _sign_in_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    pre = secrets.token_urlsafe(24)
    response = render(
        request,
        "sign_in.html",
        status,
        pre=pre,
        error=error,
        next=_safe_next(request.query_params.get("next")),
    )
    _set_cookie(request, response, PRE_COOKIE, pre, max_age=1800)
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=cookie_is_secure(request.url.scheme, request.url.hostname),
    )


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    return _sign_in_page(request)


@router.post("/sign-in")
def sign_in(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    limits: RateLimitsDep,
    token: Annotated[str, Form(max_length=300)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    pre: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/console",
) -> Response:
    check_origin(request)
    cookie = request.cookies.get(PRE_COOKIE, "")
    if not pre or not hmac.compare_digest(pre.encode(), cookie.encode()):
        return _sign_in_page(request, 403, "The sign-in form expired. Please try again.")
    try:
        session = _signed_in(request, db, settings, limits, token, code)
    except RateLimited as exc:
        page = _sign_in_page(request, 429, f"Too many sign-ins. Try again in {exc.retry_after} seconds.")
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except Unauthenticated:
        what = (
            "sign-in code is not valid, was already used or has expired"
            if code.strip()
            else ("token is not a valid support-agent token")
        )
        return _sign_in_page(request, 401, f"That {what}.")
    response = redirect(_safe_next(next))
    signer = request.app.state.console.signer
    _set_cookie(
        request, response, COOKIE, signer.dumps(session), max_age=int(settings.console_session_hours * 3600)
    )
    response.delete_cookie(PRE_COOKIE, path=PATH)
    return response


def _signed_in(
    request: Request, db: Database, settings: Settings, limits: RateLimits, token: str, code: str
) -> ConsoleSession:
    """A session for a one-time code when one is given, else for an agent (or the admin) token; failures
    count against the address, sign-ins against the account (:meth:`RateLimits.sign_in`)."""
    return limits.sign_in(client_address(request), lambda count: _open(db, settings, token, code, count))


def _open(
    db: Database, settings: Settings, token: str, code: str, count: Callable[[str], None]
) -> ConsoleSession:
    """A session from a one-time code when one is given, else from an agent (or the admin) token; ``count``
    runs inside the code's transaction, so a sign-in refused over the account's limit leaves the code
    unused."""
    hours = settings.console_session_hours
    if code.strip():
        with db.transaction(Actor.system("console-sign-in")) as db_session:
            session = open_session_with_code(db_session, code, hours=hours)
            count(session.agent_id)
            return session
    admin = settings.admin_token.get_secret_value() if settings.admin_token else None
    with db.read() as db_session:
        session = open_session(db_session, token, admin_token=admin, hours=hours)
    count(session.agent_id)
    return session


@router.post("/sign-out")
def sign_out(session: PostDep) -> Response:
    response = redirect("/console/sign-in", "signed_out")
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
    return response


@router.get("")
def search(
    request: Request,
    session: SessionDep,
    db: DbDep,
    settings: SettingsDep,
    q: Text = None,
    industry: Text = None,
    place: Text = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    tenant = settings.tenant
    with db.read() as db_session:
        searched = any((q, industry, place))
        results = (
            directory.search_subscribers(
                db_session, q, PAGE_SIZE, offset, industry=industry, place=place, tenant=tenant
            )
            if searched
            else None
        )
        my_cases = case_rules.open_cases(db_session, session.agent_id) if session.is_agent else []
        names = {
            c.subscriber_id: directory.subscriber_card(db_session, c.subscriber_id).business_name
            for c in my_cases
        }
        waiting = len(queue(db_session, tenant))
        return render(
            request,
            "search.html",
            q=q or "",
            industry=industry or "",
            place=place or "",
            results=results,
            page_size=PAGE_SIZE,
            my_cases=my_cases,
            names=names,
            waiting=waiting,
        )


@router.get("/subscribers/{subscriber_id}")
def subscriber(
    request: Request, subscriber_id: SubscriberId, session: SessionDep, db: DbDep, settings: SettingsDep
) -> Response:
    with db.read() as db_session:
        page = subscriber_page(
            db_session,
            subscriber_id,
            agent_id=session.agent_id,
            viewer=viewer(session),
            tenant=settings.tenant,
        )
        return render(
            request,
            "subscriber.html",
            page=page,
            money=money,
            editable=EDITABLE,
            label=label,
            auth_methods=case_rules.AUTH_METHODS,
            idempotency_key=secrets.token_urlsafe(12),
            is_agent=session.is_agent,
            default_currency=settings.default_currency,
            today=utcnow().date().isoformat(),
            choices=[c for c in listings.pickable(db_session, settings.tenant) if c[0] != subscriber_id],
            light=lights.of(db_session, subscriber_id, utcnow()),
            light_rule=lights.RULE,
        )
