"""``record_deal``: business the person closed thanks to a referral or an introduction — once confirmed.

Money moves on a recorded deal (the referrer's reward, a bill credit), so the tool only proposes it: the
pending action carries the exact amount in minor units and the referral it came from, and the person's own
confirmation records it with the action's idempotency key.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network import pending
from network.errors import InvalidInput, NotFound
from network.ids import utcnow
from network.models import Introduction, IntroductionState, Referral, ReferralState, Subscriber
from network.money import Money, parse_money
from tools import phrases, update_referral
from tools.base import WHEN_CUES, Data, Said, ToolArgs, ToolEnv, cues, say, spec
from tools.lookup import ID_HINT, received_referral
from tools.said import amounts_stated, state_stated

SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD", "¥": "JPY"}
NAMES = {"pound": "GBP", "euro": "EUR", "dollar": "USD", "yen": "JPY"}
_CODE = re.compile(r"\b([A-Za-z]{3})\b")
_NAME = re.compile(r"\b(pound|euro|dollar|yen)s?\b", re.IGNORECASE)


# words that say what was sold: otherwise the 1.5B model wrote its own description ("Leeds Bakery closed
# £980 with Bob's referral"), 20-30 tokens of every deal
SOLD_CUES = ("order", "job", "contract", "sold", "supplied", "catering", "project", "wedding", "install")


class Args(ToolArgs):
    amount: str | int | float = Field(..., description="The deal's value, e.g. '2400' or '£2,400.50'.")
    currency: str | None = Field(None, description="ISO code such as GBP, EUR or USD.")
    referrer: str | None = Field(None, max_length=200, description="Who referred or introduced the customer.")
    referral_id: str | None = Field(None, max_length=40, description=ID_HINT)
    closed_on: date | None = Field(
        None, description="When it closed (YYYY-MM-DD); default today.", json_schema_extra=cues(*WHEN_CUES)
    )
    description: str | None = Field(
        None, max_length=500, description="What was sold, to whom.", json_schema_extra=cues(*SOLD_CUES)
    )


def parse_amount(amount: str | int | float, currency: str | None, default: str) -> Money:
    text = str(amount).strip()
    symbol = next((code for sign, code in SYMBOLS.items() if sign in text), None)
    named = _NAME.search(text)
    code_in_text = None if named else _CODE.search(text)
    code = (
        currency
        or (NAMES[named.group(1).lower()] if named else None)
        or (code_in_text.group(1).upper() if code_in_text else None)
        or symbol
        or default
    )
    digits = re.sub(r"[^\d.]", "", text.replace(",", ""))
    return parse_money(digits, code.upper())


def record_deal(env: ToolEnv, args: Args) -> Data:
    """Use when they closed business worth money thanks to a referral or introduction, e.g. 'we closed
    £2,400 with Acme thanks to Bob' or 'we won a $750 order thanks to X's referral'. They confirm before
    it is recorded."""
    money = parse_amount(args.amount, args.currency, env.ctx.currency)
    if money.major() not in amounts_stated(env.ctx.user_text):
        # the model filled in a sum the person never wrote ("we won the job Bob sent us" → £1,000): no deal
        # is proposed on an invented amount; news of a win moves the referral instead
        if state_stated("won", env.ctx.user_text):
            return update_referral.update_referral(
                env, update_referral.Args(state="won", prospect=args.referrer)
            )
        raise InvalidInput("tell me how much it was worth, and I'll get it ready for you to confirm.")
    closed_on = args.closed_on or utcnow().date()
    if closed_on > utcnow().date() + timedelta(days=1):
        raise InvalidInput("a deal cannot close in the future")
    me = env.ctx.subscriber_id
    with env.write() as session:
        source, giver_id = _source(session, me, args)
        giver = session.get(Subscriber, giver_id)
        giver_name = giver.business_name if giver else "the referrer"
        summary = phrases.SUMMARY_DEAL.format(
            amount=money.format(), closed_on=closed_on.isoformat(), giver=giver_name
        )
        payload = {
            "amount_minor": money.amount_minor,
            "currency": money.currency,
            "closed_on": closed_on.isoformat(),
            "description": args.description,
            "giver_name": giver_name,
            **source,
        }
        action = pending.propose(session, env.ctx, "record_deal", summary, payload)
        env.effects.pending_action_id = action.id
        return {
            "status": "waiting for the person to confirm with the button; not recorded yet",
            "amount": money.format(),
            "credited_to": giver_name,
            "closed_on": closed_on.isoformat(),
        }


def _source(session: Session, me: str, args: Args) -> tuple[dict[str, str], str]:
    """The referral (or accepted introduction) the deal came from, and who gets the credit."""
    referral = received_referral(session, me, args.referral_id)
    if referral is not None:
        return {"referral_id": referral.id}, referral.giver_id
    # small models put names in the wrong field (the referrer as referral_id, the customer as referrer):
    # every name given is tried as the referrer, then as the referral's prospect
    names = [n for n in (args.referrer, args.referral_id) if n and not n.startswith("ref_")]
    candidates = _referrals(session, me, names)
    if len(candidates) == 1:
        return {"referral_id": candidates[0].id}, candidates[0].giver_id
    if not candidates and args.referrer:
        intro = _introduction(session, me, args.referrer)
        if intro is not None:
            other = intro.target_id if intro.requester_id == me else intro.requester_id
            return {"introduction_id": intro.id}, other
    if not candidates:
        raise NotFound("I couldn't find a referral or introduction this deal came from. Who referred it?")
    listed = ", ".join(sorted({r.prospect_name or "?" for r in candidates})[:5])
    raise InvalidInput(f"several referrals could match ({listed}). Which one was it?")


def _referrals(session: Session, me: str, names: list[str]) -> list[Referral]:
    query = (
        select(Referral)
        .where(Referral.receiver_id == me, Referral.state != ReferralState.LOST.value)
        .order_by(Referral.created_at.desc())
    )
    rows = list(session.scalars(query))
    if not names:
        return rows
    wanted = [n.lower() for n in names]
    by_giver = [r for r in rows if any(_matches(session.get(Subscriber, r.giver_id), w) for w in wanted)]
    if by_giver:
        return by_giver
    return [r for r in rows if r.prospect_name and any(_similar(r.prospect_name.lower(), w) for w in wanted)]


def _introduction(session: Session, me: str, referrer: str) -> Introduction | None:
    rows = session.scalars(
        select(Introduction).where(
            Introduction.state == IntroductionState.ACCEPTED.value,
            or_(Introduction.requester_id == me, Introduction.target_id == me),
        )
    ).all()
    wanted = referrer.lower()
    for intro in rows:
        other = intro.target_id if intro.requester_id == me else intro.requester_id
        if _matches(session.get(Subscriber, other), wanted):
            return intro
    return None


def _matches(subscriber: Subscriber | None, wanted: str) -> bool:
    if subscriber is None:
        return False
    names = [subscriber.business_name, subscriber.contact_name or ""]
    return any(_similar(n.lower(), wanted) for n in names if n)


def _similar(name: str, wanted: str) -> bool:
    return wanted in name or name in wanted


def reply(args: Args, data: Data) -> Said:
    if "credited_to" not in data:  # a won referral, reported without a sum
        return update_referral.reply(update_referral.Args(state="won"), data)
    return say("deal_waiting", amount=data["amount"], giver=data["credited_to"])


SPEC = spec("record_deal", Args, record_deal, reply=reply, what="record that deal")
