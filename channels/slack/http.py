"""``POST /slack/events``: events, interactivity and the slash command, verified at the edge.

Our own check runs first (timestamp and v0 signature over the raw bytes; 401 otherwise, never 500), then
bolt's ``AsyncSlackRequestHandler`` dispatches the already-read body. Without ``LAYER8_SLACK_SIGNING_SECRET``
the route answers 503 rather than accept unsigned requests. A signed body bolt cannot read (not JSON, a form
whose ``payload`` is not JSON, fields of unexpected types) is acknowledged with 200 and kept as an
``unusable`` event, so Slack does not retry it. A sender (team and user) over ``LAYER8_RATE_LIMIT_WEBHOOK``
gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

from channels.api.rate_limits import rate_limits_of
from channels.ports import Parts
from channels.runtime import runtime_for
from channels.slack import body as body_check
from channels.slack import verify
from channels.slack.app import build_app
from network import dedup
from network.errors import Layer8Error

logger = logging.getLogger(__name__)
PATH = "/slack/events"


class SlackNotConfigured(Layer8Error):
    code = "slack_not_configured"
    status = 503


def router(container: Parts) -> APIRouter:
    """The route; ``app.state.clock`` (seconds, like ``time.time``) may replace the clock in tests."""
    routes = APIRouter(tags=["slack"])
    secret = container.settings.slack_signing_secret
    state: dict[str, AsyncSlackRequestHandler] = {}

    @routes.post(PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        if secret is None:
            raise SlackNotConfigured("Slack is not configured on this server")
        body = await request.body()
        now = getattr(request.app.state, "clock", time.time)()
        verify.verify(request.headers, body, secret.get_secret_value().encode(), now)
        rt = runtime_for(request.app)
        reason = await _check(request, body)
        if reason is None:
            if "handler" not in state:
                state["handler"] = AsyncSlackRequestHandler(build_app(rt))
            response, reason = await _dispatch(state["handler"], request)
            if reason is None:
                return response
        await asyncio.to_thread(dedup.unusable, rt.db, "slack", body, reason)
        return Response(status_code=200)

    return routes


async def _check(request: Request, body: bytes) -> str | None:
    """Why bolt could not read ``body`` (None when it can), after counting its sender's events."""
    try:
        payload = body_check.read(body, request.headers.get("content-type", "").split(";")[0])
    except body_check.Unusable as exc:
        return str(exc)
    sender = body_check.sender(payload)
    if sender:
        await rate_limits_of(request).ahit("webhook", f"slack:{sender}")
    return None


async def _dispatch(handler: AsyncSlackRequestHandler, request: Request) -> tuple[Response, str | None]:
    """bolt's answer, or why bolt could not handle a body that parsed.

    Our listeners acknowledge before they do anything that can fail, so a 5xx from bolt (or an exception
    from building its request context) means a payload with fields of types bolt does not expect.
    """
    try:
        response = await handler.handle(request)
    except Exception:  # bolt builds its context outside its own error handling
        logger.warning("bolt could not read a signed Slack body", exc_info=True)
        return Response(status_code=200), "bolt could not read the payload"
    if response.status_code >= 500:
        return response, f"bolt answered {response.status_code}"
    return response, None


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router(container))
