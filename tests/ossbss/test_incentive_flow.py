"""A recorded deal → incentive → hold → outbox → relay → bill → reconciliation, on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from network.actor import Actor
from network.db import Database
from network.models import AuditEvent, Incentive, LedgerEntry, OutboxMessage
from network.money import parse_money
from network.services import deals, referrals
from ossbss.embedded import EmbeddedBss
from ossbss.incentives import Incentives
from ossbss.reconcile import reconcile
from ossbss.relay import Relay
from ossbss.rewards import load_rules
from tests.ossbss.helpers import Clock, add_deal, subscribers


def _wire(db: Database, clock: Clock) -> Incentives:
    incentives = Incentives(load_rules(), clock)
    db.events.subscribe("deal.recorded", incentives.on_deal_recorded)
    return incentives


def _actions(db: Database, target: str) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == target)))


def test_a_deal_becomes_one_credit_for_the_giver_and_one_usage_record(db: Database) -> None:
    clock = Clock()
    incentives = _wire(db, clock)
    giver, receiver, prospect = subscribers(db, "Bob", "Acme", "Jane")
    with db.transaction(Actor.subscriber(giver)) as session:
        referral = referrals.log_referral(session, giver, receiver, prospect_subscriber_id=prospect)
    with db.transaction(Actor.subscriber(receiver)) as session:
        deal = deals.record_deal(
            session,
            receiver,
            parse_money("2400", "GBP"),
            closed_on=clock.now.date(),
            recorded_by=f"subscriber:{receiver}",
            referral_id=referral.id,
        )
    with db.read() as session:
        incentive = session.scalars(select(Incentive)).one()
        assert (incentive.beneficiary_id, incentive.state) == (giver, "pending")
        assert incentive.amount_minor == 500 + 6000  # flat £5 + 2.5% of £2,400
        incentive_id = incentive.id
        assert session.scalars(select(OutboxMessage)).all() == []  # nothing leaves during the hold

    bss = EmbeddedBss(db)
    relay = Relay(db, bss, on_sent=incentives.on_sent, clock=clock)
    clock.advance(days=29)
    with db.transaction() as session:
        assert incentives.approve_due(session) == []
    clock.advance(days=1, seconds=1)
    with db.transaction() as session:
        assert [i.state for i in incentives.approve_due(session)] == ["approved"]
    assert len(relay.run_once().sent) == 2
    result = reconcile(db, bss, confirm=incentives.confirm)
    assert result.clean and len(result.matched) == 2 and result.confirmed == 1
    with db.read() as session:
        ledger = {e.kind: (e.amount_minor, e.party_id) for e in session.scalars(select(LedgerEntry))}
        assert session.get(Incentive, incentive_id).state == "confirmed"  # type: ignore[union-attr]
    assert ledger["credit"] == (6500, "party-bob")
    assert ledger["usage"] == (240_000, receiver)  # Acme has no BSS party id: its subscriber id stands in
    decisions = [a for a in _actions(db, incentive_id) if a.startswith("incentive.")]
    assert decisions == ["incentive.pending", "incentive.approved", "incentive.posted", "incentive.confirmed"]
    assert "incentive.none" not in _actions(db, deal.id)


def test_a_reversal_is_a_new_negative_row_posted_when_the_money_had_left(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    giver, receiver = subscribers(db, "Bob", "Acme")
    with db.transaction() as session:
        deal = add_deal(session, giver, receiver, created_at=clock.now)
        incentive = incentives.reward_deal(session, deal.id)
        assert incentive is not None
    clock.advance(days=31)
    bss = EmbeddedBss(db)
    relay = Relay(db, bss, on_sent=incentives.on_sent, clock=clock)
    with db.transaction() as session:
        incentives.approve_due(session)
    relay.run_once()
    with db.transaction() as session:
        reversal = incentives.reverse(session, incentive.id, "deal disputed")
    relay.run_once()
    assert reconcile(db, bss, confirm=incentives.confirm).clean
    with db.read() as session:
        original = session.get(Incentive, incentive.id)
        negative = session.get(Incentive, reversal.id)
        assert original is not None and negative is not None
        assert (original.state, original.amount_minor) == ("reversed", 6500)  # the amount is never edited
        assert (negative.state, negative.amount_minor) == ("confirmed", -6500)
        assert negative.reversal_of_id == incentive.id
        credits = session.scalars(select(LedgerEntry.amount_minor).where(LedgerEntry.kind == "credit"))
        assert sorted(credits) == [-6500, 6500]


def test_reversing_during_the_hold_posts_nothing(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    giver, receiver = subscribers(db, "Bob", "Acme")
    with db.transaction() as session:
        incentive = incentives.reward_deal(session, add_deal(session, giver, receiver).id)
        assert incentive is not None
        reversal = incentives.reverse(session, incentive.id, "deal voided")
        assert reversal.state == "reversed" and reversal.amount_minor == -incentive.amount_minor
        assert session.scalars(select(OutboxMessage)).all() == []


def test_small_deals_earn_nothing_but_their_outcome_still_reaches_the_bill(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    giver, receiver = subscribers(db, "Bob", "Acme")
    with db.transaction() as session:
        deal = add_deal(session, giver, receiver, amount_minor=4999)
        assert incentives.reward_deal(session, deal.id) is None
        assert [m.kind for m in session.scalars(select(OutboxMessage))] == ["usage"]
    assert "incentive.none" in _actions(db, deal.id)


def test_the_cap_per_period_limits_what_one_giver_earns(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    giver, r1, r2, r3 = subscribers(db, "Bob", "Acme", "Cafe", "Deli")
    amounts = []
    with db.transaction() as session:
        for receiver in (r1, r2, r3):  # £20,000 deals: 2.5% = £500 + £5 → £250 max per deal; cap £500
            deal = add_deal(session, giver, receiver, amount_minor=2_000_000, closed_on=date.today())
            incentive = incentives.reward_deal(session, deal.id)
            amounts.append(incentive.amount_minor if incentive else 0)
    assert amounts == [25_000, 25_000, 0]


def test_the_handler_is_idempotent_for_one_deal(db: Database) -> None:
    incentives = Incentives(load_rules(), Clock())
    giver, receiver = subscribers(db, "Bob", "Acme")
    with db.transaction() as session:
        deal = add_deal(session, giver, receiver)
        first = incentives.reward_deal(session, deal.id)
        again = incentives.reward_deal(session, deal.id)
        assert first is again
