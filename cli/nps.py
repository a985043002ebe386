"""``layer8 nps list|summary``: the NPS answers given in the conversation, and the score they make."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from cli.application import application
from network.models import Subscriber
from network.outcomes import nps as nps_figures
from network.rows import row_json
from network.services import nps

console = Console()
nps_app = typer.Typer(help="Net Promoter Score answers from the conversation.", no_args_is_help=True)
FIELDS = ("id", "subscriber_id", "channel", "state", "score", "reason", "asked_at", "scored_at")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON.")


@nps_app.command("list")
def list_command(
    ctx: typer.Context,
    limit: int = typer.Option(100, min=1, max=10_000, help="How many, newest first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Surveys asked and their answers (score 0–10, the main reason, channel and moment), newest first."""
    with application(ctx).db.read() as session:
        rows = [row_json(r, FIELDS) for r in nps.listing(session, limit)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(*FIELDS, title=f"{len(rows)} NPS surveys")
    for row in rows:
        table.add_row(*("" if row[f] is None else str(row[f]) for f in FIELDS))
    console.print(table)


@nps_app.command("summary")
def summary_command(
    ctx: typer.Context,
    days: int = typer.Option(90, min=1, max=3660, help="The period: this many days up to today."),
    as_json: bool = JSON_OPTION,
) -> None:
    """NPS overall, by month and by industry sector, with a 95% interval and the response rate."""
    layer8 = application(ctx)
    until = datetime.combine(date.today() + timedelta(days=1), time.min, tzinfo=UTC)
    since = until - timedelta(days=days)
    members = select(Subscriber.id).where(Subscriber.tenant == layer8.settings.tenant)
    with layer8.db.read() as session:
        figures = nps_figures.compute(nps_figures.surveys(session, since, until, members), since, until)
    if as_json:
        typer.echo(figures.model_dump_json(indent=2))
        return
    console.print(figures.rule)
    for title, groups in (
        ("Overall", [figures.overall]),
        ("By month", figures.by_period),
        ("By sector", figures.by_segment),
    ):
        table = Table("", "NPS", "95% interval", "answers", "asked", "response rate", title=title)
        for g in groups:
            interval = "—" if g.ci_low is None else f"{g.ci_low} to {g.ci_high}"
            rate = "—" if g.response_rate is None else f"{g.response_rate * 100:.1f}%"
            table.add_row(
                g.key, "—" if g.nps is None else str(g.nps), interval, str(g.answers), str(g.asked), rate
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(nps_app, name="nps")
