"""Churn by engagement, the churn-risk list and the revenue retained, from ``churn_events``.

- **Monthly churn**: for each calendar month of the period, the subscribers at its first day (joined before
  it, not left before it, not erased), split by whether they were engaged in the 90 days before it
  (:mod:`network.engagement`), and how many of each group left during the month.
- **Retained revenue**: each month, the churn the engaged avoided against the not-engaged rate,
  ``max(0, rate_not_engaged − rate_engaged) × engaged``, summed over the months, times the ARPU setting.
  It is an association, not a causal claim: engaged businesses may differ in other ways.
- **Risk list**: active subscribers with at least one warning sign at the end of the period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from network.engagement import ENGAGED_DAYS, activity
from network.models import ChurnEvent, Conversation, NpsResponse, Subscriber
from network.outcomes.shapes import Churn, ChurnMonth, RetainedRevenue, RiskRow

DORMANT_DAYS = 30
DECLINE_DAYS = 45
HANDOFF_DAYS = 2
DETRACTOR_DAYS = 180
RISK_TOP = 50
ENGAGEMENT_RULE = (
    "Engaged: in the 90 days before the month, the subscriber requested an introduction, had one accepted "
    "(a one-to-one), gave or received a referral, gave or received a deal, or wrote to the assistant."
)
STATEMENT = (
    "If the engaged subscribers had left at the rate of the others, about {avoided} more would have left. "
    "This is an association, not proof that Layer8 caused it: engaged businesses may differ in other ways."
)
WHY = {
    "dormant": f"no activity in the last {DORMANT_DAYS} days",
    "declining": f"activity in the last {DECLINE_DAYS} days fell below half of the {DECLINE_DAYS} before",
    "declined_introductions": "declined 2 or more introduction requests in the last 90 days",
    "unresolved_handoff": f"a conversation handed to an agent has waited more than {HANDOFF_DAYS} days",
    "detractor": f"scored the operator 6 or less in the last {DETRACTOR_DAYS} days",
}


def months_between(start: date, end: date) -> list[date]:
    """The first day of every calendar month that overlaps ``start``..``end``."""
    first, found = date(start.year, start.month, 1), []
    while first <= end:
        found.append(first)
        first = next_month(first)
    return found


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def monthly(session: Session, members: Select[Any], start: date, end: date) -> list[ChurnMonth]:
    people = select(Subscriber.id, Subscriber.created_at).where(
        Subscriber.id.in_(members), Subscriber.status != "erased"
    )
    joined: dict[str, datetime] = {sid: at for sid, at in session.execute(people)}
    departures = (
        select(ChurnEvent.subscriber_id, func.min(ChurnEvent.occurred_at))
        .where(ChurnEvent.subscriber_id.in_(members))
        .group_by(ChurnEvent.subscriber_id)
    )
    left: dict[str, datetime] = {sid: at for sid, at in session.execute(departures)}
    rows = []
    for first in months_between(start, end):
        since, until = _midnight(first), _midnight(next_month(first))
        base = [s for s, at in joined.items() if at < since and (s not in left or left[s] >= since)]
        engaged = {
            s for s, a in activity(session, since - timedelta(days=ENGAGED_DAYS), since).items() if a.engaged
        }
        gone = {s for s in base if s in left and left[s] < until}
        e = [s for s in base if s in engaged]
        n = [s for s in base if s not in engaged]
        rows.append(
            ChurnMonth(
                month=f"{first.year:04d}-{first.month:02d}",
                engaged=len(e),
                engaged_churned=len(gone & set(e)),
                engaged_rate=_rate(len(gone & set(e)), len(e)),
                not_engaged=len(n),
                not_engaged_churned=len(gone & set(n)),
                not_engaged_rate=_rate(len(gone & set(n)), len(n)),
            )
        )
    return rows


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def retained(months: list[ChurnMonth], arpu_minor: int, currency: str) -> RetainedRevenue:
    avoided = 0.0
    for m in months:
        if m.engaged and m.not_engaged:
            gap = m.not_engaged_churned / m.not_engaged - m.engaged_churned / m.engaged
            avoided += max(0.0, gap) * m.engaged
    return RetainedRevenue(
        churn_avoided=round(avoided, 2),
        arpu_minor=arpu_minor,
        currency=currency,
        retained_minor=round(avoided * arpu_minor),
        statement=STATEMENT.format(avoided=f"{avoided:.1f}"),
    )


def risk(session: Session, members: Select[Any], until: datetime) -> list[RiskRow]:
    people = session.execute(
        select(Subscriber.id, Subscriber.business_name, Subscriber.last_active_at).where(
            Subscriber.id.in_(members), Subscriber.status == "active"
        )
    ).all()
    recent = activity(session, until - timedelta(days=DECLINE_DAYS), until)
    before = activity(session, until - timedelta(days=2 * DECLINE_DAYS), until - timedelta(days=DECLINE_DAYS))
    ninety = activity(session, until - timedelta(days=90), until)
    waiting = set(
        session.scalars(
            select(Conversation.subscriber_id).where(
                Conversation.mode == "handed_off",
                Conversation.updated_at < until - timedelta(days=HANDOFF_DAYS),
            )
        )
    )
    detractors = _detractors(session, until)
    rows = []
    for sid, name, last in people:
        reasons = []
        if last is None or last < until - timedelta(days=DORMANT_DAYS):
            reasons.append("dormant")
        earlier = _total(before.get(sid))
        if earlier >= 2 and _total(recent.get(sid)) * 2 < earlier:
            reasons.append("declining")
        found = ninety.get(sid)
        if found is not None and found.introductions_declined >= 2:
            reasons.append("declined_introductions")
        if sid in waiting:
            reasons.append("unresolved_handoff")
        if sid in detractors:
            reasons.append("detractor")
        if reasons:
            rows.append(
                RiskRow(subscriber_id=sid, business_name=name, reasons=reasons, why=[WHY[r] for r in reasons])
            )
    rows.sort(key=lambda r: (-len(r.reasons), r.business_name, r.subscriber_id))
    return rows[:RISK_TOP]


def _total(found: Any) -> int:
    if found is None:
        return 0
    return int(
        found.introductions_requested
        + found.one_to_ones
        + found.referrals_given
        + found.referrals_received
        + found.deals
        + found.turns
    )


def _detractors(session: Session, until: datetime) -> set[str]:
    latest: dict[str, tuple[datetime, int]] = {}
    rows = session.execute(
        select(NpsResponse.subscriber_id, NpsResponse.scored_at, NpsResponse.score).where(
            NpsResponse.score.is_not(None),
            NpsResponse.scored_at >= until - timedelta(days=DETRACTOR_DAYS),
            NpsResponse.scored_at < until,
        )
    )
    for sid, at, score in rows:
        if sid not in latest or at > latest[sid][0]:
            latest[sid] = (at, int(score))
    return {sid for sid, (_, score) in latest.items() if score <= 6}


def churn(
    session: Session, members: Select[Any], start: date, end: date, arpu_minor: int, currency: str
) -> Churn:
    months = monthly(session, members, start, end)
    until = _midnight(end + timedelta(days=1))
    count = session.scalar(
        select(func.count())
        .select_from(ChurnEvent)
        .where(
            ChurnEvent.subscriber_id.in_(members),
            ChurnEvent.occurred_at >= _midnight(start),
            ChurnEvent.occurred_at < until,
        )
    )
    return Churn(
        engagement_rule=ENGAGEMENT_RULE,
        months=months,
        churned_in_period=int(count or 0),
        retained_revenue=retained(months, arpu_minor, currency),
        risk=risk(session, members, until),
    )
