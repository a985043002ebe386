"""The stub's fault injection over real HTTP, as plain ASGI middleware around the TMF routes."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from network.errors import InvalidInput
from ossbss.stub.faults import Fault, FaultKind, FaultSchedule
from ossbss.stub.resources import error

logger = logging.getLogger(__name__)
LONG_PAUSE_S = 60.0  # "no answer in time": longer than any client timeout Layer8 allows (≤ 30 s)


class StubDrop(Exception):
    """Raised after half an answer so the server closes the connection (the client sees it dropped)."""


class FaultMiddleware:
    def __init__(self, app: ASGIApp, schedule: FaultSchedule) -> None:
        self.app = app
        self.schedule = schedule

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith("/tmf-api/"):
            await self.app(scope, receive, send)
            return
        try:
            fault = self._fault(scope)
        except InvalidInput as exc:
            await _respond(send, 400, error(400, exc.code, exc.message), [])
            return
        if fault is None:
            await self.app(scope, receive, send)
            return
        logger.info("stub fault %s on %s %s", fault.kind.value, scope["method"], scope["path"])
        await self._act(fault, scope, receive, send)

    def _fault(self, scope: Scope) -> Fault | None:
        for name, value in scope.get("headers", []):
            if name == b"x-stub-fault":
                return Fault.from_header(value.decode("latin-1"))
        return self.schedule.next_for(str(scope["method"]), str(scope["path"]))

    async def _act(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind is FaultKind.DELAY:
            await asyncio.sleep(fault.delay_s)
            await self.app(scope, receive, send)
        elif fault.kind is FaultKind.THROTTLE:
            retry = str(fault.retry_after_s if fault.retry_after_s is not None else 1)
            await _respond(send, 429, error(429, "tooManyRequests"), [(b"retry-after", retry.encode())])
        elif fault.kind in (FaultKind.ERROR, FaultKind.REFUSE):  # over HTTP a refusal can only be a 503
            status = fault.status if fault.kind is FaultKind.ERROR else 503
            await _respond(send, status, error(status, "injectedFault"), [])
        else:
            messages = await _capture(self.app, scope, receive)
            if fault.kind is FaultKind.TIMEOUT_AFTER_APPLY:
                await asyncio.sleep(fault.delay_s or LONG_PAUSE_S)
                for message in messages:
                    await send(message)
                return
            start = messages[0]
            body = b"".join(m.get("body", b"") for m in messages[1:])
            await send(start)
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise StubDrop("stub: connection dropped after applying")


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> list[Message]:
    messages: list[Message] = []

    async def keep(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, keep)
    return messages


async def _respond(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    raw = json.dumps(body).encode()
    base = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": base + headers})
    await send({"type": "http.response.body", "body": raw})
