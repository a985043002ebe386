"""Subscriber events: creation, invitations, RSVPs with a waiting list, check-in and closing.

Seats: ``going`` and ``attended`` take one each, never more than ``capacity``. A yes to a full event joins
the waiting list; when someone going cancels, the longest waiting moves up (``event.promoted`` tells them).
Check-in is by the host (or an operator), or by the guest with the event's code, whose hash alone is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from network import states
from network.errors import Conflict, InvalidInput, NotFound
from network.events import emit
from network.ids import utcnow
from network.models import Event, EventInvitation, EventState, InvitationState, Subscriber
from network.services.subscribers import require_subscriber

SEATED = (InvitationState.GOING.value, InvitationState.ATTENDED.value)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out at a door


@dataclass(frozen=True)
class NewEvent:
    title: str
    starts_at: datetime
    capacity: int
    time_zone: str = "UTC"
    place: str | None = None
    online_url: str | None = None
    description: str | None = None
    ends_at: datetime | None = None
    audience: dict[str, Any] | None = None
    host_id: str | None = None


def create(session: Session, new: NewEvent, *, created_by: str, tenant: str = "default") -> tuple[Event, str]:
    """The event and its check-in code (shown once; only its hash is stored)."""
    _validate(new)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    if new.host_id is not None:
        require_subscriber(session, new.host_id)
    event = Event(
        tenant=tenant,
        title=new.title.strip(),
        description=new.description,
        starts_at=new.starts_at,
        ends_at=new.ends_at,
        time_zone=new.time_zone,
        place=new.place,
        online_url=new.online_url,
        capacity=new.capacity,
        audience=_audience(new.audience or {}),
        host_id=new.host_id,
        checkin_code_hash=_hash(code),
        state=EventState.OPEN.value,
        created_by=created_by,
    )
    session.add(event)
    session.flush()
    emit(session, "event.created", event_id=event.id)
    return event, code


def typed_start(raw: str, time_zone: str) -> datetime:
    """A start as an operator types it (the CLI's ``--starts``, the console's form): ISO-8601 with its own
    offset, or else local time in ``time_zone``."""
    try:
        when = datetime.fromisoformat(raw)
        zone = ZoneInfo(time_zone)
    except ValueError:
        raise InvalidInput(f"not an ISO-8601 date and time: {raw!r}") from None
    except ZoneInfoNotFoundError:
        raise InvalidInput(f"unknown time zone {time_zone!r}") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)


def _validate(new: NewEvent) -> None:
    if not new.title.strip():
        raise InvalidInput("an event needs a title")
    if (new.place is None) == (new.online_url is None):
        raise InvalidInput("give either a place or an online link")
    if new.online_url is not None and not new.online_url.startswith(("https://", "http://")):
        raise InvalidInput("the online link must start with https://")
    if new.capacity < 1:
        raise InvalidInput("capacity must be at least 1")
    if new.starts_at.tzinfo is None:
        raise InvalidInput("the start needs a time zone (e.g. 2027-01-14T18:30+00:00)")
    if new.ends_at is not None and new.ends_at <= new.starts_at:
        raise InvalidInput("the end must come after the start")
    try:
        ZoneInfo(new.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {new.time_zone!r}") from None


def _audience(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "region": (raw.get("region") or None),
        "industries": [str(i).strip() for i in raw.get("industries") or [] if str(i).strip()],
        "interests": [str(i).strip().lower() for i in raw.get("interests") or [] if str(i).strip()],
    }


def require(session: Session, event_id: str) -> Event:
    event = session.get(Event, event_id) if isinstance(event_id, str) else None
    if event is None:
        raise NotFound(f"no event {event_id!r}")
    return event


def upcoming(session: Session, *, tenant: str = "default", now: datetime | None = None) -> list[Event]:
    """Open events that have not started, soonest first."""
    query = select(Event).where(
        Event.tenant == tenant, Event.state == EventState.OPEN.value, Event.starts_at > (now or utcnow())
    )
    return list(session.scalars(query.order_by(Event.starts_at, Event.id)))


def all_events(session: Session, *, tenant: str = "default") -> list[Event]:
    query = select(Event).where(Event.tenant == tenant).order_by(Event.starts_at.desc(), Event.id)
    return list(session.scalars(query))


def invitation(session: Session, event_id: str, subscriber_id: str) -> EventInvitation | None:
    return session.scalars(
        select(EventInvitation).where(
            EventInvitation.event_id == event_id, EventInvitation.subscriber_id == subscriber_id
        )
    ).first()


def invitations(session: Session, event_id: str) -> list[EventInvitation]:
    query = select(EventInvitation).where(EventInvitation.event_id == event_id)
    return list(session.scalars(query.order_by(EventInvitation.score.desc(), EventInvitation.id)))


def seats_taken(session: Session, event_id: str) -> int:
    query = select(func.count()).where(
        EventInvitation.event_id == event_id, EventInvitation.state.in_(SEATED)
    )
    return int(session.scalar(query) or 0)


def counts(session: Session, event_id: str) -> dict[str, int]:
    rows = session.execute(
        select(EventInvitation.state, func.count())
        .where(EventInvitation.event_id == event_id)
        .group_by(EventInvitation.state)
    )
    found = {str(state): int(n) for state, n in rows}
    return {state.value: found.get(state.value, 0) for state in InvitationState}


@dataclass(frozen=True)
class Invitee:
    """Whom the ranking chose, with whom they would meet and why."""

    subscriber_id: str
    score: float
    meets: list[dict[str, Any]]


def invite(session: Session, event_id: str, invitees: Sequence[Invitee]) -> list[EventInvitation]:
    """Record invitations (subscribers already invited keep theirs); ``event.invited`` for each new one."""
    event = _open(session, event_id)
    made = []
    for invitee in invitees:
        if invitation(session, event.id, invitee.subscriber_id) is not None:
            continue
        row = EventInvitation(
            event_id=event.id,
            subscriber_id=invitee.subscriber_id,
            state=InvitationState.INVITED.value,
            score=invitee.score,
            reasons=invitee.meets,
        )
        session.add(row)
        made.append(row)
    session.flush()
    for row in made:
        emit(
            session, "event.invited", event_id=event.id, invitation_id=row.id, subscriber_id=row.subscriber_id
        )
    return made


def rsvp(session: Session, event_id: str, subscriber_id: str, *, going: bool) -> EventInvitation:
    """The subscriber's own answer (the id comes from the verified session). Yes to a full event joins the
    waiting list; no from someone going frees their seat for the longest waiting."""
    event = _open(session, event_id)
    subscriber = require_subscriber(session, subscriber_id)
    if subscriber.tenant != event.tenant:
        raise NotFound(f"no event {event_id!r}")
    row = invitation(session, event.id, subscriber_id)
    if row is None:  # found the event themselves (find_events): an invitation of their own
        row = EventInvitation(event_id=event.id, subscriber_id=subscriber_id, state=InvitationState.INVITED)
        session.add(row)
        session.flush()
    if going:
        _say_yes(session, event, row)
    else:
        _say_no(session, event, row)
    row.responded_at = utcnow()
    session.flush()
    emit(session, "event.rsvp", event_id=event.id, subscriber_id=subscriber_id, state=row.state)
    return row


def _say_yes(session: Session, event: Event, row: EventInvitation) -> None:
    if row.state in (InvitationState.GOING, InvitationState.WAITLISTED, InvitationState.ATTENDED):
        return  # already said yes
    if seats_taken(session, event.id) < event.capacity:
        _move(row, InvitationState.GOING)
    else:
        _move(row, InvitationState.WAITLISTED)
        row.waitlisted_at = utcnow()


def _say_no(session: Session, event: Event, row: EventInvitation) -> None:
    if row.state == InvitationState.ATTENDED:
        raise Conflict("you have already checked in to this event")
    if row.state in (InvitationState.DECLINED, InvitationState.CANCELLED):
        return
    freed = row.state == InvitationState.GOING
    _move(
        row, InvitationState.DECLINED if row.state == InvitationState.INVITED else InvitationState.CANCELLED
    )
    if freed:
        session.flush()
        promote(session, event)


def promote(session: Session, event: Event) -> list[EventInvitation]:
    """Move the longest waiting up while seats are free; ``event.promoted`` tells each of them."""
    moved = []
    free = event.capacity - seats_taken(session, event.id)
    waiting = session.scalars(
        select(EventInvitation)
        .where(
            EventInvitation.event_id == event.id,
            EventInvitation.state == InvitationState.WAITLISTED.value,
        )
        .order_by(EventInvitation.waitlisted_at, EventInvitation.id)
        .limit(max(free, 0))
    ).all()
    for row in waiting:
        _move(row, InvitationState.GOING)
        moved.append(row)
    session.flush()
    for row in moved:
        emit(session, "event.promoted", event_id=event.id, subscriber_id=row.subscriber_id)
    return moved


def check_in(
    session: Session, event_id: str, subscriber_id: str, *, by: str, code: str | None = None
) -> EventInvitation:
    """Mark a guest as come. ``by`` is ``host:<id>``, ``operator:<id>`` or ``code`` (then ``code`` must be
    the event's). A guest checking themselves in needs a seat; a host may also check in an invited guest."""
    event = require(session, event_id)
    row = invitation(session, event.id, subscriber_id)
    if row is None:
        raise NotFound("this subscriber was not invited to the event")
    if by == "code":
        if not code or not secrets.compare_digest(_hash(code), event.checkin_code_hash):
            raise InvalidInput("that check-in code is not this event's")
        if row.state != InvitationState.GOING:
            raise Conflict(f"a guest whose answer is {row.state} cannot check in with the code")
    elif by.startswith("host:") and by != f"host:{event.host_id}":
        raise NotFound(f"no event {event_id!r} that you host")
    if row.state == InvitationState.ATTENDED:
        return row
    _move(row, InvitationState.ATTENDED)
    row.checked_in_at, row.checked_in_by = utcnow(), by
    session.flush()
    emit(session, "event.checked_in", event_id=event.id, subscriber_id=subscriber_id)
    return row


def attendees(session: Session, event_id: str) -> list[str]:
    """Those who came (checked in), in a stable order."""
    query = select(EventInvitation.subscriber_id).where(
        EventInvitation.event_id == event_id, EventInvitation.state == InvitationState.ATTENDED.value
    )
    return sorted(session.scalars(query))


def close(session: Session, event_id: str) -> Event:
    event = require(session, event_id)
    if event.state == EventState.CLOSED:
        return event
    event.state, event.closed_at = EventState.CLOSED.value, utcnow()
    session.flush()
    emit(session, "event.closed", event_id=event.id)
    return event


def for_subscriber(session: Session, subscriber_id: str) -> list[tuple[Event, EventInvitation]]:
    rows = session.execute(
        select(Event, EventInvitation)
        .join(EventInvitation, EventInvitation.event_id == Event.id)
        .where(EventInvitation.subscriber_id == subscriber_id)
        .order_by(Event.starts_at)
    )
    return [(event, row) for event, row in rows]


def names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    rows = session.execute(select(Subscriber.id, Subscriber.business_name).where(Subscriber.id.in_(ids)))
    return {i: n for i, n in rows}


def _open(session: Session, event_id: str) -> Event:
    event = require(session, event_id)
    if event.state != EventState.OPEN:
        raise Conflict("this event is closed")
    return event


def _move(row: EventInvitation, target: InvitationState) -> None:
    states.check("invitation", row.state, target)
    row.state = target.value


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()
