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

from channels.backoff import Backoff, run_with_backoff
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


# --- passing failures (a database outage): the task runs again in place, then is given up -----------------
class Outage(Exception):
    """Stands for the records being unreachable: the queue's ``transient`` says so."""


FAST = Backoff(attempts=4, first_s=0.01, transient=lambda error: isinstance(error, Outage))


def flaky(failures: int, seen: list[int]) -> Any:
    def handler(payload: dict[str, Any]) -> None:
        seen.append(payload["n"])
        if len(seen) <= failures:
            raise Outage("connection refused")

    return handler


def test_a_redis_task_that_meets_an_outage_runs_again_in_place(key: str) -> None:
    seen: list[int] = []
    told: list[int] = []
    queue = RedisQueue(REDIS_URL, key=key)
    queue.submit("job", {"n": 1}, key="thread-1")
    queue.submit("job", {"n": 2}, key="thread-1")
    worker = RedisWorker(
        REDIS_URL,
        {"job": flaky(2, seen)},
        key=key,
        block_s=0.1,
        backoff=FAST,
        gave_up={"job": lambda p: told.append(p["n"])},
    )
    assert worker.run(max_tasks=2) == 2
    assert seen == [1, 1, 1, 2]  # the first task ran three times before the second (order kept)
    assert told == []
    client = redis.Redis.from_url(REDIS_URL)
    assert client.llen(f"{key}:dead") == 0 and client.llen(key) == 0


def test_a_redis_task_out_of_attempts_is_given_up_once(key: str) -> None:
    seen: list[int] = []
    told: list[int] = []
    RedisQueue(REDIS_URL, key=key).submit("job", {"n": 5})
    RedisQueue(REDIS_URL, key=key).submit("other", {"n": 6})
    worker = RedisWorker(
        REDIS_URL,
        {"job": flaky(99, seen), "other": flaky(99, seen)},
        key=key,
        block_s=0.1,
        backoff=FAST,
        gave_up={"job": lambda p: told.append(p["n"])},
    )
    assert worker.run(max_tasks=2) == 2
    assert seen == [5, 5, 5, 5, 6, 6, 6, 6] and told == [5]
    client = redis.Redis.from_url(REDIS_URL)
    dead = [json.loads(raw) for raw in client.lrange(f"{key}:dead", 0, -1)]
    assert [(d["name"], d["gave_up"]) for d in dead] == [("other", True)]  # nothing to tell: kept, not lost
    assert client.llen(f"{key}:processing:{worker.worker_id}") == 0


def test_a_worker_stopped_during_a_pause_puts_the_task_back(key: str) -> None:
    stop = threading.Event()
    seen: list[int] = []

    def handler(payload: dict[str, Any]) -> None:
        seen.append(payload["n"])
        stop.set()  # the worker is told to stop while this attempt fails
        raise Outage("connection refused")

    RedisQueue(REDIS_URL, key=key).submit("job", {"n": 8})
    slow = Backoff(attempts=4, first_s=5.0, transient=FAST.transient)
    worker = RedisWorker(REDIS_URL, {"job": handler}, key=key, block_s=0.1, backoff=slow)
    worker.run(stop)
    client = redis.Redis.from_url(REDIS_URL)
    assert seen == [8]
    assert [json.loads(raw)["payload"] for raw in client.lrange(key, 0, -1)] == [{"n": 8}]


def test_an_in_process_task_that_meets_an_outage_runs_again_then_is_given_up() -> None:
    seen: list[int] = []
    told: list[int] = []
    queue = InProcessQueue(
        {"job": flaky(5, seen)}, backoff=FAST, gave_up={"job": lambda p: told.append(p["n"])}
    )
    queue.submit("job", {"n": 1}, key="a")  # four attempts, all failing: given up
    assert queue.drain(5)
    queue.submit("job", {"n": 2}, key="a")  # fails once more, then runs
    assert queue.drain(5)
    queue.close()
    assert seen == [1, 1, 1, 1, 2, 2] and told == [1]


def test_backoff_pauses_double_up_to_the_cap() -> None:
    assert Backoff(attempts=7, first_s=0.5, cap_s=10).pauses() == [0.5, 1, 2, 4, 8, 10]
    waits: list[float] = []
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        run_with_backoff(broken, FAST, name="bug", wait=lambda s: bool(waits.append(s)))
    assert calls == [1] and waits == []  # a bug is not tried again
