"""The transactional outbox: a write to the OSS/BSS is a row committed with the business change behind it.

:func:`enqueue` only adds to the caller's session, so the incentive (or deal) and its outbox row commit or
roll back together; nothing reaches the BSS until the relay reads a committed row. Correlation ids are
derived from the business row (``layer8:credit:<incentive>``, ``layer8:usage:<deal>``) and unique.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from network import audit
from network.errors import IllegalTransition, NotFound
from network.models import Deal, Incentive, OutboxMessage, OutboxState, Subscriber
from network.rows import row_json
from ossbss.port import CORRELATION_PREFIX, BillKind, BillWrite

CREDIT_TEXT = "Layer8 referral thank-you (deal {deal})"
REVERSAL_TEXT = "Layer8 referral thank-you reversed (deal {deal})"
USAGE_TEXT = "Layer8 commercial outcome: closed business (deal {deal})"
# the outbox also carries webhook deliveries (kind ``webhook``): the BSS relay and reconciliation take these
BILL_KINDS = tuple(kind.value for kind in BillKind)


def correlation_id(kind: BillKind, row_id: str) -> str:
    return f"{CORRELATION_PREFIX}{kind.value}:{row_id}"


def party_id(session: Session, subscriber_id: str) -> str:
    """The subscriber's BSS party id, or the subscriber id when the BSS knows no other."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise NotFound(f"no subscriber {subscriber_id!r}")
    return subscriber.bss_party_id or subscriber.id


def credit_write(session: Session, incentive: Incentive, at: datetime) -> BillWrite:
    text = REVERSAL_TEXT if incentive.amount_minor < 0 else CREDIT_TEXT
    return BillWrite(
        kind=BillKind.CREDIT,
        correlation_id=correlation_id(BillKind.CREDIT, incentive.id),
        party_id=party_id(session, incentive.beneficiary_id),
        amount_minor=incentive.amount_minor,
        currency=incentive.currency,
        description=text.format(deal=incentive.deal_id),
        reference_id=incentive.id,
        occurred_at=at,
    )


def usage_write(session: Session, deal: Deal, at: datetime) -> BillWrite:
    return BillWrite(
        kind=BillKind.USAGE,
        correlation_id=correlation_id(BillKind.USAGE, deal.id),
        party_id=party_id(session, deal.receiver_id),
        amount_minor=deal.amount_minor,
        currency=deal.currency,
        description=USAGE_TEXT.format(deal=deal.id),
        reference_id=deal.id,
        occurred_at=at,
    )


def enqueue(
    session: Session, write: BillWrite, aggregate_type: str, aggregate_id: str
) -> OutboxMessage | None:
    """Add ``write`` to the outbox in the caller's transaction (once per correlation id)."""
    existing = session.scalars(
        select(OutboxMessage).where(OutboxMessage.correlation_id == write.correlation_id)
    ).first()
    if existing is not None:
        return None
    message = OutboxMessage(
        correlation_id=write.correlation_id,
        kind=write.kind.value,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        payload=to_payload(write),
        state=OutboxState.PENDING.value,
        attempts=0,
        next_attempt_at=write.occurred_at,
    )
    session.add(message)
    session.flush()
    return message


def to_payload(write: BillWrite) -> dict[str, Any]:
    return {
        "party_id": write.party_id,
        "amount_minor": write.amount_minor,
        "currency": write.currency,
        "description": write.description,
        "reference_id": write.reference_id,
        "occurred_at": write.occurred_at.isoformat(),
    }


def write_of(message: OutboxMessage) -> BillWrite:
    data = message.payload
    return BillWrite(
        kind=BillKind(message.kind),
        correlation_id=message.correlation_id,
        party_id=str(data["party_id"]),
        amount_minor=int(data["amount_minor"]),
        currency=str(data["currency"]),
        description=str(data["description"]),
        reference_id=str(data["reference_id"]),
        occurred_at=datetime.fromisoformat(str(data["occurred_at"])),
    )


def messages(session: Session, state: str | None = None, limit: int = 500) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.kind.in_(BILL_KINDS))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        .limit(limit)
    )
    if state:
        query = query.where(OutboxMessage.state == state)
    return list(session.scalars(query))


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.kind.in_(BILL_KINDS))
        .group_by(OutboxMessage.state)
    )
    found = {str(state): int(n) for state, n in rows}
    return {state.value: found.get(state.value, 0) for state in OutboxState}


def requeue(session: Session, message_id: str, at: datetime) -> OutboxMessage:
    """Give a dead-lettered message another round; it is read back first, never re-posted blind."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.kind not in BILL_KINDS:
        raise NotFound(f"no outbox message {message_id!r}")
    if message.state != OutboxState.DEAD:
        raise IllegalTransition(
            f"outbox message {message_id} is {message.state}; only dead ones are requeued"
        )
    message.state = OutboxState.PENDING.value
    message.attempts = 0
    message.next_attempt_at = at
    message.last_error = f"requeued after: {message.last_error or 'dead-lettered'}"[:2000]
    audit.record(session, "outbox.requeued", "outbox", message.id, correlation_id=message.correlation_id)
    return message


JSON_FIELDS = (
    "id",
    "correlation_id",
    "kind",
    "aggregate",
    "state",
    "attempts",
    "next_attempt_at",
    "last_error",
    "external_id",
    "amount_minor",
    "currency",
    "party_id",
    "sent_at",
)


def to_json(message: OutboxMessage) -> dict[str, Any]:
    payload = message.payload
    return row_json(
        message,
        JSON_FIELDS,
        aggregate=f"{message.aggregate_type}:{message.aggregate_id}",
        amount_minor=payload.get("amount_minor"),
        currency=payload.get("currency"),
        party_id=payload.get("party_id"),
    )
