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
from sqlalchemy.orm import Session

from network.db import Database
from network.errors import NotFound
from network.ids import utcnow
from retrieval import eligibility
from retrieval import match_signals as sig
from retrieval.best_items import ItemScorer
from retrieval.embedder import Embedder, Vectors
from retrieval.index import VectorIndex, collection_name
from retrieval.match_reasons import Evidence, Quotes, reasons
from retrieval.party import Party, load_parties
from retrieval.profiles_index import content_hash, profile_texts

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
    party: Party
    fit: float  # cosine(my needs, their offers)
    reciprocity: float  # cosine(my offers, their needs)


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    evidence: Evidence
    parts: dict[str, float]
    score: float


@dataclass
class Matcher:
    db: Database
    index: VectorIndex
    embedder: Embedder
    supply_chain: sig.SupplyChainPrior = field(default_factory=sig.NoSupplyChain)
    weights: sig.Weights = field(default_factory=sig.Weights)
    pool: int = 60  # candidates fetched per direction before filtering and re-ranking
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        self.supply_chain = sig.MemoPrior(self.supply_chain)
        self.items = ItemScorer(self.embedder)  # which need and which offer matched, for the reasons

    def suggest(self, subscriber_id: str, top: int = 5) -> list[Suggestion]:
        now = self.clock()
        with self.db.read() as session:
            me = load_parties(session, [subscriber_id]).get(subscriber_id)
            if me is None or me.status != "active":
                raise NotFound(f"no subscriber with a profile: {subscriber_id}", subscriber_id=subscriber_id)
            sims = self._similarities(me)
            candidates = self._eligible(session, me, sims, now)
            ids = [c.party.subscriber_id for c in candidates]
            exposure = eligibility.exposure(session, ids, now)
            trust = eligibility.trust(session, ids)
        scored = [
            self._score(me, c, exposure[c.party.subscriber_id], trust[c.party.subscriber_id])
            for c in candidates
        ]
        scored.sort(key=lambda s: (-s.score, s.candidate.party.subscriber_id))
        chosen = scored[:top]
        self.items.prime([me.needs, me.bottlenecks, me.offers or me.description])
        self.items.prime(t for s in chosen for t in (s.candidate.party.offers, s.candidate.party.needs))
        return [self._explain(me, s) for s in chosen]

    def _similarities(self, me: Party) -> dict[str, tuple[float, float]]:
        texts = profile_texts(me, [me.contact_name])
        offers_col, needs_col = collection_name(me.tenant, "offers"), collection_name(me.tenant, "needs")
        needs_vec = self._my_vector(needs_col, me.subscriber_id, texts.needs)
        offers_vec = self._my_vector(offers_col, me.subscriber_id, texts.offers)
        found: set[str] = set()
        if needs_vec is not None:
            found.update(
                h.id for h in self.index.query(offers_col, needs_vec, self.pool + 1, documents=False)
            )
        if offers_vec is not None:
            found.update(
                h.id for h in self.index.query(needs_col, offers_vec, self.pool + 1, documents=False)
            )
        found.discard(me.subscriber_id)
        ids = sorted(found)
        their_offers = self.index.vectors(offers_col, ids)
        their_needs = self.index.vectors(needs_col, ids)
        return {i: (_cos(needs_vec, their_offers.get(i)), _cos(offers_vec, their_needs.get(i))) for i in ids}

    def _my_vector(self, collection: str, subscriber_id: str, text: str) -> Vectors | None:
        """The indexed vector when it is of this very text (no model call), else a fresh embedding."""
        if not text:
            return None
        if self.index.hashes(collection, [subscriber_id]).get(subscriber_id) == content_hash(
            self.embedder.name, text
        ):
            stored = self.index.vectors(collection, [subscriber_id]).get(subscriber_id)
            if stored is not None:
                return stored
        vector: Vectors = self.embedder.embed([text])[0]
        return vector

    def _eligible(
        self, session: Session, me: Party, sims: dict[str, tuple[float, float]], now: datetime
    ) -> list[Candidate]:
        excluded = eligibility.excluded_partners(session, me.subscriber_id, now) | {me.subscriber_id}
        allowed = eligibility.discoverable(session, [i for i in sims if i not in excluded])
        parties = load_parties(session, allowed)
        return [
            Candidate(party, *sims[party.subscriber_id])
            for party in parties.values()
            if party.status == "active" and party.tenant == me.tenant
        ]

    def _score(self, me: Party, c: Candidate, seen: int, stats: eligibility.TrustStats) -> Scored:
        theirs, w = c.party, self.weights
        buys, sells = sig.supply_chain(self.supply_chain, me.naics_code, theirs.naics_code)
        distance = _distance(me, theirs)
        ev = Evidence(
            fit=sig.fit(c.fit),
            reciprocity=sig.fit(c.reciprocity),
            buys_from_them=buys,
            sells_to_them=sells,
            prior=sig.prior_strength(buys, sells),
            distance_km=distance,
            reach=sig.reach(distance, theirs.service_radius_km),
            stage=sig.stage_fit(me.growth_stage, theirs.growth_stage),
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
        return Scored(c, ev, parts, round(sum(parts.values()), 4))

    def _explain(self, me: Party, scored: Scored) -> Suggestion:
        theirs = scored.candidate.party
        return Suggestion(
            subscriber_id=theirs.subscriber_id,
            business_name=theirs.business_name,
            naics=theirs.naics_code,
            score=scored.score,
            parts=scored.parts,
            reasons=reasons(me, theirs, scored.evidence, self._quotes(me, theirs)),
        )

    def _quotes(self, me: Party, theirs: Party) -> Quotes:
        my_needs = "; ".join(t for t in (me.needs, me.bottlenecks) if t)
        return Quotes(
            fit=self.items.best_pair(my_needs, theirs.offers),
            reciprocity=self.items.best_pair(theirs.needs, me.offers or me.description),
        )


def _cos(a: Vectors | None, b: Vectors | None) -> float:
    if a is None or b is None:
        return 0.0
    return float(np.dot(a, b))


def _distance(mine: Party, theirs: Party) -> float | None:
    if mine.latitude is None or mine.longitude is None or theirs.latitude is None or theirs.longitude is None:
        return None
    return sig.haversine_km(mine.latitude, mine.longitude, theirs.latitude, theirs.longitude)
