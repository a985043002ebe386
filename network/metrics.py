"""Operations metrics of the referral economy: one computation for the dashboard, ``GET /v1/metrics`` and
``layer8 metrics``.

The period is ``start``..``end`` (dates, both included, UTC). A record belongs to a region when the
subscriber who started it is there: the requester of an introduction, the giver of a referral, the receiver
who recorded a deal, the beneficiary of an incentive, the subscriber of a conversation. Money is summed per
ISO 4217 currency in integer minor units, never mixed.

- **funnel**: introductions created in the period (every one starts as a suggestion), those that were
  requested (requested, accepted, declined or expired — only a request expires), accepted; referrals
  logged in the period, and those of them won.
- **closed business**: deals (not voided) by the period of ``closed_on``; **incentives**: rewards earned
  (positive rows not reversed) and paid (posted or confirmed) by the period they were created in.
- **engagement**: subscribers (active accounts created before the end) active in the last
  ``ACTIVE_DAYS`` days up to the end (``last_active_at``), the others dormant.
- **rates**: acceptance = accepted / (accepted + declined + expired) of the period's introductions;
  feedback = assistant messages rated / assistant messages, positive = thumbs up / rated.
- **top industries** (by deals closed, then value, then subscribers) and **supply chains**: industry pairs
  of deals (giver → receiver) and accepted introductions (requester → target).
- **nps**, **churn** (by engagement, risk list, retained revenue), **retention** (Kaplan–Meier by cohort)
  and **traffic_lights**: :mod:`network.outcomes`, each with its rule in words in the answer.
- **gatherings**: event attendance, one-to-ones and digest engagement (:mod:`network.gatherings`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from network.gatherings import gatherings
from network.metrics_shapes import (
    Amount,
    ChainRow,
    Engagement,
    Granularity,
    IndustryRow,
    Metrics,
    MetricsQuery,
    Rates,
    Stage,
)
from network.models import (
    Conversation,
    Deal,
    DealState,
    Incentive,
    IncentiveState,
    Introduction,
    IntroductionState,
    Message,
    Profile,
    Referral,
    ReferralState,
    Subscriber,
)
from network.outcomes.compute import outcomes

ACTIVE_DAYS = 30
TOP = 10
_REQUESTED = (
    IntroductionState.REQUESTED,
    IntroductionState.ACCEPTED,
    IntroductionState.DECLINED,
    IntroductionState.EXPIRED,
)
_PAID = (IncentiveState.POSTED, IncentiveState.CONFIRMED)


def compute(session: Session, query: MetricsQuery) -> Metrics:
    granularity = _granularity(query.start, query.end)
    scope = _Scope(query)
    deals = scope.deals(session)
    intros = scope.introductions(session)
    nps, churn, retention, lights = outcomes(
        session,
        scope.members(),
        query.start,
        query.end,
        arpu_minor=query.arpu_minor,
        currency=query.arpu_currency,
    )
    return Metrics(
        start=query.start,
        end=query.end,
        region=query.region,
        granularity=granularity,
        periods=_periods(query.start, query.end, granularity),
        funnel=_funnel(intros, scope.referral_states(session)),
        closed_business=_amounts(((d["closed_on"], d["currency"], d["amount"]) for d in deals), granularity),
        incentives_earned=_amounts(scope.incentives(session, paid=False), granularity),
        incentives_paid=_amounts(scope.incentives(session, paid=True), granularity),
        engagement=scope.engagement(session),
        rates=_rates(intros, *scope.feedback(session)),
        top_industries=_industries(deals, scope.industry_sizes(session)),
        supply_chains=_chains(deals, intros),
        nps=nps,
        churn=churn,
        retention=retention,
        traffic_lights=lights,
        gatherings=gatherings(session, scope.members(), scope.since, scope.until),
    )


def regions(session: Session, tenant: str | None = None) -> list[str]:
    """The regions subscribers' profiles name, for the filter."""
    query = select(Profile.region).join(Subscriber, Subscriber.id == Profile.subscriber_id)
    query = query.where(Profile.region.is_not(None), Subscriber.status != "erased")
    if tenant is not None:
        query = query.where(Subscriber.tenant == tenant)
    return sorted({str(r) for r in session.scalars(query.distinct()) if r})


