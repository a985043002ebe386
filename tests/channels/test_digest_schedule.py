"""The digest on a schedule, with a fake clock: a pass queues the pages, the tasks send what
``layer8 digest run`` would (once per frequency, after quiet hours end in the subscriber's zone), a second
pass within the interval does nothing, and with Redis only one worker of a cluster starts each pass."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import redis

from channels.digest_schedule import LOCK_KEY, DigestSchedule
from channels.runtime import ChannelRuntime
from network.db import Database
from network.models import DigestDelivery
from tests.channels.conftest import Harness, open_harness
from tests.channels.test_digest import NOW, TEMPLATES, build

REDIS_URL = os.environ.get("LAYER8_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: Any) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def h(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    with open_harness(sqlite_db, tmp_path, whatsapp_templates=TEMPLATES, digest_interval_s=600) as opened:
        yield opened


def sent_to(h: Harness) -> list[str]:
    with h.db.read() as session:
        rows = session.query(DigestDelivery).filter(DigestDelivery.sent_at >= NOW).all()
        return sorted(r.subscriber_id for r in rows)


def test_the_schedule_sends_due_digests_and_waits_out_quiet_hours(h: Harness) -> None:
    ids = build(h)
    clock = FakeClock(NOW)  # 10:00 UTC: 02:00 for Ed in Los Angeles, inside his quiet hours
    schedule = DigestSchedule(h.runtime, clock=clock, page_size=3)

    first = schedule.step()
    h.drain()
    assert (first.handled, first.subscribers) == (3, 7)  # seven active subscribers, pages of three
    assert sent_to(h) == sorted([ids["Ana"], ids["Cy"]])

    clock.advance(minutes=5)
    assert schedule.step().handled == 0  # within the interval: no pass

    clock.advance(hours=8)  # 18:05 UTC, 10:05 in Los Angeles: Ed's quiet hours are over
    assert schedule.step().handled == 3
    h.drain()
    assert sent_to(h) == sorted([ids["Ana"], ids["Cy"], ids["Ed"]])  # Ana and Cy are not due again

    clock.advance(days=7)  # a week on, nothing new for anyone: nothing is sent
    schedule.step()
    h.drain()
    assert len(sent_to(h)) == 3


def test_the_schedule_is_off_at_zero(h: Harness) -> None:
    runtime = cast(ChannelRuntime, SimpleNamespace(settings=SimpleNamespace(digest_interval_s=0)))
    assert DigestSchedule(runtime).background() is None


def test_only_one_worker_of_a_cluster_starts_each_pass() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running")
    client.delete(LOCK_KEY)
    settings = SimpleNamespace(queue_url=REDIS_URL, digest_interval_s=60.0)
    runtime = cast(ChannelRuntime, SimpleNamespace(settings=settings))
    first, second = DigestSchedule(runtime), DigestSchedule(runtime)
    try:
        assert first._claim(60.0) is True
        assert second._claim(60.0) is False
        assert 0 < int(client.pttl(LOCK_KEY)) <= 54_000  # expires within the interval
    finally:
        client.delete(LOCK_KEY)
        client.close()
