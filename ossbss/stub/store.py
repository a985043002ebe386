"""The TM Forum stub's memory: resources it created, every application, and what the bill shows.

``idempotent=True`` (the default) answers a repeated correlation id with the first resource, like a careful
BSS; ``False`` applies every POST, like a careless one — the relay's tests use that, so exactly-once must come
from the relay's read-back, not from the stub's kindness.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ossbss.port import BillKind

Resource = dict[str, Any]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Application:
    kind: BillKind
    correlation_id: str
    resource_id: str
    at: str


class StubStore:
    def __init__(self, *, idempotent: bool = True, auto_parties: bool = True) -> None:
        self.idempotent = idempotent
        self.auto_parties = auto_parties
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.resources: dict[BillKind, dict[str, Resource]] = {BillKind.CREDIT: {}, BillKind.USAGE: {}}
        self.rates: dict[str, Resource] = {}
        self.applications: list[Application] = []
        self.parties: dict[str, Resource] = {}  # id → Organization or Individual (with "@type")
        self.customers: dict[str, Resource] = {}
        self.hubs: dict[str, Resource] = {}  # TMF629 listener registrations (EventSubscription)
        self.events: list[Resource] = []  # TMF629 notifications sent, oldest first

    def apply(self, kind: BillKind, correlation_id: str, build: Any) -> tuple[Resource, bool]:
        """Create the resource ``build(id)`` unless (idempotent) this correlation id exists already."""
        with self._lock:
            if self.idempotent and correlation_id:
                for resource in self.resources[kind].values():
                    if resource.get("correlationId") == correlation_id:
                        return resource, False
            resource_id = f"{kind.value}-{next(self._ids)}"
            resource, rate = build(resource_id)
            self.resources[kind][resource_id] = resource
            self.rates[rate["id"]] = rate
            self.applications.append(Application(kind, correlation_id, resource_id, now_iso()))
            return resource, True

    def find(self, kind: BillKind, filters: dict[str, str]) -> list[Resource]:
        with self._lock:
            items = list(self.resources[kind].values())
        return [item for item in items if all(_matches(item, k, v) for k, v in filters.items())]

    def get(self, kind: BillKind, resource_id: str) -> Resource | None:
        with self._lock:
            return self.resources[kind].get(resource_id)

    def rate_list(self, filters: dict[str, str]) -> list[Resource]:
        with self._lock:
            items = list(self.rates.values())
        return [item for item in items if all(_matches(item, k, v) for k, v in filters.items())]

    def applied_count(self, correlation_id: str) -> int:
        with self._lock:
            return sum(1 for a in self.applications if a.correlation_id == correlation_id)

    def reset(self) -> None:
        with self._lock:
            for items in self.resources.values():
                items.clear()
            self.rates.clear()
            self.applications.clear()


def _matches(item: Resource, key: str, wanted: str) -> bool:
    """TMF630 attribute filtering: ``a.b=v`` (lists match when any element matches)."""
    values: list[Any] = [item]
    for part in key.split("."):
        following: list[Any] = []
        for value in values:
            if isinstance(value, list):
                following.extend(v.get(part) for v in value if isinstance(v, dict))
            elif isinstance(value, dict):
                following.append(value.get(part))
        values = following
    flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
    return any(str(v) == wanted for v in flat if v is not None)
