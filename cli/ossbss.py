"""``layer8 tmf-stub``, ``layer8 bss relay|reconcile|outbox|requeue`` and ``layer8 incentives …``."""

from __future__ import annotations

import json

import typer
import uvicorn

from channels.polling import run_passes
from cli.application import application
from cli.listing import JSON_OPTION, console, money, named, print_rows, print_table
from composition import ossbss as wiring
from network import listings
from network.actor import Actor
from ossbss import outbox
from ossbss.incentives import counted, listed
from ossbss.incentives import to_json as incentive_json
from ossbss.reconcile import reconcile
from ossbss.relay import RelayReport
from ossbss.stub import StubStore, create_app

bss_app = typer.Typer(help="The OSS/BSS: outbox relay, reconciliation, dead letters.", no_args_is_help=True)
incentives_app = typer.Typer(
    help="Referral incentives: list, the hold, reviews, reversals.", no_args_is_help=True
)


def tmf_stub(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8654, help="TCP port."),
    careless: bool = typer.Option(False, "--non-idempotent", help="Apply repeated correlation ids again."),
) -> None:
    """Serve the TM Forum stub (TMF632/629/635/654/678 at their own base paths, faults via /stub/faults)."""
    uvicorn.run(create_app(StubStore(idempotent=not careless)), host=host, port=port, log_level="info")


@bss_app.command("relay")
def relay_command(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Deliver what is due now, then exit."),
    interval: float = typer.Option(2.0, min=0.1, help="Seconds between polls when idle."),
    approve: bool = typer.Option(
        True, "--approve-due/--no-approve-due", help="Approve incentives whose hold ended."
    ),
) -> None:
    """Post the outbox to the OSS/BSS with retries, backoff, Retry-After, read-back and dead letters."""
    layer8 = application(ctx)
    relay = wiring.relay(layer8.settings, layer8.db, layer8.bss)
    incentives = wiring.incentives(layer8.settings)

    def one_pass() -> RelayReport:
        if approve:
            with layer8.db.transaction(Actor.system("incentive-hold")) as session:
                incentives.approve_due(session)
        return relay.run_once()

    run_passes(one_pass, interval=interval, name="OSS/BSS relay", once=once, said=_said)


def _said(report: RelayReport) -> None:
    console.print(f"sent {len(report.sent)}, retrying {len(report.retried)}, dead {len(report.dead)}")


@bss_app.command("reconcile")
def reconcile_command(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    dry_run: bool = typer.Option(False, "--dry-run", help="Compare only; do not confirm matched credits."),
) -> None:
    """Compare our outbox and incentives with the bill; exit 1 when anything differs."""
    layer8 = application(ctx)
    confirm = None if dry_run else wiring.incentives(layer8.settings).confirm
    result = reconcile(layer8.db, layer8.bss, confirm=confirm)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, default=str))
    else:
        console.print(
            f"matched {len(result.matched)}, confirmed {result.confirmed}, "
            f"differences {len(result.differences)}"
        )
        print_rows(
            [
                {"kind": d.kind, "correlation_id": d.correlation_id, "detail": d.detail}
                for d in result.differences
            ],
            ["kind", "correlation_id", "detail"],
            False,
        )
    if not result.clean:
        raise typer.Exit(1)


@bss_app.command("outbox")
def outbox_command(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    state: str | None = typer.Option(None, help="Only pending, sent or dead messages."),
    limit: int = typer.Option(200, min=1, max=10_000),
) -> None:
    """Outbox messages, newest first, with counts per state."""
    with application(ctx).db.read() as session:
        rows = [outbox.to_json(m) for m in outbox.messages(session, state, limit)]
        counts = outbox.counts(session)
    if as_json:
        typer.echo(json.dumps({"counts": counts, "messages": rows}, indent=2))
        return
    console.print(", ".join(f"{k} {v}" for k, v in counts.items()))
    print_rows(
        rows, ["id", "correlation_id", "state", "attempts", "amount_minor", "currency", "last_error"], False
    )


