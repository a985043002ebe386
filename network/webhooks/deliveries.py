"""Webhook deliveries: claiming due messages in order, recording each attempt, back-off, dead letters,
automatic disabling of an endpoint that keeps failing, the delivery log and manual replay.

Order: a message is claimed only when no older message for the same endpoint and resource is still
pending, so one resource's events reach an endpoint in the order they happened (at least once each; a retry
or replay keeps its ``webhook-id``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from network import audit
from network.actor import Actor
from network.db import Database
from network.errors import IllegalTransition, NotFound
from network.models import OutboxMessage, OutboxState, WebhookAttempt, WebhookEndpoint
from network.pagination import Page, paginate
from network.rows import row_json
from network.webhooks import endpoints, scopes
from network.webhooks.fanout import KIND, correlation_prefix

ACTOR = Actor.system("webhook-relay")
DAY = 86_400.0
# Standard Webhooks' suggested schedule stretched over days: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 1 d ×3
SCHEDULE_S = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 50400.0, DAY, DAY, DAY)


@dataclass(frozen=True, slots=True)
class WebhookPolicy:
    schedule_s: tuple[float, ...] = SCHEDULE_S
    jitter: float = 0.1
    lease_s: float = 120.0  # longer than any post can take (timeouts ≤ 30 s)
    batch: int = 50
    disable_after_failures: int = 20  # consecutive failed attempts of an endpoint …
    disable_after_s: float = 5 * DAY  # … failing for at least this long

    @property
    def max_attempts(self) -> int:
        return len(self.schedule_s) + 1

    def delay(self, attempts: int, rng: random.Random) -> float:
        base = self.schedule_s[min(max(attempts, 1), len(self.schedule_s)) - 1]
        return base * (1 + self.jitter * rng.random())


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: str
    endpoint_id: str
    url: str
    secret: str
    message_id: str
    body: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def next_due(db: Database) -> datetime | None:
    with db.read() as session:
        return session.scalar(
            select(OutboxMessage.next_attempt_at)
            .where(OutboxMessage.kind == KIND, OutboxMessage.state == OutboxState.PENDING.value)
            .order_by(OutboxMessage.next_attempt_at)
            .limit(1)
        )


def claim(db: Database, now: datetime, policy: WebhookPolicy) -> list[Claimed]:
    """Lease the due messages that are first in line for their endpoint and resource."""
    with db.transaction(ACTOR) as session:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.kind == KIND,
                OutboxMessage.state == OutboxState.PENDING.value,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
            .limit(policy.batch)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed: list[Claimed] = []
        lines: set[tuple[str, str, str]] = set()
        for message in list(session.scalars(query)):
            endpoint_id = str(message.payload["endpoint_id"])
            line = (endpoint_id, message.aggregate_type, message.aggregate_id)
            if line in lines or _waits_behind(session, message, endpoint_id):
                continue
            lines.add(line)
            endpoint = session.get(WebhookEndpoint, endpoint_id)
            if endpoint is None or endpoint.state != endpoints.ACTIVE:
                message.state, message.last_error = OutboxState.DEAD.value, "the endpoint is disabled"
                continue
            message.attempts += 1
            message.next_attempt_at = now + timedelta(seconds=policy.lease_s)
            claimed.append(_claimed(session, message, endpoint))
        return claimed


def _waits_behind(session: Session, message: OutboxMessage, endpoint_id: str) -> bool:
    earlier = session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.kind == KIND,
            OutboxMessage.state == OutboxState.PENDING.value,
            OutboxMessage.aggregate_type == message.aggregate_type,
            OutboxMessage.aggregate_id == message.aggregate_id,
            OutboxMessage.correlation_id.startswith(correlation_prefix(endpoint_id)),
            or_(
                OutboxMessage.created_at < message.created_at,
                and_(OutboxMessage.created_at == message.created_at, OutboxMessage.id < message.id),
            ),
        )
        .limit(1)
    )
    return earlier is not None


def _claimed(session: Session, message: OutboxMessage, endpoint: WebhookEndpoint) -> Claimed:
    """What is posted: the stored body, widened by the endpoint's scopes from the records as they are now."""
    payload = message.payload
    return Claimed(
        delivery_id=message.id,
        endpoint_id=endpoint.id,
        url=endpoint.url,
        secret=endpoint.secret,
        message_id=str(payload["message_id"]),
        body=scopes.widened(session, endpoint.scopes or [], dict(payload["body"])),
        attempts=message.attempts,
    )


