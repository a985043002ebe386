"""One-to-ones after an event: up to three per attendee, only with others who came, as suggested
introductions — so the existing double opt-in decides (one asks, the other accepts; contacts cross only
then). Either side may note a time they propose; a week later each is asked what came of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.errors import Conflict, NotFound
from network.events import emit
from network.ids import utcnow
from network.models import EventOneToOne, Introduction
from network.services import events, introductions

PER_ATTENDEE = 3
FOLLOW_UP_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class Pairing:
    """Whom an attendee should meet again: the other attendee, the matcher's score, parts and reasons."""

    other_id: str
    score: float
    parts: dict[str, float]
    reasons: list[str]


def suggest(
    session: Session, event_id: str, pairings: Mapping[str, Sequence[Pairing]]
) -> list[EventOneToOne]:
    """Record each attendee's (up to three) one-to-ones with other attendees; anyone who did not check in
    is left out on both sides, whatever the matcher said."""
    came = set(events.attendees(session, event_id))
    made = []
    for attendee in sorted(pairings):
        if attendee not in came:
            continue
        chosen = [p for p in pairings[attendee] if p.other_id in came and p.other_id != attendee]
        for pairing in chosen[:PER_ATTENDEE]:
            row = _record(session, event_id, attendee, pairing)
            if row is not None:
                made.append(row)
    session.flush()
    for attendee in sorted({_requester(session, r) for r in made}):
        emit(session, "event.one_to_ones", event_id=event_id, subscriber_id=attendee)
    return made


def _record(session: Session, event_id: str, attendee: str, pairing: Pairing) -> EventOneToOne | None:
    intro = introductions.suggest(
        session, attendee, pairing.other_id, score=pairing.score, parts=pairing.parts, reasons=pairing.reasons
    )
    if _of(session, event_id, intro.id) is not None:
        return None
    row = EventOneToOne(
        event_id=event_id, introduction_id=intro.id, follow_up_due_at=utcnow() + FOLLOW_UP_AFTER
    )
    session.add(row)
    return row


def _of(session: Session, event_id: str, introduction_id: str) -> EventOneToOne | None:
    return session.scalars(
        select(EventOneToOne).where(
            EventOneToOne.event_id == event_id, EventOneToOne.introduction_id == introduction_id
        )
    ).first()


def _requester(session: Session, row: EventOneToOne) -> str:
    intro = session.get(Introduction, row.introduction_id)
    assert intro is not None
    return intro.requester_id


def for_attendee(session: Session, event_id: str, subscriber_id: str) -> list[Introduction]:
    """The one-to-ones suggested to ``subscriber_id`` after the event (either side), strongest first."""
    rows = session.scalars(
        select(Introduction)
        .join(EventOneToOne, EventOneToOne.introduction_id == Introduction.id)
        .where(EventOneToOne.event_id == event_id)
        .where((Introduction.requester_id == subscriber_id) | (Introduction.target_id == subscriber_id))
    )
    return sorted(rows, key=lambda i: (-(i.score or 0.0), i.id))


def propose_time(session: Session, one_to_one_id: str, subscriber_id: str, when: str) -> EventOneToOne:
    """Either party notes a time they propose (free text: 'Tue 10:00 at the bakery')."""
    row = session.get(EventOneToOne, one_to_one_id) if isinstance(one_to_one_id, str) else None
    intro = session.get(Introduction, row.introduction_id) if row is not None else None
    if row is None or intro is None or subscriber_id not in (intro.requester_id, intro.target_id):
        raise NotFound(f"no one-to-one {one_to_one_id!r} of yours")
    if intro.state in ("declined", "expired", "withdrawn"):
        raise Conflict(f"this one-to-one was {intro.state}")
    row.proposed_time = when.strip()[:120]
    session.flush()
    emit(session, "event.one_to_one_time", one_to_one_id=row.id, by=subscriber_id)
    return row


def due_follow_ups(
    session: Session, *, now: datetime | None = None
) -> list[tuple[EventOneToOne, Introduction]]:
    """One-to-ones a week old whose introduction was accepted and that were not followed up yet."""
    rows = session.execute(
        select(EventOneToOne, Introduction)
        .join(Introduction, Introduction.id == EventOneToOne.introduction_id)
        .where(
            EventOneToOne.follow_up_due_at <= (now or utcnow()),
            EventOneToOne.followed_up_at.is_(None),
            Introduction.state == "accepted",
        )
    )
    return [(row, intro) for row, intro in rows]
