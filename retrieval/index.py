"""The vector index port and its Chroma adapter.

We always pass our own vectors: Chroma's default embedding function would download an ONNX model on its first
add or query. Collections use cosine space over unit vectors, so ``score = 1 - distance`` is the cosine
similarity. ``delete`` alone does not erase in Chroma; :meth:`ChromaIndex.erase` rebuilds the collection and
compacts the store (see :mod:`retrieval.compaction`).
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import urlparse

import numpy as np

from network.errors import ErasureIncomplete
from network.file_traces import blank_in_place, files_holding
from retrieval.compaction import compact_store
from retrieval.embedder import Vectors

logger = logging.getLogger(__name__)

MAX_BATCH = 5000  # Chroma refuses more than 5,461 vectors per add (chromadb 1.5.9)
Metadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class VectorRecord:
    id: str
    vector: Vectors
    document: str
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True)
class VectorHit:
    id: str
    score: float
    document: str
    metadata: Metadata


class VectorIndex(Protocol):
    """Named collections of unit vectors; every record carries ``subscriber_id`` or ``source`` metadata."""

    def upsert(self, collection: str, records: Sequence[VectorRecord]) -> None: ...

    def query(
        self, collection: str, vector: Vectors, k: int, *, documents: bool = True
    ) -> list[VectorHit]: ...

    def vectors(self, collection: str, ids: Sequence[str]) -> dict[str, Vectors]: ...

    def hashes(self, collection: str, ids: Sequence[str]) -> dict[str, str]: ...


class ErasableIndex(VectorIndex, Protocol):
    """What keeping the index in step with consent and erasure needs on top of search."""

    def ids(self, collection: str, where: Metadata | None = None) -> list[str]: ...

    def remove(self, collection: str, where: Metadata) -> int: ...

    def erase(self, collection: str | Sequence[str], where: Metadata) -> int: ...


def collection_name(tenant: str, kind: str) -> str:
    """A Chroma-safe name: ``l8-<tenant>-<kind>``."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", tenant).strip("-_") or "default"
    return f"l8-{safe}-{kind}"


