"""What the console's subscriber page shows, read in one session: the directory's private views plus the
subscriber's records, cases, conversations and audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network import directory
from network.actor import Actor
from network.directory import ProfileView, SubscriberView
from network.models import (
    AuditEvent,
    ConsentRecord,
    Conversation,
    Deal,
    Incentive,
    Introduction,
    IntroductionState,
    PendingAction,
    Referral,
    ReferralState,
    Subscriber,
    SupportCase,
)
from network.money import Money
from network.services import cases as case_rules
from network.services import consent, deals, introductions, referrals
from network.services.handoffs import recent_conversations

AUDIT_LIMIT = 60


@dataclass
class SubscriberPage:
    view: SubscriberView
    profile: ProfileView
    consent_history: list[ConsentRecord]
    introductions: list[Introduction]
    referrals: list[Referral]
    deals: list[Deal]
    incentives: list[Incentive]
    conversations: list[Conversation]
    cases: list[SupportCase]
    my_case: SupportCase | None
    audit: list[AuditEvent]
    names: dict[str, str] = field(default_factory=dict)

    @property
    def can_act(self) -> bool:
        return self.my_case is not None and bool(self.my_case.customer_authenticated_by)

    @property
    def answerable(self) -> list[Introduction]:
        """Introduction requests waiting for this subscriber's answer."""
        return [
            i
            for i in self.introductions
            if i.target_id == self.view.id and i.state == IntroductionState.REQUESTED.value
        ]

    @property
    def deal_sources(self) -> list[tuple[str, str]]:
        """``(value, label)`` of what a deal can come from: referrals received, accepted introductions."""
        options = [
            (f"referral:{r.id}", f"Referral from {self.name(r.giver_id)} ({r.state})")
            for r in self.referrals
            if r.receiver_id == self.view.id and r.state != ReferralState.LOST.value
        ]
        options += [
            (f"introduction:{i.id}", f"Introduction with {self.name(self.other(i))}")
            for i in self.introductions
            if i.state == IntroductionState.ACCEPTED.value
        ]
        return options

    def name(self, subscriber_id: str | None) -> str:
        if not subscriber_id:
            return "—"
        return self.names.get(subscriber_id, subscriber_id)

    def other(self, intro: Introduction) -> str:
        return intro.target_id if intro.requester_id == self.view.id else intro.requester_id


def subscriber_page(
    session: Session, subscriber_id: str, *, agent_id: str, viewer: Actor, tenant: str | None
) -> SubscriberPage:
    view = directory.get_subscriber(session, subscriber_id, viewer=viewer, tenant=tenant)
    intros = introductions.for_subscriber(session, subscriber_id, include_suggested=True)[:50]
    refs = referrals.list_referrals(session, subscriber_id, limit=50)
    closed = deals.for_subscriber(session, subscriber_id)[:50]
    rewards = list(
        session.scalars(
            select(Incentive)
            .where(Incentive.beneficiary_id == subscriber_id)
            .order_by(Incentive.created_at.desc())
            .limit(50)
        )
    )
    mine = case_rules.open_cases(session, agent_id, subscriber_id)
    page = SubscriberPage(
        view=view,
        profile=directory.profile_view(session, subscriber_id, viewer=viewer, tenant=tenant),
        consent_history=consent.history(session, subscriber_id),
        introductions=intros,
        referrals=refs,
        deals=closed,
        incentives=rewards,
        conversations=recent_conversations(session, subscriber_id),
        cases=case_rules.cases_of(session, subscriber_id),
        my_case=mine[0] if mine else None,
        audit=[],
    )
    page.audit = audit_trail(session, subscriber_id, page)
    page.names = _names(session, page)
    return page


def audit_trail(session: Session, subscriber_id: str, page: SubscriberPage) -> list[AuditEvent]:
    """Events about the subscriber or its records, by it, or in one of its cases; newest first."""
    records: list[Any] = [
        *page.consent_history,
        *page.introductions,
        *page.referrals,
        *page.deals,
        *page.incentives,
        *page.conversations,
        *page.cases,
    ]
    targets = {subscriber_id, *(str(r.id) for r in records)}
    case_ids = [c.id for c in page.cases]
    query = (
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.target_id.in_(targets),
                AuditEvent.case_id.in_(case_ids),
                AuditEvent.actor_id == subscriber_id,
            )
        )
        .order_by(AuditEvent.seq.desc())
        .limit(AUDIT_LIMIT)
    )
    return list(session.scalars(query))


def _names(session: Session, page: SubscriberPage) -> dict[str, str]:
    ids: set[str] = {page.view.id}
    for intro in page.introductions:
        ids |= {intro.requester_id, intro.target_id}
    for referral in page.referrals:
        ids |= {referral.giver_id, referral.receiver_id, referral.prospect_subscriber_id or ""}
    for deal in page.deals:
        ids |= {deal.receiver_id, deal.giver_id or ""}
    ids.discard("")
    rows = session.execute(select(Subscriber.id, Subscriber.business_name).where(Subscriber.id.in_(ids)))
    return {sid: name for sid, name in rows.tuples()}


@dataclass
class CustomerPanel:
    """What an agent sees beside a conversation: who the customer is, their network, what waits on them."""

    view: SubscriberView
    profile: ProfileView
    introductions: list[Introduction]
    deals: list[Deal]
    open_actions: list[PendingAction]
    names: dict[str, str]

    @property
    def waiting_for_answer(self) -> list[Introduction]:
        return [i for i in self.introductions if i.target_id == self.view.id and i.state == "requested"]

    def other(self, intro: Introduction) -> str:
        other_id = intro.target_id if intro.requester_id == self.view.id else intro.requester_id
        return self.names.get(other_id, other_id)


def customer_panel(
    session: Session, subscriber_id: str, *, viewer: Actor, tenant: str | None
) -> CustomerPanel:
    intros = introductions.for_subscriber(session, subscriber_id)[:10]
    closed = deals.for_subscriber(session, subscriber_id)[:5]
    waiting = session.scalars(
        select(PendingAction)
        .where(PendingAction.subscriber_id == subscriber_id, PendingAction.state == "pending")
        .order_by(PendingAction.created_at.desc())
        .limit(10)
    )
    ids = {i for intro in intros for i in (intro.requester_id, intro.target_id)}
    rows = session.execute(select(Subscriber.id, Subscriber.business_name).where(Subscriber.id.in_(ids)))
    return CustomerPanel(
        view=directory.get_subscriber(session, subscriber_id, viewer=viewer, tenant=tenant),
        profile=directory.profile_view(session, subscriber_id, viewer=viewer, tenant=tenant),
        introductions=intros,
        deals=closed,
        open_actions=list(waiting),
        names=dict(rows.tuples().all()),
    )


def money(amount_minor: int, currency: str) -> str:
    return Money(int(amount_minor), currency).format()
