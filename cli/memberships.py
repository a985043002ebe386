"""``layer8 subscribers sync|listen|unlisten``: memberships from the operator's BSS (TMF629/TMF632)."""

from __future__ import annotations

import json

import typer
from rich.console import Console

from cli.application import application
from cli.network import subscribers_app
from composition import ossbss as wiring
from composition.channels import channel_runtime

console = Console()


def sync(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Read every TMF629 customer (and its TMF632 party) and create, update, end or bring back memberships
    (members: LAYER8_BSS_MEMBER_RULE). A customer who left is a churn event: open introductions withdrawn,
    the other side told, the profile out of the index."""
    layer8 = application(ctx)
    runtime = channel_runtime(layer8)  # so the other side of a withdrawn introduction is told
    try:
        report = wiring.membership_sync(layer8.settings, layer8.db).run().as_json()
    finally:
        runtime.close()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    console.print(", ".join(f"{n} {name}" for name, n in report.items()))


def listen(
    ctx: typer.Context,
    callback: str = typer.Option(
        ..., help="Our public base for the listener, e.g. https://l8.example/bss/tmf629"
    ),
) -> None:
    """Register our TMF629 listener with the operator's hub (POST /hub); prints the subscription id."""
    reader = wiring.customers(application(ctx).settings)
    try:
        subscription = reader.register_listener(callback)
    finally:
        reader.close()
    typer.echo(subscription["id"])


def unlisten(ctx: typer.Context, subscription_id: str = typer.Argument(..., help="The hub's id.")) -> None:
    """Remove our TMF629 listener from the operator's hub (DELETE /hub/{id})."""
    reader = wiring.customers(application(ctx).settings)
    try:
        reader.unregister_listener(subscription_id)
    finally:
        reader.close()
    typer.echo(f"removed {subscription_id}")


def register(app: typer.Typer) -> None:
    subscribers_app.command("sync")(sync)
    subscribers_app.command("listen")(listen)
    subscribers_app.command("unlisten")(unlisten)
