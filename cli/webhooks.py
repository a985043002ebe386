"""``layer8 webhooks list|deliveries|replay|relay``: outbound webhooks from the terminal."""

from __future__ import annotations

import typer

from channels.polling import run_passes
from channels.webhooks.relay import WebhookReport
from cli.application import application
from cli.listing import JSON_OPTION, console, print_rows
from composition import webhooks as wiring
from network.actor import Actor
from network.ids import utcnow
from network.webhooks import deliveries, endpoints

webhooks_app = typer.Typer(
    help="Outbound webhooks: endpoints, the delivery log, replay and the relay.", no_args_is_help=True
)


@webhooks_app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Registered endpoints with their event types, scopes and state (secrets are never printed).

    Scopes: `contacts` means introduction.accepted deliveries carry both parties' contact details."""
    layer8 = application(ctx)
    with layer8.db.read() as session:
        rows = [
            {
                "id": e.id,
                "url": e.url,
                "state": e.state,
                "event_types": ",".join(e.event_types),
                "scopes": ",".join(e.scopes or []),  # empty: ids and states only
                "consecutive_failures": e.consecutive_failures,
                "disabled_reason": e.disabled_reason,
            }
            for e in endpoints.listed(session, layer8.settings.tenant)
        ]
    print_rows(
        rows,
        ["id", "url", "state", "event_types", "scopes", "consecutive_failures", "disabled_reason"],
        as_json,
    )


@webhooks_app.command("deliveries")
def deliveries_command(
    ctx: typer.Context,
    endpoint: str | None = typer.Option(None, help="Only this endpoint's deliveries."),
    state: str | None = typer.Option(None, help="Only pending, sent or dead deliveries."),
    limit: int = typer.Option(50, min=1, max=100),
    as_json: bool = JSON_OPTION,
) -> None:
    """The delivery log, newest first."""
    layer8 = application(ctx)
    with layer8.db.read() as session:
        found = deliveries.page(
            session, layer8.settings.tenant, endpoint_id=endpoint, state=state, limit=limit
        )
        rows = [deliveries.to_json(m) for m in found.rows]
    columns = ["id", "endpoint_id", "event_type", "resource_id", "state", "attempts", "last_error"]
    print_rows(rows, columns, as_json)


@webhooks_app.command("replay")
def replay_command(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(None, help="Delivery ids."),
    all_dead: bool = typer.Option(False, "--all-dead", help="Every dead delivery (of --endpoint, if given)."),
    endpoint: str | None = typer.Option(None, help="With --all-dead: only this endpoint's."),
) -> None:
    """Deliver sent or dead messages again, with their original webhook-id."""
    layer8 = application(ctx)
    tenant = layer8.settings.tenant
    with layer8.db.transaction(Actor.admin("cli")) as session:
        chosen = list(ids or [])
        if all_dead:
            dead = deliveries.page(session, tenant, endpoint_id=endpoint, state="dead", limit=10_000)
            chosen += [m.id for m in dead.rows]
        for delivery_id in chosen:
            deliveries.replay(session, tenant, delivery_id, utcnow())
    console.print(f"replaying {len(chosen)}")


@webhooks_app.command("relay")
def relay_command(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Deliver what is due now, then exit."),
    interval: float = typer.Option(1.0, min=0.1, help="Seconds between polls when idle."),
) -> None:
    """Post due deliveries, signed (Standard Webhooks), in order per resource, with back-off.

    `layer8 serve` runs this relay itself; use this command for a server started with --no-webhook-relay."""
    relay = wiring.relay(application(ctx).db)
    run_passes(relay.run_once, interval=interval, name="webhook relay", once=once, said=_said)


def _said(report: WebhookReport) -> None:
    console.print(f"sent {len(report.sent)}, retrying {len(report.retried)}, dead {len(report.dead)}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
    app.add_typer(webhooks_app, name="webhooks")