@bss_app.command("requeue")
def requeue_command(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(None, help="Outbox message ids."),
    all_dead: bool = typer.Option(False, "--all-dead", help="Every dead-lettered message."),
) -> None:
    """Give dead-lettered messages another round (each is read back before it is posted again)."""
    layer8 = application(ctx)
    with layer8.db.transaction(Actor.admin("cli")) as session:
        chosen = list(ids or []) + (
            [m.id for m in outbox.messages(session, "dead", 10_000)] if all_dead else []
        )
        for message_id in chosen:
            outbox.requeue(session, message_id, wiring.incentives(layer8.settings).clock())
    console.print(f"requeued {len(chosen)}")


@incentives_app.command("list")
def incentives_list(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    state: str | None = typer.Option(None, help="Only this state (pending, held, approved, posted, …)."),
    subscriber: str | None = typer.Option(None, help="Only this beneficiary."),
    limit: int = typer.Option(200, min=1, max=10_000),
    offset: int = typer.Option(0, min=0, help="How many to skip."),
) -> None:
    """Incentives, newest first, with the amount in its currency and who earned it."""
    with application(ctx).db.read() as session:
        found = listed(session, state, subscriber, limit, offset)
        total = counted(session, state, subscriber)
        names = listings.names(session, (i.beneficiary_id for i in found))
        session.expunge_all()  # the rows stay readable after the read-only session ends
    if as_json:
        typer.echo(json.dumps([incentive_json(i) for i in found], indent=2))
        return
    rows = [
        [
            i.id,
            named(names, i.beneficiary_id),
            money(i.amount_minor, i.currency),
            i.state + (" (reversal)" if i.reversal_of_id else ""),
            i.hold_until.date().isoformat() if i.hold_until else "",
            i.deal_id,
        ]
        for i in found
    ]
    columns = ["id", "beneficiary", "amount", "state", "hold until", "deal"]
    print_table(columns, rows, total=total, offset=offset, noun="incentives")


@incentives_app.command("approve-due")
def approve_due(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Approve pending incentives whose hold is over (fraud checks run again; a hit holds it instead)."""
    layer8 = application(ctx)
    with layer8.db.transaction(Actor.system("incentive-hold")) as session:
        rows = [incentive_json(i) for i in wiring.incentives(layer8.settings).approve_due(session)]
    print_rows(rows, ["id", "beneficiary_id", "amount_minor", "currency", "state"], as_json)


@incentives_app.command("review")
def review(
    ctx: typer.Context,
    incentive_id: str,
    approve: bool = typer.Option(..., "--approve/--reject", help="Pay it, or reverse it."),
    reviewer: str = typer.Option(..., help="Who decides (recorded in the audit trail)."),
    note: str = typer.Option("", help="Why."),
) -> None:
    """Decide on an incentive held by a fraud check."""
    layer8 = application(ctx)
    with layer8.db.transaction(Actor.admin(reviewer)) as session:
        incentive = wiring.incentives(layer8.settings).review(
            session, incentive_id, approve=approve, reviewer=reviewer, note=note
        )
        console.print(f"incentive {incentive.id} is {incentive.state}")


@incentives_app.command("reverse")
def reverse(
    ctx: typer.Context, incentive_id: str, reason: str = typer.Option(..., help="Why (audited).")
) -> None:
    """Reverse an incentive with a new negative entry (posted to the bill if the credit already left)."""
    layer8 = application(ctx)
    with layer8.db.transaction(Actor.admin("cli")) as session:
        reversal = wiring.incentives(layer8.settings).reverse(session, incentive_id, reason)
        console.print(
            f"reversal {reversal.id} ({reversal.amount_minor} {reversal.currency}) is {reversal.state}"
        )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
    app.command("tmf-stub")(tmf_stub)
    app.add_typer(bss_app, name="bss")
    app.add_typer(incentives_app, name="incentives")
