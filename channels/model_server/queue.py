"""One generation at a time, in arrival order, with a bounded waiting line.

A llama.cpp context serves one generation at a time. A ``ThreadPoolExecutor`` with one thread runs jobs in the
order they were submitted (its work queue is FIFO), so requests are served first come, first served whoever
sends them; past ``max_waiting`` a request is refused at once (HTTP 503 with ``Retry-After``) instead of
waiting past the client's timeout.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class QueueFull(RuntimeError):
    """More requests are waiting than the queue admits."""


class GenerationQueue:
    """Runs blocking generations one at a time, FIFO; ``waiting`` counts those not yet started."""

    def __init__(self, max_waiting: int = 32) -> None:
        self.max_waiting = max_waiting
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="layer8-model")
        self._lock = threading.Lock()
        self._waiting = 0
        self.served = 0
        self.abandoned = 0  # skipped because their client had gone before their turn
        self._queued: set[threading.Event] = set()  # the stop signals of streams not yet begun

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def given_up(self) -> int:
        """Requests still waiting whose client has already gone (they will be skipped)."""
        return sum(1 for stop in list(self._queued) if stop.is_set())

    def submit(self, work: Callable[[], T]) -> Future[T]:
        with self._lock:
            if self._waiting >= self.max_waiting:
                raise QueueFull(f"{self._waiting} requests are already waiting")
            self._waiting += 1
        return self._executor.submit(self._started, work)

    def _started(self, work: Callable[[], T]) -> T:
        with self._lock:
            self._waiting -= 1
        try:
            return work()
        finally:
            self.served += 1

    def stream(
        self, produce: Callable[[], Iterator[T]], stop: threading.Event | None = None
    ) -> AsyncIterator[T]:
        """The items of ``produce()`` as they come; the generation runs in its turn. Once ``stop`` is set —
        by the caller (its client hung up) or when the consumer stops reading — a generation not yet begun is
        skipped and one under way is closed at its next piece, freeing the model for the next request (an
        ``openai`` client that timed out sends the request again: without this, both would run)."""
        loop = asyncio.get_running_loop()
        items: asyncio.Queue[object] = asyncio.Queue()
        stop = stop or threading.Event()

        def pump() -> None:
            put = items.put_nowait
            self._queued.discard(stop)
            try:
                if stop.is_set():
                    self.abandoned += 1
                    return
                iterator = produce()
                try:
                    for item in iterator:
                        loop.call_soon_threadsafe(put, item)
                        if stop.is_set():
                            break
                finally:
                    close = getattr(iterator, "close", None)
                    if close is not None:
                        close()
            except BaseException as exc:  # handed to the consumer, which raises it in the request
                loop.call_soon_threadsafe(put, exc)
            finally:
                loop.call_soon_threadsafe(put, _DONE)

        self._queued.add(stop)
        self.submit(pump)
        return _drain(items, stop)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _drain(items: asyncio.Queue[object], stop: threading.Event) -> AsyncIterator[T]:
    try:
        while (item := await items.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]  # items holds only produce()'s T besides the markers
    finally:
        stop.set()
