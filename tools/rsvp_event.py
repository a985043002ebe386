"""``rsvp_event``: say whether they are going to an event, give up a seat, or check in with the door code.

The answer is the person's own, recorded at once (no confirmation: nothing is shared or paid). A yes to a
full event joins the waiting list; giving up a seat moves the longest waiting up.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy.orm import Session

from network.errors import InvalidInput, NotFound
from network.models import Event
from network.services import events
from tools import event_words
from tools.base import Data, Said, ToolArgs, ToolEnv, say, spec


class Args(ToolArgs):
    event: str | None = Field(
        None, max_length=200, description="Words from the event's title; empty for their next invitation."
    )
    answer: Literal["going", "not_going", "check_in"] = Field(
        description="going, not_going (also to give up a seat), or check_in at the event."
    )
    code: str | None = Field(None, max_length=12, description="The check-in code shown at the event.")


def rsvp_event(env: ToolEnv, args: Args) -> Data:
    """Use when they answer an event invitation or want to change their answer, e.g. 'yes I'll come to the
    breakfast', 'I can't make Thursday's event after all', or check in with the code at the door, e.g.
    'checking in, the code is K7P2QX'."""
    me = env.ctx.subscriber_id
    with env.write() as session:
        event = _resolve(session, me, env.ctx.tenant, args.event)
        if args.answer == "check_in":
            if not args.code:
                raise InvalidInput("the check-in code is shown at the event: tell me that code")
            row = events.check_in(session, event.id, me, by="code", code=args.code)
        else:
            row = events.rsvp(session, event.id, me, going=args.answer == "going")
        return {
            "event_id": event.id,
            "title": event.title,
            "state": row.state,
            "said": event_words.answered(event, row.state),
        }


def _resolve(session: Session, me: str, tenant: str, words: str | None) -> Event:
    """The event meant: by id, else by title words among their invitations and open upcoming events."""
    if words and (found := session.get(Event, words)) is not None and found.tenant == tenant:
        return found
    invited = [event for event, _ in events.for_subscriber(session, me) if event.state == "open"]
    candidates = invited + [e for e in events.upcoming(session, tenant=tenant) if e not in invited]
    if words:
        wanted = words.lower().split()
        candidates = [e for e in candidates if all(w in e.title.lower() for w in wanted)] or [
            e for e in candidates if any(w in e.title.lower() for w in wanted)
        ]
    if not candidates:
        raise NotFound("I couldn't find that event among your invitations")
    return candidates[0]


def reply(args: Args, data: Data) -> Said:
    return say("rsvp", said=data["said"])


SPEC = spec("rsvp_event", Args, rsvp_event, reply=reply, what="answer that invitation")