class _Scope:
    """The period, region and tenant as SQL conditions."""

    def __init__(self, query: MetricsQuery) -> None:
        self.query = query
        self.since = datetime.combine(query.start, time.min, tzinfo=UTC)
        self.until = datetime.combine(query.end + timedelta(days=1), time.min, tzinfo=UTC)

    def _who(self, column: Any) -> Any:
        """``column`` names a subscriber of the tenant (and region, when one is chosen)."""
        return column.in_(self.members())

    def members(self) -> Select[Any]:
        """The ids of the tenant's subscribers (in the region, when one is chosen)."""
        members = select(Subscriber.id)
        if self.query.tenant is not None:
            members = members.where(Subscriber.tenant == self.query.tenant)
        if self.query.region is not None:
            members = members.join(Profile, Profile.subscriber_id == Subscriber.id).where(
                func.lower(Profile.region) == self.query.region.lower()
            )
        return members

    def _during(self, column: Any) -> Any:
        return and_(column >= self.since, column < self.until)

    def deals(self, session: Session) -> list[dict[str, Any]]:
        giver, receiver = aliased(Profile), aliased(Profile)
        rows = session.execute(
            select(
                Deal.closed_on,
                Deal.currency,
                Deal.amount_minor,
                receiver.naics_code,
                receiver.naics_title,
                giver.naics_code,
                giver.naics_title,
            )
            .outerjoin(receiver, receiver.subscriber_id == Deal.receiver_id)
            .outerjoin(giver, giver.subscriber_id == Deal.giver_id)
            .where(Deal.closed_on >= self.query.start, Deal.closed_on <= self.query.end)
            .where(Deal.state != DealState.VOIDED.value, self._who(Deal.receiver_id))
        )
        keys = ("closed_on", "currency", "amount", "to_code", "to_title", "from_code", "from_title")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def introductions(self, session: Session) -> list[dict[str, Any]]:
        requester, target = aliased(Profile), aliased(Profile)
        rows = session.execute(
            select(
                Introduction.state,
                requester.naics_code,
                requester.naics_title,
                target.naics_code,
                target.naics_title,
            )
            .outerjoin(requester, requester.subscriber_id == Introduction.requester_id)
            .outerjoin(target, target.subscriber_id == Introduction.target_id)
            .where(self._during(Introduction.created_at), self._who(Introduction.requester_id))
        )
        keys = ("state", "from_code", "from_title", "to_code", "to_title")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def referral_states(self, session: Session) -> Counter[str]:
        query = select(Referral.state, func.count()).where(
            self._during(Referral.created_at), self._who(Referral.giver_id)
        )
        return Counter({str(state): int(n) for state, n in session.execute(query.group_by(Referral.state))})

    def incentives(self, session: Session, *, paid: bool) -> list[tuple[date, str, int]]:
        query: Select[Any] = select(Incentive.created_at, Incentive.currency, Incentive.amount_minor).where(
            self._during(Incentive.created_at), self._who(Incentive.beneficiary_id)
        )
        if paid:
            query = query.where(Incentive.state.in_([s.value for s in _PAID]))
        else:
            query = query.where(Incentive.amount_minor > 0, Incentive.state != IncentiveState.REVERSED.value)
        return [(at.date(), currency, int(amount)) for at, currency, amount in session.execute(query)]

    def engagement(self, session: Session) -> Engagement:
        cutoff = self.until - timedelta(days=ACTIVE_DAYS)
        recent = and_(Subscriber.last_active_at >= cutoff, Subscriber.last_active_at < self.until)
        query = select(
            func.count(),
            func.coalesce(func.sum(case((recent, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Subscriber.created_at >= self.since, 1), else_=0)), 0),
        ).where(Subscriber.status == "active", Subscriber.created_at < self.until, self._who(Subscriber.id))
        total, active, new = (int(n) for n in session.execute(query).one())
        return Engagement(
            subscribers=total,
            active=active,
            dormant=total - active,
            new_in_period=new,
            active_days=ACTIVE_DAYS,
        )

    def feedback(self, session: Session) -> tuple[int, int, int]:
        query = (
            select(Message.feedback, func.count())
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.role == "assistant", self._during(Message.at))
            .where(self._who(Conversation.subscriber_id))
            .group_by(Message.feedback)
        )
        counts = {feedback: int(n) for feedback, n in session.execute(query)}
        total = sum(counts.values())
        rated = total - counts.get(None, 0)
        positive = sum(n for feedback, n in counts.items() if feedback is not None and feedback > 0)
        return total, rated, positive

    def industry_sizes(self, session: Session) -> dict[str, int]:
        query = (
            select(Profile.naics_code, func.count())
            .join(Subscriber, Subscriber.id == Profile.subscriber_id)
            .where(Subscriber.status == "active", Profile.naics_code.is_not(None))
            .where(self._who(Subscriber.id))
            .group_by(Profile.naics_code)
        )
        return {str(code): int(n) for code, n in session.execute(query)}


