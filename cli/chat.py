"""``layer8 chat`` (interactive, streaming) and ``layer8 ask`` (one message, optionally JSON).

The terminal is a channel like any other: it builds an :class:`InboundMessage` for the subscriber the
operator names with ``--as`` and shows the :class:`OutboundReply` — buttons become numbered options that
typing the number (or "yes") answers.
"""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console

from assistant.messages import Action, InboundMessage, OutboundReply
from assistant.service import Assistant
from cli.application import application
from composition.container import Layer8
from network.services.subscribers import require_subscriber

CHANNEL = "terminal"
QUIT = {"/quit", "/exit", "quit", "exit"}
console = Console(highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
    app.command("chat")(chat)
    app.command("ask")(ask)


def _thread(subscriber_id: str, thread: str | None) -> str:
    return thread or f"terminal-{subscriber_id}"


def _open(ctx: typer.Context, subscriber_id: str) -> tuple[Layer8, Assistant]:
    layer8 = application(ctx)
    with layer8.db.read() as session:
        require_subscriber(session, subscriber_id)  # NotFound → one line and exit 2
    return layer8, layer8.assistant


def chat(
    ctx: typer.Context,
    as_: str = typer.Option(..., "--as", help="The subscriber id to talk as."),
    thread: str | None = typer.Option(None, "--thread", help="Conversation thread (default: one per id)."),
) -> None:
    """Talk to the assistant as a subscriber (streaming). Type a number to pick an option, /quit to end."""
    layer8, assistant = _open(ctx, as_)
    console.print("[dim]Layer8 chat — type /quit to leave.[/dim]")
    options: list[Action | None] = []
    try:
        while True:
            try:
                text = console.input("[bold cyan]you ›[/bold cyan] ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if text.lower() in QUIT:
                break
            message = _message(as_, _thread(as_, thread), text, options)
            reply = _stream(assistant, message)
            options = reply.option_actions()
    finally:
        layer8.close()


def _message(subscriber_id: str, thread: str, text: str, options: list[Action | None]) -> InboundMessage:
    if text.isdigit() and 1 <= int(text) <= len(options):
        action = options[int(text) - 1]
        if action is not None:
            return InboundMessage(CHANNEL, thread, subscriber_id, action=action)
    return InboundMessage(CHANNEL, thread, subscriber_id, text=text)


def _stream(assistant: Assistant, message: InboundMessage) -> OutboundReply:
    console.print("[bold green]layer8 ›[/bold green] ", end="")
    shown = ""
    reply: OutboundReply | None = None
    for part in assistant.stream(message):
        if isinstance(part, OutboundReply):
            reply = part
        else:
            shown += part
            console.print(part, end="", markup=False, soft_wrap=True)
    assert reply is not None
    rest = reply.text[len(shown) :] if reply.text.startswith(shown) else f"\n{reply.text}"
    console.print(rest, markup=False, soft_wrap=True)
    _options(reply)
    return reply


def _options(reply: OutboundReply) -> None:
    labels = [b.label for b in reply.buttons] + [
        f"{i.title} — {i.description}" if i.description else i.title for i in reply.items
    ]
    for number, label in enumerate(labels, start=1):
        console.print(f"  [bold]{number}.[/bold] {label}", markup=True, highlight=False)


def ask(
    ctx: typer.Context,
    message: str = typer.Argument(..., help="What to say."),
    as_: str = typer.Option(..., "--as", help="The subscriber id to talk as."),
    thread: str | None = typer.Option(None, "--thread", help="Conversation thread (default: one per id)."),
    as_json: bool = typer.Option(False, "--json", help="Print {reply, tool_calls, pending_action} as JSON."),
) -> None:
    """Send one message as a subscriber and print the reply (exit 1 when the turn failed)."""
    layer8, assistant = _open(ctx, as_)
    try:
        reply = assistant.handle(InboundMessage(CHANNEL, _thread(as_, thread), as_, text=message))
    finally:
        layer8.close()
    if as_json:
        typer.echo(json.dumps(as_dict(reply), ensure_ascii=False))
    else:
        typer.echo(reply.text_fallback())
    if reply.error_code and reply.error_code != "refused":
        raise typer.Exit(1)


def as_dict(reply: OutboundReply) -> dict[str, Any]:
    """The ``layer8 ask --json`` shape, exactly."""
    return {
        "reply": reply.text,
        "tool_calls": [{"name": c.name, "args": c.args} for c in reply.tool_calls],
        "pending_action": reply.pending_action,
    }
