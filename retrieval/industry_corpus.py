"""What the industry classifier compares a description with: one entry per six-digit NAICS 2017 industry.

Each industry gets one lexical document (title three times, everyday words twice, the parent industry's title,
the description with its illustrative examples) and several short texts to embed (the title, each group of
everyday words, the opening sentence of the description, each illustrative example). Short texts embed far
better than a page of Census prose, and an industry matches when any one of them does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.naics import Naics, NaicsCode
from retrieval.vocabulary import Vocabulary

_BOILERPLATE = re.compile(
    r"^(this (u\.s\. )?industry comprises|this industry comprises)\s+(establishments\s+)?"
    r"(primarily\s+)?(engaged\s+(in|as)\s+)?",
    re.IGNORECASE,
)
_MAX_EXAMPLES = 12

# Industries where small businesses are common (NAICS prefixes); they get a small prior in ranking.
_SMALL_BUSINESS = """1112 1113 1114 1121 1129 2361 2381 2382 2383 2389 3118 3119 3121 3231 3323 3327 3371
3399 42 44 45 4841 4842 4853 4854 4885 4921 4922 4931 5121 5122 5239 5241 5242 5311 5312 5313 5321 5322 5323
541 5613 5614 5615 5616 5617 5619 611 621 623 624 711 712 713 721 722 811 812"""
SMALL_BUSINESS_PREFIXES = tuple(_SMALL_BUSINESS.split())


@dataclass(frozen=True, slots=True)
class IndustryEntry:
    code: str
    title: str
    document: str  # for BM25
    texts: tuple[str, ...]  # for the embedder
    small_business: bool


def opening_sentence(description: str) -> str:
    first = description.split("\n")[0].split(".  ")[0].strip()
    return _BOILERPLATE.sub("", first).rstrip(".").strip()


def illustrative_examples(description: str) -> list[str]:
    if "Illustrative Examples:" not in description:
        return []
    tail = description.split("Illustrative Examples:", 1)[1]
    lines = [line.strip() for line in tail.split("\n") if line.strip()]
    return lines[:_MAX_EXAMPLES]


def build_entry(entry: NaicsCode, naics: Naics, vocabulary: Vocabulary) -> IndustryEntry:
    parent = naics.get(entry.code[:4]).title if entry.code[:4] in naics else ""
    synonyms = vocabulary.synonyms(entry.code)
    examples = illustrative_examples(entry.description)
    opening = opening_sentence(entry.description)
    document = "\n".join([entry.title] * 3 + [", ".join(synonyms)] * 2 + [parent, opening, *examples])
    texts = [entry.title]
    for preset in vocabulary.presets.get(entry.code, ()):
        texts.append(
            f"{preset.name}: {', '.join(preset.words()[1:])}" if len(preset.words()) > 1 else preset.name
        )
    if entry.code in vocabulary.terms:
        texts.append(", ".join(vocabulary.terms[entry.code]))
    if opening:
        texts.append(opening)
    texts.extend(examples)
    small = entry.code.startswith(SMALL_BUSINESS_PREFIXES)
    return IndustryEntry(entry.code, entry.title, document, tuple(dict.fromkeys(texts)), small)


def build_corpus(naics: Naics, vocabulary: Vocabulary) -> list[IndustryEntry]:
    """Every six-digit industry, in code order."""
    return [build_entry(entry, naics, vocabulary) for entry in sorted(naics.level(6), key=lambda e: e.code)]
