"""The FastAPI application factory.

``create_app(container)`` wires the edges around one already-built :class:`~assistant.container.Layer8`.
Each edge is a module with ``install(app, container)`` that includes its router (and may mount an ASGI app
or register a lifespan hook with :func:`on_lifespan`). A new edge — Slack, WhatsApp, web chat, console,
dashboard — adds one entry to :data:`EDGES`; tests may pass more with ``extra=``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from assistant.container import Layer8, build
from channels import console
from channels import routes as channel_routes
from channels.api import health, me, problems, subscribers
from channels.api.body_limit import BodyLimitMiddleware
from channels.api.request_id import RequestIdMiddleware
from channels.api.version import VERSION

Installer = Callable[[FastAPI, Layer8], None]
LifespanHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]

MAX_BODY_BYTES = 1_048_576  # webhook and API bodies are small

# One line per edge, in the order their routes should match.
EDGES: tuple[Installer, ...] = (
    health.install,
    me.install,
    subscribers.install,
    channel_routes.install,
    console.install,
)

DESCRIPTION = (
    "Layer8's HTTP API. Authenticate with `Authorization: Bearer <token>`; support agents acting in a case "
    "add `X-Layer8-Case: <case id>`. Every error is `application/problem+json` (RFC 9457) "
    "with a stable `code`."
)


def create_app(
    container: Layer8, *, extra: Sequence[Installer] = (), max_body_bytes: int = MAX_BODY_BYTES
) -> FastAPI:
    """The web application around ``container`` (built once by the caller, not closed by the app)."""
    app = FastAPI(
        title="Layer8",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=_lifespan,
    )
    app.state.container = container
    app.state.lifespan_hooks = []
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    problems.install(app)
    for install in (*EDGES, *extra):
        install(app, container)
    return app


def on_lifespan(app: FastAPI, hook: LifespanHook) -> None:
    """Run ``hook(app)`` as an async context around the server's life (start clients, workers…)."""
    app.state.lifespan_hooks.append(hook)


def app_from_settings() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``layer8 serve``: builds its own container and closes it."""
    container = build()
    app = create_app(container)

    @asynccontextmanager
    async def close_container(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            container.close()

    on_lifespan(app, close_container)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for hook in list(app.state.lifespan_hooks):
            await stack.enter_async_context(hook(app))
        yield
