"""Businesses whose offers meet a need the person states in words ("a reliable flour supplier").

The matcher ranks by the *confirmed* profile; a need said in chat is not in the profile yet (inferred values
wait for confirmation), so ``find_introductions(need=…)`` searches the consented offers index directly, with
the same hard filters as the matcher (consent, self, blocked, already introduced, recently declined).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from network.db import Database
from network.ids import utcnow
from network.models import Profile, Subscriber
from network.services.subscribers import require_subscriber
from retrieval import eligibility
from retrieval.embedder import Embedder
from retrieval.index import VectorIndex, collection_name
from retrieval.match_reasons import short
from tools import phrases
from tools.ports import Match

MIN_SIMILARITY = 0.2  # MiniLM cosine between unrelated business texts sits near 0.1


@dataclass
class VectorNeedSearch:
    db: Database
    index: VectorIndex
    embedder: Embedder
    pool: int = 40
    clock: Callable[[], datetime] = utcnow

    def find(self, subscriber_id: str, need: str, top: int = 5) -> list[Match]:
        vector = self.embedder.embed([need])[0]
        with self.db.read() as session:
            me = require_subscriber(session, subscriber_id)
            mine = session.get(Profile, subscriber_id)
            hits = self.index.query(collection_name(me.tenant, "offers"), vector, self.pool)
            scores = {h.id: h.score for h in hits if h.score >= MIN_SIMILARITY}
            excluded = eligibility.excluded_partners(session, me.id, self.clock()) | {me.id}
            allowed = eligibility.discoverable(session, [i for i in scores if i not in excluded])
            rows = session.execute(
                select(Subscriber, Profile)
                .join(Profile, Profile.subscriber_id == Subscriber.id)
                .where(Subscriber.id.in_(sorted(allowed)))
            ).all()
            found = [
                _match(s, p, scores[s.id], need, mine)
                for s, p in rows
                if s.status == "active" and s.tenant == me.tenant
            ]
        found.sort(key=lambda m: (-m.score, m.subscriber_id))
        return found[:top]


def _match(subscriber: Subscriber, profile: Profile, score: float, need: str, mine: Profile | None) -> Match:
    offers = short(profile.offers or profile.description)
    reasons = [phrases.REASON_OFFERS.format(offers=offers, need=short(need, 60))]
    if mine is not None and mine.locality and profile.locality:
        same = mine.locality.strip().lower() == profile.locality.strip().lower()
        reasons.append(
            (phrases.REASON_SAME_PLACE if same else phrases.REASON_PLACE).format(place=profile.locality)
        )
    return Match(
        subscriber_id=subscriber.id,
        business_name=subscriber.business_name,
        naics=profile.naics_code,
        score=round(float(score), 4),
        parts={"need_fit": round(float(score), 4)},
        reasons=reasons,
    )
