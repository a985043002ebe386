"""The embedded OSS/BSS: a ledger in Layer8's own database (``bss_ledger``), so a pilot needs no BSS.

Each write is one row keyed by its unique correlation id (``INSERT … ON CONFLICT DO NOTHING``), so
posting the same write twice applies it once, as a well-behaved BSS would.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from network import audit
from network.actor import Actor
from network.db import Database
from network.ids import new_id
from network.models import LedgerEntry, Subscriber
from ossbss.port import CORRELATION_PREFIX, Applied, BillKind, BillWrite, Party

ACTOR = Actor.system("bss-embedded")


class EmbeddedBss:
    """The :class:`ossbss.port.OssBss` port over the ``bss_ledger`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def party(self, party_id: str) -> Party | None:
        return self._subscriber_party(party_id, "organization")

    def customer(self, customer_id: str) -> Party | None:
        return self._subscriber_party(customer_id, "customer")

    def post(self, write: BillWrite) -> Applied:
        with self._db.transaction(ACTOR) as session:
            insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
            statement = (
                insert(LedgerEntry)
                .values(
                    id=new_id("led"),
                    correlation_id=write.correlation_id,
                    kind=write.kind.value,
                    party_id=write.party_id,
                    amount_minor=write.amount_minor,
                    currency=write.currency,
                    payload={"reference_id": write.reference_id, "description": write.description},
                    applied_at=write.occurred_at,
                )
                .on_conflict_do_nothing(index_elements=["correlation_id"])
                .returning(LedgerEntry.id)
            )
            if session.execute(statement).scalar_one_or_none() is not None:
                audit.record(
                    session,
                    "bss.applied",
                    "bss_ledger",
                    write.correlation_id,
                    kind=write.kind.value,
                    amount_minor=write.amount_minor,
                    currency=write.currency,
                )
            entry = _entry(session, write.correlation_id)
            assert entry is not None
            return _applied(entry)

    def find(self, kind: BillKind, correlation_id: str) -> Applied | None:
        with self._db.read() as session:
            entry = _entry(session, correlation_id)
            return _applied(entry) if entry is not None and entry.kind == kind else None

    def bill_items(self) -> list[Applied]:
        with self._db.read() as session:
            rows = session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.correlation_id.startswith(CORRELATION_PREFIX))
                .order_by(LedgerEntry.applied_at, LedgerEntry.id)
            )
            return [_applied(row) for row in rows]

    def _subscriber_party(self, party_id: str, kind: str) -> Party | None:
        with self._db.read() as session:
            subscriber = session.scalars(
                select(Subscriber).where(or_(Subscriber.bss_party_id == party_id, Subscriber.id == party_id))
            ).first()
            if subscriber is None:
                return None
            return Party(id=party_id, name=subscriber.business_name, kind=kind, status=subscriber.status)


def _entry(session: Session, correlation_id: str) -> LedgerEntry | None:
    return session.scalars(select(LedgerEntry).where(LedgerEntry.correlation_id == correlation_id)).first()


def _applied(entry: LedgerEntry) -> Applied:
    return Applied(
        kind=BillKind(entry.kind),
        correlation_id=entry.correlation_id,
        party_id=entry.party_id,
        amount_minor=entry.amount_minor,
        currency=entry.currency,
        external_id=entry.id,
    )
