"""A million synthetic business profiles, and their offers and needs vectors, fast and reproducibly.

Texts: the rules of :class:`evals.synthetic_profiles.ProfileGenerator` (industries from the everyday business
vocabulary and the BEA Use table, offers from the industry's own words, needs from what it buys most), with
every per-industry table computed once: the generator itself takes ~80 ms a profile here (it rebuilds sets
per call), 22 hours for a million.

Vectors: embedding 2M texts with all-MiniLM-L6-v2 on this machine would take hours (``texts_per_s`` in the
result says how many). So each profile's vector is *composed* from real MiniLM embeddings of the finite set
of phrases its texts are made of (the industry words, NAICS titles and supplier phrases in its slots):
the mean of its phrases' embeddings, plus the residual of a real text — for a calibration sample, the real
embedding of the whole text minus the composition of its own phrases — taken from a random profile of the
sample, plus small Gaussian noise (σ 0.003 a dimension), normalised. The calibration reports how far real
texts are from their compositions and how far the composed vectors are, so the two can be compared.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from evals.synthetic_profiles import (
    CITIES,
    NEED_TEMPLATES,
    OFFER_TEMPLATES,
    STAGES,
    ProfileGenerator,
    _description_phrase,
)
from retrieval.supply_chain import plain

NOISE = 0.003


@dataclass(frozen=True)
class Industry:
    code: str
    title: str
    words: list[str]
    extras: list[str]
    suppliers: list[list[str]]  # per supplier link, the phrases it can be named by
    shares: list[float]


@dataclass(frozen=True)
class Drawn:
    """One profile: its texts as the product indexes them, and the phrases each is made of."""

    number: int
    industry: Industry
    offers: str
    needs: str
    offer_slots: tuple[str, ...]
    need_slots: tuple[str, ...]
    city: str
    latitude: float
    longitude: float
    radius_km: float
    stage: str
    employees: int

    @property
    def offers_text(self) -> str:
        """What the index embeds for the offers side (``profile_texts``: offers. NAICS title)."""
        return f"{self.offers.rstrip('.')}. {self.industry.title}"


class FastProfiles:
    def __init__(self, seed: int = 7) -> None:
        generator = ProfileGenerator(seed)
        codes = set(generator.vocab.codes())
        self.industries: list[Industry] = []
        words_of: dict[str, list[str]] = {}

        def words(code: str) -> list[str]:
            if code not in words_of:
                found = [w for w in generator.vocab.synonyms(code) if len(w) > 2]
                words_of[code] = [w.lower() for w in found] or [plain(generator.naics.title(code)).lower()]
            return words_of[code]

        for code in generator.industries:
            title = generator.naics.title(code)
            links = [link for link in generator.chain.top_suppliers(code, 15) if link.naics]
            suppliers = []
            for link in links:
                known = [c for c in link.naics if c in codes]
                if known:
                    suppliers.append(sorted({w for c in known for w in words(c)}))
                else:
                    member = link.naics[0]
                    name = generator.naics.title(member) if member in generator.naics else link.name
                    suppliers.append([plain(name)])
            extras = [_description_phrase(generator.naics.get(code).description), plain(title)]
            self.industries.append(
                Industry(code, title, words(code), extras, suppliers, [link.share for link in links])
            )
        self.weights = generator.weights
        self.seed = seed

    def draw(self, count: int, start: int = 0) -> Iterator[Drawn]:
        """Profiles ``start .. start + count - 1``; the same numbers give the same profiles."""
        rng = random.Random(f"{self.seed}:{start}")
        picks = rng.choices(self.industries, self.weights, k=count)
        for offset, industry in enumerate(picks):
            yield self._one(rng, start + offset, industry)

    def _one(self, rng: random.Random, number: int, industry: Industry) -> Drawn:
        picked = rng.sample(industry.words, min(3, len(industry.words)))
        for extra in [*industry.extras, "advice", "repairs"]:
            if len(picked) < 3 and extra and extra not in picked:
                picked.append(extra)
        template = rng.choice(OFFER_TEMPLATES)
        name, title = industry.words[0], plain(industry.title)
        offers = template.format(a=picked[0], b=picked[1], c=picked[2], name=name, title=title)
        offer_slots = tuple(s for key, s in zip("abc", picked, strict=True) if "{" + key + "}" in template)
        offer_slots += (name,) if "{name}" in template else ()
        offer_slots += (industry.title,) * (2 if "{title}" in template else 1)
        needs, need_slots = self._needs(rng, industry)
        city, lat, lon = rng.choice(CITIES)
        return Drawn(
            number=number,
            industry=industry,
            offers=offers,
            needs=needs,
            offer_slots=offer_slots,
            need_slots=need_slots,
            city=city,
            latitude=round(lat + rng.gauss(0, 0.15), 5),
            longitude=round(lon + rng.gauss(0, 0.2), 5),
            radius_km=float(rng.choice((5, 10, 25, 50, 100))),
            stage=rng.choice(STAGES),
            employees=rng.choice((1, 2, 4, 8, 15, 30, 45)),
        )

    def _needs(self, rng: random.Random, industry: Industry) -> tuple[str, tuple[str, ...]]:
        if not industry.suppliers:
            return "new customers", ("new customers",)
        pool = list(range(len(industry.suppliers)))
        chosen: list[int] = []
        while pool and len(chosen) < 2:
            pick = rng.choices(pool, [industry.shares[i] for i in pool])[0]
            chosen.append(pick)
            pool.remove(pick)
        phrases = [rng.choice(industry.suppliers[i]) for i in chosen]
        phrases += ["an accountant"] * (2 - len(phrases))
        return rng.choice(NEED_TEMPLATES).format(x=phrases[0], y=phrases[1]), tuple(phrases)


class Composer:
    """Profile vectors from phrase embeddings and real residuals (module docstring)."""

    def __init__(self, phrases: dict[str, np.ndarray], residuals: np.ndarray, seed: int = 11) -> None:
        self.phrases = phrases
        self.residuals = residuals
        self.seed = seed

    def compose(self, slots: tuple[str, ...]) -> np.ndarray:
        mean: np.ndarray = np.mean([self.phrases[s] for s in slots], axis=0)
        unit: np.ndarray = (mean / np.linalg.norm(mean)).astype(np.float32)
        return unit

    def vectors(self, slot_lists: list[tuple[str, ...]], block: int) -> np.ndarray:
        """Composed, residual-added, noised and normalised vectors for one block (seeded by its number)."""
        rng = np.random.default_rng([self.seed, block])
        base = np.stack([self.compose(s) for s in slot_lists])
        residual = self.residuals[rng.integers(0, len(self.residuals), len(base))]
        noise = rng.normal(0, NOISE, size=base.shape).astype(np.float32)
        out = base + residual + noise
        unit: np.ndarray = (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)
        return unit


def calibrate(real: np.ndarray, composed: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Residuals of real texts from their compositions, and how close each is (cosine)."""
    residuals = (real - composed).astype(np.float32)
    cos = np.sum(real * composed, axis=1)
    stats = {
        "sample": len(real),
        "cos_real_to_composition": {
            "mean": round(float(cos.mean()), 4),
            "p5": round(float(np.percentile(cos, 5)), 4),
            "p95": round(float(np.percentile(cos, 95)), 4),
        },
    }
    return residuals, stats
