"""``layer8 events create|list|show|invite|checkin|close|calendar|remind``: events the operator runs.

``invite`` ranks the event's likely attendees with the matching engine and lists each invitation with its
reasons (whom they would meet and why); without ``--dry-run`` it records them and sends each on the
subscriber's own channel with Going / Can't go buttons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from channels import event_notify
from channels.queue import InProcessQueue
from channels.runtime import ChannelRuntime
from cli.application import application
from cli.listing import JSON_OPTION, console, print_json, print_table
from composition.channels import channel_runtime, sending_runtime
from network.actor import Actor
from network.event_calendar import ics
from network.models import Event, EventInvitation
from network.services import events, one_to_ones
from retrieval import event_invites
from tools import event_words

events_app = typer.Typer(help="Subscriber events: invitations ranked by the matcher, RSVPs, check-in.")
OPERATOR = Actor.admin("cli")
DRAIN_S = 30  # bound on waiting for the messages a command queued


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events", no_args_is_help=True)


@events_app.command("create")
def create(
    ctx: typer.Context,
    title: str = typer.Option(..., help="What the event is called."),
    starts: str = typer.Option(..., help="Start, ISO-8601 (with an offset, or local to --time-zone)."),
    capacity: int = typer.Option(..., min=1, help="Seats; answers beyond it join the waiting list."),
    place: str | None = typer.Option(None, help="Where it happens (or --online)."),
    online: str | None = typer.Option(None, help="The online link (or --place)."),
    time_zone: str = typer.Option("UTC", "--time-zone", help="IANA zone it is shown in, e.g. Europe/London."),
    description: str | None = typer.Option(None, help="A few words on the event."),
    region: str | None = typer.Option(None, help="Audience: only subscribers in this region."),
    industry: list[str] = typer.Option([], help="Audience: NAICS prefixes (repeat the option)."),
    interest: list[str] = typer.Option([], help="Audience: words in their profile (repeat the option)."),
    host: str | None = typer.Option(None, help="The hosting subscriber (may check guests in)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an event; prints its id and the check-in code for the door (shown only now)."""
    new = events.NewEvent(
        title=title,
        starts_at=events.typed_start(starts, time_zone),
        capacity=capacity,
        time_zone=time_zone,
        place=place,
        online_url=online,
        description=description,
        audience={"region": region, "industries": industry, "interests": interest},
        host_id=host,
    )
    layer8 = application(ctx)
    with layer8.db.transaction(OPERATOR) as session:
        event, code = events.create(session, new, created_by="operator:cli", tenant=layer8.settings.tenant)
        shown = _event_json(event) | {"checkin_code": code}
    if as_json:
        print_json(shown)
        return
    console.print(f"created {shown['id']}: {event_words.line(event)}")
    console.print(f"check-in code for the door: {code} (shown only now)")