def record(
    db: Database, claimed: Claimed, outcome: Outcome, now: datetime, policy: WebhookPolicy, rng: random.Random
) -> str:
    """Log the attempt and move the delivery on: ``sent``, ``retry`` (after back-off) or ``dead``."""
    with db.transaction(ACTOR) as session:
        message = session.get(OutboxMessage, claimed.delivery_id)
        endpoint = session.get(WebhookEndpoint, claimed.endpoint_id)
        if message is None or endpoint is None or message.state != OutboxState.PENDING:
            return "gone"
        session.add(_attempt(session, claimed, outcome, now))
        if outcome.ok:
            message.state, message.sent_at, message.last_error = OutboxState.SENT.value, now, None
            endpoint.consecutive_failures, endpoint.failing_since = 0, None
            return "sent"
        message.last_error = _describe(outcome)
        _count_failure(session, endpoint, now, policy)
        if claimed.attempts >= policy.max_attempts or endpoint.state != endpoints.ACTIVE:
            message.state = OutboxState.DEAD.value
            return "dead"
        message.next_attempt_at = now + timedelta(seconds=policy.delay(claimed.attempts, rng))
        return "retry"


def _attempt(session: Session, claimed: Claimed, outcome: Outcome, now: datetime) -> WebhookAttempt:
    done = session.scalar(select(func.count()).where(WebhookAttempt.delivery_id == claimed.delivery_id))
    return WebhookAttempt(
        delivery_id=claimed.delivery_id,
        endpoint_id=claimed.endpoint_id,
        message_id=claimed.message_id,
        attempt=int(done or 0) + 1,
        status_code=outcome.status_code,
        error=(outcome.error or None) and str(outcome.error)[:300],
        duration_ms=outcome.duration_ms,
        at=now,
    )


def _count_failure(session: Session, endpoint: WebhookEndpoint, now: datetime, policy: WebhookPolicy) -> None:
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    failing_for = (now - endpoint.failing_since).total_seconds()
    if (
        endpoint.consecutive_failures >= policy.disable_after_failures
        and failing_for >= policy.disable_after_s
    ):
        endpoints.disable(session, endpoint, f"failed {endpoint.consecutive_failures} times in a row")


def _describe(outcome: Outcome) -> str:
    if outcome.status_code is not None:
        return f"HTTP {outcome.status_code}"
    return outcome.error or "no answer"


# --- the delivery log, replay ---------------------------------------------------------------------------
def page(
    session: Session,
    tenant: str,
    *,
    endpoint_id: str | None = None,
    state: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == KIND)
    if endpoint_id:
        endpoints.get(session, tenant, endpoint_id)
        query = query.where(OutboxMessage.correlation_id.startswith(correlation_prefix(endpoint_id)))
    else:
        mine = [correlation_prefix(e.id) for e in _all_endpoints(session, tenant)]
        query = query.where(or_(false(), *(OutboxMessage.correlation_id.startswith(p) for p in mine)))
    if state:
        query = query.where(OutboxMessage.state == state)
    return paginate(session, query, OutboxMessage.created_at, OutboxMessage.id, limit=limit, cursor=cursor)


def _all_endpoints(session: Session, tenant: str) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.tenant == tenant)))


def get(session: Session, tenant: str, delivery_id: str) -> OutboxMessage:
    message = session.get(OutboxMessage, delivery_id) if isinstance(delivery_id, str) else None
    if message is None or message.kind != KIND:
        raise NotFound(f"no webhook delivery {delivery_id!r}")
    endpoint = session.get(WebhookEndpoint, str(message.payload.get("endpoint_id")))
    if endpoint is None or endpoint.tenant != tenant:
        raise NotFound(f"no webhook delivery {delivery_id!r}")
    return message


def attempts(session: Session, delivery_id: str) -> list[WebhookAttempt]:
    query = select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
    return list(session.scalars(query.order_by(WebhookAttempt.attempt)))


def replay(session: Session, tenant: str, delivery_id: str, at: datetime) -> OutboxMessage:
    """Deliver a sent or dead message again, with the same ``webhook-id`` (receivers see a duplicate)."""
    message = get(session, tenant, delivery_id)
    if message.state == OutboxState.PENDING:
        raise IllegalTransition(f"delivery {delivery_id} is still pending; it will be tried again anyway")
    endpoint = endpoints.get(session, tenant, str(message.payload["endpoint_id"]))
    if endpoint.state != endpoints.ACTIVE:
        raise IllegalTransition("the endpoint is disabled; enable it before replaying its deliveries")
    message.last_error = f"replayed after: {message.last_error or message.state}"[:2000]
    message.state, message.attempts, message.next_attempt_at = OutboxState.PENDING.value, 0, at
    audit.record(session, "webhook.replayed", "outbox", message.id, endpoint_id=endpoint.id)
    return message


DELIVERY_FIELDS = ("id", "state", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at")


def to_json(message: OutboxMessage) -> dict[str, Any]:
    payload = message.payload
    body = payload.get("body", {})
    return {
        **row_json(message, DELIVERY_FIELDS),
        "endpoint_id": payload.get("endpoint_id"),
        "message_id": payload.get("message_id"),
        "event_type": body.get("type"),
        "resource": message.aggregate_type,
        "resource_id": message.aggregate_id,
    }


ATTEMPT_FIELDS = ("id", "attempt", "status_code", "error", "duration_ms", "at")


def attempt_json(row: WebhookAttempt) -> dict[str, Any]:
    return row_json(row, ATTEMPT_FIELDS)
