"""What came of a digest: **opened** when the channel tells us it was seen (a WhatsApp read status; Slack
tells nothing), **acted on** when a button on it was pressed or a reply answered it (a Slack thread reply, a
WhatsApp reply quoting it). Acting on a digest implies it was opened. Each is recorded once, the first time.

Digests are found by the channel's id of the message they went out as (``DigestDelivery.message_ref``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from network.models import DigestDelivery


def opened(session: Session, refs: Iterable[str], at: datetime) -> int:
    """Mark the digests sent as these messages opened (first time only); returns how many changed."""
    wanted = sorted({r for r in refs if r})
    if not wanted:
        return 0
    result = session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.message_ref.in_(wanted), DigestDelivery.opened_at.is_(None))
        .values(opened_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def acted(session: Session, subscriber_id: str, ref: str | None, at: datetime) -> bool:
    """Mark the subscriber's digest sent as message ``ref`` acted on (and opened); False when ``ref`` is
    not one of their digests. Someone else's digest is never marked."""
    if not ref:
        return False
    row = session.scalars(
        select(DigestDelivery).where(
            DigestDelivery.message_ref == ref, DigestDelivery.subscriber_id == subscriber_id
        )
    ).first()
    if row is None:
        return False
    row.opened_at = row.opened_at or at
    row.acted_at = row.acted_at or at
    return True
