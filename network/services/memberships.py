"""Memberships that come from the operator's BSS: created, updated and ended as its customers change.

The BSS owns who is a customer; Layer8 owns everything else. A customer the BSS ends (or deletes) is a
**churn event**: their open introductions and referrals are withdrawn, the other side of each is told
(``subscriber.churned`` carries who), their profile leaves the index (they are no longer ``active``), and a
:class:`~network.models.ChurnEvent` row keeps the departure for the churn and retention metrics. Their
records stay under the retention rules, until an erasure (``layer8 subscribers erase``).

Every function here is idempotent: applying the same customer twice changes nothing the second time, so a
replayed notification or a repeated sync is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network import audit, states
from network.engagement import ENGAGED_DAYS, is_engaged
from network.events import emit
from network.ids import utcnow
from network.models import (
    ChurnEvent,
    Introduction,
    IntroductionState,
    Referral,
    ReferralState,
    Subscriber,
)
from network.services.erasure import OPEN_INTRODUCTIONS, OPEN_REFERRALS, cancel_others_actions
from network.services.subscribers import create_subscriber

ACTIVE, CHURNED, ERASED = "active", "churned", "erased"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ENDED = "ended"
    REJOINED = "rejoined"
    SKIPPED = "skipped"  # not a member (wrong category) and not known to Layer8


@dataclass(frozen=True, slots=True)
class Member:
    """A BSS customer as a membership: ``active`` False when the BSS has ended them."""

    customer_id: str
    party_id: str
    business_name: str
    active: bool
    contact_email: str | None = None
    contact_phone: str | None = None


def find(session: Session, customer_id: str, party_id: str | None = None) -> Subscriber | None:
    """The subscriber of a BSS customer (by customer id, else by the party a seeded subscriber carries)."""
    wanted = [Subscriber.bss_customer_id == customer_id]
    if party_id:
        wanted.append(Subscriber.bss_party_id == party_id)
    rows = session.scalars(select(Subscriber).where(or_(*wanted))).all()
    by_customer = [r for r in rows if r.bss_customer_id == customer_id]
    chosen = by_customer or list(rows)
    return chosen[0] if chosen else None


def apply(session: Session, member: Member, *, tenant: str, source: str) -> Outcome:
    """Create, update, end or bring back the membership of ``member``."""
    subscriber = find(session, member.customer_id, member.party_id)
    if subscriber is None:
        if not member.active:
            return Outcome.SKIPPED
        create_subscriber(
            session,
            member.business_name,
            tenant=tenant,
            bss_party_id=member.party_id,
            contact_email=member.contact_email,
            contact_phone=member.contact_phone,
        ).bss_customer_id = member.customer_id
        session.flush()
        return Outcome.CREATED
    if subscriber.status == ERASED:
        return Outcome.UNCHANGED  # an erased subscriber never comes back from a BSS record
    if not member.active:
        ended = end(session, subscriber, reason="terminated", source=source)
        return Outcome.ENDED if ended is not None else Outcome.UNCHANGED
    changed = _update(subscriber, member)
    if subscriber.status == CHURNED:
        subscriber.status = ACTIVE
        audit.record(session, "subscriber.rejoined", "subscribers", subscriber.id, source=source)
        emit(session, "profile.changed", subscriber_id=subscriber.id)  # back in the index
        return Outcome.REJOINED
    return Outcome.UPDATED if changed else Outcome.UNCHANGED


def _update(subscriber: Subscriber, member: Member) -> bool:
    wanted = {
        "bss_customer_id": member.customer_id,
        "bss_party_id": member.party_id,
        "business_name": member.business_name,
        "contact_email": member.contact_email or subscriber.contact_email,
        "contact_phone": member.contact_phone or subscriber.contact_phone,
    }
    changed = False
    for name, value in wanted.items():
        if getattr(subscriber, name) != value:
            setattr(subscriber, name, value)
            changed = True
    return changed


def end(
    session: Session,
    subscriber: Subscriber,
    *,
    reason: str,
    source: str,
    occurred_at: datetime | None = None,
) -> ChurnEvent | None:
    """The subscriber left the operator; ``None`` when they had already left (nothing changes twice)."""
    if subscriber.status != ACTIVE:
        return None
    at = occurred_at or utcnow()
    engaged = is_engaged(session, subscriber.id, at - timedelta(days=ENGAGED_DAYS), at)
    withdrawn, counterparts, intro_ids = _withdraw(session, subscriber.id, at)
    subscriber.status = CHURNED
    row = ChurnEvent(
        subscriber_id=subscriber.id,
        occurred_at=at,
        reason=reason[:40],
        source=source[:40],
        bss_customer_id=subscriber.bss_customer_id,
        engaged=engaged,
        withdrawn=withdrawn,
        counterparts=sorted(counterparts),
    )
    session.add(row)
    session.flush()
    audit.record(session, "subscriber.churned", "subscribers", subscriber.id, reason=reason, source=source)
    for intro_id in intro_ids:
        emit(session, "introduction.withdrawn", introduction_id=intro_id)
    emit(
        session,
        "subscriber.churned",
        subscriber_id=subscriber.id,
        counterparts=sorted(counterparts),
        churn_event_id=row.id,
    )
    return row


def _withdraw(session: Session, sid: str, at: datetime) -> tuple[int, set[str], list[str]]:
    """Withdraw open introductions and referrals with ``sid``; returns the count, who was on the other
    side, and the introductions withdrawn."""
    counterparts: set[str] = set()
    intro_ids: list[str] = []
    intros = select(Introduction).where(
        or_(Introduction.requester_id == sid, Introduction.target_id == sid),
        Introduction.state.in_(OPEN_INTRODUCTIONS),
    )
    for intro in session.scalars(intros):
        states.check("introduction", intro.state, IntroductionState.WITHDRAWN)
        intro.state, intro.decided_at = IntroductionState.WITHDRAWN.value, at
        intro_ids.append(intro.id)
        counterparts.add(intro.target_id if intro.requester_id == sid else intro.requester_id)
    referrals = select(Referral).where(
        or_(Referral.giver_id == sid, Referral.receiver_id == sid, Referral.prospect_subscriber_id == sid),
        Referral.state.in_(OPEN_REFERRALS),
    )
    referral_ids: list[str] = []
    for referral in session.scalars(referrals):
        states.check("referral", referral.state, ReferralState.WITHDRAWN)
        referral.state = ReferralState.WITHDRAWN.value
        referral_ids.append(referral.id)
        counterparts |= {referral.giver_id, referral.receiver_id}
    counterparts.discard(sid)
    cancel_others_actions(session, sid, {sid, *intro_ids, *referral_ids})
    session.flush()
    return len(intro_ids) + len(referral_ids), counterparts, intro_ids


def members_from_bss(session: Session) -> dict[str, Subscriber]:
    """Subscribers whose membership came from the BSS, by customer id (any status but erased)."""
    rows = session.scalars(
        select(Subscriber).where(Subscriber.bss_customer_id.is_not(None), Subscriber.status != ERASED)
    )
    return {str(row.bss_customer_id): row for row in rows}
