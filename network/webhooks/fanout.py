"""Webhook events into the transactional outbox: one ``webhook`` message per subscribed endpoint, added to
the session that changed the record, so the event exists exactly when the change commits.

Every endpoint gets the same message id (the ``webhook-id`` header): a receiver recognises a retry or a
replay by it. Messages of one transaction get strictly increasing times, which order deliveries per resource.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from network.events import EventBus
from network.ids import new_id, utcnow
from network.models import OutboxMessage, OutboxState
from network.webhooks import endpoints
from network.webhooks.catalog import SOURCES, Event, Translate

KIND = "webhook"
CORRELATION_PREFIX = "layer8:webhook:"
_LAST_AT = "webhook_last_at"


def correlation_prefix(endpoint_id: str) -> str:
    return f"{CORRELATION_PREFIX}{endpoint_id}:"


def enqueue(session: Session, tenant: str, event: Event) -> list[OutboxMessage]:
    """Add ``event`` to the outbox for every active endpoint of ``tenant`` that subscribed to its type."""
    targets = endpoints.subscribed(session, tenant, event.type)
    if not targets:
        return []
    at = _ordered_now(session)
    message_id = new_id("msg")
    body = {"type": event.type, "timestamp": at.isoformat(), "data": event.data}
    rows = [
        OutboxMessage(
            correlation_id=correlation_prefix(endpoint.id) + message_id,
            kind=KIND,
            aggregate_type=event.resource,
            aggregate_id=event.resource_id,
            payload={"endpoint_id": endpoint.id, "message_id": message_id, "body": body},
            state=OutboxState.PENDING.value,
            attempts=0,
            next_attempt_at=at,
            created_at=at,
        )
        for endpoint in targets
    ]
    session.add_all(rows)
    session.flush()
    return rows


def subscribe(bus: EventBus, tenant: str) -> None:
    """Turn the domain events of :data:`~network.webhooks.catalog.SOURCES` into outbox messages."""
    for name, translate in SOURCES.items():
        bus.subscribe(name, _handler(translate, tenant))


def _handler(translate: Translate, tenant: str) -> Any:
    def handle(session: Session, payload: dict[str, Any]) -> None:
        event = translate(session, payload)
        if event is not None:
            enqueue(session, tenant, event)

    return handle


def _ordered_now(session: Session) -> datetime:
    now = utcnow()
    last: datetime | None = session.info.get(_LAST_AT)
    if last is not None and now <= last:
        now = last + timedelta(microseconds=1)
    session.info[_LAST_AT] = now
    return now
