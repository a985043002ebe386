"""Referrals (BNI "slips"): ``open → contacted → meeting → won | lost``; the receiver works them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network import states
from network.errors import ConsentRequired, InvalidInput, NotFound, SelfReferral
from network.events import emit
from network.models import Referral, ReferralState
from network.services.subscribers import require_subscriber


def log_referral(
    session: Session,
    giver_id: str,
    receiver_id: str,
    *,
    prospect_subscriber_id: str | None = None,
    prospect_name: str | None = None,
    prospect_contact: str | None = None,
    prospect_agreed: bool = False,
    hotness: int = 3,
    note: str | None = None,
    introduction_id: str | None = None,
) -> Referral:
    """``giver`` passes business to ``receiver``; the prospect is a subscriber or an agreeing outsider."""
    if giver_id == receiver_id:
        raise SelfReferral("a referral must go to another business, not to yourself")
    giver = require_subscriber(session, giver_id)
    receiver = require_subscriber(session, receiver_id)
    if giver.tenant != receiver.tenant:
        raise NotFound(f"no subscriber {receiver_id!r}")
    if isinstance(hotness, bool) or not isinstance(hotness, int) or not 1 <= hotness <= 5:
        raise InvalidInput("hotness is a whole number from 1 (cold) to 5 (hot)")
    if prospect_subscriber_id:
        require_subscriber(session, prospect_subscriber_id)
        if prospect_subscriber_id == receiver_id:
            raise InvalidInput("the prospect cannot be the business receiving the referral")
    elif not prospect_name:
        raise InvalidInput("name the prospect: a subscriber or an outside contact")
    elif prospect_contact and not prospect_agreed:
        raise ConsentRequired("an outside prospect's contact details need their agreement to be contacted")
    referral = Referral(
        tenant=giver.tenant,
        giver_id=giver_id,
        receiver_id=receiver_id,
        prospect_subscriber_id=prospect_subscriber_id,
        prospect_name=prospect_name,
        prospect_contact=prospect_contact,
        prospect_agreed=prospect_agreed,
        hotness=hotness,
        note=note,
        introduction_id=introduction_id,
        state=ReferralState.OPEN.value,
    )
    session.add(referral)
    session.flush()
    emit(session, "referral.logged", referral_id=referral.id, receiver_id=receiver_id)
    return referral


def update_referral(
    session: Session, actor_id: str, referral_id: str, state: str, *, note: str | None = None
) -> Referral:
    """Only the receiver moves a referral along; anyone else sees no such referral."""
    referral = session.get(Referral, referral_id) if isinstance(referral_id, str) else None
    if referral is None or referral.receiver_id != actor_id:
        raise NotFound(f"no referral {referral_id!r} that you received")
    try:
        target = ReferralState(state)
    except ValueError:
        raise InvalidInput(f"unknown referral state {state!r}") from None
    states.check("referral", referral.state, target)
    referral.state = target.value
    if note:
        referral.note = f"{referral.note}\n{note}" if referral.note else note
    session.flush()
    emit(session, "referral.updated", referral_id=referral.id, state=referral.state)
    return referral


def list_referrals(session: Session, subscriber_id: str | None = None, *, limit: int = 200) -> list[Referral]:
    query = select(Referral).order_by(Referral.created_at.desc()).limit(limit)
    if subscriber_id:
        query = query.where(or_(Referral.giver_id == subscriber_id, Referral.receiver_id == subscriber_id))
    return list(session.scalars(query))
