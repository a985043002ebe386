"""Everyday words for NAICS industries: what a small-business owner calls their trade.

Two sources, both in ``retrieval/data/vocab`` (see its SOURCE.md):

- OpenStreetMap's business presets (name, search terms, aliases; e.g. *Bakery: bakeshop, bread, cakes,
  rolls*), tied to NAICS 2017 codes by our own mapping ``osm_naics.csv``; a preset without a row inherits
  its parent's code (``amenity/restaurant/thai`` → ``amenity/restaurant`` → 722511);
- ``uk_business_terms.csv``: British trade words the presets lack (*gas engineer*, *off licence*, *haulier*).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Preset:
    preset_id: str
    name: str
    terms: tuple[str, ...]
    aliases: tuple[str, ...]

    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.terms)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    presets: dict[str, tuple[Preset, ...]]  # NAICS code -> presets
    terms: dict[str, tuple[str, ...]]  # NAICS code -> hand-written trade words

    @classmethod
    def load(cls, *, include_uk_terms: bool = True) -> Vocabulary:
        return _load(include_uk_terms)

    def names(self, code: str) -> tuple[str, ...]:
        """Preset names of a code, e.g. ``("Bakery", "Pastry Shop")``."""
        return tuple(preset.name for preset in self.presets.get(code, ()))

    def synonyms(self, code: str) -> tuple[str, ...]:
        """All everyday words for a code, each once, in a stable order."""
        words: list[str] = list(self.terms.get(code, ()))  # British trade words first
        for preset in self.presets.get(code, ()):
            words.extend(preset.words())
        unique: dict[str, str] = {}
        for word in words:
            if word:
                unique.setdefault(word.lower(), word)
        return tuple(unique.values())

    def codes(self) -> set[str]:
        return set(self.presets) | set(self.terms)


def _text(name: str) -> str:
    return (resources.files("retrieval") / "data" / "vocab" / name).read_text(encoding="utf-8")


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(sep) if part.strip())


@lru_cache(maxsize=2)
def _load(include_uk_terms: bool) -> Vocabulary:
    mapping = {row["preset_id"]: row["naics"] for row in csv.DictReader(io.StringIO(_text("osm_naics.csv")))}
    presets: dict[str, list[Preset]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(_text("osm_business_presets_en.csv"))):
        code = _mapped(row["preset_id"], mapping)
        if code and row["name"].strip():
            preset = Preset(
                row["preset_id"], row["name"].strip(), _split(row["terms"], ","), _split(row["aliases"], "\n")
            )
            presets[code].append(preset)
    terms: dict[str, tuple[str, ...]] = {}
    if include_uk_terms:
        for row in csv.DictReader(io.StringIO(_text("uk_business_terms.csv"))):
            terms[row["naics"]] = _split(row["terms"], ",")
    return Vocabulary({code: tuple(items) for code, items in presets.items()}, terms)


def _mapped(preset_id: str, mapping: dict[str, str]) -> str | None:
    parts = preset_id.split("/")
    while len(parts) > 1:
        code = mapping.get("/".join(parts))
        if code:
            return code
        parts.pop()
    return None
