"""Incentives: the giver of a referral is credited when the receiver records the deal.

``pending`` (waiting out the hold) → ``approved`` (credit and usage record enqueued in the outbox, same
transaction) → ``posted`` (the BSS acknowledged it) → ``confirmed`` (reconciliation saw it on the bill), or
``held`` for a person to review when a fraud check fires, or ``reversed``. A reversal never edits an amount:
it is a new row with the negative amount and ``reversal_of_id``, itself posted when money already left.
Every decision is written to the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from network import audit, states
from network.errors import InvalidInput, NotFound
from network.events import emit
from network.ids import utcnow
from network.models import Deal, Incentive, IncentiveState, OutboxMessage, Subscriber
from network.rows import row_json
from ossbss import outbox
from ossbss.fraud import FraudCheck, Reason
from ossbss.port import BillKind
from ossbss.rewards import RewardBook, RewardRule

logger = logging.getLogger(__name__)
_PAID_OUT = {IncentiveState.APPROVED, IncentiveState.POSTED, IncentiveState.CONFIRMED}


class Incentives:
    def __init__(self, book: RewardBook, clock: Callable[[], datetime] = utcnow) -> None:
        self.book = book
        self.clock = clock
        self.fraud = FraudCheck(book.fraud, clock)

    # --- deal events --------------------------------------------------------------------------------
    def on_deal_recorded(self, session: Session, payload: dict[str, Any]) -> None:
        """Handler of ``deal.recorded`` (runs inside the recording transaction)."""
        self.reward_deal(session, str(payload["deal_id"]))

    def reward_deal(self, session: Session, deal_id: str) -> Incentive | None:
        """The giver's incentive for ``deal_id`` (created once; ``None`` when the deal earns nothing)."""
        deal = session.get(Deal, deal_id)
        if deal is None:
            raise NotFound(f"no deal {deal_id!r}")
        existing = session.scalars(select(Incentive).where(Incentive.deal_id == deal.id)).first()
        if existing is not None:
            return existing
        reasons = self.fraud.reasons(session, deal)
        rule, amount, refusals = self._reward(session, deal)
        if rule is None or amount <= 0:
            audit.record(
                session,
                "incentive.none",
                "deal",
                deal.id,
                reasons=refusals,
                fraud=[r["code"] for r in reasons],
            )
            if not reasons:  # nothing to wait for: the outcome goes to the bill now
                outbox.enqueue(session, outbox.usage_write(session, deal, self.clock()), "deal", deal.id)
            return None
        return self._create(session, deal, rule, amount, reasons)

    def on_deal_voided(self, session: Session, payload: dict[str, Any]) -> None:
        """Handler of ``deal.voided``: every live incentive of the deal is reversed."""
        rows = session.scalars(
            select(Incentive).where(
                Incentive.deal_id == payload["deal_id"], Incentive.reversal_of_id.is_(None)
            )
        )
        for incentive in list(rows):
            if incentive.state != IncentiveState.REVERSED:
                self.reverse(session, incentive.id, "deal voided")

    def _reward(self, session: Session, deal: Deal) -> tuple[RewardRule | None, int, list[str]]:
        giver = session.get(Subscriber, deal.giver_id) if deal.giver_id else None
        today = self.clock().date()
        refusals: list[str] = []
        for rule in self.book.rules:
            refused = rule.eligibility.refusals(deal, giver, today)
            if refused:
                refusals += [f"{rule.id}:{r}" for r in refused]
                continue
            amount = rule.amount(deal.amount_minor, deal.currency)
            cap = rule.cap_per_period.get(deal.currency)
            if cap is not None and deal.giver_id is not None:
                used = self._earned(session, deal.giver_id, rule.id, deal.currency)
                if amount > cap - used:
                    refusals.append(f"{rule.id}:capped")
                    amount = max(0, cap - used)
            return rule, amount, refusals
        return None, 0, refusals

    def _earned(self, session: Session, giver_id: str, rule_id: str, currency: str) -> int:
        since = self.book.period_start(self.clock())
        query = select(func.coalesce(func.sum(Incentive.amount_minor), 0)).where(
            Incentive.beneficiary_id == giver_id,
            Incentive.rule_id == rule_id,
            Incentive.currency == currency,
            Incentive.created_at >= since,
            Incentive.amount_minor > 0,
            Incentive.state != IncentiveState.REVERSED.value,
        )
        return int(session.scalar(query) or 0)

    def _create(
        self, session: Session, deal: Deal, rule: RewardRule, amount: int, reasons: list[Reason]
    ) -> Incentive:
        assert deal.giver_id is not None
        now = self.clock()
        state = IncentiveState.HELD if reasons else IncentiveState.PENDING
        incentive = Incentive(
            tenant=deal.tenant,
            deal_id=deal.id,
            beneficiary_id=deal.giver_id,
            rule_id=rule.id,
            amount_minor=amount,
            currency=deal.currency,
            state=state.value,
            hold_until=now + timedelta(days=rule.hold_days),
            review_reasons=reasons,
            created_at=now,
        )
        session.add(incentive)
        session.flush()
        audit.record(
            session,
            f"incentive.{state.value}",
            "incentive",
            incentive.id,
            deal_id=deal.id,
            rule_id=rule.id,
            amount_minor=amount,
            currency=deal.currency,
            hold_until=incentive.hold_until.isoformat() if incentive.hold_until else None,
            reasons=[r["code"] for r in reasons],
        )
        return incentive

    # --- the hold, reviews, reversals ---------------------------------------------------------------
    def approve_due(self, session: Session) -> list[Incentive]:
        """Pending incentives whose hold is over: checked again for fraud, then approved or held."""
        now = self.clock()
        due = session.scalars(
            select(Incentive)
            .where(Incentive.state == IncentiveState.PENDING.value, Incentive.hold_until <= now)
            .order_by(Incentive.created_at, Incentive.id)
        )
        decided = []
        for incentive in list(due):
            deal = session.get(Deal, incentive.deal_id)
            assert deal is not None
            reasons = self.fraud.reasons(session, deal)
            giver = session.get(Subscriber, incentive.beneficiary_id)
            if giver is None or giver.status != "active":
                reasons.append({"code": "giver_not_active", "detail": "the giver left or was suspended"})
            if reasons:
                self._hold(session, incentive, reasons)
            else:
                self._approve(session, incentive, deal, by="hold_elapsed")
            decided.append(incentive)
        return decided

    def review(
        self, session: Session, incentive_id: str, *, approve: bool, reviewer: str, note: str = ""
    ) -> Incentive:
        """A person's decision on a held incentive: approve (pay now) or reject (reverse)."""
        incentive = self._get(session, incentive_id)
        if incentive.state != IncentiveState.HELD:
            raise InvalidInput(f"incentive {incentive_id} is {incentive.state}; only held ones are reviewed")
        audit.record(
            session, "incentive.reviewed", "incentive", incentive.id, approve=approve, reviewer=reviewer
        )
        if not approve:
            self.reverse(session, incentive_id, note or "rejected on review")
            return incentive
        deal = session.get(Deal, incentive.deal_id)
        assert deal is not None
        self._approve(session, incentive, deal, by=f"review:{reviewer}")
        return incentive

    def approve(self, session: Session, incentive_id: str, *, reviewer: str) -> Incentive:
        """An operator approves a held incentive (a review) or a pending one before its hold ends."""
        incentive = self._get(session, incentive_id)
        if incentive.state == IncentiveState.HELD:
            return self.review(session, incentive_id, approve=True, reviewer=reviewer)
        deal = session.get(Deal, incentive.deal_id)
        assert deal is not None
        self._approve(session, incentive, deal, by=f"operator:{reviewer}")
        return incentive

    def hold(self, session: Session, incentive_id: str, *, reviewer: str, reason: str) -> Incentive:
        """An operator holds a pending incentive for review: it is not paid until approved."""
        incentive = self._get(session, incentive_id)
        self._hold(session, incentive, [{"code": "operator_hold", "detail": f"{reviewer}: {reason}"[:300]}])
        return incentive

    def reverse(self, session: Session, incentive_id: str, reason: str) -> Incentive:
        """Reverse with a new negative row; if the credit was already enqueued or paid, post the reversal."""
        original = self._get(session, incentive_id)
        if original.reversal_of_id is not None:
            raise InvalidInput("a reversal cannot itself be reversed")
        states.check("incentive", original.state, IncentiveState.REVERSED)
        money_left = IncentiveState(original.state) in _PAID_OUT
        reversal = Incentive(
            tenant=original.tenant,
            deal_id=original.deal_id,
            beneficiary_id=original.beneficiary_id,
            rule_id=original.rule_id,
            amount_minor=-original.amount_minor,
            currency=original.currency,
            state=(IncentiveState.APPROVED if money_left else IncentiveState.REVERSED).value,
            review_reasons=[{"code": "reversal", "detail": reason}],
            reversal_of_id=original.id,
            created_at=self.clock(),
        )
        original.state = IncentiveState.REVERSED.value
        session.add(reversal)
        session.flush()
        if money_left:
            outbox.enqueue(
                session, outbox.credit_write(session, reversal, self.clock()), "incentive", reversal.id
            )
        audit.record(
            session,
            "incentive.reversed",
            "incentive",
            original.id,
            reversal_id=reversal.id,
            amount_minor=reversal.amount_minor,
            posted=money_left,
            note=reason,
        )
        emit(session, "incentive.reversed", incentive_id=original.id, reversal_id=reversal.id)
        return reversal

    def _hold(self, session: Session, incentive: Incentive, reasons: list[Reason]) -> None:
        states.check("incentive", incentive.state, IncentiveState.HELD)
        incentive.state = IncentiveState.HELD.value
        incentive.review_reasons = [*incentive.review_reasons, *reasons]
        audit.record(
            session, "incentive.held", "incentive", incentive.id, reasons=[r["code"] for r in reasons]
        )

    def _approve(self, session: Session, incentive: Incentive, deal: Deal, *, by: str) -> None:
        states.check("incentive", incentive.state, IncentiveState.APPROVED)
        now = self.clock()
        incentive.state = IncentiveState.APPROVED.value
        outbox.enqueue(session, outbox.credit_write(session, incentive, now), "incentive", incentive.id)
        outbox.enqueue(session, outbox.usage_write(session, deal, now), "deal", deal.id)
        audit.record(
            session,
            "incentive.approved",
            "incentive",
            incentive.id,
            by=by,
            amount_minor=incentive.amount_minor,
            currency=incentive.currency,
        )
        emit(session, "incentive.approved", incentive_id=incentive.id)

    # --- what the relay and reconciliation learn ------------------------------------------------------
    def on_sent(self, session: Session, message: OutboxMessage) -> None:
        """Relay hook: the BSS acknowledged a credit → its incentive is ``posted``."""
        if message.kind != BillKind.CREDIT or message.aggregate_type != "incentive":
            return
        incentive = session.get(Incentive, message.aggregate_id)
        if incentive is not None and incentive.state == IncentiveState.APPROVED:
            incentive.state = IncentiveState.POSTED.value
            audit.record(
                session, "incentive.posted", "incentive", incentive.id, external_id=message.external_id
            )
            emit(session, "incentive.posted", incentive_id=incentive.id)

    def confirm(self, session: Session, incentive_ids: list[str]) -> int:
        """Reconciliation hook: credits seen on the bill → their incentives are ``confirmed``."""
        confirmed = 0
        for incentive_id in incentive_ids:
            incentive = session.get(Incentive, incentive_id)
            if incentive is not None and incentive.state == IncentiveState.POSTED:
                incentive.state = IncentiveState.CONFIRMED.value
                audit.record(session, "incentive.confirmed", "incentive", incentive.id)
                confirmed += 1
        return confirmed

    def _get(self, session: Session, incentive_id: str) -> Incentive:
        incentive = session.get(Incentive, incentive_id)
        if incentive is None:
            raise NotFound(f"no incentive {incentive_id!r}")
        return incentive


def listed(
    session: Session, state: str | None, beneficiary: str | None, limit: int, offset: int = 0
) -> list[Incentive]:
    """Incentives, newest first, optionally of one state or one beneficiary."""
    query = select(Incentive).order_by(Incentive.created_at.desc(), Incentive.id).limit(limit).offset(offset)
    return list(session.scalars(_filtered(query, state, beneficiary)))


def counted(session: Session, state: str | None, beneficiary: str | None) -> int:
    """How many incentives :func:`listed` pages through."""
    query = _filtered(select(func.count()).select_from(Incentive), state, beneficiary)
    return int(session.scalar(query) or 0)


def _filtered(query: Any, state: str | None, beneficiary: str | None) -> Any:
    if state:
        query = query.where(Incentive.state == state)
    if beneficiary:
        query = query.where(Incentive.beneficiary_id == beneficiary)
    return query


JSON_FIELDS = (
    "id",
    "deal_id",
    "beneficiary_id",
    "rule_id",
    "amount_minor",
    "currency",
    "state",
    "hold_until",
    "review_reasons",
    "reversal_of_id",
    "created_at",
)


def to_json(incentive: Incentive) -> dict[str, Any]:
    return row_json(incentive, JSON_FIELDS)
