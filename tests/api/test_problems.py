"""Every error is RFC 9457 problem+json with a stable code; malformed input is a 4xx, never a 500.

These shapes are refused before storage is touched, so they run on SQLite only; input that does reach the
database (control characters, odd unicode) is tested on both databases in ``test_subscribers.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from composition.channels import web_app
from composition.container import Layer8
from network.migrate import upgrade
from tests.api.helpers import ADMIN_TOKEN, Network, assert_problem, bearer, make_container, seed_network

ADMIN = bearer(ADMIN_TOKEN)
JSON = {**ADMIN, "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer8]:
    """One migrated SQLite database for the whole module: these requests change nothing."""
    home = tmp_path_factory.mktemp("problems")
    layer8 = make_container(f"sqlite:///{home / 'layer8.db'}", home)
    upgrade(layer8.db)
    yield layer8
    layer8.close()


@pytest.fixture(scope="module")
def network(container: Layer8) -> Network:
    return seed_network(container.db)


@pytest.fixture(scope="module")
def client(container: Layer8) -> Iterator[TestClient]:
    with TestClient(web_app(container)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "body",
    [b"{", b'{"q": "acme",}', b"{'q': 'acme'}", b"\xff\xfe\x00garbage", b"[" * 100_000, b'{"q": "\\ud800'],
)
def test_malformed_json_is_400(client: TestClient, network: Network, body: bytes) -> None:
    response = client.post("/v1/subscribers/search", content=body, headers=JSON)
    assert_problem(response, 400, "malformed_body")


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"acme"',
        b"42",
        b"null",
        b"NaN",
        b'{"limit": "many"}',
        b'{"limit": 1e309}',
        b'{"limit": 100000000000000000000000000000}',
        b'{"offset": -1}',
        b'{"q": ["acme"]}',
        b'{"q": {"$ne": null}}',
        b'{"unknown": 1}',
        b'{"q": "' + b"a" * 5000 + b'"}',
    ],
)
def test_wrong_shapes_are_422(client: TestClient, network: Network, body: bytes) -> None:
    response = client.post("/v1/subscribers/search", content=body, headers=JSON)
    problem = assert_problem(response, 422, "invalid_request")
    assert problem["errors"] and "input" not in problem["errors"][0]  # the offending input is not echoed


def test_a_body_without_json_content_type_is_refused(client: TestClient, network: Network) -> None:
    for headers in (ADMIN, {**ADMIN, "Content-Type": "text/plain"}):
        response = client.post("/v1/subscribers/search", content=b'{"q": "acme"}', headers=headers)
        assert_problem(response, 422, "invalid_request")


def test_a_huge_body_is_413(client: TestClient, network: Network) -> None:
    response = client.post("/v1/subscribers/search", content=b" " * 2_000_000, headers=JSON)
    assert_problem(response, 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 65_536

    streamed = client.post("/v1/subscribers/search", content=chunks(), headers=JSON)
    assert_problem(streamed, 413, "payload_too_large")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/subscribers/" + "9" * 10_000,
        "/v1/subscribers/" + "sub_" + "a" * 40,
        "/v1/subscribers/%00",
        "/v1/subscribers/sub%0A1",
        "/v1/subscribers/caf%C3%A9",
        "/v1/subscribers/" + "9" * 10_000 + "/profile",
        "/v1/subscribers?limit=abc",
        "/v1/subscribers?limit=0",
        "/v1/subscribers?limit=100000000000000000000000",
        "/v1/subscribers?offset=-1",
        "/v1/subscribers?offset=99999999999999999999",
        "/v1/subscribers?q=" + "a" * 1000,
    ],
)
def test_bad_ids_and_parameters_are_422(client: TestClient, network: Network, path: str) -> None:
    assert_problem(client.get(path, headers=ADMIN), 422, "invalid_request")


def test_unknown_routes_and_methods(client: TestClient, network: Network) -> None:
    assert_problem(client.get("/nope"), 404, "not_found")
    assert_problem(client.get("/v1/subscribers/x/y/z", headers=ADMIN), 404, "not_found")
    assert_problem(client.get("/v1/subscribers/..%2F..%2Fetc%2Fpasswd", headers=ADMIN), 404, "not_found")
    not_allowed = client.delete(f"/v1/subscribers/{network.acme}", headers=ADMIN)
    assert_problem(not_allowed, 405, "method_not_allowed")
    assert "GET" in not_allowed.headers["Allow"]


def test_problem_members(client: TestClient, network: Network) -> None:
    response = client.get(
        "/v1/subscribers/sub_0000000000000000", headers={**ADMIN, "X-Request-ID": "req-12345678"}
    )
    body = assert_problem(response, 404, "not_found")
    assert body["title"] == "Not Found"
    assert body["instance"] == "/v1/subscribers/sub_0000000000000000"
    assert body["request_id"] == "req-12345678" == response.headers["X-Request-ID"]


def _boom(app: FastAPI, _container: Layer8) -> None:
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("password=hunter2 at /srv/layer8/secret.py")

    app.include_router(router)


def test_a_bug_is_a_500_that_reveals_nothing(container: Layer8) -> None:
    with TestClient(web_app(container, extra=[_boom]), raise_server_exceptions=False) as client:
        response = client.get("/boom")
    body = assert_problem(response, 500, "internal_error")
    assert (
        "hunter2" not in response.text and "secret" not in response.text and "Traceback" not in response.text
    )
    assert body["request_id"] == response.headers["X-Request-ID"]
