"""The outcome parts of the metrics for one period and set of members (see each module for its rule)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from network.outcomes import churn, lights, nps, retention
from network.outcomes.shapes import Churn, Nps, Retention, TrafficLights


def outcomes(
    session: Session, members: Select[Any], start: date, end: date, *, arpu_minor: int, currency: str
) -> tuple[Nps, Churn, Retention, TrafficLights]:
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return (
        nps.compute(nps.surveys(session, since, until, members), since, until),
        churn.churn(session, members, start, end, arpu_minor, currency),
        retention.retention(session, members, until),
        lights.distribution(session, members, until),
    )
