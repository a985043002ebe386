"""The shapes of the outcome metrics (frozen pydantic models shared by the dashboard, the API and the CLI)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NpsGroup(_Frozen):
    """NPS of one period or segment: 100 × (promoters − detractors) / answers, with a 95% interval."""

    key: str
    asked: int
    answers: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    ci_low: float | None
    ci_high: float | None
    response_rate: float | None


class Nps(_Frozen):
    rule: str
    overall: NpsGroup
    by_period: list[NpsGroup]  # by month of the answer
    by_segment: list[NpsGroup]  # by industry sector (NAICS 2-digit), "unknown" when none


class ChurnMonth(_Frozen):
    """Subscribers at the start of ``month`` (engaged or not in the 90 days before) and who left in it."""

    month: str
    engaged: int
    engaged_churned: int
    engaged_rate: float | None
    not_engaged: int
    not_engaged_churned: int
    not_engaged_rate: float | None


class RiskRow(_Frozen):
    subscriber_id: str
    business_name: str
    reasons: list[str]  # codes: dormant, declining, declined_introductions, unresolved_handoff, detractor
    why: list[str]  # the same in words, for an agent


class RetainedRevenue(_Frozen):
    churn_avoided: float  # subscribers, summed over the months
    arpu_minor: int
    currency: str
    retained_minor: int
    statement: str


class Churn(_Frozen):
    engagement_rule: str
    months: list[ChurnMonth]
    churned_in_period: int
    retained_revenue: RetainedRevenue
    risk: list[RiskRow]


class CurvePoint(_Frozen):
    day: int
    at_risk: int
    churned: int
    survival: float


class Cohort(_Frozen):
    cohort: str  # month joined
    subscribers: int
    churned: int
    points: list[CurvePoint]  # Kaplan–Meier: day 0, then each day someone left


class Retention(_Frozen):
    method: str
    cohorts: list[Cohort]


class LightCounts(_Frozen):
    green: int
    amber: int
    red: int
    grey: int


class TrafficLights(_Frozen):
    rule: str
    counts: LightCounts