def _funnel(intros: list[dict[str, Any]], referrals: Counter[str]) -> list[Stage]:
    states = Counter(str(i["state"]) for i in intros)
    return [
        Stage(stage="suggested", count=len(intros)),
        Stage(stage="requested", count=sum(states[s.value] for s in _REQUESTED)),
        Stage(stage="accepted", count=states[IntroductionState.ACCEPTED.value]),
        Stage(stage="referral", count=sum(referrals.values())),
        Stage(stage="won", count=referrals[ReferralState.WON.value]),
    ]


def _rates(intros: list[dict[str, Any]], messages: int, rated: int, positive: int) -> Rates:
    states = Counter(str(i["state"]) for i in intros)
    accepted, declined, expired = (
        states[s.value]
        for s in (IntroductionState.ACCEPTED, IntroductionState.DECLINED, IntroductionState.EXPIRED)
    )
    return Rates(
        requested=sum(states[s.value] for s in _REQUESTED),
        accepted=accepted,
        declined=declined,
        expired=expired,
        acceptance_rate=_ratio(accepted, accepted + declined + expired),
        assistant_messages=messages,
        rated=rated,
        positive=positive,
        feedback_rate=_ratio(rated, messages),
        positive_rate=_ratio(positive, rated),
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _industries(deals: list[dict[str, Any]], sizes: dict[str, int]) -> list[IndustryRow]:
    titles: dict[str, str] = {}
    counts: Counter[str] = Counter()
    values: dict[str, Counter[str]] = defaultdict(Counter)
    for deal in deals:
        code = deal["to_code"]
        if not code:
            continue
        titles[code] = deal["to_title"] or code
        counts[code] += 1
        values[code][deal["currency"]] += int(deal["amount"])
    for code in sizes:
        counts.setdefault(code, 0)
    ranked = sorted(counts, key=lambda c: (-counts[c], -sum(values[c].values()), -sizes.get(c, 0), c))
    return [
        IndustryRow(
            naics_code=code,
            naics_title=titles.get(code, ""),
            subscribers=sizes.get(code, 0),
            deals=counts[code],
            value_minor=dict(sorted(values[code].items())),
        )
        for code in ranked[:TOP]
    ]


def _chains(deals: list[dict[str, Any]], intros: list[dict[str, Any]]) -> list[ChainRow]:
    titles: dict[str, str] = {}
    tally: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    accepted = [i for i in intros if i["state"] == IntroductionState.ACCEPTED.value]
    for kind, rows in (("deals", deals), ("introductions", accepted)):
        for row in rows:
            if not (row["from_code"] and row["to_code"]):
                continue
            titles[row["from_code"]] = row["from_title"] or row["from_code"]
            titles[row["to_code"]] = row["to_title"] or row["to_code"]
            tally[(row["from_code"], row["to_code"])][kind] += 1
    ranked = sorted(tally, key=lambda pair: (-sum(tally[pair].values()), -tally[pair]["deals"], pair))
    return [
        ChainRow(
            from_code=a,
            from_title=titles[a],
            to_code=b,
            to_title=titles[b],
            introductions=tally[(a, b)]["introductions"],
            deals=tally[(a, b)]["deals"],
        )
        for a, b in ranked[:TOP]
    ]


def _granularity(start: date, end: date) -> Granularity:
    days = (end - start).days + 1
    return "day" if days <= 31 else "week" if days <= 182 else "month"


def period_of(day: date, granularity: Granularity) -> str:
    """The label of the period holding ``day``: ``2026-11-05``, the week's Monday, or ``2026-11``."""
    if granularity == "day":
        return day.isoformat()
    if granularity == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return f"{day.year:04d}-{day.month:02d}"


def _periods(start: date, end: date, granularity: Granularity) -> list[str]:
    labels: list[str] = []
    day = start
    while day <= end:
        label = period_of(day, granularity)
        if not labels or labels[-1] != label:
            labels.append(label)
        day += timedelta(days=1)
    return labels


def _amounts(rows: Any, granularity: Granularity) -> list[Amount]:
    sums: Counter[tuple[str, str]] = Counter()
    counts: Counter[tuple[str, str]] = Counter()
    for day, currency, amount in rows:
        key = (period_of(day, granularity), str(currency))
        sums[key] += int(amount)
        counts[key] += 1
    return [
        Amount(
            period=period,
            currency=currency,
            amount_minor=sums[(period, currency)],
            count=counts[(period, currency)],
        )
        for period, currency in sorted(sums)
    ]
