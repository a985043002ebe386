"""What the numbered options of the last reply in a thread mean, so a person can answer "2" in plain text.

A text-only channel (or a person who types instead of tapping) answers a reply's numbered fallback with a
number; :func:`choose` maps it back to that option: the :class:`~assistant.messages.Action` of a button, or
the title of a list item (sent on as text, as if the person had typed it). The options are kept per thread for
a day: in memory in a single process, in Redis when several nodes share the work.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from typing import Protocol

import redis

from assistant.messages import Action, OutboundReply

Choice = Action | str
TTL_S = 24 * 3600
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


class OptionStore(Protocol):
    def remember(self, thread_key: str, choices: list[Choice]) -> None: ...

    def recall(self, thread_key: str) -> list[Choice]: ...


def choices_of(reply: OutboundReply) -> list[Choice]:
    """The numbered options of ``reply.text_fallback()``, in order."""
    return [b.action for b in reply.buttons] + [i.title for i in reply.items]


def choose(store: OptionStore, thread_key: str, text: str) -> Choice | None:
    """What a bare number picks from the thread's last options, or None."""
    match = _NUMBER.match(text or "")
    if not match:
        return None
    options = store.recall(thread_key)
    scale = [o for o in options if isinstance(o, Action) and o.kind == "nps" and (o.value or "").isdigit()]
    if scale and len(scale) == len(options):  # a scale (0–10, or 0 or 1): the number is the score itself
        return next((o for o in scale if o.value == match.group(1).lstrip("0").rjust(1, "0")), None)
    index = int(match.group(1)) - 1
    return options[index] if 0 <= index < len(options) else None


def _encode(choices: list[Choice]) -> str:
    return json.dumps([{"a": c.encode()} if isinstance(c, Action) else {"t": c} for c in choices])


def _decode(raw: str | bytes | None) -> list[Choice]:
    try:
        values = json.loads(raw) if raw else []
    except ValueError:
        return []
    out: list[Choice] = []
    for value in values:
        action = Action.decode(str(value.get("a"))) if "a" in value else None
        out.append(action if action else str(value.get("t", "")))
    return out


class MemoryOptions:
    """Bounded and expiring; enough for one process."""

    def __init__(self, max_threads: int = 10_000, ttl_s: float = TTL_S) -> None:
        self._data: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_threads
        self._ttl = ttl_s

    def remember(self, thread_key: str, choices: list[Choice]) -> None:
        with self._lock:
            self._data.pop(thread_key, None)
            if choices:
                self._data[thread_key] = (time.monotonic() + self._ttl, _encode(choices))
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def recall(self, thread_key: str) -> list[Choice]:
        with self._lock:
            entry = self._data.get(thread_key)
        if entry is None or entry[0] < time.monotonic():
            return []
        return _decode(entry[1])


class RedisOptions:
    def __init__(self, url: str, *, prefix: str = "layer8:options:", ttl_s: int = TTL_S) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._prefix = prefix
        self._ttl = ttl_s

    def remember(self, thread_key: str, choices: list[Choice]) -> None:
        key = self._prefix + thread_key
        if choices:
            self._redis.set(key, _encode(choices), ex=self._ttl)
        else:
            self._redis.delete(key)

    def recall(self, thread_key: str) -> list[Choice]:
        raw = self._redis.get(self._prefix + thread_key)
        return _decode(raw)
