"""Erasure requests: a subscriber asks (``POST /v1/me/erasure``); an admin approves in the console or with
``layer8 subscribers erase``, or the operator lets requests run at once (``LAYER8_ERASURE_IMMEDIATE``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from network import audit
from network.errors import NotFound
from network.ids import utcnow
from network.models import ErasureRequest, Subscriber

PENDING, DONE, REJECTED = "pending", "done", "rejected"


def request_erasure(session: Session, subscriber_id: str, requested_by: str) -> ErasureRequest:
    """Record the request (one open request per subscriber: asking again returns the open one)."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.status == "erased":
        raise NotFound(f"no subscriber {subscriber_id!r}")
    open_request = pending_for(session, subscriber_id)
    if open_request is not None:
        return open_request
    row = ErasureRequest(subscriber_id=subscriber_id, state=PENDING, requested_by=requested_by[:80])
    session.add(row)
    session.flush()
    audit.record(session, "erasure.requested", "erasure_requests", row.id, subscriber_id=subscriber_id)
    return row


def pending_for(session: Session, subscriber_id: str) -> ErasureRequest | None:
    return session.scalars(
        select(ErasureRequest).where(
            ErasureRequest.subscriber_id == subscriber_id, ErasureRequest.state == PENDING
        )
    ).first()


def pending(session: Session, limit: int = 200) -> list[ErasureRequest]:
    """Open requests, oldest first (what the console's erasure page lists)."""
    query = select(ErasureRequest).where(ErasureRequest.state == PENDING)
    return list(session.scalars(query.order_by(ErasureRequest.requested_at).limit(limit)))


def reject(session: Session, request_id: str, decided_by: str) -> ErasureRequest:
    row = session.get(ErasureRequest, request_id)
    if row is None or row.state != PENDING:
        raise NotFound(f"no open erasure request {request_id!r}")
    row.state, row.decided_by, row.decided_at = REJECTED, decided_by[:80], utcnow()
    session.flush()
    return row
