"""Rendering for the console: the Jinja2 templates (package data), security headers, and a route class that
turns errors into pages — a refused act is a 403 page for a browser and problem+json for an API client; an
unexpected error is a 500 page, never a raw JSON body, and the page gives back the reply the agent typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import ValidationError

from channels.api.problems import problem
from network.errors import Layer8Error

logger = logging.getLogger(__name__)

STATIC = Path(str(resources.files("channels.console") / "static"))
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
# status messages after a redirect: only these fixed texts are ever shown (nothing is reflected)
DONE = {
    "case_opened": "Case opened.",
    "case_authenticated": "Customer authentication recorded.",
    "case_closed": "Case closed.",
    "profile_updated": "Profile updated on the subscriber's behalf.",
    "profile_unchanged": "Nothing in the profile changed.",
    "introduction_requested": "Introduction requested on the subscriber's behalf.",
    "introduction_answered": "Introduction answered on the subscriber's behalf.",
    "referral_logged": "Referral logged on the subscriber's behalf.",
    "deal_recorded": "Deal recorded on the subscriber's behalf.",
    "picked_up": "You are handling this conversation.",
    "assigned": "The conversation is assigned.",
    "taken_over": "You took over this conversation.",
    "replied": "Reply sent.",
    "handed_back": "The conversation is back with the assistant.",
    "signed_out": "You are signed out.",
    "profile_approved": "Profile text approved: it can now be indexed and shown.",
    "erased": "Subscriber erased everywhere; the check found no trace left.",
    "webhook_retried": "Delivery queued again: the relay sends it with its original webhook-id.",
    "erased_unverified": "Subscriber erased, but the check found traces left: see the server log.",
    "event_invited": "Invitations recorded and sent on each subscriber's channel.",
    "checked_in": "Guest checked in.",
    "event_closed": "Event closed; one-to-ones suggested between attendees who came.",
}


KEPT_FIELD = "text"  # the form field an error page gives back (an agent's reply)


class SignInRequired(Exception):
    """No valid console session: a page redirects to sign-in, a form post gets a 401 page."""


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("channels.console", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["pct"] = _pct
    return env


TEMPLATES = _environment()


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session = getattr(request.state, "console_session", None)
    done = DONE.get(request.query_params.get("done", ""))
    html = TEMPLATES.get_template(template).render(
        request=request, me=session, csrf=session.csrf if session else "", done=done, **context
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def redirect(url: str, done: str | None = None) -> RedirectResponse:
    target = f"{url}{'&' if '?' in url else '?'}done={done}" if done else url
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "json" not in accept


def error_page(
    request: Request,
    status: int,
    code: str,
    detail: str,
    typed: list[tuple[str, str]] | None = None,
    kept: str = "",
) -> Response:
    """A page (problem+json for API clients) that gives back what the agent typed: ``kept`` is a reply they
    can send again, ``typed`` the other fields of the form that failed."""
    if not wants_html(request):
        return problem(request, status, code, detail)
    back = _same_site_path(request.headers.get("referer", ""))
    others = [(name, value) for name, value in typed or [] if not (kept and name == KEPT_FIELD)]
    return render(
        request,
        "error.html",
        status,
        status=status,
        code=code,
        detail=detail,
        typed=others,
        back=back,
        kept=kept,
        again=request.url.path,
    )


# form fields that are machinery, not what the agent typed
_NOT_TYPED = {"csrf", "case_id", "idempotency_key", "pre", "token", "next"}


async def typed_values(request: Request) -> list[tuple[str, str]]:
    """What the agent typed into the form that failed (shown on the error page, so nothing is lost)."""
    if request.method != "POST":
        return []
    try:
        form = await request.form()  # parsed once already by the route; Starlette keeps it
    except Exception:  # a body that cannot be read again simply shows nothing
        return []
    return [
        (key.replace("_", " "), value.strip())
        for key, value in form.multi_items()
        if key not in _NOT_TYPED and isinstance(value, str) and value.strip()
    ]


async def typed_text(request: Request) -> str:
    """The ``text`` field of the form this request posted (a reply the agent typed), if any."""
    if request.method != "POST":
        return ""
    try:
        value = (await request.form()).get(KEPT_FIELD)  # parsed already: Starlette keeps the form
    except Exception:  # an unreadable form keeps nothing; the error page is shown all the same
        return ""
    return value if isinstance(value, str) else ""


def _same_site_path(referer: str) -> str | None:
    path = urlsplit(referer).path if referer else ""
    return path if path.startswith("/console") and not path.startswith("//") else None


class ConsoleRoute(APIRoute):
    """Errors of console routes become pages (or problems for API clients), never a bare traceback."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                if request.method == "GET" and wants_html(request):
                    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
                    return redirect(f"/console/sign-in?next={target}")
                return error_page(request, 401, "unauthenticated", "sign in to the console first")
            except Layer8Error as exc:
                typed, kept = await typed_values(request), await typed_text(request)
                return error_page(request, exc.status, exc.code, exc.message, typed, kept)
            except (RequestValidationError, ValidationError) as exc:
                typed, kept = await typed_values(request), await typed_text(request)
                return error_page(request, 422, "invalid_request", _first_error(exc), typed, kept)
            except Exception:  # a bug: logged with its traceback, shown as a page, never as raw JSON
                logger.exception("console %s %s failed", request.method, request.url.path)
                detail = "something went wrong on our side; check the page before you try again"
                typed, kept = await typed_values(request), await typed_text(request)
                return error_page(request, 500, "internal_error", detail, typed, kept)

        return guarded


def _first_error(exc: RequestValidationError | ValidationError) -> str:
    errors = list(exc.errors())
    if not errors:
        return "the form is not filled in correctly"
    first = errors[0]
    where = " ".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query"))
    return f"{where}: {first.get('msg', 'invalid')}".strip(": ")
