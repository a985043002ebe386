"""The channels' parts, built once per app (or per worker) by the composition root.

Webhook routes need the queue; background tasks need the turn runner, the Slack Web API client and the
WhatsApp sender. All are built lazily, so a server without Slack never constructs a Slack client. The jobs
and the WhatsApp sender are given by the root, so this module imports no channel adapter. ``gave_up`` jobs
tell the person when a job's attempts all met a passing database outage (see :mod:`channels.backoff`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from functools import cached_property
from typing import Annotated, Any, cast

from fastapi import Depends, FastAPI, Request
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from assistant.settings import Settings
from channels.api.lifespan import on_lifespan
from channels.api.rate_limits import RateLimits
from channels.backoff import Backoff
from channels.commands import Commands
from channels.delivery import settling
from channels.options import MemoryOptions, OptionStore, RedisOptions
from channels.ports import Parts, WhatsAppOut
from channels.queue import Handler, InProcessQueue, RedisQueue, RedisWorker, TaskQueue
from channels.turns import TurnRunner
from network.db import Database
from network.dedup import Receipts
from network.errors import InvalidInput
from network.outage import is_transient

logger = logging.getLogger(__name__)
SLACK_API = "https://slack.com/api/"
Job = Callable[["ChannelRuntime", dict[str, Any]], None]


class ChannelRuntime:
    def __init__(
        self,
        container: Parts,
        jobs: Mapping[str, Job],
        whatsapp: Callable[[Settings], WhatsAppOut],
        *,
        gave_up: Mapping[str, Job] | None = None,
    ) -> None:
        self.container = container
        self.settings: Settings = container.settings
        self._jobs = dict(jobs)
        self._gave_up = dict(gave_up or {})
        self._whatsapp = whatsapp

    @property
    def db(self) -> Database:
        return self.container.db

    @cached_property
    def options(self) -> OptionStore:
        url = self.settings.queue_url
        return RedisOptions(url) if url else MemoryOptions()

    @cached_property
    def limits(self) -> RateLimits:
        """The rate limits of this app (shared with its routes) or worker; Redis makes them every node's."""
        return RateLimits(self.settings)

    @cached_property
    def turns(self) -> TurnRunner:
        return TurnRunner(
            self.db, lambda: self.container.assistant, self.options, count_turn=self._count_turn
        )

    def _count_turn(self, subscriber_id: str) -> None:
        self.limits.hit("turns", subscriber_id)

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
    def whatsapp(self) -> WhatsAppOut:
        return self._whatsapp(self.settings)

    def handlers(self) -> dict[str, Handler]:
        return {name: functools.partial(job, self) for name, job in self._jobs.items()}

    @property
    def settle(self) -> Backoff:
        """How a reply's receipt is written again after the reply went (half the queue's first pause)."""
        return settling(self.settings.queue_retry_first_s / 2)

    def gave_up_handlers(self) -> dict[str, Handler]:
        return {name: functools.partial(job, self) for name, job in self._gave_up.items()}

    @property
    def backoff(self) -> Backoff:
        """Queued tasks that meet a passing database outage run again after these pauses."""
        return Backoff(
            attempts=self.settings.queue_retry_attempts,
            first_s=self.settings.queue_retry_first_s,
            transient=is_transient,
        )

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
            self.handlers(),
            workers=self.settings.queue_workers,
            max_pending=self.settings.queue_max_pending,
            backoff=self.backoff,
            gave_up=self.gave_up_handlers(),
        )

    def worker(self) -> RedisWorker:
        if not self.settings.queue_url:
            raise InvalidInput(
                "a worker needs LAYER8_QUEUE_URL (without it, turns run inside `layer8 serve`)"
            )
        return RedisWorker(
            self.settings.queue_url,
            self.handlers(),
            lease_s=self.settings.queue_lease_s,
            backoff=self.backoff,
            gave_up=self.gave_up_handlers(),
        )

    def close(self) -> None:
        if "receipts" in self.__dict__:
            self.receipts.close()
        if "queue" in self.__dict__:
            self.queue.close()
        if "whatsapp" in self.__dict__:
            self.whatsapp.close()


def runtime_for(app: FastAPI) -> ChannelRuntime:
    """The app's runtime, given to :func:`channels.api.app.create_app` by the composition root."""
    return cast(ChannelRuntime, app.state.channels)


def get_runtime(request: Request) -> ChannelRuntime:
    return runtime_for(request.app)


RuntimeDep = Annotated[ChannelRuntime, Depends(get_runtime)]


def install(app: FastAPI, container: Parts) -> None:
    """Close the runtime (finishing queued turns) when the server stops."""

    @asynccontextmanager
    async def close_channels(application: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runtime_for(application).close()

    on_lifespan(app, close_channels)
