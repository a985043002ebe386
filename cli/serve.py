"""``layer8 serve`` and ``layer8 token create|list|revoke``."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from cli.application import application
from network import tokens
from network.actor import Actor

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
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (each builds its own container)."),
) -> None:
    """Serve the HTTP API (uvicorn with uvloop and httptools)."""
    uvicorn.run(
        "composition.channels:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        server_header=False,
    )


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
