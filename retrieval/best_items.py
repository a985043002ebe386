"""Which item of a profile matched: "advertising, marketing and PR", not the whole needs list.

A profile's needs and offers are embedded whole for retrieval; to say *why* two businesses fit, and to judge
an ad-hoc need against one offer rather than a list, their items are embedded one by one (short texts, cached
by text, embedded in one batch per request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from network.profile_text import coarse_items, items
from retrieval.embedder import Embedder, Vectors


@dataclass(frozen=True)
class Pair:
    """The best-matching item on each side and their cosine similarity."""

    left: str
    right: str
    score: float


def candidates(text: str | None) -> list[str]:
    """The items a quote may be: each ``;`` part whole and each of its comma parts."""
    return list(dict.fromkeys([*coarse_items(text), *items(text)]))


class ItemScorer:
    def __init__(self, embedder: Embedder, limit: int = 20_000) -> None:
        self.embedder = embedder
        self.limit = limit
        self._vectors: dict[str, Vectors] = {}

    def prime(self, texts: Iterable[str | None]) -> None:
        """Embed, in one batch, the items of ``texts`` not seen yet."""
        wanted = {i for t in texts for i in candidates(t)} - self._vectors.keys()
        if not wanted:
            return
        if len(self._vectors) + len(wanted) > self.limit:
            self._vectors.clear()
        ordered = sorted(wanted)
        self._vectors.update(zip(ordered, self.embedder.embed(ordered), strict=True))

    def best_pair(self, left: str | None, right: str | None) -> Pair | None:
        """The item of ``left`` and the item of ``right`` most alike (None when either is empty)."""
        lefts, rights = candidates(left), candidates(right)
        if not lefts or not rights:
            return None
        self.prime([left, right])
        a = np.stack([self._vectors[i] for i in lefts])
        b = np.stack([self._vectors[i] for i in rights])
        sims = a @ b.T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        return Pair(lefts[int(i)], rights[int(j)], float(sims[i, j]))
