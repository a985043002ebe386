"""Double opt-in introductions: ``suggested → requested → accepted | declined | expired``.

Contact details cross only on ``accepted``, and only to the two parties.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network import states
from network.errors import Conflict, ConsentRequired, InvalidInput, NotFound
from network.events import emit
from network.ids import utcnow
from network.models import ConsentKind, Introduction, IntroductionState, Subscriber
from network.services import consent
from network.services.subscribers import is_blocked, require_subscriber

DECLINE_COOLDOWN = timedelta(days=90)
REQUEST_TTL = timedelta(days=14)
OPEN_STATES = (IntroductionState.REQUESTED, IntroductionState.ACCEPTED)


def find(session: Session, introduction_id: str) -> Introduction | None:
    return session.get(Introduction, introduction_id)


def _between(a: str, b: str) -> Any:
    return or_(
        (Introduction.requester_id == a) & (Introduction.target_id == b),
        (Introduction.requester_id == b) & (Introduction.target_id == a),
    )


def suggest(
    session: Session,
    requester_id: str,
    target_id: str,
    *,
    score: float,
    parts: dict[str, float],
    reasons: list[str],
) -> Introduction:
    """Log a suggestion the matcher made (feeds the funnel and exposure caps)."""
    existing = session.scalars(
        select(Introduction).where(
            Introduction.requester_id == requester_id,
            Introduction.target_id == target_id,
            Introduction.state == IntroductionState.SUGGESTED,
        )
    ).first()
    if existing:
        existing.score, existing.parts, existing.reasons = score, parts, reasons
        return existing
    intro = Introduction(
        requester_id=requester_id,
        target_id=target_id,
        state=IntroductionState.SUGGESTED,
        score=score,
        parts=parts,
        reasons=reasons,
    )
    session.add(intro)
    session.flush()
    return intro


def request(
    session: Session, requester_id: str, target_id: str, *, message: str | None = None
) -> Introduction:
    """The requester asks to be introduced; the target must be contactable and not blocked."""
    if requester_id == target_id:
        raise InvalidInput("you cannot ask to be introduced to yourself")
    requester = require_subscriber(session, requester_id)
    target = require_subscriber(session, target_id)
    if requester.tenant != target.tenant or is_blocked(session, requester_id, target_id):
        raise NotFound(f"no subscriber {target_id!r}")
    if not consent.is_granted(session, target_id, ConsentKind.CONTACTABLE):
        raise ConsentRequired(f"{target.business_name} is not accepting introduction requests")
    _refuse_duplicates(session, requester_id, target_id)
    intro = session.scalars(
        select(Introduction).where(
            Introduction.requester_id == requester_id,
            Introduction.target_id == target_id,
            Introduction.state == IntroductionState.SUGGESTED,
        )
    ).first()
    if intro is None:
        intro = Introduction(
            requester_id=requester_id, target_id=target_id, state=IntroductionState.SUGGESTED
        )
        session.add(intro)
    _move(intro, IntroductionState.REQUESTED)
    intro.message = message
    session.flush()
    emit(session, "introduction.requested", introduction_id=intro.id, target_id=target_id)
    return intro


def _refuse_duplicates(session: Session, a: str, b: str) -> None:
    rows = session.scalars(select(Introduction).where(_between(a, b))).all()
    for row in rows:
        if row.state in OPEN_STATES:
            raise Conflict(f"an introduction between you is already {row.state}", introduction_id=row.id)
        recent = row.decided_at is not None and utcnow() - row.decided_at < DECLINE_COOLDOWN
        if row.state == IntroductionState.DECLINED and recent:
            raise Conflict("this introduction was declined recently; it cannot be requested again yet")


def respond(session: Session, target_id: str, introduction_id: str, *, accept: bool) -> Introduction:
    """Only the target answers; the acting id comes from the verified session."""
    intro = session.get(Introduction, introduction_id) if isinstance(introduction_id, str) else None
    if intro is None or intro.target_id != target_id:
        raise NotFound(f"no introduction request {introduction_id!r} for you")
    _move(intro, IntroductionState.ACCEPTED if accept else IntroductionState.DECLINED)
    intro.decided_at = utcnow()
    session.flush()
    emit(session, "introduction.answered", introduction_id=intro.id, accepted=accept)
    return intro


def withdraw(session: Session, requester_id: str, introduction_id: str) -> Introduction:
    """The requester takes back a request the target has not answered yet; nothing was shared."""
    intro = session.get(Introduction, introduction_id) if isinstance(introduction_id, str) else None
    if intro is None or intro.requester_id != requester_id:
        raise NotFound(f"no introduction request {introduction_id!r} of yours")
    _move(intro, IntroductionState.WITHDRAWN)
    intro.decided_at = utcnow()
    session.flush()
    emit(session, "introduction.withdrawn", introduction_id=intro.id)
    return intro


def expire_stale(session: Session, *, ttl: timedelta = REQUEST_TTL) -> int:
    cutoff = utcnow() - ttl
    stale = session.scalars(
        select(Introduction).where(
            Introduction.state == IntroductionState.REQUESTED, Introduction.updated_at < cutoff
        )
    ).all()
    for intro in stale:
        _move(intro, IntroductionState.EXPIRED)
    session.flush()
    return len(stale)


def _move(intro: Introduction, target: IntroductionState) -> None:
    states.check("introduction", intro.state, target)
    intro.state = target.value


@dataclass(frozen=True)
class ContactCard:
    subscriber_id: str
    business_name: str
    contact_name: str | None
    email: str | None
    phone: str | None


def contact_card(session: Session, introduction_id: str, viewer_id: str) -> ContactCard:
    """The other party's contact details — only for a party of an accepted introduction."""
    intro = session.get(Introduction, introduction_id) if isinstance(introduction_id, str) else None
    if intro is None or viewer_id not in (intro.requester_id, intro.target_id):
        raise NotFound(f"no introduction {introduction_id!r} for you")
    if intro.state != IntroductionState.ACCEPTED:
        raise ConsentRequired("contact details are shared only once both sides have accepted")
    other_id = intro.target_id if viewer_id == intro.requester_id else intro.requester_id
    other = session.get(Subscriber, other_id)
    assert other is not None
    return ContactCard(
        other.id, other.business_name, other.contact_name, other.contact_email, other.contact_phone
    )


def for_subscriber(
    session: Session, subscriber_id: str, *, include_suggested: bool = False
) -> list[Introduction]:
    query = select(Introduction).where(
        or_(Introduction.requester_id == subscriber_id, Introduction.target_id == subscriber_id)
    )
    if not include_suggested:
        query = query.where(Introduction.state != IntroductionState.SUGGESTED)
    return list(session.scalars(query.order_by(Introduction.created_at.desc())))
