"""``layer8 serve`` (``--demo-sign-in`` prints ready sign-in links once it is up) and ``layer8 token …``."""

from __future__ import annotations

import dataclasses
import json
import socket
import sys
from enum import StrEnum
from typing import Any

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from cli.application import application
from cli.sign_in import demo_sign_ins
from network import tokens
from network.actor import Actor

APP = "composition.channels:app_from_settings"
APP_WITHOUT_RELAY = "composition.channels:app_without_webhook_relay"
token_app = typer.Typer(help="API bearer tokens (stored hashed, shown once).", no_args_is_help=True)


class TokenRole(StrEnum):
    subscriber = "subscriber"
    agent = "agent"
    admin = "admin"


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
    app.command()(serve)
    app.add_typer(token_app, name="token")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (each builds its own container)."),
    demo_sign_in: bool = typer.Option(
        False,
        "--demo-sign-in",
        help="Once the server is up, print one-time sign-in links for a demo subscriber and agent.",
    ),
    demo_minutes: int = typer.Option(60, min=1, max=1440, help="How long those links stay valid."),
    webhook_relay: bool = typer.Option(
        True,
        "--webhook-relay/--no-webhook-relay",
        help="Deliver outbound webhooks from this server (off: run `layer8 webhooks relay` yourself).",
    ),
) -> None:
    """Serve the HTTP API, web chat and console (uvicorn with uvloop and httptools), and deliver outbound
    webhooks."""
    app = APP if webhook_relay else APP_WITHOUT_RELAY
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "loop": "uvloop",
        "http": "httptools",
        "server_header": False,
    }
    announce: list[str] = []
    if demo_sign_in:
        layer8 = application(ctx)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        announce = demo_sign_ins(layer8, demo_minutes).lines(f"http://{shown}:{port}")
    if workers > 1:  # a supervisor starts the workers: print first
        _print(announce)
        uvicorn.run(app, **options)
        return
    AnnouncingServer(uvicorn.Config(app, **options), announce).run()


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server that prints some lines once it listens, so they are the last thing on screen."""

    def __init__(self, config: uvicorn.Config, lines: list[str]) -> None:
        super().__init__(config)
        self.lines = lines

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            _print(self.lines)


def _print(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)
    sys.stdout.flush()


@token_app.command("create")
def create_token(
    ctx: typer.Context,
    role: TokenRole = typer.Option(..., help="subscriber, agent or admin."),
    subscriber: str | None = typer.Option(None, help="The subscriber a subscriber token belongs to."),
    agent: str | None = typer.Option(None, help="The support agent's name, for an agent token."),
    label: str | None = typer.Option(None, help="A note to recognise the token by."),
) -> None:
    """Create a token and print it once; only its hash is stored."""
    container = application(ctx)
    try:
        with container.db.transaction(Actor.admin("cli")) as session:
            issued = tokens.issue(session, role.value, subscriber_id=subscriber, agent_id=agent, label=label)
    finally:
        container.close()
    err = Console(stderr=True)
    err.print(f"token id {issued.token_id} ({issued.role.value}); store it now, it is not shown again:")
    typer.echo(issued.token)


@token_app.command("list")
def list_tokens(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON lines.")
) -> None:
    """List tokens by id (never the tokens themselves)."""
    container = application(ctx)
    try:
        with container.db.read() as session:
            rows = tokens.list_tokens(session)
    finally:
        container.close()
    if as_json:
        for row in rows:
            typer.echo(json.dumps(dataclasses.asdict(row), default=str))
        return
    table = Table("id", "role", "subscriber", "agent", "label", "created", "revoked")
    for row in rows:
        revoked = row.revoked_at.isoformat(timespec="seconds") if row.revoked_at else ""
        table.add_row(
            row.token_id,
            row.role,
            row.subscriber_id or "",
            row.agent_id or "",
            row.label or "",
            row.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    Console().print(table)


@token_app.command("revoke")
def revoke_token(
    ctx: typer.Context,
    token: str = typer.Argument(..., help="The token, or its id from `layer8 token list`."),
) -> None:
    """Revoke a token at once."""
    container = application(ctx)
    try:
        with container.db.transaction(Actor.admin("cli")) as session:
            token_id = tokens.revoke(session, token)
    finally:
        container.close()
    typer.echo(f"revoked {token_id}")
