"""Run the stub in-process behind a synchronous httpx transport, with socket-level faults.

``InProcessTransport`` drives the ASGI app on a private event loop (no server, no port), so a thousand fault
schedules take seconds. ``FaultyTransport`` plays what a network does: a refused connection (nothing sent),
a timeout or dropped connection *after* the stub applied the request; 5xx and 429 come from the stub itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from ossbss.stub.faults import Fault, FaultKind, FaultSchedule


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def run() -> tuple[int, httpx.Headers, bytes]:
            inner = httpx.Request(request.method, request.url, headers=request.headers, content=content)
            response = await self._asgi.handle_async_request(inner)
            body = await response.aread()
            return response.status_code, response.headers, body

        status, headers, body = self._loop.run_until_complete(run())
        return httpx.Response(status, headers=headers, content=body, request=request)

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.close()


def header(fault: Fault) -> str:
    parts = [fault.kind.value, f"status={fault.status}", f"delay_s={fault.delay_s}"]
    if fault.retry_after_s is not None:
        parts.append(f"retry_after_s={fault.retry_after_s}")
    return ";".join(parts)


class FaultyTransport(httpx.BaseTransport):
    """Consumes one fault per matching request from ``schedule`` and acts it out around ``inner``."""

    def __init__(self, inner: httpx.BaseTransport, schedule: FaultSchedule) -> None:
        self._inner = inner
        self.schedule = schedule

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.schedule.next_for(request.method, request.url.path)
        if fault is None:
            return self._inner.handle_request(request)
        if fault.kind is FaultKind.REFUSE:
            raise httpx.ConnectError("connection refused (injected)", request=request)
        if fault.kind in (FaultKind.ERROR, FaultKind.THROTTLE, FaultKind.DELAY):
            request.headers["X-Stub-Fault"] = header(fault)
            return self._inner.handle_request(request)
        self._inner.handle_request(request)  # the stub applies it; the answer never arrives
        if fault.kind is FaultKind.TIMEOUT_AFTER_APPLY:
            raise httpx.ReadTimeout("timed out after the request was applied (injected)", request=request)
        raise httpx.RemoteProtocolError("peer closed connection mid-answer (injected)", request=request)

    def close(self) -> None:
        self._inner.close()
