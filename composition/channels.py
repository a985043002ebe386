"""Building the channels: their runtime (queue, jobs, clients) and the web application around them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from assistant.warmup import Warmup
from channels import digest_schedule, event_notify, meeting_notify, notify
from channels.api import bss_listener
from channels.api.app import MAX_BODY_BYTES, Installer, create_app
from channels.api.lifespan import on_lifespan
from channels.polling import BackgroundPasses
from channels.ports import Parts
from channels.runtime import ChannelRuntime, Job
from channels.slack import jobs as slack_jobs
from channels.whatsapp import jobs as whatsapp_jobs
from channels.whatsapp.sender import WhatsAppSender
from composition import ossbss as ossbss_parts
from composition import webhooks
from composition.container import Layer8, build

RELAY_INTERVAL_S = 1.0  # how often the in-server webhook relay looks for due deliveries when idle

# every background task a channel queues, by name
JOBS: dict[str, Job] = {
    "slack.message": slack_jobs.run_message,
    "slack.action": slack_jobs.run_action,
    "slack.command": slack_jobs.run_command,
    "slack.reaction": slack_jobs.run_reaction,
    "whatsapp.message": whatsapp_jobs.run_message,
    "whatsapp.reaction": whatsapp_jobs.run_reaction,
    "notify.introduction": notify.run_introduction,
    "notify.agent_reply": notify.run_agent_reply,
    "notify.event_invitation": event_notify.run_invitation,
    "notify.event_promoted": event_notify.run_promoted,
    "notify.event_one_to_ones": event_notify.run_one_to_ones,
    "notify.partner_left": notify.run_partner_left,
    digest_schedule.TASK: digest_schedule.run_page,
    meeting_notify.TASK: meeting_notify.run,
}
# when every attempt of a turn met a database outage, these tell the person to send the message again
GAVE_UP: dict[str, Job] = {
    "slack.message": slack_jobs.give_up_message,
    "whatsapp.message": whatsapp_jobs.give_up_message,
}


def channel_runtime(parts: Parts) -> ChannelRuntime:
    """The channels' runtime; introduction requests and agent replies notify the subscriber through it."""
    runtime = ChannelRuntime(parts, JOBS, WhatsAppSender.from_settings, gave_up=GAVE_UP)
    notify.subscribe(parts.db.events, runtime)
    event_notify.subscribe(parts.db.events, runtime)
    meeting_notify.subscribe(parts.db.events, runtime)
    return runtime


def sending_runtime(parts: Parts) -> ChannelRuntime:
    """A runtime that only sends (CLI commands deliver their own messages, no background notifications)."""
    return ChannelRuntime(parts, JOBS, WhatsAppSender.from_settings, gave_up=GAVE_UP)


def web_app(
    layer8: Layer8, *, extra: Sequence[Installer] = (), max_body_bytes: int = MAX_BODY_BYTES
) -> FastAPI:
    """The HTTP application around ``layer8`` (built and closed by the caller), with a channel runtime of
    its own and the chat model's warm-up, which starts with the server (``/healthz`` reports it)."""
    listener = bss_listener.installer(lambda: ossbss_parts.membership_sync(layer8.settings, layer8.db))
    runtime = channel_runtime(layer8)
    app = create_app(layer8, runtime, extra=(listener, *extra), max_body_bytes=max_body_bytes)
    app.state.warmup = Warmup(layer8)
    return app


def app_from_settings() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``layer8 serve``: builds its own application and closes it; the
    outbound-webhook relay runs inside the server (every worker may run one: deliveries are claimed)."""
    app = _app_from_settings()
    # first, before the model's warm-up thread starts: built after it, with the embedded model loading, the
    # relay held the server's start for good (no "startup complete", no sign-in links)
    app.state.lifespan_hooks.insert(0, _webhook_relay)
    return app


def app_without_webhook_relay() -> FastAPI:
    """``layer8 serve --no-webhook-relay``: deliveries wait for a separate ``layer8 webhooks relay``."""
    return _app_from_settings()


def _app_from_settings() -> FastAPI:
    layer8 = build()
    app = web_app(layer8)

    @asynccontextmanager
    async def close_application(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            layer8.close()

    on_lifespan(app, close_application)
    return app


@asynccontextmanager
async def _webhook_relay(app: FastAPI) -> AsyncIterator[None]:
    relay = webhooks.relay(app.state.container.db)
    passes = BackgroundPasses(relay.run_once, interval=RELAY_INTERVAL_S, name="webhook relay")
    passes.start()
    try:
        yield
    finally:
        await asyncio.to_thread(passes.stop)
        relay.close()
