"""What each kind of pending action does once the person confirms it (and undoes when they cancel).

Each executor runs inside the confirming transaction with the action's own idempotency key, so the effect
happens at most once whatever the number of confirmations. Results carry a ``text`` the person sees.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from network.idempotency import run_once
from network.models import PendingAction, Subscriber
from network.money import Money
from network.pending import Executor
from network.services import consent, deals, introductions, profiles, referrals
from tools import phrases
from tools.log_referral import log


def record_deal(session: Session, action: PendingAction) -> dict[str, Any]:
    p = action.payload
    money = Money(int(p["amount_minor"]), str(p["currency"]))
    result = deals.record_deal_once(
        session,
        action.idempotency_key,
        receiver_id=action.subscriber_id,
        money=money,
        closed_on=date.fromisoformat(p["closed_on"]),
        recorded_by=f"subscriber:{action.subscriber_id}",
        referral_id=p.get("referral_id"),
        introduction_id=p.get("introduction_id"),
        description=p.get("description"),
    )
    text = phrases.DEAL_RECORDED.format(amount=money.format(), giver=p.get("giver_name") or "the referrer")
    return {**result, "text": text}


def change_consent(session: Session, action: PendingAction) -> dict[str, Any]:
    p = action.payload

    def effect() -> dict[str, Any]:
        for kind in ("discoverable", "contactable"):
            if kind in p:
                consent.set_consent(session, action.subscriber_id, kind, bool(p[kind]), channel=p["channel"])
        return {"consent": consent.current(session, action.subscriber_id)}

    result = run_once(session, "consent", action.idempotency_key, p, effect)
    words = [phrases.CONSENT_WORDS[k] + (" — yes" if v else " — no") for k, v in result["consent"].items()]
    text = phrases.CONSENT_SAVED.format(choices="; ".join(words))
    return {**result, "onboarding": bool(p.get("onboarding")), "text": text}


def withhold_consent(session: Session, action: PendingAction) -> dict[str, Any]:
    """Cancelling the onboarding consent question records the refusal, so it is not asked again."""
    if not action.payload.get("onboarding"):
        return {"text": phrases.CANCELLED}
    for kind in ("discoverable", "contactable"):
        consent.set_consent(session, action.subscriber_id, kind, False, channel=action.payload["channel"])
    return {"onboarding": True, "text": phrases.CONSENT_WITHHELD}


def request_introduction(session: Session, action: PendingAction) -> dict[str, Any]:
    p = action.payload

    def effect() -> dict[str, Any]:
        intro = introductions.request(session, action.subscriber_id, p["target_id"], message=p.get("message"))
        return {"introduction_id": intro.id}

    result = run_once(session, "intro_request", action.idempotency_key, p, effect)
    return {**result, "text": phrases.INTRO_REQUESTED.format(target=_name(session, p["target_id"]))}


def share_contact(session: Session, action: PendingAction) -> dict[str, Any]:
    """Accept an introduction: both sides now see each other's contact card."""
    p = action.payload

    def effect() -> dict[str, Any]:
        intro = introductions.respond(session, action.subscriber_id, p["introduction_id"], accept=True)
        return {"introduction_id": intro.id}

    result = run_once(session, "intro_accept", action.idempotency_key, p, effect)
    card = introductions.contact_card(session, result["introduction_id"], action.subscriber_id)
    return {**result, "text": accepted_text(card)}


def accepted_text(card: introductions.ContactCard) -> str:
    details = ", ".join(x for x in (card.contact_name, card.email, card.phone) if x) or "none on file yet"
    return phrases.INTRO_ACCEPTED.format(other=card.business_name, card=details)


def confirm_profile(session: Session, action: PendingAction) -> dict[str, Any]:
    ids = [str(i) for i in action.payload.get("proposal_ids", [])]
    still_open = {p.id for p in profiles.pending(session, action.subscriber_id)}
    declared = frozenset(str(f) for f in action.payload.get("declared", []))
    added = {str(f): str(items) for f, items in (action.payload.get("added") or {}).items()}
    open_ids = [i for i in ids if i in still_open]
    profiles.confirm(session, action.subscriber_id, open_ids, declared=declared, added=added)
    return {"proposal_ids": ids, "text": phrases.PROFILE_CONFIRMED}


def reject_profile(session: Session, action: PendingAction) -> dict[str, Any]:
    ids = [str(i) for i in action.payload.get("proposal_ids", [])]
    still_open = {p.id for p in profiles.pending(session, action.subscriber_id)}
    profiles.reject(session, action.subscriber_id, [i for i in ids if i in still_open])
    return {"text": phrases.PROFILE_REJECTED}


def log_referral(session: Session, action: PendingAction) -> dict[str, Any]:
    p = action.payload

    def effect() -> dict[str, Any]:
        return {"referral_id": log(session, action.subscriber_id, p).id}

    result = run_once(session, "referral_log", action.idempotency_key, p, effect)
    text = phrases.REFERRAL_LOGGED.format(
        prospect=p["prospect_name"], receiver=_name(session, p["receiver_id"])
    )
    return {**result, "text": text}


def update_referral(session: Session, action: PendingAction) -> dict[str, Any]:
    p = action.payload

    def effect() -> dict[str, Any]:
        moved = referrals.update_referral(
            session, action.subscriber_id, p["referral_id"], p["state"], note=p.get("note")
        )
        return {"referral_id": moved.id, "prospect": moved.prospect_name or "the prospect"}

    result = run_once(session, "referral_update", action.idempotency_key, p, effect)
    text = phrases.REFERRAL_UPDATED.format(prospect=result.get("prospect"), state=p["state"])
    return {**result, "text": text}


def _name(session: Session, subscriber_id: str) -> str:
    subscriber = session.get(Subscriber, subscriber_id)
    return subscriber.business_name if subscriber else "that business"


EXECUTORS: dict[str, Executor] = {
    "record_deal": record_deal,
    "change_consent": change_consent,
    "request_introduction": request_introduction,
    "share_contact": share_contact,
    "confirm_profile": confirm_profile,
    "log_referral": log_referral,
    "update_referral": update_referral,
}
CANCELLERS: dict[str, Executor] = {"confirm_profile": reject_profile, "change_consent": withhold_consent}
