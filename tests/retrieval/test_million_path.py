"""The million-subscriber path at small N: COPY-seeded subscribers are what the product indexes and matches,
and loading vectors into the index resumes where a stopped run left off."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from network.db import Database
from network.migrate import upgrade
from network.models import ConsentRecord, Profile, Subscriber
from retrieval.bulk_index import ArraySource, Checkpoint, load_resumably
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex, VectorRecord
from retrieval.matching import Matcher
from retrieval.profiles_index import ProfileIndexer
from seeding.bulk import BulkSubscriber, copy_subscribers
from tests.retrieval.builders import FakeSupplyChain

TRADES = [
    ("sourdough bread and pastries", "flour and cardboard cake boxes"),
    ("cardboard cake boxes and printed bags", "a bookkeeper"),
    ("bookkeeping and payroll for small firms", "new customers"),
    ("flour milling for bakeries", "delivery vans"),
]


def rows(count: int) -> list[BulkSubscriber]:
    return [
        BulkSubscriber(
            id=f"sub_t{n:06d}",
            business_name=f"Business {n}",
            offers=TRADES[n % 4][0],
            needs=TRADES[n % 4][1],
            naics_code="311811",
            naics_title="Retail Bakeries",
            locality="Leeds",
            latitude=53.8,
            longitude=-1.55,
            service_radius_km=25.0,
            growth_stage="growing",
            employees=4,
            discoverable=n % 10 != 9,
        )
        for n in range(count)
    ]


@pytest.mark.postgres
def test_copied_subscribers_are_indexed_and_matched_by_the_product(postgres_url: str, tmp_path: Path) -> None:
    db = Database(postgres_url)
    upgrade(db)
    chunks: list[int] = []

    written = copy_subscribers(postgres_url, rows(120), chunk=50, progress=chunks.append)

    assert (written, chunks) == (120, [50, 50, 20])
    with db.read() as session:
        counts = [session.scalar(select(func.count()).select_from(t)) for t in (Subscriber, Profile)]
        consents = session.scalar(select(func.count()).select_from(ConsentRecord))
    assert counts == [120, 120] and consents == 120
    index, embedder = ChromaIndex(path=tmp_path / "chroma"), FakeEmbedder()
    assert ProfileIndexer(db, index, embedder).rebuild() == 108  # one in ten not discoverable
    found = Matcher(db, index, embedder, supply_chain=FakeSupplyChain({})).suggest("sub_t000000", top=3)
    assert found and {s.subscriber_id for s in found} <= {f"sub_t{n:06d}" for n in range(120) if n % 10 != 9}
    assert any(int(s.subscriber_id[5:]) % 4 == 1 for s in found)  # the box maker, for the bakery's boxes
    db.dispose()


class Stopping:
    """The index, stopped (as by a kill) after a number of upserts; counts what reaches it."""

    def __init__(self, index: ChromaIndex, stop_after: int | None = None) -> None:
        self.index, self.stop_after, self.upserted = index, stop_after, []

    def upsert(self, collection: str, records: Sequence[VectorRecord]) -> None:
        if self.stop_after is not None and len(self.upserted) == self.stop_after:
            raise KeyboardInterrupt
        self.index.upsert(collection, records)
        self.upserted.append((collection, records[0].id, len(records)))

    def __getattr__(self, name: str) -> object:
        return getattr(self.index, name)


def test_a_stopped_load_resumes_where_it_stopped_and_ends_complete(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vectors = {kind: rng.normal(size=(23, 8)).astype(np.float32) for kind in ("offers", "needs")}
    for matrix in vectors.values():
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    sources = {kind: ArraySource(vectors[kind], id_of=lambda n: f"p{n}") for kind in vectors}
    checkpoint = Checkpoint(tmp_path / "checkpoint.json")
    index = ChromaIndex(path=tmp_path / "chroma")

    first = Stopping(index, stop_after=3)
    with pytest.raises(KeyboardInterrupt):
        load_resumably(first, sources, checkpoint, batch=5)  # type: ignore[arg-type]
    assert checkpoint.load() == {"offers": 10, "needs": 5}

    second, seen = Stopping(index), []
    done = load_resumably(second, sources, checkpoint, batch=5, progress=seen.append)  # type: ignore[arg-type]

    assert done == {"offers": 23, "needs": 23} == checkpoint.load()
    assert second.upserted[:2] == [("offers", "p10", 5), ("needs", "p5", 5)]  # nothing loaded twice
    assert sum(seen) == 46 - 15
    for kind, matrix in vectors.items():
        assert index.count(kind) == 23
        assert index.query(kind, matrix[17], 1, documents=False)[0].id == "p17"


def test_a_wider_candidate_search_still_returns_the_best_k_best_first(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    matrix = rng.normal(size=(300, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    ChromaIndex(path=tmp_path / "chroma").upsert(
        "offers", [VectorRecord(f"p{n}", v, f"text {n}", {"n": n}) for n, v in enumerate(matrix)]
    )
    wide = ChromaIndex(path=tmp_path / "chroma", candidates=200)

    hits = wide.query("offers", matrix[7], 5)

    exact = [f"p{n}" for n in np.argsort(-(matrix @ matrix[7]))[:5]]
    assert [h.id for h in hits] == exact
    assert [h.document for h in hits] == [f"text {i[1:]}" for i in exact]
    assert hits[0].score > hits[-1].score
