"""Declarative base, shared column types and the enums of the records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

from network.ids import new_id

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both databases (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Layer8 stores timezone-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


Id = String(40)


class IntroductionState(StrEnum):
    SUGGESTED = "suggested"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # taken back by the requester, or a party left the network (erasure)


class ReferralState(StrEnum):
    OPEN = "open"
    CONTACTED = "contacted"
    MEETING = "meeting"
    WON = "won"
    LOST = "lost"
    WITHDRAWN = "withdrawn"  # a party left the network (erasure)


class DealState(StrEnum):
    RECORDED = "recorded"
    DISPUTED = "disputed"
    VOIDED = "voided"


class IncentiveState(StrEnum):
    PENDING = "pending"
    HELD = "held"  # held for review by a fraud check; never paid until approved
    APPROVED = "approved"
    POSTED = "posted"
    CONFIRMED = "confirmed"
    REVERSED = "reversed"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class PendingActionState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class GrowthStage(StrEnum):
    STARTUP = "startup"
    GROWING = "growing"
    ESTABLISHED = "established"
    MATURE = "mature"


class ConsentKind(StrEnum):
    DISCOVERABLE = "discoverable"
    CONTACTABLE = "contactable"


class Role(StrEnum):
    SUBSCRIBER = "subscriber"
    AGENT = "agent"
    ADMIN = "admin"
    SYSTEM = "system"


def id_factory(prefix: str) -> Callable[[], str]:
    """A column default producing ``prefix_<16 hex>`` ids."""

    def make() -> str:
        return new_id(prefix)

    return make
