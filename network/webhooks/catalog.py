"""The event types an endpoint may subscribe to, and the domain events they come from.

Each webhook event carries the record's public view (:mod:`network.views`): ids, states, amounts and
dates — never contact details or names. That is what the outbox stores; an endpoint an admin gave the
``contacts`` scope gets more on ``introduction.accepted`` only, added at delivery time
(:mod:`network.webhooks.scopes`). Handlers run inside the transaction that changed the record, so an event is
enqueued exactly when the change commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from network import views
from network.models import Deal, Incentive, Introduction, Referral

EVENT_TYPES = (
    "introduction.requested",
    "introduction.accepted",
    "introduction.declined",
    "introduction.withdrawn",
    "referral.created",
    "referral.updated",
    "deal.recorded",
    "deal.voided",
    "incentive.approved",
    "incentive.posted",
    "incentive.reversed",
    "subscriber.erased",
)


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    resource: str  # the record kind; deliveries are ordered per (endpoint, resource, resource_id)
    resource_id: str
    data: dict[str, Any]


Translate = Callable[[Session, dict[str, Any]], Event | None]


def _introduction(event_type: str | None = None) -> Translate:
    def translate(session: Session, payload: dict[str, Any]) -> Event | None:
        row = session.get(Introduction, payload["introduction_id"])
        if row is None:
            return None
        name = event_type or f"introduction.{row.state}"
        return Event(name, "introduction", row.id, views.introduction(row))

    return translate


def _referral(event_type: str) -> Translate:
    def translate(session: Session, payload: dict[str, Any]) -> Event | None:
        row = session.get(Referral, payload["referral_id"])
        return None if row is None else Event(event_type, "referral", row.id, views.referral(row))

    return translate


def _deal(event_type: str) -> Translate:
    def translate(session: Session, payload: dict[str, Any]) -> Event | None:
        row = session.get(Deal, payload["deal_id"])
        return None if row is None else Event(event_type, "deal", row.id, views.deal(row))

    return translate


def _incentive(event_type: str) -> Translate:
    def translate(session: Session, payload: dict[str, Any]) -> Event | None:
        row = session.get(Incentive, payload["incentive_id"])
        if row is None:
            return None
        data = views.incentive(row)
        if payload.get("reversal_id"):
            data["reversal_id"] = payload["reversal_id"]
        return Event(event_type, "incentive", row.id, data)

    return translate


def _erased(session: Session, payload: dict[str, Any]) -> Event:
    subscriber_id = str(payload["subscriber_id"])
    return Event("subscriber.erased", "subscriber", subscriber_id, {"id": subscriber_id, "status": "erased"})


# domain event (network.events) → how it becomes a webhook event
SOURCES: dict[str, Translate] = {
    "introduction.requested": _introduction("introduction.requested"),
    "introduction.answered": _introduction(),
    "introduction.withdrawn": _introduction("introduction.withdrawn"),
    "referral.logged": _referral("referral.created"),
    "referral.updated": _referral("referral.updated"),
    "deal.recorded": _deal("deal.recorded"),
    "deal.voided": _deal("deal.voided"),
    "incentive.approved": _incentive("incentive.approved"),
    "incentive.posted": _incentive("incentive.posted"),
    "incentive.reversed": _incentive("incentive.reversed"),
    "subscriber.erased": _erased,
}
