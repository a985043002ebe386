"""The referral economy's records as JSON-ready dicts for other systems (the API and webhook payloads).

Ids, states, amounts and dates only: no business names, no contact details, no free text written about
other people. A referral's prospect is shown by name (and contact, when agreed) only to its two parties.
"""

from __future__ import annotations

from typing import Any

from network.models import Deal, Incentive, Introduction, Referral, SupportCase
from network.rows import row_json

INTRODUCTION_FIELDS = (
    "id",
    "state",
    "requester_id",
    "target_id",
    "created_at",
    "updated_at",
    "decided_at",
)
REFERRAL_FIELDS = (
    "id",
    "state",
    "giver_id",
    "receiver_id",
    "prospect_subscriber_id",
    "introduction_id",
    "hotness",
    "created_at",
    "updated_at",
)
DEAL_FIELDS = (
    "id",
    "state",
    "receiver_id",
    "giver_id",
    "referral_id",
    "introduction_id",
    "amount_minor",
    "currency",
    "closed_on",
    "recorded_by",
    "created_at",
)
INCENTIVE_FIELDS = (
    "id",
    "state",
    "deal_id",
    "beneficiary_id",
    "rule_id",
    "amount_minor",
    "currency",
    "hold_until",
    "reversal_of_id",
    "created_at",
    "updated_at",
)
CASE_FIELDS = (
    "id",
    "agent_id",
    "subscriber_id",
    "reason",
    "customer_authenticated_by",
    "opened_at",
    "closed_at",
)


def introduction(row: Introduction) -> dict[str, Any]:
    return row_json(row, INTRODUCTION_FIELDS)


def referral(row: Referral, *, party: bool = False) -> dict[str, Any]:
    """``party``: the viewer is the giver or the receiver, who may see whom the referral is about."""
    view = row_json(row, REFERRAL_FIELDS)
    if party:
        view["prospect_name"] = row.prospect_name
        view["prospect_contact"] = row.prospect_contact if row.prospect_agreed else None
    return view


def deal(row: Deal) -> dict[str, Any]:
    return row_json(row, DEAL_FIELDS)


def incentive(row: Incentive) -> dict[str, Any]:
    return row_json(row, INCENTIVE_FIELDS)


def case(row: SupportCase) -> dict[str, Any]:
    return row_json(row, CASE_FIELDS)
