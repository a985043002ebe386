"""Erasure end to end: the records (:mod:`network.services.erasure`), then every store's files, then a check.

After the transaction commits (the vector index is erased by its ``subscriber.erased`` handler), the
database files are compacted and every store is searched for the erased subscriber's traces — their contact
data and their own text. What is found is reported (never the text itself), so an operator knows whether
the erasure holds. The audit trail is untouched and keeps verifying.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import JSON, String, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from network.actor import Actor
from network.db import Database
from network.file_traces import files_holding
from network.models import AuditEvent, Base
from network.services.erasure import erase_subscriber

logger = logging.getLogger(__name__)


class TraceStore(Protocol):
    """A store that can say where text of an erased subscriber is still held (e.g. the vector index)."""

    def holding(self, traces: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True)
class ErasureReport:
    subscriber_id: str
    withdrawn: int
    remaining: tuple[str, ...]  # where a trace was still found: empty when the erasure is verified

    @property
    def verified(self) -> bool:
        return not self.remaining


class Eraser:
    def __init__(self, db: Database, stores: Sequence[TraceStore] = ()) -> None:
        self.db = db
        self.stores = stores

    def erase(self, subscriber_id: str, *, actor: Actor, reason: str | None = None) -> ErasureReport:
        with self.db.transaction(actor) as session:
            erased = erase_subscriber(session, subscriber_id, reason=reason)
        self.db.compact([table.name for table in Base.metadata.sorted_tables])
        remaining = [*database_holding(self.db, erased.traces)]
        for store in self.stores:
            remaining += store.holding(erased.traces)
        if remaining:
            logger.warning("erasure of %s: traces remain in %d places", subscriber_id, len(remaining))
        else:
            logger.info("erasure of %s verified in the records and every store", subscriber_id)
        return ErasureReport(erased.subscriber_id, erased.withdrawn, tuple(remaining))


def database_holding(db: Database, traces: Sequence[str]) -> list[str]:
    """Columns (``table.column``) and files that still hold a trace."""
    with db.read() as session:
        found = columns_holding(session, traces)
    return found + [str(path) for path in files_holding(db.files(), traces)]


def columns_holding(session: Session, traces: Sequence[str]) -> list[str]:
    """Every text or JSON column of every table but the audit trail, searched for the traces."""
    if not traces:
        return []
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name == AuditEvent.__tablename__:
            continue
        for column in table.columns:
            if not isinstance(column.type, (String, Text, JSON)):
                continue
            hit = or_(*(cast(column, Text).contains(t, autoescape=True) for t in traces))
            if session.scalar(select(func.count()).select_from(table).where(hit)):
                found.append(f"{table.name}.{column.name}")
    return found