class ChromaIndex:
    """Chroma on disk (``PersistentClient``) or behind a server (``HttpClient``), telemetry off."""

    # HNSW graph, fixed when a collection is created. Chroma's defaults (M 16, construction 100, search 100)
    # gave recall@10 0.98 at 10k real MiniLM profile vectors and 0.83 at 100k; M 32, construction 200 and
    # search 400 gave 0.95 at 100k for ~1.7 ms a query (benchmarks/retrieval_bench.py, docs/benchmarks.md)
    DEFAULT_EF_SEARCH = 400
    HNSW: ClassVar[Metadata] = {"hnsw:space": "cosine", "hnsw:M": 32, "hnsw:construction_ef": 200}
    # Candidates asked of HNSW per query, of which the best ``k`` are returned. hnswlib searches with
    # ef = max(ef_search, n_results), so this widens the search at query time, on collections already built
    # and loaded (ef_search is not: see tune). Off (k) by default: at 20k profiles through a Chroma server
    # recall@10 was 0.997 without it and 1600 cost 3x the server CPU (benchmarks/million.py); raise it for
    # a collection large enough that recall falls (0.83 at 1M in process, docs/benchmarks.md)
    DEFAULT_CANDIDATES = 0

    def __init__(
        self,
        path: Path | None = None,
        url: str | None = None,
        *,
        ef_search: int = DEFAULT_EF_SEARCH,
        candidates: int = DEFAULT_CANDIDATES,
    ) -> None:
        self.path = path
        self.url = url
        self.ef_search = ef_search
        self.candidates = candidates
        self._client: Any = None
        self._collections: dict[str, Any] = {}

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> Any:
        import chromadb  # lazy: chromadb takes seconds to import, and most commands never open the index

        settings = chromadb.config.Settings(anonymized_telemetry=False)
        if self.url:
            parsed = urlparse(self.url)
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        if self.path is None:
            raise ValueError("ChromaIndex needs a path or a url")
        self.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.path), settings=settings)

    def collection(self, name: str) -> Any:
        if name not in self._collections:
            # embedding_function=None: Chroma must never embed (nor download a model) on our behalf
            self._collections[name] = self.client.get_or_create_collection(
                name,
                embedding_function=None,
                metadata={**self.HNSW, "hnsw:search_ef": self.ef_search},
            )
        return self._collections[name]

    def tune(self, collection: str, ef_search: int) -> None:
        """Change a collection's HNSW search breadth (a process that already loaded it keeps the old one)."""
        self.collection(collection).modify(configuration={"hnsw": {"ef_search": ef_search}})

    def upsert(self, collection: str, records: Sequence[VectorRecord]) -> None:
        target = self.collection(collection)
        for batch in _batches(records):
            target.upsert(
                ids=[r.id for r in batch],
                embeddings=np.stack([r.vector for r in batch]).astype(np.float32),
                documents=[r.document for r in batch],
                metadatas=[r.metadata or {"_": ""} for r in batch],
            )

    def query(self, collection: str, vector: Vectors, k: int, *, documents: bool = True) -> list[VectorHit]:
        """The ``k`` nearest records; ``documents=False`` returns ids and scores only (faster)."""
        if k <= 0:
            return []
        # no count() first: it scans the collection (~2 ms at 10k), and Chroma returns fewer hits on its own
        result = self.collection(collection).query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=max(k, self.candidates),
            include=["distances", "documents", "metadatas"] if documents else ["distances"],
        )
        ids, distances = result["ids"][0][:k], result["distances"][0][:k]
        docs = result["documents"][0][:k] if documents else [""] * len(ids)
        metas = result["metadatas"][0][:k] if documents else [{}] * len(ids)
        return [
            VectorHit(id=i, score=1.0 - float(d), document=doc or "", metadata=dict(meta or {}))
            for i, d, doc, meta in zip(ids, distances, docs, metas, strict=True)
        ]

    def vectors(self, collection: str, ids: Sequence[str]) -> dict[str, Vectors]:
        if not ids:
            return {}
        got = self.collection(collection).get(ids=list(ids), include=["embeddings"])
        return {
            i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"], strict=True)
        }

    def hashes(self, collection: str, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        got = self.collection(collection).get(ids=list(ids), include=["metadatas"])
        return {i: str((m or {}).get("hash", "")) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def ids(self, collection: str, where: Metadata | None = None) -> list[str]:
        got = self.collection(collection).get(where=where or None, include=[])
        return list(got["ids"])

    def count(self, collection: str) -> int:
        return int(self.collection(collection).count())

    def remove(self, collection: str, where: Metadata) -> int:
        """Stop finding the matching records at once (they may linger in the files: see :meth:`erase`)."""
        found = self.ids(collection, where)
        if found:
            self.collection(collection).delete(ids=found)
        return len(found)

    def erase(self, collection: str | Sequence[str], where: Metadata) -> int:
        """Remove the records *and* every byte of them from one or more collections: rebuild each without
        them (and without anything removed before), compact the store once, then check the files for their
        text and blank what an HNSW file still carries (see :meth:`_blank`)."""
        names = [collection] if isinstance(collection, str) else list(collection)
        erased, documents = 0, []
        for name in names:
            found = self.ids(name, where)
            documents += self._documents(name, found)
            # rebuilt even when nothing matches now: records removed earlier (consent withdrawn) are only
            # marked deleted in the HNSW graph, and their vectors stay in its files until a rebuild
            self._rebuild_without(name, set(found))
            erased += len(found)
        if self.path is not None and not self.url:
            compact_store(self.path)
            self._blank(erasure_traces(documents))
        else:
            logger.warning("erasure on a Chroma server: run its own vacuum to compact the store files")
        return erased

    def holding(self, traces: Sequence[str]) -> list[str]:
        """The store files that hold any of ``traces`` (none can be checked on a Chroma server)."""
        if self.path is None or self.url or not self.path.exists():
            return []
        return [str(p) for p in files_holding(sorted(self.path.rglob("*")), traces)]

    def _documents(self, collection: str, ids: Sequence[str]) -> list[str]:
        if not ids:
            return []
        got = self.collection(collection).get(ids=list(ids), include=["documents"])
        return [d for d in got["documents"] or [] if d]

    def _blank(self, traces: Sequence[str]) -> None:
        """HNSW files can carry bytes of freed memory written out with the graph, text of erased records
        among them (seen once in ``data_level0.bin``: erasure that held only sometimes). Such files hold only
        floats and integer links, so text in them is garbage: overwrite it with zeros, and reopen the store
        so this process's copy in memory cannot write it back."""
        assert self.path is not None
        leftovers = files_holding(sorted(self.path.rglob("*")), traces)
        if not leftovers:
            return
        binaries = [p for p in leftovers if p.suffix == ".bin"]
        for path in binaries:
            blank_in_place(path, traces)
        self.reopen()
        if len(binaries) < len(leftovers):
            compact_store(self.path)
        still = files_holding(sorted(self.path.rglob("*")), traces)
        if still:
            raise ErasureIncomplete(f"erased text is still in {len(still)} vector store files")
        logger.warning("erasure: blanked leftover bytes in %d HNSW files", len(binaries))

    def reopen(self) -> None:
        """Drop this process's Chroma client and its in-memory indexes; the next use loads from disk."""
        import chromadb  # lazy: as in _client_for, chromadb takes seconds to import

        self._collections.clear()
        self._client = None
        chromadb.api.shared_system_client.SharedSystemClient.clear_system_cache()
        gc.collect()

    def _rebuild_without(self, name: str, drop: set[str]) -> None:
        old = self.collection(name)
        keep = old.get(include=["embeddings", "documents", "metadatas"])
        self.client.delete_collection(name)
        self._collections.pop(name, None)
        rows = [i for i, record_id in enumerate(keep["ids"]) if record_id not in drop]
        records = [
            VectorRecord(
                id=keep["ids"][i],
                vector=np.asarray(keep["embeddings"][i], dtype=np.float32),
                document=keep["documents"][i] or "",
                metadata=dict(keep["metadatas"][i] or {}),
            )
            for i in rows
        ]
        self.collection(name)
        self.upsert(name, records)
        logger.info("rebuilt collection %s without %d records", name, len(drop))

    def drop(self, collection: str) -> None:
        names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        if collection in names:
            self.client.delete_collection(collection)
        self._collections.pop(collection, None)


def erasure_traces(documents: Sequence[str], min_word: int = 8) -> list[str]:
    """What to look for after erasing ``documents``: each whole, and each of their longer words (a leftover
    can be a fragment of a document)."""
    words = {w for d in documents for w in re.findall(r"\w+", d) if len(w) >= min_word}
    return sorted({*documents, *words} - {""}, key=len, reverse=True)


def _batches(records: Sequence[VectorRecord]) -> Iterator[Sequence[VectorRecord]]:
    for start in range(0, len(records), MAX_BATCH):
        yield records[start : start + MAX_BATCH]
