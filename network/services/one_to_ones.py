"""One-to-ones after an event: up to three per attendee, only with others who came, as suggested
introductions — so the existing double opt-in decides (one asks, the other accepts; contacts cross only
then). Once both agreed, either side proposes a time (a suggested slot, or a note) and the other accepts it;
a week later each is asked what came of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

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


def mine(session: Session, one_to_one_id: str, subscriber_id: str) -> tuple[EventOneToOne, Introduction]:
    """The one-to-one and its introduction, when ``subscriber_id`` is one of its two sides."""
    row = session.get(EventOneToOne, one_to_one_id) if isinstance(one_to_one_id, str) else None
    intro = session.get(Introduction, row.introduction_id) if row is not None else None
    if row is None or intro is None or subscriber_id not in (intro.requester_id, intro.target_id):
        raise NotFound(f"no one-to-one {one_to_one_id!r} of yours")
    return row, intro


def of_introduction(session: Session, introduction_id: str) -> EventOneToOne | None:
    query = select(EventOneToOne).where(EventOneToOne.introduction_id == introduction_id)
    return session.scalars(query.order_by(EventOneToOne.created_at)).first()


def propose_time(session: Session, one_to_one_id: str, subscriber_id: str, when: str) -> EventOneToOne:
    """Either party proposes a time (a slot's ISO time, or a note: 'Tue 10:00 at the bakery'); it waits for
    the other side to accept. A new proposal replaces the last, agreed or not."""
    row, intro = mine(session, one_to_one_id, subscriber_id)
    if intro.state in ("declined", "expired", "withdrawn"):
        raise Conflict(f"this one-to-one was {intro.state}")
    row.proposed_time, row.proposed_by, row.agreed_at = when.strip()[:120], subscriber_id, None
    session.flush()
    emit(session, "event.one_to_one_time", one_to_one_id=row.id, by=subscriber_id)
    return row


def agree_time(session: Session, one_to_one_id: str, subscriber_id: str) -> EventOneToOne:
    """The other side accepts the time proposed to them (once; pressing again changes nothing)."""
    row, _intro = mine(session, one_to_one_id, subscriber_id)
    if row.proposed_time is None or row.proposed_by in (None, subscriber_id):
        raise Conflict("there is no time from the other side waiting for your answer")
    if row.agreed_at is None:
        row.agreed_at = utcnow()
        session.flush()
        emit(session, "event.one_to_one_agreed", one_to_one_id=row.id, by=subscriber_id)
    return row


SLOT_TIMES = (time(9, 30), time(12, 30), time(16, 0))  # local; three a weekday


def slots(zone: str, after: datetime, *, skip: int = 0, count: int = 3) -> list[datetime]:
    """Weekday slots (09:30, 12:30, 16:00 in ``zone``) from the day after ``after``, as UTC; ``skip`` pages
    on ("suggest another")."""
    tz = ZoneInfo(zone)
    day = after.astimezone(tz).date() + timedelta(days=1)
    found: list[datetime] = []
    while len(found) < skip + count:
        if day.weekday() < 5:
            found += [datetime.combine(day, at, tzinfo=tz) for at in SLOT_TIMES]
        day += timedelta(days=1)
    return [s.astimezone(UTC) for s in found[skip : skip + count]]


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
