"""Kaplan–Meier retention curves by cohort (the month a subscriber joined), with ``lifelines``.

Each subscriber is followed from the day they joined to the day they left (a churn event: observed) or to
the end of the period (still a member: censored). A curve lists day 0 and every day on which someone left,
with how many were at risk then, how many left, and the estimated share still a member (four decimals).
Erased subscribers are out (their history is gone); the newest :data:`COHORTS` cohorts are shown.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from network.models import ChurnEvent, Subscriber
from network.outcomes.shapes import Cohort, CurvePoint, Retention

COHORTS = 12
METHOD = (
    "Kaplan–Meier (lifelines): days from joining to leaving the operator; members still here at the end of "
    "the period are censored. One curve per month joined."
)


def retention(session: Session, members: Select[Any], until: datetime) -> Retention:
    people = select(Subscriber.id, Subscriber.created_at).where(
        Subscriber.id.in_(members), Subscriber.status != "erased", Subscriber.created_at < until
    )
    departures = (
        select(ChurnEvent.subscriber_id, func.min(ChurnEvent.occurred_at))
        .where(ChurnEvent.subscriber_id.in_(members), ChurnEvent.occurred_at < until)
        .group_by(ChurnEvent.subscriber_id)
    )
    left: dict[str, datetime] = {sid: at for sid, at in session.execute(departures)}
    cohorts: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for sid, joined in session.execute(people):
        end = left.get(sid, until)
        cohorts[f"{joined.year:04d}-{joined.month:02d}"].append(((end - joined).days, sid in left))
    newest = sorted(cohorts)[-COHORTS:]
    return Retention(method=METHOD, cohorts=[curve(name, cohorts[name]) for name in newest])


def curve(name: str, followed: list[tuple[int, bool]]) -> Cohort:
    """The Kaplan–Meier curve of one cohort: ``followed`` is (days followed, left?) per subscriber."""
    # lifelines brings pandas (about half a second to import): loaded only when retention is computed
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter()
    fitter.fit([days for days, _ in followed], event_observed=[gone for _, gone in followed])
    table = fitter.event_table
    survival = fitter.survival_function_["KM_estimate"]
    points = [CurvePoint(day=0, at_risk=len(followed), churned=0, survival=1.0)]
    for day, row in table.iterrows():
        if int(row["observed"]) and int(day) > 0:
            points.append(
                CurvePoint(
                    day=int(day),
                    at_risk=int(row["at_risk"]),
                    churned=int(row["observed"]),
                    survival=round(float(survival.loc[day]), 4),
                )
            )
    churned = sum(1 for _, gone in followed if gone)
    return Cohort(cohort=name, subscribers=len(followed), churned=churned, points=points)
