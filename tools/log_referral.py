"""``log_referral``: the person passes business to another subscriber (a BNI "slip").

The person is always the giver. The prospect is another subscriber of the network when one matches the
name, otherwise an outside contact by name only: an outsider's contact details are not taken in chat.
"""

from __future__ import annotations

from pydantic import Field

from network.errors import InvalidInput, NotFound
from network.services import referrals
from tools.base import Data, ToolArgs, ToolEnv, spec
from tools.lookup import find_business


class Args(ToolArgs):
    to_business: str = Field(..., min_length=1, max_length=200, description="Who receives the referral.")
    prospect: str = Field(..., min_length=1, max_length=200, description="The customer being referred.")
    hotness: int = Field(3, ge=1, le=5, description="1 cold … 5 ready to buy.")
    note: str | None = Field(None, max_length=1000)


def log_referral(env: ToolEnv, args: Args) -> Data:
    """Use when they say they referred or sent a customer to another business, e.g. 'I referred Acme
    Plumbing to Jane's Cafe': to_business is who receives it, prospect is the customer."""
    me = env.ctx.subscriber_id
    with env.write() as session:
        receiver = find_business(session, me, args.to_business)
        try:
            prospect_id: str | None = find_business(session, me, args.prospect).id
        except (NotFound, InvalidInput):
            prospect_id = None
        if prospect_id == receiver.id:
            prospect_id = None
        referral = referrals.log_referral(
            session,
            me,
            receiver.id,
            prospect_subscriber_id=prospect_id,
            prospect_name=args.prospect,
            hotness=args.hotness,
            note=args.note,
        )
        return {
            "status": "referral logged",
            "referral_id": referral.id,
            "to_business": receiver.business_name,
            "prospect": args.prospect,
            "hotness": referral.hotness,
            "state": referral.state,
        }


SPEC = spec("log_referral", Args, log_referral)
