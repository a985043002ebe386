"""Background tasks: the bounded in-process pool, and the Redis queue with workers (real Redis, db 15)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from channels.queue import InProcessQueue, RedisQueue, RedisWorker
from network.errors import Busy, InvalidInput

REDIS_URL = os.environ.get("LAYER8_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_in_process_tasks_run_and_a_full_queue_says_busy() -> None:
    release = threading.Event()
    done: list[int] = []

    def slow(payload: dict[str, Any]) -> None:
        release.wait(5)
        done.append(payload["n"])

    queue = InProcessQueue({"slow": slow}, workers=1, max_pending=2)
    queue.submit("slow", {"n": 1})
    queue.submit("slow", {"n": 2})
    with pytest.raises(Busy):
        queue.submit("slow", {"n": 3})
    with pytest.raises(InvalidInput):
        queue.submit("nope", {})
    release.set()
    assert queue.drain(5)
    assert sorted(done) == [1, 2]
    queue.submit("slow", {"n": 4})
    queue.close()
    assert sorted(done) == [1, 2, 4]


def test_a_failing_in_process_task_does_not_stop_the_others() -> None:
    done: list[str] = []

    def flaky(payload: dict[str, Any]) -> None:
        if payload["fail"]:
            raise RuntimeError("boom")
        done.append("ok")

    queue = InProcessQueue({"flaky": flaky}, workers=2)
    queue.submit("flaky", {"fail": True})
    queue.submit("flaky", {"fail": False})
    assert queue.drain(5)
    assert done == ["ok"]


@pytest.fixture
def key() -> Iterator[str]:
    name = f"layer8:test:{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for found in client.scan_iter(match=name + "*"):
        client.delete(found)
    client.close()


def test_redis_tasks_reach_a_worker_in_order(key: str) -> None:
    seen: list[int] = []
    producer = RedisQueue(REDIS_URL, key=key)
    for n in range(5):
        producer.submit("job", {"n": n})
    worker = RedisWorker(REDIS_URL, {"job": lambda p: seen.append(p["n"])}, key=key, block_s=0.1)
    assert worker.run(max_tasks=5) == 5
    assert seen == [0, 1, 2, 3, 4]
    assert redis.Redis.from_url(REDIS_URL).llen(f"{key}:processing:{worker.worker_id}") == 0


def test_a_failing_redis_task_is_retried_then_parked(key: str) -> None:
    attempts: list[int] = []

    def broken(payload: dict[str, Any]) -> None:
        attempts.append(1)
        raise RuntimeError("boom")

    RedisQueue(REDIS_URL, key=key).submit("broken", {"x": 1})
    worker = RedisWorker(REDIS_URL, {"broken": broken}, key=key, block_s=0.1, max_attempts=3)
    worker.run(max_tasks=3)
    client = redis.Redis.from_url(REDIS_URL)
    assert len(attempts) == 3
    dead = [json.loads(raw) for raw in client.lrange(f"{key}:dead", 0, -1)]
    assert [(d["name"], d["attempts"]) for d in dead] == [("broken", 3)]


def test_tasks_of_a_worker_that_died_are_taken_up_again(key: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    RedisQueue(REDIS_URL, key=key).submit("job", {"n": 7})
    # a worker took the task into its processing list, then died (no heartbeat key)
    client.lmove(key, f"{key}:processing:dead-worker", "RIGHT", "LEFT")
    seen: list[int] = []
    worker = RedisWorker(REDIS_URL, {"job": lambda p: seen.append(p["n"])}, key=key, block_s=0.1)
    assert worker.run(max_tasks=1) == 1
    assert seen == [7]
    assert client.llen(f"{key}:processing:dead-worker") == 0


def test_a_live_workers_tasks_are_left_alone(key: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    client.lpush(f"{key}:processing:busy-worker", json.dumps({"name": "job", "payload": {}, "attempts": 0}))
    client.set(f"{key}:alive:busy-worker", "1", ex=30)
    worker = RedisWorker(REDIS_URL, {"job": lambda p: None}, key=key, block_s=0.1)
    assert worker.recover() == 0
    assert client.llen(f"{key}:processing:busy-worker") == 1


def test_a_stop_event_ends_the_worker(key: str) -> None:
    stop = threading.Event()
    worker = RedisWorker(REDIS_URL, {}, key=key, block_s=0.1)
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_tasks_of_one_key_run_in_order_and_others_in_parallel() -> None:
    release = threading.Event()
    order: list[str] = []

    def job(payload: dict[str, Any]) -> None:
        if payload["wait"]:
            release.wait(5)
        order.append(payload["name"])

    queue = InProcessQueue({"job": job}, workers=2)
    queue.submit("job", {"name": "a1", "wait": True}, key="a")
    queue.submit("job", {"name": "a2", "wait": False}, key="a")
    queue.submit("job", {"name": "b1", "wait": False}, key="b")
    threading.Event().wait(0.2)
    assert order == ["b1"]  # b ran beside a1; a2 waits for a1
    release.set()
    assert queue.drain(5)
    assert order == ["b1", "a1", "a2"]
    queue.close()


def test_a_redis_task_whose_thread_is_busy_goes_back_in_line(key: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    seen: list[int] = []
    RedisQueue(REDIS_URL, key=key).submit("job", {"n": 1}, key="thread-1")
    client.set(f"{key}:lock:thread-1", "other-worker", px=300)  # another worker is on this thread
    worker = RedisWorker(REDIS_URL, {"job": lambda p: seen.append(p["n"])}, key=key, block_s=0.1)
    worker.run(max_tasks=1)
    assert seen == [] and client.llen(key) == 1
    threading.Event().wait(0.35)  # the other worker's lock lapses
    worker.run(max_tasks=1)
    assert seen == [1] and not client.exists(f"{key}:lock:thread-1")


def run_in_thread(worker: RedisWorker) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    return thread, stop


def test_a_running_worker_takes_back_a_dead_workers_task_after_its_lease(key: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    seen: list[int] = []
    survivor = RedisWorker(
        REDIS_URL, {"job": lambda p: seen.append(p["n"])}, key=key, block_s=0.1, lease_s=0.6
    )
    thread, stop = run_in_thread(survivor)
    # after the survivor started: a worker took a task of thread-9, locked the thread, renewed its lease
    # one last time and was killed mid-turn
    task = json.dumps({"id": "t9", "name": "job", "payload": {"n": 9}, "attempts": 0, "key": "thread-9"})
    client.lpush(f"{key}:processing:killed", task)
    client.set(f"{key}:lock:thread-9", "killed", px=120_000)
    client.set(f"{key}:alive:killed", "1", px=600)
    assert wait_for(lambda: seen == [9], 5), "the task waited for a worker to start"
    assert client.llen(f"{key}:processing:killed") == 0
    assert not client.exists(f"{key}:lock:thread-9")  # the dead worker's lock went with its task
    stop.set()
    thread.join(5)


def test_a_worker_on_a_turn_longer_than_its_lease_keeps_it(key: str) -> None:
    runs: list[str] = []

    def long_turn(payload: dict[str, Any]) -> None:
        runs.append(payload["id"])
        threading.Event().wait(2.0)  # three leases

    workers = [RedisWorker(REDIS_URL, {"job": long_turn}, key=key, block_s=0.1, lease_s=0.6) for _ in "ab"]
    running = [run_in_thread(w) for w in workers]
    RedisQueue(REDIS_URL, key=key).submit("job", {"id": "once"}, key="thread-1")
    threading.Event().wait(2.6)
    assert runs == ["once"], "a live worker's turn was taken from it and run again"
    for thread, stop in running:
        stop.set()
        thread.join(5)


def wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
