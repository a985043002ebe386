"""The matching engine on a small network: hard filters, complementary ranking, readable reasons."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from network.db import Database
from network.models import Introduction
from network.services import consent, introductions
from network.services.subscribers import block
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex
from retrieval.matching import Matcher
from retrieval.profiles_index import ProfileIndexer
from tests.retrieval.builders import FakeSupplyChain, add_business

LONDON = {"latitude": 51.5072, "longitude": -0.1276}
READING = {"latitude": 51.4543, "longitude": -0.9781}  # about 59 km west
EDINBURGH = {"latitude": 55.9533, "longitude": -3.1883}

# bakeries (31) buy from mills (31) and wholesalers (42); accountants (54) sell to everyone
CHAIN = FakeSupplyChain({("31", "42"): 0.07, ("31", "31"): 0.05, ("31", "54"): 0.01, ("42", "31"): 0.02})


@pytest.fixture
def network(db: Database, tmp_path: Path) -> dict[str, str]:
    def biz(name: str, **kw: object) -> str:
        return add_business(db, name, **kw)  # type: ignore[arg-type]

    ids = {
        "bakery": biz(
            "Crumb Bakery",
            offers="sourdough bread and pastries for cafes",
            needs="wholesale flour and eggs delivery",
            naics_code="311811",
            naics_title="Retail Bakeries",
            growth_stage="growing",
            service_radius_km=20,
            **LONDON,
        ),
        "wholesaler": biz(
            "Miller Wholesale",
            offers="wholesale flour and eggs delivery to bakeries",
            needs="sourdough bread and pastries for our staff cafe",
            naics_code="424490",
            naics_title="Other Grocery Merchant Wholesalers",
            growth_stage="established",
            service_radius_km=80,
            **READING,
        ),
        "far_wholesaler": biz(
            "Northern Flour",
            offers="wholesale flour delivery",
            needs="transport",
            naics_code="424490",
            service_radius_km=30,
            **EDINBURGH,
        ),
        "competitor": biz(
            "Other Bakery",
            offers="sourdough bread and pastries",
            needs="wholesale flour",
            naics_code="311811",
            **LONDON,
        ),
        "accountant": biz(
            "Ledger Ltd", offers="bookkeeping and payroll", needs="new clients", naics_code="541211"
        ),
        "hidden": biz("Hidden Flour", offers="wholesale flour and eggs delivery", discoverable=False),
        "blocked": biz("Blocked Flour", offers="wholesale flour and eggs delivery", naics_code="424490"),
        "introduced": biz("Introduced Flour", offers="wholesale flour and eggs", naics_code="424490"),
        "declined": biz("Declined Flour", offers="wholesale flour and eggs", naics_code="424490"),
    }
    with db.transaction() as session:
        block(session, ids["blocked"], ids["bakery"])
        introductions.request(session, ids["bakery"], ids["introduced"])
        declined = introductions.request(session, ids["declined"], ids["bakery"])
        introductions.respond(session, ids["bakery"], declined.id, accept=False)
    ProfileIndexer(db, ChromaIndex(path=tmp_path / "chroma"), FakeEmbedder()).rebuild()
    return ids


def matcher(db: Database, tmp_path: Path, **kw: object) -> Matcher:
    return Matcher(db, ChromaIndex(path=tmp_path / "chroma"), FakeEmbedder(), supply_chain=CHAIN, **kw)  # type: ignore[arg-type]


def test_hard_filters_keep_out_self_hidden_blocked_introduced_and_declined(
    db: Database, tmp_path: Path, network: dict[str, str]
) -> None:
    found = {s.subscriber_id for s in matcher(db, tmp_path).suggest(network["bakery"], top=50)}
    for never in ("bakery", "hidden", "blocked", "introduced", "declined"):
        assert network[never] not in found, never
    assert network["wholesaler"] in found


def test_complementary_supplier_near_enough_ranks_first_with_reasons_and_parts(
    db: Database, tmp_path: Path, network: dict[str, str]
) -> None:
    suggestions = matcher(db, tmp_path).suggest(network["bakery"], top=3)
    best = suggestions[0]
    assert best.subscriber_id == network["wholesaler"]
    assert best.business_name == "Miller Wholesale" and best.naics == "424490"
    assert abs(sum(best.parts.values()) - best.score) < 1e-3
    assert set(best.parts) == {"fit", "reciprocity", "supply_chain", "distance", "stage", "trust", "exposure"}
    text = " ".join(best.reasons)
    assert "They offer “wholesale flour and eggs delivery to bakeries”" in text
    assert "which you offer" in text  # they need bread: it works both ways
    assert "retail bakeries regularly buy from other grocery merchant wholesalers (about 7.0%" in text
    assert "km away" in text and "inside the area they serve" in text
    assert all(r[0].isupper() and r.endswith(".") for r in best.reasons)
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)


def test_distance_counts_against_the_service_radius(
    db: Database, tmp_path: Path, network: dict[str, str]
) -> None:
    by_id = {s.subscriber_id: s for s in matcher(db, tmp_path).suggest(network["bakery"], top=50)}
    assert by_id[network["wholesaler"]].parts["distance"] > 0
    assert by_id[network["far_wholesaler"]].parts["distance"] == 0


def test_withdrawn_consent_after_indexing_is_still_filtered(
    db: Database, tmp_path: Path, network: dict[str, str]
) -> None:
    with db.transaction() as session:  # no event handler here: the index still holds the vectors
        consent.set_consent(session, network["wholesaler"], "discoverable", False, channel="test")
    found = {s.subscriber_id for s in matcher(db, tmp_path).suggest(network["bakery"], top=50)}
    assert network["wholesaler"] not in found


def test_exposure_caps_push_down_someone_suggested_to_everyone(
    db: Database, tmp_path: Path, network: dict[str, str]
) -> None:
    before = matcher(db, tmp_path).suggest(network["bakery"], top=50)
    with db.transaction() as session:
        for _ in range(12):
            session.add(
                Introduction(
                    requester_id=network["accountant"], target_id=network["wholesaler"], state="suggested"
                )
            )
    after = {s.subscriber_id: s for s in matcher(db, tmp_path).suggest(network["bakery"], top=50)}
    old = {s.subscriber_id: s for s in before}
    assert after[network["wholesaler"]].parts["exposure"] < 0 == old[network["wholesaler"]].parts["exposure"]
    assert after[network["wholesaler"]].score < old[network["wholesaler"]].score


def test_declines_older_than_90_days_no_longer_exclude(
    db: Database, tmp_path: Path, network: dict[str, str]
) -> None:
    later = datetime.now(UTC) + timedelta(days=91)
    found = {
        s.subscriber_id for s in matcher(db, tmp_path, clock=lambda: later).suggest(network["bakery"], top=50)
    }
    assert network["declined"] in found and network["introduced"] not in found


def test_unknown_subscriber_is_not_found(db: Database, tmp_path: Path, network: dict[str, str]) -> None:
    from network.errors import NotFound

    with pytest.raises(NotFound):
        matcher(db, tmp_path).suggest("sub_nobody")


def test_a_subscriber_outside_the_index_still_gets_suggestions(
    db: Database, tmp_path: Path, network: dict[str, str]
) -> None:
    found = [s.subscriber_id for s in matcher(db, tmp_path).suggest(network["hidden"], top=50)]
    assert found and network["hidden"] not in found
