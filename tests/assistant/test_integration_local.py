"""The real embedded model, real embeddings, real Chroma, a seeded network: does the bakery find its flour?

Run with ``make test-integration`` (or ``pytest -m integration tests/assistant``). Needs the embedded model
(``layer8 model install``); this test fails with that instruction rather than skip silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.llm import gguf
from assistant.messages import InboundMessage
from assistant.settings import Settings
from composition.assistant import build_assistant
from composition.container import Layer8, build
from network.migrate import upgrade
from network.models import Profile, Subscriber
from retrieval.profiles_index import ProfileIndexer
from seeding.network import seed_network

ROOT = Path(__file__).resolve().parents[2]
UTTERANCE = "I run a bakery in Leeds and need a reliable flour supplier"


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer8]:
    model = gguf.default_path(ROOT / "var")
    if not model.is_file():
        pytest.fail(f"the embedded model is not installed at {model}: run `make model`")
    home = tmp_path_factory.mktemp("integration")
    settings = Settings(
        home=home, embedder="minilm", llm_provider="local", gguf_path=model, turn_timeout_s=600
    )
    layer8 = build(settings)
    upgrade(layer8.db)
    seed_network(layer8.db, 200, 7)
    ProfileIndexer(layer8.db, layer8.index, layer8.embedder).rebuild()
    yield layer8
    layer8.close()


def _leeds_bakery(layer8: Layer8) -> str:
    with layer8.db.read() as session:
        row = session.execute(
            select(Subscriber.id)
            .join(Profile, Profile.subscriber_id == Subscriber.id)
            .where(Profile.naics_code == "311811", Profile.locality == "Leeds")
            .order_by(Subscriber.created_at, Subscriber.id)
        ).first()
    assert row is not None, "the seed's anchors include bakeries in Leeds"
    return str(row[0])


@pytest.mark.integration
def test_a_leeds_bakery_finds_real_flour_suppliers_named_with_reasons(network: Layer8) -> None:
    assistant = build_assistant(network)
    me = _leeds_bakery(network)
    reply = assistant.handle(InboundMessage("terminal", "integration", me, text=UTTERANCE))
    assert reply.error_code is None, reply.text
    assert "find_introductions" in [c.name for c in reply.tool_calls], reply.tool_calls
    assert reply.items, "suggestions are listed"
    with network.db.read() as session:
        for item in reply.items:
            subscriber = session.get(Subscriber, item.id)
            assert subscriber is not None and subscriber.business_name == item.title
            assert item.description, "each suggestion carries its reason"
    named = [i.title for i in reply.items if i.title.lower() in reply.text.lower()]
    assert named, f"the answer names a suggested business: {reply.text!r}"
    assert any("flour" in i.description.lower() or "mill" in i.title.lower() for i in reply.items)
