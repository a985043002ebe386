"""``respond_to_introduction``: accept or decline an introduction someone asked for.

Declining shares nothing and happens at once. Accepting exchanges contact details, so it becomes a pending
action the person confirms (the Accept button on the request itself is that confirmation already).
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from network import pending
from network.errors import NotFound
from network.models import Introduction, IntroductionState
from network.services import introductions
from tools import phrases
from tools.base import Data, Said, ToolArgs, ToolEnv, business_card, say, spec
from tools.lookup import ID_HINT, find_business


class Args(ToolArgs):
    accept: bool = Field(..., description="true to accept, false to decline.")
    business: str | None = Field(None, max_length=200, description="Who asked (name), if several did.")
    introduction_id: str | None = Field(None, max_length=40, description=ID_HINT)


def respond_to_introduction(env: ToolEnv, args: Args) -> Data:
    """Use when they accept or decline an introduction request that another business sent them."""
    me = env.ctx.subscriber_id
    with env.write() as session:
        intro = _waiting(session, me, args)
        other = business_card(session, intro.requester_id)
        if not args.accept:
            introductions.respond(session, me, intro.id, accept=False)
            return {"status": "declined", "business_name": other.get("business_name")}
        action = pending.propose(
            session,
            env.ctx,
            "share_contact",
            phrases.SUMMARY_SHARE_CONTACT.format(other=other.get("business_name", "them")),
            {"introduction_id": intro.id},
        )
        env.effects.pending_action_id = action.id
        return {
            "status": "waiting for the person to confirm with the button",
            "business_name": other.get("business_name"),
        }


def _waiting(session: Session, me: str, args: Args) -> Introduction:
    """The request waiting for ``me`` the id names, else the one from the business named, else the latest.

    An id that names no request waiting for them (a small model's invented "12345") counts as absent.
    """
    query = select(Introduction).where(
        Introduction.target_id == me, Introduction.state == IntroductionState.REQUESTED.value
    )
    if args.introduction_id:
        named = session.scalars(query.where(Introduction.id == args.introduction_id.strip())).first()
        if named is not None:
            return named
    if args.business:
        query = query.where(Introduction.requester_id == find_business(session, me, args.business).id)
    intro = session.scalars(query.order_by(Introduction.created_at.desc())).first()
    if intro is None:
        raise NotFound("there is no introduction request waiting for you")
    return intro


def reply(args: Args, data: Data) -> Said:
    business = data.get("business_name") or "that business"
    if data["status"] == "declined":
        return say("intro_declined", business=business)
    return say("intro_accept_waiting", business=business)


SPEC = spec(
    "respond_to_introduction", Args, respond_to_introduction, reply=reply, what="answer that introduction"
)
