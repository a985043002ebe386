"""The operator's outcomes: subscribers who left the operator (churn) and Net Promoter Score answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.ids import utcnow
from network.models.base import Base, Id, id_factory


class ChurnEvent(Base):
    """A subscriber left the operator (the BSS ended or deleted their customer): one row per departure.

    ``engaged`` is whether they were engaged in the 90 days before leaving (see :mod:`network.outcomes`),
    kept as it was then, so later erasure of their activity does not rewrite history.
    """

    __tablename__ = "churn_events"
    __table_args__ = (UniqueConstraint("subscriber_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("chu"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(40))  # "terminated" | "deleted" | "not_in_bss" | …
    source: Mapped[str] = mapped_column(String(40))  # "sync" | "listener" | "seed"
    bss_customer_id: Mapped[str | None] = mapped_column(String(64))
    engaged: Mapped[bool] = mapped_column(default=False)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    counterparts: Mapped[list[Any]] = mapped_column(default=list)  # subscriber ids told of the departure


class NpsResponse(Base):
    """One NPS survey put to a subscriber: ``asked → scored → answered``, or ``dismissed``.

    The response rate is answered-or-scored surveys over surveys asked; ``score`` is 0–10.
    """

    __tablename__ = "nps_responses"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=id_factory("nps"))
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="asked", index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    scored_at: Mapped[datetime | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