@events_app.command("list")
def list_events(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every event, newest first, with its seats and answers."""
    layer8 = application(ctx)
    with layer8.db.read() as session:
        rows = [
            (_event_json(e), events.counts(session, e.id))
            for e in events.all_events(session, tenant=layer8.settings.tenant)
        ]
    if as_json:
        print_json([shown | {"answers": counts} for shown, counts in rows])
        return
    table = [
        [
            e["id"],
            e["title"],
            e["when"],
            e["where"],
            f"{c['going'] + c['attended']}/{e['capacity']}",
            e["state"],
        ]
        for e, c in rows
    ]
    print_table(["id", "title", "when", "where", "seats", "state"], table, total=len(rows), noun="events")


@events_app.command("show")
def show(ctx: typer.Context, event_id: str, as_json: bool = JSON_OPTION) -> None:
    """One event with every invitation: the answer, the score and whom they would meet."""
    with application(ctx).db.read() as session:
        event = events.require(session, event_id)
        rows = events.invitations(session, event_id)
        names = events.names(session, [r.subscriber_id for r in rows])
        shown = _event_json(event) | {"answers": events.counts(session, event_id)}
        shown["invitations"] = [_invitation_json(r, names) for r in rows]
    if as_json:
        print_json(shown)
        return
    console.print(f"{shown['id']}: {shown['title']} — {shown['when']}, {shown['where']} ({shown['state']})")
    console.print(", ".join(f"{n} {state}" for state, n in shown["answers"].items() if n) or "no answers yet")
    table = [[i["business_name"], i["state"], "; ".join(i["reasons"][:1])] for i in shown["invitations"]]
    print_table(["business", "answer", "why"], table, total=len(table), noun="invitations")


@events_app.command("invite")
def invite(
    ctx: typer.Context,
    event_id: str,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List whom it would invite; record and send nothing."
    ),
    limit: int | None = typer.Option(None, min=1, help="How many to invite (default: twice the seats)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Invite those who would gain most from the room, each with whom they would meet and why."""
    layer8 = application(ctx)
    planned = event_invites.plan(layer8.db, layer8.matcher, event_id, invite=limit)
    with layer8.db.read() as session:
        names = events.names(session, [p.subscriber_id for p in planned])
    shown = [_planned_json(p, names) for p in planned]
    if not dry_run:
        with layer8.db.transaction(OPERATOR) as session:
            made = {r.subscriber_id: r.id for r in events.invite(session, event_id, planned)}
        runtime = sending_runtime(layer8)
        try:
            for row in shown:
                new = made.get(row["subscriber_id"])
                row["new"] = new is not None
                row["sent_via"] = event_notify.deliver_invitation(runtime, new) if new else None
        finally:
            runtime.close()
    if as_json:
        print_json({"event_id": event_id, "dry_run": dry_run, "invitations": shown})
        return
    table = [[r["business_name"], f"{r['score']:.2f}", "\n".join(r["reasons"])] for r in shown]
    title = "would invite (dry run)" if dry_run else "invited"
    print_table(["business", "score", "reasons"], table, total=len(table), noun="invitations", title=title)


@events_app.command("checkin")
def checkin(
    ctx: typer.Context,
    event_id: str,
    subscriber: str = typer.Option(..., help="The guest to check in."),
    code: str | None = typer.Option(None, help="The door code the guest gave (else: checked in by you)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a guest in: by the operator (the host's desk), or with the code the guest read at the door."""
    with application(ctx).db.transaction(OPERATOR) as session:
        row = events.check_in(session, event_id, subscriber, by="code" if code else "operator:cli", code=code)
        shown = {
            "event_id": event_id,
            "subscriber_id": subscriber,
            "state": row.state,
            "by": row.checked_in_by,
        }
    if as_json:
        print_json(shown)
        return
    console.print(f"{subscriber} checked in ({shown['by']})")


@events_app.command("close")
def close(ctx: typer.Context, event_id: str, as_json: bool = JSON_OPTION) -> None:
    """Close an event: no more answers; each attendee gets up to three one-to-ones with others who came."""
    layer8 = application(ctx)
    with layer8.db.transaction(OPERATOR) as session:
        events.close(session, event_id)
        came = events.attendees(session, event_id)
    pairs = event_invites.pairings(layer8.matcher, came)
    runtime = channel_runtime(layer8)  # the attendees hear of their one-to-ones on their own channel
    try:
        with layer8.db.transaction(OPERATOR) as session:
            made = one_to_ones.suggest(session, event_id, pairs)
            shown = _event_json(events.require(session, event_id)) | {"attended": len(came)}
            shown["one_to_ones"] = len(made)
        _drain(runtime)
    finally:
        runtime.close()
    if as_json:
        print_json(shown)
        return
    console.print(f"closed {event_id}: {shown['attended']} attended, {len(made)} one-to-one(s) suggested")


@events_app.command("calendar")
def calendar(
    ctx: typer.Context,
    event_id: str,
    out: Path | None = typer.Option(None, help="Write the .ics file here (default: print it)."),
) -> None:
    """The event as an iCalendar (.ics) file."""
    with application(ctx).db.read() as session:
        raw = ics(events.require(session, event_id))
    if out is None:
        typer.echo(raw.decode())
        return
    out.write_bytes(raw)
    console.print(f"wrote {out}")


@events_app.command("remind")
def remind(ctx: typer.Context) -> None:
    """Remind everyone going to an event within a day, and ask a week after each accepted one-to-one what
    came of it (each once)."""
    runtime = sending_runtime(application(ctx))
    try:
        console.print(f"reminded {event_notify.send_reminders(runtime)} guest(s)")
        console.print(f"asked {event_notify.send_follow_ups(runtime)} one-to-one follow-up(s)")
    finally:
        runtime.close()


def _drain(runtime: ChannelRuntime) -> None:
    """Let the queued messages go out before the command ends (in-process queue only)."""
    queue = runtime.queue
    if isinstance(queue, InProcessQueue):
        queue.drain(DRAIN_S)


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "time_zone": event.time_zone,
        "when": event_words.when(event),
        "where": event_words.where(event),
        "place": event.place,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "audience": event.audience,
        "host_id": event.host_id,
        "state": event.state,
    }


def _sentences(meets: list[dict[str, Any]]) -> list[str]:
    return [f"meets {m['business_name']}: {' '.join(m['reasons'][:1])}".rstrip(": ") for m in meets]


def _planned_json(planned: events.Invitee, names: dict[str, str]) -> dict[str, Any]:
    return {
        "subscriber_id": planned.subscriber_id,
        "business_name": names.get(planned.subscriber_id, planned.subscriber_id),
        "score": planned.score,
        "reasons": _sentences(planned.meets),
        "meets": planned.meets,
    }


def _invitation_json(row: EventInvitation, names: dict[str, str]) -> dict[str, Any]:
    return {
        "subscriber_id": row.subscriber_id,
        "business_name": names.get(row.subscriber_id, row.subscriber_id),
        "state": row.state,
        "score": row.score,
        "reasons": _sentences(list(row.reasons or [])),
        "checked_in_by": row.checked_in_by,
    }
