"""``layer8 link-code``, ``layer8 slack --socket`` and ``layer8 worker``."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from datetime import timedelta

import typer
from rich.console import Console

from channels.digest_schedule import DigestSchedule
from channels.slack.socket import run_socket_mode
from cli.application import application
from composition.channels import channel_runtime
from network.actor import Actor
from network.services import linking

logger = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add the channel commands to the root ``layer8`` app."""
    app.command("link-code")(link_code)
    app.command("slack")(slack)
    app.command("worker")(worker)


def link_code(
    ctx: typer.Context,
    subscriber_id: str = typer.Argument(..., help="The subscriber the new chat will belong to."),
    hours: float = typer.Option(24.0, min=0.02, max=168.0, help="How long the code stays valid."),
    issued_by: str = typer.Option("operator", help="Who hands out the code (kept with it, audited)."),
) -> None:
    """Issue a one-time code that links a Slack user or WhatsApp number to SUBSCRIBER_ID.

    Give the code to the business through a channel you trust; they send it from the new chat
    (WhatsApp: the code itself; Slack: a DM with the code, or `/layer8 link CODE`).
    """
    container = application(ctx)
    try:
        with container.db.transaction(Actor.admin(f"cli:{issued_by}")) as session:
            issued = linking.issue_code(
                session, subscriber_id, issued_by=issued_by, ttl=timedelta(hours=hours)
            )
    finally:
        container.close()
    Console(stderr=True).print(f"one-time link code for {issued.subscriber_id}, valid {hours:g} h:")
    typer.echo(issued.code)


def slack(
    ctx: typer.Context,
    socket: bool = typer.Option(
        False, "--socket", help="Connect over Socket Mode (needs LAYER8_SLACK_APP_TOKEN)."
    ),
) -> None:
    """Run the Slack app over Socket Mode (no public URL needed). HTTP mode is served by `layer8 serve`."""
    if not socket:
        typer.echo("HTTP mode is part of `layer8 serve` (POST /slack/events); use --socket for Socket Mode.")
        raise typer.Exit(2)
    container = application(ctx)
    try:
        asyncio.run(run_socket_mode(channel_runtime(container)))
    finally:
        container.close()


def worker(
    ctx: typer.Context,
    max_tasks: int | None = typer.Option(
        None, min=1, help="Stop after this many tasks (default: run until stopped)."
    ),
) -> None:
    """Run background turns from the Redis queue at LAYER8_QUEUE_URL (API nodes only queue them), and the
    digest every LAYER8_DIGEST_INTERVAL_S seconds (one worker of the cluster queues each pass; 0: off)."""
    container = application(ctx)
    runtime = channel_runtime(container)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    schedule = DigestSchedule(runtime).background()
    try:
        task_worker = runtime.worker()
        if schedule is not None:
            schedule.start()
        Console(stderr=True).print(f"worker {task_worker.worker_id} waiting for tasks")
        done = task_worker.run(stop, max_tasks=max_tasks)
        Console(stderr=True).print(f"worker stopped after {done} tasks")
    finally:
        if schedule is not None:
            schedule.stop()
        runtime.close()
        container.close()
