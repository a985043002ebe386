"""Keep the vector index in step with domain events, after the database commit.

``consent.changed`` (discoverable withdrawn → removed at once; granted → indexed), ``profile.changed`` →
re-indexed (a no-op when the text did not change), ``subscriber.erased`` → erased and the store compacted,
``subscriber.churned`` (they left the operator) → removed.
The Chroma work is queued with :func:`network.events.after_commit`, so a rolled-back change never touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.orm import Session

from network.events import EventBus, after_commit
from network.models import ConsentKind


class SubscriberIndexer(Protocol):
    def index_subscriber(self, subscriber_id: str) -> bool: ...

    def remove(self, subscriber_id: str) -> None: ...

    def erase(self, subscriber_id: str) -> None: ...


def subscribe(events: EventBus, indexer: Callable[[], SubscriberIndexer]) -> None:
    """Register the handlers; ``indexer`` is called lazily, so no model loads until an event needs it."""

    def on_consent(session: Session, payload: dict[str, Any]) -> None:
        if payload.get("kind") != ConsentKind.DISCOVERABLE.value:
            return
        subscriber_id = str(payload["subscriber_id"])
        if payload.get("granted"):
            after_commit(session, lambda: _index(indexer(), subscriber_id))
        else:
            after_commit(session, lambda: indexer().remove(subscriber_id))

    def on_profile(session: Session, payload: dict[str, Any]) -> None:
        subscriber_id = str(payload["subscriber_id"])
        after_commit(session, lambda: _index(indexer(), subscriber_id))

    def on_erased(session: Session, payload: dict[str, Any]) -> None:
        subscriber_id = str(payload["subscriber_id"])
        after_commit(session, lambda: indexer().erase(subscriber_id))

    events.subscribe("consent.changed", on_consent)
    events.subscribe("profile.changed", on_profile)

    def on_churned(session: Session, payload: dict[str, Any]) -> None:
        subscriber_id = str(payload["subscriber_id"])
        after_commit(session, lambda: indexer().remove(subscriber_id))

    events.subscribe("subscriber.erased", on_erased)
    events.subscribe("subscriber.churned", on_churned)


def _index(indexer: SubscriberIndexer, subscriber_id: str) -> None:
    indexer.index_subscriber(subscriber_id)
