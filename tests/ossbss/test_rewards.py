"""Reward rules: the packaged defaults, arithmetic in minor units, and loud refusals of bad files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from network.errors import InvalidInput
from network.models import Deal, Subscriber
from ossbss.rewards import RewardBook, load_rules, parse_rules


def test_the_default_rules_pay_a_flat_amount_plus_a_share_with_a_30_day_hold() -> None:
    book = load_rules()
    (rule,) = book.rules
    assert (rule.id, rule.hold_days, book.period, rule.percent) == (
        "thank-you-v1",
        30,
        "month",
        Decimal("2.5"),
    )
    assert rule.amount(240_000, "GBP") == 500 + 6000
    assert rule.amount(240_001, "GBP") == 500 + 6000  # a share is rounded down, never up
    assert rule.amount(10_000_000, "EUR") == 25_000  # the per-deal maximum
    assert rule.cap_per_period["USD"] == 50_000
    assert book.fraud.ring_min_length == 3


def test_eligibility_says_why_a_deal_earns_nothing() -> None:
    eligibility = load_rules().rules[0].eligibility
    today = date(2026, 11, 20)
    deal = Deal(amount_minor=4_000, currency="JPY", closed_on=date(2026, 1, 2))
    retired = Subscriber(business_name="Bob", status="suspended")
    assert eligibility.refusals(deal, retired, today) == [
        "giver_not_active",
        "currency_not_rewarded",
        "deal_too_old",
    ]
    assert eligibility.refusals(Deal(amount_minor=4_999, currency="GBP", closed_on=today), None, today) == [
        "no_giver",
        "below_minimum",
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[[rule]]\nid='a'\npercent='2'\nbonus=1\n", "unknown setting"),
        ("period='fortnight'\n[[rule]]\nid='a'\n", "period"),
        ("[[rule]]\nid='a'\nflat={GBP=-5}\n", "whole number"),
        ("[[rule]]\nid='a'\nflat={XYZ=5}\n", "unknown currency"),
        ("[[rule]]\nid='a'\npercent='150'\n", "between 0 and 100"),
        ("hold_days=30\n", "no [[rule]]"),
        ("[fraud]\nvelocity=3\n[[rule]]\nid='a'\n", "unknown setting"),
        ("[[rule\n", "not valid TOML"),
    ],
)
def test_a_bad_reward_file_is_refused_loudly(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "rewards.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput) as refused:
        load_rules(path)
    assert complaint in refused.value.message


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("week", datetime(2026, 11, 16, tzinfo=UTC)),
        ("month", datetime(2026, 11, 1, tzinfo=UTC)),
        ("year", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_caps_count_from_the_start_of_the_period(period: str, start: datetime) -> None:
    book = parse_rules({"period": period, "rule": [{"id": "a"}]})
    assert isinstance(book, RewardBook)
    assert book.period_start(datetime(2026, 11, 20, 15, 30, tzinfo=UTC)) == start
