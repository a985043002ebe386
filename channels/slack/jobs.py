"""The slow half of Slack: background tasks that run a turn and post the reply through the Web API.

Each function takes the channel runtime and a task made by :mod:`channels.slack.events`. They run on a worker
thread (or a ``layer8 worker`` process) with the synchronous ``WebClient``, which honours
``LAYER8_SLACK_API_URL`` so tests and benchmarks talk to a local fake Slack.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from assistant.messages import Action, InboundMessage, OutboundReply
from channels import texts
from channels.delivery import send_once
from channels.slack import blocks
from channels.slack.events import reply_thread, thread_key
from network import dedup
from network.services import feedback, linking
from tools import phrases

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)
CONTEXT_MESSAGES = 20


def run_message(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """A direct message or a mention: the turn, then the reply in the right place (once, even when the
    task is taken up again after its worker died past the reply)."""
    if dedup.answered(rt.db, "slack", task["event_id"]):
        logger.warning("a Slack turn taken up again was already answered; not posted twice")
        return
    key = thread_key(task)
    context = _thread_context(rt.slack, task) if task["kind"] == "mention" and task.get("thread_ts") else ()
    msg = InboundMessage(
        channel="slack",
        thread_key=key,
        subscriber_id=None,
        text=task["text"],
        external_user=f"{task['team']}:{task['user']}",
        message_id=task["event_id"],
        context=context,
        in_reply_to=f"{task['channel']}:{task['thread_ts']}" if task.get("thread_ts") else None,
    )
    _reply(rt, task, key, rt.turns.run(msg))


def give_up_message(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """Every attempt of the turn met a database outage: the person is asked to send the message again."""
    reply = OutboundReply(texts.RECORDS_UNREACHABLE, error_code="storage_unavailable")
    _reply(rt, task, thread_key(task), reply, unrecorded=True)


def _reply(
    rt: ChannelRuntime, task: dict[str, Any], key: str, reply: OutboundReply, *, unrecorded: bool = False
) -> None:
    """The reply in the right place, at most once per event (:mod:`channels.delivery`)."""

    def send() -> tuple[str | None, str]:
        try:
            return _send(rt, task, reply), "answered"
        except SlackApiError as exc:
            logger.error("could not post a Slack reply: %s", exc.response.get("error"))
            return None, "failed"

    def remember(ref: str) -> None:
        feedback.remember_reply(rt.db, "slack", key, ref)

    send_once(
        rt.db, "slack", task["event_id"], send, remember=remember, settle=rt.settle, unrecorded=unrecorded
    )


def run_action(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """A button: feedback is stored; anything else is a turn with the decoded action."""
    action = Action.decode(task["value"])
    if action is None:
        logger.info("a Slack button with an unknown value was ignored")
        return
    task = {**task, "thread_ts": blocks.thread_of(task["block_id"])}
    key = thread_key(task)
    if action.kind == "feedback":
        score = feedback.score_of(action.value or "")
        if score is not None:
            feedback.record(rt.db, "slack", action.target_id, score)
        return
    if not task["is_ephemeral"] and task["ts"]:
        _mark_chosen(rt.slack, task)
    msg = InboundMessage(
        channel="slack",
        thread_key=key,
        subscriber_id=None,
        action=action,
        external_user=f"{task['team']}:{task['user']}",
        in_reply_to=f"{task['channel']}:{task['ts']}" if task["ts"] else None,
    )
    _post(rt, task, key, rt.turns.run(msg))


def run_command(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    """``/layer8 profile|matches|referrals|link CODE``: answered privately through the response URL."""
    external = f"{task['team']}:{task['user']}"
    if task["name"] == "link":
        key = f"slack:{task['team']}:{task['channel']}:{task['user']}"
        msg = InboundMessage("slack", key, None, text=f"link {task['argument']}", external_user=external)
        reply = rt.turns.run(msg)
    else:
        with rt.db.transaction() as session:
            subscriber_id = linking.resolve(session, "slack", external)
        if subscriber_id is None:
            reply = OutboundReply(phrases.NOT_LINKED, private=True)
        else:
            reply = rt.commands.run(task["name"], subscriber_id)
    _respond(rt.slack, task, reply)


def run_reaction(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    score = feedback.score_of(task["reaction"])
    if score is not None:
        feedback.record(rt.db, "slack", f"{task['channel']}:{task['ts']}", score)


def _post(rt: ChannelRuntime, task: dict[str, Any], key: str, reply: OutboundReply) -> None:
    ref = _send(rt, task, reply)
    if ref:
        feedback.remember_reply(rt.db, "slack", key, ref)


def _send(rt: ChannelRuntime, task: dict[str, Any], reply: OutboundReply) -> str | None:
    """Post the reply; its ``channel:ts`` (None for a reply only the person sees)."""
    thread_ts = reply_thread(task)
    text, rendered = blocks.render(reply, thread_ts=thread_ts)
    if reply.private and task["kind"] == "mention":
        rt.slack.chat_postEphemeral(
            channel=task["channel"], user=task["user"], text=text, blocks=rendered, thread_ts=thread_ts
        )
        return None
    response = rt.slack.chat_postMessage(
        channel=task["channel"], text=text, blocks=rendered, thread_ts=thread_ts
    )
    ts = response.get("ts")
    return f"{response.get('channel') or task['channel']}:{ts}" if ts else None


def _respond(client: WebClient, task: dict[str, Any], reply: OutboundReply) -> None:
    text, rendered = blocks.render(reply)
    if task.get("response_url"):
        WebhookClient(task["response_url"], timeout=10).send(
            text=text, blocks=rendered, response_type="ephemeral", replace_original=True
        )
        return
    client.chat_postEphemeral(channel=task["channel"], user=task["user"], text=text, blocks=rendered)


def _mark_chosen(client: WebClient, task: dict[str, Any]) -> None:
    """Take the buttons off the message so nobody presses them twice."""
    note = texts.DONE_BY.format(label=task["label"], user=f"<@{task['user']}>")
    try:
        client.chat_update(channel=task["channel"], ts=task["ts"], text=note, blocks=blocks.done(note))
    except SlackApiError as exc:
        logger.info("could not update the Slack message with the buttons: %s", exc.response.get("error"))


def _thread_context(client: WebClient, task: dict[str, Any]) -> tuple[str, ...]:
    """The thread's earlier messages (oldest first), as ``<@user>: text`` lines."""
    try:
        response = client.conversations_replies(
            channel=task["channel"], ts=task["thread_ts"], limit=CONTEXT_MESSAGES + 1
        )
    except SlackApiError as exc:
        logger.info("no thread context from Slack: %s", exc.response.get("error"))
        return ()
    lines = []
    for message in response.get("messages") or []:
        if message.get("ts") == task["ts"] or not message.get("text"):
            continue
        who = "assistant" if message.get("bot_id") else f"<@{message.get('user', '?')}>"
        lines.append(f"{who}: {str(message['text'])[:1000]}")
    return tuple(lines[-CONTEXT_MESSAGES:])
