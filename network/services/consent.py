"""Consent: append-only history; the newest record per kind is in force."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.errors import InvalidInput
from network.events import emit
from network.models import ConsentKind, ConsentRecord
from network.services.subscribers import require_subscriber

WORDING_VERSION = "2026-11-v1"
PURPOSES = {
    ConsentKind.DISCOVERABLE: "be suggested to other subscribers as a possible partner",
    ConsentKind.CONTACTABLE: "receive introduction requests from other subscribers",
}


def current(session: Session, subscriber_id: str) -> dict[str, bool]:
    """``{"discoverable": bool, "contactable": bool}``; never granted means False."""
    state = {kind.value: False for kind in ConsentKind}
    rows = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.subscriber_id == subscriber_id)
        .order_by(ConsentRecord.at, ConsentRecord.id)
    )
    for row in rows:
        state[row.kind] = row.granted
    return state


def is_granted(session: Session, subscriber_id: str, kind: ConsentKind) -> bool:
    return current(session, subscriber_id)[kind.value]


def set_consent(
    session: Session,
    subscriber_id: str,
    kind: str,
    granted: bool,
    *,
    channel: str,
    wording_version: str = WORDING_VERSION,
) -> ConsentRecord:
    try:
        consent_kind = ConsentKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown consent {kind!r}: use discoverable or contactable") from None
    require_subscriber(session, subscriber_id)
    record = ConsentRecord(
        subscriber_id=subscriber_id,
        kind=consent_kind.value,
        granted=granted,
        purpose=PURPOSES[consent_kind],
        channel=channel,
        wording_version=wording_version,
    )
    session.add(record)
    session.flush()
    emit(session, "consent.changed", subscriber_id=subscriber_id, kind=consent_kind.value, granted=granted)
    return record


def history(session: Session, subscriber_id: str) -> list[ConsentRecord]:
    return list(
        session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.subscriber_id == subscriber_id)
            .order_by(ConsentRecord.at.desc())
        )
    )
