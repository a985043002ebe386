"""Fraud patterns are held for review, never paid automatically, and every decision is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from network.db import Database
from network.models import AuditEvent, Deal, Incentive, OutboxMessage, Subscriber
from network.money import Money
from network.services.deals import fingerprint
from ossbss.incentives import Incentives
from ossbss.rewards import load_rules
from tests.ossbss.helpers import Clock, add_deal, subscribers


def _held_reasons(db: Database, incentive_id: str) -> list[str]:
    with db.read() as session:
        incentive = session.get(Incentive, incentive_id)
        assert incentive is not None
        assert incentive.state == "held", incentive.state
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.target_id == incentive_id, AuditEvent.action == "incentive.held"
            )
        ).all()
        assert events, "the hold is in the audit trail"
        return sorted({code for event in events for code in event.data["reasons"]})


def _record(db: Database, incentives: Incentives, deal_builder: object) -> str:
    with db.transaction() as session:
        deal = deal_builder(session)  # type: ignore[operator]
        incentive = incentives.reward_deal(session, deal.id)
        assert incentive is not None
        return incentive.id


def _credits(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(OutboxMessage.aggregate_id).where(OutboxMessage.kind == "credit")))


def test_a_giver_who_refers_themselves_as_the_prospect_is_held_not_paid(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    bob, acme = subscribers(db, "Bob", "Acme")
    held = _record(db, incentives, lambda s: add_deal(s, bob, acme, prospect=bob))
    assert _held_reasons(db, held) == ["self_referral"]
    clock.advance(days=31)
    with db.transaction() as session:
        assert incentives.approve_due(session) == []
    assert _credits(db) == []


def test_a_deal_credited_to_its_own_receiver_is_held(db: Database) -> None:
    incentives = Incentives(load_rules(), Clock())
    (bob,) = subscribers(db, "Bob")

    def own_deal(session: object) -> Deal:
        money = Money(240_000, "GBP")
        today = incentives.clock().date()
        deal = Deal(
            receiver_id=bob,
            giver_id=bob,
            recorded_by="x",
            amount_minor=money.amount_minor,
            currency="GBP",
            closed_on=today,
            fingerprint=fingerprint(bob, bob, money, today),
        )
        session.add(deal)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        return deal

    assert _held_reasons(db, _record(db, incentives, own_deal)) == ["self_referral"]


def test_the_same_deal_under_another_key_holds_both_copies(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    bob, acme = subscribers(db, "Bob", "Acme")
    first = _record(db, incentives, lambda s: add_deal(s, bob, acme))
    second = _record(db, incentives, lambda s: add_deal(s, bob, acme))
    assert _held_reasons(db, second) == ["duplicate_deal"]
    clock.advance(days=31)
    with db.transaction() as session:
        assert [i.state for i in incentives.approve_due(session)] == ["held"]
    assert _held_reasons(db, first) == ["duplicate_deal"]
    assert _credits(db) == []


def test_a_circular_ring_is_held_and_its_earlier_links_are_caught_when_the_hold_ends(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    a, b, c = subscribers(db, "Alpha", "Beta", "Gamma")
    ab = _record(db, incentives, lambda s: add_deal(s, a, b, 100_000))
    bc = _record(db, incentives, lambda s: add_deal(s, b, c, 110_000))
    ca = _record(db, incentives, lambda s: add_deal(s, c, a, 120_000))
    assert _held_reasons(db, ca) == ["circular_ring"]
    clock.advance(days=31)
    with db.transaction() as session:
        incentives.approve_due(session)
    assert _held_reasons(db, ab) == ["circular_ring"] and _held_reasons(db, bc) == ["circular_ring"]


def test_a_mutual_pair_is_ordinary_reciprocity(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    a, b = subscribers(db, "Alpha", "Beta")
    one = _record(db, incentives, lambda s: add_deal(s, a, b, 100_000))
    two = _record(db, incentives, lambda s: add_deal(s, b, a, 90_000))
    clock.advance(days=31)
    with db.transaction() as session:
        decided = {i.id: i.state for i in incentives.approve_due(session)}
    assert decided == {one: "approved", two: "approved"}


def test_velocity_holds_the_deal_that_crosses_the_line(db: Database) -> None:
    incentives = Incentives(load_rules(), Clock())
    bob, *receivers = subscribers(db, "Bob", "R1", "R2", "R3", "R4", "R5", "R6")
    ids = [_record(db, incentives, lambda s, r=r: add_deal(s, bob, r, 100_000)) for r in receivers]
    assert _held_reasons(db, ids[-1]) == ["velocity"]
    with db.read() as session:
        assert [session.get(Incentive, i).state for i in ids[:-1]] == ["pending"] * 5  # type: ignore[union-attr]


def test_many_deals_between_the_same_two_subscribers_are_held(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    bob, acme = subscribers(db, "Bob", "Acme")
    ids = []
    for day in range(4):  # a day apart, so the 24-hour velocity rule stays quiet
        when = clock.now - timedelta(days=3 - day)
        ids.append(
            _record(
                db, incentives, lambda s, w=when, n=day: add_deal(s, bob, acme, 100_000 + n, created_at=w)
            )
        )
    assert _held_reasons(db, ids[-1]) == ["pair_velocity"]


def test_a_reviewer_pays_or_rejects_a_held_incentive_and_both_are_audited(db: Database) -> None:
    incentives = Incentives(load_rules(), Clock())
    bob, acme, cafe = subscribers(db, "Bob", "Acme", "Cafe")
    paid = _record(db, incentives, lambda s: add_deal(s, bob, acme, prospect=bob))
    refused = _record(db, incentives, lambda s: add_deal(s, bob, cafe, prospect=bob))
    with db.transaction() as session:
        assert incentives.review(session, paid, approve=True, reviewer="ops-ann").state == "approved"
        incentives.review(session, refused, approve=False, reviewer="ops-ann", note="self-referral")
    assert _credits(db) == [paid]
    with db.read() as session:
        reversal = session.scalars(select(Incentive).where(Incentive.reversal_of_id == refused)).one()
        assert (reversal.state, reversal.amount_minor < 0) == ("reversed", True)
        actions = set(
            session.scalars(select(AuditEvent.action).where(AuditEvent.target_id.in_([paid, refused])))
        )
    assert {"incentive.held", "incentive.reviewed", "incentive.approved", "incentive.reversed"} <= actions


def test_a_giver_who_left_during_the_hold_is_held_not_paid(db: Database) -> None:
    clock = Clock()
    incentives = Incentives(load_rules(), clock)
    bob, acme = subscribers(db, "Bob", "Acme")
    pending = _record(db, incentives, lambda s: add_deal(s, bob, acme))
    with db.transaction() as session:
        giver = session.get(Subscriber, bob)
        assert giver is not None
        giver.status = "suspended"
    clock.advance(days=31)
    with db.transaction() as session:
        incentives.approve_due(session)
    assert _held_reasons(db, pending) == ["giver_not_active"]
    assert _credits(db) == []
