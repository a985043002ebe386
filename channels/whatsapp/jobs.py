"""The slow half of WhatsApp: run the turn, send the reply through the Graph API (at most once per message,
:mod:`channels.delivery`), remember its ``wamid``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assistant.messages import Action, InboundMessage, OutboundReply
from channels import texts
from channels.delivery import send_once
from network import dedup
from network.errors import Layer8Error
from network.services import feedback

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)


def thread_key(sender: str) -> str:
    return f"whatsapp:+{sender}"


def inbound_message(task: dict[str, Any]) -> InboundMessage:
    """A reply id is either an encoded action (buttons) or ``n:<number>`` (a list row = a numbered option)."""
    choice = task.get("choice") or ""
    action = Action.decode(choice) if choice else None
    text = str(task.get("text") or "")
    if action is None and choice.startswith("n:"):
        text = choice[2:]
    return InboundMessage(
        channel="whatsapp",
        thread_key=thread_key(task["from"]),
        subscriber_id=None,
        text="" if action else text,
        action=action,
        external_user=f"+{task['from']}",
        message_id=task["message_id"],
        in_reply_to=task.get("replied_to") or None,
    )


def run_message(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    if dedup.answered(rt.db, "whatsapp", task["message_id"]):
        logger.warning("a WhatsApp turn taken up again was already answered; not sent twice")
        return
    msg = inbound_message(task)
    _reply(rt, task, rt.turns.run(msg))


def give_up_message(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """Every attempt of the turn met a database outage: the person is asked to send the message again."""
    reply = OutboundReply(texts.RECORDS_UNREACHABLE, error_code="storage_unavailable")
    _reply(rt, task, reply, unrecorded=True)


def _reply(
    rt: ChannelRuntime, task: dict[str, Any], reply: OutboundReply, *, unrecorded: bool = False
) -> None:
    received = datetime.fromtimestamp(float(task["received_at"]), UTC)

    def send() -> tuple[str | None, str]:
        try:
            wamid = rt.whatsapp.send(task["from"], reply, last_inbound_at=received, purpose="reply")
        except Layer8Error as exc:
            logger.error("WhatsApp reply not sent: %s", exc.code)
            return None, "failed"
        return wamid, "answered"

    def remember(wamid: str) -> None:
        feedback.remember_reply(rt.db, "whatsapp", thread_key(task["from"]), wamid)

    send_once(
        rt.db,
        "whatsapp",
        task["message_id"],
        send,
        remember=remember,
        settle=rt.settle,
        unrecorded=unrecorded,
    )


def run_reaction(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """👍/👎 on one of our replies is feedback; no answer is sent."""
    score = feedback.score_of(task.get("emoji") or "")
    if score is not None:
        feedback.record(rt.db, "whatsapp", task["reacted_to"], score)
