"""``layer8 subscribers erase|export|erasure-requests``: the right to erasure and to data portability."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from cli.application import application
from cli.network import subscribers_app
from network.actor import Actor
from network.rows import row_json
from network.services import erasure_requests
from network.services.export import export_subscriber

console = Console()


def erase(
    ctx: typer.Context,
    subscriber_id: str = typer.Argument(..., help="The subscriber's id."),
    reason: str = typer.Option(..., "--reason", min=3, help="Why (e.g. the request's ticket); audited."),
    operator: str = typer.Option("cli", "--as", help="The admin approving it, as named in the audit trail."),
) -> None:
    """Erase a subscriber's text and contact data from every table and store (GDPR Art. 17), withdraw their
    open introductions and referrals, and check the files; exits 1 if a trace is left anywhere."""
    report = application(ctx).eraser.erase(subscriber_id, actor=Actor.admin(operator), reason=reason)
    console.print(f"erased {report.subscriber_id}; {report.withdrawn} open introductions/referrals withdrawn")
    if report.verified:
        console.print("verified: no trace left in the database files or the vector store")
        return
    for place in report.remaining:
        typer.echo(f"a trace remains in {place}", err=True)
    raise typer.Exit(1)


def export(
    ctx: typer.Context,
    subscriber_id: str = typer.Argument(..., help="The subscriber's id."),
) -> None:
    """Print, as JSON, everything Layer8 holds about a subscriber, from every table (GDPR Art. 20)."""
    with application(ctx).db.read() as session:
        payload = export_subscriber(session, subscriber_id)
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


REQUEST_FIELDS = ("id", "subscriber_id", "state", "requested_by", "requested_at")


def requests(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Erasure requests waiting for an admin (approve one with `layer8 subscribers erase ID --reason …`)."""
    with application(ctx).db.read() as session:
        rows = [row_json(r, REQUEST_FIELDS) for r in erasure_requests.pending(session)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(*REQUEST_FIELDS, title=f"{len(rows)} erasure requests waiting")
    for row in rows:
        table.add_row(*(str(row[name]) for name in REQUEST_FIELDS))
    console.print(table)


def register(app: typer.Typer) -> None:
    subscribers_app.command("erase")(erase)
    subscribers_app.command("export")(export)
    subscribers_app.command("erasure-requests")(requests)
