"""Scaled out: with ``LAYER8_QUEUE_URL`` the API node only queues turns on Redis (real, db 15) and a worker
— built from its own runtime, as ``layer8 worker`` does — runs them and sends the replies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from channels.queue import DEFAULT_KEY, RedisQueue
from channels.runtime import ChannelRuntime
from channels.whatsapp.sender import WhatsAppSender
from composition.channels import JOBS
from network.db import Database
from tests.channels.conftest import Harness, open_harness
from tests.channels.test_whatsapp_webhook import SENDER, text_body
from tests.stores import clear_queue

REDIS_URL = os.environ.get("LAYER8_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def scaled(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    clear_queue(REDIS_URL)
    with open_harness(sqlite_db, tmp_path, queue_url=REDIS_URL) as opened:
        yield opened
    clear_queue(REDIS_URL)


def test_the_api_node_queues_and_a_worker_answers(scaled: Harness) -> None:
    scaled.link("whatsapp", f"+{SENDER}")
    assert isinstance(scaled.runtime.queue, RedisQueue)
    assert scaled.wa_post(text_body("hello from far away", "wamid.redis1")).status_code == 200
    assert scaled.wa_post(text_body("hello from far away", "wamid.redis1")).status_code == 200  # a duplicate
    assert scaled.graph.sent() == []  # nothing runs on the API node

    worker_side = ChannelRuntime(scaled.container, JOBS, WhatsAppSender.from_settings)
    assert worker_side.worker().run(max_tasks=1) == 1
    assert [c.params["text"]["body"] for c in scaled.graph.sent()] == ["You said: hello from far away"]
    assert redis.Redis.from_url(REDIS_URL).llen(DEFAULT_KEY) == 0
    worker_side.close()


def test_numbered_options_are_shared_through_redis(scaled: Harness) -> None:
    scaled.link("whatsapp", f"+{SENDER}")
    worker_side = ChannelRuntime(scaled.container, JOBS, WhatsAppSender.from_settings)
    scaled.wa_post(text_body("we closed a deal", "wamid.redis2"))
    worker_side.worker().run(max_tasks=1)
    other_worker = ChannelRuntime(scaled.container, JOBS, WhatsAppSender.from_settings)
    scaled.wa_post(text_body("1", "wamid.redis3"))
    other_worker.worker().run(max_tasks=1)
    action = scaled.assistant.seen[-1].action
    assert action is not None and (action.kind, action.target_id) == ("confirm", "act_1")
