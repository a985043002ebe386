"""What a support agent does on a subscriber's behalf, each in one audited unit of work.

Every act runs in ``db.transaction(Actor.agent(agent_id, case_id))`` and first checks, in that same
transaction, that the case is the agent's own open case for this subscriber with a recorded customer
authentication (:func:`~network.services.cases.require_acting_case`). The domain services then apply their
own rules; every row they write is audited with the agent and the case, and one ``on_behalf.*`` event
names the act itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from network import audit, idempotency, sign_in
from network.actor import Actor
from network.db import Database
from network.money import parse_money
from network.services import deals, introductions, profiles, referrals
from network.services.cases import require_acting_case
from network.sign_in import IssuedSignIn

T = TypeVar("T")
EDITABLE = (
    "description",
    "offers",
    "needs",
    "ideal_customers",
    "bottlenecks",
    "goals",
    "interests",
    "naics_code",
    "naics_title",
    "locality",
    "region",
    "employees",
    "growth_stage",
    "languages",
)

LABELS = {
    "naics_code": "Industry code (NAICS)",
    "naics_title": "Industry",
    "ideal_customers": "Ideal customers",
    "growth_stage": "Growth stage",
}


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IntroductionRequest(_Form):
    target_id: str = Field(min_length=1, max_length=40)
    message: str | None = Field(default=None, max_length=500)


class IntroductionAnswer(_Form):
    introduction_id: str = Field(min_length=1, max_length=40)
    accept: bool


class ReferralInput(_Form):
    receiver_id: str = Field(min_length=1, max_length=40)
    prospect_subscriber_id: str | None = Field(default=None, max_length=40)
    prospect_name: str | None = Field(default=None, max_length=200)
    prospect_contact: str | None = Field(default=None, max_length=254)
    prospect_agreed: bool = False
    hotness: int = Field(default=3, ge=1, le=5)
    note: str | None = Field(default=None, max_length=2000)


class DealInput(_Form):
    source: str = Field(min_length=3, max_length=60, description="referral:<id> or introduction:<id>")
    amount: str = Field(min_length=1, max_length=24)
    currency: str = Field(min_length=3, max_length=3)
    closed_on: date
    description: str | None = Field(default=None, max_length=500)
    idempotency_key: str = Field(min_length=8, max_length=80)


class OnBehalf:
    """The acts, bound to one agent and case for one subscriber."""

    def __init__(self, db: Database, agent_id: str, case_id: str | None, subscriber_id: str) -> None:
        self.db = db
        self.agent_id = agent_id
        self.case_id = case_id
        self.subscriber_id = subscriber_id

    def _act(self, name: str, work: Callable[[Session], T], **data: Any) -> T:
        actor = Actor.agent(self.agent_id, self.case_id or "")
        with self.db.transaction(actor) as session:
            require_acting_case(session, self.agent_id, self.case_id, self.subscriber_id)
            result = work(session)
            done = session.info.pop("on_behalf_act", name)  # a retried deal says so
            audit.record(session, f"on_behalf.{done}", "subscribers", self.subscriber_id, **data)
            return result

    def sign_in_code(self, ttl: timedelta) -> IssuedSignIn:
        """A one-time web chat code for the (authenticated) customer, to read out to them; never stored."""

        def work(session: Session) -> IssuedSignIn:
            return sign_in.issue_for_subscriber(
                session, self.subscriber_id, issued_by=self.agent_id, sent_via="console", ttl=ttl
            )

        return self._act("sign_in_code", work)

    def update_profile(self, values: dict[str, str | None]) -> list[str]:
        """Apply the fields that changed; returns their names."""

        def work(session: Session) -> list[str]:
            profile = profiles.get_profile(session, self.subscriber_id)
            changes = {
                name: value
                for name, value in values.items()
                if name in EDITABLE and _differs(getattr(profile, name), value)
            }
            if changes:
                profiles.update_profile(session, self.subscriber_id, changes)
            return sorted(changes)

        return self._act("profile_updated", work)

    def request_introduction(self, form: IntroductionRequest) -> str:
        def work(session: Session) -> str:
            intro = introductions.request(
                session, self.subscriber_id, form.target_id, message=form.message or None
            )
            return intro.id

        return self._act("introduction_requested", work, other_subscriber=form.target_id)

    def answer_introduction(self, form: IntroductionAnswer) -> str:
        def work(session: Session) -> str:
            intro = introductions.respond(
                session, self.subscriber_id, form.introduction_id, accept=form.accept
            )
            return intro.state

        return self._act("introduction_answered", work, introduction_id=form.introduction_id)

    def log_referral(self, form: ReferralInput) -> str:
        def work(session: Session) -> str:
            referral = referrals.log_referral(
                session,
                self.subscriber_id,
                form.receiver_id,
                prospect_subscriber_id=form.prospect_subscriber_id or None,
                prospect_name=form.prospect_name or None,
                prospect_contact=form.prospect_contact or None,
                prospect_agreed=form.prospect_agreed,
                hotness=form.hotness,
                note=form.note or None,
            )
            return referral.id

        return self._act("referral_logged", work, other_subscriber=form.receiver_id)

    def record_deal(self, form: DealInput) -> str:
        kind, _, source_id = form.source.partition(":")
        money = parse_money(form.amount, form.currency)

        key = f"console:{self.subscriber_id}:{form.idempotency_key}"

        def work(session: Session) -> str:
            if idempotency.seen(session, "deal", key):
                session.info["on_behalf_act"] = "deal_retried"
            result = deals.record_deal_once(
                session,
                key,
                receiver_id=self.subscriber_id,
                money=money,
                closed_on=form.closed_on,
                recorded_by=f"agent:{self.agent_id}",
                referral_id=source_id if kind == "referral" else None,
                introduction_id=source_id if kind == "introduction" else None,
                description=form.description or None,
            )
            return str(result["deal_id"])

        return self._act(
            "deal_recorded",
            work,
            amount_minor=money.amount_minor,
            currency=money.currency,
            source=form.source,
        )


def _differs(current: Any, value: str | None) -> bool:
    if current is None or current == "":
        return bool(value)
    return str(current) != (value or "")
