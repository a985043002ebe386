"""Faults the TM Forum stub can inject, and the schedule that hands them out.

A fault is consumed by the first request it matches (method and path suffix, both optional). Over real HTTP
the stub acts them out itself; in-process, :class:`ossbss.stub.inprocess.FaultyTransport` does what a
socket would (a client-side timeout, a dropped connection).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from network.errors import InvalidInput


class FaultKind(StrEnum):
    DELAY = "delay"  # answer late (still within the client's patience unless delay_s says otherwise)
    ERROR = "error"  # a 5xx before anything is applied
    THROTTLE = "throttle"  # 429 with Retry-After, nothing applied
    TIMEOUT_AFTER_APPLY = "timeout_after_apply"  # applied, then no answer in time
    DROP = "drop"  # applied, then the connection drops mid-answer
    REFUSE = "refuse"  # the connection is refused (in-process only): nothing applied


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    status: int = 503
    retry_after_s: int | None = None
    delay_s: float = 0.0
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path or path.rstrip("/").endswith(self.path.rstrip("/"))

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        try:
            fault = cls(
                kind=FaultKind(data["kind"]),
                status=int(data.get("status", 503)),
                retry_after_s=None if data.get("retry_after_s") is None else int(data["retry_after_s"]),
                delay_s=float(data.get("delay_s", 0.0)),
                method=data.get("method"),
                path=data.get("path"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"not a fault: {data!r}") from exc
        if fault.kind is FaultKind.ERROR and not 500 <= fault.status <= 599:
            raise InvalidInput("an error fault needs a 5xx status")
        return fault

    @classmethod
    def from_header(cls, value: str) -> Fault:
        """``X-Stub-Fault: throttle;retry_after_s=2`` or ``error;status=502`` or ``delay;delay_s=0.5``."""
        parts = [part.strip() for part in value.split(";") if part.strip()]
        if not parts:
            raise InvalidInput("an empty fault")
        kind, *options = parts
        data: dict[str, Any] = {"kind": kind}
        for option in options:
            name, _, raw = option.partition("=")
            data[name.strip()] = raw.strip()
        return cls.from_json(data)


class FaultSchedule:
    """A thread-safe queue of faults; each matching request consumes the first one that matches it."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque(faults or [])

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def next_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    self._faults.remove(fault)
                    return fault
            return None
