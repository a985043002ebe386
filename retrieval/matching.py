"""Complementary matching: candidates from the vector index, hard filters, a transparent re-ranker.

Candidates: A's needs against others' offers, and A's offers against others' needs (reciprocity). Hard
filters: discoverable consent, active, same tenant, not self, not blocked either way, not already introduced,
not declined in the last 90 days. Score = Σ weight × signal (see :mod:`retrieval.match_signals`); the
weighted values are returned as ``parts`` and every suggestion carries its reasons in plain words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from network.db import Database
from network.errors import NotFound
from network.ids import utcnow
from network.models import Profile, Subscriber
from retrieval import eligibility
from retrieval import match_signals as sig
from retrieval.embedder import Embedder, Vectors
from retrieval.index import VectorIndex, collection_name
from retrieval.match_reasons import Evidence, reasons
from retrieval.profiles_index import profile_texts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    subscriber_id: str
    business_name: str
    naics: str | None
    score: float
    parts: dict[str, float]
    reasons: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    subscriber: Subscriber
    profile: Profile
    fit: float  # cosine(my needs, their offers)
    reciprocity: float  # cosine(my offers, their needs)


@dataclass
class Matcher:
    db: Database
    index: VectorIndex
    embedder: Embedder
    supply_chain: sig.SupplyChainPrior = field(default_factory=sig.NoSupplyChain)
    weights: sig.Weights = field(default_factory=sig.Weights)
    pool: int = 60  # candidates fetched per direction before filtering and re-ranking
    clock: Callable[[], datetime] = utcnow

    def suggest(self, subscriber_id: str, top: int = 5) -> list[Suggestion]:
        with self.db.read() as session:
            me, mine = self._load(session, subscriber_id)
            needs_vec, offers_vec = self._my_vectors(me, mine)
            sims = self._similarities(me.tenant, me.id, needs_vec, offers_vec)
            candidates = self._eligible(session, me, sims)
            now = self.clock()
            exposure = eligibility.exposure(session, [c.subscriber.id for c in candidates], now)
            trust = eligibility.trust(session, [c.subscriber.id for c in candidates])
            ranked = [
                self._score(mine, c, exposure[c.subscriber.id], trust[c.subscriber.id]) for c in candidates
            ]
        ranked.sort(key=lambda s: (-s.score, s.subscriber_id))
        return ranked[:top]

    def _load(self, session: Session, subscriber_id: str) -> tuple[Subscriber, Profile]:
        row = session.execute(
            select(Subscriber, Profile)
            .join(Profile, Profile.subscriber_id == Subscriber.id)
            .where(Subscriber.id == subscriber_id)
        ).first()
        if row is None:
            raise NotFound(f"no subscriber with a profile: {subscriber_id}", subscriber_id=subscriber_id)
        return row[0], row[1]

    def _my_vectors(self, me: Subscriber, mine: Profile) -> tuple[Vectors | None, Vectors | None]:
        texts = profile_texts(mine, [me.contact_name])
        wanted = [t for t in (texts.needs, texts.offers) if t]
        embedded = iter(self.embedder.embed(wanted)) if wanted else iter(())
        needs_vec = next(embedded) if texts.needs else None
        offers_vec = next(embedded) if texts.offers else None
        return needs_vec, offers_vec

    def _similarities(
        self, tenant: str, me: str, needs_vec: Vectors | None, offers_vec: Vectors | None
    ) -> dict[str, tuple[float, float]]:
        offers_col, needs_col = collection_name(tenant, "offers"), collection_name(tenant, "needs")
        found: set[str] = set()
        if needs_vec is not None:
            found.update(h.id for h in self.index.query(offers_col, needs_vec, self.pool + 1))
        if offers_vec is not None:
            found.update(h.id for h in self.index.query(needs_col, offers_vec, self.pool + 1))
        found.discard(me)
        ids = sorted(found)
        their_offers = self.index.vectors(offers_col, ids)
        their_needs = self.index.vectors(needs_col, ids)
        return {i: (_cos(needs_vec, their_offers.get(i)), _cos(offers_vec, their_needs.get(i))) for i in ids}

    def _eligible(
        self, session: Session, me: Subscriber, sims: dict[str, tuple[float, float]]
    ) -> list[Candidate]:
        excluded = eligibility.excluded_partners(session, me.id, self.clock()) | {me.id}
        ids = [i for i in sims if i not in excluded]
        allowed = eligibility.discoverable(session, ids)
        rows = session.execute(
            select(Subscriber, Profile)
            .join(Profile, Profile.subscriber_id == Subscriber.id)
            .where(Subscriber.id.in_([i for i in ids if i in allowed]))
        ).all()
        return [
            Candidate(s, p, *sims[s.id]) for s, p in rows if s.status == "active" and s.tenant == me.tenant
        ]

    def _score(self, mine: Profile, c: Candidate, seen: int, stats: eligibility.TrustStats) -> Suggestion:
        theirs, w = c.profile, self.weights
        buys, sells = sig.supply_chain(self.supply_chain, mine.naics_code, theirs.naics_code)
        distance = _distance(mine, theirs)
        ev = Evidence(
            fit=sig.fit(c.fit),
            reciprocity=sig.fit(c.reciprocity),
            buys_from_them=buys,
            sells_to_them=sells,
            prior=sig.prior_strength(buys, sells),
            distance_km=distance,
            reach=sig.reach(distance, theirs.service_radius_km),
            stage=sig.stage_fit(mine.growth_stage, theirs.growth_stage),
            trust=stats,
            exposure=seen,
        )
        parts = {
            "fit": w.fit * ev.fit,
            "reciprocity": w.reciprocity * ev.reciprocity,
            "supply_chain": w.supply_chain * ev.prior,
            "distance": w.distance * ev.reach,
            "stage": w.stage * ev.stage,
            "trust": w.trust * sig.trust_level(stats),
            "exposure": -w.exposure * sig.overexposure(seen),
        }
        parts = {name: round(value, 4) for name, value in parts.items()}
        return Suggestion(
            subscriber_id=c.subscriber.id,
            business_name=c.subscriber.business_name,
            naics=theirs.naics_code,
            score=round(sum(parts.values()), 4),
            parts=parts,
            reasons=reasons(mine, theirs, ev),
        )


def _cos(a: Vectors | None, b: Vectors | None) -> float:
    if a is None or b is None:
        return 0.0
    return float(np.dot(a, b))


def _distance(mine: Profile, theirs: Profile) -> float | None:
    if mine.latitude is None or mine.longitude is None or theirs.latitude is None or theirs.longitude is None:
        return None
    return sig.haversine_km(mine.latitude, mine.longitude, theirs.latitude, theirs.longitude)
