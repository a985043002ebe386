from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select

from network.db import Database
from network.errors import IdempotencyConflict, IllegalTransition, InvalidAmount, UnknownCurrency
from network.models import Deal, IdempotencyKey
from network.money import parse_money
from network.services import deals, referrals
from tests.network.helpers import make_subscribers


def _referral(db: Database) -> tuple[str, str, str]:
    giver, receiver, prospect = make_subscribers(db, "Bob Bookkeeping", "Acme Plumbing", "Jane Cafe")
    with db.transaction() as session:
        ref = referrals.log_referral(session, giver, receiver, prospect_subscriber_id=prospect, hotness=4)
    return giver, receiver, ref.id


def _record(
    db: Database, receiver: str, referral_id: str, key: str, amount: str = "2400"
) -> dict[str, object]:
    with db.transaction() as session:
        return deals.record_deal_once(
            session,
            key,
            receiver_id=receiver,
            money=parse_money(amount, "GBP"),
            closed_on=date(2026, 11, 20),
            recorded_by=f"subscriber:{receiver}",
            referral_id=referral_id,
        )


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_deal_credits_the_referral_giver_and_wins_the_referral(db: Database) -> None:
    giver, receiver, referral_id = _referral(db)
    result = _record(db, receiver, referral_id, "k1")
    with db.read() as session:
        deal = session.get(Deal, result["deal_id"])
        assert deal is not None and deal.giver_id == giver and deal.amount_minor == 240000
        assert referrals.list_referrals(session, giver)[0].state == "won"


def test_same_key_returns_the_first_deal_and_different_request_is_refused(db: Database) -> None:
    _, receiver, referral_id = _referral(db)
    first = _record(db, receiver, referral_id, "k1")
    assert _record(db, receiver, referral_id, "k1") == first
    with pytest.raises(IdempotencyConflict):
        _record(db, receiver, referral_id, "k1", amount="99")
    assert _count(db, Deal) == 1


def test_one_hundred_concurrent_writes_with_one_key_make_one_deal(db: Database) -> None:
    _, receiver, referral_id = _referral(db)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: _record(db, receiver, referral_id, "same-key"), range(100)))
    assert len({r["deal_id"] for r in results}) == 1
    assert _count(db, Deal) == 1
    assert _count(db, IdempotencyKey) == 1


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("12,50", "GBP"), ("-1", "GBP"), ("NaN", "GBP"), ("12.345", "GBP"), ("10", "XXX")],
)
def test_invalid_money_leaves_no_row(db: Database, amount: str, currency: str) -> None:
    _, receiver, referral_id = _referral(db)
    with pytest.raises((InvalidAmount, UnknownCurrency)), db.transaction() as session:
        deals.record_deal_once(
            session,
            "k",
            receiver_id=receiver,
            money=parse_money(amount, currency),
            closed_on=date(2026, 11, 20),
            recorded_by="test",
            referral_id=referral_id,
        )
    assert _count(db, Deal) == 0 and _count(db, IdempotencyKey) == 0


def test_a_deal_on_a_lost_referral_is_an_illegal_transition_and_leaves_no_row(db: Database) -> None:
    _, receiver, referral_id = _referral(db)
    with db.transaction() as session:
        referrals.update_referral(session, receiver, referral_id, "lost")
    with pytest.raises(IllegalTransition, match="lost"):
        _record(db, receiver, referral_id, "k1")
    assert _count(db, Deal) == 0 and _count(db, IdempotencyKey) == 0
