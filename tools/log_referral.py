"""``log_referral``: the person passes business to another subscriber (a BNI "slip").

The person is always the giver. The prospect is another subscriber of the network when one matches the
name, otherwise an outside contact by name only: an outsider's contact details are not taken in chat.

A referral passes a prospect to another business, so it is logged at once only when the person named both
in their own words; otherwise (the model inferred it, or text in a profile asked for it) it waits for the
person's Confirm button, and the confirmed action logs it once under its idempotency key.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from network import pending
from network.errors import InvalidInput, NotFound
from network.models import Referral
from network.services import referrals
from tools import phrases, record_deal, update_referral
from tools.base import Data, Said, ToolArgs, ToolEnv, cues, say, spec
from tools.lookup import find_business
from tools.profile_changes import newest
from tools.said import deal_stated, progress_stated, stated

logger = logging.getLogger(__name__)

# the words that say how ready the prospect is, and what they are after: otherwise the 1.5B model wrote the
# whole message again as the note (15-25 tokens of every referral)
HOTNESS_CUES = ("hot", "keen", "ready", "cold", "warm", "urgent", "interested", "serious", "eager", "asap")
NOTE_CUES = ("want", "need", "looking for", "keen", "interested", "because", "asked", "about ")


class Args(ToolArgs):
    to_business: str = Field(..., min_length=1, max_length=200, description="Who receives the referral.")
    prospect: str = Field(..., min_length=1, max_length=200, description="The customer being referred.")
    hotness: int = Field(
        3, ge=1, le=5, description="1 cold … 5 ready to buy.", json_schema_extra=cues(*HOTNESS_CUES)
    )
    note: str | None = Field(None, max_length=1000, json_schema_extra=cues(*NOTE_CUES))


def log_referral(env: ToolEnv, args: Args) -> Data:
    """Use when they say they referred or sent a customer to another business, e.g. 'I referred Acme
    Plumbing to Jane's Cafe': to_business is who receives it, prospect is the customer."""
    meant = _meant(env, args)
    if meant is not None:
        return meant
    me = env.ctx.subscriber_id
    with env.write() as session:
        args = _receiver_first(session, me, args)
        receiver = find_business(session, me, args.to_business)
        try:
            prospect_id: str | None = find_business(session, me, args.prospect).id
        except (NotFound, InvalidInput):
            prospect_id = None
        if prospect_id == receiver.id:
            prospect_id = None
        slip = {
            "receiver_id": receiver.id,
            "prospect_subscriber_id": prospect_id,
            "prospect_name": args.prospect,
            "hotness": args.hotness,
            "note": args.note,
        }
        said = env.ctx.user_text
        if not (stated(args.to_business, said) or stated(receiver.business_name, said)) or not stated(
            args.prospect, said
        ):
            summary = phrases.SUMMARY_REFERRAL.format(prospect=args.prospect, receiver=receiver.business_name)
            action = pending.propose(session, env.ctx, "log_referral", summary, slip)
            env.effects.pending_action_id = action.id
            return {
                "status": "waiting for the person to confirm with the button",
                "to_business": receiver.business_name,
                "prospect": args.prospect,
            }
        referral = log(session, me, slip)
        return {
            "status": "referral logged",
            "referral_id": referral.id,
            "to_business": receiver.business_name,
            "prospect": args.prospect,
            "hotness": referral.hotness,
            "state": referral.state,
        }


def _receiver_first(session: Session, me: str, args: Args) -> Args:
    """The names the other way round when only the prospect is a business on the network: a referral goes
    to a member. For "I recommended Kirkstall Brewing to my friend Sam who runs a pub" the 1.5B model
    wrote Sam's pub as the receiver and the brewery as the prospect (tools suite, held-out set)."""
    try:
        find_business(session, me, args.to_business)
        return args
    except (NotFound, InvalidInput):
        pass
    try:
        find_business(session, me, args.prospect)
    except (NotFound, InvalidInput):
        return args
    logger.info("log_referral: the receiver named is not on the network and the prospect is; swapped")
    return args.model_copy(update={"to_business": args.prospect, "prospect": args.to_business})


def _meant(env: ToolEnv, args: Args) -> Data | None:
    """What a "referral" really reports when the person's words say otherwise. The 1.5B model logged a
    referral for "We signed a contract worth €1,500 with the bakery after your introduction" (a deal) and for
    "I've phoned the Patel wedding party the bakery referred to us" (progress on a referral they received)."""
    said = newest(env.ctx.user_text)
    money = deal_stated(said)
    if money is not None:
        # either name may be the referrer: record_deal tries each as the referrer, then as the prospect
        deal = record_deal.Args(
            amount=money, referrer=args.to_business, referral_id=args.prospect, description=args.note
        )
        return record_deal.record_deal(env, deal)
    state = progress_stated(said)
    if state is None:
        return None
    for name in (args.prospect, args.to_business):
        move = update_referral.Args(state=state, prospect=name)
        with env.read() as session:
            try:
                update_referral.pick(session, env.ctx.subscriber_id, move)
            except (NotFound, InvalidInput):
                continue
        return update_referral.update_referral(env, move)
    return None


def log(session: Session, giver_id: str, slip: dict[str, Any]) -> Referral:
    return referrals.log_referral(
        session,
        giver_id,
        str(slip["receiver_id"]),
        prospect_subscriber_id=slip.get("prospect_subscriber_id"),
        prospect_name=slip.get("prospect_name"),
        hotness=int(slip.get("hotness") or 3),
        note=slip.get("note"),
    )


def reply(args: Args, data: Data) -> Said:
    if "credited_to" in data:  # the person reported a deal
        return record_deal.reply(record_deal.Args(amount=data["amount"]), data)
    if data.get("status") == "updated" or "proposed_state" in data:  # progress on a referral they received
        return update_referral.reply(update_referral.Args(state="contacted"), data)
    if data.get("referral_id"):
        return say("referral_logged", prospect=data["prospect"], receiver=data["to_business"])
    return say("referral_waiting", prospect=data["prospect"], receiver=data["to_business"])


SPEC = spec("log_referral", Args, log_referral, reply=reply, what="log that referral")
