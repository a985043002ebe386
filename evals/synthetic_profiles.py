"""Synthetic small-business profiles for the retrieval benchmark and the matching eval.

Industries come from the everyday business vocabulary (OpenStreetMap presets, UK trade words) plus the
industries those businesses really buy from; offers are written from the industry's own words, needs from
the industries it buys most from in the BEA Use table (a bakery needs flour, packaging, an accountant).
Deterministic for a given seed. When ``seeding.network`` is available the eval seeds through it instead.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from retrieval.naics import Naics
from retrieval.supply_chain import Link, SupplyChain, plain
from retrieval.vocabulary import Vocabulary

CITIES = (  # (name, latitude, longitude)
    ("London", 51.5072, -0.1276),
    ("Manchester", 53.4808, -2.2426),
    ("Birmingham", 52.4862, -1.8904),
    ("Leeds", 53.8008, -1.5491),
    ("Bristol", 51.4545, -2.5879),
    ("Glasgow", 55.8642, -4.2518),
)
STAGES = ("startup", "growing", "established", "mature")
OFFER_TEMPLATES = (
    "{a}, {b} and {c}",
    "We are a {name} offering {a} and {b}",
    "Independent {name}: {a}, {b}, {c} for local customers",
    "{a} and {b}, {title}",
)
NEED_TEMPLATES = (
    "Looking for a reliable supplier of {x} and {y}",
    "We need {x}; also {y}",
    "Need {x} and help with {y}",
    "Searching for {x} and {y} at fair prices",
)


@dataclass(frozen=True)
class SyntheticProfile:
    business_name: str
    naics_code: str
    naics_title: str
    offers: str
    needs: str
    locality: str
    latitude: float
    longitude: float
    service_radius_km: float
    growth_stage: str
    employees: int

    def profile_fields(self) -> dict[str, object]:
        return {
            "naics_code": self.naics_code,
            "naics_title": self.naics_title,
            "offers": self.offers,
            "needs": self.needs,
            "locality": self.locality,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "service_radius_km": self.service_radius_km,
            "growth_stage": self.growth_stage,
            "employees": self.employees,
        }


class ProfileGenerator:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.naics = Naics.load()
        self.vocab = Vocabulary.load()
        self.chain = SupplyChain.load()
        self.industries, self.weights = _industry_pool(self.naics, self.vocab, self.chain)

    def profiles(self, n: int) -> list[SyntheticProfile]:
        return [self.profile(i) for i in range(n)]

    def profile(self, number: int) -> SyntheticProfile:
        code = self.rng.choices(self.industries, self.weights)[0]
        city, lat, lon = self.rng.choice(CITIES)
        title = self.naics.title(code)
        return SyntheticProfile(
            business_name=f"{self._name(code)} {number}",
            naics_code=code,
            naics_title=title,
            offers=self._offers(code, title),
            needs=self._needs(code),
            locality=city,
            latitude=round(lat + self.rng.gauss(0, 0.15), 5),
            longitude=round(lon + self.rng.gauss(0, 0.2), 5),
            service_radius_km=float(self.rng.choice((5, 10, 25, 50, 100))),
            growth_stage=self.rng.choice(STAGES),
            employees=self.rng.choice((1, 2, 4, 8, 15, 30, 45)),
        )

    def _words(self, code: str) -> list[str]:
        words = [w for w in self.vocab.synonyms(code) if len(w) > 2]
        return words or [plain(self.naics.title(code))]

    def _name(self, code: str) -> str:
        return self._words(code)[0].title()

    def _offers(self, code: str, title: str) -> str:
        words = [w.lower() for w in self._words(code)]
        picked = self.rng.sample(words, min(3, len(words)))
        extras = [_description_phrase(self.naics.get(code).description), plain(title), "advice", "repairs"]
        for extra in extras:
            if len(picked) < 3 and extra and extra not in picked:
                picked.append(extra)
        template = self.rng.choice(OFFER_TEMPLATES)
        return template.format(
            a=picked[0], b=picked[1], c=picked[2], name=words[0].lower(), title=plain(title)
        )

    def _needs(self, code: str) -> str:
        links = [link for link in self.chain.top_suppliers(code, 15) if link.naics]
        if not links:
            return "new customers"
        chosen = _weighted_sample(self.rng, links, 2)
        phrases = [self._supplier_phrase(link) for link in chosen]
        phrases += ["an accountant"] * (2 - len(phrases))
        return self.rng.choice(NEED_TEMPLATES).format(x=phrases[0], y=phrases[1])

    def _supplier_phrase(self, link: Link) -> str:
        known = [c for c in link.naics if c in self.vocab.codes()]
        code = self.rng.choice(known or list(link.naics))
        if known:
            return self.rng.choice(self._words(code)).lower()
        return plain(self.naics.title(code)) if code in self.naics else plain(link.name)


def _weighted_sample(rng: random.Random, links: list[Link], k: int) -> list[Link]:
    pool = list(links)
    chosen: list[Link] = []
    while pool and len(chosen) < k:
        pick = rng.choices(pool, [link.share for link in pool])[0]
        chosen.append(pick)
        pool.remove(pick)
    return chosen


def _description_phrase(description: str) -> str:
    text = re.sub(
        r"^This (U\.S\. )?industry (comprises|consists of) \w+ primarily engaged in ", "", description
    )
    first = re.split(r"\.\s|;|\(", text.strip(), maxsplit=1)[0]
    return first.strip().rstrip(".")[:100]


def _industry_pool(naics: Naics, vocab: Vocabulary, chain: SupplyChain) -> tuple[list[str], list[float]]:
    """Everyday small-business industries (weight 3) and the industries they buy most from (weight 1)."""
    weights: dict[str, float] = {}
    for code in sorted(vocab.codes()):
        if len(code) == 6 and code in naics and chain.bea_codes(code):
            weights[code] = 3.0
    for code in list(weights):
        for link in chain.top_suppliers(code, 8):
            for member in link.naics[:1]:
                if member in naics:
                    weights.setdefault(member, 1.0)
    ordered = sorted(weights)
    return ordered, [weights[c] for c in ordered]
