"""``Idempotency-Key`` on POST, Stripe's semantics, on SQLite and PostgreSQL: a replay gives the first
response and changes nothing, another body under the same key is 409, keys expire after 24 hours, and 100
concurrent identical POSTs make one row and one response body."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from composition.container import Layer8
from network.ids import utcnow
from network.models import Deal, IdempotencyKey, Referral
from tests.api.economy import Economy, deal_body
from tests.api.helpers import assert_problem


@pytest.fixture
def container(layer8: Layer8) -> Layer8:
    """The client of ``tests/api/conftest.py`` serves the application wired as in production."""
    return layer8


def _count(layer8: Layer8, model: type) -> int:
    with layer8.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_key_and_body_replays_the_first_response(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    body = {"receiver_id": economy.net.cafe, "prospect_name": "Northern Lofts"}
    headers = {**economy.sub("acme"), "Idempotency-Key": "crm-42"}
    first = client.post("/v1/referrals", json=body, headers=headers)
    second = client.post("/v1/referrals", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "Idempotent-Replayed" not in first.headers and second.headers["Idempotent-Replayed"] == "true"
    assert _count(layer8, Referral) == 1


def test_the_same_key_with_another_body_is_a_conflict(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    headers = {**economy.sub("acme"), "Idempotency-Key": "crm-43"}
    client.post(
        "/v1/referrals", json={"receiver_id": economy.net.cafe, "prospect_name": "A"}, headers=headers
    )
    other = client.post(
        "/v1/referrals", json={"receiver_id": economy.net.cafe, "prospect_name": "B"}, headers=headers
    )
    assert_problem(other, 409, "idempotency_conflict")
    assert _count(layer8, Referral) == 1


def test_keys_belong_to_the_token_that_sent_them(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    client.post(
        "/v1/referrals",
        json={"receiver_id": economy.net.cafe, "prospect_name": "A"},
        headers={**economy.sub("acme"), "Idempotency-Key": "shared"},
    )
    theirs = client.post(
        "/v1/referrals",
        json={"receiver_id": economy.net.acme, "prospect_name": "A"},
        headers={**economy.sub("cafe"), "Idempotency-Key": "shared"},
    )
    assert theirs.status_code == 201 and _count(layer8, Referral) == 2


def test_a_key_expires_after_24_hours(client: TestClient, economy: Economy, layer8: Layer8) -> None:
    body = {"receiver_id": economy.net.cafe, "prospect_name": "Northern Lofts"}
    headers = {**economy.sub("acme"), "Idempotency-Key": "crm-44"}
    first = client.post("/v1/referrals", json=body, headers=headers).json()
    with layer8.db.transaction() as session:
        session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
    later = client.post("/v1/referrals", json=body, headers=headers)
    assert later.status_code == 201 and later.json()["id"] != first["id"]
    assert "Idempotent-Replayed" not in later.headers


def test_a_failed_request_stores_nothing_so_its_retry_runs_again(
    client: TestClient, economy: Economy
) -> None:
    headers = {**economy.sub("acme"), "Idempotency-Key": "crm-45"}
    refused = client.post("/v1/introductions", json={"target_id": "sub_unknown"}, headers=headers)
    assert_problem(refused, 404, "not_found")
    assert_problem(
        client.post("/v1/introductions", json={"target_id": "sub_unknown"}, headers=headers), 404, "not_found"
    )


def test_one_hundred_concurrent_identical_posts_make_one_deal_and_one_body(
    client: TestClient, economy: Economy, layer8: Layer8
) -> None:
    referral = client.post(
        "/v1/referrals",
        json={"receiver_id": economy.net.cafe, "prospect_name": "Northern Lofts"},
        headers=economy.sub("acme"),
    ).json()
    headers = {**economy.sub("cafe"), "Idempotency-Key": "deal-7f3a"}
    body = deal_body(referral["id"])
    start = threading.Barrier(100)

    def post(_: int) -> tuple[int, str]:
        start.wait()
        response = client.post("/v1/deals", json=body, headers=headers)
        return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(post, range(100)))
    assert {status for status, _ in answers} == {201}, answers[:3]
    assert len({text for _, text in answers}) == 1
    assert _count(layer8, Deal) == 1
