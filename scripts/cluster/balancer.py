"""A tiny round-robin HTTP load balancer for the loopback cluster (Procfile.cluster).

Loopback only: in production use the platform's load balancer, nginx or HAProxy. It passes each request on
unchanged to the next API node in turn (``X-Forwarded-For`` added), streams the answer back (web chat's
Server-Sent Events included), and when a node refuses the connection — the request never reached it, so
sending it elsewhere cannot apply anything twice — tries the next one and skips that node for a few seconds.
Usage: ``python scripts/cluster/balancer.py --port 8000 http://127.0.0.1:8011 http://127.0.0.1:8012``.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

HOP_BY_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"upgrade", b"proxy-connection"}
SKIP_FOR_S = 3.0
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Upstreams:
    """Round robin over the nodes, those that refused a connection lately last."""

    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = [u.rstrip("/") for u in urls]
        self._turn = itertools.count()
        self._skip_until: dict[str, float] = {}
        self.sent = dict.fromkeys(self.urls, 0)

    def order(self) -> list[str]:
        start = next(self._turn) % len(self.urls)
        turn = self.urls[start:] + self.urls[:start]
        now = time.monotonic()
        return sorted(turn, key=lambda url: self._skip_until.get(url, 0.0) > now)

    def refused(self, url: str) -> None:
        self._skip_until[url] = time.monotonic() + SKIP_FOR_S


def create_app(urls: Sequence[str]) -> Starlette:
    upstreams = Upstreams(urls)
    timeout = httpx.Timeout(connect=2.0, read=300.0, write=30.0, pool=30.0)
    client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def status(_request: Request) -> Response:
        return JSONResponse({"upstreams": upstreams.sent})

    async def proxy(request: Request) -> Response:
        body = await request.body()
        peer = request.client.host if request.client else "unknown"
        headers = [(k, v) for k, v in request.headers.raw if k.lower() not in HOP_BY_HOP]
        headers.append((b"x-forwarded-for", peer.encode()))
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        for url in upstreams.order():
            outgoing = client.build_request(request.method, url + target, headers=headers, content=body)
            try:
                answer = await client.send(outgoing, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                upstreams.refused(url)
                continue
            upstreams.sent[url] += 1
            response = StreamingResponse(
                answer.aiter_raw(), status_code=answer.status_code, background=BackgroundTask(answer.aclose)
            )
            response.raw_headers = [(k, v) for k, v in answer.headers.raw if k.lower() not in HOP_BY_HOP]
            return response
        problem = {
            "type": "about:blank",
            "title": "no API node answered",
            "status": 502,
            "code": "no_upstream",
        }
        return JSONResponse(problem, status_code=502, media_type="application/problem+json")

    routes = [
        Route("/_balancer", status, methods=["GET"]),
        Route("/{path:path}", proxy, methods=METHODS),
    ]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description="Round-robin HTTP load balancer for the loopback cluster.")
    parser.add_argument("upstreams", nargs="+", help="base URLs of the API nodes")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    options = parser.parse_args()
    app = create_app(options.upstreams)
    uvicorn.run(app, host=options.host, port=options.port, log_level="warning", server_header=False)


if __name__ == "__main__":
    main()
