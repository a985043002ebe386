"""Indexing follows consent, profile changes and erasure (through the domain services and their events)."""

from pathlib import Path

import pytest

from network.db import Database
from network.services import consent, profile_review
from network.services.profiles import update_profile
from network.services.subscribers import erase_subscriber
from retrieval import index_sync
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex
from retrieval.profiles_index import ProfileIndexer, profile_texts
from tests.retrieval.builders import add_business

OFFERS, NEEDS = "l8-default-offers", "l8-default-needs"


@pytest.fixture
def index(tmp_path: Path) -> ChromaIndex:
    return ChromaIndex(path=tmp_path / "chroma")


@pytest.fixture
def indexer(db: Database, index: ChromaIndex) -> ProfileIndexer:
    built = ProfileIndexer(db, index, FakeEmbedder())
    index_sync.subscribe(db.events, lambda: built)
    return built


def test_only_discoverable_profiles_are_indexed_offers_and_needs_apart(
    db: Database, index: ChromaIndex, indexer: ProfileIndexer
) -> None:
    shown = add_business(db, "Crumb Bakery", offers="sourdough bread", needs="flour and packaging")
    hidden = add_business(db, "Quiet Co", offers="consulting", needs="leads", discoverable=False)
    assert index.ids(OFFERS) == [shown] and index.ids(NEEDS) == [shown]
    offers_doc = index.query(OFFERS, FakeEmbedder().embed(["sourdough bread"])[0], 1)[0]
    assert offers_doc.document.startswith("sourdough bread") and "flour" not in offers_doc.document
    assert hidden not in index.ids(OFFERS)


def test_no_contact_data_reaches_text_or_metadata(
    db: Database, index: ChromaIndex, indexer: ProfileIndexer
) -> None:
    sub = add_business(
        db,
        "Lopez Catering",
        contact_name="Maria Lopez",
        contact_email="maria@lopez.example",
        offers="Catering for events, ask Maria Lopez: maria@lopez.example or +44 7700 900123",
        needs="a van",
    )
    with db.transaction() as session:  # contact details in the text: held until a person approves it
        assert index.ids(OFFERS) == []
        profile_review.approve(session, sub)
    hit = index.query(OFFERS, FakeEmbedder().embed(["catering for events"])[0], 1)[0]
    assert hit.id == sub
    blob = f"{hit.document} {hit.metadata}".lower()
    for secret in ("maria", "lopez", "@", "900123"):
        assert secret not in blob
    assert set(hit.metadata) == {"subscriber_id", "kind", "naics", "discoverable", "hash"}


def test_withdrawing_consent_removes_at_once_and_granting_indexes_again(
    db: Database, index: ChromaIndex, indexer: ProfileIndexer
) -> None:
    sub = add_business(db, "Crumb Bakery", offers="bread", needs="flour")
    with db.transaction() as session:
        consent.set_consent(session, sub, "discoverable", False, channel="test")
    assert index.ids(OFFERS) == [] and index.ids(NEEDS) == []
    with db.transaction() as session:
        consent.set_consent(session, sub, "discoverable", True, channel="test")
    assert index.ids(OFFERS) == [sub]


def test_a_rolled_back_change_never_reaches_the_index(
    db: Database, index: ChromaIndex, indexer: ProfileIndexer
) -> None:
    sub = add_business(db, "Crumb Bakery", offers="bread", needs="flour")
    with pytest.raises(RuntimeError), db.transaction() as session:
        consent.set_consent(session, sub, "discoverable", False, channel="test")
        raise RuntimeError("boom")
    assert index.ids(OFFERS) == [sub]


def test_reindexing_an_unchanged_profile_embeds_nothing(db: Database, index: ChromaIndex) -> None:
    class CountingEmbedder(FakeEmbedder):
        calls = 0

        def embed(self, texts):  # type: ignore[no-untyped-def]
            CountingEmbedder.calls += len(texts)
            return super().embed(texts)

    indexer = ProfileIndexer(db, index, CountingEmbedder())
    sub = add_business(db, "Crumb Bakery", offers="bread", needs="flour")
    assert indexer.index_subscriber(sub)
    first = CountingEmbedder.calls
    assert indexer.index_subscriber(sub) and CountingEmbedder.calls == first
    with db.transaction() as session:
        update_profile(session, sub, {"needs": "flour and eggs"})
    indexer.index_subscriber(sub)
    assert CountingEmbedder.calls == first + 1  # only the needs text changed


def test_rebuild_indexes_everyone_discoverable_and_drops_the_rest(db: Database, index: ChromaIndex) -> None:
    indexer = ProfileIndexer(db, index, FakeEmbedder())
    a = add_business(db, "A", offers="bread", needs="flour")
    b = add_business(db, "B", offers="flour", needs="wheat")
    c = add_business(db, "C", offers="wheat", needs="tractors", discoverable=False)
    seen: list[int] = []
    assert indexer.rebuild(progress=seen.append) == 2 and sum(seen) == 2
    assert sorted(index.ids(OFFERS)) == sorted([a, b])
    with db.transaction() as session:
        consent.set_consent(session, b, "discoverable", False, channel="test")
    indexer.rebuild()
    assert index.ids(OFFERS) == [a] and c not in index.ids(NEEDS)


def test_erasure_leaves_no_byte_of_the_subscriber_in_the_store(
    db: Database, index: ChromaIndex, indexer: ProfileIndexer, tmp_path: Path
) -> None:
    marker = "zqxmarkerfortyone"
    add_business(db, "Other", offers="plumbing", needs="vans")
    sub = add_business(db, "Marked", offers=f"{marker} sourdough", needs=f"{marker} rye flour")
    store = tmp_path / "chroma"

    def files_with_marker() -> list[Path]:
        return [p for p in store.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]

    assert files_with_marker()
    with db.transaction() as session:
        erase_subscriber(session, sub)
    assert files_with_marker() == []
    assert sub not in index.ids(OFFERS) + index.ids(NEEDS)
    assert len(index.ids(OFFERS)) == 1


def test_profile_texts_keep_offers_and_needs_apart() -> None:
    from network.models import Profile

    texts = profile_texts(
        Profile(
            offers="Wedding cakes",
            needs="Flour supplier",
            bottlenecks="cash flow",
            naics_title="Retail Bakeries",
        )
    )
    assert texts.offers == "Wedding cakes. Retail Bakeries"
    assert texts.needs == "Flour supplier. cash flow"
