"""``layer8 digest run|prefs``: the digest that brings subscribers back — only what is new, nothing when
nothing is, within each subscriber's own frequency and quiet hours."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from channels import digest_sender
from cli.application import application
from cli.listing import JSON_OPTION, console, print_json, print_table
from composition.channels import sending_runtime
from network.actor import Actor
from network.digest import preference
from network.errors import InvalidInput
from network.models import DigestPreference
from network.services import events
from network.services.subscribers import require_subscriber

digest_app = typer.Typer(help="The digest: per subscriber, only what is new since their last one.")


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest", no_args_is_help=True)


@digest_app.command("run")
def run(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Decide and show; send and record nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send each due subscriber their digest (skipped: opted out, not due, nothing new, quiet hours,
    unreachable, or WhatsApp outside the window without an approved template)."""
    layer8 = application(ctx)
    runtime = sending_runtime(layer8)
    try:
        report = digest_sender.run(runtime, dry_run=dry_run)
    finally:
        runtime.close()
    with layer8.db.read() as session:
        names = events.names(session, [r["subscriber_id"] for r in report])
    for row in report:
        row["business_name"] = names.get(row["subscriber_id"], row["subscriber_id"])
    sent = sum(1 for r in report if r["send"])
    if as_json:
        print_json({"dry_run": dry_run, "due" if dry_run else "sent": sent, "digests": report})
        return
    rows = [[r["business_name"], "send" if r["send"] else r["reason"], str(len(r["items"]))] for r in report]
    title = f"{sent} digest(s) {'due (dry run)' if dry_run else 'sent'}"
    print_table(["business", "decision", "items"], rows, total=len(rows), noun="subscribers", title=title)


@digest_app.command("prefs")
def prefs(
    ctx: typer.Context,
    subscriber: str,
    opt_out: bool | None = typer.Option(None, "--opt-out/--opt-in", help="Stop or resume the digest."),
    every_days: int | None = typer.Option(None, min=1, max=90, help="How often, in days."),
    time_zone: str | None = typer.Option(None, "--time-zone", help="Their IANA zone, for quiet hours."),
    quiet_from: int | None = typer.Option(None, min=0, max=23, help="Quiet from this local hour."),
    quiet_to: int | None = typer.Option(None, min=0, max=23, help="Quiet until this local hour."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show or change a subscriber's digest settings."""
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"unknown time zone {time_zone!r}") from None
    with application(ctx).db.transaction(Actor.admin("cli")) as session:
        require_subscriber(session, subscriber)
        row = session.get(DigestPreference, subscriber) or preference(session, subscriber)
        session.add(row)
        changes = {
            "opted_out": opt_out,
            "frequency_days": every_days,
            "time_zone": time_zone,
            "quiet_from": quiet_from,
            "quiet_to": quiet_to,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(row, name, value)
        shown = {"subscriber_id": subscriber} | {name: getattr(row, name) for name in changes}
    if as_json:
        print_json(shown)
        return
    console.print(", ".join(f"{k}: {v}" for k, v in shown.items()))
