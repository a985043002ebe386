"""Reward rules from a TOML file (default ``ossbss/rewards.toml``): flat, percentage, caps, hold, eligibility.

Unknown keys are refused, so a typo in an operator's file fails loudly instead of paying the default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from network.errors import InvalidInput
from network.models import Deal, Subscriber
from network.money import exponent

PERIODS = ("week", "month", "year")


@dataclass(frozen=True, slots=True)
class Eligibility:
    currencies: frozenset[str] | None = None
    min_deal: dict[str, int] = field(default_factory=dict)
    require_active_giver: bool = True
    max_deal_age_days: int | None = None

    def refusals(self, deal: Deal, giver: Subscriber | None, today: date) -> list[str]:
        """Why ``deal`` earns its giver nothing under this rule (empty: eligible)."""
        reasons = []
        if giver is None:
            reasons.append("no_giver")
        elif self.require_active_giver and giver.status != "active":
            reasons.append("giver_not_active")
        if self.currencies is not None and deal.currency not in self.currencies:
            reasons.append("currency_not_rewarded")
        if deal.amount_minor < self.min_deal.get(deal.currency, 0):
            reasons.append("below_minimum")
        if self.max_deal_age_days is not None and (today - deal.closed_on).days > self.max_deal_age_days:
            reasons.append("deal_too_old")
        return reasons


@dataclass(frozen=True, slots=True)
class RewardRule:
    id: str
    percent: Decimal = Decimal(0)
    flat: dict[str, int] = field(default_factory=dict)
    max_per_deal: dict[str, int] = field(default_factory=dict)
    cap_per_period: dict[str, int] = field(default_factory=dict)
    hold_days: int = 30
    eligibility: Eligibility = field(default_factory=Eligibility)

    def amount(self, deal_minor: int, currency: str) -> int:
        """The reward for one deal before the period cap, in the deal's minor units."""
        share = (Decimal(deal_minor) * self.percent / 100).to_integral_value(rounding=ROUND_DOWN)
        total = int(share) + self.flat.get(currency, 0)
        limit = self.max_per_deal.get(currency)
        return min(total, limit) if limit is not None else total


@dataclass(frozen=True, slots=True)
class FraudRules:
    velocity_max_deals: int = 5
    velocity_window_hours: int = 24
    pair_max_deals: int = 3
    pair_window_days: int = 30
    ring_min_length: int = 3
    ring_max_length: int = 5
    ring_window_days: int = 180


@dataclass(frozen=True, slots=True)
class RewardBook:
    rules: tuple[RewardRule, ...]
    period: str = "month"
    fraud: FraudRules = field(default_factory=FraudRules)

    def period_start(self, at: datetime) -> datetime:
        day = at.astimezone(UTC).date()
        if self.period == "week":
            day -= timedelta(days=day.weekday())
        elif self.period == "month":
            day = day.replace(day=1)
        else:
            day = day.replace(month=1, day=1)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)


def load_rules(path: Path | None = None) -> RewardBook:
    """Read the reward book from ``path`` or the packaged default."""
    if path is None:
        text = resources.files("ossbss").joinpath("rewards.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"reward rules are not valid TOML: {exc}") from exc
    return parse_rules(data)


def parse_rules(data: dict[str, Any]) -> RewardBook:
    _only(data, {"hold_days", "period", "rule", "fraud"}, "the reward file")
    hold = _int(data.get("hold_days", 30), "hold_days")
    period = data.get("period", "month")
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    rules = tuple(_rule(item, hold) for item in data.get("rule", []))
    if not rules:
        raise InvalidInput("the reward file defines no [[rule]]")
    fraud = data.get("fraud", {})
    _only(fraud, set(FraudRules.__dataclass_fields__), "[fraud]")
    return RewardBook(rules, period, FraudRules(**{k: _int(v, k) for k, v in fraud.items()}))


def _rule(item: dict[str, Any], hold: int) -> RewardRule:
    keys = {"id", "percent", "flat", "max_per_deal", "cap_per_period", "hold_days", "eligibility"}
    _only(item, keys, "a [[rule]]")
    if not item.get("id"):
        raise InvalidInput("every [[rule]] needs an id")
    try:
        percent = Decimal(str(item.get("percent", "0")))
    except InvalidOperation as exc:
        raise InvalidInput(f"rule {item['id']}: percent must be a decimal") from exc
    if not Decimal(0) <= percent <= Decimal(100):
        raise InvalidInput(f"rule {item['id']}: percent must be between 0 and 100")
    return RewardRule(
        id=str(item["id"]),
        percent=percent,
        flat=_amounts(item.get("flat", {}), "flat"),
        max_per_deal=_amounts(item.get("max_per_deal", {}), "max_per_deal"),
        cap_per_period=_amounts(item.get("cap_per_period", {}), "cap_per_period"),
        hold_days=_int(item.get("hold_days", hold), "hold_days"),
        eligibility=_eligibility(item.get("eligibility", {})),
    )


def _eligibility(data: dict[str, Any]) -> Eligibility:
    _only(data, set(Eligibility.__dataclass_fields__), "[rule.eligibility]")
    currencies = data.get("currencies")
    age = data.get("max_deal_age_days")
    return Eligibility(
        currencies=frozenset(str(c).upper() for c in currencies) if currencies is not None else None,
        min_deal=_amounts(data.get("min_deal", {}), "min_deal"),
        require_active_giver=bool(data.get("require_active_giver", True)),
        max_deal_age_days=_int(age, "max_deal_age_days") if age is not None else None,
    )


def _amounts(data: object, name: str) -> dict[str, int]:
    if not isinstance(data, dict):
        raise InvalidInput(f"{name} must map ISO 4217 codes to minor units, e.g. {{ GBP = 500 }}")
    for code in data:
        exponent(str(code))  # an unknown ISO 4217 code is refused here, not when a deal arrives
    return {str(code).upper(): _int(value, f"{name}.{code}") for code, value in data.items()}


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a whole number ≥ 0, got {value!r}")
    return value


def _only(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput(f"{where}: unknown setting(s) {', '.join(unknown)}")
