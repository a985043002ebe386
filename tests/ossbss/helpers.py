"""Builders and checks shared by the OSS/BSS tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from network.db import Database
from network.models import Deal, Referral, Subscriber
from network.money import Money
from network.services.deals import fingerprint
from ossbss.tmf.schemas import Api, errors, undeclared

# the one property we add to TMF resources, by TM Forum's sub-classing pattern (@type/@baseType)
EXTENSIONS = frozenset({"correlationId"})


@dataclass
class SchemaCheck:
    """Validates every body sent and every resource parsed; remembers which definitions it saw."""

    seen: dict[str, int] = field(default_factory=dict)

    def __call__(self, api: Api, definition: str, instance: object) -> None:
        problems = errors(api, definition, instance)
        assert not problems, f"{api} {definition} violates the official schema: {problems}"
        if definition.endswith("_Create"):
            extra = undeclared(api, definition, instance, EXTENSIONS)
            assert not extra, f"{api} {definition} carries undeclared properties {extra}"
        key = f"{api.value}:{definition}"
        self.seen[key] = self.seen.get(key, 0) + 1


class Clock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def subscribers(db: Database, *names: str, party_ids: bool = True) -> list[str]:
    ids = []
    with db.transaction() as session:
        for index, name in enumerate(names):
            party = f"party-{name.lower()}" if party_ids and index % 2 == 0 else None
            sub = Subscriber(business_name=name, bss_party_id=party)
            session.add(sub)
            session.flush()
            ids.append(sub.id)
    return ids


def add_deal(
    session: Session,
    giver: str,
    receiver: str,
    amount_minor: int = 240_000,
    currency: str = "GBP",
    *,
    closed_on: date | None = None,
    created_at: datetime | None = None,
    prospect: str | None = None,
) -> Deal:
    """A referral and its deal, written directly (what the deal service does before it emits the event)."""
    when = created_at or datetime.now(UTC)
    closed = closed_on or when.date()
    referral = Referral(
        giver_id=giver,
        receiver_id=receiver,
        state="won",
        hotness=3,
        created_at=when,
        prospect_subscriber_id=prospect,
    )
    session.add(referral)
    session.flush()
    deal = Deal(
        referral_id=referral.id,
        receiver_id=receiver,
        giver_id=giver,
        recorded_by=f"subscriber:{receiver}",
        amount_minor=amount_minor,
        currency=currency,
        closed_on=closed,
        fingerprint=fingerprint(receiver, giver, Money(amount_minor, currency), closed),
        created_at=when,
    )
    session.add(deal)
    session.flush()
    return deal
