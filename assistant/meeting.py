"""Times for a one-to-one, by buttons — no model involved: three suggested slots and "Suggest another" for
whoever picks, "Accept" and "Suggest another" for the side a time was proposed to.

Button values (kind ``meet``, target the one-to-one): ``s:YYYYmmddHHMM`` proposes that UTC slot, ``more:N``
shows the slots after the first N, ``ok`` accepts the time the other side proposed. Slots are in the event's
time zone (both sides were there). The other side hears of a proposal, and the proposer of an acceptance,
through the events ``event.one_to_one_time`` / ``event.one_to_one_agreed`` (:mod:`channels.meeting_notify`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from assistant import replies
from assistant.messages import Action, Button, OutboundReply
from network.db import Database
from network.directory import business_names
from network.errors import InvalidInput
from network.ids import utcnow
from network.models import Event, EventOneToOne, Introduction
from network.services import one_to_ones
from tools import phrases
from tools.context import ToolContext

SLOT_FORMAT = "%Y%m%d%H%M"


def press(db: Database, ctx: ToolContext, action: Action) -> OutboundReply:
    value = action.value or ""
    with db.transaction(ctx.actor) as session:
        row, intro = one_to_ones.mine(session, action.target_id, ctx.subscriber_id)
        if value.startswith("more:"):
            return slot_reply(session, row, intro, ctx.subscriber_id, skip=_number(value[5:]))
        if value == "ok":
            one_to_ones.agree_time(session, row.id, ctx.subscriber_id)
            text = phrases.MEET_AGREED.format(
                other=_other(session, intro, ctx.subscriber_id), when=_shown(session, row)
            )
            return replies.text(text)
        if value.startswith("s:"):
            when = _slot(value[2:])
            one_to_ones.propose_time(session, row.id, ctx.subscriber_id, when.isoformat())
            text = phrases.MEET_PROPOSED.format(
                when=label(when, _zone(session, row)), other=_other(session, intro, ctx.subscriber_id)
            )
            return replies.text(text)
    raise InvalidInput("that button is not one of the one-to-one's")


def slot_reply(
    session: Session, row: EventOneToOne, intro: Introduction, me: str, *, skip: int = 0, text: str = ""
) -> OutboundReply:
    """Three slots to pick from, then "Suggest another" (the next three)."""
    zone = _zone(session, row)
    other = _other(session, intro, me)
    lead = phrases.MEET_OTHER_SLOTS if skip else phrases.MEET_PICK
    reply = OutboundReply((text + "\n\n" if text else "") + lead.format(other=other, zone=zone))
    reply.buttons = [
        Button(label(s, zone), Action("meet", row.id, f"s:{s:{SLOT_FORMAT}}"))
        for s in one_to_ones.slots(zone, utcnow(), skip=skip)
    ]
    reply.buttons.append(Button(phrases.MEET_ANOTHER_LABEL, Action("meet", row.id, f"more:{skip + 3}")))
    return reply


def proposal_reply(session: Session, row: EventOneToOne, intro: Introduction, to: str) -> OutboundReply:
    """To the side a time was proposed to: the time, with Accept and Suggest another."""
    text = phrases.MEET_PROPOSAL.format(other=_other(session, intro, to), when=_shown(session, row))
    return OutboundReply(
        text,
        buttons=[
            Button(phrases.MEET_ACCEPT_LABEL, Action("meet", row.id, "ok"), "primary"),
            Button(phrases.MEET_ANOTHER_LABEL, Action("meet", row.id, "more:0")),
        ],
    )


def agreed_reply(session: Session, row: EventOneToOne, intro: Introduction, to: str) -> OutboundReply:
    text = phrases.MEET_AGREED.format(other=_other(session, intro, to), when=_shown(session, row))
    return OutboundReply(text)


def label(when: datetime, zone: str) -> str:
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b, %H:%M}"


def _shown(session: Session, row: EventOneToOne) -> str:
    """The proposed time as words: a slot in the event's zone, or the note as written."""
    try:
        return label(datetime.fromisoformat(str(row.proposed_time)), _zone(session, row))
    except ValueError:
        return str(row.proposed_time)


def _zone(session: Session, row: EventOneToOne) -> str:
    event = session.get(Event, row.event_id)
    return event.time_zone if event is not None else "UTC"


def _other(session: Session, intro: Introduction, me: str) -> str:
    other = intro.target_id if intro.requester_id == me else intro.requester_id
    return business_names(session, [other]).get(other, "the other business")


def _slot(raw: str) -> datetime:
    try:
        return datetime.strptime(raw, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput("that time is not one of the offered slots") from None


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() and int(raw) < 300 else 0
