"""``find_events``: upcoming events the person is invited to or that fit their business, with their answer.

Only what an invitation shows: title, when (in the event's time zone), where, seats left, whom they would
meet. The soonest event gets Going / Can't go buttons (Slack buttons, WhatsApp reply buttons, web chat).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from network.models import Event, Profile
from network.services import events
from retrieval.event_invites import fits_audience
from tools import event_words, phrases
from tools.base import Data, Said, ToolArgs, ToolEnv, say, spec


class Args(ToolArgs):
    about: str | None = Field(
        None, max_length=120, description="Words the event should be about, e.g. 'breakfast' or 'export'."
    )
    limit: int = Field(3, ge=1, le=10, description="How many events.")


def find_events(env: ToolEnv, args: Args) -> Data:
    """Use when they ask about events, meetups, networking evenings or breakfasts: which are coming up,
    what they were invited to, whether they are going, e.g. 'any events this month?', 'what am I invited
    to?'. Put a topic in `about` if they name one."""
    me = env.ctx.subscriber_id
    with env.read() as session:
        found = _events(session, me, env.ctx.tenant, args.about)[: args.limit]
    if found:
        first = found[0]["event_id"]
        env.effects.buttons = [
            {
                "label": phrases.GOING_LABEL,
                "kind": "rsvp",
                "target_id": first,
                "value": "yes",
                "style": "primary",
            },
            {"label": phrases.NOT_GOING_LABEL, "kind": "rsvp", "target_id": first, "value": "no"},
        ]
    return {"events": found}


def _events(session: Session, me: str, tenant: str, about: str | None) -> list[dict[str, Any]]:
    profile = session.get(Profile, me)
    out = []
    for event in events.upcoming(session, tenant=tenant):
        row = events.invitation(session, event.id, me)
        if row is None and (profile is None or not fits_audience(profile, event.audience or {})):
            continue
        if about and about.lower() not in f"{event.title} {event.description or ''}".lower():
            continue
        out.append(_shown(session, event, row.state if row else None, row.reasons if row else []))
    return out


def _shown(session: Session, event: Event, state: str | None, reasons: list[Any]) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "title": event.title,
        "when": event_words.when(event),
        "where": event_words.where(event),
        "seats_left": max(event.capacity - events.seats_taken(session, event.id), 0),
        "your_answer": state,
        "you_would_meet": event_words.meets(reasons),
    }


def reply(args: Args, data: Data) -> Said:
    rows = data["events"]
    if not rows:
        return say("events_none")
    lines = []
    for r in rows:
        answer = phrases.EVENT_ANSWER.format(state=r["your_answer"]) if r["your_answer"] else ""
        line = phrases.EVENT_LINE.format(title=r["title"], when=r["when"], where=r["where"], answer=answer)
        lines.append(f"- {line}" + (f"\n  {r['you_would_meet']}" if r["you_would_meet"] else ""))
    return say("events", lines="\n".join(lines), first=rows[0]["title"])


SPEC = spec("find_events", Args, find_events, reply=reply, what="look up events")
