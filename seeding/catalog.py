"""What the demo network is made of: seeded industries with their real suppliers and buyers, towns, names.

Each seeded industry carries, from the real data in ``retrieval/data``: its NAICS title and everyday words
(OpenStreetMap presets), what it *sells* in plain words, what it *needs* (its top BEA 2017 supplier
commodities, weighted by their share of its inputs) and who *buys* from it (its top BEA buyer industries,
and households when they take a large share). The hand-written parts are in ``seeding/data``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from retrieval.naics import Naics
from retrieval.supply_chain import SupplyChain, plain
from retrieval.vocabulary import Vocabulary

SUPPLIERS_CONSIDERED = 15
BUYERS_CONSIDERED = 10
HOUSEHOLD_CUSTOMERS = 0.35  # households are an ideal customer when they take at least this share


@dataclass(frozen=True, slots=True)
class SeedIndustry:
    naics: str
    title: str
    kind: str  # what the owner calls it: "bakery", "plumbing and heating firm"
    weight: float
    staff: tuple[int, int]
    name_words: tuple[str, ...]
    sells: str  # what it offers, in plain words
    synonyms: tuple[str, ...]
    needs: tuple[tuple[str, float], ...]  # (plain words, share of the industry's inputs)
    customers: tuple[tuple[str, float], ...]  # (plain words, share of the commodity's business use)
    household_share: float


@dataclass(frozen=True, slots=True)
class Town:
    locality: str
    region: str
    country: str
    latitude: float
    longitude: float
    weight: float
    drama_prefix: str  # "" when Ofcom reserves no local drama range for the town


@dataclass(frozen=True, slots=True)
class SeedCatalog:
    industries: tuple[SeedIndustry, ...]
    towns: tuple[Town, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    name_words: tuple[str, ...]

    @classmethod
    def load(cls) -> SeedCatalog:
        return _load()

    def industry(self, naics: str) -> SeedIndustry:
        return next(industry for industry in self.industries if industry.naics == naics)

    def town(self, locality: str) -> Town:
        return next(town for town in self.towns if town.locality == locality)


def _read(name: str) -> str:
    return (resources.files("seeding") / "data" / name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read(name))))


def build_industry(row: dict[str, str], phrases: dict[str, tuple[str, str]]) -> SeedIndustry:
    naics, chain, vocabulary = Naics.load(), SupplyChain.load(), Vocabulary.load()
    code = row["naics"]
    own = set(chain.bea_codes(code))
    sells = row.get("offer") or next((phrases[b][0] for b in sorted(own) if phrases.get(b, ("", ""))[0]), "")
    needs = tuple(
        (phrases[link.bea_code][0], link.share)
        for link in chain.top_suppliers(code, SUPPLIERS_CONSIDERED)
        if link.bea_code not in own and phrases.get(link.bea_code, ("", ""))[0]
    )
    customers = tuple(
        (phrases[link.bea_code][1], link.share)
        for link in chain.top_buyers(code, BUYERS_CONSIDERED)
        if link.bea_code not in own and phrases.get(link.bea_code, ("", ""))[1]
    )
    return SeedIndustry(
        naics=code,
        title=naics.title(code),
        kind=row["kind"],
        weight=float(row["weight"]),
        staff=(int(row["min_staff"]), int(row["max_staff"])),
        name_words=tuple(row["name_words"].split("|")),
        sells=sells or plain(naics.title(code)),
        synonyms=vocabulary.synonyms(code),
        needs=needs,
        customers=customers,
        household_share=chain.household_share(code),
    )


@lru_cache(maxsize=1)
def _load() -> SeedCatalog:
    phrases = {row["bea"]: (row["sells"], row["who"]) for row in _rows("bea_phrases.csv")}
    industries = tuple(build_industry(row, phrases) for row in _rows("industries.csv"))
    towns = tuple(
        Town(
            row["locality"],
            row["region"],
            row["country"],
            float(row["latitude"]),
            float(row["longitude"]),
            float(row["weight"]),
            row["drama_prefix"],
        )
        for row in _rows("towns.csv")
    )
    names = json.loads(_read("names.json"))
    return SeedCatalog(
        industries,
        towns,
        tuple(names["first_names"]),
        tuple(names["surnames"]),
        tuple(names["name_words"]),
    )
