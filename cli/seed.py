"""``layer8 seed``: fill the database with a realistic, deterministic demo network."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.application import application
from composition import ossbss as wiring
from composition.container import Layer8
from retrieval.profiles_index import ProfileIndexer
from seeding.history import DAYS, Operations, seed_history
from seeding.network import SeedReport, seed_network

console = Console(stderr=True)


def seed(
    ctx: typer.Context,
    subscribers: int = typer.Option(200, "--subscribers", "-n", min=1, max=1_000_000, help="How many."),
    seed_value: int = typer.Option(7, "--seed", help="The same seed gives the same network on any database."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when subscribers already exist."),
    history: bool = typer.Option(
        True,
        "--history/--no-history",
        help="Also replay 90 days of activity: introductions, referrals, deals, incentives, chats, handoffs.",
    ),
    index: bool = typer.Option(
        True, "--index/--no-index", help="Index the discoverable profiles for matching (the embedding model)."
    ),
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
    _say_seeded(report, seed_value)
    if history:
        _history(layer8, seed_value)
    if index:
        _index(layer8)
    else:
        console.print("not indexed (--no-index): run `layer8 index rebuild` before `layer8 match`")


def _index(layer8: Layer8) -> None:
    """Index every discoverable profile, so ``layer8 match`` has someone to suggest at once."""
    indexer = ProfileIndexer(layer8.db, layer8.index, layer8.embedder)
    with Progress(TextColumn("indexing"), BarColumn(), console=console, transient=True) as progress:
        task = progress.add_task("index", total=None)
        indexed = indexer.rebuild(progress=lambda n: progress.advance(task, n))
    console.print(f"indexed {indexed} discoverable profile(s) for matching")


def _history(layer8: Layer8, seed_value: int) -> None:
    settings, db = layer8.settings, layer8.db
    operations = Operations(
        incentives=wiring.incentives(settings), relay=wiring.relay(settings, db, layer8.bss), bss=layer8.bss
    )
    with console.status(f"replaying {DAYS} days of activity"):
        report = seed_history(db, operations, seed=seed_value, tenant=settings.tenant)
    console.print(
        f"replayed {DAYS} days: {report.deals} deals, {report.conversations} conversations "
        f"({report.handed_off} waiting for support), {report.nps_answers} NPS answers, "
        f"{report.churned} businesses left the operator, {report.checked_in} guests checked in at an event; "
        "introductions "
        + ", ".join(f"{state} {n}" for state, n in report.introductions.items())
        + "; incentives "
        + ", ".join(f"{state} {n}" for state, n in report.incentives.items())
    )


def _say_seeded(report: SeedReport, seed_value: int) -> None:
    top = sorted(report.industries.items(), key=lambda item: -item[1])[:5]
    console.print(
        f"seeded [bold]{report.created}[/bold] subscribers (seed {seed_value}, first {report.first_id}); "
        f"most common industries: {', '.join(f'{code}×{n}' for code, n in top)}"
    )


def register(app: typer.Typer) -> None:
    app.command("seed")(seed)
