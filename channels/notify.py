"""Telling a subscriber something unprompted, on the channel they used last: an introduction request (with
Accept / Decline buttons), a digest, any job's message — and a support agent's reply, in the very thread the
conversation was handed off from.

Slack: a DM opened with ``conversations.open`` (a reply's file shared into it after the message, its link
instead when Slack refuses the file). WhatsApp: the reply itself inside the 24-hour window, else
only the template configured for the purpose (:mod:`channels.whatsapp.sender`). Web chat has no push, so a
subscriber known only there is not reached (:class:`Unreachable`). Introduction requests are sent after the
requesting transaction commits, as a background task.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from assistant import replies
from assistant.messages import OutboundReply
from channels import texts
from channels.slack import blocks, files
from network import conversations
from network.directory import business_names
from network.errors import Layer8Error, NotFound
from network.events import EventBus, after_commit
from network.models import (
    IntroductionState,
)
from network.services import feedback, introductions, linking

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)
PUSH_CHANNELS = ("slack", "whatsapp")
Address = tuple[str, str, datetime | None]  # channel, external id, when they last wrote


class Unreachable(NotFound):
    code = "unreachable"


def send(rt: ChannelRuntime, subscriber_id: str, reply: OutboundReply, *, purpose: str = "default") -> str:
    """Send ``reply`` to the subscriber; returns the channel used."""
    return deliver(rt, subscriber_id, reply, purpose=purpose)[0]


def deliver(
    rt: ChannelRuntime,
    subscriber_id: str,
    reply: OutboundReply,
    *,
    purpose: str = "default",
    address: Address | None = None,
) -> tuple[str, str | None]:
    """Send ``reply`` to the subscriber (at ``address`` when the caller has just looked it up); returns the
    channel and the channel's id of the message (WhatsApp ``wamid``, Slack ``channel:ts``; None when the
    channel gave none)."""
    channel, external_id, last_inbound_at = address or _address(rt, subscriber_id)
    if channel == "slack":
        return channel, _send_slack(rt, external_id, reply)
    number = external_id.lstrip("+")
    wamid = rt.whatsapp.send(number, reply, last_inbound_at=last_inbound_at, purpose=purpose)
    rt.options.remember(f"whatsapp:+{number}", [b.action for b in reply.buttons])
    if wamid:
        feedback.remember_reply(rt.db, "whatsapp", f"whatsapp:+{number}", wamid)
    return channel, wamid


def subscribe(events: EventBus, rt: ChannelRuntime) -> None:
    """Queue the target's notification once an introduction request has committed."""

    def on_requested(session: Session, payload: dict[str, Any]) -> None:
        task = {"introduction_id": str(payload["introduction_id"])}
        after_commit(session, lambda: rt.queue.submit("notify.introduction", task))

    def on_agent_reply(session: Session, payload: dict[str, Any]) -> None:
        task = {"message_id": str(payload["message_id"])}
        after_commit(session, lambda: rt.queue.submit("notify.agent_reply", task))

    def on_churned(session: Session, payload: dict[str, Any]) -> None:
        left = str(payload["subscriber_id"])
        tasks = [{"subscriber_id": str(o), "left_id": left} for o in payload.get("counterparts") or []]

        def queue_all() -> None:
            for task in tasks:
                rt.queue.submit("notify.partner_left", task)

        after_commit(session, queue_all)

    events.subscribe("introduction.requested", on_requested)
    events.subscribe("subscriber.churned", on_churned)
    events.subscribe("conversation.agent_replied", on_agent_reply)


def run_introduction(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """Ask the target of a requested introduction, with Accept / Decline buttons."""
    with rt.db.read() as session:
        intro = introductions.find(session, task["introduction_id"])
        if intro is None or intro.state != IntroductionState.REQUESTED:
            return
        target_id, intro_id = intro.target_id, intro.id
        why = "; ".join(str(r) for r in (intro.reasons or [])[:2])
        name = business_names(session, [intro.requester_id]).get(intro.requester_id, "?")
    text = texts.INTRO_REQUEST.format(requester=name) + (f"\n{why}" if why else "")
    reply = OutboundReply(text, buttons=replies.intro_buttons(intro_id), private=True)
    try:
        send(rt, target_id, reply, purpose="introduction")
    except Layer8Error as exc:
        logger.warning("introduction request not delivered: %s", exc.code)


def run_partner_left(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """Tell the other side of an open introduction or referral that the business left the network."""
    with rt.db.read() as session:
        name = business_names(session, [task["left_id"]]).get(task["left_id"], "A business")
    reply = OutboundReply(texts.PARTNER_LEFT.format(business=name), private=True)
    try:
        send(rt, task["subscriber_id"], reply, purpose="partner_left")
    except Layer8Error as exc:
        logger.warning("departure notice not delivered: %s", exc.code)


def run_agent_reply(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """Deliver a support agent's console reply where the conversation is: its Slack DM or thread, or its
    WhatsApp chat (a template outside the 24-hour window). Web chat has no push: the page fetches it."""
    with rt.db.read() as session:
        found = conversations.message_in(session, task["message_id"])
        if found is None or found[0].role != "agent":
            return
        message, conversation = found
        channel, key = conversation.channel, conversation.thread_key.split("#", 1)[0]
        reply = OutboundReply(texts.AGENT_REPLY.format(text=message.content))
        identity = linking.identity_on(session, conversation.subscriber_id, channel)
        last_inbound_at = identity.last_inbound_at if identity is not None else None
    try:
        if channel == "slack":
            _, _team, slack_channel, *rest = key.split(":")
            text, rendered = blocks.render(reply)
            rt.slack.chat_postMessage(
                channel=slack_channel, text=text, blocks=rendered, thread_ts=rest[0] if rest else None
            )
        elif channel == "whatsapp":
            number = key.partition(":")[2].lstrip("+")
            rt.whatsapp.send(number, reply, last_inbound_at=last_inbound_at, purpose="agent_reply")
    except (Layer8Error, SlackApiError, ValueError) as exc:
        logger.warning("agent reply %s not delivered on %s: %s", message.id, channel, type(exc).__name__)


def _address(rt: ChannelRuntime, subscriber_id: str) -> Address:
    with rt.db.read() as session:
        identity = linking.latest_identity(session, subscriber_id, PUSH_CHANNELS)
        if identity is None:
            raise Unreachable("the subscriber has no Slack or WhatsApp chat linked")
        return identity.channel, identity.external_id, identity.last_inbound_at


def _send_slack(rt: ChannelRuntime, external_id: str, reply: OutboundReply) -> str | None:
    team, _, user = external_id.partition(":")
    opened = rt.slack.conversations_open(users=user)
    channel = str((opened.get("channel") or {}).get("id") or "")
    uploaded = files.upload(rt.slack, reply.attachment) if reply.attachment else None
    text, rendered = blocks.render(reply if uploaded else reply.without_attachment())
    posted = rt.slack.chat_postMessage(channel=channel, text=text, blocks=rendered)
    if uploaded and reply.attachment and not files.share(rt.slack, uploaded, channel):
        rt.slack.chat_postMessage(channel=channel, text=reply.attachment.fallback)
    if not posted.get("ts"):
        return None
    feedback.remember_reply(rt.db, "slack", f"slack:{team}:{channel}", f"{channel}:{posted['ts']}")
    return f"{channel}:{posted['ts']}"
