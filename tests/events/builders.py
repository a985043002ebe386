"""Builders for event tests: an event through the domain service, and a scripted matcher."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from network.db import Database
from network.errors import NotFound
from network.ids import utcnow
from network.services import events
from retrieval.matching import Suggestion

SOON = utcnow().replace(microsecond=0) + timedelta(days=10)


def make_event(
    db: Database, *, capacity: int = 2, host_id: str | None = None, **audience: Any
) -> tuple[str, str]:
    """An open event ten days ahead; returns its id and its check-in code."""
    new = events.NewEvent(
        title="Leeds breakfast",
        starts_at=SOON.astimezone(UTC),
        capacity=capacity,
        time_zone="Europe/London",
        place="Corn Exchange, Leeds",
        audience=audience or None,
        host_id=host_id,
    )
    with db.transaction() as session:
        event, code = events.create(session, new, created_by="operator:test")
        return event.id, code


@dataclass
class ScriptedMatcher:
    """``suggest`` answers from a table: who suggests whom, with which score (the reasons name the pair)."""

    table: dict[str, list[tuple[str, float]]]
    names: dict[str, str] = field(default_factory=dict)
    reason: str = "{me} needs {other}"  # may also name ``{other_name}``

    def suggest(self, subscriber_id: str, top: int = 5) -> Sequence[Any]:
        if subscriber_id not in self.table:
            raise NotFound("no profile")
        return [
            Suggestion(
                other, self.names.get(other, other), None, score, {}, [self._why(subscriber_id, other)]
            )
            for other, score in self.table[subscriber_id][:top]
        ]

    def _why(self, me: str, other: str) -> str:
        return self.reason.format(me=me, other=other, other_name=self.names.get(other, other))


def at(days: float) -> datetime:
    return utcnow() + timedelta(days=days)
