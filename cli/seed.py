"""``layer8 seed``: fill the database with a realistic, deterministic demo network."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.application import application
from seeding.network import seed_network

console = Console(stderr=True)


def seed(
    ctx: typer.Context,
    subscribers: int = typer.Option(200, "--subscribers", "-n", min=1, max=1_000_000, help="How many."),
    seed_value: int = typer.Option(7, "--seed", help="The same seed gives the same network on any database."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when subscribers already exist."),
) -> None:
    """Seed a demo network: UK small businesses with real supply-chain needs, offers and consent mixes."""
    layer8 = application(ctx)
    columns = (TextColumn("seeding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("seed", total=subscribers)
        report = seed_network(
            layer8.db,
            subscribers,
            seed_value,
            tenant=layer8.settings.tenant,
            if_empty=if_empty,
            progress=lambda done: progress.advance(task, done),
        )
    if report.skipped:
        console.print("subscribers already exist: nothing seeded (--if-empty)")
        return
    top = sorted(report.industries.items(), key=lambda item: -item[1])[:5]
    console.print(
        f"seeded [bold]{report.created}[/bold] subscribers (seed {seed_value}, first {report.first_id}); "
        f"most common industries: {', '.join(f'{code}×{n}' for code, n in top)}"
    )


def register(app: typer.Typer) -> None:
    app.command("seed")(seed)
