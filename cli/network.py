"""``layer8 init``, ``layer8 audit verify``, ``layer8 subscribers …`` and ``layer8 referrals list``."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from cli.application import application
from cli.listing import print_table
from network import audit, directory
from network.actor import Actor
from network.migrate import upgrade
from network.rows import row_json
from network.services import referrals as referral_service

console = Console()
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
referrals_app = typer.Typer(help="Referrals (BNI slips).", no_args_is_help=True)
subscribers_app = typer.Typer(help="The subscriber directory.", no_args_is_help=True)


def init(ctx: typer.Context) -> None:
    """Create or migrate the database to the newest schema."""
    layer8 = application(ctx)
    revision = upgrade(layer8.db)
    console.print(f"database ready at revision [bold]{revision}[/bold]: {layer8.db.engine.url!r}")


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Exit 0 when the chain is intact; otherwise name the first bad row and exit 1."""
    with application(ctx).db.read() as session:
        result = audit.verify(session)
    if result.ok:
        console.print(f"audit chain intact: {result.checked} events")
        return
    typer.echo(f"audit chain broken at seq {result.bad_seq}: {result.reason}", err=True)
    raise typer.Exit(1)


@referrals_app.command("list")
def referrals_list(
    ctx: typer.Context,
    subscriber: str | None = typer.Option(None, help="Only referrals given or received by this subscriber."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(200, min=1, max=10_000),
) -> None:
    """List referrals, newest first."""
    with application(ctx).db.read() as session:
        rows = [_referral_json(r) for r in referral_service.list_referrals(session, subscriber, limit=limit)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = [
        [
            row["id"],
            row["giver_id"],
            row["receiver_id"],
            row["prospect"] or "",
            str(row["hotness"]),
            row["state"],
            row["created_at"][:10],
        ]
        for row in rows
    ]
    columns = ["id", "giver", "receiver", "prospect", "hot", "state", "created"]
    print_table(columns, table, total=len(table), noun="referrals")


REFERRAL_FIELDS = ("id", "giver_id", "receiver_id", "prospect", "hotness", "state", "note", "created_at")


def _referral_json(referral: Any) -> dict[str, Any]:
    prospect = referral.prospect_subscriber_id or referral.prospect_name
    return row_json(referral, REFERRAL_FIELDS, prospect=prospect)


@subscribers_app.command("list")
def subscribers_list(
    ctx: typer.Context,
    q: str | None = typer.Option(None, "--q", "-q", help="Name, number, industry or place."),
    industry: str | None = typer.Option(None, help="NAICS code prefix or industry words."),
    place: str | None = typer.Option(None, help="Town, region or country."),
    limit: int = typer.Option(20, min=1, max=directory.MAX_LIMIT),
    offset: int = typer.Option(0, min=0),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List subscribers by name (public cards: no contact details)."""
    with application(ctx).db.read() as session:
        page = directory.search_subscribers(session, q, limit, offset, industry=industry, place=place)
    if as_json:
        typer.echo(page.model_dump_json(indent=2))
        return
    rows = [
        [
            card.id,
            card.business_name,
            f"{card.naics_code or ''} {card.naics_title or ''}".strip(),
            card.locality or "",
            card.growth_stage or "",
        ]
        for card in page.items
    ]
    columns = ["id", "business", "industry", "place", "stage"]
    print_table(columns, rows, total=page.total, offset=offset, noun="subscribers")


@subscribers_app.command("show")
def subscribers_show(
    ctx: typer.Context,
    subscriber_id: str = typer.Argument(..., help="The subscriber's id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one subscriber with its profile and consent (operator view, contact details included)."""
    viewer = Actor.admin("cli")
    with application(ctx).db.read() as session:
        view = directory.get_subscriber(session, subscriber_id, viewer=viewer)
        profile = directory.profile_view(session, subscriber_id, viewer=viewer)
    if as_json:
        payload = {"subscriber": view.model_dump(mode="json"), "profile": profile.model_dump(mode="json")}
        typer.echo(json.dumps(payload, indent=2))
        return
    table = Table(show_header=False, title=f"{view.business_name} ({view.id})")
    private = profile.model_dump(mode="json", exclude={"contact", "business_name"})
    rows = view.model_dump(mode="json") | private
    for key, value in rows.items():
        if value not in (None, "", [], {}):
            table.add_row(key, value if isinstance(value, str) else json.dumps(value))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(audit_app, name="audit")
    app.add_typer(referrals_app, name="referrals")
    app.add_typer(subscribers_app, name="subscribers")
