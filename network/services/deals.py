"""Deals: closed business recorded by the receiver, credited to the referral's giver.

Recording is idempotent (:func:`record_deal_once`); the ``deal.recorded`` event lets the incentive rules
write their rows in the same transaction.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network import audit, states
from network.errors import IllegalTransition, InvalidInput, NotFound
from network.events import emit
from network.idempotency import run_once
from network.ids import utcnow
from network.models import Deal, DealState, Introduction, IntroductionState, Referral, ReferralState
from network.money import Money
from network.services.subscribers import require_subscriber


def fingerprint(receiver_id: str, giver_id: str | None, money: Money, closed_on: date) -> str:
    """The same deal recorded twice under another key has the same fingerprint."""
    raw = f"{receiver_id}|{giver_id}|{money.amount_minor}|{money.currency}|{closed_on.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def record_deal(
    session: Session,
    receiver_id: str,
    money: Money,
    *,
    closed_on: date,
    recorded_by: str,
    referral_id: str | None = None,
    introduction_id: str | None = None,
    description: str | None = None,
) -> Deal:
    """Record business the ``receiver`` closed thanks to a referral or an accepted introduction."""
    require_subscriber(session, receiver_id)
    if closed_on > utcnow().date() + timedelta(days=1):
        raise InvalidInput("a deal cannot close in the future")
    giver_id = _giver(session, receiver_id, referral_id, introduction_id)
    deal = Deal(
        referral_id=referral_id,
        introduction_id=introduction_id,
        receiver_id=receiver_id,
        giver_id=giver_id,
        recorded_by=recorded_by,
        amount_minor=money.amount_minor,
        currency=money.currency,
        closed_on=closed_on,
        description=description,
        fingerprint=fingerprint(receiver_id, giver_id, money, closed_on),
    )
    session.add(deal)
    session.flush()
    emit(session, "deal.recorded", deal_id=deal.id)
    return deal


def _giver(session: Session, receiver_id: str, referral_id: str | None, introduction_id: str | None) -> str:
    if bool(referral_id) == bool(introduction_id):
        raise InvalidInput("a deal comes from exactly one referral or one accepted introduction")
    if referral_id:
        referral = session.get(Referral, referral_id)
        if referral is None or referral.receiver_id != receiver_id:
            raise NotFound(f"no referral {referral_id!r} that you received")
        if referral.state != ReferralState.WON:
            states.check("referral", referral.state, ReferralState.WON)
            referral.state = ReferralState.WON.value
            emit(session, "referral.updated", referral_id=referral.id, state=referral.state)
        return referral.giver_id
    intro = session.get(Introduction, introduction_id)
    if intro is None or receiver_id not in (intro.requester_id, intro.target_id):
        raise NotFound(f"no introduction {introduction_id!r} of yours")
    if intro.state != IntroductionState.ACCEPTED:
        raise IllegalTransition(f"this introduction is {intro.state}; deals need an accepted one")
    return intro.target_id if receiver_id == intro.requester_id else intro.requester_id


def record_deal_once(session: Session, idempotency_key: str, **kwargs: Any) -> dict[str, Any]:
    """:func:`record_deal` under an idempotency key: a retry returns the first deal, never a second."""
    money: Money = kwargs["money"]
    request = {k: v for k, v in kwargs.items() if k not in ("money", "recorded_by")}
    request |= {"amount_minor": money.amount_minor, "currency": money.currency}

    def effect() -> dict[str, Any]:
        deal = record_deal(session, **kwargs)
        return {"deal_id": deal.id}

    return run_once(session, "deal", idempotency_key, request, effect)


VOIDABLE = (DealState.RECORDED.value, DealState.DISPUTED.value)


def void_deal(session: Session, deal_id: str, *, receiver_id: str | None, reason: str) -> Deal:
    """Void a deal recorded in error. ``receiver_id`` is the acting receiver (None: an operator admin).

    The ``deal.voided`` event reverses the deal's incentives in the same transaction; a credit that already
    left becomes a new negative entry posted to the BSS (the outbox), never an edit of the first one.
    """
    deal = session.get(Deal, deal_id) if isinstance(deal_id, str) else None
    if deal is None or (receiver_id is not None and deal.receiver_id != receiver_id):
        raise NotFound(f"no deal {deal_id!r} that you recorded")
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 500:
        raise InvalidInput("give a reason of 3 to 500 characters for voiding the deal")
    if deal.state not in VOIDABLE:
        raise IllegalTransition(f"this deal is {deal.state}; only a recorded deal can be voided")
    deal.state = DealState.VOIDED.value
    session.flush()
    audit.record(session, "deal.voided", "deal", deal.id, note=reason, note_about=receiver_id)
    emit(session, "deal.voided", deal_id=deal.id)
    return deal


def for_subscriber(session: Session, subscriber_id: str) -> list[Deal]:
    query = select(Deal).where(or_(Deal.receiver_id == subscriber_id, Deal.giver_id == subscriber_id))
    return list(session.scalars(query.order_by(Deal.created_at.desc())))
