"""``POST /slack/events``: events, interactivity and the slash command, verified at the edge.

Our own check runs first (timestamp and v0 signature over the raw bytes; 401 otherwise, never 500), then
bolt's ``AsyncSlackRequestHandler`` dispatches the already-read body. Without ``LAYER8_SLACK_SIGNING_SECRET``
the route answers 503 rather than accept unsigned requests.
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

from channels.ports import Parts
from channels.runtime import runtime_for
from channels.slack import verify
from channels.slack.app import build_app
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
        if "handler" not in state:
            state["handler"] = AsyncSlackRequestHandler(build_app(runtime_for(request.app)))
        return await state["handler"].handle(request)

    return routes


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router(container))
