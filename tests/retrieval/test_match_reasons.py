"""Reasons name the one need and the one offer that matched; an ad-hoc need shows only relevant businesses."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.need_search import VectorNeedSearch
from network.db import Database
from retrieval.best_items import ItemScorer, Pair
from retrieval.eligibility import TrustStats
from retrieval.embedder import Embedder, FakeEmbedder, MiniLMEmbedder
from retrieval.index import ChromaIndex
from retrieval.match_reasons import QUOTE, Evidence, Quotes, reasons
from retrieval.matching import Matcher
from retrieval.party import Party
from retrieval.profiles_index import ProfileIndexer
from tests.retrieval.builders import FakeSupplyChain, add_business

LONG_NEEDS = (
    "business insurance cover; advertising, marketing and PR; cardboard boxes for deliveries; "
    "a bookkeeper for the monthly accounts; a van for weekend markets"
)


def test_a_reason_quotes_the_need_and_the_offer_that_matched_not_the_lists(
    sqlite_db: Database, tmp_path: Path
) -> None:
    index, embedder = ChromaIndex(path=tmp_path / "chroma"), FakeEmbedder()
    me = add_business(sqlite_db, "Leeds Bakery", offers="fresh bread rolls, cakes", needs=LONG_NEEDS)
    boxes = add_business(
        sqlite_db,
        "Aire Packaging",
        offers="printed mailers; branded carrier bags; cardboard boxes for deliveries and takeaway; tape",
        needs="fresh bread rolls every morning; a window cleaner",
    )
    ProfileIndexer(sqlite_db, index, embedder).rebuild()

    found = Matcher(sqlite_db, index, embedder, supply_chain=FakeSupplyChain({})).suggest(me, top=3)

    assert found[0].subscriber_id == boxes
    offer_reason, both_ways = found[0].reasons[:2]
    assert offer_reason == (
        "They offer “cardboard boxes for deliveries and takeaway”, which matches what you are looking for "
        "(“cardboard boxes for deliveries”)."
    )
    assert "insurance" not in offer_reason and "printed mailers" not in offer_reason
    assert both_ways == (
        "They are looking for “fresh bread rolls every morning”, which you offer (“fresh bread rolls”), "
        "so it can work both ways."
    )


def test_other_businesses_words_are_quoted_only_as_short_excerpts() -> None:
    rambling = "stone-ground flour milled slowly from heritage wheat grown on our own farm in the Dales"
    mine, theirs = party("Leeds Bakery", needs="flour"), party("Dales Mill", offers=rambling)
    ev = Evidence(0.9, 0.0, 0.0, 0.0, 0.0, None, 0.0, 0.0, TrustStats(0, 0, 0), 0)
    said = reasons(mine, theirs, ev, Quotes(fit=Pair("flour", rambling, 0.7)))
    quoted = said[0].split("“")[1].split("”")[0]
    assert len(quoted) <= QUOTE and quoted.endswith("…") and quoted.startswith("stone-ground flour")


def test_a_pair_too_far_apart_is_not_claimed_as_a_match() -> None:
    mine = party("Leeds Bakery", offers="bread", needs="flour; haulage")
    theirs = party("Dales Mill", offers="flour", needs="wheat")
    ev = Evidence(0.9, 0.9, 0.0, 0.0, 0.0, None, 0.0, 0.0, TrustStats(0, 0, 0), 0)
    weak = Quotes(fit=Pair("haulage", "flour", 0.3), reciprocity=Pair("wheat", "bread", 0.64))
    assert reasons(mine, theirs, ev, weak) == []
    strong = Quotes(fit=Pair("flour", "flour", 0.99), reciprocity=Pair("wheat", "bread", 0.64))
    assert reasons(mine, theirs, ev, strong) == ["They offer “flour”, which you are looking for."]


def party(name: str, **fields: str) -> Party:
    empty = dict.fromkeys(f.name for f in dataclasses.fields(Party))
    return Party(**(empty | {"subscriber_id": name, "business_name": name} | fields))  # type: ignore[arg-type]


def test_best_pair_picks_one_item_from_each_side() -> None:
    pair = ItemScorer(FakeEmbedder()).best_pair("insurance; flour for bread, yeast", "bread flour, rye; tea")
    assert pair is not None and (pair.left, pair.right) == ("flour for bread", "bread flour")
    assert ItemScorer(FakeEmbedder()).best_pair("", "tea") is None


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return MiniLMEmbedder()


@pytest.fixture
def pub_network(
    sqlite_db: Database, tmp_path: Path, minilm: Embedder
) -> tuple[VectorNeedSearch, dict[str, str]]:
    """Offers written as the seeded network writes them (what they sell; their industry; everyday words)."""
    ids = {
        "pub": add_business(sqlite_db, "Corner Pub", offers="pub food, drinks and function rooms"),
        "brewery": add_business(
            sqlite_db,
            "Kirkstall Ales",
            offers="cask and bottled beer; breweries; brewery, craft beer",
            naics_title="Breweries",
        ),
        "meat": add_business(
            sqlite_db,
            "Aire Wholesale Meats",
            offers="wholesale meat; meat and meat product merchant wholesalers; meat wholesaler",
            naics_title="Meat and Meat Product Merchant Wholesalers",
        ),
        "books": add_business(
            sqlite_db,
            "Tally Books",
            offers="bookkeeping, payroll and VAT returns for small businesses; bookkeeper",
            naics_title="Other Accounting Services",
        ),
        "florist": add_business(sqlite_db, "Petal Florist", offers="flowers and wedding bouquets; florist"),
    }
    index = ChromaIndex(path=tmp_path / "chroma")
    ProfileIndexer(sqlite_db, index, minilm).rebuild()
    return VectorNeedSearch(sqlite_db, index, minilm), ids


def test_an_ad_hoc_need_finds_only_businesses_above_the_relevance_floor(
    pub_network: tuple[VectorNeedSearch, dict[str, str]],
) -> None:
    search, ids = pub_network
    found = {
        need: [m.subscriber_id for m in search.find(ids["pub"], need, 5)]
        for need in ("cask beer supplier", "accountant", "dog grooming")
    }
    assert found["cask beer supplier"] == [ids["brewery"]], "never the meat wholesaler"
    assert found["accountant"] == [ids["books"]]
    assert found["dog grooming"] == [], "nobody on the network offers that yet"


def test_an_ad_hoc_reason_names_the_offer_that_matched(
    pub_network: tuple[VectorNeedSearch, dict[str, str]],
) -> None:
    search, ids = pub_network
    reason = search.find(ids["pub"], "cask beer supplier", 1)[0].reasons[0]
    assert (
        reason
        == "They offer “cask and bottled beer”, which matches what you asked for (“cask beer supplier”)."
    )
