"""The real all-MiniLM-L6-v2 (from its PyPI package, offline) with a real on-disk Chroma store."""

from pathlib import Path

import numpy as np

from network.db import Database
from network.services.subscribers import erase_subscriber
from retrieval import index_sync
from retrieval.embedder import MiniLMEmbedder
from retrieval.index import ChromaIndex
from retrieval.matching import Matcher
from retrieval.profiles_index import ProfileIndexer
from tests.retrieval.builders import FakeSupplyChain, add_business, holds_vector

MARKER = "Zqxmarkerovens"


def test_minilm_matching_and_erasure_on_a_real_store(sqlite_db: Database, tmp_path: Path) -> None:
    embedder = MiniLMEmbedder()
    vectors = embedder.embed(
        ["bookkeeping for small firms", "accounting and payroll services", "wedding cakes"]
    )
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]

    index = ChromaIndex(path=tmp_path / "chroma")
    indexer = ProfileIndexer(sqlite_db, index, embedder)
    index_sync.subscribe(sqlite_db.events, lambda: indexer)
    cafe = add_business(
        sqlite_db,
        "Corner Cafe",
        offers="coffee and lunches",
        needs="an accountant to do our books and payroll",
    )
    accountant = add_business(
        sqlite_db,
        "Tally Accounts",
        offers="bookkeeping, payroll and tax returns for small businesses",
        needs="clients",
    )
    add_business(sqlite_db, "Petal Florist", offers="flowers and wedding bouquets", needs="a delivery van")
    ovens = add_business(
        sqlite_db, "Oven Repairs", offers=f"{MARKER} commercial oven repair for cafes", needs="spare parts"
    )
    top = Matcher(sqlite_db, index, embedder, supply_chain=FakeSupplyChain({})).suggest(cafe, top=3)
    assert top[0].subscriber_id == accountant
    assert any("bookkeeping" in reason for reason in top[0].reasons)

    store = tmp_path / "chroma"
    stored_vector = index.vectors("l8-default-offers", [ovens])[ovens].astype(np.float32)

    def files_with(needle: bytes) -> list[Path]:
        return [p for p in store.rglob("*") if p.is_file() and needle in p.read_bytes()]

    def files_with_vector(vector: np.ndarray) -> list[Path]:
        # compared with a tolerance: the bytes Chroma writes depend on the CPU's SIMD (the same vector
        # differed in its last bits between an AVX-512 and an AVX2 machine)
        return [p for p in store.rglob("*") if p.is_file() and holds_vector(p.read_bytes(), vector)]

    assert files_with(MARKER.encode()) and files_with_vector(stored_vector)
    with sqlite_db.transaction() as session:
        erase_subscriber(session, ovens)
    assert files_with(MARKER.encode()) == [] and files_with_vector(stored_vector) == []
    assert ovens not in index.ids("l8-default-offers")
