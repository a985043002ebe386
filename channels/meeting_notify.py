"""One-to-one times on the other side's channel: when the target accepts a one-to-one, the requester is
offered three slots; a proposed time goes to the other side with Accept / Suggest another; an accepted time
goes back to whoever proposed it. Queued after the transaction commits, sent with :func:`channels.notify.send`
(Slack DM; WhatsApp buttons or a list inside the window, else the ``event_update`` template)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from assistant import meeting
from assistant.messages import OutboundReply
from channels import notify
from network.errors import Layer8Error
from network.events import EventBus, after_commit
from network.models import EventOneToOne, Introduction
from network.services import one_to_ones

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)
TASK = "notify.one_to_one_time"


def subscribe(bus: EventBus, rt: ChannelRuntime) -> None:
    def queue(session: Session, task: dict[str, Any]) -> None:
        after_commit(session, lambda: rt.queue.submit(TASK, task))

    def on_answered(session: Session, payload: dict[str, Any]) -> None:
        row = one_to_ones.of_introduction(session, str(payload["introduction_id"]))
        if payload.get("accepted") and row is not None:
            queue(session, {"one_to_one_id": row.id, "what": "pick"})

    def on_time(session: Session, payload: dict[str, Any]) -> None:
        queue(session, {"one_to_one_id": str(payload["one_to_one_id"]), "what": "proposed"})

    def on_agreed(session: Session, payload: dict[str, Any]) -> None:
        queue(session, {"one_to_one_id": str(payload["one_to_one_id"]), "what": "agreed"})

    bus.subscribe("introduction.answered", on_answered)
    bus.subscribe("event.one_to_one_time", on_time)
    bus.subscribe("event.one_to_one_agreed", on_agreed)


def message(session: Session, one_to_one_id: str, what: str) -> tuple[str, OutboundReply] | None:
    """Whom to tell and what: the requester picks a time; the side a time was proposed to; the proposer."""
    row = session.get(EventOneToOne, one_to_one_id)
    intro = session.get(Introduction, row.introduction_id) if row is not None else None
    if row is None or intro is None or intro.state != "accepted":
        return None
    if what == "pick":
        return intro.requester_id, meeting.slot_reply(session, row, intro, intro.requester_id)
    if row.proposed_by is None:
        return None
    other = intro.target_id if row.proposed_by == intro.requester_id else intro.requester_id
    if what == "proposed":
        return other, meeting.proposal_reply(session, row, intro, other)
    return row.proposed_by, meeting.agreed_reply(session, row, intro, row.proposed_by)


def run(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    with rt.db.read() as session:
        found = message(session, task["one_to_one_id"], task["what"])
    if found is None:
        return
    try:
        notify.send(rt, found[0], found[1], purpose="event_update")
    except Layer8Error as exc:
        logger.warning("one-to-one time not delivered: %s", exc.code)
    except SlackApiError as exc:
        logger.warning("one-to-one time not delivered on Slack: %s", exc.response.get("error"))
