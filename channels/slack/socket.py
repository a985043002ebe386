"""Socket Mode: the same bolt app over a websocket Slack opens to us (``layer8 slack --socket``).

No public URL and no request signatures: Slack authenticates the connection with the app-level token
(``LAYER8_SLACK_APP_TOKEN``, ``xapp-…``). Turns run on this process's in-process queue, or on the Redis queue
when ``LAYER8_QUEUE_URL`` is set.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from channels.runtime import ChannelRuntime
from channels.slack.app import build_app
from network.errors import InvalidInput

logger = logging.getLogger(__name__)


async def run_socket_mode(runtime: ChannelRuntime, *, stop: asyncio.Event | None = None) -> None:
    """Connect and serve until ``stop`` is set (or forever)."""
    settings = runtime.settings
    if settings.slack_app_token is None or settings.slack_bot_token is None:
        raise InvalidInput("Socket Mode needs LAYER8_SLACK_APP_TOKEN and LAYER8_SLACK_BOT_TOKEN")
    handler = AsyncSocketModeHandler(build_app(runtime), settings.slack_app_token.get_secret_value())
    await handler.connect_async()  # type: ignore[no-untyped-call]
    logger.info("connected to Slack over Socket Mode")
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        runtime.close()
