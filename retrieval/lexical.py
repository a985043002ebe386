"""A small BM25 index over short documents (NAICS titles, descriptions and trade words).

Pure Python + NumPy: the corpus is about a thousand documents, so an inverted index of dicts is plenty.
Tokens are lower-cased words with a light English stemmer (plurals, -ing, -ers), so *bakeries*, *bakery*
and *baker* meet, and *plumbing* meets *plumber*.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS_TEXT = """a an and are as at be by for from has have i in into is it its of on or our per so that
the their them they this to us we with you your my me all other except not also such than which who can do
establishments establishment primarily engaged industry comprises comprise including include includes
providing provide provides services service u s e g"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_SUFFIXES = ("ing", "ers", "er", "s")


def stem(word: str) -> str:
    """bakeries, bakery, baker, baking → bak; boxes → box; houses → house."""
    if word.endswith("ies") and len(word) > 5:
        word = word[:-3] + "y"
    if word.endswith("y") and len(word) > 4:
        word = word[:-1]
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    words = _WORD.findall(text.lower().replace("'s", "").replace("’s", ""))
    return [stem(word) for word in words if word not in STOPWORDS and len(word) > 1]


class Bm25:
    """Okapi BM25 over fixed documents; ``scores(query)`` gives one score per document."""

    def __init__(self, documents: Sequence[str], *, k1: float = 1.2, b: float = 0.6) -> None:
        self.k1, self.b = k1, b
        self.size = len(documents)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(self.size, dtype=np.float32)
        for index, document in enumerate(documents):
            counts = Counter(tokens(document))
            lengths[index] = sum(counts.values())
            for token, count in counts.items():
                postings[token].append((index, count))
        self._lengths = lengths
        self._average = float(lengths.mean()) if self.size else 0.0
        self._postings = {
            token: (np.array([i for i, _ in items]), np.array([c for _, c in items], dtype=np.float32))
            for token, items in postings.items()
        }

    def idf(self, token: str) -> float:
        found = self._postings.get(token)
        n = len(found[0]) if found else 0
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        result = np.zeros(self.size, dtype=np.float32)
        norm = self.k1 * (1 - self.b + self.b * self._lengths / max(self._average, 1e-9))
        for token in set(tokens(query)):
            found = self._postings.get(token)
            if found is None:
                continue
            docs, counts = found
            result[docs] += self.idf(token) * counts * (self.k1 + 1) / (counts + norm[docs])
        return result
