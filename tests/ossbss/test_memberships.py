"""Memberships from the operator's BSS: `layer8 subscribers sync` and the TMF629 listener, against the
TM Forum stub with every body checked against the official schemas; a churned customer's open introductions
are withdrawn, their profile leaves the index, the other side is told, and a replayed event changes nothing
twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from assistant.settings import Settings
from channels.api import bss_listener, problems
from network.actor import Actor
from network.db import Database
from network.models import AuditEvent, ChurnEvent, Introduction, Subscriber
from ossbss.memberships import MembershipSync
from ossbss.stub import InProcessTransport, StubStore, create_app
from ossbss.tmf.customers import MemberRule, TmfCustomers
from ossbss.tmf.schemas import Api, errors
from retrieval import index_sync
from tests.ossbss.customers import customer, operator, organization
from tests.ossbss.helpers import SchemaCheck

TOKEN = "hub-token-for-tests"
CALLBACK = "http://layer8.test/bss/tmf629"


@dataclass
class FakeIndexer:
    removed: list[str] = field(default_factory=list)

    def index_subscriber(self, subscriber_id: str) -> bool:
        return True

    def remove(self, subscriber_id: str) -> None:
        self.removed.append(subscriber_id)

    def erase(self, subscriber_id: str) -> None:
        self.removed.append(subscriber_id)


@dataclass
class Parts:
    settings: Settings


@dataclass
class World:
    db: Database
    store: StubStore
    stub: httpx.Client
    sync: MembershipSync
    listener: TestClient
    sent: list[tuple[str, dict[str, Any]]]
    indexer: FakeIndexer
    churned: list[dict[str, Any]]

    def deliver_all(self) -> list[httpx.Response]:
        """Post what the stub's hub sent to our listener, as the operator's hub would."""
        answers = [self.post(url, body) for url, body in self.sent]
        self.sent.clear()
        return answers

    def post(self, url: str, body: Any, token: str = TOKEN) -> httpx.Response:
        path = url.removeprefix("http://layer8.test")
        return self.listener.post(path, json=body, headers={"Authorization": f"Bearer {token}"})

    def subscriber(self, customer_id: str) -> Subscriber:
        with self.db.read() as session:
            row = session.scalars(select(Subscriber).where(Subscriber.bss_customer_id == customer_id)).one()
            session.expunge(row)
            return row


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    store = operator(StubStore(auto_parties=False))
    sent: list[tuple[str, dict[str, Any]]] = []
    stub = httpx.Client(
        transport=InProcessTransport(create_app(store, deliver=lambda u, b: sent.append((u, b)))),
        base_url="http://stub.test",
    )
    reader = TmfCustomers(stub, check=SchemaCheck())
    sync = MembershipSync(db, reader, MemberRule.parse("customerCategory=business"), tenant="default")
    indexer, churned = FakeIndexer(), []
    index_sync.subscribe(db.events, lambda: indexer)
    db.events.subscribe("subscriber.churned", lambda session, payload: churned.append(payload))
    settings = Settings(_env_file=None, env="test", bss_listener_token=SecretStr(TOKEN))  # type: ignore[call-arg]
    app = FastAPI()
    problems.install(app)
    bss_listener.installer(lambda: sync)(app, Parts(settings))  # type: ignore[arg-type]
    reader.register_listener(CALLBACK)
    with TestClient(app) as listener:
        yield World(db, store, stub, sync, listener, sent, indexer, churned)
    stub.close()


def introduce(db: Database, requester: str, target: str, state: str = "requested") -> str:
    with db.transaction(Actor.admin("test")) as session:
        intro = Introduction(requester_id=requester, target_id=target, state=state)
        session.add(intro)
        session.flush()
        return intro.id


def test_sync_creates_members_of_the_category_only_from_their_party(world: World) -> None:
    report = world.sync.run().as_json()
    assert report["created"] == 3 and report["skipped"] == 1
    bakes = world.subscriber("cust-1")
    assert (bakes.business_name, bakes.bss_party_id, bakes.status) == ("Leeds Bakes", "org-1", "active")
    assert bakes.contact_email == "hello@leedsbakes.example"
    again = world.sync.run().as_json()
    assert again["unchanged"] == 3 and again["created"] == 0 and again["skipped"] == 1


def test_the_hub_registration_and_every_event_meet_the_official_schemas(world: World) -> None:
    assert list(world.store.hubs.values()) == [{"id": next(iter(world.store.hubs)), "callback": CALLBACK}]
    world.stub.post("/stub/churn", json={"ids": ["cust-1"]})
    world.stub.patch("/tmf-api/customerManagement/v4/customer/cust-2", json={"name": "Mills"})
    world.stub.delete("/tmf-api/customerManagement/v4/customer/cust-3")
    world.stub.post(
        "/tmf-api/customerManagement/v4/customer",
        json={"name": "New", "engagedParty": {"id": "org-4", "@referredType": "Organization"}},
    )
    paths = [url.removeprefix(CALLBACK) for url, _ in world.sent]
    assert paths == [
        "/listener/customerStateChangeEvent",
        "/listener/customerAttributeValueChangeEvent",
        "/listener/customerDeleteEvent",
        "/listener/customerCreateEvent",
    ]
    for url, body in world.sent:
        assert not errors(Api.CUSTOMER, url.rsplit("/", 1)[-1][0].upper() + url.rsplit("/", 1)[-1][1:], body)


def test_a_churned_customer_is_withdrawn_unindexed_and_the_other_side_told(world: World) -> None:
    world.sync.run()
    leaving, staying = world.subscriber("cust-2").id, world.subscriber("cust-1").id
    open_intro = introduce(world.db, staying, leaving)
    done_intro = introduce(world.db, staying, leaving, state="accepted")
    world.stub.post("/stub/churn", json={"ids": ["cust-2"]})
    answers = world.deliver_all()
    assert [a.status_code for a in answers] == [201]
    assert answers[0].headers["X-Layer8-Outcome"] == "ended"
    assert world.subscriber("cust-2").status == "churned"
    with world.db.read() as session:
        assert session.get(Introduction, open_intro).state == "withdrawn"  # type: ignore[union-attr]
        assert session.get(Introduction, done_intro).state == "accepted"  # type: ignore[union-attr]
        churn = session.execute(
            select(ChurnEvent.subscriber_id, ChurnEvent.reason, ChurnEvent.source, ChurnEvent.withdrawn)
        ).one()
    assert tuple(churn) == (leaving, "terminated", "listener", 1)
    assert world.indexer.removed == [leaving]
    assert [p["counterparts"] for p in world.churned] == [[staying]]


def test_a_replayed_event_changes_nothing_twice(world: World) -> None:
    world.sync.run()
    world.stub.post("/stub/churn", json={"ids": ["cust-2"]})
    url, body = world.sent[0]
    first, replay = world.post(url, body), world.post(url, body)
    renamed = world.post(url, body | {"eventId": "another-delivery-of-the-same-change"})
    assert [r.headers["X-Layer8-Outcome"] for r in (first, replay, renamed)] == [
        "ended",
        "duplicate",
        "unchanged",
    ]
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ChurnEvent)) == 1
        churned = select(func.count()).where(AuditEvent.action == "subscriber.churned")
        assert session.scalar(churned) == 1
    assert len(world.churned) == 1 and world.indexer.removed == [world.subscriber("cust-2").id]


def test_deleted_recategorised_and_vanished_customers_end_too(world: World) -> None:
    world.sync.run()
    world.stub.delete("/tmf-api/customerManagement/v4/customer/cust-1")
    world.stub.patch(
        "/tmf-api/customerManagement/v4/customer/cust-2",
        json={"characteristic": [{"name": "customerCategory", "value": "residential"}]},
    )
    outcomes = [a.headers["X-Layer8-Outcome"] for a in world.deliver_all()]
    assert outcomes == ["ended", "ended"]
    world.store.customers.pop("cust-3")
    assert world.sync.run().as_json()["ended"] == 1
    with world.db.read() as session:
        reasons = sorted(session.scalars(select(ChurnEvent.reason)))
    assert reasons == ["deleted", "not_in_bss", "terminated"]


def test_a_churned_customer_who_comes_back_rejoins(world: World) -> None:
    world.sync.run()
    world.stub.post("/stub/churn", json={"ids": ["cust-3"]})
    world.deliver_all()
    world.stub.patch("/tmf-api/customerManagement/v4/customer/cust-3", json={"status": "Approved"})
    assert [a.headers["X-Layer8-Outcome"] for a in world.deliver_all()] == ["rejoined"]
    assert world.subscriber("cust-3").status == "active"


def test_the_listener_refuses_bad_tokens_and_bodies_that_break_the_schema(world: World) -> None:
    good = {"eventId": "e1", "event": {"customer": customer("cust-9", "org-9")}}
    path = f"{CALLBACK}/listener/customerCreateEvent"
    assert world.post(path, good, token="wrong").status_code == 401
    bad = {"eventId": "e2", "eventTime": "yesterday", "event": {"customer": {"id": "x"}}}
    answer = world.post(path, bad)
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("application/problem+json")
    assert world.post(f"{CALLBACK}/listener/customerRenameEvent", good).status_code == 404


def test_replayed_create_and_attribute_events_change_nothing_twice(world: World) -> None:
    """Besides the state change above: a new customer's create event and a change of its attributes, each
    delivered more than once, make one member and one change (no further audit events)."""
    world.store.parties["org-9"] = organization("org-9", "Otley Ovens")
    made = world.stub.post(
        "/tmf-api/customerManagement/v4/customer",
        json={
            "id": "cust-9",
            "name": "Customer cust-9",
            "engagedParty": {"id": "org-9", "@referredType": "Organization"},
            "characteristic": [{"name": "customerCategory", "value": "business"}],
        },
    )
    assert made.status_code == 201, made.text
    created = world.sent[-1]
    assert created[0].endswith("/customerCreateEvent")
    world.stub.patch("/tmf-api/customerManagement/v4/customer/cust-9", json={"name": "Otley Ovens Ltd"})
    changed = world.sent[-1]
    assert changed[0].endswith("/customerAttributeValueChangeEvent")
    outcomes = [
        world.post(*event).headers["X-Layer8-Outcome"] for event in (created, created, changed, changed)
    ]
    assert outcomes[1] == outcomes[3] == "duplicate" and "duplicate" not in (outcomes[0], outcomes[2]), (
        outcomes
    )

    def state() -> tuple[int, int]:
        with world.db.read() as session:
            members = session.scalar(select(func.count()).where(Subscriber.bss_customer_id == "cust-9"))
            audited = session.scalar(select(func.count()).select_from(AuditEvent))
        return int(members or 0), int(audited or 0)

    before = state()
    assert before[0] == 1
    assert [world.post(*event).headers["X-Layer8-Outcome"] for event in (created, changed)] == [
        "duplicate"
    ] * 2
    assert state() == before
