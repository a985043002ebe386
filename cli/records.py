"""``layer8 introductions list``, ``layer8 deals list``, ``layer8 handoffs list`` and
``layer8 conversations show``: the referral economy's records, with business names and money in its currency.
"""

from __future__ import annotations

from typing import Any

import typer
from sqlalchemy.orm import Session

from cli.application import application
from cli.listing import JSON_OPTION, console, money, named, print_json, print_table
from network import listings
from network.errors import NotFound
from network.models import Conversation
from network.rows import row_json
from network.services import handoffs

introductions_app = typer.Typer(help="Double opt-in introductions.", no_args_is_help=True)
deals_app = typer.Typer(
    help="Closed business recorded from referrals and introductions.", no_args_is_help=True
)
handoffs_app = typer.Typer(help="Conversations handed off to support agents.", no_args_is_help=True)
conversations_app = typer.Typer(help="Conversations and their messages.", no_args_is_help=True)

SUBSCRIBER_OPTION = typer.Option(None, "--subscriber", help="Only records of this subscriber (either side).")
LIMIT_OPTION = typer.Option(20, min=1, max=listings.MAX_LIMIT, help="How many to show.")
OFFSET_OPTION = typer.Option(
    0, min=0, help="How many to skip (the page hint says where the next page starts)."
)
INTRODUCTION_FIELDS = ("id", "requester_id", "target_id", "state", "score", "created_at", "decided_at")
DEAL_FIELDS = (
    "id",
    "receiver_id",
    "giver_id",
    "amount_minor",
    "currency",
    "closed_on",
    "state",
    "referral_id",
    "introduction_id",
)


@introductions_app.command("list")
def introductions_list(
    ctx: typer.Context,
    subscriber: str | None = SUBSCRIBER_OPTION,
    state: str | None = typer.Option(None, help="suggested, requested, accepted, declined or expired."),
    limit: int = LIMIT_OPTION,
    offset: int = OFFSET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Introductions, newest first."""
    with application(ctx).db.read() as session:
        page = listings.introductions(
            session, subscriber_id=subscriber, state=state, limit=limit, offset=offset
        )
        names = listings.names(session, (i for r in page.rows for i in (r.requester_id, r.target_id)))
        session.expunge_all()  # the rows stay readable after the read-only session ends
    if as_json:
        print_json(_json(page, [row_json(r, INTRODUCTION_FIELDS) for r in page.rows]))
        return
    rows = [
        [
            r.id,
            named(names, r.requester_id),
            named(names, r.target_id),
            r.state,
            "" if r.score is None else f"{r.score:.2f}",
            r.created_at.date().isoformat(),
        ]
        for r in page.rows
    ]
    columns = ["id", "requester", "target", "state", "score", "created"]
    print_table(columns, rows, total=page.total, offset=offset, noun="introductions")


@deals_app.command("list")
def deals_list(
    ctx: typer.Context,
    subscriber: str | None = SUBSCRIBER_OPTION,
    limit: int = LIMIT_OPTION,
    offset: int = OFFSET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Deals, the most recently closed first; the giver is the one credited."""
    with application(ctx).db.read() as session:
        page = listings.deals(session, subscriber_id=subscriber, limit=limit, offset=offset)
        names = listings.names(session, (i for r in page.rows for i in (r.receiver_id, r.giver_id)))
        session.expunge_all()
    if as_json:
        print_json(_json(page, [row_json(r, DEAL_FIELDS) for r in page.rows]))
        return
    rows = [
        [
            r.id,
            named(names, r.receiver_id),
            named(names, r.giver_id),
            money(r.amount_minor, r.currency),
            r.closed_on.isoformat(),
            r.state,
            "referral" if r.referral_id else "introduction",
        ]
        for r in page.rows
    ]
    columns = ["id", "receiver", "giver", "amount", "closed", "state", "from"]
    print_table(columns, rows, total=page.total, offset=offset, noun="deals")


@handoffs_app.command("list")
def handoffs_list(
    ctx: typer.Context,
    subscriber: str | None = SUBSCRIBER_OPTION,
    limit: int = LIMIT_OPTION,
    offset: int = OFFSET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Conversations waiting for a support agent, the longest waiting first."""
    with application(ctx).db.read() as session:
        page = listings.conversations(
            session, handed_off=True, subscriber_id=subscriber, limit=limit, offset=offset
        )
        names = listings.names(session, (r.subscriber_id for r in page.rows))
        session.expunge_all()
    fields = ("id", "subscriber_id", "channel", "agent_id", "handoff_reason", "updated_at")
    if as_json:
        print_json(_json(page, [row_json(r, fields) for r in page.rows]))
        return
    rows = [
        [
            r.id,
            named(names, r.subscriber_id),
            r.channel,
            r.agent_id or "unassigned",
            _first_line(r.handoff_reason),
            r.updated_at.strftime("%Y-%m-%d %H:%M"),
        ]
        for r in page.rows
    ]
    columns = ["conversation", "subscriber", "channel", "agent", "reason", "waiting since"]
    print_table(columns, rows, total=page.total, offset=offset, noun="handed-off conversations")


@conversations_app.command("show")
def conversations_show(
    ctx: typer.Context,
    conversation_id: str = typer.Argument(
        ..., help="A conversation id (cnv_…), or a subscriber id (sub_…) for their latest conversation."
    ),
    limit: int = typer.Option(60, min=1, max=1000, help="How many of the newest messages."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A conversation's messages, oldest first (tool results left out)."""
    with application(ctx).db.read() as session:
        conversation = _conversation(session, conversation_id)
        messages = handoffs.messages(session, conversation.id, limit)
        names = listings.names(session, [conversation.subscriber_id])
        session.expunge_all()
    if as_json:
        fields = ("id", "subscriber_id", "channel", "mode", "agent_id", "handoff_reason", "updated_at")
        message_fields = ("seq", "role", "content", "feedback", "at")
        payload = row_json(conversation, fields) | {
            "messages": [row_json(m, message_fields) for m in messages]
        }
        print_json(payload)
        return
    console.print(
        f"[bold]{conversation.id}[/bold] with {named(names, conversation.subscriber_id)} "
        f"on {conversation.channel} — {conversation.mode.replace('_', ' ')}"
        + (f", agent {conversation.agent_id}" if conversation.agent_id else "")
    )
    if not messages:
        console.print("messages: none yet")
    for message in messages:
        mark = {1: " (rated helpful)", -1: " (rated unhelpful)"}.get(message.feedback or 0, "")
        console.print(f"{message.at:%Y-%m-%d %H:%M} [bold]{message.role}[/bold]{mark}: {message.content}")


def _conversation(session: Session, key: str) -> Conversation:
    if key.startswith("sub_"):
        latest = listings.conversations(session, subscriber_id=key, limit=1).rows
        if not latest:
            raise NotFound(f"no conversation with subscriber {key!r} yet")
        return latest[0]
    return handoffs.conversation(session, key)


def _first_line(text: str | None, width: int = 80) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _json(page: listings.Listing[Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "items": rows,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "next_offset": page.next_offset,
    }


def register(app: typer.Typer) -> None:
    app.add_typer(introductions_app, name="introductions")
    app.add_typer(deals_app, name="deals")
    app.add_typer(handoffs_app, name="handoffs")
    app.add_typer(conversations_app, name="conversations")
