"""``layer8 kb …``, ``layer8 match`` and ``layer8 index rebuild``: thin wrappers over the application."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.application import application
from composition.container import Layer8
from network.directory import count_subscribers
from retrieval.index import collection_name
from retrieval.profiles_index import ProfileIndexer

kb_app = typer.Typer(help="The knowledge base of business playbooks.", no_args_is_help=True)
index_app = typer.Typer(help="The vector index of consented profiles.", no_args_is_help=True)
console = Console()


@kb_app.command("ingest")
def kb_ingest(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A Markdown, text, HTML or PDF file, or a folder."),
) -> None:
    """Add an operator's own documents to the knowledge base."""
    ids = application(ctx).knowledge.ingest(path)
    typer.echo(f"ingested {len(ids)} document(s): {', '.join(ids)}")


@kb_app.command("search")
def kb_search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="What to look for."),
    k: int = typer.Option(5, "--k", "-k", min=1, max=50, help="How many passages."),
    as_json: bool = typer.Option(False, "--json", help="One JSON list of hits."),
) -> None:
    """Search the knowledge base; every hit carries its citation (document#section)."""
    hits = application(ctx).knowledge.search(query, k)
    if as_json:
        typer.echo(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return
    for hit in hits:
        typer.echo(f"[{hit.citation}] {hit.title} — {hit.section} (score {hit.score:.2f})")
        typer.echo(f"    {' '.join(hit.text.split())[:240]}")


EMPTY_INDEX = (
    "no suggestions: the index of discoverable profiles is empty. "
    "Run `layer8 index rebuild` (`layer8 seed` indexes what it seeds)."
)


def indexed(layer8: Layer8) -> int:
    """How many profiles the tenant's index holds (offers side)."""
    return layer8.index.count(collection_name(layer8.settings.tenant, "offers"))


def match(
    ctx: typer.Context,
    subscriber_id: str = typer.Argument(..., help="The subscriber to find partners for."),
    top: int = typer.Option(5, "--top", min=1, max=50, help="How many suggestions."),
    as_json: bool = typer.Option(False, "--json", help="A JSON list of suggestions."),
) -> None:
    """Suggest complementary subscribers, with the reasons and the score parts."""
    layer8 = application(ctx)
    suggestions = layer8.matcher.suggest(subscriber_id, top=top)
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in suggestions], ensure_ascii=False, indent=2))
        return
    if not suggestions and not indexed(layer8):
        typer.echo(EMPTY_INDEX)
    elif not suggestions:
        typer.echo("no suggestions yet: nobody discoverable fits this profile")
    for rank, s in enumerate(suggestions, start=1):
        typer.echo(
            f"{rank}. {s.business_name} [{s.subscriber_id}] NAICS {s.naics or '?'} score {s.score:.3f}"
        )
        for reason in s.reasons:
            typer.echo(f"   - {reason}")
        typer.echo("   parts: " + ", ".join(f"{k}={v:+.3f}" for k, v in s.parts.items()))


@index_app.command("rebuild")
def index_rebuild(ctx: typer.Context) -> None:
    """Index every consented (discoverable) profile and drop anyone who no longer is; bring the knowledge
    base's playbook chunks up to date (otherwise the first advice question embeds them, ~15 s)."""
    layer8 = application(ctx)
    with layer8.db.read() as session:
        total = count_subscribers(session)
    indexer = ProfileIndexer(layer8.db, layer8.index, layer8.embedder)
    columns = (TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("profiles", total=total)
        indexed = indexer.rebuild(progress=lambda n: progress.advance(task, n))
        progress.update(task, total=indexed, completed=indexed)
    typer.echo(f"indexed {indexed} discoverable profile(s)")
    embedded = layer8.knowledge.sync()
    typer.echo(f"knowledge base up to date ({embedded} chunk(s) embedded)")


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
    app.add_typer(index_app, name="index")
    app.command("match")(match)
