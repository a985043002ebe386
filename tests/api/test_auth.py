"""Bearer tokens: who gets in, as whom, and that tokens are only ever stored hashed."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from composition.container import Layer8
from network.models import ApiToken
from tests.api.helpers import ADMIN_TOKEN, Network, assert_problem, bearer


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient, network: Network) -> None:
    response = client.get("/v1/me")
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_revoked_and_non_bearer_credentials_are_401(client: TestClient, network: Network) -> None:
    for headers in (
        bearer("l8_not-a-real-token"),
        bearer(network.revoked_token),
        bearer("x" * 5000),
        {"Authorization": f"Basic {network.acme_token}"},
        {"Authorization": "Bearer"},
    ):
        response = client.get("/v1/me", headers=headers)
        assert_problem(response, 401, "unauthenticated")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_invalid_token_challenge_names_the_error(client: TestClient, network: Network) -> None:
    response = client.get("/v1/me", headers=bearer("l8_wrong"))
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_subscriber_token_is_scoped_to_its_subscriber(client: TestClient, network: Network) -> None:
    me = client.get("/v1/me", headers=bearer(network.acme_token)).json()
    assert me["role"] == "subscriber" and me["subscriber_id"] == network.acme
    assert me["subscriber"]["business_name"] == "Acme Plumbing"
    assert me["subscriber"]["contact"]["email"] == "ann@acme.example"


def test_admin_token_from_settings(client: TestClient, network: Network) -> None:
    me = client.get("/v1/me", headers=bearer(ADMIN_TOKEN)).json()
    assert me == {
        "role": "admin",
        "subscriber_id": None,
        "agent_id": None,
        "case_id": None,
        "token_id": None,
        "subscriber": None,
    }


def test_agent_inside_an_open_case_acts_for_its_subscriber(client: TestClient, network: Network) -> None:
    headers = bearer(network.agent_token, **{"X-Layer8-Case": network.open_case})
    me = client.get("/v1/me", headers=headers).json()
    assert (me["role"], me["agent_id"], me["case_id"]) == ("agent", "agent.alice", network.open_case)
    assert me["subscriber_id"] == network.cafe
    assert me["subscriber"]["id"] == network.cafe


def test_agent_without_a_case_may_still_read(client: TestClient, network: Network) -> None:
    me = client.get("/v1/me", headers=bearer(network.agent_token)).json()
    assert (me["role"], me["case_id"], me["subscriber_id"]) == ("agent", None, None)


def test_case_header_must_name_an_open_case_of_that_agent(client: TestClient, network: Network) -> None:
    refused = [
        (network.other_agent_token, network.open_case),  # someone else's case
        (network.agent_token, network.closed_case),  # closed
        (network.agent_token, network.unchecked_case),  # the customer's authentication not recorded
        (network.agent_token, "case_doesnotexist00"),
        (network.agent_token, "x" * 10_000),
        (network.agent_token, "case\x7f'; drop table support_cases;--"),
        (network.acme_token, network.open_case),  # not an agent
        (ADMIN_TOKEN, network.open_case),
    ]
    for token, case in refused:
        response = client.get("/v1/me", headers=bearer(token, **{"X-Layer8-Case": case}))
        assert_problem(response, 403, "forbidden")


def test_tokens_are_stored_hashed(container: Layer8, network: Network) -> None:
    with container.db.read() as session:
        rows = [
            [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
            for row in session.scalars(select(ApiToken))
        ]
        stored = set(session.scalars(select(ApiToken.token_hash)))
    assert hashlib.sha256(network.acme_token.encode()).hexdigest() in stored
    assert all(len(digest) == 64 and not digest.startswith("l8_") for digest in stored)
    for values in rows:
        assert not any(network.acme_token in value or network.agent_token in value for value in values)


def test_openapi_declares_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert {"bearer": []} in spec["paths"]["/v1/subscribers/{subscriber_id}"]["get"]["security"]
    assert "security" not in spec["paths"]["/healthz"]["get"]
    not_found = spec["paths"]["/v1/subscribers/{subscriber_id}"]["get"]["responses"]["404"]
    assert "application/problem+json" in not_found["content"]
    assert "Problem" in spec["components"]["schemas"]


def test_a_case_without_recorded_customer_authentication_reveals_nothing(
    client: TestClient, network: Network
) -> None:
    """As in the console: an agent acts for a customer (and sees their contact details) only once the case
    records how the customer was authenticated."""
    headers = bearer(network.agent_token, **{"X-Layer8-Case": network.unchecked_case})
    response = client.get("/v1/me", headers=headers)
    problem = assert_problem(response, 403, "forbidden")
    assert "authenticated" in problem["detail"]
    assert "acme.example" not in response.text
