"""The directory over HTTP: staff search, and a subscriber never sees another subscriber's records."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import ADMIN_TOKEN, Network, assert_problem, bearer

ADMIN = bearer(ADMIN_TOKEN)
JSON = {**ADMIN, "Content-Type": "application/json"}


def _names(client: TestClient, token: str, **params: Any) -> list[str]:
    response = client.get("/v1/subscribers", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return [item["business_name"] for item in response.json()["items"]]


SEARCHES: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["Acme Plumbing", "Jane's Café"]),
    ({"q": "acme"}, ["Acme Plumbing"]),
    ({"q": "7700 900123"}, ["Acme Plumbing"]),  # part of the phone number, spaced
    ({"q": "bss-100200"}, ["Acme Plumbing"]),  # the account number
    ({"q": "plumbing, heating"}, ["Acme Plumbing"]),  # industry title
    ({"q": "york"}, ["Acme Plumbing", "Jane's Café"]),  # York and West Yorkshire
    ({"industry": "7225"}, ["Jane's Café"]),
    ({"industry": "beverage"}, ["Jane's Café"]),
    ({"place": "north yorkshire"}, ["Jane's Café"]),
    ({"q": "100%"}, []),  # LIKE wildcards are literal
    ({"q": "_"}, []),
]


def test_staff_search(client: TestClient, network: Network) -> None:
    for params, expected in SEARCHES:
        assert _names(client, network.agent_token, **params) == expected, params
        assert _names(client, ADMIN_TOKEN, **params) == expected, params


def test_search_pages(client: TestClient, network: Network) -> None:
    first = client.get("/v1/subscribers", params={"limit": 1}, headers=bearer(ADMIN_TOKEN)).json()
    second = client.get(
        "/v1/subscribers", params={"limit": 1, "offset": 1}, headers=bearer(ADMIN_TOKEN)
    ).json()
    assert (first["total"], second["total"]) == (2, 2)
    assert [first["items"][0]["business_name"], second["items"][0]["business_name"]] == [
        "Acme Plumbing",
        "Jane's Café",
    ]
    assert "contact" not in first["items"][0]  # the list shows public cards


def test_search_with_a_json_body(client: TestClient, network: Network) -> None:
    response = client.post("/v1/subscribers/search", json={"place": "leeds"}, headers=bearer(ADMIN_TOKEN))
    assert [item["id"] for item in response.json()["items"]] == [network.acme]


def test_a_subscriber_may_not_search(client: TestClient, network: Network) -> None:
    assert_problem(client.get("/v1/subscribers", headers=bearer(network.acme_token)), 403, "forbidden")
    response = client.post("/v1/subscribers/search", json={}, headers=bearer(network.acme_token))
    assert_problem(response, 403, "forbidden")


def test_a_subscriber_reads_itself_with_contact(client: TestClient, network: Network) -> None:
    body = client.get(f"/v1/subscribers/{network.acme}", headers=bearer(network.acme_token)).json()
    assert body["business_name"] == "Acme Plumbing"
    assert body["contact"] == {"name": "Ann Acme", "email": "ann@acme.example", "phone": "+44 7700 900123"}
    assert body["channels"] == ["whatsapp"]
    assert body["consent"] == {"discoverable": True, "contactable": False}
    profile = client.get(f"/v1/subscribers/{network.acme}/profile", headers=bearer(network.acme_token)).json()
    assert profile["offers"] == "plumbing, boiler repair"
    assert profile["sources"] == {"offers": "declared", "needs": "inferred_confirmed"}
    assert profile["contact"]["email"] == "ann@acme.example"


def test_another_subscribers_records_look_exactly_like_nothing(client: TestClient, network: Network) -> None:
    """Acme asking for the café gets the same answer as for an id that does not exist."""
    for suffix in ("", "/profile"):
        other = client.get(f"/v1/subscribers/{network.cafe}{suffix}", headers=bearer(network.acme_token))
        missing = client.get(
            f"/v1/subscribers/sub_0000000000000000{suffix}", headers=bearer(network.acme_token)
        )
        other_body, missing_body = (
            assert_problem(other, 404, "not_found"),
            assert_problem(missing, 404, "not_found"),
        )
        for body, sub in ((other_body, network.cafe), (missing_body, "sub_0000000000000000")):
            assert body["detail"] == f"no subscriber {sub}"
        assert "Café" not in other.text and "jane@" not in other.text


def test_agents_and_admins_read_anyone(client: TestClient, network: Network) -> None:
    for token in (network.agent_token, ADMIN_TOKEN):
        body = client.get(f"/v1/subscribers/{network.cafe}", headers=bearer(token)).json()
        assert body["contact"]["email"] == "jane@cafe.example"
        profile = client.get(f"/v1/subscribers/{network.acme}/profile", headers=bearer(token)).json()
        assert profile["contact"]["phone"] == "+44 7700 900123"


def test_a_subscriber_without_a_profile_has_an_empty_one(client: TestClient, network: Network) -> None:
    from network.actor import Actor
    from network.models import Subscriber

    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.transaction(Actor.admin("test")) as session:
        bare = Subscriber(business_name="Bare Ltd")
        session.add(bare)
        session.flush()
        bare_id = bare.id
    profile = client.get(f"/v1/subscribers/{bare_id}/profile", headers=bearer(ADMIN_TOKEN)).json()
    assert profile["business_name"] == "Bare Ltd" and profile["offers"] is None and profile["sources"] == {}


def test_healthz_needs_no_token(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["schema_revision"]
    assert body["database"] in {"sqlite", "postgresql"}


def test_control_characters_are_refused_by_the_directory(client: TestClient, network: Network) -> None:
    """A NUL would make PostgreSQL fail the query: the schema states the rule and the edge refuses it first
    (the directory refuses it too, for callers other than the API)."""
    for query in ("q=%00", "q=a%00b", "industry=%1b[31m", "place=%00"):
        assert_problem(client.get(f"/v1/subscribers?{query}", headers=ADMIN), 422, "invalid_request")


def test_lone_surrogates_never_reach_the_database(client: TestClient, network: Network) -> None:
    body = client.post("/v1/subscribers/search", content=b'{"q": "\\ud800x"}', headers=JSON)
    assert body.status_code < 500 and body.headers["content-type"].startswith("application/problem+json")
    for path in ("/v1/subscribers?q=%ED%A0%80", "/v1/subscribers/%ED%A0%80", "/v1/subscribers?q=%FF"):
        response = client.get(path, headers=ADMIN)
        assert response.status_code < 500, response.text


def test_an_erased_subscriber_is_gone(client: TestClient, network: Network) -> None:
    from network.actor import Actor
    from network.services.subscribers import erase_subscriber

    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.transaction(Actor.admin("test")) as session:
        erase_subscriber(session, network.acme)
    assert_problem(client.get("/v1/me", headers=bearer(network.acme_token)), 401, "unauthenticated")
    assert_problem(client.get(f"/v1/subscribers/{network.acme}", headers=ADMIN), 404, "not_found")
    assert _names(client, ADMIN_TOKEN) == ["Jane's Café"]
