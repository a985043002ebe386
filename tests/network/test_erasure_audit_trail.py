"""The audit trail holds ids, never what an erasure must remove. A subscriber with canary names goes through
every flow that audits — a profile change, introductions both ways, a referral with a third party's details,
a deal voided with a typed reason, a handoff, a token with a label, the erasure itself with a reason — and no
audit row quotes a canary even before the erasure. Afterwards no byte of one is left in the SQLite file and
its WAL, a PostgreSQL dump or the vector store, and ``audit verify`` passes. Another business's own profile
that names the erased one is scrubbed and re-indexed. (Short names: ``test_erasure_short_names``.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from network import audit, tokens
from network.actor import Actor
from network.conversations import add_message, open_conversation
from network.db import Database
from network.erasure import Eraser
from network.models import AuditEvent, AuditNote, Profile, Role
from network.money import Money
from network.services import consent, deals, handoffs, introductions, referrals
from network.services.mentions import LEFT_NETWORK
from network.services.profiles import update_profile
from network.services.subscribers import create_subscriber
from retrieval import index_sync
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex
from retrieval.profiles_index import ProfileIndexer
from tests.network.helpers import raw_hits
from tests.retrieval.builders import add_business

BUSINESS, CONTACT, FIRST = "Vexmoor Pantry", "Ottoline Quarrie", "Ottoline"
EMAIL, PHONE = "ottoline@vexmoor.example", "+447700900417"
PROSPECT, PROSPECT_EMAIL = "Quennell Arbogast", "quennell@arbogast.example"
CANARIES = ("vexmoor", "ottoline", "quarrie", "7700900417", "quennell", "arbogast")
RAW = re.compile(b"|".join(re.escape(c.encode()) for c in CANARIES), re.IGNORECASE)
OFFERS = "l8-default-offers"


@dataclass(frozen=True)
class World:
    db: Database
    index: ChromaIndex
    store: Path
    erased: str
    quoting: str  # another business whose own profile names the erased one


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[World]:
    index = ChromaIndex(path=tmp_path / "chroma")
    indexer = ProfileIndexer(db, index, FakeEmbedder())
    index_sync.subscribe(db.events, lambda: indexer)
    with db.transaction(Actor.admin("onboarding")) as session:
        erased = create_subscriber(
            session, BUSINESS, contact_name=CONTACT, contact_email=EMAIL, contact_phone=PHONE
        ).id
        update_profile(session, erased, {"offers": "rye bread and pastries"})
        for kind in ("discoverable", "contactable"):
            consent.set_consent(session, erased, kind, True, channel="test")
    quoting = add_business(db, "Harbour Couriers", offers=f"same-day courier, trusted by {BUSINESS}")
    third = add_business(db, "Greenway Print", offers="leaflets")
    _audited_flows(db, erased, quoting, third)
    yield World(db, index, tmp_path / "chroma", erased, quoting)


def _audited_flows(db: Database, erased: str, other: str, third: str) -> None:
    """Every flow that writes an audit row, each carrying the canaries in what a person typed."""
    with db.transaction(Actor.subscriber(erased)) as session:
        update_profile(session, erased, {"description": f"{BUSINESS}: ask {CONTACT} on {PHONE}"})
        introductions.request(session, erased, third, message=f"{FIRST} here, from {BUSINESS}")
        referrals.log_referral(
            session,
            erased,
            other,
            prospect_name=PROSPECT,
            prospect_contact=PROSPECT_EMAIL,
            prospect_agreed=True,
            note=f"{FIRST} met {PROSPECT} at the fair",
        )
        tokens.issue(session, Role.SUBSCRIBER, subscriber_id=erased, label=f"{BUSINESS} till")
        chat = open_conversation(session, "web", f"web:{erased}:1", erased)
        add_message(session, chat, "user", f"I am {CONTACT}, call me on {PHONE}")
        handoffs.hand_off(session, chat, f"{FIRST} wants a person about {BUSINESS}")
    with db.transaction(Actor.subscriber(other)) as session:
        introductions.request(session, other, erased, message=f"Dear {FIRST}, {BUSINESS} was recommended")
        given = referrals.log_referral(
            session, other, erased, prospect_subscriber_id=third, note=f"for {FIRST}"
        )
    with db.transaction(Actor.subscriber(erased)) as session:
        deal = deals.record_deal(
            session,
            erased,
            Money(12_000, "GBP"),
            closed_on=date.today(),
            recorded_by=f"subscriber:{erased}",
            referral_id=given.id,
            description=f"{BUSINESS} catering",
        )
        deals.void_deal(session, deal.id, receiver_id=erased, reason=f"{FIRST} entered it twice")


def _trail(db: Database) -> str:
    """Every audit row as its chain hashes it, in one string."""
    with db.read() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        return "\n".join(json.dumps(audit.hashed_fields(row), default=str) for row in rows)


def _store_hits(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file() and RAW.search(p.read_bytes())]


def test_no_audit_row_quotes_a_name_contact_or_typed_words(world: World) -> None:
    trail = _trail(world.db)
    assert "deal.voided" in trail and "conversation.handed_off" in trail and "api_tokens.created" in trail
    assert RAW.search(trail.encode()) is None, RAW.search(trail.encode())
    with world.db.read() as session:  # the words are kept, beside the trail
        notes = set(session.scalars(select(AuditNote.text)))
    assert {f"{FIRST} entered it twice", f"{BUSINESS} till"} <= notes


def test_erasure_leaves_no_canary_in_any_file_and_the_chain_verifies(world: World) -> None:
    world.db.compact()
    assert raw_hits(world.db, RAW) and _store_hits(world.store), "the canaries must be there before"

    report = Eraser(world.db, [world.index]).erase(
        world.erased, actor=Actor.admin("dpo"), reason=f"{CONTACT} asked by phone from {PHONE}"
    )

    assert report.verified, report.remaining
    assert raw_hits(world.db, RAW) == []
    assert _store_hits(world.store) == []
    assert RAW.search(_trail(world.db).encode()) is None
    with world.db.read() as session:
        assert audit.verify(session).ok


def test_another_business_profile_that_names_the_erased_one_is_scrubbed_and_reindexed(world: World) -> None:
    def offers_text() -> str:
        found = world.index.query(OFFERS, FakeEmbedder().embed(["same-day courier"])[0], 5)
        return next(hit.document for hit in found if hit.metadata["subscriber_id"] == world.quoting)

    assert BUSINESS in offers_text()

    Eraser(world.db, [world.index]).erase(world.erased, actor=Actor.admin("dpo"))

    with world.db.read() as session:
        profile = session.get(Profile, world.quoting)
        assert profile is not None and profile.offers == f"same-day courier, trusted by {LEFT_NETWORK}"
    assert offers_text().startswith(f"same-day courier, trusted by {LEFT_NETWORK}")
    assert world.erased not in world.index.ids(OFFERS)
