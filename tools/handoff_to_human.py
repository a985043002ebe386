"""``handoff_to_human``: pass the conversation to a support agent; the assistant stops answering in it."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select

import prompts
from network.models import Conversation, Message
from network.services import handoffs
from tools.base import Data, Said, ToolArgs, ToolEnv, say, spec

RECENT = 6


class Args(ToolArgs):
    # optional: the system prompt's own example is `handoff_to_human {}`, and someone asking for a person
    # must reach one, not be asked why first
    reason: str = Field("they asked for a person", max_length=500, description="Why, and what they need.")


def handoff_to_human(env: ToolEnv, args: Args) -> Data:
    """Use when they ask for a person, a human or support, complain, or have a problem with their bill
    or account."""
    env.effects.handed_off = True
    if env.ctx.conversation_id is None:
        return {"status": "handed off"}
    with env.write() as session:
        conversation = session.get(Conversation, env.ctx.conversation_id)
        if conversation is None or conversation.subscriber_id != env.ctx.subscriber_id:
            return {"status": "handed off"}
        recent = session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.role.in_(("user", "assistant")))
            .order_by(Message.seq.desc())
            .limit(RECENT)
        ).all()
        transcript = "\n".join(f"{m.role}: {m.content}" for m in reversed(recent))
        note = prompts.render("handoff_note", reason=args.reason, transcript=transcript)
        handoffs.hand_off(session, conversation, note)
    return {"status": "handed off", "note": "a support agent will reply in this conversation"}


def reply(args: Args, data: Data) -> Said:
    return say("handed_off")


SPEC = spec("handoff_to_human", Args, handoff_to_human, reply=reply, what="reach our support team")
