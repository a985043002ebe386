"""The quick commands a channel offers beside conversation (Slack's ``/layer8 …``): answered from the
records without the language model, privately."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.messages import ListItem, OutboundReply
from channels import texts
from network import sign_in
from network.actor import Actor
from network.db import Database
from network.directory import business_names
from network.services import profiles, referrals

logger = logging.getLogger(__name__)

COMMANDS = ("help", "profile", "matches", "referrals", "signin")
_LABELS = {
    "description": "About",
    "offers": "Offers",
    "needs": "Needs",
    "ideal_customers": "Ideal customers",
    "bottlenecks": "Bottlenecks",
    "goals": "Goals",
    "naics_title": "Industry",
    "locality": "Where",
    "service_radius_km": "Serves within (km)",
    "employees": "Employees",
    "growth_stage": "Stage",
    "languages": "Languages",
}


class MatchSource(Protocol):
    """``retrieval.matching.Matcher``: suggestions with ``business_name`` and ``reasons``."""

    def suggest(self, subscriber_id: str, top: int = 5) -> Sequence[Any]: ...


@dataclass
class Commands:
    db: Database
    matcher: Callable[[], MatchSource]

    def run(self, name: str, subscriber_id: str) -> OutboundReply:
        if name == "help":
            return OutboundReply(texts.SLASH_HELP, private=True)
        if name == "profile":
            return self.profile(subscriber_id)
        if name == "matches":
            return self.matches(subscriber_id)
        if name == "referrals":
            return self.referrals(subscriber_id)
        if name == "signin":
            return self.sign_in_code(subscriber_id)
        return OutboundReply(texts.UNSUPPORTED_COMMAND, private=True)

    def profile(self, subscriber_id: str) -> OutboundReply:
        with self.db.transaction() as session:
            business = business_names(session, [subscriber_id]).get(subscriber_id, "")
            profile = profiles.get_profile(session, subscriber_id)
            lines = [
                f"• {label}: {value}"
                for name, label in _LABELS.items()
                if (value := getattr(profile, name, None)) not in (None, "")
            ]
        if not lines:
            return OutboundReply(texts.NO_PROFILE, private=True)
        return OutboundReply(
            "\n".join([texts.PROFILE_HEADER.format(business=business), *lines]), private=True
        )

    def matches(self, subscriber_id: str) -> OutboundReply:
        suggestions = self.matcher().suggest(subscriber_id, top=5)
        if not suggestions:
            return OutboundReply(texts.NO_MATCHES, private=True)
        items = [
            ListItem(
                id=str(s.subscriber_id),
                title=str(s.business_name),
                description="; ".join(s.reasons[:2])[:200],
            )
            for s in suggestions
        ]
        return OutboundReply(texts.MATCHES_HEADER, items=items, private=True)

    def sign_in_code(self, subscriber_id: str) -> OutboundReply:
        """A one-time web chat code, shown only to this (already linked, verified) Slack user."""
        with self.db.transaction(Actor.subscriber(subscriber_id)) as session:
            issued = sign_in.issue_for_subscriber(
                session, subscriber_id, issued_by="slack", sent_via="slack", ttl=sign_in.DEFAULT_TTL
            )
        minutes = int(sign_in.DEFAULT_TTL.total_seconds() // 60)
        return OutboundReply(texts.SIGN_IN_CODE.format(code=issued.code, minutes=minutes), private=True)

    def referrals(self, subscriber_id: str) -> OutboundReply:
        with self.db.read() as session:
            rows = referrals.list_referrals(session, subscriber_id, limit=10)
            ids = {r.giver_id for r in rows} | {r.receiver_id for r in rows}
            names = business_names(session, ids)
            lines = [_referral_line(r, subscriber_id, names) for r in rows]
        if not lines:
            return OutboundReply(texts.NO_REFERRALS, private=True)
        return OutboundReply("\n".join([texts.REFERRALS_HEADER, *lines]), private=True)


def _referral_line(row: Any, me: str, names: dict[str, str]) -> str:
    gave = row.giver_id == me
    other = names.get(row.receiver_id if gave else row.giver_id, "?")
    template = texts.REFERRAL_GAVE if gave else texts.REFERRAL_RECEIVED
    prospect = f" ({row.prospect_name})" if row.prospect_name else ""
    return "• " + template.format(other=other, prospect=prospect, state=row.state)
