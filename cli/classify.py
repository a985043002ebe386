"""``layer8 classify``: business descriptions → NAICS 2017 industries, best three first."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import typer

from cli.application import application
from network.errors import InvalidInput
from retrieval.industry import IndustryMatch


def _read_lines(file: Path) -> list[str]:
    handle: Iterable[str] = sys.stdin if str(file) == "-" else file.open(encoding="utf-8")
    return [line.strip() for line in handle if line.strip()]


def classify(
    ctx: typer.Context,
    text: str | None = typer.Argument(None, help="A description of the business, in the owner's words."),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="A file with one description per line ('-' reads standard input)."
    ),
    as_json: bool = typer.Option(False, "--json", help='One JSON object per line: {"text", "codes"}.'),
    top: int = typer.Option(3, "--top", min=1, max=20, help="How many industries per description."),
) -> None:
    """Classify free text into NAICS 2017 industries (top 3 with scores)."""
    if (text is None) == (file is None):
        raise InvalidInput("give one description as TEXT, or a file of them with --file (not both)")
    texts = [text] if text is not None else _read_lines(file)  # type: ignore[arg-type]
    results = application(ctx).classifier.classify_many(texts, top) if texts else []
    for described, matches in zip(texts, results, strict=True):
        if as_json:
            codes = [match.to_dict() for match in matches]
            typer.echo(json.dumps({"text": described, "codes": codes}, ensure_ascii=False))
        else:
            _print_human(described, matches, many=len(texts) > 1)


def _print_human(text: str, matches: list[IndustryMatch], *, many: bool) -> None:
    if many:
        typer.echo(text)
    for match in matches:
        typer.echo(f"{'  ' if many else ''}{match.code}  {match.score:.3f}  {match.title}")


def register(app: typer.Typer) -> None:
    app.command("classify")(classify)
