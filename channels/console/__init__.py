"""The support-agent console and the operations dashboard: server-rendered pages under ``/console``.

Agents sign in with an agent token; the console keeps a signed, HttpOnly, SameSite=Strict session cookie
and checks a CSRF secret on every form. They search subscribers, read a subscriber's records, act on the
subscriber's behalf only inside an open case with recorded customer authentication (every act audited with
the agent and the case), and answer conversations the assistant handed off. ``/console/dashboard`` and
``GET /v1/metrics`` show the referral economy (:mod:`network.metrics`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from channels.console import (
    act_routes,
    dashboard,
    event_routes,
    handoff_routes,
    pages,
    privacy_routes,
    webhook_routes,
)
from channels.console.auth import ConsoleState
from channels.console.sessions import signer_for
from channels.console.web import STATIC

if TYPE_CHECKING:
    from channels.ports import Parts


def install(app: FastAPI, container: Parts) -> None:
    secret = container.settings.console_secret
    app.state.console = ConsoleState(signer_for(secret.get_secret_value() if secret else None))
    app.include_router(pages.router)
    app.include_router(act_routes.router)
    app.include_router(handoff_routes.router)
    app.include_router(privacy_routes.router)
    app.include_router(event_routes.router)
    app.include_router(webhook_routes.router)
    app.include_router(dashboard.page_router)
    app.include_router(dashboard.api_router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    @app.get("/console/", include_in_schema=False)
    def console_slash() -> RedirectResponse:
        return RedirectResponse("/console", status_code=308)
