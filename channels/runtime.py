"""The channels' parts, built once per app (or per worker) from the container.

Webhook routes need the queue; background tasks need the turn runner, the Slack Web API client and the
Graph API client. All are built lazily, so a server without Slack never constructs a Slack client.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cached_property
from typing import Annotated, Any, cast

from fastapi import Depends, FastAPI, Request
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from assistant.container import Layer8
from assistant.settings import Settings
from channels.commands import Commands
from channels.dedup import Receipts
from channels.options import MemoryOptions, OptionStore, RedisOptions
from channels.queue import Handler, InProcessQueue, RedisQueue, RedisWorker, TaskQueue
from channels.turns import TurnRunner
from channels.whatsapp.graph import GraphClient
from channels.whatsapp.sender import WhatsAppSender
from network.db import Database
from network.errors import InvalidInput

logger = logging.getLogger(__name__)
SLACK_API = "https://slack.com/api/"


class ChannelRuntime:
    def __init__(self, container: Layer8) -> None:
        self.container = container
        self.settings: Settings = container.settings

    @property
    def db(self) -> Database:
        return self.container.db

    @cached_property
    def options(self) -> OptionStore:
        url = self.settings.queue_url
        return RedisOptions(url) if url else MemoryOptions()

    @cached_property
    def turns(self) -> TurnRunner:
        return TurnRunner(self.db, lambda: self.container.assistant, self.options)

    @cached_property
    def commands(self) -> Commands:
        return Commands(self.db, lambda: self.container.matcher)

    @property
    def slack_api_url(self) -> str:
        url = self.settings.slack_api_url or SLACK_API
        return url if url.endswith("/") else url + "/"

    @cached_property
    def slack(self) -> WebClient:
        token = self.settings.slack_bot_token
        return WebClient(
            token=token.get_secret_value() if token else None,
            base_url=self.slack_api_url,
            timeout=10,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
        )

    @cached_property
    def graph(self) -> GraphClient:
        return GraphClient.from_settings(self.settings)

    @cached_property
    def whatsapp(self) -> WhatsAppSender:
        s = self.settings
        return WhatsAppSender(self.graph, dict(s.whatsapp_templates), s.whatsapp_template_language)

    def handlers(self) -> dict[str, Handler]:
        from channels import notify
        from channels.slack import jobs as slack_jobs
        from channels.whatsapp import jobs as whatsapp_jobs

        bound: dict[str, Callable[[ChannelRuntime, dict[str, Any]], None]] = {
            "slack.message": slack_jobs.run_message,
            "slack.action": slack_jobs.run_action,
            "slack.command": slack_jobs.run_command,
            "slack.reaction": slack_jobs.run_reaction,
            "whatsapp.message": whatsapp_jobs.run_message,
            "whatsapp.reaction": whatsapp_jobs.run_reaction,
            "notify.introduction": notify.run_introduction,
            "notify.agent_reply": notify.run_agent_reply,
        }
        return {name: functools.partial(fn, self) for name, fn in bound.items()}

    @cached_property
    def receipts(self) -> Receipts:
        return Receipts(self.db)

    async def submit(self, name: str, task: dict[str, Any], *, key: str | None = None) -> None:
        """Queue from the event loop: in-process at once, a network queue on a thread (bounded waits)."""
        if isinstance(self.queue, InProcessQueue):
            self.queue.submit(name, task, key=key)
        else:
            await asyncio.to_thread(self.queue.submit, name, task, key=key)

    @cached_property
    def queue(self) -> TaskQueue:
        if self.settings.queue_url:
            return RedisQueue(self.settings.queue_url)
        return InProcessQueue(
            self.handlers(), workers=self.settings.queue_workers, max_pending=self.settings.queue_max_pending
        )

    def worker(self) -> RedisWorker:
        if not self.settings.queue_url:
            raise InvalidInput(
                "a worker needs LAYER8_QUEUE_URL (without it, turns run inside `layer8 serve`)"
            )
        return RedisWorker(self.settings.queue_url, self.handlers())

    def close(self) -> None:
        if "receipts" in self.__dict__:
            self.receipts.close()
        if "queue" in self.__dict__:
            self.queue.close()
        if "graph" in self.__dict__:
            self.graph.close()


def runtime_for(app: FastAPI, container: Layer8) -> ChannelRuntime:
    """The app's runtime, created on first use and closed with the app."""
    runtime: ChannelRuntime | None = getattr(app.state, "channels", None)
    if runtime is None:
        runtime = ChannelRuntime(container)
        app.state.channels = runtime
    return runtime


def get_runtime(request: Request) -> ChannelRuntime:
    return runtime_for(request.app, cast(Layer8, request.app.state.container))


RuntimeDep = Annotated[ChannelRuntime, Depends(get_runtime)]


def install(app: FastAPI, container: Layer8) -> None:
    """Create the runtime with the app and close it (finishing queued turns) when the server stops."""
    from channels import notify
    from channels.api.app import on_lifespan

    notify.subscribe(container.db.events, runtime_for(app, container))

    @asynccontextmanager
    async def close_channels(application: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runtime = getattr(application.state, "channels", None)
            if runtime is not None:
                runtime.close()

    on_lifespan(app, close_channels)
