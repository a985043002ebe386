"""``layer8 subscribers add`` and ``layer8 subscribers import``: new businesses, industry classified."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import typer

from cli.application import application
from cli.listing import JSON_OPTION, console, print_json, print_table
from cli.network import subscribers_app
from composition.container import Layer8
from network.actor import Actor
from network.errors import InvalidInput
from network.models import ConsentKind
from network.services import registration
from network.services.registration import NewSubscriber
from network.subscriber_csv import COLUMNS, Classify, ImportReport, import_rows, read_rows

ACTOR = Actor.admin("cli")


def classifier(layer8: Layer8) -> Classify:
    """The industry classifier as the import wants it: each text's best NAICS (code, title), or None."""

    def classify(texts: Sequence[str]) -> list[tuple[str, str] | None]:
        best = layer8.classifier.classify_many(list(texts), 1)
        return [(m[0].code, m[0].title) if m and m[0].score > 0 else None for m in best]

    return classify


@subscribers_app.command("add")
def subscribers_add(
    ctx: typer.Context,
    business_name: str = typer.Argument(..., help="The business's name."),
    contact_name: str | None = typer.Option(None, help="The person to talk to."),
    email: str | None = typer.Option(None, help="Their e-mail address."),
    phone: str | None = typer.Option(None, help="Their phone number (E.164, e.g. +447700900123)."),
    description: str | None = typer.Option(None, help="What the business does, in the owner's words."),
    offers: str | None = typer.Option(None, help="What it sells or provides."),
    needs: str | None = typer.Option(None, help="What it is looking for."),
    locality: str | None = typer.Option(None, help="Town or city."),
    country: str | None = typer.Option(None, help="Two-letter country code."),
    naics: str | None = typer.Option(None, help="NAICS code; classified from the description when omitted."),
    discoverable: bool | None = typer.Option(
        None, "--discoverable/--not-discoverable", help="Consent to be suggested (recorded only when given)."
    ),
    contactable: bool | None = typer.Option(
        None, "--contactable/--not-contactable", help="Consent to receive introduction requests."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Register one subscriber (its industry classified from what it does when --naics is not given)."""
    layer8 = application(ctx)
    profile = {"description": description, "offers": offers, "needs": needs, "locality": locality}
    profile |= {"country": country, "naics_code": naics}
    consents = {ConsentKind.DISCOVERABLE: discoverable, ConsentKind.CONTACTABLE: contactable}
    new = NewSubscriber(
        business_name,
        contact_name,
        email,
        phone,
        profile={k: v for k, v in profile.items() if v},
        consents={kind: granted for kind, granted in consents.items() if granted is not None},
    ).checked()
    what = ". ".join(v for v in (new.profile.get("description"), new.profile.get("offers")) if v)
    if not new.profile.get("naics_code") and what:
        best = classifier(layer8)([what])[0]
        if best is not None:
            new.profile["naics_code"], new.profile["naics_title"] = best
    with layer8.db.transaction(ACTOR) as session:
        subscriber = registration.register(session, new, tenant=layer8.settings.tenant, channel="support")
        subscriber_id = subscriber.id
    industry = new.profile.get("naics_code")
    if as_json:
        print_json({"id": subscriber_id, "business_name": new.business_name, "naics_code": industry})
        return
    label = f"{industry} {new.profile.get('naics_title') or ''}".strip() if industry else "not classified"
    console.print(f"added [bold]{new.business_name}[/bold] ({subscriber_id}), industry {label}")


@subscribers_app.command("import")
def subscribers_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A CSV file with a header row ('-' reads standard input)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and classify every row; write nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import subscribers from CSV; rows without naics_code are classified; rejected rows are reported.

    Columns: business_name (required), contact_name, contact_email, contact_phone, discoverable, contactable
    (yes/no) and any profile field. Exits 1 when any row was rejected.
    """
    layer8 = application(ctx)
    rows = _read(file)
    report = import_rows(
        layer8.db, rows, classifier(layer8), tenant=layer8.settings.tenant, actor=ACTOR, dry_run=dry_run
    )
    if as_json:
        print_json({"dry_run": dry_run, **asdict(report)})
    else:
        _print_report(report)
    if report.rejected:
        raise typer.Exit(1)


def _read(file: Path) -> list[tuple[int, dict[str, str]]]:
    if str(file) == "-":
        return read_rows(sys.stdin)
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            return read_rows(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {file}: {exc}", allowed=list(COLUMNS)) from None


def _print_report(report: ImportReport) -> None:
    verb = "would import" if report.dry_run else "imported"
    classified = sum(c.classified for c in report.created)
    console.print(
        f"{verb} {len(report.created)} subscriber(s) ({classified} classified), "
        f"rejected {len(report.rejected)} row(s)"
    )
    created = [
        [
            str(c.line),
            c.subscriber_id or "—",
            c.business_name,
            _industry(c.naics_code, c.naics_title, c.classified),
        ]
        for c in report.created
    ]
    if created:
        print_table(["line", "id", "business", "industry"], created, total=len(created), noun="imported")
    if report.rejected:
        rejected = [[str(r.line), r.business_name or "—", r.reason] for r in report.rejected]
        print_table(
            ["line", "business", "why"], rejected, total=len(rejected), noun="rejected", title="rejected"
        )


def _industry(code: str | None, title: str | None, classified: bool) -> str:
    if not code:
        return "—"
    return f"{code} {title or ''}".strip() + (" (classified)" if classified else "")


def register(app: typer.Typer) -> None:
    """Nothing of its own: ``add`` and ``import`` join ``layer8 subscribers`` (see :mod:`cli.network`)."""
