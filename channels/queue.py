"""Background turns: in-process by default, on Redis when ``LAYER8_QUEUE_URL`` is set.

A webhook verifies, de-duplicates and acknowledges; the slow turn is a *task* (a name and a JSON payload)
run afterwards by a handler. In-process, tasks run on a bounded thread pool (a full queue raises
:class:`~network.errors.Busy` so the channel can say so). With Redis, API nodes only push tasks and
``layer8 worker`` processes run them, so both scale apart. The Redis queue is the "reliable queue" pattern on
lists: a worker moves a task atomically into its own processing list (``BLMOVE``) and removes it when done.
While it runs, a worker renews a heartbeat key that lapses ``lease_s`` after its last renewal (the visibility
timeout); a worker that dies leaves its list behind, and every running worker looks for such lists every
``lease_s / 2`` and puts their tasks back, freeing the conversations the dead worker held. Delivery is
therefore at least once; a failing handler is retried up to ``max_attempts``, then parked on a dead list.

A *passing* failure (``backoff.transient``: the database unreachable for a moment) is different: the task
runs again in place after a growing pause (:mod:`channels.backoff`), keeping its place in the conversation,
and when the attempts run out its ``gave_up`` handler, if it has one, tells the person (in-process and on
Redis alike).

Tasks of one conversation (same ``key``) run one at a time and in order, so two quick messages are not
answered out of order: in-process each key has a lane; on Redis a worker holds a per-key lock and a task
whose thread is busy goes back to the end of the queue.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, cast

import redis

from channels.backoff import Backoff, GaveUp, Interrupted, run_with_backoff
from network.errors import Busy, InvalidInput

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
DEFAULT_KEY = "layer8:tasks"
LOCK_MS = 120_000  # a thread's lock outlives any turn (turns are bounded well below this)
LEASE_S = 30.0  # a worker silent this long is dead: its tasks go back to the queue


class TaskQueue(Protocol):
    def submit(self, name: str, payload: dict[str, Any], *, key: str | None = None) -> None:
        """Queue a task; tasks with the same ``key`` (a conversation thread) run one at a time, in order."""
        ...

    def close(self) -> None: ...


class InProcessQueue:
    """A bounded thread pool: at most ``max_pending`` tasks waiting or running; one lane per key."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        workers: int = 2,
        max_pending: int = 500,
        backoff: Backoff | None = None,
        gave_up: Mapping[str, Handler] | None = None,
    ) -> None:
        self._handlers = dict(handlers)
        self._backoff = backoff or Backoff()
        self._gave_up = dict(gave_up or {})
        self._closing = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="layer8-turn")
        self._max_pending = max_pending
        self._pending = 0
        self._idle = threading.Condition()
        self._lanes: dict[str, deque[tuple[str, Handler, dict[str, Any]]]] = {}

    def submit(self, name: str, payload: dict[str, Any], *, key: str | None = None) -> None:
        handler = self._handlers.get(name)
        if handler is None:
            raise InvalidInput(f"no task handler named {name!r}")
        with self._idle:
            if self._pending >= self._max_pending:
                raise Busy("too many conversations are waiting; try again shortly")
            self._pending += 1
            if key is not None and key in self._lanes:  # the thread is busy: wait in its lane
                self._lanes[key].append((name, handler, payload))
                return
            if key is not None:
                self._lanes[key] = deque()
        self._pool.submit(self._run_lane, key, name, handler, payload)

    def _run_lane(self, key: str | None, name: str, handler: Handler, payload: dict[str, Any]) -> None:
        while True:
            self._run(name, handler, payload)
            if key is None:
                return
            with self._idle:
                lane = self._lanes[key]
                if not lane:
                    del self._lanes[key]
                    return
                name, handler, payload = lane.popleft()

    def _run(self, name: str, handler: Handler, payload: dict[str, Any]) -> None:
        try:
            run_with_backoff(lambda: handler(payload), self._backoff, name=name, wait=self._closing.wait)
        except (GaveUp, Interrupted):  # out of attempts, or the server stops: say so rather than drop it
            give_up(self._gave_up.get(name), name, payload)
        except Exception:
            logger.exception("background task %s failed", name)
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    @property
    def pending(self) -> int:
        return self._pending

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until no task is waiting or running (tests and shutdown); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        self._closing.set()
        self._pool.shutdown(wait=True, cancel_futures=False)


