"""``request_introduction``: ask another business for an introduction — after the person confirms.

The request itself shares nothing, but its acceptance will exchange contact details, so the tool only
proposes it (a pending action); the person's own confirmation sends it.
"""

from __future__ import annotations

from pydantic import Field

from network import pending
from network.errors import ConsentRequired
from network.models import ConsentKind
from network.services import consent
from tools import phrases
from tools.base import Data, Said, ToolArgs, ToolEnv, say, spec
from tools.lookup import find_business


class Args(ToolArgs):
    business: str = Field(..., min_length=1, max_length=200, description="Business name (or its id).")
    message: str | None = Field(None, max_length=500, description="A short note for them, if any.")


def request_introduction(env: ToolEnv, args: Args) -> Data:
    """Use when they ask to be introduced or connected to a business they name, e.g. 'introduce me to
    Pennine Mills'. They confirm before it is sent."""
    with env.write() as session:
        target = find_business(session, env.ctx.subscriber_id, args.business)
        if not consent.is_granted(session, target.id, ConsentKind.CONTACTABLE):
            raise ConsentRequired(f"{target.business_name} is not accepting introduction requests")
        action = pending.propose(
            session,
            env.ctx,
            "request_introduction",
            phrases.SUMMARY_INTRO_REQUEST.format(target=target.business_name),
            {"target_id": target.id, "message": args.message},
        )
        env.effects.pending_action_id = action.id
        return {
            "status": "waiting for the person to confirm with the button",
            "business_name": target.business_name,
        }


def reply(args: Args, data: Data) -> Said:
    return say("intro_request_waiting", business=data["business_name"])


SPEC = spec("request_introduction", Args, request_introduction, reply=reply, what="ask for that introduction")
