"""Rate limits at the web edge, with the ``limits`` package (moving windows).

What is limited, each by a ``LAYER8_RATE_LIMIT_*`` setting: chat turns per subscriber (``turns``), failed
sign-ins per client address — a wrong bearer token at the API or web chat, a wrong token or code on the
console's sign-in form, a wrong web chat code, and every request for a web chat code (``sign_in_ip``) —
sign-ins per account: an agent or admin on the console, a subscriber in the web chat, and code requests per
phone number (``sign_in_account``), API calls per token (``api``) and signed webhook events per sender
(``webhook``). A limit with several windows
(``5/minute;20/hour``) backs off: past the short window the longer one decides. Over a limit the answer is 429
problem+json ``rate_limited`` with ``Retry-After``.

Counters are kept in Redis when ``LAYER8_RATE_LIMIT_STORAGE_URL`` (or a Redis ``LAYER8_QUEUE_URL``) is set, so
every node shares them, else in this process's memory. When the store cannot be reached the request is let
through and the failure logged: a rate limit must not take the service down with it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import Depends, FastAPI, Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from assistant.settings import Settings
from channels.ports import Parts
from network.errors import RateLimited, Unauthenticated

logger = logging.getLogger(__name__)
T = TypeVar("T")

Name = Literal["turns", "sign_in_ip", "sign_in_account", "api", "webhook"]
NAMES: tuple[Name, ...] = ("turns", "sign_in_ip", "sign_in_account", "api", "webhook")
SAYS = {
    "turns": "too many messages in a short time; wait a moment before the next one",
    "sign_in_ip": "too many sign-ins from this address; wait before trying again",
    "sign_in_account": "too many sign-ins for this account; wait before trying again",
    "api": "too many requests with this token; slow down",
    "webhook": "too many events from this sender; deliver them again later",
}


def storage_url(settings: Settings) -> str:
    """Redis when one is configured, else this process's memory."""
    if settings.rate_limit_storage_url:
        return settings.rate_limit_storage_url
    queue = settings.queue_url or ""
    return queue if queue.startswith(("redis://", "rediss://", "unix://")) else "memory://"


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        url = storage_url(settings)
        self.remote = not url.startswith("memory://")
        self._limiter = MovingWindowRateLimiter(storage_from_string(url))
        self._limits: dict[Name, list[RateLimitItem]] = {
            name: parse_many(getattr(settings, f"rate_limit_{name}")) for name in NAMES
        }

    def hit(self, name: Name, key: str) -> None:
        """Count one request of ``key`` under limit ``name``; :class:`RateLimited` when it is over."""
        self._decide(name, key, count=True)

    def check(self, name: Name, key: str) -> None:
        """:class:`RateLimited` when ``key`` is already over limit ``name`` (nothing is counted)."""
        self._decide(name, key, count=False)

    async def ahit(self, name: Name, key: str) -> None:
        """:meth:`hit` from the event loop (off it when the counters are in Redis)."""
        if self.remote:
            await asyncio.to_thread(self.hit, name, key)
        else:
            self.hit(name, key)

    def sign_in(self, address: str, attempt: Callable[[Callable[[str], None]], T]) -> T:
        """One sign-in from ``address``, the same way on the console and in the web chat: refused while the
        address is over ``sign_in_ip``; a failure (:class:`Unauthenticated`) counts against the address.
        ``attempt(count)`` opens the session and calls ``count(account)`` once it knows whose it is —
        inside its transaction, so a refusal over ``sign_in_account`` rolls back and leaves a one-time code
        unused."""
        self.check("sign_in_ip", address)
        try:
            return attempt(lambda account: self.hit("sign_in_account", account))
        except Unauthenticated:
            self.hit("sign_in_ip", address)
            raise

    def _decide(self, name: Name, key: str, *, count: bool) -> None:
        if not self.enabled:
            return
        try:
            for item in self._limits[name]:
                allowed = self._limiter.hit(item, name, key) if count else self._limiter.test(item, name, key)
                if not allowed:
                    raise RateLimited(SAYS[name], retry_after=self._retry_after(item, name, key))
        except RateLimited:
            raise
        except Exception:  # the counter store is down: let the request through, and say so
            logger.exception("rate limit %s not checked: the counter store failed", name)

    def _retry_after(self, item: RateLimitItem, name: str, key: str) -> int:
        reset = self._limiter.get_window_stats(item, name, key).reset_time
        return max(1, math.ceil(reset - time.time()))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


RateLimitsDep = Annotated[RateLimits, Depends(rate_limits_of)]


def install(app: FastAPI, container: Parts) -> None:
    """The app's limits are its channel runtime's, so a subscriber's turns count once on every channel."""
    runtime = getattr(app.state, "channels", None)
    app.state.rate_limits = runtime.limits if runtime is not None else RateLimits(container.settings)
