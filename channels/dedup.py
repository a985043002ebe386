"""De-duplication of webhook deliveries: each (channel, event id) is accepted once.

A row in ``inbound_events`` (unique on channel and event id) is the receipt. It is written with a plain
INSERT, not through the ORM: a receipt is bookkeeping, so it does not go into the audit trail, and it stays
one cheap statement on the acknowledgement path. No message text or phone number is stored in it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from network.db import Database
from network.models import InboundEvent

logger = logging.getLogger(__name__)


def first_time(db: Database, channel: str, event_id: str, kind: str, **facts: Any) -> bool:
    """True the first time this event is seen; False for a duplicate or a retry."""
    try:
        with db.transaction() as session:
            session.execute(
                insert(InboundEvent).values(
                    channel=channel, event_id=event_id[:160], kind=kind[:64], status="received", payload=facts
                )
            )
    except IntegrityError:
        logger.info("duplicate %s event %s ignored", channel, event_id)
        return False
    return True


def mark(db: Database, channel: str, event_id: str, status: str) -> None:
    """Record what became of the event (``answered``, ``ignored``, ``failed``…)."""
    with db.transaction() as session:
        session.execute(
            update(InboundEvent)
            .where(InboundEvent.channel == channel, InboundEvent.event_id == event_id[:160])
            .values(status=status[:16])
        )


def forget(db: Database, channel: str, event_id: str) -> None:
    """Drop the receipt of an event we could not take on, so the platform's retry is accepted."""
    with db.transaction() as session:
        session.execute(
            delete(InboundEvent).where(
                InboundEvent.channel == channel, InboundEvent.event_id == event_id[:160]
            )
        )
