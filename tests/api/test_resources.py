"""The integration API's resources end to end, on SQLite and PostgreSQL: every action its state machine
allows, the scopes of subscriber, agent and admin tokens, and the same rules as the chat."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from composition.container import Layer8
from composition.ossbss import relay
from network.models import AuditEvent, Conversation, LedgerEntry, OutboxMessage
from tests.api.economy import ADMIN, Economy, deal_body
from tests.api.helpers import assert_problem


@pytest.fixture
def container(layer8: Layer8) -> Layer8:
    """The client of ``tests/api/conftest.py`` serves the application wired as in production."""
    return layer8


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _referral(client: TestClient, eco: Economy) -> dict[str, Any]:
    """Acme passes business to the café."""
    body = {"receiver_id": eco.net.cafe, "prospect_name": "Northern Lofts", "hotness": 4}
    response = client.post("/v1/referrals", json=body, headers=eco.sub("acme"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_an_introduction_is_requested_accepted_and_seen_only_by_its_parties(
    client: TestClient, economy: Economy
) -> None:
    acme, cafe = economy.sub("acme"), economy.sub("cafe")
    created = client.post("/v1/introductions", json={"target_id": economy.net.cafe}, headers=acme)
    assert created.status_code == 201, created.text
    intro = created.json()
    assert intro["state"] == "requested" and intro["requester_id"] == economy.net.acme
    assert "contact_email" not in created.text and "ann@acme" not in created.text

    listed = client.get("/v1/introductions", params={"state": "requested"}, headers=cafe).json()
    assert [i["id"] for i in listed["data"]] == [intro["id"]]
    assert_problem(client.post(f"/v1/introductions/{intro['id']}/accept", headers=acme), 404, "not_found")

    accepted = client.post(f"/v1/introductions/{intro['id']}/accept", headers=cafe)
    assert accepted.json()["state"] == "accepted"
    again = client.post(f"/v1/introductions/{intro['id']}/decline", headers=cafe)
    assert_problem(again, 409, "illegal_transition")
    assert client.get(f"/v1/introductions/{intro['id']}", headers=ADMIN).json()["state"] == "accepted"


def test_a_request_can_be_withdrawn_or_declined_but_only_once(client: TestClient, economy: Economy) -> None:
    acme = economy.sub("acme")
    first = client.post("/v1/introductions", json={"target_id": economy.books}, headers=acme).json()
    withdrawn = client.post(f"/v1/introductions/{first['id']}/withdraw", headers=acme)
    assert withdrawn.json()["state"] == "withdrawn"
    assert_problem(
        client.post(f"/v1/introductions/{first['id']}/withdraw", headers=acme), 409, "illegal_transition"
    )
    cafe_asks = client.post(
        "/v1/introductions", json={"target_id": economy.net.acme}, headers=economy.sub("cafe")
    )
    declined = client.post(f"/v1/introductions/{cafe_asks.json()['id']}/decline", headers=acme)
    assert declined.json()["state"] == "declined"


def test_a_referral_is_created_moved_and_closed_by_its_receiver_only(
    client: TestClient, economy: Economy
) -> None:
    referral = _referral(client, economy)
    assert referral["state"] == "open" and referral["prospect_name"] == "Northern Lofts"
    url = f"/v1/referrals/{referral['id']}"
    assert_problem(
        client.post(url + "/state", json={"state": "contacted"}, headers=economy.sub("acme")),
        404,
        "not_found",
    )
    moved = client.post(url + "/state", json={"state": "contacted"}, headers=economy.sub("cafe"))
    assert moved.json()["state"] == "contacted"
    closed = client.post(url + "/close", json={"outcome": "lost"}, headers=economy.sub("cafe"))
    assert closed.json()["state"] == "lost"
    assert_problem(
        client.post(url + "/close", json={"outcome": "won"}, headers=economy.sub("cafe")),
        409,
        "illegal_transition",
    )
    admin_view = client.get(url, headers=ADMIN).json()
    assert admin_view["prospect_name"] is None  # whom it is about is for the two parties only


def test_a_subscriber_cannot_see_another_subscribers_deal(client: TestClient, economy: Economy) -> None:
    referral = _referral(client, economy)
    deal = client.post("/v1/deals", json=deal_body(referral["id"]), headers={**economy.sub("cafe"), **key()})
    assert deal.status_code == 201, deal.text
    deal_id = deal.json()["id"]
    assert client.get(f"/v1/deals/{deal_id}", headers=economy.sub("acme")).status_code == 200  # the giver
    with TestClient(client.app) as other:  # a third subscriber's token
        from network import tokens

        layer8: Layer8 = client.app.state.container  # type: ignore[attr-defined]
        with layer8.db.transaction() as session:
            books_token = tokens.issue(session, "subscriber", subscriber_id=economy.books).token
        books = {"Authorization": f"Bearer {books_token}"}
        assert_problem(other.get(f"/v1/deals/{deal_id}", headers=books), 404, "not_found")
        assert other.get("/v1/deals", headers=books).json()["data"] == []
        assert (
            other.get("/v1/deals", params={"subscriber_id": economy.net.cafe}, headers=books).json()["data"]
            == []
        )


def test_recording_a_deal_needs_an_idempotency_key(client: TestClient, economy: Economy) -> None:
    referral = _referral(client, economy)
    response = client.post("/v1/deals", json=deal_body(referral["id"]), headers=economy.sub("cafe"))
    assert_problem(response, 422, "invalid_request")


def test_an_agent_acts_only_inside_an_authenticated_case_and_is_audited(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    referral = _referral(client, economy)
    move = {"state": "meeting"}
    url = f"/v1/referrals/{referral['id']}/state"
    assert_problem(client.post(url, json=move, headers=economy.agent()), 403, "case_required")
    assert_problem(client.get("/v1/referrals", headers=economy.agent()), 403, "case_required")
    unauthenticated = economy.net.unchecked_case  # open, but the customer's identity was never checked
    assert_problem(client.post(url, json=move, headers=economy.agent(unauthenticated)), 403, "forbidden")
    done = client.post(url, json=move, headers=economy.agent(economy.authenticated_case))
    assert done.status_code == 200 and done.json()["state"] == "meeting"
    with layer8.db.read() as session:
        act = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "on_behalf.referral_updated")
        ).one()
        who = (act.actor_id, act.case_id, act.target_id)
    assert who == (
        "agent.alice",
        economy.authenticated_case,
        economy.net.cafe,
    )


def test_voiding_a_paid_deal_reverses_the_credit_on_the_bill(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    referral = _referral(client, economy)
    deal = client.post(
        "/v1/deals", json=deal_body(referral["id"]), headers={**economy.sub("cafe"), **key()}
    ).json()
    incentives = client.get("/v1/incentives", headers=economy.sub("acme")).json()["data"]
    assert [(i["deal_id"], i["state"]) for i in incentives] == [(deal["id"], "pending")]
    incentive_id = incentives[0]["id"]
    assert_problem(
        client.post(f"/v1/incentives/{incentive_id}/approve", json={}, headers=economy.sub("acme")),
        403,
        "forbidden",
    )
    assert (
        client.post(f"/v1/incentives/{incentive_id}/approve", json={}, headers=ADMIN).json()["state"]
        == "approved"
    )
    bss_relay = relay(layer8.settings, layer8.db, layer8.bss)
    bss_relay.run_once()
    assert client.get(f"/v1/incentives/{incentive_id}", headers=ADMIN).json()["state"] == "posted"

    voided = client.post(
        f"/v1/deals/{deal['id']}/void",
        json={"reason": "recorded twice"},
        headers={**economy.sub("cafe"), **key()},
    )
    assert voided.json()["state"] == "voided"
    rows = client.get("/v1/incentives", params={"subscriber_id": economy.net.acme}, headers=ADMIN).json()[
        "data"
    ]
    reversal = next(r for r in rows if r["reversal_of_id"] == incentive_id)
    assert reversal["amount_minor"] == -next(r for r in rows if r["id"] == incentive_id)["amount_minor"]
    bss_relay.run_once()
    with layer8.db.read() as session:
        credits = sorted(
            e.amount_minor for e in session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "credit"))
        )
    assert credits == [reversal["amount_minor"], -reversal["amount_minor"]]
    again = client.post(f"/v1/deals/{deal['id']}/void", json={"reason": "again"}, headers={**ADMIN, **key()})
    assert_problem(again, 409, "illegal_transition")


def test_admins_hold_and_then_approve_an_incentive(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    referral = _referral(client, economy)
    client.post("/v1/deals", json=deal_body(referral["id"]), headers={**economy.sub("cafe"), **key()})
    incentive_id = client.get("/v1/incentives", headers=ADMIN).json()["data"][0]["id"]
    held = client.post(
        f"/v1/incentives/{incentive_id}/hold", json={"reason": "customer called"}, headers=ADMIN
    )
    assert held.json()["state"] == "held"
    assert_problem(
        client.post(f"/v1/incentives/{incentive_id}/hold", json={"reason": "again"}, headers=ADMIN),
        409,
        "illegal_transition",
    )
    assert (
        client.post(f"/v1/incentives/{incentive_id}/approve", json={}, headers=ADMIN).json()["state"]
        == "approved"
    )
    with layer8.db.read() as session:
        kinds = sorted(
            m.kind for m in session.scalars(select(OutboxMessage).where(OutboxMessage.kind != "webhook"))
        )
    assert kinds == ["credit", "usage"]


def test_cursor_pages_neither_repeat_nor_skip_while_records_are_inserted(
    client: TestClient, economy: Economy
) -> None:
    """Two threads keep inserting referrals while a third reads every page: each page is read only after
    the writers have added more rows since the last one, so inserts really land between and during reads."""
    first = [_referral(client, economy)["id"] for _ in range(12)]
    inserted: list[str] = []
    written = threading.Condition()
    done = threading.Event()

    def writer() -> None:
        while not done.is_set():
            referral_id = _referral(client, economy)["id"]
            with written:
                inserted.append(referral_id)
                written.notify_all()

    def more_written_than(count: int) -> None:
        with written:
            assert written.wait_for(lambda: len(inserted) > count, timeout=60), "the writers stalled"

    seen: list[str] = []
    with ThreadPoolExecutor(2) as pool:
        writers = [pool.submit(writer) for _ in range(2)]
        try:
            params: dict[str, Any] = {"limit": 5}
            while True:
                more_written_than(len(inserted))
                page = client.get("/v1/referrals", params=params, headers=economy.sub("cafe")).json()
                seen += [r["id"] for r in page["data"]]
                if page["next_cursor"] is None:
                    break
                params = {"limit": 5, "cursor": page["next_cursor"]}
        finally:
            done.set()
        for future in writers:
            future.result()
    assert len(seen) == len(set(seen)), "a record was repeated across pages"
    assert set(first) <= set(seen), "a record that existed before the first page was skipped"
    assert set(seen) <= set(first) | set(inserted) and len(inserted) >= 3
    assert_problem(
        client.get("/v1/referrals", params={"cursor": "nonsense"}, headers=ADMIN), 422, "invalid_cursor"
    )


def test_lists_filter_by_state_subscriber_and_date(client: TestClient, economy: Economy) -> None:
    referral = _referral(client, economy)
    client.post(f"/v1/referrals/{referral['id']}/state", json={"state": "won"}, headers=economy.sub("cafe"))
    _referral(client, economy)
    won = client.get("/v1/referrals", params={"state": "won"}, headers=ADMIN).json()["data"]
    assert [r["id"] for r in won] == [referral["id"]]
    future = client.get("/v1/referrals", params={"since": "2999-01-01T00:00:00Z"}, headers=ADMIN).json()[
        "data"
    ]
    assert future == []
    past = client.get("/v1/referrals", params={"until": "2000-01-01"}, headers=ADMIN).json()["data"]
    assert past == []
    books = client.get("/v1/referrals", params={"subscriber_id": economy.books}, headers=ADMIN).json()["data"]
    assert books == []


def test_an_agent_opens_a_case_acts_in_it_and_closes_it(client: TestClient, economy: Economy) -> None:
    body = {"subscriber_id": economy.net.acme, "reason": "log a referral", "authenticated_by": "account PIN"}
    case = client.post("/v1/cases", json=body, headers=economy.agent()).json()
    assert case["customer_authenticated_by"] == "account PIN"
    referral = {"receiver_id": economy.books, "prospect_name": "Leeds Deli"}
    made = client.post("/v1/referrals", json=referral, headers=economy.agent(case["id"]))
    assert made.status_code == 201 and made.json()["giver_id"] == economy.net.acme
    mine = client.get("/v1/cases", params={"state": "open"}, headers=economy.agent()).json()["data"]
    assert case["id"] in {c["id"] for c in mine}
    assert client.post(f"/v1/cases/{case['id']}/close", headers=economy.agent()).json()["closed_at"]
    closed = client.post("/v1/referrals", json=referral, headers=economy.agent(case["id"]))
    assert_problem(closed, 403, "forbidden")
    assert_problem(client.post("/v1/cases", json=body, headers=economy.sub("acme")), 403, "forbidden")


def test_an_agent_answers_a_handed_off_conversation(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    with layer8.db.transaction() as session:
        conversation = Conversation(
            subscriber_id=economy.net.cafe,
            channel="web",
            thread_key="web:t1",
            mode="handed_off",
            handoff_reason="asked",
        )
        session.add(conversation)
        session.flush()
        conversation_id = conversation.id
    queue = client.get("/v1/handoffs", headers=economy.agent()).json()["data"]
    assert [h["conversation_id"] for h in queue] == [conversation_id]
    assert_problem(client.get("/v1/handoffs", headers=economy.sub("cafe")), 403, "forbidden")
    url = f"/v1/handoffs/{conversation_id}"
    assert client.post(url + "/pick-up", headers=economy.agent()).json()["agent_id"] == "agent.alice"
    replied = client.post(url + "/reply", json={"text": "Hello, Alice here."}, headers=economy.agent())
    assert replied.status_code == 201 and replied.json()["message_id"]
    client.post(url + "/hand-back", headers=economy.agent())
    assert client.get("/v1/handoffs", headers=economy.agent()).json()["data"] == []


def test_every_new_route_is_documented_with_its_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/introductions",
        "/v1/referrals",
        "/v1/deals",
        "/v1/incentives",
        "/v1/cases",
        "/v1/handoffs",
        "/v1/webhook-endpoints",
    ):
        assert path in spec["paths"]
        for operation in spec["paths"][path].values():
            assert "401" in operation["responses"] and "403" in operation["responses"]
    post = spec["paths"]["/v1/deals"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in post["parameters"])
    assert "deal.voided" in spec["webhooks"] and "subscriber.erased" in spec["webhooks"]
