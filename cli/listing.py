"""How every ``layer8 … list`` prints: a table, "none yet" when there is nothing, where the next page is."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from network.money import Money

console = Console()
JSON_OPTION = typer.Option(False, "--json", help="Print JSON.")
NONE_YET = "none yet"


def money(amount_minor: int, currency: str) -> str:
    """``6500, "GBP"`` → ``65.00 GBP`` (the currency's own decimals)."""
    return Money(int(amount_minor), currency).format()


def page_hint(shown: int, total: int, offset: int, noun: str) -> str | None:
    """``showing 20 of 200 introductions — use --offset 20 for more`` (None when everything is shown)."""
    if shown >= total and offset == 0:
        return None
    first, last = (offset + 1, offset + shown) if shown else (0, 0)
    hint = f"showing {first}–{last} of {total} {noun}"
    if offset + shown < total:
        hint += f" — use --offset {offset + shown} for more"
    return hint


def print_table(
    columns: list[str], rows: list[list[str]], *, total: int, offset: int = 0, noun: str, title: str = ""
) -> None:
    """The rows as a table (or "none yet"), then the page hint."""
    if total == 0:
        console.print(f"{noun}: {NONE_YET}")
        return
    if rows:
        table = Table(*columns, title=title or None)
        table.columns[0].no_wrap = True
        for row in rows:
            table.add_row(*row)
        console.print(table)
    hint = page_hint(len(rows), total, offset, noun)
    if hint:
        console.print(hint)


def print_rows(rows: list[dict[str, Any]], columns: list[str], as_json: bool) -> None:
    """The rows as JSON (``--json``), or their ``columns`` as a table, an absent value left blank."""
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)


def print_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


def named(names: dict[str, str], subscriber_id: str | None) -> str:
    """A business by name (its id when it has none; ``--json`` prints the ids), or an em dash."""
    if not subscriber_id:
        return "—"
    return names.get(subscriber_id) or subscriber_id
