"""A correlation id per HTTP request: taken from a sane ``X-Request-ID`` or made up, echoed back, kept in a
``ContextVar`` for log lines and in the request scope for error bodies."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
request_id: ContextVar[str | None] = ContextVar("layer8_request_id", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,80}$")


def current_request_id(request: Request | None = None) -> str | None:
    """The id of the request being served (from the scope when the context has already been left)."""
    if request is not None:
        value = request.scope.get("state", {}).get("request_id")
        if isinstance(value, str):
            return value
    return request_id.get()


class RequestIdMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware``), so streaming responses and context vars behave."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(HEADER.lower().encode(), b"").decode("latin-1")
        rid = incoming if _SANE.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if HEADER not in headers:
                    headers.append(HEADER, rid)
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
