"""The Chroma adapter on a real on-disk store (vectors from the fake embedder)."""

from pathlib import Path

import numpy as np
import pytest

from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex, VectorRecord, collection_name
from tests.retrieval.builders import holds_vector

MARKER = "zqxerasuremarker42"


def store_bytes_contain(path: Path, needle: bytes) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file() and needle in p.read_bytes()]


def store_vector_files(path: Path, vector: np.ndarray) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file() and holds_vector(p.read_bytes(), vector)]


def records(texts: list[str], prefix: str = "s") -> list[VectorRecord]:
    vectors = FakeEmbedder().embed(texts)
    return [
        VectorRecord(f"{prefix}{i}", vectors[i], text, {"subscriber_id": f"{prefix}{i}", "hash": f"h{i}"})
        for i, text in enumerate(texts)
    ]


@pytest.fixture
def index(tmp_path: Path) -> ChromaIndex:
    return ChromaIndex(path=tmp_path / "chroma")


def test_query_returns_the_nearest_with_cosine_scores(index: ChromaIndex) -> None:
    texts = [
        "commercial bakery bread and cakes",
        "plumbing and heating repairs",
        "bookkeeping for small firms",
    ]
    index.upsert("l8-default-offers", records(texts))
    query = FakeEmbedder().embed(["bread and cakes for cafes"])[0]
    hits = index.query("l8-default-offers", query, 2)
    assert hits[0].id == "s0"
    assert 0 < hits[0].score <= 1 and hits[0].score > hits[1].score
    assert hits[0].metadata["subscriber_id"] == "s0" and hits[0].document == texts[0]
    assert index.hashes("l8-default-offers", ["s0", "s9"]) == {"s0": "h0"}
    assert set(index.vectors("l8-default-offers", ["s1"])) == {"s1"}


def test_upsert_is_idempotent_and_remove_hides_at_once(index: ChromaIndex) -> None:
    batch = records(["flour milling", "packaging supplies"])
    index.upsert("c-offers", batch)
    index.upsert("c-offers", batch)
    assert index.count("c-offers") == 2
    assert index.remove("c-offers", {"subscriber_id": "s0"}) == 1
    query = FakeEmbedder().embed(["flour milling"])[0]
    assert [h.id for h in index.query("c-offers", query, 5)] == ["s1"]


def test_collection_names_are_per_tenant_and_kind_and_chroma_safe() -> None:
    assert collection_name("default", "offers") == "l8-default-offers"
    assert collection_name("Acme Telco/UK", "needs") == "l8-Acme-Telco-UK-needs"


def test_erase_leaves_no_byte_of_text_or_vector_in_the_store_files(
    index: ChromaIndex, tmp_path: Path
) -> None:
    # more than Chroma's sync threshold (1,000), so the HNSW files on disk hold the vectors too
    texts = [f"business number {i} offers service {i % 37}" for i in range(1200)]
    texts[600] = f"we offer {MARKER} artisanal sourdough"
    batch = records(texts)
    index.upsert("l8-default-offers", batch)
    store = tmp_path / "chroma"
    # the vector as Chroma stored it, found again with a tolerance: the stored floats differ in their last
    # bits between CPUs (PITFALLS), so exact bytes are never compared
    vector = index.vectors("l8-default-offers", ["s600"])["s600"]
    assert store_bytes_contain(store, MARKER.encode()), "the marker must be in the files before erasure"
    assert store_vector_files(store, vector)

    index.remove("l8-default-offers", {"subscriber_id": "s600"})
    assert store_bytes_contain(store, MARKER.encode()), "Chroma's delete alone does not erase (PITFALLS)"

    index.erase("l8-default-offers", {"subscriber_id": "s600"})
    assert store_bytes_contain(store, MARKER.encode()) == []
    assert store_vector_files(store, vector) == []
    assert index.count("l8-default-offers") == 1199
    query = FakeEmbedder().embed([texts[5]])[0]
    assert index.query("l8-default-offers", query, 1)[0].id == "s5"


def test_erase_blanks_text_an_hnsw_file_carries_and_checks_again(index: ChromaIndex, tmp_path: Path) -> None:
    """Erasure that held only sometimes: the text canary was once left in ``data_level0.bin`` (bytes of
    freed memory written out with the graph). Such bytes are planted here, so the check runs every time."""
    texts = [f"business number {i} offers service {i % 37}" for i in range(1200)]
    index.upsert("l8-default-needs", records(texts, prefix="n"))
    texts[7] = f"we offer {MARKER} artisanal sourdough"
    index.upsert("l8-default-offers", records(texts))
    store = tmp_path / "chroma"
    graphs = sorted(store.rglob("data_level0.bin"))
    assert len(graphs) == 2, "more than 1,000 vectors: the HNSW files are on disk"
    for graph in graphs:
        raw = bytearray(graph.read_bytes())
        raw[-len(MARKER) - 64 : -64] = MARKER.encode()
        graph.write_bytes(bytes(raw))

    index.erase(["l8-default-offers"], {"subscriber_id": "s7"})

    assert store_bytes_contain(store, MARKER.encode()) == []
    assert index.holding([MARKER]) == []
    query = FakeEmbedder().embed([texts[5]])[0]
    assert index.query("l8-default-offers", query, 1)[0].id == "s5"
    assert index.query("l8-default-needs", query, 1)[0].id == "n5"
