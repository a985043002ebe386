"""CLI commands of this area."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
    from retrieval import commands  # kb ingest/search, match, index rebuild

    commands.register(app)
    from retrieval import classify_cli  # layer8 classify

    classify_cli.register(app)
