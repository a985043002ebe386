"""The digest on a schedule: ``layer8 worker`` runs what ``layer8 digest run`` does, every
``LAYER8_DIGEST_INTERVAL_S`` seconds.

Each pass splits the active subscribers into pages and queues one ``digest.page`` task per page, so the
pages spread over every worker the queue has; each task decides and sends with
:func:`channels.digest_sender.run_page` — the same rules as the command (opt-out, each subscriber's own
frequency, quiet hours in their zone, WhatsApp's window). With Redis only one worker in the cluster starts a
pass per interval (a lock that expires with the interval), so several
workers never queue the same pages twice. A page run twice anyway (a task retried after a crash) sends
nothing more: a recorded digest makes the next decision "not due".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import redis

from channels import digest_sender
from channels.polling import BackgroundPasses
from network.ids import utcnow

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)
TASK = "digest.page"
LOCK_KEY = "layer8:digest:schedule"
POLL_S = 30.0  # how often the thread asks whether a pass is due


@dataclass(frozen=True, slots=True)
class SchedulePass:
    """What one pass did: pages queued (``handled``) and the subscribers on them."""

    handled: int
    subscribers: int = 0


class DigestSchedule:
    """Queue a digest pass when one is due; ``clock`` is the wall clock unless a test gives its own."""

    def __init__(
        self, rt: ChannelRuntime, *, clock: Callable[[], datetime] = utcnow, page_size: int | None = None
    ) -> None:
        self._rt = rt
        self._clock = clock
        self._page_size = page_size or digest_sender.PAGE
        self._last: datetime | None = None

    def step(self) -> SchedulePass:
        """Queue every page of subscribers, unless a pass already ran within the interval."""
        now = self._clock()
        interval = self._rt.settings.digest_interval_s
        if self._last is not None and (now - self._last).total_seconds() < interval:
            return SchedulePass(0)
        self._last = now
        if not self._claim(interval):
            return SchedulePass(0)
        pages = subscribers = 0
        for page in digest_sender.pages(self._rt, self._page_size):
            self._rt.queue.submit(TASK, {"subscriber_ids": page, "now": now.isoformat()})
            pages, subscribers = pages + 1, subscribers + len(page)
        logger.info("digest pass queued %d pages (%d subscribers)", pages, subscribers)
        return SchedulePass(pages, subscribers)

    def background(self) -> BackgroundPasses | None:
        """The schedule on a daemon thread (None when ``LAYER8_DIGEST_INTERVAL_S`` is 0)."""
        interval = self._rt.settings.digest_interval_s
        if not interval:
            return None
        return BackgroundPasses(self.step, interval=min(POLL_S, interval), name="layer8-digest")

    def _claim(self, interval: float) -> bool:
        """With Redis: only the first worker this interval runs the pass (the lock expires with it)."""
        url = self._rt.settings.queue_url
        if not url:
            return True
        client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        try:
            return bool(client.set(LOCK_KEY, "1", nx=True, px=max(1, int(interval * 1000 * 0.9))))
        except redis.RedisError:
            logger.warning("digest pass skipped: Redis is unreachable")
            return False
        finally:
            client.close()


def run_page(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """The ``digest.page`` task: one page's digests, judged at the moment the pass was queued."""
    now = datetime.fromisoformat(str(task["now"]))
    report = digest_sender.run_page(rt, list(task["subscriber_ids"]), now=now)
    sent = sum(1 for row in report if row["send"])
    if sent:
        logger.info("digest page: %d of %d sent", sent, len(report))
