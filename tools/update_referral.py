"""``update_referral``: the receiver of a referral moves it along: contacted → meeting → won | lost.

The move happens at once when the person's own words report it ("we won it", "I phoned them"); a move the
model inferred, or that text in a profile or a prospect's name asked for, waits for the Confirm button.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from network import pending
from network.errors import InvalidInput, NotFound
from network.models import Referral, ReferralState, Subscriber
from network.services import referrals
from tools import phrases
from tools.base import WHEN_CUES, Data, Said, ToolArgs, ToolEnv, cues, say, spec
from tools.lookup import ID_HINT, received_referral
from tools.said import state_stated

OPEN = (ReferralState.OPEN.value, ReferralState.CONTACTED.value, ReferralState.MEETING.value)


# what happened, in the person's words: otherwise the 1.5B model invented a note ("Tom Baker met with us at
# the breakfast on Thursday.") for "the referral for Tom Baker turned into a meeting next week"
NOTE_CUES = ("because", "went", "said", "price", "cheaper", "expensive", "budget", "chose", *WHEN_CUES)


class Args(ToolArgs):
    state: Literal["contacted", "meeting", "won", "lost"]
    prospect: str | None = Field(None, max_length=200, description="The prospect or who referred them.")
    referral_id: str | None = Field(None, max_length=40, description=ID_HINT)
    note: str | None = Field(None, max_length=1000, json_schema_extra=cues(*NOTE_CUES))


def update_referral(env: ToolEnv, args: Args) -> Data:
    """Use when they report progress on a referral they received: they contacted the prospect, have a
    meeting, won or lost it."""
    me = env.ctx.subscriber_id
    with env.write() as session:
        referral = pick(session, me, args)
        if not state_stated(args.state, env.ctx.user_text):
            summary = phrases.SUMMARY_REFERRAL_UPDATE.format(
                prospect=_label(session, referral), state=args.state
            )
            move = {"referral_id": referral.id, "state": args.state, "note": args.note}
            action = pending.propose(session, env.ctx, "update_referral", summary, move)
            env.effects.pending_action_id = action.id
            return {
                "status": "waiting for the person to confirm with the button",
                "prospect": _label(session, referral),
                "state": referral.state,
                "proposed_state": args.state,
            }
        referrals.update_referral(session, me, referral.id, args.state, note=args.note)
        return {
            "status": "updated",
            "referral_id": referral.id,
            "prospect": _label(session, referral),
            "state": referral.state,
        }


def pick(session: Session, me: str, args: Args) -> Referral:
    referral = received_referral(session, me, args.referral_id)
    if referral is not None:
        return referral
    rows = session.scalars(
        select(Referral)
        .where(Referral.receiver_id == me, Referral.state.in_(OPEN))
        .order_by(Referral.created_at.desc())
    ).all()
    if args.prospect:
        wanted = args.prospect.lower()
        rows = [
            r for r in rows if wanted in _label(session, r).lower() or wanted in _giver(session, r).lower()
        ]
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise NotFound("no open referral of yours matches that")
    names = ", ".join(_label(session, r) for r in rows[:5])
    raise InvalidInput(f"several open referrals could match: {names}. Which one?")


def _label(session: Session, referral: Referral) -> str:
    if referral.prospect_name:
        return referral.prospect_name
    prospect = session.get(Subscriber, referral.prospect_subscriber_id or "")
    return prospect.business_name if prospect else "(prospect)"


def _giver(session: Session, referral: Referral) -> str:
    giver = session.get(Subscriber, referral.giver_id)
    return giver.business_name if giver else ""


def reply(args: Args, data: Data) -> Said:
    if data.get("status") == "updated":
        return say(f"referral_{data['state']}", prospect=data["prospect"])
    return say("referral_move_waiting", prospect=data["prospect"], state=data["proposed_state"])


SPEC = spec("update_referral", Args, update_referral, reply=reply, what="update that referral")
