"""``layer8 metrics`` (the dashboard's figures in the terminal) and ``layer8 case open|close|list``."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.console import Console
from rich.table import Table

from cli.application import application
from network import metrics
from network.actor import Actor
from network.metrics_shapes import Amount, Metrics, MetricsQuery
from network.models import Role, SupportCase
from network.money import Money
from network.services import cases as case_rules

console = Console()
case_app = typer.Typer(
    help="Support cases: an agent acts for a subscriber only inside one.", no_args_is_help=True
)


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{name} is a date like 2026-11-30") from None


def metrics_command(
    ctx: typer.Context,
    start: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD); default 90 days ago."),
    end: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD); default today."),
    region: str | None = typer.Option(None, help="Only subscribers whose profile names this region."),
    as_json: bool = typer.Option(False, "--json", help="Print the same JSON as GET /v1/metrics."),
) -> None:
    """The referral funnel, closed business and incentives, engagement, rates, top industries and chains."""
    layer8 = application(ctx)
    query = MetricsQuery.around(
        _day(start, "--from"),
        _day(end, "--to"),
        region,
        layer8.settings.tenant,
        (layer8.settings.arpu_minor, layer8.settings.arpu_currency),
    )
    with layer8.db.read() as session:
        figures = metrics.compute(session, query)
    if as_json:
        typer.echo(figures.model_dump_json(indent=2))
        return
    _print(figures)


def _print(m: Metrics) -> None:
    where = f" in {m.region}" if m.region else ""
    console.print(f"[bold]Layer8 metrics[/bold] {m.start} – {m.end}{where} (by {m.granularity})")
    funnel = Table("stage", "count", title="Referral funnel")
    for stage in m.funnel:
        funnel.add_row(stage.stage, str(stage.count))
    console.print(funnel)
    for title, amounts in (
        ("Closed business", m.closed_business),
        ("Incentives earned", m.incentives_earned),
        ("Incentives paid", m.incentives_paid),
    ):
        console.print(_money_table(title, amounts))
    e, r = m.engagement, m.rates
    facts = Table(show_header=False, title="Engagement and rates")
    facts.add_row("subscribers", str(e.subscribers))
    facts.add_row(f"active (last {e.active_days} days)", str(e.active))
    facts.add_row("dormant", str(e.dormant))
    facts.add_row("new in period", str(e.new_in_period))
    facts.add_row("acceptance rate", _pct(r.acceptance_rate))
    facts.add_row("feedback rate", _pct(r.feedback_rate))
    facts.add_row("positive feedback", _pct(r.positive_rate))
    console.print(facts)
    industries = Table("industry", "subscribers", "deals", "value", title="Top industries")
    for row in m.top_industries:
        value = ", ".join(Money(v, c).format() for c, v in row.value_minor.items())
        industries.add_row(
            f"{row.naics_title} ({row.naics_code})", str(row.subscribers), str(row.deals), value
        )
    console.print(industries)
    chains = Table("from", "to", "deals", "introductions", title="Top supply chains")
    for chain in m.supply_chains:
        chains.add_row(chain.from_title, chain.to_title, str(chain.deals), str(chain.introductions))
    console.print(chains)


def _money_table(title: str, amounts: list[Amount]) -> Table:
    table = Table("period", "amount", "count", title=title)
    for amount in amounts:
        table.add_row(amount.period, Money(amount.amount_minor, amount.currency).format(), str(amount.count))
    return table


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    agent: str = typer.Option(..., help="The support agent's name (as in their agent token)."),
    subscriber: str = typer.Option(..., help="The subscriber's id."),
    reason: str = typer.Option(..., help="Why the case is opened."),
    auth: str | None = typer.Option(
        None, help=f"How the customer was authenticated: {', '.join(case_rules.AUTH_METHODS)} or 'other: …'."
    ),
) -> None:
    """Open a case; without --auth the agent may look but not act until authentication is recorded."""
    with application(ctx).db.transaction(Actor(Role.AGENT, agent)) as session:
        case = case_rules.open_case(session, agent, subscriber, reason, auth)
        case_id, authenticated = case.id, case.customer_authenticated_by
    typer.echo(case_id)
    if not authenticated:
        typer.echo("note: no customer authentication recorded; acting on their behalf is refused", err=True)


@case_app.command("close")
def case_close(
    ctx: typer.Context,
    case_id: str = typer.Argument(..., help="The case id."),
    agent: str = typer.Option(..., help="The agent who owns the case."),
) -> None:
    """Close a case: acting in it is refused from now on."""
    with application(ctx).db.transaction(Actor.agent(agent, case_id)) as session:
        case_rules.close_case(session, agent, case_id)
    typer.echo(f"closed {case_id}")


@case_app.command("list")
def case_list(
    ctx: typer.Context,
    agent: str = typer.Option(..., help="The agent whose open cases to list."),
    subscriber: str | None = typer.Option(None, help="Only cases for this subscriber."),
) -> None:
    """An agent's open cases, newest first."""
    table = Table("case", "subscriber", "reason", "customer authenticated by", "opened")
    table.columns[0].no_wrap = table.columns[1].no_wrap = True
    with application(ctx).db.read() as session:
        for case in case_rules.open_cases(session, agent, subscriber):
            authenticated = case.customer_authenticated_by or "—"
            table.add_row(case.id, case.subscriber_id, case.reason, authenticated, _when(case))
    console.print(table)


def _when(case: SupportCase) -> str:
    opened: datetime = case.opened_at
    return opened.strftime("%Y-%m-%d %H:%M")


def register(app: typer.Typer) -> None:
    app.command("metrics")(metrics_command)
    app.add_typer(case_app, name="case")