class RedisQueue:
    """The producer side: push tasks for ``layer8 worker`` processes."""

    def __init__(self, url: str, *, key: str = DEFAULT_KEY, max_pending: int = 100_000) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._key = key
        self._max_pending = max_pending

    def submit(self, name: str, payload: dict[str, Any], *, key: str | None = None) -> None:
        task = json.dumps(
            {"id": uuid.uuid4().hex, "name": name, "payload": payload, "attempts": 0, "key": key}
        )
        try:
            length = int(self._redis.lpush(self._key, task))
        except redis.RedisError as exc:
            raise Busy("the task queue is unreachable; try again shortly") from exc
        if length > self._max_pending:
            logger.warning("task queue %s holds %d tasks: are the workers running?", self._key, length)

    def close(self) -> None:
        self._redis.close()


class RedisWorker:
    """Runs tasks from a :class:`RedisQueue` until ``stop`` is set (or ``max_tasks`` are done)."""

    def __init__(
        self,
        url: str,
        handlers: Mapping[str, Handler],
        *,
        key: str = DEFAULT_KEY,
        worker_id: str | None = None,
        max_attempts: int = 3,
        block_s: float = 1.0,
        lease_s: float = LEASE_S,
        backoff: Backoff | None = None,
        gave_up: Mapping[str, Handler] | None = None,
    ) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=block_s + 5, socket_connect_timeout=2.0)
        self._handlers = dict(handlers)
        self._key = key
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._processing = f"{key}:processing:{self.worker_id}"
        self._alive = f"{key}:alive:{self.worker_id}"
        self._dead = f"{key}:dead"
        self._max_attempts = max_attempts
        self._block_s = min(block_s, lease_s / 2)  # a wait for work never outlasts half a lease
        self.lease_s = lease_s
        self._backoff = backoff or Backoff()
        self._gave_up = dict(gave_up or {})
        self._stop = threading.Event()

    def run(self, stop: threading.Event | None = None, *, max_tasks: int | None = None) -> int:
        """Process tasks; returns how many were taken. Every ``lease_s / 2`` (between tasks) the tasks of
        workers whose lease lapsed are taken back: a worker killed mid-turn costs one lease, not a restart."""
        stop = self._stop = stop or threading.Event()
        done = 0
        with self._heartbeats():
            self.recover()
            reclaim_at = time.monotonic() + self.lease_s / 2
            while not stop.is_set() and (max_tasks is None or done < max_tasks):
                if time.monotonic() >= reclaim_at:
                    self._reclaim()
                    reclaim_at = time.monotonic() + self.lease_s / 2
                raw = self._redis.blmove(self._key, self._processing, self._block_s, "RIGHT", "LEFT")
                if raw is None:
                    continue
                self._process(cast(bytes, raw))
                done += 1
        return done

    def recover(self) -> int:
        """Put back the tasks of workers whose lease lapsed, and free their conversations' locks; returns
        how many tasks."""
        moved = 0
        for list_key in self._redis.scan_iter(match=f"{self._key}:processing:*"):
            owner = list_key.decode().rsplit(":", 1)[-1]
            if owner == self.worker_id or self._redis.exists(f"{self._key}:alive:{owner}"):
                continue
            while (raw := self._redis.lmove(list_key, self._key, "RIGHT", "RIGHT")) is not None:
                moved += 1
                self._release_lock_of(cast(bytes, raw), owner)
        if moved:
            logger.warning("requeued %d tasks left by stopped workers", moved)
        return moved

    def _reclaim(self) -> None:
        try:
            self.recover()
        except redis.RedisError as exc:  # the next round tries again; the worker keeps serving meanwhile
            logger.warning("reclaiming lapsed leases failed (%s)", type(exc).__name__)

    def _release_lock_of(self, raw: bytes, owner: str) -> None:
        """The task's conversation was locked by ``owner``, now dead: without this, other workers would pass
        the task back for up to ``LOCK_MS``."""
        try:
            thread = json.loads(raw).get("key")
        except (ValueError, AttributeError):
            return
        if not thread:
            return
        lock = f"{self._key}:lock:{thread}"
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(lock)
                if cast(bytes | None, pipe.get(lock)) == owner.encode():  # immediate while watching
                    pipe.multi()
                    pipe.delete(lock)
                    pipe.execute()
            except redis.WatchError:
                pass  # a live worker took the lock meanwhile: it is theirs to release

    @contextmanager
    def _heartbeats(self) -> Iterator[None]:
        """Renew this worker's lease every third of it, on a thread of its own, so a long turn keeps it."""
        done = threading.Event()
        self._heartbeat()
        beating = threading.Thread(target=self._beat, args=(done,), name="layer8-heartbeat", daemon=True)
        beating.start()
        try:
            yield
        finally:
            done.set()
            beating.join(timeout=5)
            self._redis.delete(self._alive)

    def _beat(self, done: threading.Event) -> None:
        while not done.wait(self.lease_s / 3):
            try:
                self._heartbeat()
            except redis.RedisError as exc:
                logger.warning("worker heartbeat failed (%s)", type(exc).__name__)

    def _heartbeat(self) -> None:
        self._redis.set(self._alive, "1", px=max(int(self.lease_s * 1000), 1))

    def _process(self, raw: bytes) -> None:
        try:
            task = json.loads(raw)
            handler = self._handlers[task["name"]]
        except (ValueError, KeyError, TypeError):
            logger.error("unreadable or unknown task parked on %s", self._dead)
            self._park(raw)
            return
        lock = f"{self._key}:lock:{task['key']}" if task.get("key") else None
        if lock and not self._redis.set(lock, self.worker_id, nx=True, px=LOCK_MS):
            self._requeue(raw)  # another worker is on this thread: keep its order, come back later
            return
        try:
            run_with_backoff(
                lambda: handler(task["payload"]),
                self._backoff,
                name=task["name"],
                wait=lambda seconds: self._pause(seconds, lock),
            )
        except GaveUp:
            self._give_up(raw, task)
            return
        except Interrupted:  # stopping: the task goes back to the head of the queue for another worker
            self._move(raw, self._key, front=True)
            return
        except Exception:
            logger.exception("task %s (%s) failed", task["name"], task.get("id"))
            task["attempts"] = int(task.get("attempts", 0)) + 1
            target = self._key if task["attempts"] < self._max_attempts else self._dead
            pipe = self._redis.pipeline()
            pipe.lpush(target, json.dumps(task))
            pipe.lrem(self._processing, 1, raw)
            pipe.execute()
            return
        finally:
            if lock:
                self._redis.delete(lock)
        self._redis.lrem(self._processing, 1, raw)

    def _pause(self, seconds: float, lock: str | None) -> bool:
        """Wait before the next attempt, keeping the conversation's lock; True when told to stop."""
        if lock:
            self._redis.pexpire(lock, LOCK_MS + int(seconds * 1000))
        return self._stop.wait(seconds)

    def _give_up(self, raw: bytes, task: dict[str, Any]) -> None:
        """Out of attempts: the task's ``gave_up`` handler tells the person; without one (or if it fails)
        the task is parked on the dead list, not lost."""
        if give_up(self._gave_up.get(task["name"]), task["name"], task["payload"]):
            self._redis.lrem(self._processing, 1, raw)
            return
        self._move(json.dumps({**task, "gave_up": True}).encode(), self._dead, drop=raw)

    def _move(self, raw: bytes, target: str, *, front: bool = False, drop: bytes | None = None) -> None:
        pipe = self._redis.pipeline()
        if front:
            pipe.rpush(target, raw)  # workers take from the right
        else:
            pipe.lpush(target, raw)
        pipe.lrem(self._processing, 1, drop if drop is not None else raw)
        pipe.execute()

    def _requeue(self, raw: bytes) -> None:
        pipe = self._redis.pipeline()
        pipe.lpush(self._key, raw)
        pipe.lrem(self._processing, 1, raw)
        pipe.execute()
        time.sleep(min(0.05, self._block_s))

    def _park(self, raw: bytes) -> None:
        pipe = self._redis.pipeline()
        pipe.lpush(self._dead, raw)
        pipe.lrem(self._processing, 1, raw)
        pipe.execute()

    def close(self) -> None:
        self._redis.close()


def give_up(handler: Handler | None, name: str, payload: dict[str, Any]) -> bool:
    """Run a task's ``gave_up`` handler; True when it ran to its end."""
    if handler is None:
        logger.error("task %s gave up after passing failures; nothing to tell", name)
        return False
    try:
        handler(payload)
    except Exception:
        logger.exception("task %s gave up, and telling the person failed too", name)
        return False
    return True
