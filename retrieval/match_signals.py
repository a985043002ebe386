"""The re-ranker's signals, each a number in [0, 1] (exposure: a penalty in [0, 1]).

Kept apart from the engine so each signal can be read, tested and tuned on its own. The engine multiplies
them by :class:`Weights`; the weighted values are the suggestion's ``parts`` and add up to its score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from retrieval.eligibility import TrustStats

EARTH_RADIUS_KM = 6371.0
DEFAULT_RADIUS_KM = 25.0
STAGES = ("startup", "growing", "established", "mature")
# MiniLM cosine between unrelated business texts sits near 0.1, close paraphrases near 0.7
FIT_FLOOR, FIT_CEILING = 0.10, 0.70
PRIOR_FULL_SHARE = 0.05  # a supplier taking 5% of an industry's inputs counts as a full prior
EXPOSURE_CAP = 10  # introductions naming the same target within the exposure window


class SupplyChainPrior(Protocol):
    """The part of ``retrieval.supply_chain.SupplyChain`` the engine uses."""

    def buy_share(self, buyer_naics: str, supplier_naics: str) -> float: ...


class NoSupplyChain:
    """No prior at all (when BEA data is unavailable): every pair scores 0."""

    def buy_share(self, buyer_naics: str, supplier_naics: str) -> float:
        return 0.0


class MemoPrior:
    """Remembers shares per industry pair: a request asks for the same few pairs a hundred times."""

    def __init__(self, prior: SupplyChainPrior, limit: int = 100_000) -> None:
        self.prior: SupplyChainPrior = prior.prior if isinstance(prior, MemoPrior) else prior
        self.limit = limit
        self._shares: dict[tuple[str, str], float] = {}

    def buy_share(self, buyer_naics: str, supplier_naics: str) -> float:
        key = (buyer_naics, supplier_naics)
        share = self._shares.get(key)
        if share is None:
            if len(self._shares) >= self.limit:
                self._shares.clear()
            share = self._shares[key] = self.prior.buy_share(buyer_naics, supplier_naics)
        return share


@dataclass(frozen=True)
class Weights:
    fit: float = 0.35  # their offers meet my needs
    reciprocity: float = 0.15  # my offers meet their needs
    supply_chain: float = 0.25  # BEA: my industry buys from theirs (or theirs from mine)
    distance: float = 0.10
    stage: float = 0.05
    trust: float = 0.10
    exposure: float = 0.15  # subtracted


def fit(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - FIT_FLOOR) / (FIT_CEILING - FIT_FLOOR)))


def supply_chain(prior: SupplyChainPrior, mine: str | None, theirs: str | None) -> tuple[float, float]:
    """(share of my industry's inputs bought from theirs, share of theirs bought from mine)."""
    if not mine or not theirs:
        return 0.0, 0.0
    return prior.buy_share(mine, theirs), prior.buy_share(theirs, mine)


def prior_strength(buys_from_them: float, sells_to_them: float) -> float:
    share = buys_from_them + 0.5 * sells_to_them
    return min(1.0, math.sqrt(max(share, 0.0) / PRIOR_FULL_SHARE))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def reach(distance_km: float | None, radius_km: float | None) -> float:
    """1 inside the service radius, falling to 0 at twice the radius; unknown location: 0."""
    if distance_km is None:
        return 0.0
    radius = radius_km or DEFAULT_RADIUS_KM
    if distance_km <= radius:
        return 1.0
    return max(0.0, 1.0 - (distance_km - radius) / radius)


def stage_fit(mine: str | None, theirs: str | None) -> float:
    """Peers at the same stage understand each other; a more established partner can carry a younger one."""
    if mine not in STAGES or theirs not in STAGES:
        return 0.0
    gap = STAGES.index(theirs) - STAGES.index(mine)
    if gap == 0:
        return 1.0
    return 0.8 if gap > 0 else max(0.0, 0.6 + 0.2 * gap)


def trust_level(stats: TrustStats) -> float:
    """Won referrals (saturating at 3) and the share of introductions they accepted (Laplace-smoothed)."""
    won = min(1.0, stats.won_referrals / 3)
    acceptance = (stats.accepted + 1) / (stats.accepted + stats.declined + 2)
    return 0.6 * won + 0.4 * acceptance


def overexposure(count: int) -> float:
    return min(1.0, count / EXPOSURE_CAP)
