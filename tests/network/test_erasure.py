"""Erasure and export: a text canary planted in every table and store, then searched for in the raw bytes
(the SQLite file and its WAL, the Chroma directory, a PostgreSQL dump). Vectors are never compared as bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from network import audit
from network.actor import Actor
from network.conversations import add_message, open_conversation
from network.db import Database
from network.erasure import Eraser, columns_holding
from network.errors import IllegalTransition, NotFound
from network.models import (
    ChannelIdentity,
    InboundEvent,
    Introduction,
    Message,
    PendingAction,
    ProfileProposal,
    Referral,
    Subscriber,
)
from network.pending import propose
from network.services import cases, erasure_requests, introductions, referrals
from network.services.erasure import LEFT_NETWORK
from network.services.export import export_subscriber
from retrieval import index_sync
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex
from retrieval.profiles_index import ProfileIndexer
from tests.retrieval.builders import add_business

CANARY = "zqxcanary"
PHONE = "+447700900417"
OFFERS, NEEDS = "l8-default-offers", "l8-default-needs"


@dataclass(frozen=True)
class Ctx:
    subscriber_id: str
    conversation_id: str | None


@dataclass(frozen=True)
class World:
    db: Database
    index: ChromaIndex
    store: Path
    erased: str
    other: str
    intro: str
    referral: str
    others_action: str


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Iterator[World]:
    index = ChromaIndex(path=tmp_path / "chroma")
    indexer = ProfileIndexer(db, index, FakeEmbedder())
    index_sync.subscribe(db.events, lambda: indexer)
    other = add_business(db, "Harbour Couriers", offers="same-day courier", needs="bakery supplies")
    erased = add_business(
        db,
        f"{CANARY.title()} Ovens Ltd",
        contact_name="Ada Lovelace",
        contact_email=f"ada@{CANARY}.example",
        offers=f"{CANARY} commercial oven repair",
        needs=f"{CANARY} a courier for spare parts",
        description=f"{CANARY} family firm",
    )
    with db.transaction(Actor.admin("test")) as session:
        made = _records(session, erased, other)
    yield World(db, index, tmp_path / "chroma", erased, other, *made)


def _records(session, erased: str, other: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    me = session.get(Subscriber, erased)
    me.contact_phone = PHONE
    session.add(ChannelIdentity(subscriber_id=erased, channel="whatsapp", external_id=PHONE[1:]))
    session.add(ProfileProposal(subscriber_id=erased, field="goals", value=f"{CANARY} open a second site"))
    chat = open_conversation(session, "whatsapp", f"wa:{PHONE[1:]}", erased)
    add_message(session, chat, "user", f"hello, {CANARY} here", external_id="wamid.ZQX1")
    session.add(
        InboundEvent(
            channel="whatsapp",
            event_id="wamid.ZQX1",
            kind="message",
            payload={"from": PHONE[1:], "text": f"hello, {CANARY} here"},
        )
    )
    propose(session, Ctx(erased, chat.id), "record_deal", f"Record {CANARY} deal", {"note": CANARY})
    cases.open_case(session, "agent1", erased, f"{CANARY} asked about a bill", "account PIN")
    intro = introductions.request(session, erased, other, message=f"Hi, {CANARY} would like to meet")
    referral = referrals.log_referral(
        session,
        erased,
        other,
        prospect_name=f"{CANARY.title()} Prospect",
        prospect_contact=f"prospect.{CANARY}@example.org",
        prospect_agreed=True,
        note=f"{CANARY} says they need a courier weekly",
    )
    theirs = open_conversation(session, "web", f"web:{other}:1", other)
    add_message(session, theirs, "assistant", f"{me.business_name} asked to be introduced to you.")
    action = propose(
        session, Ctx(other, theirs.id), "share_contact", "Share your details", {"introduction_id": intro.id}
    )
    return intro.id, referral.id, action.id


def _raw_hits(paths: list[Path]) -> list[Path]:
    needles = (CANARY.encode(), CANARY.title().encode(), PHONE[1:].encode())
    return [p for p in paths if p.is_file() and any(n in p.read_bytes() for n in needles)]


def _store_files(world: World) -> list[Path]:
    return sorted(world.store.rglob("*")) + world.db.files()


def _postgres_dump_hits(db: Database) -> list[str]:
    """``pg_dump`` of the test's schema (a SELECT over every text column when pg_dump cannot run)."""
    schema = unquote(db.url).rsplit("search_path=", 1)[-1]
    url = db.engine.url.set(drivername="postgresql", query={})
    pg_dump = shutil.which("pg_dump")
    if pg_dump:
        run = subprocess.run(
            [pg_dump, "--data-only", f"--schema={schema}", url.render_as_string(hide_password=False)],
            capture_output=True,
            check=False,
        )
        if run.returncode == 0:
            dump = run.stdout
            return [n for n in (CANARY, CANARY.title(), PHONE[1:]) if n.encode() in dump]
    with db.read() as session:
        return columns_holding(session, [CANARY, CANARY.title(), PHONE[1:]])


