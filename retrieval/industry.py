"""Industry classification: a free-text business description → NAICS 2017 six-digit codes, best three first.

A hybrid of two views of the same 1,057 industries (see :mod:`retrieval.industry_corpus`):

- lexical: BM25 over titles, descriptions, illustrative examples and everyday trade words, normalised by the
  best document's score for the query;
- semantic: the cosine similarity of the description with the industry's closest short text (title, a
  group of trade words, the description's first sentence or an illustrative example).

The two are mixed with fixed weights, plus a small prior for industries where small businesses are common.
The embedding matrix of the industries is computed once per model and cached on disk, keyed by the model
name and a hash of the texts (so a change of data or model never reuses a stale matrix).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.embedder import Embedder
from retrieval.industry_corpus import IndustryEntry, build_corpus
from retrieval.lexical import Bm25
from retrieval.naics import Naics
from retrieval.vocabulary import Vocabulary

logger = logging.getLogger(__name__)
Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Weights:
    semantic: float = 0.6
    lexical: float = 0.4
    small_business: float = 0.04
    lexical_floor: float = 6.0  # a best BM25 score below this is weak evidence: do not stretch it to 1


@dataclass(frozen=True, slots=True)
class IndustryMatch:
    code: str
    title: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "score": self.score}


class IndustryClassifier:
    """``classify("We bake sourdough in Leeds")`` → ``[IndustryMatch("311811", "Retail Bakeries", 0.83), …]``.

    Without an embedder it ranks on the lexical view alone (useful offline and in fast tests).
    """

    def __init__(
        self,
        embedder: Embedder | None,
        *,
        naics: Naics | None = None,
        vocabulary: Vocabulary | None = None,
        cache_dir: Path | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.embedder = embedder
        self.weights = weights or Weights()
        self.cache_dir = cache_dir
        self.entries: list[IndustryEntry] = build_corpus(
            naics or Naics.load(), vocabulary or Vocabulary.load()
        )
        self._bm25 = Bm25([entry.document for entry in self.entries])
        self._prior = np.array([entry.small_business for entry in self.entries], dtype=np.float32)
        owners = [i for i, entry in enumerate(self.entries) for _ in entry.texts]
        self._owners = np.array(owners, dtype=np.int64)
        self._starts = np.searchsorted(self._owners, np.arange(len(self.entries)))
        self._matrix: Matrix | None = None

    def classify(self, text: str, k: int = 3) -> list[IndustryMatch]:
        return self.classify_many([text], k)[0]

    def classify_many(self, texts: Sequence[str], k: int = 3) -> list[list[IndustryMatch]]:
        if not texts:
            return []
        semantic = self._semantic(texts)
        results = []
        for row, text in enumerate(texts):
            scores = self._combine(text, None if semantic is None else semantic[row])
            top = np.argsort(-scores, kind="stable")[:k]
            results.append(
                [IndustryMatch(self.entries[i].code, self.entries[i].title, _round(scores[i])) for i in top]
            )
        return results

    def _combine(self, text: str, semantic: Matrix | None) -> Matrix:
        w = self.weights
        lexical = self._bm25.scores(text)
        lexical = lexical / max(float(lexical.max()), w.lexical_floor)
        prior = w.small_business * self._prior
        if semantic is None:
            lexical_only: Matrix = (lexical + prior).astype(np.float32)
            return lexical_only
        combined: Matrix = (w.semantic * np.clip(semantic, 0, 1) + w.lexical * lexical + prior).astype(
            np.float32
        )
        return combined

    def _semantic(self, texts: Sequence[str]) -> Matrix | None:
        if self.embedder is None:
            return None
        queries = self.embedder.embed([_clean(text) for text in texts])
        similarity = queries @ self.matrix.T  # (queries, industry texts)
        best: Matrix = np.maximum.reduceat(similarity, self._starts, axis=1).astype(np.float32)
        return best

    @property
    def matrix(self) -> Matrix:
        """Unit vectors of every industry text (rows follow ``entries`` and their ``texts``)."""
        if self._matrix is None:
            self._matrix = self._load_or_embed()
        return self._matrix

    def _load_or_embed(self) -> Matrix:
        assert self.embedder is not None
        texts = [text for entry in self.entries for text in entry.texts]
        path = self._cache_path(texts)
        if path is not None and path.exists():
            cached = np.load(path)
            if cached.shape[0] == len(texts):
                return np.asarray(cached, dtype=np.float32)
        logger.info("embedding %d industry texts with %s", len(texts), self.embedder.name)
        matrix = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(partial, matrix)
            partial.replace(path)
        return matrix

    def _cache_path(self, texts: list[str]) -> Path | None:
        if self.cache_dir is None or self.embedder is None:
            return None
        digest = hashlib.sha256()
        digest.update(f"{self.embedder.name}\n{self.embedder.dim}\n".encode())
        for text in texts:
            digest.update(text.encode())
            digest.update(b"\n")
        model = re.sub(r"[^a-zA-Z0-9]+", "-", self.embedder.name).strip("-").lower()
        return self.cache_dir / f"naics-{model}-{digest.hexdigest()[:16]}.npy"


def _clean(text: str) -> str:
    return " ".join(text.split())[:1000]


def _round(value: float) -> float:
    return round(float(min(max(value, 0.0), 1.0)), 3)
