"""The shapes of the operations metrics (:mod:`network.metrics`): the query and every part of the answer.

Frozen pydantic models, so the dashboard, ``GET /v1/metrics`` and ``layer8 metrics`` share one schema.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from network.errors import InvalidInput
from network.ids import utcnow
from network.outcomes.shapes import Churn, Nps, Retention, TrafficLights

DEFAULT_DAYS = 90
MAX_DAYS = 3660
Granularity = Literal["day", "week", "month"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MetricsQuery(_Frozen):
    start: date
    end: date
    region: str | None = None
    tenant: str | None = None
    arpu_minor: int = 0  # monthly revenue per subscriber, for the retained revenue (LAYER8_ARPU_MINOR)
    arpu_currency: str = "GBP"

    @model_validator(mode="after")
    def _check(self) -> MetricsQuery:
        if self.end < self.start:
            raise InvalidInput("the period ends before it starts")
        if (self.end - self.start).days > MAX_DAYS:
            raise InvalidInput(f"a period is at most {MAX_DAYS} days")
        if self.region is not None and (not self.region.strip() or len(self.region) > 120):
            raise InvalidInput("a region is 1 to 120 characters")
        return self

    @classmethod
    def around(
        cls,
        start: date | None = None,
        end: date | None = None,
        region: str | None = None,
        tenant: str | None = None,
        arpu: tuple[int, str] = (0, "GBP"),
    ) -> MetricsQuery:
        """Fill what is missing: the period ends today (UTC) and lasts ``DEFAULT_DAYS`` days."""
        end = end or utcnow().date()
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
        region = (region or "").strip() or None
        return cls(
            start=start, end=end, region=region, tenant=tenant, arpu_minor=arpu[0], arpu_currency=arpu[1]
        )


class Stage(_Frozen):
    stage: str
    count: int


class Amount(_Frozen):
    period: str
    currency: str
    amount_minor: int
    count: int


class Engagement(_Frozen):
    subscribers: int
    active: int
    dormant: int
    new_in_period: int
    active_days: int


class Rates(_Frozen):
    requested: int
    accepted: int
    declined: int
    expired: int
    acceptance_rate: float | None
    assistant_messages: int
    rated: int
    positive: int
    feedback_rate: float | None
    positive_rate: float | None


class IndustryRow(_Frozen):
    naics_code: str
    naics_title: str
    subscribers: int
    deals: int
    value_minor: dict[str, int]


class ChainRow(_Frozen):
    from_code: str
    from_title: str
    to_code: str
    to_title: str
    introductions: int
    deals: int


class Attendance(_Frozen):
    events: int  # events that started in the period
    invited: int  # invitations to them
    said_yes: int  # going, cancelled later, or came
    attended: int  # checked in
    attendance_rate: float | None  # attended / said yes


class OneToOnes(_Frozen):
    suggested: int  # one-to-ones suggested after events in the period
    accepted: int  # both sides agreed to meet (the introduction was accepted)
    time_agreed: int  # one side proposed a time, the other accepted it
    followed_up: int  # asked a week later what came of it


class DigestEngagement(_Frozen):
    sent: int
    opened: int  # a read status (WhatsApp), or acted on
    acted: int  # a button on it pressed, or a reply to it
    opened_rate: float | None  # opened / sent, on channels that report reads (WhatsApp)
    acted_rate: float | None  # acted / sent, every channel
    by_channel: dict[str, dict[str, int]]  # channel -> {"sent", "opened", "acted"}


class Gatherings(_Frozen):
    attendance: Attendance
    one_to_ones: OneToOnes
    digest: DigestEngagement
    rule: str


class Metrics(_Frozen):
    start: date
    end: date
    region: str | None
    granularity: Granularity
    periods: list[str]
    funnel: list[Stage]
    closed_business: list[Amount]
    incentives_earned: list[Amount]
    incentives_paid: list[Amount]
    engagement: Engagement
    rates: Rates
    top_industries: list[IndustryRow]
    supply_chains: list[ChainRow]
    nps: Nps
    churn: Churn
    retention: Retention
    traffic_lights: TrafficLights
    gatherings: Gatherings