def test_export_holds_everything_about_the_subscriber_from_every_table(world: World) -> None:
    with world.db.read() as session:
        exported = export_subscriber(session, world.erased)
    tables = exported["tables"]
    for name in (
        "profiles",
        "profile_proposals",
        "channel_identities",
        "conversations",
        "messages",
        "pending_actions",
        "support_cases",
        "introductions",
        "referrals",
        "inbound_events",
        "consent_records",
        "audit_events",
    ):
        assert tables[name], f"{name} is missing from the export"
    text = json.dumps(exported)
    assert exported["subscriber"]["contact_email"] == f"ada@{CANARY}.example"
    assert f"prospect.{CANARY}@example.org" in text and "token_hash" not in text
    assert exported["format"] == "layer8.export/1"


def test_erasure_leaves_no_canary_in_any_table_file_or_store(world: World) -> None:
    assert _raw_hits(sorted(world.store.rglob("*"))), "the canary must be in the vector store before"
    assert world.erased in world.index.ids(OFFERS)

    report = Eraser(world.db, stores=[world.index]).erase(
        world.erased, actor=Actor.admin("dpo"), reason="GDPR request 42"
    )

    assert report.verified, report.remaining
    assert report.withdrawn == 2
    assert _raw_hits(_store_files(world)) == []
    if world.db.dialect == "postgresql":
        assert _postgres_dump_hits(world.db) == []
    with world.db.read() as session:
        assert columns_holding(session, [CANARY, CANARY.title(), PHONE[1:]]) == []
        assert audit.verify(session).ok
    assert world.erased not in world.index.ids(OFFERS) + world.index.ids(NEEDS)
    assert world.index.ids(OFFERS) == [world.other]


def test_the_other_side_sees_a_business_that_has_left_the_network(world: World) -> None:
    Eraser(world.db).erase(world.erased, actor=Actor.admin("dpo"), reason="GDPR request 43")
    with world.db.transaction(Actor.subscriber(world.other)) as session:
        intro = session.get(Introduction, world.intro)
        assert intro is not None and intro.state == "withdrawn" and intro.message is None
        referral = session.get(Referral, world.referral)
        assert referral is not None and referral.state == "withdrawn"
        assert referral.prospect_name is None and referral.prospect_contact is None
        action = session.get(PendingAction, world.others_action)
        assert action is not None and action.state == "cancelled"
        said = session.scalars(select(Message.content).where(Message.role == "assistant")).all()
        assert said == [f"{LEFT_NETWORK} asked to be introduced to you."]
        assert session.get(Subscriber, world.erased).business_name == LEFT_NETWORK  # type: ignore[union-attr]
        with pytest.raises(IllegalTransition):
            introductions.respond(session, world.other, world.intro, accept=True)
    with world.db.read() as session, pytest.raises(NotFound):
        export_subscriber(session, world.erased)


def test_an_erasure_request_is_done_when_an_admin_erases(world: World) -> None:
    with world.db.transaction(Actor.subscriber(world.erased)) as session:
        first = erasure_requests.request_erasure(session, world.erased, "subscriber:me")
        again = erasure_requests.request_erasure(session, world.erased, "subscriber:me")
        assert first.id == again.id and first.state == "pending"
    with world.db.read() as session:
        assert [r.id for r in erasure_requests.pending(session)] == [first.id]
    Eraser(world.db).erase(world.erased, actor=Actor.admin("dpo"), reason="approved")
    with world.db.read() as session:
        assert erasure_requests.pending(session) == []
