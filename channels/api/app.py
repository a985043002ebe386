"""The FastAPI application factory.

``create_app(container, runtime)`` wires the edges around the application's parts
(:class:`~channels.ports.Parts`). Each edge is a module with ``install(app, container)`` that includes its
router (and may mount an ASGI app or register a lifespan hook with
:func:`~channels.api.lifespan.on_lifespan`). A new edge — Slack, WhatsApp, web chat, console, dashboard —
adds one entry to :data:`EDGES`; tests may pass more with ``extra=``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import FastAPI

from channels import console
from channels import routes as channel_routes
from channels.api import (
    calendar,
    cases,
    deals,
    docs,
    handoffs,
    health,
    incentives,
    introductions,
    log_redaction,
    me,
    privacy,
    problems,
    rate_limits,
    referrals,
    subscribers,
    webhook_docs,
    webhook_endpoints,
)
from channels.api.body_limit import BodyLimitMiddleware
from channels.api.lifespan import lifespan
from channels.api.request_id import RequestIdMiddleware
from channels.api.version import VERSION
from channels.ports import Parts
from channels.runtime import ChannelRuntime

Installer = Callable[[FastAPI, Parts], None]

MAX_BODY_BYTES = 1_048_576  # webhook and API bodies are small

# One line per edge, in the order their routes should match.
EDGES: tuple[Installer, ...] = (
    rate_limits.install,  # first: the routes below read app.state.rate_limits
    docs.install,  # Swagger UI and ReDoc from packaged files (FastAPI's own load from a CDN)
    health.install,
    me.install,
    privacy.install,
    subscribers.install,
    introductions.install,
    referrals.install,
    deals.install,
    incentives.install,
    cases.install,
    handoffs.install,
    webhook_endpoints.install,
    webhook_docs.install,
    channel_routes.install,
    calendar.install,
    console.install,
)

DESCRIPTION = (
    "Layer8's HTTP API. Authenticate with `Authorization: Bearer <token>`; support agents acting in a case "
    "add `X-Layer8-Case: <case id>`. Every error is `application/problem+json` (RFC 9457) "
    "with a stable `code`. Every POST accepts an `Idempotency-Key`; lists are newest first with cursor "
    "pagination (`limit`, `cursor` from `next_cursor`). Events reach registered endpoints as signed "
    "webhooks (see `webhooks`)."
)


def create_app(
    container: Parts,
    runtime: ChannelRuntime,
    *,
    extra: Sequence[Installer] = (),
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The web application around ``container`` and its channels' ``runtime`` (both built by the caller;
    the app closes the runtime when the server stops, not the container)."""
    app = FastAPI(
        title="Layer8",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    log_redaction.install()
    app.state.container = container
    app.state.channels = runtime
    app.state.lifespan_hooks = []
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    problems.install(app)
    for install in (*EDGES, *extra):
        install(app, container)
    return app
