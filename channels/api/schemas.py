"""The JSON shapes of the integration API's records (for validation and the OpenAPI document).

They mirror :mod:`network.views`: ids, states, amounts in integer minor units with an ISO 4217 code, and
times in ISO 8601 UTC — never contact details, except a referral's prospect shown to its two parties.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class Introduction(BaseModel):
    id: str
    state: str = Field(description="requested, accepted, declined, withdrawn or expired")
    requester_id: str
    target_id: str
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None


class Referral(BaseModel):
    id: str
    state: str = Field(description="open, contacted, meeting, won or lost")
    giver_id: str
    receiver_id: str
    prospect_subscriber_id: str | None
    introduction_id: str | None
    hotness: int
    created_at: datetime
    updated_at: datetime
    prospect_name: str | None = Field(default=None, description="Only to the giver and the receiver.")
    prospect_contact: str | None = Field(
        default=None, description="Only to the two parties, and only when the prospect agreed."
    )


class Deal(BaseModel):
    id: str
    state: str = Field(description="recorded, disputed or voided")
    receiver_id: str
    giver_id: str | None
    referral_id: str | None
    introduction_id: str | None
    amount_minor: int = Field(description="Integer minor units (pence, cents) of `currency`.")
    currency: str = Field(description="ISO 4217")
    closed_on: date
    recorded_by: str
    created_at: datetime


class Incentive(BaseModel):
    id: str
    state: str = Field(description="pending, held, approved, posted, confirmed or reversed")
    deal_id: str
    beneficiary_id: str
    rule_id: str
    amount_minor: int = Field(description="Negative for a reversal entry.")
    currency: str
    hold_until: datetime | None
    reversal_of_id: str | None
    created_at: datetime
    updated_at: datetime


class Case(BaseModel):
    id: str
    agent_id: str
    subscriber_id: str
    reason: str
    customer_authenticated_by: str | None
    opened_at: datetime
    closed_at: datetime | None


class Handoff(BaseModel):
    conversation_id: str
    subscriber_id: str
    business_name: str
    channel: str
    reason: str | None
    summary: str | None
    agent_id: str | None
    updated_at: datetime


class WebhookEndpoint(BaseModel):
    id: str
    url: str
    description: str | None
    event_types: list[str]
    scopes: list[str] = Field(
        default_factory=list,
        description="What it receives beyond ids and states: `contacts` adds the parties' contact cards "
        "to `introduction.accepted`. Empty unless an admin asked for it.",
    )
    state: str = Field(description="active or disabled (by an admin, or after failing for days)")
    disabled_reason: str | None
    consecutive_failures: int
    created_at: datetime


class NewWebhookEndpoint(WebhookEndpoint):
    secret: str = Field(description="The signing secret (`whsec_…`). Shown only now: store it.")


class Delivery(BaseModel):
    id: str
    state: str = Field(description="pending, sent or dead")
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    endpoint_id: str | None
    message_id: str | None = Field(description="The `webhook-id` header: the same on every retry and replay.")
    event_type: str | None
    resource: str
    resource_id: str


class Attempt(BaseModel):
    id: str
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int
    at: datetime


class DeliveryDetail(Delivery):
    attempts_log: list[Attempt]


def endpoint_json(row: Any, *, with_secret: bool = False) -> dict[str, Any]:
    view = {
        "id": row.id,
        "url": row.url,
        "description": row.description,
        "event_types": list(row.event_types),
        "scopes": list(row.scopes or []),
        "state": row.state,
        "disabled_reason": row.disabled_reason,
        "consecutive_failures": row.consecutive_failures,
        "created_at": row.created_at,
    }
    if with_secret:
        view["secret"] = row.secret
    return view
