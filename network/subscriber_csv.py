"""Importing subscribers from a CSV file (``layer8 subscribers import``).

The header names the columns: ``business_name`` (required), ``contact_name``, ``contact_email``,
``contact_phone``, ``discoverable`` and ``contactable`` (yes/no; left empty, nothing is recorded) and any
profile field (``description``, ``offers``, ``needs``, ``locality``, ``naics_code`` …). A row without a
``naics_code`` is classified from its description and offers by the ``classify`` function the caller passes
(the industry classifier). Each row is registered in its own transaction, so one bad row costs only itself;
every rejected row is reported with its line number and the reason.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from network.actor import Actor
from network.db import Database
from network.errors import InvalidInput, Layer8Error
from network.models import PROFILE_FIELDS, ConsentKind
from network.services.registration import NewSubscriber, already_registered, register

# descriptions → the best (NAICS code, title) of each, or None where nothing fits
Classify = Callable[[Sequence[str]], Sequence[tuple[str, str] | None]]
CONTACT_COLUMNS = ("business_name", "contact_name", "contact_email", "contact_phone")
CONSENT_COLUMNS = {"discoverable": ConsentKind.DISCOVERABLE, "contactable": ConsentKind.CONTACTABLE}
COLUMNS = (*CONTACT_COLUMNS, *CONSENT_COLUMNS, *PROFILE_FIELDS)
ALIASES = {"name": "business_name", "email": "contact_email", "phone": "contact_phone", "naics": "naics_code"}
EXTRA = "_extra"  # where a row's values beyond the header go
_YES, _NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


@dataclass(frozen=True)
class Created:
    line: int
    subscriber_id: str | None  # None on a dry run
    business_name: str
    naics_code: str | None
    naics_title: str | None
    classified: bool


@dataclass(frozen=True)
class Rejected:
    line: int
    business_name: str
    reason: str


@dataclass
class ImportReport:
    created: list[Created] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Row:
    line: int
    new: NewSubscriber
    classified: bool = False


def read_rows(handle: TextIO) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as ``(line number, {column: value})``; refuses a header with unknown columns."""
    reader = csv.DictReader(handle, restkey=EXTRA)
    header = [_column(name) for name in reader.fieldnames or []]
    unknown = sorted(set(header) - set(COLUMNS))
    if "business_name" not in header or unknown:
        raise InvalidInput(
            "the CSV header needs business_name"
            + (f" and has unknown columns: {', '.join(unknown)}" if unknown else ""),
            allowed=list(COLUMNS),
        )
    reader.fieldnames = header
    rows = []
    for raw in reader:
        values = {k: (v or "").strip() for k, v in raw.items() if k != EXTRA and isinstance(v, str | None)}
        rows.append((reader.line_num, values | ({EXTRA: "yes"} if raw.get(EXTRA) else {})))
    return rows


def _column(name: str) -> str:
    key = (name or "").strip().lower().replace(" ", "_")
    return ALIASES.get(key, key)


def parse(values: dict[str, str]) -> NewSubscriber:
    """One row as a checked :class:`NewSubscriber` (:class:`InvalidInput` names the bad value)."""
    if values.get(EXTRA):
        raise InvalidInput("more values than the header has columns")
    consents = {}
    for column, kind in CONSENT_COLUMNS.items():
        answer = values.get(column, "").lower()
        if answer in _YES | _NO:
            consents[kind] = answer in _YES
        elif answer:
            raise InvalidInput(f"{column}: {values[column]!r} is not yes or no")
    profile: dict[str, Any] = {k: v for k, v in values.items() if k in PROFILE_FIELDS and v}
    new = NewSubscriber(
        business_name=values.get("business_name", ""),
        contact_name=values.get("contact_name"),
        contact_email=values.get("contact_email"),
        contact_phone=values.get("contact_phone"),
        profile=profile,
        consents=consents,
    )
    return new.checked()


def import_rows(
    db: Database,
    rows: Iterable[tuple[int, dict[str, str]]],
    classify: Classify,
    *,
    tenant: str,
    actor: Actor,
    dry_run: bool = False,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    parsed: list[_Row] = []
    for line, values in rows:
        try:
            parsed.append(_Row(line, parse(values)))
        except Layer8Error as exc:
            report.rejected.append(Rejected(line, values.get("business_name", ""), exc.message))
    _classify(parsed, classify)
    for row in parsed:
        try:
            subscriber_id = _check(db, row, tenant) if dry_run else _write(db, row, tenant, actor)
        except Layer8Error as exc:
            report.rejected.append(Rejected(row.line, row.new.business_name, exc.message))
            continue
        profile = row.new.profile
        report.created.append(
            Created(
                row.line,
                subscriber_id,
                row.new.business_name,
                profile.get("naics_code"),
                profile.get("naics_title"),
                row.classified,
            )
        )
    report.rejected.sort(key=lambda r: r.line)
    return report


def _classify(rows: list[_Row], classify: Classify) -> None:
    """Give an industry to each row that has none but says what the business does."""
    todo = [r for r in rows if not r.new.profile.get("naics_code") and _what_it_does(r.new)]
    if not todo:
        return
    for row, best in zip(todo, classify([_what_it_does(r.new) for r in todo]), strict=True):
        if best is not None:
            row.new.profile["naics_code"], row.new.profile["naics_title"] = best
            row.classified = True


def _what_it_does(new: NewSubscriber) -> str:
    return ". ".join(str(new.profile[k]) for k in ("description", "offers") if new.profile.get(k))


def _write(db: Database, row: _Row, tenant: str, actor: Actor) -> str:
    with db.transaction(actor) as session:
        return register(session, row.new, tenant=tenant, channel="import").id


def _check(db: Database, row: _Row, tenant: str) -> str | None:
    """A dry run's check of one row: no id, since nothing is written."""
    with db.read() as session:
        existing = already_registered(session, row.new, tenant)
    if existing is not None:
        raise InvalidInput(
            f"{existing.business_name} ({existing.id}) already has this e-mail or phone number"
        )
    return None
