"""``find_introductions(need=…)`` over the real consented offers index (Chroma, deterministic embedder)."""

from __future__ import annotations

from pathlib import Path

from assistant.need_search import VectorNeedSearch
from network.db import Database
from network.services import consent, introductions
from network.services.subscribers import block
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex
from retrieval.profiles_index import ProfileIndexer
from tests.harness import Harness


def test_need_search_applies_the_hard_filters(sqlite_db: Database, tmp_path: Path) -> None:
    h = Harness(sqlite_db)
    me = h.subscriber("Leeds Bakery", offers="bread", locality="Leeds")
    mill = h.subscriber("Pennine Mills", offers="stone ground flour for bakeries", locality="Leeds")
    other_mill = h.subscriber("Dales Flour", offers="organic flour for bakeries", locality="Skipton")
    blocked = h.subscriber("Rival Flour", offers="cheap flour for bakeries")
    asked = h.subscriber("Asked Flour", offers="flour for bakeries and pizzerias")
    h.subscriber("Printer", offers="business cards and leaflets")
    index, embedder = ChromaIndex(path=tmp_path / "chroma"), FakeEmbedder()
    ProfileIndexer(sqlite_db, index, embedder).rebuild()
    with sqlite_db.transaction() as session:
        block(session, me, blocked)
        introductions.request(session, me, asked)
        consent.set_consent(session, other_mill, "discoverable", False, channel="test")

    found = VectorNeedSearch(sqlite_db, index, embedder).find(me, "flour for our bakery", 5)

    assert [m.subscriber_id for m in found] == [mill]
    assert "flour" in found[0].reasons[0] and "Leeds too" in found[0].reasons[1]
