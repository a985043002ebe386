"""Hooks that run around the web server's life (start clients, close the channels' runtime…)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

LifespanHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def on_lifespan(app: FastAPI, hook: LifespanHook) -> None:
    """Run ``hook(app)`` as an async context around the server's life (start clients, workers…)."""
    app.state.lifespan_hooks.append(hook)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for hook in list(app.state.lifespan_hooks):
            await stack.enter_async_context(hook(app))
        yield
