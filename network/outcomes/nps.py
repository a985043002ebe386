"""Net Promoter Score from the answers stored in the conversation (:class:`network.models.NpsResponse`).

Promoters answer 9–10, passives 7–8, detractors 0–6; NPS = 100 × (promoters − detractors) / answers. The
95% interval is the normal approximation for a difference of two proportions of one sample:
``se = sqrt((p + d − (p − d)²) / n)``, NPS ± 1.96 × 100 × se, clipped to [−100, 100]. The response rate is
the share of surveys asked in the period that got a score. Figures are rounded to one decimal (rates to
four).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from network.models import NpsResponse, Profile
from network.outcomes.shapes import Nps, NpsGroup

RULE = (
    "NPS = 100 × (promoters − detractors) / answers; promoters score 9–10, passives 7–8, detractors 0–6; "
    "95% interval by the normal approximation; response rate = the share of surveys asked in the period "
    "that got a score."
)
Z95 = 1.96


@dataclass(frozen=True, slots=True)
class Survey:
    subscriber_id: str
    asked_at: datetime
    scored_at: datetime | None
    score: int | None
    sector: str


def surveys(session: Session, since: datetime, until: datetime, members: object) -> list[Survey]:
    """Surveys asked or answered in ``[since, until)`` to the subscribers ``members`` selects."""
    asked = and_(NpsResponse.asked_at >= since, NpsResponse.asked_at < until)
    scored = and_(NpsResponse.scored_at >= since, NpsResponse.scored_at < until)
    rows = session.execute(
        select(
            NpsResponse.subscriber_id,
            NpsResponse.asked_at,
            NpsResponse.scored_at,
            NpsResponse.score,
            Profile.naics_code,
        )
        .outerjoin(Profile, Profile.subscriber_id == NpsResponse.subscriber_id)
        .where(asked | scored, NpsResponse.subscriber_id.in_(members))  # type: ignore[arg-type]
    )
    return [Survey(s, a, t, score, (code or "")[:2] or "unknown") for s, a, t, score, code in rows]


def compute(found: list[Survey], since: datetime, until: datetime) -> Nps:
    answered = [s for s in found if s.score is not None and s.scored_at and since <= s.scored_at < until]
    asked = [s for s in found if since <= s.asked_at < until]
    months: dict[str, list[Survey]] = defaultdict(list)
    asked_months: dict[str, list[Survey]] = defaultdict(list)
    for s in answered:
        months[_month(s.scored_at)].append(s)  # type: ignore[arg-type]
    for s in asked:
        asked_months[_month(s.asked_at)].append(s)
    sectors: dict[str, list[Survey]] = defaultdict(list)
    asked_sectors: dict[str, list[Survey]] = defaultdict(list)
    for s in answered:
        sectors[s.sector].append(s)
    for s in asked:
        asked_sectors[s.sector].append(s)
    return Nps(
        rule=RULE,
        overall=group("all", answered, asked),
        by_period=[group(m, months[m], asked_months[m]) for m in sorted(set(months) | set(asked_months))],
        by_segment=[
            group(k, sectors[k], asked_sectors[k]) for k in sorted(set(sectors) | set(asked_sectors))
        ],
    )


def group(key: str, answers: Iterable[Survey], asked: list[Survey]) -> NpsGroup:
    """``answers``: scores given in the period; ``asked``: surveys put in the period (some answered)."""
    scores = [int(s.score) for s in answers if s.score is not None]
    n = len(scores)
    promoters = sum(1 for v in scores if v >= 9)
    detractors = sum(1 for v in scores if v <= 6)
    nps = low = high = None
    if n:
        p, d = promoters / n, detractors / n
        nps = 100 * (p - d)
        half = Z95 * 100 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
        low, high = round(max(-100.0, nps - half), 1), round(min(100.0, nps + half), 1)
        nps = round(nps, 1)
    return NpsGroup(
        key=key,
        asked=len(asked),
        answers=n,
        promoters=promoters,
        passives=n - promoters - detractors,
        detractors=detractors,
        nps=nps,
        ci_low=low,
        ci_high=high,
        response_rate=round(sum(1 for s in asked if s.score is not None) / len(asked), 4) if asked else None,
    )


def _month(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"
