"""The bolt ``AsyncApp``: listeners that turn Slack payloads into background tasks within the 3 s budget.

Events are acknowledged by bolt before our listener runs (``process_before_response=False``); the listener
then de-duplicates by ``event_id`` (Slack's retries, ``X-Slack-Retry-Num``, carry the same id) and queues the
turn. Buttons and the slash command ``ack()`` first, then are de-duplicated by their ``trigger_id`` (the same
signed request sent twice runs once). Our own bot's events are dropped by bolt's self-event
filter, other bots' messages by :func:`channels.slack.events.message_task`. A request no listener wants — any
event type, shortcut or view the product does not handle — is answered 200 with no reply, not bolt's 404.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels import texts
from channels.commands import COMMANDS
from channels.slack import events
from channels.slack.blocks import ACTION_PREFIX
from network import dedup
from network.errors import Busy

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)
SLASH_COMMAND = "/layer8"


class Layer8SlackApp(AsyncApp):
    """bolt answers requests no listener matched with 404; Slack would count that as a failure."""

    def _handle_unmatched_requests(self, req: AsyncBoltRequest, resp: BoltResponse) -> BoltResponse:
        logger.debug("Slack request with no listener acknowledged")
        return BoltResponse(status=200, body="")


def build_app(rt: ChannelRuntime, *, verify_requests: bool = False) -> AsyncApp:
    """The bolt app. Over HTTP our edge has already verified the request (see :mod:`channels.slack.http`)."""
    settings = rt.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    app = Layer8SlackApp(
        name="layer8",
        signing_secret=secret,
        client=AsyncWebClient(token=token, base_url=rt.slack_api_url, timeout=5),
        request_verification_enabled=verify_requests,
        process_before_response=False,
        # built-in middleware for features we do not use (custom functions, AI assistant threads)
        attaching_function_token_enabled=False,
        attaching_conversation_kwargs_enabled=False,
        ignoring_self_assistant_message_events_enabled=False,
        logger=logging.getLogger("channels.slack.bolt"),
    )
    _listen(app, rt)
    return app


def _listen(app: AsyncApp, rt: ChannelRuntime) -> None:
    async def on_message(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        task = events.message_task(body, event, context.bot_user_id)
        if task is not None:
            await _accept(rt, context, task)

    async def on_reaction(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message" or event.get("item_user") != context.bot_user_id:
            return
        task = {
            "reaction": str(event.get("reaction") or ""),
            "channel": item.get("channel"),
            "ts": item.get("ts"),
        }
        await _submit(rt, context, "slack.reaction", task, event_id=str(body.get("event_id") or ""))

    async def on_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        task = events.action_task(body, action)
        await _submit(rt, context, "slack.action", task, event_id=events.request_key("action", body, action))

    async def on_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
        name, _, argument = str(command.get("text") or "").strip().partition(" ")
        name = name.lower() or "help"
        if name == "help":
            await ack(text=texts.SLASH_HELP)
        elif name in COMMANDS or name == "link":
            await ack(text=texts.WORKING)
            task = events.command_task(command, name, argument.strip())
            await _submit(rt, context, "slack.command", task, event_id=events.request_key("command", command))
        else:
            await ack(text=texts.UNSUPPORTED_COMMAND)

    app.event("message")(on_message)
    app.event("app_mention")(on_message)
    app.event("reaction_added")(on_reaction)
    app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(on_button)
    app.command(SLASH_COMMAND)(on_command)


async def _accept(rt: ChannelRuntime, context: AsyncBoltContext, task: dict[str, Any]) -> None:
    await _submit(rt, context, "slack.message", task, event_id=task["event_id"], kind=task["kind"])


async def _submit(
    rt: ChannelRuntime,
    context: AsyncBoltContext,
    name: str,
    task: dict[str, Any],
    *,
    event_id: str = "",
    kind: str = "",
) -> None:
    """De-duplicate (when the payload has an event id) and queue; a full queue is said, not swallowed."""
    if event_id and not await rt.receipts.first_time("slack", event_id, kind or name):
        return
    person = f"slack:{task.get('team')}:{task.get('user')}" if task.get("user") else None
    try:
        await rt.submit(name, task, key=person)  # one person's turns run in order
    except Busy:
        logger.warning("turn queue full: a Slack %s was refused", name)
        if event_id:
            await asyncio.to_thread(dedup.mark, rt.db, "slack", event_id, "busy")
        if task.get("channel") and task.get("user"):
            await context.client.chat_postEphemeral(
                channel=task["channel"], user=task["user"], text=texts.BUSY
            )
