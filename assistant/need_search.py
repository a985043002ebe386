"""Businesses whose offers meet a need the person states in words ("a reliable flour supplier").

The matcher ranks by the *confirmed* profile; a need said in chat is not in the profile yet (inferred values
wait for confirmation), so ``find_introductions(need=…)`` searches the consented offers index directly, with
the same hard filters as the matcher (consent, self, blocked, already introduced, recently declined). Only
businesses above a relevance floor are returned, each with the one offer that matched, so "cask beer supplier"
finds a brewery or nobody, never a meat wholesaler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from network.db import Database
from network.ids import utcnow
from network.models import Profile, Subscriber
from network.profile_text import excerpt
from network.services.subscribers import require_subscriber
from retrieval import eligibility
from retrieval.best_items import ItemScorer
from retrieval.embedder import Embedder
from retrieval.index import VectorIndex, collection_name
from tools import phrases
from tools.ports import Match

# MiniLM cosine between unrelated business texts sits near 0.1: candidates below this are not even scored
PREFILTER = 0.2
SCORED = 8  # candidates (best whole-text similarity first) whose offers are scored item by item
# Relevance = mean of (cosine of the need with their best-matching offer item, cosine with their whole offers
# text). Calibrated on all-MiniLM-L6-v2 over the 82 seeded industries and 24 labelled needs: at 0.45, and
# within 0.15 of the best result, 21 of 24 needs find a right business and 3 wrong ones are shown (the old
# whole-text floor of 0.2: 21 and 70; the whole-text cosine alone at 0.40: 17 and 4). "cask beer supplier":
# brewery 0.75, meat wholesaler 0.32; "accountant": accountancy practice 0.74, bookkeeping service 0.58,
# insurance broker 0.44.
# (floor, margin below the best result); "dog grooming": a pet groomer 0.72, a barber ("groom") 0.54
RELEVANCE = {"all-MiniLM-L6-v2": (0.45, 0.15)}
# other embedders (the word-hashing fake of tests and offline evals) keep the old whole-text floor, no margin
UNCALIBRATED = (PREFILTER, 1.0)


def relevance_floor(embedder_name: str) -> tuple[float, float]:
    return RELEVANCE.get(embedder_name, UNCALIBRATED)


@dataclass
class VectorNeedSearch:
    db: Database
    index: VectorIndex
    embedder: Embedder
    pool: int = 40
    clock: Callable[[], datetime] = utcnow
    floor: float | None = None  # None: calibrated for the embedder (see RELEVANCE)
    margin: float | None = None

    def __post_init__(self) -> None:
        self.items = ItemScorer(self.embedder)
        floor, margin = relevance_floor(self.embedder.name)
        self.floor = floor if self.floor is None else self.floor
        self.margin = margin if self.margin is None else self.margin

    def find(self, subscriber_id: str, need: str, top: int = 5) -> list[Match]:
        """Businesses whose offers meet ``need`` above the relevance floor (none when nobody's do)."""
        vector = self.embedder.embed([need])[0]
        with self.db.read() as session:
            me = require_subscriber(session, subscriber_id)
            mine = session.get(Profile, subscriber_id)
            hits = self.index.query(collection_name(me.tenant, "offers"), vector, self.pool)
            scores = {h.id: h.score for h in hits if h.score >= PREFILTER}
            excluded = eligibility.excluded_partners(session, me.id, self.clock()) | {me.id}
            allowed = eligibility.discoverable(session, [i for i in scores if i not in excluded])
            rows = session.execute(
                select(Subscriber, Profile)
                .join(Profile, Profile.subscriber_id == Subscriber.id)
                .where(Subscriber.id.in_(sorted(allowed)))
            ).all()
            eligible = [(s, p) for s, p in rows if s.status == "active" and s.tenant == me.tenant]
            eligible.sort(key=lambda row: (-scores[row[0].id], row[0].id))
            found = [self._judge(s, p, scores[s.id], need, mine) for s, p in eligible[:SCORED]]
        kept = [m for m in found if m is not None]
        best = max((m.score for m in kept), default=0.0)
        assert self.margin is not None
        kept = [m for m in kept if m.score >= best - self.margin]
        kept.sort(key=lambda m: (-m.score, m.subscriber_id))
        return kept[:top]

    def _judge(
        self, subscriber: Subscriber, profile: Profile, whole: float, need: str, mine: Profile | None
    ) -> Match | None:
        offers = profile.offers or profile.description
        pair = self.items.best_pair(need, offers)
        if pair is None:
            return None
        relevance = (pair.score + whole) / 2
        assert self.floor is not None
        if relevance < self.floor:
            return None
        return _match(subscriber, profile, relevance, need, pair.right, mine)


def _match(
    subscriber: Subscriber, profile: Profile, score: float, need: str, offer: str, mine: Profile | None
) -> Match:
    reasons = [phrases.REASON_OFFERS.format(offers=excerpt(offer, 60), need=excerpt(need, 60))]
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
