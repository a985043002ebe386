"""A small network with known activity in October 2026 (and some outside it), rows written directly with
their timestamps so every metric has a number worked out by hand (see ``test_metrics.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from network.actor import Actor
from network.db import Database
from network.models import (
    Conversation,
    Deal,
    Incentive,
    Introduction,
    Message,
    Profile,
    Referral,
    Subscriber,
)

START, END = date(2026, 10, 1), date(2026, 10, 31)


def at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Activity:
    bakery: str  # West Yorkshire, 311811
    mill: str  # West Yorkshire, 311211
    wholesaler: str  # North Yorkshire, 424410
    newcomer: str  # West Yorkshire, no industry


def _subscriber(
    session: Any, name: str, region: str, code: str | None, created: datetime, active: datetime | None
) -> str:
    sub = Subscriber(business_name=name, created_at=created, last_active_at=active)
    session.add(sub)
    session.flush()
    titles = {
        "311811": "Retail Bakeries",
        "311211": "Flour Milling",
        "424410": "General Line Grocery Merchant Wholesalers",
    }
    session.add(
        Profile(
            subscriber_id=sub.id,
            region=region,
            naics_code=code,
            naics_title=titles.get(code or ""),
            sources={},
        )
    )
    return sub.id


def _intro(requester: str, target: str, state: str, when: datetime) -> Introduction:
    return Introduction(
        requester_id=requester, target_id=target, state=state, created_at=when, updated_at=when
    )


def _referral(giver: str, receiver: str, state: str, when: datetime) -> Referral:
    return Referral(giver_id=giver, receiver_id=receiver, prospect_name="P", state=state, created_at=when)


def _deal(
    receiver: str, giver: str, minor: int, currency: str, closed: date, state: str = "recorded"
) -> Deal:
    return Deal(
        receiver_id=receiver,
        giver_id=giver,
        recorded_by="test",
        amount_minor=minor,
        currency=currency,
        closed_on=closed,
        state=state,
        fingerprint=f"{receiver}{giver}{minor}{closed}{state}",
    )


def seed_activity(db: Database) -> Activity:
    end = datetime(2026, 11, 1, tzinfo=UTC)
    with db.transaction(Actor.admin("test")) as session:
        bakery = _subscriber(
            session, "Leeds Bakery", "West Yorkshire", "311811", at(1, 1), end - timedelta(days=3)
        )
        mill = _subscriber(
            session, "Pennine Mills", "West Yorkshire", "311211", at(1, 1), end - timedelta(days=40)
        )
        wholesaler = _subscriber(session, "York Foods", "North Yorkshire", "424410", at(10), None)
        newcomer = _subscriber(session, "New Shop", "West Yorkshire", None, at(12), end - timedelta(days=1))
        gone = Subscriber(
            business_name="(erased)", status="erased", created_at=at(1, 1), last_active_at=at(30)
        )
        session.add(gone)
        session.flush()
        session.add_all(
            [
                _intro(bakery, mill, "accepted", at(2)),
                _intro(bakery, wholesaler, "declined", at(3)),
                _intro(mill, bakery, "requested", at(4)),
                _intro(wholesaler, bakery, "suggested", at(5)),
                _intro(bakery, newcomer, "expired", at(6)),
                _intro(bakery, mill, "accepted", at(20, 9)),  # September: outside
                _referral(mill, bakery, "won", at(3)),
                _referral(wholesaler, bakery, "open", at(7)),
                _referral(bakery, mill, "lost", at(8)),
                _referral(mill, bakery, "won", at(8, 9)),  # September: outside
            ]
        )
        d1 = _deal(bakery, mill, 240000, "GBP", date(2026, 10, 5))
        d2 = _deal(mill, bakery, 10000, "GBP", date(2026, 10, 20))
        d3 = _deal(wholesaler, bakery, 5000, "EUR", date(2026, 10, 20))
        voided = _deal(bakery, mill, 99900, "GBP", date(2026, 10, 6), state="voided")
        september = _deal(bakery, mill, 70000, "GBP", date(2026, 9, 28))
        session.add_all([d1, d2, d3, voided, september])
        session.flush()
        session.add_all(
            [
                _incentive(d1.id, mill, 24000, "confirmed", at(6)),
                _incentive(d2.id, bakery, 1000, "pending", at(21)),
                _incentive(d2.id, bakery, 500, "reversed", at(22)),
                _incentive(d2.id, bakery, -500, "reversed", at(22)),
            ]
        )
        _conversation(session, bakery, [1, -1, None, 1])
        _conversation(session, wholesaler, [None])
    return Activity(bakery, mill, wholesaler, newcomer)


def _incentive(deal_id: str, beneficiary: str, minor: int, state: str, when: datetime) -> Incentive:
    return Incentive(
        deal_id=deal_id,
        beneficiary_id=beneficiary,
        rule_id="thank-you-v1",
        amount_minor=minor,
        currency="GBP",
        state=state,
        created_at=when,
    )


def _conversation(session: Any, subscriber: str, feedback: list[int | None]) -> None:
    conversation = Conversation(subscriber_id=subscriber, channel="web", thread_key=f"t-{subscriber}")
    session.add(conversation)
    session.flush()
    for seq, rating in enumerate(feedback, start=1):
        session.add(Message(conversation_id=conversation.id, seq=2 * seq, role="user", content="q", at=at(9)))
        session.add(
            Message(
                conversation_id=conversation.id,
                seq=2 * seq + 1,
                role="assistant",
                content="a",
                feedback=rating,
                at=at(9),
            )
        )
